// Package bench drives a real ombud process over loopback and reports
// throughput, latency percentiles and peak memory per operation.
//
//	go test ./bench/ -run '^$' -bench Load -benchtime 1x -timeout 60m
//
// Settings (environment): OMBUD_BENCH_TICKETS (existing tickets, default
// 100000), OMBUD_BENCH_SECONDS (per operation, default 10),
// OMBUD_BENCH_CLIENTS (default 64), OMBUD_BENCH_ENGINES (default
// "sqlite,postgres"; "postgres-durable" is a second server configured as
// in production, fsync and synchronous_commit on), OMBUD_BENCH_OPS (a
// comma-separated subset of the operations by first word: create, get,
// list, comment, search), OMBUD_BENCH_PROFILE (a directory: the server is
// built with -tags pprof and a CPU profile of each operation is saved there),
// OMBUD_BENCH_TRIGGERS (that many active triggers on each server, one of
// which every create sets off), OMBUD_BENCH_ACK=1 (a notify-only trigger every
// create sets off, as the starter acknowledgement does for a customer's
// request), OMBUD_BENCH_ROUNDS (with OMBUD_BENCH_COMPARE:
// measurements per operation and server, alternating their order),
// OMBUD_BENCH_STATEMENTS=1 (on the durable PostgreSQL: the statements sent per
// operation, each with its count, from pg_stat_statements), OMBUD_BENCH_BARE (a third server, bench/bare: net/http alone answering
// the ticket get and the list page with the bytes Ombud answered, the
// physical limit of these two reads on the machine), OMBUD_BENCH_LOG_LEVEL
// (the servers' --log-level, default warn; debug logs every write batch).
package bench

import (
	"bufio"
	"bytes"
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
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/importer"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// words used in seeded subjects and bodies and in search queries.
var words = []string{"invoice", "refund", "login", "password", "shipping", "delivery", "order", "return", "exchange",
	"faktura", "levering", "passord", "retur", "bestilling", "konto", "račun", "dostava", "geslo", "betalning", "leverans",
	"damaged", "broken", "late", "missing", "cancel", "subscription", "upgrade", "discount", "warranty", "charger"}

func sentence(r *rand.Rand, n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = words[r.IntN(len(words))]
	}
	return strings.Join(parts, " ")
}

