package bench

import (
	"fmt"
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

// BenchmarkSearchBox measures what the header's search box asks, over
// loopback against the real server with OMBUD_BENCH_TICKETS seeded tickets
// (default 100,000, each with its own customer "Seed N", seedN@…): the
// suggestions while typing (GET /search/suggest) and the searches a number,
// a name, an email, a phone or a relative date run (GET /api/v1/search).
// One client asks at a time, so the latency is the server's time plus
// loopback.
//
//	go test ./bench/ -run '^$' -bench SearchBox -benchtime 1x -timeout 60m
func BenchmarkSearchBox(b *testing.B) {
	tickets := envInt("OMBUD_BENCH_TICKETS", 100000)
	requests := envInt("OMBUD_BENCH_REQUESTS", 200)
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
			// A caller known by phone, with a few tickets.
			for i := range 3 {
				createID(b, api, s, fmt.Sprintf(`{"subject":"Strømregning %d","description":"Ring meg","requester":{"phone":"+47 912 34 567","name":"Kari Bakken"},"channel":"phone"}`, i))
			}
			jar, _ := cookiejar.New(nil)
			ui := &http.Client{Jar: jar, Timeout: 30 * time.Second}
			resp, err := ui.PostForm(s.url+"/login", url.Values{"email": {"bench@ombud.test"}, "password": {"bench-password-1"}})
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
			n := tickets / 2
			cases := []struct{ name, path string }{
				{"suggest: a number", "/search/suggest?q=" + fmt.Sprint(n)},
				{"suggest: a name, typing", "/search/suggest?q=" + url.QueryEscape(fmt.Sprintf("Seed %d", n/10))},
				{"suggest: a common first word", "/search/suggest?q=Se"},
				{"suggest: an email, typing", "/search/suggest?q=" + url.QueryEscape(fmt.Sprintf("seed%d@cust", n))},
				{"suggest: a phone, national", "/search/suggest?q=" + url.QueryEscape("912 34 567")},
				{"suggest: a subject word", "/search/suggest?q=refu"},
				{"search: a number", "/api/v1/search?q=" + fmt.Sprint(n)},
				{"search: #number", "/api/v1/search?q=" + url.QueryEscape(fmt.Sprintf("#%d", n))},
				{"search: a name", "/api/v1/search?q=" + url.QueryEscape(fmt.Sprintf("Seed %d", n))},
				{"search: an email", "/api/v1/search?q=" + url.QueryEscape(fmt.Sprintf("seed%d@customers.example", n))},
				{"search: a phone", "/api/v1/search?q=" + url.QueryEscape("+47 912 34 567")},
				{"search: a phone, national", "/api/v1/search?q=" + url.QueryEscape("912 34 567")},
				{"search: created>7d", "/api/v1/search?q=" + url.QueryEscape("created>7d")},
				{"search: updated<yesterday status:open", "/api/v1/search?q=" + url.QueryEscape("updated<yesterday status:open")},
			}
			fmt.Printf("\n%s, %d existing tickets, %d sequential requests each\n", engine, tickets, requests)
			fmt.Printf("%-40s %10s %10s %10s\n", "request", "p50", "p95", "p99")
			for _, c := range cases {
				client := ui
				if strings.HasPrefix(c.path, "/api/") {
					client = api
				}
				var lat []time.Duration
				for range requests {
					req, _ := http.NewRequest("GET", s.url+c.path, nil)
					if client == api {
						req.Header.Set("Authorization", "Bearer "+s.token)
					}
					t0 := time.Now()
					resp, err := client.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					resp.Body.Close()
					lat = append(lat, time.Since(t0))
					if resp.StatusCode != 200 {
						b.Fatalf("%s: status %d", c.path, resp.StatusCode)
					}
				}
				sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
				q := func(f float64) time.Duration { return lat[int(f*float64(len(lat)-1))] }
				fmt.Printf("%-40s %10s %10s %10s\n", c.name, q(0.5).Round(10*time.Microsecond), q(0.95).Round(10*time.Microsecond), q(0.99).Round(10*time.Microsecond))
			}
		})
	}
}
