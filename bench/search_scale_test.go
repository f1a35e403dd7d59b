package bench

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode"

	_ "github.com/ombud/ombud/internal/db" // the database drivers
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/demo"
	"github.com/ombud/ombud/internal/importer"
)

// BenchmarkSearchScale measures the search query classes of issue 13 on a
// corpus of OMBUD_BENCH_TICKETS tickets (default 100,000) written by the
// demo generator (five languages, several messages a ticket, so common
// words are as common as in real mail), imported through `ombud import`:
// first one client at a time (OMBUD_BENCH_REQUESTS requests per class:
// server time plus loopback), then OMBUD_BENCH_CLIENTS clients for
// OMBUD_BENCH_SECONDS per class (throughput).
//
// The query values come from the corpus itself: order numbers that occur
// in it, its most common words (by the number of tickets holding them),
// its most common two-word phrase, its most common tag, real requester
// names and emails. OMBUD_BENCH_COMPARE_BIN names another build (before
// a change) served on the same corpus beside this one: each class is then
// measured on both, interleaved, at one client and at OMBUD_BENCH_CLIENTS
// (use a few: a slow build under 64 clients runs into timeouts), and the
// ratios printed. OMBUD_BENCH_SEARCH_DIR keeps the corpus there and
// reuses it on the next run: SQLite's file in DIR/sqlite-N, PostgreSQL's
// cluster in DIR/postgres-N/pg (started for the run, stopped at its end).
// OMBUD_BENCH_SEARCH_BIN names a build of this tree to serve instead of
// building one; OMBUD_BENCH_SEARCH_BUILD_ONLY=1 builds the kept corpus and
// measures nothing (OMBUD_BENCH_CLIENTS=0 reads as unset, the default 64).
// A kept corpus is read once before measuring, so that the kernel holds
// it (OMBUD_BENCH_SEARCH_WARM=0 skips that).
// With OMBUD_BENCH_COMPARE_BIN, OMBUD_BENCH_CLASS measures only the
// classes whose name holds it (e.g. "requester"), OMBUD_BENCH_ROUNDS
// measures each class that many times, alternating which build goes first
// (a cell lasts OMBUD_BENCH_SECONDS, on a machine whose speed moves by the
// minute), and the servers' CPU per search at one client is printed beside
// the rates.
//
//	go test ./bench/ -run '^$' -bench SearchScale -benchtime 1x -timeout 120m
func BenchmarkSearchScale(b *testing.B) {
	tickets := envInt("OMBUD_BENCH_TICKETS", 100000)
	requests := envInt("OMBUD_BENCH_REQUESTS", 200)
	seconds := envInt("OMBUD_BENCH_SECONDS", 10)
	clients := envInt("OMBUD_BENCH_CLIENTS", 64)
	engines := os.Getenv("OMBUD_BENCH_ENGINES")
	if engines == "" {
		engines = "sqlite,postgres"
	}
	dir := b.TempDir()
	bin := filepath.Join(dir, "ombud")
	if prebuilt := os.Getenv("OMBUD_BENCH_SEARCH_BIN"); prebuilt != "" {
		// A build of this tree made beforehand: a build under the bench
		// lock on a busy machine takes minutes.
		bin = prebuilt
	} else if out, err := exec.Command("go", "build", "-o", bin, "../cmd/ombud").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	for _, engine := range strings.Split(engines, ",") {
		b.Run(engine, func(b *testing.B) {
			work := b.TempDir()
			keep := os.Getenv("OMBUD_BENCH_SEARCH_DIR")
			if keep != "" {
				work = filepath.Join(keep, fmt.Sprintf("%s-%d", engine, tickets))
				if err := os.MkdirAll(work, 0o755); err != nil {
					b.Fatal(err)
				}
			}
			env := []string{"OMBUD_DATA=" + filepath.Join(work, "data")}
			switch {
			case engine == "postgres" && keep != "":
				// A kept cluster in work/pg: started (initdb the first
				// time) for this run, stopped at its end with the data kept.
				admin, stop, err := dbtest.StartKeptCluster(filepath.Join(work, "pg"), true)
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(stop)
				u, err := dbtest.KeptDatabase(admin, "ombud")
				if err != nil {
					b.Fatal(err)
				}
				env = append(env, "OMBUD_DATABASE_URL="+u)
			case engine == "postgres":
				env = append(env, "OMBUD_DATABASE_URL="+dbtest.NewPostgresDatabase(b))
			}
			qs := buildCorpus(b, bin, work, env, tickets)
			if os.Getenv("OMBUD_BENCH_SEARCH_BUILD_ONLY") == "1" {
				// Build (or check) the corpus and measure nothing: a long
				// build runs without the bench lock, the measuring with it.
				return
			}
			if keep != "" && os.Getenv("OMBUD_BENCH_SEARCH_WARM") != "0" {
				// A kept corpus may have left the kernel's cache since its
				// last run: searches would then measure disk reads (at 1M,
				// 2-4x at one client; docs/benchmarks.md, 2026-12-06 04:00).
				n, took, err := warmFiles(work)
				if err != nil {
					b.Fatal(err)
				}
				fmt.Printf("\n%s corpus read once into the kernel's cache: %d MiB in %v\n", engine, n>>20, took.Round(time.Second))
			}
			// OMBUD_BENCH_COMPARE_BIN: another build (e.g. of the commit
			// before a change) measured first on the same corpus.
			if other := os.Getenv("OMBUD_BENCH_COMPARE_BIN"); other != "" {
				before, after := serve(b, other, env), serve(b, bin, env)
				compareSearch(engine, before, after, qs, clients, seconds, envDatabase(env))
				before.stop()
				after.stop()
				return
			}
			s := serve(b, bin, env)
			var pg *sql.DB
			if engine == "postgres" {
				// The bare statements' floor (OMBUD_BENCH_SEARCH_FLOOR=N
				// runs each) and PostgreSQL's share of each class.
				for _, e := range env {
					if v, ok := strings.CutPrefix(e, "OMBUD_DATABASE_URL="); ok {
						pg, _ = sql.Open("pgx", v)
					}
				}
				defer pg.Close()
				if n := envInt("OMBUD_BENCH_SEARCH_FLOOR", 0); n > 0 {
					pgFloor(pg, qs, n)
				}
			}
			measureSearch(engine, s, pg, qs, requests, clients, seconds)
			s.stop()
		})
	}
}