// seedFile writes n tickets (each with its own new customer, a reply and a
// solve for a third) as NDJSON for `ombud import`.
func seedFile(t testing.TB, dir string, n int) string {
	path := filepath.Join(dir, "seed.ndjson")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	enc := json.NewEncoder(w)
	_ = enc.Encode(importer.Record{Kind: importer.KindTeam, Team: &importer.Team{Name: "Support"}})
	_ = enc.Encode(importer.Record{Kind: importer.KindAgent, Agent: &importer.Agent{Email: "seed@ombud.test", Name: "Seed Agent", Role: "agent", Teams: []string{"Support"}}})
	r := rand.New(rand.NewPCG(1, 2))
	start := time.Now().Add(-365 * 24 * time.Hour)
	statuses := []string{"open", "pending", "solved"}
	for i := range n {
		at := start.Add(time.Duration(i) * (365 * 24 * time.Hour / time.Duration(n)))
		email := fmt.Sprintf("seed%d@customers.example", i)
		tl := []importer.Action{{At: at, Actor: "customer:" + email, Do: "comment", Public: true, Body: sentence(r, 30)}}
		st := statuses[i%3]
		tl = append(tl, importer.Action{At: at.Add(time.Minute), Actor: "agent:seed@ombud.test", Do: "comment", Public: true, Body: sentence(r, 20)})
		tl = append(tl, importer.Action{At: at.Add(2 * time.Minute), Actor: "agent:seed@ombud.test", Do: "status", To: st})
		_ = enc.Encode(importer.Record{Kind: importer.KindTicket, Ticket: &importer.Ticket{
			Subject: fmt.Sprintf("%s order %d", sentence(r, 4), 100000+i), Requester: email, RequesterName: "Seed " + strconv.Itoa(i), Channel: "email",
			Priority: "normal", Type: "question", Language: "en", Tags: []string{words[r.IntN(len(words))]}, Timeline: tl,
		}})
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return path
}

type server struct {
	cmd   *exec.Cmd
	url   string
	token string
}

func run(t testing.TB, bin string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("ombud %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	return strings.TrimSpace(out.String())
}

func start(t testing.TB, bin, dir string, env []string, tickets int) *server {
	t.Helper()
	run(t, bin, env, "migrate")
	run(t, bin, env, "user", "create", "--email", "bench@ombud.test", "--name", "Bench", "--role", "admin", "--password", "bench-password-1")
	token := run(t, bin, env, "token", "create", "--email", "bench@ombud.test")
	if tickets > 0 {
		seed := seedFile(t, dir, tickets)
		begin := time.Now()
		out := run(t, bin, env, "import", "--file", seed)
		t.Logf("seeded: %s (%.0f tickets/s)", out, float64(tickets)/time.Since(begin).Seconds())
	}
	return serveBin(t, bin, env, token)
}

func serveBin(t testing.TB, bin string, env []string, token string) *server {
	return serveBinWait(t, bin, env, token, 10*time.Second)
}

// serveBinWait starts bin's server and waits up to wait for /readyz (a
// demo load takes minutes before the server listens).
func serveBinWait(t testing.TB, bin string, env []string, token string, wait time.Duration) *server {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	// The limiter would measure itself: benchmarks run without API rate limits.
	// OMBUD_BENCH_LOG_LEVEL=debug logs every write batch's make-up (queue
	// wait, statements, full-text flush, commit): where a write's tail goes.
	level := "warn"
	if l := os.Getenv("OMBUD_BENCH_LOG_LEVEL"); l != "" {
		level = l
	}
	cmd := exec.Command(bin, "serve", "--addr", addr, "--log-level", level, "--api-rate-limit", "0", "--api-ip-rate-limit", "0")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, url: "http://" + addr, token: token}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	deadline := time.Now().Add(wait)
	for {
		resp, err := http.Get(s.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not become ready: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// settle waits until the process has used under 5% of a core for a second
// (or for at most max).
func settle(pid int, max time.Duration) {
	cpu := func() float64 { return procCPU(pid) } // chat_test.go
	deadline := time.Now().Add(max)
	for time.Now().Before(deadline) {
		before := cpu()
		time.Sleep(time.Second)
		if cpu()-before < 0.05 {
			return
		}
	}
}

// rssSplit reports the resident anonymous and file-backed memory.
func rssSplit(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "?"
	}
	var parts []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "RssAnon:") || strings.HasPrefix(line, "RssFile:") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseFloat(f[1], 64)
			parts = append(parts, fmt.Sprintf("%s %.0f MiB", strings.TrimSuffix(f[0], ":"), kb/1024))
		}
	}
	return strings.Join(parts, ", ")
}

// peakRSS reads the server's high-water resident memory in MiB.
func peakRSS(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

type result struct {
	op            string
	n, errs       int64
	rate          float64
	p50, p95, p99 time.Duration
	// cpu is the server's CPU time (user + system) per operation, from
	// the start of the load until the server is idle again (background
	// work the operation left, such as report facts, included).
	cpu time.Duration
	// backlog is the background jobs (trigger evaluations, mail) still
	// queued or running when the clients stopped (SQLite; -1 unknown):
	// work the operation left that its rate does not show.
	backlog int
	// commits is the PostgreSQL transactions committed per operation
	// (pg_stat_database.xact_commit, from the start of the load until the
	// server is idle again; -1 on SQLite).
	commits float64
	// syncs is the WAL flushes per operation (pg_stat_wal.wal_sync, the
	// whole cluster, over the same span; -1 on SQLite): the durable
	// commits, fewer than commits when PostgreSQL groups them.
	syncs float64
	// stmts is the statements clients sent per operation
	// (pg_stat_statements, same span; -1 where it is not loaded).
	stmts float64
	// pgCPU is the CPU time per operation of the PostgreSQL backends
	// serving the database (their command lines name it; same span as
	// cpu; 0 on SQLite): the other half of the server's work.
	pgCPU time.Duration
}

// jobBacklog counts the jobs queued or running in a SQLite server's
// database, read-only beside the running server.
func jobBacklog(engine string, env []string) int {
	if engine != "sqlite" {
		return pgBacklog(env)
	}
	var data string
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, "OMBUD_DATA="); ok {
			data = v
		}
	}
	return countBacklog("sqlite", "file:"+filepath.Join(data, "ombud.db")+"?mode=ro")
}

