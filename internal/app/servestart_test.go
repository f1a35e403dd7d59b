package app_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app"
	"github.com/ombud/ombud/internal/config"
)

// syncBuffer is a bytes.Buffer safe to read while the server writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serveOutput runs serve until ready, calls during with its URL, stops it
// and returns what it wrote on standard output and standard error.
func serveOutput(t *testing.T, env map[string]string, during func(url string), args ...string) (string, string) {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- app.Main(ctx, append([]string{"serve", "--addr", addr}, args...), func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb)
	}()
	url := "http://" + addr
	for i := 0; ; i++ {
		resp, err := http.Get(url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d\n%s\n%s", code, out.String(), errb.String())
		default:
		}
		if i > 2400 { // 60 s: a fresh database migrates first, slow under -race and load
			t.Fatalf("server did not start: %v", err)
		}
		time.Sleep(25 * time.Millisecond)
	}
	if during != nil {
		during(url)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exited %d\n%s", code, errb.String())
	}
	return out.String(), errb.String()
}

// TestServeStart: a fresh serve with no admin says how to make one, and
// says nothing of it once there is one; --demo on a database holding
// other data says no demo was loaded; the access log follows
// OMBUD_ACCESS_LOG.
func TestServeStart(t *testing.T) {
	env := map[string]string{"OMBUD_DATA": t.TempDir(), "OMBUD_LOG_LEVEL": "info"}
	out, _ := serveOutput(t, env, nil)
	if !strings.Contains(out, "No admin yet") || !strings.Contains(out, "ombud user create --data "+env["OMBUD_DATA"]+" --email") {
		t.Fatalf("fresh serve:\n%s", out)
	}
	if code, _, er := run(t, env, "user", "create", "--email", "a@ombud.test", "--name", "A", "--role", "admin", "--password", "long-enough-1"); code != 0 {
		t.Fatal(er)
	}
	out, _ = serveOutput(t, env, nil)
	if strings.Contains(out, "No admin") {
		t.Fatalf("serve with an admin:\n%s", out)
	}
	out, _ = serveOutput(t, env, nil, "--demo")
	if !strings.Contains(out, "not the demo, so no demo data was loaded") || strings.Contains(out, "API token") || strings.Contains(out, "Sign in") {
		t.Fatalf("--demo on other data:\n%s", out)
	}

	get := func(url string) {
		for range 5 {
			if resp, err := http.Get(url + "/healthz"); err == nil {
				resp.Body.Close()
			}
		}
	}
	for _, tt := range []struct {
		mode  string
		lines int
	}{{"full", 5}, {"sampled", 1}, {"off", 0}} {
		t.Run("access log "+tt.mode, func(t *testing.T) {
			e := map[string]string{"OMBUD_DATA": env["OMBUD_DATA"], "OMBUD_LOG_LEVEL": "info", "OMBUD_ACCESS_LOG": tt.mode}
			_, logs := serveOutput(t, e, func(url string) {
				resp, err := http.Get(url + "/readyz") // the readiness polls count too: start afresh
				if err == nil {
					resp.Body.Close()
				}
				get(url)
			})
			n := strings.Count(logs, "path=/healthz")
			if tt.mode == "sampled" && n > 1 || tt.mode != "sampled" && n != tt.lines {
				t.Fatalf("%d access lines for 5 requests (want %d):\n%s", n, tt.lines, logs)
			}
		})
	}
	if code, _, er := run(t, map[string]string{"OMBUD_DATA": env["OMBUD_DATA"], "OMBUD_ACCESS_LOG": "everything"}, "serve"); code != 2 || !strings.Contains(er, "--access-log must be off, sampled or full") {
		t.Fatalf("bad OMBUD_ACCESS_LOG: exit %d %q", code, er)
	}
}

// TestDemoAgain: serve --demo a second time loads nothing, says so, and
// makes no new API token.
func TestDemoAgain(t *testing.T) {
	ctx := context.Background()
	c := config.Defaults()
	c.DataDir = t.TempDir()
	sys, err := app.Open(ctx, c, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close()
	first, err := sys.LoadDemo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tokens := func() int {
		var n int
		if err := sys.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM api_tokens`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := tokens()
	second, err := sys.LoadDemo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !first.Loaded || first.Token == "" || second.Loaded || second.Token != "" || second.Other || tokens() != before {
		t.Fatalf("first %+v\nsecond %+v\ntokens %d → %d", first, second, before, tokens())
	}
	var out bytes.Buffer
	second.Print(&out, "http://127.0.0.1:8080")
	if !strings.Contains(out.String(), "loaded on an earlier start (not loaded again)") || strings.Contains(out.String(), "omb_") || !strings.Contains(out.String(), "ombud token create --email") {
		t.Fatalf("second start says:\n%s", out.String())
	}
}