// measureSearch runs every query class one client at a time, then from
// clients concurrent clients.
// With pg (PostgreSQL), CPU per search counts the server and the
// database's backends, and PostgreSQL's statements of each class at one
// client are printed from pg_stat_statements.
func measureSearch(label string, s *server, pg *sql.DB, qs corpusQueries, requests, clients, seconds int) {
	api := &http.Client{Timeout: 60 * time.Second}
	pid := s.cmd.Process.Pid
	dbName := ""
	reset, top := func() {}, func(int) {}
	if pg != nil {
		_ = pg.QueryRow(`SELECT current_database()`).Scan(&dbName)
		reset, top = pgStatements(pg)
	}
	cpu := func() (float64, float64) { return procCPU(pid), postgresCPU(dbName) }
	fmt.Printf("\n%s, %d demo tickets; one client, %d sequential requests per class (load %s)\n", label, qs.Tickets, requests, loadAvg())
	fmt.Printf("%-34s %-34s %9s %9s %9s %9s %17s\n", "class", "example", "p50", "p95", "p99", "total", "CPU ms server+db")
	for _, c := range qs.classes() {
		reset()
		s0, d0 := cpu()
		r := rand.New(rand.NewPCG(1, 9))
		var lat []time.Duration
		var total string
		for range requests {
			q := c.pick(r)
			t0 := time.Now()
			body, err := getJSON(api, s, q)
			if err != nil {
				fmt.Printf("%s %q: %v\n", c.name, q, err)
				continue
			}
			lat = append(lat, time.Since(t0))
			total = body
		}
		if len(lat) == 0 {
			continue
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		p := func(f float64) time.Duration { return lat[int(f*float64(len(lat)-1))].Round(10 * time.Microsecond) }
		s1, d1 := cpu()
		n := float64(len(lat))
		fmt.Printf("%-34s %-34.34s %9s %9s %9s %9s %8.2f+%-8.2f\n", c.name, c.pick(rand.New(rand.NewPCG(1, 9))), p(.5), p(.95), p(.99), total,
			(s1-s0)*1000/n, (d1-d0)*1000/n)
		top(len(lat))
	}
	fmt.Printf("server memory after one client: peak RSS (VmHWM) %.0f MiB; now %s\n", peakRSS(pid), rssSplit(pid))
	if clients == 0 {
		return
	}
	tr := &http.Transport{MaxIdleConnsPerHost: clients * 2, MaxConnsPerHost: clients * 2}
	hc := &http.Client{Transport: tr, Timeout: 60 * time.Second}
	fmt.Printf("\n%s, %d clients, %ds per class (load %s)\n", label, clients, seconds, loadAvg())
	fmt.Printf("%-34s %10s %8s %10s %10s %10s %17s\n", "class", "searches/s", "errors", "p50", "p95", "p99", "CPU ms server+db")
	for _, c := range qs.classes() {
		s0, d0 := cpu()
		res := drive(c.name, clients, time.Duration(seconds)*time.Second, func(r *rand.Rand, _ int64) error {
			return request(hc, "GET", s.url+"/api/v1/search?limit=25&q="+url.QueryEscape(c.pick(r)), s.token, nil, 200)
		})
		s1, d1 := cpu()
		n := max(res.rate*float64(seconds), 1)
		fmt.Printf("%-34s %10.0f %8d %10s %10s %10s %8.2f+%-8.2f\n", c.name, res.rate, res.errs,
			res.p50.Round(10*time.Microsecond), res.p95.Round(10*time.Microsecond), res.p99.Round(10*time.Microsecond),
			(s1-s0)*1000/n, (d1-d0)*1000/n)
	}
	fmt.Printf("server memory after %d clients: peak RSS (VmHWM) %.0f MiB; now %s\n", clients, peakRSS(pid), rssSplit(pid))
}

// compareSearch measures two builds serving the same corpus class by
// class, interleaved (one client on each, then clients on each;
// OMBUD_BENCH_ROUNDS times, see compareClass), so both see the same
// machine: on a shared machine only the ratio within one run means
// something.
func compareSearch(engine string, before, after *server, qs corpusQueries, clients, seconds int, dbName string) {
	tr := &http.Transport{MaxIdleConnsPerHost: clients * 2, MaxConnsPerHost: clients * 2}
	hc := &http.Client{Transport: tr, Timeout: 60 * time.Second}
	fmt.Printf("\n%s, %d demo tickets, searches/s over loopback, %ds per cell, before → after (load %s)\n", engine, qs.Tickets, seconds, loadAvg())
	fmt.Printf("%-34s %10s %10s %7s %10s %10s %7s %12s %17s %27s\n", "class", "1 before", "1 after", "ratio",
		fmt.Sprintf("%d before", clients), fmt.Sprintf("%d after", clients), "ratio", "total after", "p95 1 before/after",
		"CPU ms/search 1 server+db")
	only := os.Getenv("OMBUD_BENCH_CLASS")
	rounds := max(envInt("OMBUD_BENCH_ROUNDS", 1), 1)
	for _, c := range qs.classes() {
		if only != "" && !strings.Contains(c.name, only) {
			continue
		}
		for round := range rounds {
			compareClass(c, round, rounds, hc, before, after, clients, seconds, dbName)
		}
	}
	for i, s := range []*server{before, after} {
		pid := s.cmd.Process.Pid
		fmt.Printf("%s: peak RSS (VmHWM) %.0f MiB; now %s\n", []string{"before", "after"}[i], peakRSS(pid), rssSplit(pid))
	}
}

// compareClass measures one class on both builds, one client then
// clients; in odd rounds the build after the change goes first in each
// pair, so that neither build always meets the machine as the other left
// it (a round's line carries its number when there are several).
func compareClass(c queryClass, round, rounds int, hc *http.Client, before, after *server, clients, seconds int, dbName string) {
	var rates [4]float64
	var p95 [2]time.Duration
	var cpu [2][2]float64 // one client: before, after; server, PostgreSQL
	for cell, n := range []int{1, 1, clients, clients} {
		i := cell - cell%2 + (cell+round)%2 // before at even i, after at odd
		s := []*server{before, after}[i%2]
		s0, d0 := procCPU(s.cmd.Process.Pid), postgresCPU(dbName)
		res := drive(c.name, n, time.Duration(seconds)*time.Second, func(r *rand.Rand, _ int64) error {
			return request(hc, "GET", s.url+"/api/v1/search?limit=25&q="+url.QueryEscape(c.pick(r)), s.token, nil, 200)
		})
		rates[i] = res.rate
		if i < 2 {
			p95[i] = res.p95
			// Both servers share the database; the cells run one
			// after the other, so its CPU in a cell is that server's.
			done := max(res.rate*float64(seconds), 1)
			cpu[i] = [2]float64{(procCPU(s.cmd.Process.Pid) - s0) * 1000 / done, (postgresCPU(dbName) - d0) * 1000 / done}
		}
		if res.errs > 0 {
			fmt.Printf("%s: %d errors\n", c.name, res.errs)
		}
	}
	total, _ := getJSON(hc, after, c.pick(rand.New(rand.NewPCG(1, 9))))
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
	name := c.name
	if rounds > 1 {
		name = fmt.Sprintf("%s #%d", name, round+1)
	}
	fmt.Printf("%-34s %10.0f %10.0f %6.1fx %10.0f %10.0f %6.1fx %12s %8.1f/%.1f ms %6.2f+%.2f / %.2f+%.2f\n", name, rates[0], rates[1], rates[1]/max(rates[0], 1e-9),
		rates[2], rates[3], rates[3]/max(rates[2], 1e-9), total, ms(p95[0]), ms(p95[1]), cpu[0][0], cpu[0][1], cpu[1][0], cpu[1][1])
}

// envDatabase is the database named by env's OMBUD_DATABASE_URL, "" for
// none (SQLite).
func envDatabase(env []string) string {
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, "OMBUD_DATABASE_URL="); ok {
			if u, err := url.Parse(v); err == nil {
				return strings.TrimPrefix(u.Path, "/")
			}
		}
	}
	return ""
}

