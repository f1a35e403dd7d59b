package httpx

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// headerWatch records whether and how often the status line was written.
type headerWatch struct {
	*httptest.ResponseRecorder
	statuses []int
}

func (h *headerWatch) WriteHeader(code int) {
	h.statuses = append(h.statuses, code)
	h.ResponseRecorder.WriteHeader(code)
}

func TestStream(t *testing.T) {
	boom := errors.New("query failed")
	tests := []struct {
		name        string
		write       int // bytes written before the end
		err         error
		wantStarted bool
		wantBody    int
	}{
		{"empty and fine", 0, nil, true, 0},
		{"short and fine", 100, nil, true, 100},
		{"long and fine", 3 * streamHold, nil, true, 3 * streamHold},
		{"fails before anything went out", streamHold - 1, boom, false, 0},
		{"fails after the start", streamHold + 10, boom, true, streamHold + 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &headerWatch{ResponseRecorder: httptest.NewRecorder()}
			s := NewStream(w, "text/csv")
			s.Header().Set("Content-Disposition", `attachment; filename="x.csv"`)
			for range tt.write / 10 {
				if _, err := s.Write([]byte(strings.Repeat("x", 10))); err != nil {
					t.Fatal(err)
				}
			}
			err := s.Close(tt.err)
			if !errors.Is(err, tt.err) {
				t.Fatalf("Close = %v, want %v", err, tt.err)
			}
			if s.Started() != tt.wantStarted || (len(w.statuses) == 1) != tt.wantStarted {
				t.Fatalf("started %v, status lines %v; want started %v", s.Started(), w.statuses, tt.wantStarted)
			}
			if tt.wantStarted && w.statuses[0] != http.StatusOK {
				t.Fatalf("status %v", w.statuses)
			}
			if want := tt.wantBody / 10 * 10; w.Body.Len() != want {
				t.Fatalf("body %d bytes, want %d", w.Body.Len(), want)
			}
			if !tt.wantStarted && (w.Header().Get("Content-Disposition") != "" || w.Header().Get("Content-Type") != "") {
				t.Fatalf("the stream's headers stayed for the error answer: %v", w.Header())
			}
		})
	}
}

// TestWriteJSONEncodeError: a value that cannot be encoded is an error
// before anything is written, never a 200 with half a body.
func TestWriteJSONEncodeError(t *testing.T) {
	w := &headerWatch{ResponseRecorder: httptest.NewRecorder()}
	err := WriteJSON(w, http.StatusOK, map[string]any{"bad": func() {}})
	if err == nil {
		t.Fatal("no error")
	}
	if len(w.statuses) != 0 || w.Body.Len() != 0 {
		t.Fatalf("wrote %v %q before failing", w.statuses, w.Body.String())
	}
}
