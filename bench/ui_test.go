package bench

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/dbtest"
)

// BenchmarkUIPages measures the agent UI's two busiest pages, rendered by
// the real server over loopback with OMBUD_BENCH_TICKETS existing tickets
// (default 100,000): a view page of 50 rows (with the sidebar's counts)
// and a ticket page with 50 comments. One client asks at a time, so the
// latency is the server's time plus loopback.
//
//	go test ./bench/ -run '^$' -bench UIPages -benchtime 1x -timeout 60m
func BenchmarkUIPages(b *testing.B) {
	tickets := envInt("OMBUD_BENCH_TICKETS", 100000)
	requests := envInt("OMBUD_BENCH_REQUESTS", 400)
	engines := os.Getenv("OMBUD_BENCH_ENGINES")
	if engines == "" {
		engines = "sqlite,postgres"
	}
	dir := b.TempDir()
	bin := filepath.Join(dir, "ombud")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/ombud").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	for _, engine := range strings.Split(engines, ",") {
		b.Run(engine, func(b *testing.B) {
			data := filepath.Join(b.TempDir(), "data")
			env := []string{"OMBUD_DATA=" + data}
			if engine == "postgres" {
				env = append(env, "OMBUD_DATABASE_URL="+dbtest.NewPostgresDatabase(b))
			}
			s := start(b, bin, b.TempDir(), env, tickets)
			api := &http.Client{Timeout: 30 * time.Second}
			// One ticket with 50 comments, half of them internal notes.
			body := `{"subject":"Fifty comments","description":"The first message","requester":{"email":"long@thread.example","name":"Long Thread"},"channel":"email"}`
			id := createID(b, api, s, body)
			for i := range 49 {
				c := fmt.Sprintf(`{"body":"Comment %d: %s","public":%t}`, i, strings.Repeat("words and more words ", 20), i%2 == 0)
				if err := request(api, "POST", fmt.Sprintf("%s/api/v1/tickets/%d/comments", s.url, id), s.token, []byte(c), 201); err != nil {
					b.Fatal(err)
				}
			}
			jar, _ := cookiejar.New(nil)
			ui := &http.Client{Jar: jar, Timeout: 30 * time.Second}
			resp, err := ui.PostForm(s.url+"/login", url.Values{"email": {"bench@ombud.test"}, "password": {"bench-password-1"}})
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
			if resp.Request.URL.Path == "/login" {
				b.Fatal("sign-in failed")
			}
			pages := []struct{ name, path, metric string }{
				{"view page, 50 rows", "/tickets?view=open", "view_p95_ms"},
				{"view page, 50 rows, page 2", "", "view_page2_p95_ms"},
				{"ticket page, 50 comments", fmt.Sprintf("/tickets/%d", id), "ticket_p95_ms"},
			}
			// The second page of the view: follow the first page's "next" link.
			first := get(b, ui, s.url+pages[0].path)
			if i := strings.Index(first, `href="/tickets?cursor=`); i >= 0 {
				rest := first[i+len(`href="`):]
				pages[1].path = strings.ReplaceAll(rest[:strings.IndexByte(rest, '"')], "&amp;", "&")
			} else {
				pages = append(pages[:1], pages[2:]...)
			}
			fmt.Printf("\n%s, %d existing tickets, %d sequential requests per page\n", engine, tickets, requests)
			fmt.Printf("%-30s %10s %10s %10s\n", "page", "p50", "p95", "p99")
			for _, p := range pages {
				var lat []time.Duration
				for range requests {
					t0 := time.Now()
					get(b, ui, s.url+p.path)
					lat = append(lat, time.Since(t0))
				}
				sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
				q := func(f float64) time.Duration { return lat[int(f*float64(len(lat)-1))] }
				fmt.Printf("%-30s %10s %10s %10s\n", p.name, q(0.5).Round(10*time.Microsecond), q(0.95).Round(10*time.Microsecond), q(0.99).Round(10*time.Microsecond))
				b.ReportMetric(float64(q(0.95))/float64(time.Millisecond), p.metric)
			}
		})
	}
}

func createID(b *testing.B, c *http.Client, s *server, body string) int64 {
	req, _ := http.NewRequest("POST", s.url+"/api/v1/tickets", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var id int64
	if _, err := fmt.Sscanf(string(raw), `{"id":%d`, &id); err != nil || resp.StatusCode != 201 {
		b.Fatalf("create: %d %s", resp.StatusCode, raw)
	}
	return id
}

func get(b *testing.B, c *http.Client, u string) string {
	resp, err := c.Get(u)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		b.Fatalf("GET %s: %d %.300s", u, resp.StatusCode, raw)
	}
	return string(raw)
}
