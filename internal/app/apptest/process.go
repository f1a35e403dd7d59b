package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app"
)

// Run calls the real command line in-process with env as its environment
// and returns the exit status, standard output and standard error.
func Run(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := app.Main(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// FreeAddr is a loopback address with a port free at the time of asking.
func FreeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Process is an `ombud serve` started by Serve.
type Process struct {
	URL    string
	cancel context.CancelFunc
	done   chan int
	once   sync.Once
	code   int
}

// Stop ends the server as SIGTERM would and returns its exit status; a
// second call returns the same status.
func (p *Process) Stop() int {
	p.once.Do(func() {
		p.cancel()
		p.code = <-p.done
	})
	return p.code
}

// Serve starts the real program in-process on a free loopback port, waits
// until /readyz answers and stops it when the test ends.
func Serve(t *testing.T, env map[string]string) *Process {
	t.Helper()
	addr := FreeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	p := &Process{URL: "http://" + addr, cancel: cancel, done: make(chan int, 1)}
	go func() {
		var out, errb bytes.Buffer
		p.done <- app.Main(ctx, []string{"serve", "--addr", addr}, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb)
	}()
	for i := 0; ; i++ {
		resp, err := http.Get(p.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if i > 2400 { // 60 s: a fresh database migrates first, slow under -race and load
			t.Fatalf("server did not start: %v", err)
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Cleanup(func() { p.Stop() })
	return p
}

// API sends a JSON request with a bearer token and decodes the JSON object
// answered (an empty map when the body is not one).
func API(t *testing.T, method, url, token string, body any) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, url, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]any{}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}