// getJSON runs one search and returns its total as the response tells it.
func getJSON(c *http.Client, s *server, q string) (string, error) {
	req, _ := http.NewRequest("GET", s.url+"/api/v1/search?limit=25&q="+url.QueryEscape(q), nil)
	req.Header.Set("Authorization", "Bearer "+s.token)
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var body struct {
		Data           []json.RawMessage `json:"data"`
		Total          *int64            `json:"total"`
		TotalEstimated bool              `json:"total_estimated"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return "", err
	}
	if resp.StatusCode != 200 {
		return "", fmt.Errorf("status %d", resp.StatusCode)
	}
	switch {
	case body.Total == nil:
		return fmt.Sprintf("(%d rows)", len(body.Data)), nil
	case body.TotalEstimated:
		return fmt.Sprintf("~%d", *body.Total), nil
	}
	return fmt.Sprint(*body.Total), nil
}

// corpusQueries are the values each query class draws from.
type corpusQueries struct {
	Tickets int      `json:"tickets"`
	Orders  []string `json:"orders"`  // order numbers in the text
	Common  []string `json:"common"`  // the most common words, most common first
	Phrases []string `json:"phrases"` // the most common two-word phrases
	Tag     string   `json:"tag"`     // the most common tag
	Names   []string `json:"names"`
	Emails  []string `json:"emails"`
}

// apart are pairs of common words that no subject or comment holds
// together (Norwegian and English mail): an empty intersection of two
// long doclists. The demo generator writes each text in one language.
func (qs corpusQueries) apart() [][2]string {
	common := map[string]bool{}
	for _, w := range qs.Common {
		common[w] = true
	}
	var out [][2]string
	for _, p := range [][2]string{{"ikke", "order"}, {"hilsen", "regards"}, {"ikke", "regards"}, {"hilsen", "order"}, {"ikke", "hello"}} {
		if common[p[0]] && common[p[1]] {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		out = append(out, [2]string{qs.Common[0], qs.Common[len(qs.Common)-1]})
	}
	return out
}

type queryClass struct {
	name string
	pick func(r *rand.Rand) string
}

func (qs corpusQueries) classes() []queryClass {
	one := func(s []string) func(r *rand.Rand) string {
		return func(r *rand.Rand) string { return s[r.IntN(len(s))] }
	}
	top := qs.Common[:min(5, len(qs.Common))]
	apart := qs.apart()
	return []queryClass{
		{"rare token (order number)", one(qs.Orders)},
		{"one common word", one(top)},
		{"two common words", func(r *rand.Rand) string {
			i := r.IntN(len(top))
			return top[i] + " " + top[(i+1+r.IntN(len(top)-1))%len(top)]
		}},
		{"exact phrase", func(r *rand.Rand) string { return `"` + qs.Phrases[r.IntN(min(5, len(qs.Phrases)))] + `"` }},
		{"field only (status tag)", func(*rand.Rand) string { return "status:open tag:" + qs.Tag }},
		{"field terms plus a word", func(r *rand.Rand) string { return "status:open " + top[r.IntN(len(top))] }},
		{"tag plus a word", func(r *rand.Rand) string { return "tag:" + qs.Tag + " " + top[r.IntN(len(top))] }},
		{"two words never together", func(r *rand.Rand) string {
			p := apart[r.IntN(len(apart))]
			return p[0] + " " + p[1]
		}},
		{"requester name", one(qs.Names)},
		{"requester email", one(qs.Emails)},
		{"ticket number (#N)", func(r *rand.Rand) string { return fmt.Sprintf("#%d", 1+r.IntN(qs.Tickets)) }},
		{"ticket number (N)", func(r *rand.Rand) string { return fmt.Sprint(1 + r.IntN(qs.Tickets)) }},
	}
}

// keptQueries reads the query values of a corpus BenchmarkSearchScale kept
// in work.
func keptQueries(b *testing.B, work string) corpusQueries {
	var qs corpusQueries
	raw, err := os.ReadFile(filepath.Join(work, "queries.json"))
	if err != nil {
		b.Fatal(err)
	}
	if err := json.Unmarshal(raw, &qs); err != nil {
		b.Fatal(err)
	}
	return qs
}

// buildCorpus seeds (or reuses) the demo corpus.
func buildCorpus(b *testing.B, bin, work string, env []string, tickets int) corpusQueries {
	var qs corpusQueries
	qfile := filepath.Join(work, "queries.json")
	if raw, err := os.ReadFile(qfile); err == nil && json.Unmarshal(raw, &qs) == nil && qs.Tickets == tickets {
		b.Logf("reusing the corpus in %s", work)
	} else {
		run(b, bin, env, "migrate")
		run(b, bin, env, "user", "create", "--email", "bench@ombud.test", "--name", "Bench", "--role", "admin", "--password", "bench-password-1")
		// The import runs at ≈ 100 tickets/s on this machine, so only a
		// 1/copies share of the corpus goes through it (covering the
		// oldest 365/copies days) and replicate copies it forward in time.
		copies := envInt("OMBUD_BENCH_SEARCH_COPIES", 10)
		base := tickets / copies
		span := 365 / copies
		recs := demo.Generate(demo.Options{Seed: 13, Tickets: base, Customers: max(300, base/4), Orgs: max(40, base/500),
			Days: span, Now: time.Now().AddDate(0, 0, -span*(copies-1))})
		qs = corpusStats(recs, base*copies)
		seed := filepath.Join(work, "seed.ndjson")
		f, err := os.Create(seed)
		if err != nil {
			b.Fatal(err)
		}
		w := bufio.NewWriterSize(f, 1<<20)
		for _, r := range recs {
			if r.Ticket != nil {
				r.Ticket.CustomFields = nil // the fields are not defined here
			}
			if r.Agent != nil {
				r.Agent.Password = ""
			}
		}
		if err := importer.WriteNDJSON(w, recs); err != nil {
			b.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
		f.Close()
		recs = nil
		begin := time.Now()
		out := run(b, bin, env, "import", "--file", seed)
		b.Logf("seeded: %s in %s", out, time.Since(begin).Round(time.Second))
		begin = time.Now()
		replicate(b, env, copies, time.Duration(span)*24*time.Hour)
		b.Logf("replicated %d times in %s", copies, time.Since(begin).Round(time.Second))
		// The server's background work on the copies (the report
		// refresher's facts for each replicated ticket: ≈ 20 min at 1M)
		// is done before the corpus is kept: searches measured beside it
		// measured it too (docs/benchmarks.md, 2026-12-07 11:40), and on
		// PostgreSQL, where settle saw the server idle between batches,
		// its backlog is waited out (2026-12-07 17:20).
		begin = time.Now()
		s := serve(b, bin, env)
		settle(s.cmd.Process.Pid, 90*time.Minute)
		waitReportBacklog(b, env, 90*time.Minute)
		settle(s.cmd.Process.Pid, 90*time.Minute)
		s.stop()
		b.Logf("settled in %s", time.Since(begin).Round(time.Second))
		_ = os.Remove(seed)
		raw, _ := json.Marshal(qs)
		if err := os.WriteFile(qfile, raw, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return qs
}

// stop ends the server and waits for it.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	_ = s.cmd.Wait()
}

// serve starts bin on the corpus.
func serve(b *testing.B, bin string, env []string) *server {
	token := run(b, bin, env, "token", "create", "--email", "bench@ombud.test")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	// The limiter would measure itself: benchmarks run without API rate limits.
	cmd := exec.Command(bin, "serve", "--addr", addr, "--log-level", "warn", "--api-rate-limit", "0", "--api-ip-rate-limit", "0")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	s := &server{cmd: cmd, url: "http://" + addr, token: token}
	b.Cleanup(func() { _ = cmd.Process.Signal(syscall.SIGKILL) })
	for i := 0; ; i++ {
		resp, err := http.Get(s.url + "/readyz")
		if err == nil && resp.StatusCode == 200 {
			resp.Body.Close()
			break
		}
		if i > 600 {
			b.Fatalf("server did not become ready: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return s
}

// corpusDB is the driver and data source of the corpus's database in env.
func corpusDB(env []string) (driver, dsn string) {
	driver = "sqlite"
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, "OMBUD_DATA="); ok && dsn == "" {
			dsn = "file:" + filepath.Join(v, "ombud.db") + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=cache_size(-262144)"
		}
		if v, ok := strings.CutPrefix(e, "OMBUD_DATABASE_URL="); ok {
			driver, dsn = "pgx", v
		}
	}
	return driver, dsn
}

// waitReportBacklog waits, up to max, until the report refresher of the
// server running on env's database has emptied its backlog (report_dirty).
// On PostgreSQL its work runs in PostgreSQL's processes, between batches
// in which the server idles, so settle, watching the server's CPU alone,
// returned with 91,140 of a 1M corpus's rows pending, and the first run on
// it measured the refresher beside the searches (docs/benchmarks.md,
// 2026-12-07 17:20).
func waitReportBacklog(b *testing.B, env []string, max time.Duration) {
	d, err := sql.Open(corpusDB(env))
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	deadline := time.Now().Add(max)
	for {
		var n int64
		if err := d.QueryRow(`SELECT COUNT(*) FROM report_dirty`).Scan(&n); err != nil {
			b.Fatalf("report backlog: %v", err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("report backlog: %d rows still pending after %s", n, max)
		}
		time.Sleep(5 * time.Second)
	}
}

// replicate copies the imported tickets, their comments and tags copies-1
// times, each copy span later than the one before, so the corpus grows
// tenfold in minutes instead of hours of import; the full-text indexes
// are kept by the engines as for any insert (triggers on SQLite,
// generated columns on PostgreSQL). Ids stay in time order.
func replicate(b *testing.B, env []string, copies int, span time.Duration) {
	driver, dsn := corpusDB(env)
	d, err := sql.Open(driver, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	var maxT, maxC int64
	if err := d.QueryRow(`SELECT (SELECT MAX(id) FROM tickets), (SELECT MAX(id) FROM comments)`).Scan(&maxT, &maxC); err != nil {
		b.Fatal(err)
	}
	ph := func(q string) string {
		if driver == "sqlite" {
			return q
		}
		for i := 1; strings.Contains(q, "?"); i++ {
			q = strings.Replace(q, "?", "$"+strconv.Itoa(i), 1)
		}
		return q
	}
	// OMBUD_BENCH_SEARCH_FOLLOWUPS=1: each copy also repeats every fourth
	// comment a minute after it (a customer's follow-up), so the demo's
	// four messages a ticket become five: 1M tickets, ≈ 5M comments.
	// Comment ids then take two slots per original (2·id, 2·id+1) in each
	// copy, so they stay in time order.
	followups := os.Getenv("OMBUD_BENCH_SEARCH_FOLLOWUPS") == "1"
	cstride, cmul, extra := maxC, int64(1), int64(-1)
	if followups {
		cstride, cmul, extra = 2*maxC, 2, 4
	}
	// PostgreSQL: the full-text GIN indexes of tickets and comments are
	// dropped while the copies are written and built again after them
	// from their own definitions (a bulk build instead of nine times
	// ≈ 500,000 entries merged through the pending list): the same
	// indexes, made in a fraction of the time.
	var gins []string
	if driver == "pgx" {
		rows, err := d.Query(`SELECT indexname, indexdef FROM pg_indexes
			WHERE schemaname = current_schema() AND tablename IN ('tickets', 'comments') AND indexdef LIKE '% USING gin %'`)
		if err != nil {
			b.Fatal(err)
		}
		var names []string
		for rows.Next() {
			var name, def string
			if err := rows.Scan(&name, &def); err != nil {
				b.Fatal(err)
			}
			names, gins = append(names, name), append(gins, def)
		}
		rows.Close()
		for _, name := range names {
			if _, err := d.Exec(`DROP INDEX ` + name); err != nil {
				b.Fatalf("replicate: %v", err)
			}
		}
	}
	for k := int64(1); k < int64(copies); k++ {
		shift := k * span.Milliseconds()
		tx, err := d.Begin()
		if err != nil {
			b.Fatal(err)
		}
		stmts := []struct {
			q    string
			args []any
		}{
			{`INSERT INTO tickets (id, subject, status, priority, type, channel, requester_id, organization_id, assignee_id, team_id,
				language, custom_fields, last_seq, comment_count, created_at, updated_at, solved_at, closed_at)
			SELECT id + ?, subject, status, priority, type, channel, requester_id, organization_id, assignee_id, team_id,
				language, custom_fields, last_seq,
				comment_count + CASE WHEN ? > 0 THEN (SELECT COUNT(*) FROM comments c WHERE c.ticket_id = t0.id AND c.id % 4 = 0) ELSE 0 END,
				created_at + ?, updated_at + ?, solved_at + ?, closed_at + ?
			FROM tickets t0 WHERE id <= ?`, []any{k * maxT, extra, shift, shift, shift, shift, maxT}},
			{`INSERT INTO comments (id, ticket_id, author_type, author_id, public, body, html, channel, created_at)
			SELECT ? + id * ?, ticket_id + ?, author_type, author_id, public, body, html, channel, created_at + ?
			FROM comments WHERE id <= ?`, []any{k * cstride, cmul, k * maxT, shift, maxC}},
			{`INSERT INTO comments (id, ticket_id, author_type, author_id, public, body, html, channel, created_at)
			SELECT ? + id * 2 + 1, ticket_id + ?, author_type, author_id, public, body, html, channel, created_at + ? + 60000
			FROM comments WHERE id <= ? AND ? > 0 AND id % 4 = 0`, []any{k * cstride, k * maxT, shift, maxC, extra}},
			{`INSERT INTO ticket_tags (ticket_id, tag) SELECT ticket_id + ?, tag FROM ticket_tags WHERE ticket_id <= ?`, []any{k * maxT, maxT}},
		}
		if driver == "sqlite" {
			// The triggers only note the rows (pending_fts); the
			// application's writer indexes them before its commit, so a
			// copy made here indexes its own rows, set-based.
			stmts = append(stmts, []struct {
				q    string
				args []any
			}{
				{`INSERT INTO ticket_fts (rowid, subject) SELECT x.id, x.subject FROM pending_fts p JOIN tickets x ON x.id = p.id WHERE p.tbl = 1`, nil},
				{`INSERT INTO comment_fts (rowid, body) SELECT x.id, x.body FROM pending_fts p JOIN comments x ON x.id = p.id WHERE p.tbl = 2`, nil},
				{`DELETE FROM pending_fts`, nil},
			}...)
		}
		for _, st := range stmts {
			if _, err := tx.Exec(ph(st.q), st.args...); err != nil {
				b.Fatalf("replicate: %v", err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	if driver == "pgx" {
		conn, err := d.Conn(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		for _, q := range append([]string{`SET maintenance_work_mem = '1GB'`}, gins...) {
			if _, err := conn.ExecContext(context.Background(), q); err != nil {
				b.Fatalf("replicate: %s: %v", q, err)
			}
		}
		conn.Close()
		// VACUUM as autovacuum would in time: the visibility map set, so
		// the measured plans are those of a settled table.
		for _, q := range []string{`SELECT setval(pg_get_serial_sequence('tickets', 'id'), (SELECT MAX(id) FROM tickets))`,
			`SELECT setval(pg_get_serial_sequence('comments', 'id'), (SELECT MAX(id) FROM comments))`, `VACUUM (ANALYZE)`} {
			if _, err := d.Exec(q); err != nil {
				b.Fatalf("replicate: %v", err)
			}
		}
	}
}

// corpusStats picks the query values from the generated records.
func corpusStats(recs []importer.Record, tickets int) corpusQueries {
	qs := corpusQueries{Tickets: tickets}
	df := map[string]int{}
	bigrams := map[string]int{}
	tags := map[string]int{}
	orders := map[string]bool{}
	seen := map[string]bool{}
	for _, r := range recs {
		if c := r.Customer; c != nil && len(qs.Names) < 500 {
			qs.Names = append(qs.Names, c.Name)
			qs.Emails = append(qs.Emails, c.Emails...)
		}
		t := r.Ticket
		if t == nil {
			continue
		}
		for _, tag := range t.Tags {
			tags[tag]++
		}
		clear(seen)
		texts := []string{t.Subject}
		for _, a := range t.Timeline {
			if a.Do == "comment" {
				texts = append(texts, a.Body)
			}
		}
		for _, text := range texts {
			ws := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
			for i, w := range ws {
				if len(w) == 6 && w[0] >= '1' && w[0] <= '9' && strings.Trim(w, "0123456789") == "" && len(orders) < 2000 {
					orders[w] = true
				}
				if !seen[w] {
					seen[w] = true
					df[w]++
				}
				if i > 0 && len(w) > 2 && len(ws[i-1]) > 2 && !seen["\x00"+ws[i-1]+" "+w] {
					seen["\x00"+ws[i-1]+" "+w] = true
					bigrams[ws[i-1]+" "+w]++
				}
			}
		}
	}
	for o := range orders {
		qs.Orders = append(qs.Orders, o)
	}
	sort.Strings(qs.Orders)
	byCount := func(m map[string]int, ok func(string) bool) []string {
		var out []string
		for k := range m {
			if ok(k) {
				out = append(out, k)
			}
		}
		sort.Slice(out, func(i, j int) bool { return m[out[i]] > m[out[j]] || m[out[i]] == m[out[j]] && out[i] < out[j] })
		return out[:min(20, len(out))]
	}
	qs.Common = byCount(df, func(w string) bool { return len([]rune(w)) >= 4 && strings.Trim(w, "0123456789") != "" })
	qs.Phrases = byCount(bigrams, func(string) bool { return true })
	qs.Tag = byCount(tags, func(string) bool { return true })[0]
	return qs
}

// warmFiles reads every regular file under dir once, so the kernel holds
// them, and returns the bytes read and the time taken. The corpus's
// files (SQLite's database, PostgreSQL's cluster) are read, not mapped:
// nothing of them stays in this process.
func warmFiles(dir string) (int64, time.Duration, error) {
	start := time.Now()
	var total int64
	buf := make([]byte, 1<<20)
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			if os.IsPermission(err) || os.IsNotExist(err) {
				return nil // a cluster's lock or temporary file
			}
			return err
		}
		defer f.Close()
		for {
			n, err := f.Read(buf)
			total += int64(n)
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("warm %s: %w", path, err)
			}
		}
	})
	return total, time.Since(start), err
}
