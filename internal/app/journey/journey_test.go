// Package journey_test holds the Chromium journeys: each starts the real
// program (both engines where the issue asks) and drives Debian's Chromium
// through what a person does. They live apart from internal/app's tests so
// the two long packages run side by side.
package journey_test

import (
	"os"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// run calls the real command line.
func run(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	return apptest.Run(t, env, args...)
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

func chromiumPath(t *testing.T) string {
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Fatal("chromium not found: install Debian's chromium package (scripts/test.sh does)")
	return ""
}
