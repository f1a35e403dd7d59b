package web

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestAccessLog(t *testing.T) {
	tests := []struct {
		name        string
		mode        string
		status      int
		took        time.Duration
		contentType string
		want        string // "" = not logged; else the level and message
	}{
		{"full: an ordinary request", AccessLogFull, 200, time.Millisecond, "", `level=INFO msg=request`},
		{"full: slow", AccessLogFull, 200, 2 * time.Second, "", `level=WARN msg="slow request"`},
		{"off: ordinary", AccessLogOff, 200, time.Millisecond, "", ""},
		{"off: a server error", AccessLogOff, 500, time.Millisecond, "", ""},
		{"off: slow is still logged", AccessLogOff, 200, 1500 * time.Millisecond, "", `level=WARN msg="slow request"`},
		{"sampled: a server error", AccessLogSampled, 503, time.Millisecond, "", `level=WARN msg=request`},
		{"sampled: slow", AccessLogSampled, 404, 3 * time.Second, "", `msg="slow request"`},
		{"default mode is sampled", "", 500, time.Millisecond, "", `level=WARN msg=request`},
		{"an event stream is long, not slow", AccessLogOff, 200, time.Hour, "text/event-stream", ""},
		{"an upgraded connection is long, not slow", AccessLogOff, 101, time.Hour, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(slog.NewTextHandler(&buf, nil))
			a := &AccessLog{Mode: tt.mode}
			a.n.Store(5) // past the first request, which sampling always keeps
			w := httptest.NewRecorder()
			if tt.contentType != "" {
				w.Header().Set("Content-Type", tt.contentType)
			}
			a.log(context.Background(), log, httptest.NewRequest("GET", "/tickets", nil), w, tt.status, tt.took)
			got := buf.String()
			if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
				t.Fatalf("logged %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("sampled keeps one in SampleEvery", func(t *testing.T) {
		var buf bytes.Buffer
		log := slog.New(slog.NewTextHandler(&buf, nil))
		a := &AccessLog{Mode: AccessLogSampled, SampleEvery: 100}
		for range 1000 {
			a.log(context.Background(), log, httptest.NewRequest("GET", "/", nil), httptest.NewRecorder(), 200, time.Millisecond)
		}
		if n := strings.Count(buf.String(), "msg=request"); n != 10 || !strings.Contains(buf.String(), "sampled=100") {
			t.Fatalf("%d lines for 1000 requests:\n%s", n, buf.String())
		}
	})
}
