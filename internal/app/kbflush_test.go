package app_test

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestKBViewsWrittenOnStop: help center views counted in memory (the
// periodic flush set far off) are written when the server stops: after a
// restart the knowledge report has every one of them.
func TestKBViewsWrittenOnStop(t *testing.T) {
	env := map[string]string{"OMBUD_DATA": t.TempDir(), "OMBUD_LOG_LEVEL": "warn", "OMBUD_KB_COUNTER_FLUSH": "10m"}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "Orders", "Returns"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Orders", "Returns", "return.md"), []byte("# Return a parcel\n\nPrint the label.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, er := run(t, env, "kb", "import", dir, "--publish", "--visibility", "public"); code != 0 {
		t.Fatalf("import: %s %s", out, er)
	}
	if code, _, er := run(t, env, "user", "create", "--email", "a@ombud.test", "--name", "A", "--role", "admin", "--password", "long-enough-1"); code != 0 {
		t.Fatal(er)
	}
	_, tok, _ := run(t, env, "token", "create", "--email", "a@ombud.test")
	tok = strings.TrimSpace(tok)

	s := serve(t, env)
	get := func(u string) string {
		t.Helper()
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		buf := make([]byte, 32<<10)
		for {
			n, err := resp.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d", u, resp.StatusCode)
		}
		return b.String()
	}
	cat := regexp.MustCompile(`href="(/help/en/categories/[^"]+)"`).FindStringSubmatch(get(s.url + "/help/en"))
	if cat == nil {
		t.Fatal("no category on the help center")
	}
	art := regexp.MustCompile(`href="(/help/en/articles/[^"?#]+)"`).FindStringSubmatch(get(s.url + cat[1]))
	if art == nil {
		t.Fatal("no article in the category")
	}
	const views = 25
	for range views {
		get(s.url + art[1])
	}
	if code := s.Stop(); code != 0 {
		t.Fatalf("serve exited %d", code)
	}
	s2 := serve(t, env)
	now := time.Now().UTC()
	from, to := now.AddDate(0, 0, -1).Format(time.DateOnly), now.AddDate(0, 0, 1).Format(time.DateOnly) // around midnight too
	code, rep := api(t, "GET", s2.url+"/api/v1/reports/knowledge?from="+from+"&to="+to, tok, nil)
	if code != 200 {
		t.Fatalf("report: %d %v", code, rep)
	}
	totals, _ := rep["totals"].(map[string]any)
	if got, _ := totals["help_views"].(float64); got != views {
		t.Errorf("help views after the restart: %v, want %d (%v)", totals["help_views"], views, rep)
	}
}
