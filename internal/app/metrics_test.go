package app_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app"
)

// TestMetricsAddress: with --metrics-addr, /metrics is served on that
// address (here with a token too) and nowhere else, and that address
// serves nothing but /metrics.
func TestMetricsAddress(t *testing.T) {
	const token = "scrape-0123456789abcdef"
	env := map[string]string{"OMBUD_DATA": t.TempDir(), "OMBUD_LOG_LEVEL": "warn", "OMBUD_METRICS_TOKEN": token}
	addr, maddr := freeAddr(t), freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var out, errb bytes.Buffer
	go func() {
		done <- app.Main(ctx, []string{"serve", "--addr", addr, "--metrics-addr", maddr}, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb)
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("exit %d: %s", code, errb.String())
		}
		// Read the output once the server has stopped writing it.
		if !strings.Contains(out.String(), maddr) {
			t.Errorf("startup output does not name the metrics address: %q", out.String())
		}
	})
	for i := 0; ; i++ {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if i > 2400 { // 60 s: a fresh database migrates first, slow under -race and load
			t.Fatalf("server did not start: %v %s", err, errb.String())
		}
		time.Sleep(25 * time.Millisecond)
	}
	for _, tt := range []struct {
		name, url string
		auth      bool
		status    int
	}{
		{"metrics address with the token", "http://" + maddr + "/metrics", true, 200},
		{"metrics address without it", "http://" + maddr + "/metrics", false, 401},
		{"HTTP address, token or not", "http://" + addr + "/metrics", true, 404},
		{"nothing else on the metrics address", "http://" + maddr + "/healthz", true, 404},
		{"not the API either", "http://" + maddr + "/api/v1/tickets", true, 404},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", tt.url, nil)
			if tt.auth {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %.200s", resp.StatusCode, tt.status, body)
			}
			if tt.status == 200 && !strings.Contains(string(body), "ombud_http_requests_total") {
				t.Fatalf("no Ombud metrics in %.300s", body)
			}
		})
	}
}
