package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// run calls the real command line.
func run(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	return apptest.Run(t, env, args...)
}

func TestCLI(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			env := map[string]string{"OMBUD_DATA": t.TempDir(), "OMBUD_LOG_LEVEL": "warn"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewPostgresDatabase(t)
			}
			tests := []struct {
				name    string
				args    []string
				code    int
				out, er string
			}{
				{"version", []string{"version"}, 0, "ombud dev", ""},
				{"no command", nil, 2, "", "Usage"},
				{"unknown command", []string{"frobnicate"}, 2, "", "unknown command"},
				{"migrate", []string{"migrate"}, 0, "applied 0001_core.sql", ""},
				{"migrate again", []string{"migrate"}, 0, "up to date", ""},
				{"bad flag", []string{"migrate", "--nope"}, 2, "", "flag provided but not defined"},
				{"user without email", []string{"user", "create", "--name", "X"}, 2, "", "--email and --name are required"},
				{"user bad role", []string{"user", "create", "--email", "x@ombud.test", "--name", "X", "--role", "boss"}, 1, "", "role"},
				{"user", []string{"user", "create", "--email", "admin@ombud.test", "--name", "Admin", "--role", "admin"}, 0, "password: ", ""},
				{"user again", []string{"user", "create", "--email", "admin@ombud.test", "--name", "Admin", "--role", "admin", "--password", "long-enough-1"}, 1, "", "exists"},
				{"token unknown", []string{"token", "create", "--email", "nobody@ombud.test"}, 1, "", "not found"},
				{"token", []string{"token", "create", "--email", "admin@ombud.test"}, 0, "omb_", ""},
				{"import missing file", []string{"import", "--file", "/nonexistent.ndjson"}, 1, "", "no such file"},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					code, out, er := run(t, env, tt.args...)
					if code != tt.code || !strings.Contains(out, tt.out) || !strings.Contains(er, tt.er) {
						t.Fatalf("exit %d (want %d)\nstdout %q (want %q)\nstderr %q (want %q)", code, tt.code, out, tt.out, er, tt.er)
					}
					if code != 0 && strings.Count(strings.TrimSpace(er), "\n") > 0 && tt.name != "no command" && tt.name != "bad flag" {
						t.Fatalf("error is not one line: %q", er)
					}
				})
			}
			// token create prints the token and nothing else.
			_, out, _ := run(t, env, "token", "create", "--email", "admin@ombud.test")
			if f := strings.Fields(out); len(f) != 1 || !strings.HasPrefix(f[0], "omb_") {
				t.Fatalf("token output %q", out)
			}
		})
	}
}

