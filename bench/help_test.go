package bench

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/dbtest"
)

// BenchmarkHelpCenter measures the public help center under concurrent
// readers, by the real server over loopback on the demo's knowledge base:
// OMBUD_BENCH_CLIENTS (default 32) clients read articles, or search for
// words no article has (each a search without a result, counted for the
// knowledge report), for OMBUD_BENCH_SECONDS (default 5) per round. Each
// view and each such search is counted (docs/knowledge.md). With
// OMBUD_BENCH_COMPARE naming a binary built from an earlier commit, both
// serve their own demo database and are measured in turns, three rounds
// each, on the same machine load. Reported per round: requests per
// second, p50/p95/p99, and the server's CPU per request (from /proc).
//
//	go test ./bench/ -run '^$' -bench HelpCenter -benchtime 1x -timeout 30m
func BenchmarkHelpCenter(b *testing.B) {
	seconds := envInt("OMBUD_BENCH_SECONDS", 5)
	clients := envInt("OMBUD_BENCH_CLIENTS", 32)
	rounds := envInt("OMBUD_BENCH_ROUNDS", 3)
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
			vs := []*variant{{name: "", bin: bin}}
			if old := os.Getenv("OMBUD_BENCH_COMPARE"); old != "" {
				vs = []*variant{{name: "before", bin: old}, {name: "after", bin: bin}}
			}
			for _, v := range vs {
				v.env = []string{"OMBUD_DATA=" + filepath.Join(b.TempDir(), "data"), "OMBUD_DEMO=true"}
				if engine == "postgres" {
					v.env = append(v.env, "OMBUD_DATABASE_URL="+dbtest.NewPostgresDatabase(b))
				}
				run(b, v.bin, v.env, "migrate")
				v.s = serveDemo(b, v.bin, v.env)
				settle(v.s.cmd.Process.Pid, 5*time.Minute) // the demo's background work
			}
			c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients * 2, MaxConnsPerHost: clients * 2}, Timeout: 30 * time.Second}
			// The articles: those the categories of the home page list (the
			// demo may still be publishing them: look again for a while).
			var links []string
			var home string
			for try := 0; len(links) == 0; try++ {
				if try == 60 {
					b.Fatalf("no article in the help center's categories: %.2000s", home)
				}
				if try > 0 {
					time.Sleep(2 * time.Second)
				}
				home = getText(b, c, vs[0].s.url+"/help/en")
				var found [][]string
				for _, cat := range uniq(regexp.MustCompile(`href="(/help/en/categories/[^"?#]+)"`).FindAllStringSubmatch(home, -1)) {
					found = append(found, regexp.MustCompile(`href="(/help/en/articles/[^"?#]+)"`).FindAllStringSubmatch(getText(b, c, vs[0].s.url+cat), -1)...)
				}
				links = uniq(found)
			}
			ops := []struct {
				name string
				path func(r *rand.Rand, i int64) string
			}{
				{"article page", func(r *rand.Rand, i int64) string { return links[r.IntN(len(links))] }},
				{"search without a result", func(r *rand.Rand, i int64) string {
					return "/help/en/search?q=zqx" + strconv.Itoa(r.IntN(50))
				}},
			}
			fmt.Printf("\n%s, help center, %d clients, %ds per round, %d articles in its categories\n", engine, clients, seconds, len(links))
			fmt.Printf("%-26s %-7s %5s %9s %9s %9s %9s %12s\n", "op", "build", "round", "req/s", "p50", "p95", "p99", "CPU/req")
			for _, o := range ops {
				for round := 1; round <= rounds; round++ {
					for _, v := range vs {
						pid := v.s.cmd.Process.Pid
						cpu0 := procCPUTime(pid)
						res := drive(o.name, clients, time.Duration(seconds)*time.Second, func(r *rand.Rand, i int64) error {
							return fetch(c, v.s.url+o.path(r, i))
						})
						per := time.Duration(0)
						if res.n > 0 {
							per = time.Duration(float64(procCPUTime(pid)-cpu0) / float64(res.n))
						}
						name := v.name
						if name == "" {
							name = "this"
						}
						fmt.Printf("%-26s %-7s %5d %9.0f %9s %9s %9s %12s\n", o.name, name, round, res.rate, res.p50.Round(10*time.Microsecond),
							res.p95.Round(10*time.Microsecond), res.p99.Round(10*time.Microsecond), per.Round(time.Microsecond))
						if res.errs > 0 {
							b.Errorf("%s %s: %d errors", o.name, name, res.errs)
						}
						if round == rounds {
							b.ReportMetric(res.rate, strings.ReplaceAll(o.name, " ", "_")+"_"+name+"_req/s")
						}
					}
				}
			}
		})
	}
}

func getText(b *testing.B, c *http.Client, u string) string {
	resp, err := c.Get(u)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		b.Fatalf("GET %s: %d", u, resp.StatusCode)
	}
	return string(body)
}

func fetch(c *http.Client, u string) error {
	resp, err := c.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != 200 {
		return fmt.Errorf("GET %s: %d", u, resp.StatusCode)
	}
	return nil
}

func uniq(ms [][]string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range ms {
		if !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1])
		}
	}
	return out
}

// procCPUTime is the user and system CPU time a process used so far.
func procCPUTime(pid int) time.Duration {
	return time.Duration(procCPU(pid) * float64(time.Second)) // chat_test.go
}

// serveDemo starts serve --demo (through env) and waits for it to answer:
// loading the demo takes a while before the server listens.
func serveDemo(t testing.TB, bin string, env []string) *server {
	return serveBinWait(t, bin, env, "", 10*time.Minute)
}
