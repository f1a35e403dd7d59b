package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/search"
)

// BenchmarkRawFTS measures what the machine allows a search (issue 13,
// item 8): the bare engine queries search stands on, on the kept SQLite
// search corpus of BenchmarkSearchScale (OMBUD_BENCH_SEARCH_DIR, with
// OMBUD_BENCH_TICKETS naming its size), opened read only (mode=ro,
// query_only) through the same driver (modernc.org/sqlite), no server and
// no Go code of Ombud's in between. Each query class takes its queries as
// BenchmarkSearchScale picks them (corpusQueries.classes, the same seed
// for one client), parsed by the same parser, and times four forms:
//
//	newest 25  ticket_fts and comment_fts MATCH …  ORDER BY rowid DESC LIMIT 25
//	bm25 25    the same MATCH, ORDER BY bm25(…) LIMIT 25 (FTS5's ranking)
//	count      SELECT count(*) of the same MATCH on both indexes
//	lookups    the indexed SELECTs of what the text names: the ticket by
//	           number, the newest 25 tickets of the customer with that
//	           email, of customers and organizations whose name matches
//	           the words; for a field-only query the bare indexed SELECT
//	           of the newest 25 tickets the fields find
//
// Each form's statements run one after the other and read every row: one
// operation. A class's words are matched without its field terms (the
// filter only adds work), so the word forms are a floor. Every cell runs
// from one goroutine (OMBUD_BENCH_REQUESTS queries or OMBUD_BENCH_SECONDS,
// whichever ends first, at least 3) and from OMBUD_BENCH_CLIENTS
// goroutines (default 64, one connection each) for OMBUD_BENCH_SECONDS;
// a query still running 4 × OMBUD_BENCH_SECONDS after the start is
// interrupted and counted at the time it had taken (its percentile
// and CPU per query read "≥": lower bounds). CPU per query is this
// process's CPU (SQLite runs in it) over the queries run.
// Without a kept corpus one is built first (as BenchmarkSearchScale does).
//
//	OMBUD_BENCH_SEARCH_DIR=/work/bench-data/search1m OMBUD_BENCH_TICKETS=1000000 \
//	  go test ./bench/ -run '^$' -bench RawFTS -benchtime 1x
func BenchmarkRawFTS(b *testing.B) {
	tickets := envInt("OMBUD_BENCH_TICKETS", 100000)
	requests := envInt("OMBUD_BENCH_REQUESTS", 60)
	seconds := envInt("OMBUD_BENCH_SECONDS", 3)
	clients := envInt("OMBUD_BENCH_CLIENTS", 64)
	work := filepath.Join(b.TempDir(), fmt.Sprintf("sqlite-%d", tickets))
	if keep := os.Getenv("OMBUD_BENCH_SEARCH_DIR"); keep != "" {
		work = filepath.Join(keep, fmt.Sprintf("sqlite-%d", tickets))
	}
	qs := rawCorpus(b, work, tickets)
	// Read only: the kept corpus may be another run's, and is never written.
	dsn := "file:" + filepath.Join(work, "data", "ombud.db") + "?mode=ro&_pragma=query_only(1)&_pragma=busy_timeout(10000)"
	conn, err := sql.Open("sqlite", dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(clients)
	conn.SetMaxIdleConns(clients)
	var n int64
	if err := conn.QueryRow(`SELECT COUNT(*) FROM comments`).Scan(&n); err != nil {
		b.Fatalf("open %s read only: %v", dsn, err)
	}
	fmt.Printf("\nraw FTS5 and indexed SELECTs on %s (%d tickets, %d comments), read only, modernc.org/sqlite\n", work, qs.Tickets, n)
	fmt.Printf("%-28s %-10s %5s %9s %9s %9s | %5s %9s %9s %9s %7s %9s\n", "class", "form", "n", "p50", "p95", "CPU/op",
		"conc", "ops/s", "p50", "p95", "cut", "CPU/op")
	for _, c := range qs.classes() {
		for _, f := range rawForms {
			ok, err := f.applies(c, qs)
			if err != nil {
				b.Fatal(err)
			}
			if !ok {
				continue
			}
			one := rawCell(conn, c, f, 1, requests, time.Duration(seconds)*time.Second)
			many := rawCell(conn, c, f, clients, 0, time.Duration(seconds)*time.Second)
			if one.errs+many.errs > 0 {
				b.Errorf("%s %s: %d errors (%v)", c.name, f.name, one.errs+many.errs, errors.Join(one.err, many.err))
			}
			fmt.Printf("%-28.28s %-10s %5d %9s %9s %9s | %5d %9.0f %9s %9s %7d %9s\n", c.name, f.name, one.n, one.pct(.5), one.pct(.95), one.cpuPer(),
				clients, many.rate, many.pct(.5), many.pct(.95), many.cut, many.cpuPer())
		}
	}
}

// rawCorpus reads the kept corpus's query values, or builds a corpus in
// work (BenchmarkSearchScale's buildCorpus) when there is none.
func rawCorpus(b *testing.B, work string, tickets int) corpusQueries {
	var qs corpusQueries
	raw, err := os.ReadFile(filepath.Join(work, "queries.json"))
	if err == nil && json.Unmarshal(raw, &qs) == nil && qs.Tickets == tickets {
		return qs
	}
	if err := os.MkdirAll(work, 0o755); err != nil {
		b.Fatal(err)
	}
	bin := filepath.Join(b.TempDir(), "ombud")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/ombud").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	return buildCorpus(b, bin, work, []string{"OMBUD_DATA=" + filepath.Join(work, "data")}, tickets)
}

// rawQuery is one search query read as the engines see it.
type rawQuery struct {
	fts            string // words and phrases as one FTS5 query (ticket.ftsQuery)
	status, tags   []string
	number         int64
	email          string
	hasFieldsAlone bool
}

func readRaw(q string) (rawQuery, error) {
	p, err := search.Parse(q)
	if err != nil {
		return rawQuery{}, err
	}
	var r rawQuery
	var parts []string
	for _, w := range append(slicesClone(p.Words), p.Phrases...) {
		parts = append(parts, `"`+strings.ReplaceAll(w, `"`, `""`)+`"`)
	}
	r.fts = strings.Join(parts, " AND ")
	for _, t := range p.Terms {
		switch t.Field {
		case "status":
			r.status = t.Values
		case "tag":
			r.tags = t.Values
		case "id":
			r.number, _ = strconv.ParseInt(t.Values[0], 10, 64)
		default:
			return r, fmt.Errorf("raw FTS: the field %q of %q is not measured", t.Field, q)
		}
	}
	l := p.Lookup()
	if l.Number > 0 {
		r.number = l.Number
	}
	r.email = l.Email
	r.hasFieldsAlone = r.fts == "" && (len(r.status) > 0 || len(r.tags) > 0)
	return r, nil
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

type rawStmt struct {
	q    string
	args []any
}

// rawForm is one way of asking the engine; stmts are its statements for
// one query (none: the form does not apply to it).
type rawForm struct {
	name  string
	stmts func(r rawQuery) []rawStmt
}

func ftsStmts(order string, count bool) func(r rawQuery) []rawStmt {
	return func(r rawQuery) []rawStmt {
		if r.fts == "" {
			return nil
		}
		var out []rawStmt
		for _, idx := range []string{"ticket_fts", "comment_fts"} {
			q := `SELECT rowid FROM ` + idx + ` WHERE ` + idx + ` MATCH ? ORDER BY ` + strings.ReplaceAll(order, "IDX", idx) + ` LIMIT 25`
			if count {
				q = `SELECT count(*) FROM ` + idx + ` WHERE ` + idx + ` MATCH ?`
			}
			out = append(out, rawStmt{q, []any{r.fts}})
		}
		return out
	}
}

var rawForms = []rawForm{
	{"newest 25", ftsStmts("rowid DESC", false)},
	{"bm25 25", ftsStmts("bm25(IDX)", false)},
	{"count", ftsStmts("", true)},
	{"lookups", func(r rawQuery) []rawStmt {
		var out []rawStmt
		if r.hasFieldsAlone {
			var conds []string
			var args []any
			if len(r.status) > 0 {
				conds = append(conds, `t.status IN (`+rawPlaceholders(len(r.status))+`)`)
				args = append(args, anys(r.status)...)
			}
			if len(r.tags) > 0 {
				conds = append(conds, `t.id IN (SELECT ticket_id FROM ticket_tags WHERE tag IN (`+rawPlaceholders(len(r.tags))+`))`)
				args = append(args, anys(r.tags)...)
			}
			out = append(out, rawStmt{`SELECT t.id FROM tickets t WHERE ` + strings.Join(conds, " AND ") + ` ORDER BY t.id DESC LIMIT 25`, args})
		}
		if r.number > 0 {
			out = append(out, rawStmt{`SELECT id FROM tickets WHERE id = ?`, []any{r.number}})
		}
		if r.email != "" {
			out = append(out, rawStmt{`SELECT id FROM tickets WHERE requester_id IN (SELECT customer_id FROM customer_identities
				WHERE type = 'email' AND value = ?) ORDER BY id DESC LIMIT 25`, []any{r.email}})
		}
		if r.fts != "" {
			out = append(out,
				rawStmt{`SELECT id FROM tickets WHERE requester_id IN (SELECT rowid FROM customer_fts WHERE customer_fts MATCH ?)
					ORDER BY id DESC LIMIT 25`, []any{r.fts}},
				rawStmt{`SELECT id FROM tickets WHERE organization_id IN (SELECT rowid FROM organization_fts WHERE organization_fts MATCH ?)
					ORDER BY id DESC LIMIT 25`, []any{r.fts}})
		}
		return out
	}},
}

func rawPlaceholders(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

func anys(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// applies tells whether the form has statements for the class's queries
// (the first pick decides: a class's queries all have the same shape).
func (f rawForm) applies(c queryClass, qs corpusQueries) (bool, error) {
	r, err := readRaw(c.pick(rand.New(rand.NewPCG(1, 9))))
	if err != nil {
		return false, err
	}
	return len(f.stmts(r)) > 0, nil
}

type rawResult struct {
	n, errs, cut int // completed, failed and interrupted queries
	err          error
	lat          []rawLat
	rate         float64 // completed queries a second
	cpu          float64 // seconds of this process
}

// rawLat is one query's time; cut: interrupted, so a lower bound.
type rawLat struct {
	d   time.Duration
	cut bool
}

// pct is a percentile; "≥" where it falls on an interrupted query.
func (r rawResult) pct(p float64) string {
	if len(r.lat) == 0 {
		return "-"
	}
	l := r.lat[int(p*float64(len(r.lat)-1))]
	if l.cut {
		return "≥" + fmtDur(l.d)
	}
	return fmtDur(l.d)
}

// cpuPer is the CPU per query; with interrupted queries (which used part
// of a query's CPU) the CPU over all queries, a lower bound ("≥").
func (r rawResult) cpuPer() string {
	if r.n+r.cut == 0 {
		return "-"
	}
	s := fmtDur(time.Duration(r.cpu / float64(r.n+r.cut) * float64(time.Second)))
	if r.cut > 0 {
		s = "≥" + s
	}
	return s
}

func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2fs", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.1fms", float64(d)/1e6)
	}
	return fmt.Sprintf("%.2fms", float64(d)/1e6)
}

// rawCell runs the form from clients goroutines: requests queries at most
// each (0: no bound) for d (at least 3 queries from a lone goroutine).
func rawCell(conn *sql.DB, c queryClass, f rawForm, clients, requests int, d time.Duration) rawResult {
	ctx, cancel := context.WithTimeout(context.Background(), 4*d)
	defer cancel()
	var mu sync.Mutex
	var res rawResult
	cpu0 := selfCPU() // chat_test.go
	begin := time.Now()
	deadline := begin.Add(d)
	var wg sync.WaitGroup
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(1, 9)) // BenchmarkSearchScale's one-client sequence
			if clients > 1 {
				r = rand.New(rand.NewPCG(uint64(w), 7))
			}
			for i := 0; ; i++ {
				if (requests > 0 && i >= requests) || (time.Now().After(deadline) && (clients > 1 || i >= 3)) || ctx.Err() != nil {
					return
				}
				rq, err := readRaw(c.pick(r))
				t0 := time.Now()
				if err == nil {
					err = runRaw(ctx, conn, f.stmts(rq))
				}
				took := time.Since(t0)
				mu.Lock()
				switch {
				case err != nil && ctx.Err() != nil:
					res.cut++
					res.lat = append(res.lat, rawLat{took, true})
				case err != nil:
					res.errs++
					res.err = err
				default:
					res.lat = append(res.lat, rawLat{took, false})
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	res.cpu = selfCPU() - cpu0
	sort.Slice(res.lat, func(i, j int) bool { return res.lat[i].d < res.lat[j].d })
	res.n = len(res.lat) - res.cut
	res.rate = float64(res.n) / time.Since(begin).Seconds()
	return res
}

// runRaw runs the statements one after the other, reading every row.
func runRaw(ctx context.Context, conn *sql.DB, stmts []rawStmt) error {
	for _, st := range stmts {
		rows, err := conn.QueryContext(ctx, st.q, st.args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var v int64
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return err
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}