func TestImportCommand(t *testing.T) {
	file := filepath.Join(t.TempDir(), "h.ndjson")
	lines := []string{
		`{"kind":"team","team":{"name":"Support"}}`,
		`{"kind":"agent","agent":{"email":"ingrid@ombud.test","name":"Ingrid","role":"agent","teams":["Support"]}}`,
		`{"kind":"organization","organization":{"name":"Fjord AS","domains":["fjord.example"]}}`,
		`{"kind":"customer","customer":{"name":"Kari","emails":["kari@fjord.example"],"organization":"Fjord AS"}}`,
		`{"kind":"ticket","ticket":{"subject":"Faktura","requester":"kari@fjord.example","channel":"email","priority":"normal","type":"question","timeline":[` +
			`{"at":"2026-01-05T09:00:00Z","actor":"customer:kari@fjord.example","do":"comment","public":true,"body":"Hei"},` +
			`{"at":"2026-01-05T09:10:00Z","actor":"agent:ingrid@ombud.test","do":"assign","assignee":"ingrid@ombud.test","team":"Support"},` +
			`{"at":"2026-01-05T09:20:00Z","actor":"agent:ingrid@ombud.test","do":"comment","public":true,"body":"Hei Kari"},` +
			`{"at":"2026-01-05T09:21:00Z","actor":"agent:ingrid@ombud.test","do":"status","to":"solved"}]}}`,
		`{"kind":"ticket","ticket":{"subject":"Bad","requester":"kari@fjord.example","channel":"email","priority":"normal","type":"question","timeline":[` +
			`{"at":"2026-01-05T09:00:00Z","actor":"customer:kari@fjord.example","do":"comment","public":true,"body":"x"},` +
			`{"at":"2026-01-05T09:01:00Z","actor":"agent:ingrid@ombud.test","do":"status","to":"closed"}]}}`,
		`not json`,
	}
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	// --batch changes how many tickets share a commit, never what is
	// imported or reported.
	for _, tc := range []struct {
		name  string
		args  []string
		code  int
		out   []string
		usage string
	}{
		{name: "default batch", code: 1, out: []string{"imported 5, skipped 0, failed 2", "line 6:", "line 7:"}},
		{name: "a ticket a commit", args: []string{"--batch", "1"}, code: 1, out: []string{"imported 5, skipped 0, failed 2", "line 6:", "line 7:"}},
		{name: "large batch", args: []string{"--batch", "10000"}, code: 1, out: []string{"imported 5, skipped 0, failed 2", "line 6:", "line 7:"}},
		{name: "batch zero", args: []string{"--batch", "0"}, code: 2, usage: "--batch must be from 1 to 10000"},
		{name: "batch too large", args: []string{"--batch", "10001"}, code: 2, usage: "--batch must be from 1 to 10000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"OMBUD_DATA": t.TempDir(), "OMBUD_LOG_LEVEL": "warn"}
			code, out, errOut := run(t, env, append([]string{"import", "--file", file}, tc.args...)...)
			if code != tc.code || !strings.Contains(errOut, tc.usage) {
				t.Fatalf("exit %d, want %d: %s%s", code, tc.code, out, errOut)
			}
			for _, want := range tc.out {
				if !strings.Contains(out, want) {
					t.Fatalf("output lacks %q: %s", want, out)
				}
			}
		})
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	return apptest.FreeAddr(t)
}

// server is an `ombud serve` running in-process.
type server struct {
	*apptest.Process
	url string
}

// serve starts the real program in-process on a free loopback port.
func serve(t *testing.T, env map[string]string) *server {
	t.Helper()
	p := apptest.Serve(t, env)
	return &server{Process: p, url: p.URL}
}

func api(t *testing.T, method, url, token string, body any) (int, map[string]any) {
	t.Helper()
	return apptest.API(t, method, url, token, body)
}

// TestGracefulShutdown stops the server while creates are in flight: every
// create answered 201 is in the database afterwards, and none is half done.
func TestGracefulShutdown(t *testing.T) {
	env := map[string]string{"OMBUD_DATA": t.TempDir(), "OMBUD_LOG_LEVEL": "warn"}
	if code, _, er := run(t, env, "user", "create", "--email", "a@ombud.test", "--name", "A", "--role", "admin", "--password", "long-enough-1"); code != 0 {
		t.Fatal(er)
	}
	_, tok, _ := run(t, env, "token", "create", "--email", "a@ombud.test")
	tok = strings.TrimSpace(tok)
	s := serve(t, env)
	var wg sync.WaitGroup
	var mu sync.Mutex
	created := 0
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, _ := json.Marshal(map[string]any{"subject": fmt.Sprint("S", i), "description": "d", "requester": map[string]string{"email": fmt.Sprintf("c%d@x.example", i)}})
			req, _ := http.NewRequest("POST", s.url+"/api/v1/tickets", bytes.NewReader(b))
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return // refused after shutdown began: the client knows it failed
			}
			resp.Body.Close()
			if resp.StatusCode == 201 {
				mu.Lock()
				created++
				mu.Unlock()
			}
		}()
	}
	time.Sleep(20 * time.Millisecond)
	code := s.Stop()
	wg.Wait()
	if code != 0 {
		t.Fatalf("serve exited %d", code)
	}
	s2 := serve(t, env)
	code, list := api(t, "GET", s2.url+"/api/v1/search?q=status:new&limit=100", tok, nil)
	if code != 200 {
		t.Fatalf("list: %d", code)
	}
	if n := len(list["data"].([]any)); n != created {
		t.Fatalf("%d tickets answered 201 but %d stored", created, n)
	}
}