// countBacklog counts the jobs queued or running in the database at dsn,
// -1 when it cannot be read.
func countBacklog(driver, dsn string) int {
	conn, err := sql.Open(driver, dsn)
	if err != nil {
		return -1
	}
	defer conn.Close()
	var n int
	if err := conn.QueryRow(`SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')`).Scan(&n); err != nil {
		return -1
	}
	return n
}

// drive runs op from clients goroutines for d and collects latencies.
func drive(op string, clients int, d time.Duration, do func(r *rand.Rand, i int64) error) result {
	var n, errs atomic.Int64
	lat := make([][]time.Duration, clients)
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	begin := time.Now()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(c), 7))
			for time.Now().Before(deadline) {
				i := n.Add(1)
				t0 := time.Now()
				if err := do(r, i); err != nil {
					if errs.Add(1) < 5 {
						fmt.Fprintf(os.Stderr, "%s: %v\n", op, err)
					}
				}
				lat[c] = append(lat[c], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	took := time.Since(begin)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	pct := func(p float64) time.Duration {
		if len(all) == 0 {
			return 0
		}
		return all[min(len(all)-1, int(float64(len(all))*p))]
	}
	return result{op: op, n: int64(len(all)), errs: errs.Load(), rate: float64(len(all)) / took.Seconds(), p50: pct(.50), p95: pct(.95), p99: pct(.99)}
}

func request(c *http.Client, method, url, token string, body []byte, want int) error {
	return requestJSON(c, method, url, token, body, want, nil)
}

// requestJSON sends body with the API token and, when out is not nil,
// decodes the answer into it.
func requestJSON(c *http.Client, method, url, token string, body []byte, want int, out any) error {
	req, _ := http.NewRequestWithContext(context.Background(), method, url, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		return fmt.Errorf("%s %s: %d %s", method, url, resp.StatusCode, b)
	}
	if out != nil {
		return json.NewDecoder(resp.Body).Decode(out)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return nil
}

// seeded starts a server on a seeded database. With OMBUD_BENCH_SEED_CACHE
// (a directory) a SQLite seed is kept there and copied on later runs
// instead of importing it again (an import of 100,000 tickets takes
// minutes); the cached database is migrated by the binary under test.
func seeded(t testing.TB, bin, engine, data string, env []string, tickets int) *server {
	t.Helper()
	cache := os.Getenv("OMBUD_BENCH_SEED_CACHE")
	if cache == "" || engine != "sqlite" {
		return start(t, bin, t.TempDir(), env, tickets)
	}
	kept := filepath.Join(cache, fmt.Sprintf("sqlite-%d", tickets))
	if _, err := os.Stat(filepath.Join(kept, "token")); err != nil {
		s := start(t, bin, t.TempDir(), env, tickets)
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		_ = s.cmd.Wait()
		_ = os.RemoveAll(kept)
		_ = os.MkdirAll(cache, 0o755)
		copyDir(t, data, kept)
		if err := os.WriteFile(filepath.Join(kept, "token"), []byte(s.token), 0o600); err != nil {
			t.Fatal(err)
		}
		return serveBin(t, bin, env, s.token)
	}
	_ = os.RemoveAll(data)
	copyDir(t, kept, data)
	token, err := os.ReadFile(filepath.Join(kept, "token"))
	if err != nil {
		t.Fatal(err)
	}
	run(t, bin, env, "migrate")
	return serveBin(t, bin, env, string(token))
}

// wantOp reports whether OMBUD_BENCH_OPS (empty: all) names op's first word.
func wantOp(op string) bool {
	ops := os.Getenv("OMBUD_BENCH_OPS")
	if ops == "" {
		return true
	}
	first := strings.Fields(op)[0]
	if first == "ticket" {
		first = strings.Fields(op)[1]
	}
	for _, o := range strings.Split(ops, ",") {
		if strings.TrimSpace(o) == first {
			return true
		}
	}
	return false
}

// variant is one server under test: the binary of this tree, or the one
// named by OMBUD_BENCH_COMPARE (built from an earlier commit), which then
// serves a copy of the same seeded database so that the two are measured
// side by side in one run, on the same machine load.
type variant struct {
	name, bin string
	env       []string
	s         *server
	pprof     string
}

// copyDir copies the SQLite data directory (the seeded database and the
// secret key) for the second variant.
func copyDir(t testing.TB, from, to string) {
	t.Helper()
	if out, err := exec.Command("cp", "-a", from, to).CombinedOutput(); err != nil {
		t.Fatalf("copy %s: %v\n%s", from, err, out)
	}
}

func BenchmarkLoad(b *testing.B) {
	tickets := envInt("OMBUD_BENCH_TICKETS", 100000)
	seconds := envInt("OMBUD_BENCH_SECONDS", 10)
	clients := envInt("OMBUD_BENCH_CLIENTS", 64)
	engines := os.Getenv("OMBUD_BENCH_ENGINES")
	if engines == "" {
		engines = "sqlite,postgres"
	}
	profDir := os.Getenv("OMBUD_BENCH_PROFILE")
	dir := b.TempDir()
	bin := filepath.Join(dir, "ombud")
	args := []string{"build", "-o", bin}
	if profDir != "" {
		args = append(args, "-tags", "pprof")
	}
	if out, err := exec.Command("go", append(args, "../cmd/ombud")...).CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	for _, engine := range strings.Split(engines, ",") {
		b.Run(engine, func(b *testing.B) {
			data := filepath.Join(b.TempDir(), "data")
			env := []string{"OMBUD_DATA=" + data}
			var dbURL string
			switch engine {
			case "postgres":
				dbURL = dbtest.NewPostgresDatabase(b)
			case "postgres-durable":
				dbURL = dbtest.NewDurablePostgresDatabase(b)
			}
			if dbURL != "" {
				env = append(env, "OMBUD_DATABASE_URL="+dbURL)
			}
			vs := []*variant{{name: "", bin: bin, env: env}}
			if old := os.Getenv("OMBUD_BENCH_COMPARE"); old != "" {
				vs = []*variant{{name: "before", bin: old, env: env}, {name: "after", bin: bin}}
			}
			// The first variant seeds; the second gets a copy and migrates it.
			first := vs[0]
			first.s = seeded(b, first.bin, engine, data, first.env, tickets)
			if len(vs) == 2 {
				_ = first.s.cmd.Process.Signal(syscall.SIGTERM)
				_ = first.s.cmd.Wait()
				data2 := filepath.Join(b.TempDir(), "data")
				copyDir(b, data, data2)
				vs[1].env = []string{"OMBUD_DATA=" + data2}
				if dbURL != "" {
					vs[1].env = append(vs[1].env, "OMBUD_DATABASE_URL="+copyPostgres(b, dbURL))
				}
				run(b, vs[1].bin, vs[1].env, "migrate")
				first.s = serveBin(b, first.bin, first.env, first.s.token)
				vs[1].s = serveBin(b, vs[1].bin, vs[1].env, first.s.token)
			}
			if profDir != "" {
				// Only the binary built here has the pprof listener.
				v := vs[len(vs)-1]
				_ = v.s.cmd.Process.Signal(syscall.SIGTERM)
				_ = v.s.cmd.Wait()
				l, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					b.Fatal(err)
				}
				v.pprof = l.Addr().String()
				l.Close()
				v.env = append(v.env, "OMBUD_PPROF_ADDR="+v.pprof)
				v.s = serveBin(b, v.bin, v.env, first.s.token)
			}
			// An import leaves every ticket for the report refresher: let
			// each server finish that before anything is measured.
			for _, v := range vs {
				settle(v.s.cmd.Process.Pid, 10*time.Minute)
			}
			tr := &http.Transport{MaxIdleConnsPerHost: clients * 2, MaxConnsPerHost: clients * 2}
			c := &http.Client{Transport: tr, Timeout: 30 * time.Second}
			if os.Getenv("OMBUD_BENCH_BARE") != "" {
				vs = append(vs, bareServer(b, c, vs[len(vs)-1].s))
			}
			// OMBUD_BENCH_TRIGGERS=N: N active triggers on each server, as
			// a team's rule set: the first tags every new ticket, the rest
			// look for a subject no ticket has. Every create then queues a
			// trigger job that evaluates them all and fires one.
			if n := envInt("OMBUD_BENCH_TRIGGERS", 0); n > 0 {
				for _, v := range vs {
					for i := range n {
						cond := fmt.Sprintf(`{"field":"subject","op":"contains","value":"nowhere%d"}`, i)
						if i == 0 {
							cond = `{"field":"status","op":"is_not","value":"closed"}`
						}
						body := fmt.Sprintf(`{"name":"Bench rule %d","conditions":{"all":[{"field":"event","op":"is","value":"created"},%s]},"actions":[{"type":"add_tags","value":["triaged"]}]}`, i, cond)
						if err := request(c, "POST", v.s.url+"/api/v1/triggers", v.s.token, []byte(body), 201); err != nil {
							b.Fatal(err)
						}
					}
				}
			}
			// OMBUD_BENCH_ACK=1: a trigger like the starter "Acknowledge new
			// requests" that every create matches (an agent's create through
			// the API does not match the starter's customer-author
			// condition): each create then runs a trigger job that queues a
			// notification email job.
			if os.Getenv("OMBUD_BENCH_ACK") == "1" {
				for _, v := range vs {
					body := `{"name":"Bench acknowledgement","conditions":{"all":[{"field":"event","op":"is","value":"created"}]},"actions":[{"type":"notify","value":"requester","subject":"[#{{ticket.id}}] We have received your request","body":"Your reference is #{{ticket.id}}."}]}`
					if err := request(c, "POST", v.s.url+"/api/v1/triggers", v.s.token, []byte(body), 201); err != nil {
						b.Fatal(err)
					}
				}
			}
			d := time.Duration(seconds) * time.Second
			maxID := int64(tickets)
			type op struct {
				name string
				do   func(s *server) func(r *rand.Rand, i int64) error
			}
			ops := []op{
				{"ticket create (new customer)", func(s *server) func(r *rand.Rand, i int64) error {
					return func(r *rand.Rand, i int64) error {
						body := fmt.Sprintf(`{"subject":"Bench %d %s","description":"%s","requester":{"email":"bench%d-%d@new.example","name":"Bench Customer"},"channel":"web","tags":["bench"]}`,
							i, sentence(r, 4), sentence(r, 25), i, r.Uint32())
						return request(c, "POST", s.url+"/api/v1/tickets", s.token, []byte(body), 201)
					}
				}},
				{"ticket get", func(s *server) func(r *rand.Rand, i int64) error {
					return func(r *rand.Rand, i int64) error {
						return request(c, "GET", fmt.Sprintf("%s/api/v1/tickets/%d", s.url, 1+r.Int64N(maxID)), s.token, nil, 200)
					}
				}},
				{"list page of 50", func(s *server) func(r *rand.Rand, i int64) error {
					return func(r *rand.Rand, i int64) error {
						return request(c, "GET", s.url+"/api/v1/tickets?status=open,pending&limit=50", s.token, nil, 200)
					}
				}},
				{"comment add", func(s *server) func(r *rand.Rand, i int64) error {
					return func(r *rand.Rand, i int64) error {
						body := fmt.Sprintf(`{"body":"%s","public":false}`, sentence(r, 15))
						return request(c, "POST", fmt.Sprintf("%s/api/v1/tickets/%d/comments", s.url, 1+r.Int64N(maxID)), s.token, []byte(body), 201)
					}
				}},
				// A support search names something specific (an order number);
				// the second search is the worst case, two words that nearly
				// every ticket of this synthetic corpus holds.
				{"search (order number)", func(s *server) func(r *rand.Rand, i int64) error {
					return func(r *rand.Rand, i int64) error {
						q := fmt.Sprintf("order%%20%d", 100000+r.Int64N(maxID))
						return request(c, "GET", s.url+"/api/v1/search?q="+q+"&limit=25", s.token, nil, 200)
					}
				}},
				{"search (2 common words)", func(s *server) func(r *rand.Rand, i int64) error {
					return func(r *rand.Rand, i int64) error {
						q := words[r.IntN(len(words))] + "%20" + words[r.IntN(len(words))]
						return request(c, "GET", s.url+"/api/v1/search?q="+q+"&limit=25", s.token, nil, 200)
					}
				}},
			}
			var results []result
			// OMBUD_BENCH_ROUNDS (with OMBUD_BENCH_COMPARE): each operation
			// is measured that many times per server, the order of the two
			// servers alternating (before, after, after, before, …), so
			// that neither always runs second, into the other's leftovers.
			rounds := 1
			if len(vs) >= 2 {
				rounds = envInt("OMBUD_BENCH_ROUNDS", 1)
			}
			for _, o := range ops {
				if !wantOp(o.name) {
					continue
				}
				for rd := range rounds {
					order := vs
					if rd%2 == 1 {
						order = slices.Clone(vs)
						slices.Reverse(order)
					}
					for _, v := range order {
						if v.name == "bare" && o.name != "ticket get" && o.name != "list page of 50" {
							continue
						}
						name := o.name
						if v.name != "" {
							name += " [" + v.name + "]"
						}
						if rounds > 1 {
							name += fmt.Sprintf(" #%d", rd+1)
						}
						xact0, sync0, stmt0 := xactCommits(v.env)
						var calls0 map[string]int64
						if os.Getenv("OMBUD_BENCH_STATEMENTS") == "1" {
							calls0 = statementCalls(v.env)
						}
						cpu0 := procCPU(v.s.cmd.Process.Pid)
						pgName := pgDatabase(v.env)
						pg0 := postgresCPU(pgName)
						var prof chan struct{}
						if v.pprof != "" && seconds > 2 {
							prof = make(chan struct{})
							go func() {
								defer close(prof)
								saveProfile(profDir, engine+"-"+strings.ReplaceAll(strings.Fields(o.name)[0]+"-"+strings.Fields(o.name)[1], "(", ""), v.pprof, seconds-1)
							}()
						}
						res := drive(name, clients, d, o.do(v.s))
						res.backlog = jobBacklog(engine, v.env)
						if prof != nil {
							<-prof
						}
						// Writes leave the report refresher work (facts of every
						// changed ticket) that runs on after the clients stop:
						// let it finish, so it is not billed to the next run.
						settle(v.s.cmd.Process.Pid, time.Minute)
						if res.n > 0 {
							res.cpu = time.Duration((procCPU(v.s.cmd.Process.Pid) - cpu0) * float64(time.Second) / float64(res.n))
							res.pgCPU = time.Duration((postgresCPU(pgName) - pg0) * float64(time.Second) / float64(res.n))
						}
						res.commits, res.syncs, res.stmts = -1, -1, -1
						if xact0 >= 0 && res.n > 0 {
							xact1, sync1, stmt1 := xactCommits(v.env)
							res.commits = float64(xact1-xact0) / float64(res.n)
							res.syncs = float64(sync1-sync0) / float64(res.n)
							if stmt0 >= 0 && stmt1 >= 0 {
								res.stmts = float64(stmt1-stmt0) / float64(res.n)
							}
							if calls0 != nil {
								printStatements(name, calls0, statementCalls(v.env), res.n)
							}
						}
						results = append(results, res)
					}
				}
			}
			fmt.Printf("\n%s, %d existing tickets, %d clients, %ds per operation\n", engine, tickets, clients, seconds)
			fmt.Printf("%-44s %10s %8s %10s %10s %10s %10s %10s %8s %9s %9s %9s %10s\n", "operation", "ops", "errors", "ops/s", "p50", "p95", "p99", "CPU/op", "jobs left", "commits/op", "syncs/op", "stmts/op", "PG CPU/op")
			for _, r := range results {
				fmt.Printf("%-44s %10d %8d %10.0f %10s %10s %10s %10s %8d %9.2f %9.2f %9.2f %10s\n", r.op, r.n, r.errs, r.rate,
					r.p50.Round(10*time.Microsecond), r.p95.Round(10*time.Microsecond), r.p99.Round(10*time.Microsecond), r.cpu.Round(time.Microsecond), r.backlog, r.commits, r.syncs, r.stmts, r.pgCPU.Round(time.Microsecond))
				b.ReportMetric(r.rate, strings.Fields(r.op)[0]+"_"+strings.Fields(r.op)[1]+"/s")
			}
			for _, v := range vs {
				rss := peakRSS(v.s.cmd.Process.Pid)
				// The mapped database file (SQLite readers' mmap) counts in
				// RSS but is the kernel's page cache, reclaimable: say how
				// much of the RSS now is heap (anon) and how much file.
				fmt.Printf("peak RSS of the server %s: %.0f MiB (now: %s)\n", v.name, rss, rssSplit(v.s.cmd.Process.Pid))
				b.ReportMetric(rss, "peakRSS_MiB")
			}
		})
	}
}

// saveProfile fetches a CPU profile of secs seconds from a pprof listener.
func saveProfile(dir, name, addr string, secs int) {
	resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, secs))
	if err != nil {
		fmt.Fprintf(os.Stderr, "profile %s: %v\n", name, err)
		return
	}
	defer resp.Body.Close()
	_ = os.MkdirAll(dir, 0o755)
	f, err := os.Create(filepath.Join(dir, name+".pprof"))
	if err != nil {
		return
	}
	defer f.Close()
	_, _ = io.Copy(f, resp.Body)
}

// copyPostgres copies the seeded database (CREATE DATABASE … TEMPLATE)
// for the second variant and returns its URL; it is dropped at the end.
func copyPostgres(t testing.TB, from string) string {
	t.Helper()
	u, err := url.Parse(from)
	if err != nil {
		t.Fatal(err)
	}
	src := strings.TrimPrefix(u.Path, "/")
	dst := src + "_b"
	admin := *u
	admin.Path = "/postgres"
	conn, err := sql.Open("pgx", admin.String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Exec("CREATE DATABASE " + dst + " TEMPLATE " + src); err != nil {
		t.Fatalf("copy database: %v", err)
	}
	t.Cleanup(func() {
		c, err := sql.Open("pgx", admin.String())
		if err == nil {
			_, _ = c.Exec("DROP DATABASE IF EXISTS " + dst + " WITH (FORCE)")
			c.Close()
		}
	})
	u.Path = "/" + dst
	return u.String()
}
