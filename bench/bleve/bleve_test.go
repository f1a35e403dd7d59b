// Package bleve measures Bleve (github.com/blevesearch/bleve/v2) as the
// alternative search index of issue 13 item 1, beside SQLite FTS5 on the
// same corpus in the same run. It is its own Go module so that the main
// module never depends on Bleve; it reads Ombud's kept search corpus and
// calls Ombud's own search for the comparison (replace => ../..).
package bleve

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/character"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/bleve/v2/search/query"
	_ "modernc.org/sqlite"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/richtext"
	"github.com/ombud/ombud/internal/search"
	"github.com/ombud/ombud/internal/ticket"
)

// tokenizerName is a tokenizer like FTS5's unicode61: a token is a run of
// letters and digits, everything else separates (Bleve's "unicode"
// tokenizer follows UAX #29 instead and keeps "a.b" or "it's" whole).
const tokenizerName = "ombud_unicode61"

func init() {
	// Bleve finds analysis components by name in its registry only.
	registry.RegisterTokenizer(tokenizerName, func(map[string]any, *registry.Cache) (analysis.Tokenizer, error) {
		return character.NewCharacterTokenizer(func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }), nil
	})
}

// newMapping is one document per ticket: its subject and comment bodies
// as "text" (positions kept for phrases), status and tags as keywords,
// created as a number (doc values, for the newest-first sort).
func newMapping() (*mapping.IndexMappingImpl, error) {
	im := bleve.NewIndexMapping()
	if err := im.AddCustomAnalyzer("ombud", map[string]any{
		"type":          custom.Name,
		"char_filters":  []string{asciifolding.Name}, // unicode61 remove_diacritics 2
		"tokenizer":     tokenizerName,
		"token_filters": []string{lowercase.Name},
	}); err != nil {
		return nil, fmt.Errorf("analyzer: %w", err)
	}
	text := bleve.NewTextFieldMapping()
	text.Analyzer = "ombud"
	text.Store = false
	text.IncludeInAll = false
	text.DocValues = false
	text.IncludeTermVectors = true // phrases need positions
	keyword := bleve.NewKeywordFieldMapping()
	keyword.Store = false
	keyword.IncludeInAll = false
	keyword.DocValues = false
	keyword.IncludeTermVectors = false
	created := bleve.NewNumericFieldMapping()
	created.Store = false
	created.IncludeInAll = false
	created.DocValues = true
	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt("text", text)
	doc.AddFieldMappingsAt("status", keyword)
	doc.AddFieldMappingsAt("tags", keyword)
	doc.AddFieldMappingsAt("created", created)
	im.DefaultMapping = doc
	im.DefaultAnalyzer = "ombud"
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false
	return im, nil
}

// ticketDoc is what Bleve indexes of a ticket.
type ticketDoc struct {
	ID      int64    `json:"-"`
	Text    []string `json:"text"`
	Status  string   `json:"status"`
	Tags    []string `json:"tags"`
	Created float64  `json:"created"`
}

// corpusQueries is the part of BenchmarkSearchScale's queries.json used here.
type corpusQueries struct {
	Tickets int      `json:"tickets"`
	Orders  []string `json:"orders"`
	Common  []string `json:"common"`
	Phrases []string `json:"phrases"`
	Tag     string   `json:"tag"`
}

type queryClass struct {
	name string
	pick func(r *rand.Rand) string
}

// classes are BenchmarkSearchScale's full-text and filter classes with
// the same values (bench/search_scale_test.go, corpusQueries.classes);
// the name, email and ticket-number lookups are not the index's work.
func (qs corpusQueries) classes() []queryClass {
	top := qs.Common[:min(5, len(qs.Common))]
	common := map[string]bool{}
	for _, w := range qs.Common {
		common[w] = true
	}
	var apart [][2]string
	for _, p := range [][2]string{{"ikke", "order"}, {"hilsen", "regards"}, {"ikke", "regards"}, {"hilsen", "order"}, {"ikke", "hello"}} {
		if common[p[0]] && common[p[1]] {
			apart = append(apart, p)
		}
	}
	if len(apart) == 0 {
		apart = append(apart, [2]string{qs.Common[0], qs.Common[len(qs.Common)-1]})
	}
	return []queryClass{
		{"rare token (order number)", func(r *rand.Rand) string { return qs.Orders[r.IntN(len(qs.Orders))] }},
		{"one common word", func(r *rand.Rand) string { return top[r.IntN(len(top))] }},
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
	}
}

// bleveQuery reads a search as Ombud's parser does and asks Bleve for
// every word (a conjunction), every phrase, and the status and tag terms.
func bleveQuery(q string) (query.Query, string, error) {
	p, err := search.Parse(q)
	if err != nil {
		return nil, "", fmt.Errorf("parse %q: %w", q, err)
	}
	var parts []query.Query
	var fts []string
	for _, w := range p.Words {
		m := bleve.NewMatchQuery(w)
		m.SetField("text")
		m.SetOperator(query.MatchQueryOperatorAnd)
		parts = append(parts, m)
		fts = append(fts, `"`+strings.ReplaceAll(w, `"`, `""`)+`"`)
	}
	for _, ph := range p.Phrases {
		m := bleve.NewMatchPhraseQuery(ph)
		m.SetField("text")
		parts = append(parts, m)
		fts = append(fts, `"`+strings.ReplaceAll(ph, `"`, `""`)+`"`)
	}
	for _, t := range p.Terms {
		field := map[string]string{"status": "status", "tag": "tags"}[t.Field]
		if field == "" {
			return nil, "", fmt.Errorf("the field %q of %q is not measured", t.Field, q)
		}
		var or []query.Query
		for _, v := range t.Values {
			tq := bleve.NewTermQuery(v)
			tq.SetField(field)
			or = append(or, tq)
		}
		parts = append(parts, bleve.NewDisjunctionQuery(or...))
	}
	return bleve.NewConjunctionQuery(parts...), strings.Join(fts, " AND "), nil
}

func docID(id int64) string { return strconv.FormatInt(id, 10) }

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// cpuTime is this process's user and system time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procStatus reads a "kB" line of /proc/self/status (VmRSS, VmHWM) in MiB.
func procStatus(key string) float64 {
	raw, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(l, key+":"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}

func heapMiB() float64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapInuse) / (1 << 20)
}

func dirMiB(dir string) float64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return float64(n) / (1 << 20)
}

// corpus names the kept SQLite corpus of BenchmarkSearchScale and the
// Bleve index beside it.
type corpus struct {
	work, dbPath, index string
	qs                  corpusQueries
}

func openCorpus(tb testing.TB) corpus {
	keep := os.Getenv("OMBUD_BENCH_SEARCH_DIR")
	if keep == "" {
		tb.Skip("OMBUD_BENCH_SEARCH_DIR names the SQLite corpus BenchmarkSearchScale kept")
	}
	tickets := envInt("OMBUD_BENCH_TICKETS", 100000)
	c := corpus{work: filepath.Join(keep, fmt.Sprintf("sqlite-%d", tickets))}
	c.dbPath = filepath.Join(c.work, "data", "ombud.db")
	c.index = filepath.Join(keep, fmt.Sprintf("bleve-%d", tickets))
	raw, err := os.ReadFile(filepath.Join(c.work, "queries.json"))
	if err != nil {
		tb.Fatalf("the kept corpus: %v", err)
	}
	if err := json.Unmarshal(raw, &c.qs); err != nil {
		tb.Fatalf("queries.json: %v", err)
	}
	return c
}

func openReadOnly(path string) (*sql.DB, error) {
	// Read only: the corpus is kept for other benchmarks.
	d, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=query_only(1)&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	d.SetMaxOpenConns(4)
	return d, nil
}

// readTickets streams every ticket with its comments and tags, in id
// order, to fn (three ordered scans merged by ticket id).
func readTickets(ctx context.Context, d *sql.DB, from int64, fn func(ticketDoc) error) error {
	tr, err := d.QueryContext(ctx, `SELECT id, subject, status, created_at FROM tickets WHERE id > ? ORDER BY id`, from)
	if err != nil {
		return fmt.Errorf("tickets: %w", err)
	}
	defer tr.Close()
	cr, err := d.QueryContext(ctx, `SELECT ticket_id, body FROM comments WHERE ticket_id > ? ORDER BY ticket_id, id`, from)
	if err != nil {
		return fmt.Errorf("comments: %w", err)
	}
	defer cr.Close()
	gr, err := d.QueryContext(ctx, `SELECT ticket_id, tag FROM ticket_tags WHERE ticket_id > ? ORDER BY ticket_id, tag`, from)
	if err != nil {
		return fmt.Errorf("tags: %w", err)
	}
	defer gr.Close()
	type pending struct {
		ok   bool
		id   int64
		text string
	}
	next := func(r *sql.Rows, p *pending) error {
		p.ok = r.Next()
		if !p.ok {
			return r.Err()
		}
		return r.Scan(&p.id, &p.text)
	}
	var c, g pending
	if err := next(cr, &c); err != nil {
		return fmt.Errorf("comments: %w", err)
	}
	if err := next(gr, &g); err != nil {
		return fmt.Errorf("tags: %w", err)
	}
	for tr.Next() {
		var t ticketDoc
		var subject string
		var created int64
		if err := tr.Scan(&t.ID, &subject, &t.Status, &created); err != nil {
			return fmt.Errorf("tickets: %w", err)
		}
		t.Created = float64(created)
		t.Text = []string{subject}
		for c.ok && c.id <= t.ID {
			if c.id == t.ID {
				t.Text = append(t.Text, c.text)
			}
			if err := next(cr, &c); err != nil {
				return fmt.Errorf("comments: %w", err)
			}
		}
		for g.ok && g.id <= t.ID {
			if g.id == t.ID {
				t.Tags = append(t.Tags, g.text)
			}
			if err := next(gr, &g); err != nil {
				return fmt.Errorf("tags: %w", err)
			}
		}
		if err := fn(t); err != nil {
			return err
		}
	}
	return tr.Err()
}

// BenchmarkBleveBuild indexes the kept SQLite corpus in Bleve (in
// OMBUD_BENCH_SEARCH_DIR/bleve-N, replaced if there) in batches of
// OMBUD_BENCH_BLEVE_BATCH tickets (default 1,000) and prints the time,
// CPU, peak memory and size on disk of the build. Run it without the
// bench lock; BenchmarkBleveSearch measures.
//
//	OMBUD_BENCH_SEARCH_DIR=/work/bench-data/bleve OMBUD_BENCH_TICKETS=100000 \
//	  go test . -run '^$' -bench BleveBuild -benchtime 1x -timeout 120m
func BenchmarkBleveBuild(b *testing.B) {
	c := openCorpus(b)
	ctx := context.Background()
	d, err := openReadOnly(c.dbPath)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	if err := os.RemoveAll(c.index); err != nil {
		b.Fatal(err)
	}
	m, err := newMapping()
	if err != nil {
		b.Fatal(err)
	}
	idx, err := bleve.New(c.index, m)
	if err != nil {
		b.Fatalf("create %s: %v", c.index, err)
	}
	size := envInt("OMBUD_BENCH_BLEVE_BATCH", 1000)
	begin, cpu0 := time.Now(), cpuTime()
	batch := idx.NewBatch()
	var n, texts int
	var bytes int64
	err = readTickets(ctx, d, 0, func(t ticketDoc) error {
		n++
		texts += len(t.Text)
		for _, s := range t.Text {
			bytes += int64(len(s))
		}
		if err := batch.Index(docID(t.ID), t); err != nil {
			return fmt.Errorf("ticket %d: %w", t.ID, err)
		}
		if batch.Size() >= size {
			if err := idx.Batch(batch); err != nil {
				return fmt.Errorf("batch at ticket %d: %w", t.ID, err)
			}
			batch.Reset()
		}
		if n%50000 == 0 {
			fmt.Printf("  %d tickets in %s, RSS %.0f MiB\n", n, time.Since(begin).Round(time.Second), procStatus("VmRSS"))
		}
		return nil
	})
	if err == nil && batch.Size() > 0 {
		err = idx.Batch(batch)
	}
	if err != nil {
		b.Fatal(err)
	}
	indexed, cpuIndexed := time.Since(begin), cpuTime()-cpu0
	// Merge down to few segments, as a long-running index settles, so the
	// searches measure a settled index and no merge runs beside them.
	if err := forceMerge(ctx, idx); err != nil {
		b.Fatal(err)
	}
	segments, rootBytes, err := settle(idx)
	if err != nil {
		b.Fatal(err)
	}
	merged, cpuMerged := time.Since(begin), cpuTime()-cpu0
	if err := idx.Close(); err != nil {
		b.Fatal(err)
	}
	fmt.Printf("\nBleve v2.6.3 index of %s: %d tickets, %d texts, %.0f MiB of text\n", c.dbPath, n, texts, float64(bytes)/(1<<20))
	fmt.Printf("indexed in %s (%.0f tickets/s, CPU %s, %.2f ms a ticket); with a forced merge %s (CPU %s)\n",
		indexed.Round(time.Second), float64(n)/indexed.Seconds(), cpuIndexed.Round(time.Second),
		float64(cpuIndexed)/1e6/float64(max(n, 1)), merged.Round(time.Second), cpuMerged.Round(time.Second))
	fmt.Printf("%d segments, %.0f MiB on disk (%.0f MiB the latest snapshot's); peak RSS of the build %.0f MiB\n",
		segments, dirMiB(c.index), float64(rootBytes)/(1<<20), procStatus("VmHWM"))
}

// forceMerge merges the index's segments into one and waits for it.
func forceMerge(ctx context.Context, idx bleve.Index) error {
	adv, err := idx.Advanced()
	if err != nil {
		return fmt.Errorf("advanced: %w", err)
	}
	s, ok := adv.(*scorch.Scorch)
	if !ok {
		return fmt.Errorf("the index is %T, not scorch", adv)
	}
	if err := s.ForceMerge(ctx, &mergeplan.SingleSegmentMergePlanOptions); err != nil {
		return fmt.Errorf("force merge: %w", err)
	}
	return nil
}

// settle waits (up to a few minutes) until the index's background merges
// and persisting are done, so that none runs beside the measurements, and
// tells its segments and the bytes its latest snapshot uses on disk.
func settle(idx bleve.Index) (segments, bytes uint64, err error) {
	adv, err := idx.Advanced()
	if err != nil {
		return 0, 0, fmt.Errorf("advanced: %w", err)
	}
	s, ok := adv.(*scorch.Scorch)
	if !ok {
		return 0, 0, fmt.Errorf("the index is %T, not scorch", adv)
	}
	for range 600 {
		if active, _ := s.StatsMap()["index_bgthreads_active"].(bool); !active {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	m := s.StatsMap()
	segments, _ = m["num_root_filesegments"].(uint64)
	bytes, _ = m["num_bytes_used_disk_by_root"].(uint64)
	return segments, bytes, nil
}

// result is one form's measurements over a class's queries.
type result struct {
	n     int
	cpu   time.Duration
	lat   []time.Duration
	total uint64 // the last query's total
}

func (r *result) add(d time.Duration) { r.n++; r.lat = append(r.lat, d) }

func (r result) pct(p float64) string {
	if len(r.lat) == 0 {
		return "-"
	}
	l := append([]time.Duration(nil), r.lat...)
	sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
	return ms(l[int(p*float64(len(l)-1))])
}

func (r result) cpuPer() string {
	if r.n == 0 {
		return "-"
	}
	return ms(r.cpu / time.Duration(r.n))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d)/1e6) }

// notApplicable is the total of a form that has nothing to ask for the
// query (FTS5 for a query of field terms only).
const notApplicable = ^uint64(0)

// form is one way of answering a class's query; it returns the total.
type form struct {
	name string
	run  func(ctx context.Context, q string) (uint64, error)
}

// BenchmarkBleveSearch runs each query class on the Bleve index that
// BenchmarkBleveBuild kept and on the same corpus's FTS5, interleaved in
// one process from one goroutine: OMBUD_BENCH_ROUNDS rounds (default 10)
// of OMBUD_BENCH_REQUESTS queries (default 10) per form, the forms in
// turn, the same query sequence for each. CPU per query is this
// process's user and system time over the form's queries (SQLite and
// Bleve both run in it). Then the write path: OMBUD_BENCH_BLEVE_WRITES
// (default 300) tickets created one at a time (each findable when its
// call returns: checked), the same re-indexed with one more comment, and
// deleted, leaving the index as it was.
//
//	OMBUD_BENCH_SEARCH_DIR=/work/bench-data/bleve OMBUD_BENCH_TICKETS=100000 \
//	  go test . -run '^$' -bench BleveSearch -benchtime 1x -timeout 60m
func BenchmarkBleveSearch(b *testing.B) {
	c := openCorpus(b)
	ctx := context.Background()
	rounds, requests := envInt("OMBUD_BENCH_ROUNDS", 10), envInt("OMBUD_BENCH_REQUESTS", 10)
	rss0, heap0 := procStatus("VmRSS"), heapMiB()
	idx, err := bleve.Open(c.index)
	if err != nil {
		b.Fatalf("open %s (run BenchmarkBleveBuild first): %v", c.index, err)
	}
	defer idx.Close()
	count, _ := idx.DocCount()
	segments, rootBytes, err := settle(idx)
	if err != nil {
		b.Fatal(err)
	}
	bleveSearch := func(sortBy []string, score string) func(ctx context.Context, q string) (uint64, error) {
		return func(ctx context.Context, q string) (uint64, error) {
			bq, _, err := bleveQuery(q)
			if err != nil {
				return 0, err
			}
			req := bleve.NewSearchRequestOptions(bq, 25, 0, false)
			req.SortBy(sortBy)
			req.Score = score // "none": no scores, which lets Bleve intersect bitmaps
			res, err := idx.SearchInContext(ctx, req)
			if err != nil {
				return 0, fmt.Errorf("bleve %q: %w", q, err)
			}
			return res.Total, nil
		}
	}
	// Bleve's memory on its own: opened and every class asked once.
	for _, cl := range c.qs.classes() {
		if _, err := bleveSearch([]string{"-created"}, "")(ctx, cl.pick(rand.New(rand.NewPCG(1, 9)))); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	rssBleve, heapBleve := procStatus("VmRSS")-rss0, heapMiB()-heap0

	ro, err := openReadOnly(c.dbPath)
	if err != nil {
		b.Fatal(err)
	}
	defer ro.Close()
	// ftsRows runs the statements and reads every row; the sum of the
	// values is the total for the counts.
	ftsRows := func(stmts []string, arg string) (uint64, error) {
		var sum uint64
		for _, s := range stmts {
			rows, err := ro.QueryContext(ctx, s, arg)
			if err != nil {
				return 0, fmt.Errorf("%s: %w", s, err)
			}
			for rows.Next() {
				var v int64
				if err := rows.Scan(&v); err != nil {
					rows.Close()
					return 0, err
				}
				sum += uint64(v)
			}
			if err := rows.Close(); err != nil {
				return 0, err
			}
		}
		return sum, nil
	}
	newest := []string{
		`SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH ? ORDER BY rowid DESC LIMIT 25`,
		`SELECT rowid FROM comment_fts WHERE comment_fts MATCH ? ORDER BY rowid DESC LIMIT 25`,
	}
	counts := []string{
		`SELECT count(*) FROM ticket_fts WHERE ticket_fts MATCH ?`,
		`SELECT count(*) FROM comment_fts WHERE comment_fts MATCH ?`,
	}
	var minCreated, maxCreated float64
	if err := ro.QueryRowContext(ctx, `SELECT MIN(created_at), MAX(created_at) FROM tickets`).Scan(&minCreated, &maxCreated); err != nil {
		b.Fatal(err)
	}
	d, err := db.Open(ctx, db.Options{DataDir: filepath.Dir(c.dbPath)})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	svc := ticket.NewService(d, time.Now, requesters{customer.NewService(d, time.Now)}, richtext.New())
	actor := authz.Actor{ID: 1, Kind: authz.KindAgent, Role: authz.Admin}
	forms := []form{
		{"bleve newest 25", bleveSearch([]string{"-created"}, "")},
		{"bleve score 25", bleveSearch([]string{"-_score"}, "")},
		{"bleve newest nosc", bleveSearch([]string{"-created"}, "none")},
		{"bleve window", bleveWindow(idx, minCreated, maxCreated)},
		{"fts5 newest 25", func(ctx context.Context, q string) (uint64, error) {
			// BenchmarkRawFTS's "newest 25": the words only, no filter.
			_, fts, err := bleveQuery(q)
			if err != nil || fts == "" {
				return notApplicable, err
			}
			_, err = ftsRows(newest, fts)
			return 0, err
		}},
		{"fts5 count", func(ctx context.Context, q string) (uint64, error) {
			_, fts, err := bleveQuery(q)
			if err != nil || fts == "" {
				return notApplicable, err
			}
			return ftsRows(counts, fts)
		}},
		{"ombud Search", func(ctx context.Context, q string) (uint64, error) {
			p, err := search.Parse(q)
			if err != nil {
				return 0, err
			}
			res, err := svc.Search(ctx, actor, p, page.Request{Limit: 25})
			if err != nil {
				return 0, fmt.Errorf("ombud %q: %w", q, err)
			}
			if res.Total == nil {
				return 0, nil
			}
			return uint64(*res.Total), nil
		}},
	}
	fmt.Printf("\nBleve v2.6.3 (%d documents, %d segments, %.0f MiB on disk, %.0f MiB of it the latest snapshot's) against FTS5 and Ombud's search on %s (%d tickets)\n",
		count, segments, dirMiB(c.index), float64(rootBytes)/(1<<20), c.dbPath, c.qs.Tickets)
	fmt.Printf("Bleve opened and every class asked once: RSS +%.0f MiB, Go heap +%.0f MiB\n", rssBleve, heapBleve)
	fmt.Printf("one goroutine, %d rounds × %d queries per form, interleaved; ms\n", rounds, requests)
	fmt.Printf("%-28s %-16s %5s %8s %8s %9s %12s\n", "class", "form", "n", "p50", "p95", "CPU/op", "total")
	for _, cl := range c.qs.classes() {
		res := make([]result, len(forms))
		for range rounds {
			for i, f := range forms {
				r := rand.New(rand.NewPCG(1, 9)) // the same queries for every form
				cpu0 := cpuTime()
				for range requests {
					q := cl.pick(r)
					t0 := time.Now()
					total, err := f.run(ctx, q)
					if err != nil {
						b.Fatal(err)
					}
					res[i].add(time.Since(t0))
					res[i].total = total
				}
				res[i].cpu += cpuTime() - cpu0
			}
		}
		for i, f := range forms {
			if res[i].total == notApplicable {
				continue
			}
			fmt.Printf("%-28s %-16s %5d %8s %8s %9s %12d\n", cl.name, f.name, res[i].n, res[i].pct(.5), res[i].pct(.95), res[i].cpuPer(), res[i].total)
		}
	}
	if err := writePath(ctx, b, idx, ro, envInt("OMBUD_BENCH_BLEVE_WRITES", 300)); err != nil {
		b.Fatal(err)
	}
}

// bleveWindow asks for the newest 25 as Ombud's bounded walk does: the
// query within the newest 1/64 of the corpus's time span, widened four
// times over until 25 match or the window holds everything, without
// scores; the total is the window's matches scaled to the whole span (an
// estimate) once the window is partial.
func bleveWindow(idx bleve.Index, lo, hi float64) func(ctx context.Context, q string) (uint64, error) {
	return func(ctx context.Context, q string) (uint64, error) {
		bq, _, err := bleveQuery(q)
		if err != nil {
			return 0, err
		}
		span := hi - lo
		for w := span / 64; ; w *= 4 {
			from := hi - w
			r := bleve.NewNumericRangeInclusiveQuery(&from, nil, &[]bool{true}[0], nil)
			r.SetField("created")
			req := bleve.NewSearchRequestOptions(bleve.NewConjunctionQuery(bq, r), 25, 0, false)
			req.SortBy([]string{"-created"})
			req.Score = "none"
			res, err := idx.SearchInContext(ctx, req)
			if err != nil {
				return 0, fmt.Errorf("bleve window %q: %w", q, err)
			}
			if res.Total >= 25 || w >= span {
				if w >= span {
					return res.Total, nil
				}
				return uint64(float64(res.Total) * span / w), nil
			}
		}
	}
}

// writePath measures Bleve's cost per ticket written, one call per
// ticket as a create or a comment would make it: the newest n tickets'
// documents indexed again under new ids (a create), then each with one
// more comment under the same id (an update replaces the whole
// document), then deleted. Each call returns once the segment is
// persisted (Bleve's default, not unsafe_batch).
func writePath(ctx context.Context, b *testing.B, idx bleve.Index, ro *sql.DB, n int) error {
	var maxID int64
	if err := ro.QueryRowContext(ctx, `SELECT MAX(id) FROM tickets`).Scan(&maxID); err != nil {
		return fmt.Errorf("max id: %w", err)
	}
	var docs []ticketDoc
	if err := readTickets(ctx, ro, maxID-int64(n), func(t ticketDoc) error { docs = append(docs, t); return nil }); err != nil {
		return err
	}
	id := func(i int) string { return "w" + strconv.Itoa(i) }
	step := func(name string, fn func(i int, t ticketDoc) error) error {
		begin, cpu0 := time.Now(), cpuTime()
		for i, t := range docs {
			if err := fn(i, t); err != nil {
				return fmt.Errorf("%s %d: %w", name, i, err)
			}
		}
		took, cpu := time.Since(begin), cpuTime()-cpu0
		fmt.Printf("%-44s %5d %9.2f ms/op wall %9.2f ms/op CPU\n", name, len(docs), float64(took)/1e6/float64(len(docs)), float64(cpu)/1e6/float64(len(docs)))
		return nil
	}
	fmt.Printf("\nwrite path, one document per call, persisted before the call returns\n")
	marker := func(i int) string { return fmt.Sprintf("zqxmarker%d", i) }
	if err := step("create (index a new ticket document)", func(i int, t ticketDoc) error {
		t.Text = append(t.Text, marker(i))
		return idx.Index(id(i), t)
	}); err != nil {
		return err
	}
	// Findable as soon as the call returned: every marker finds its one
	// document (checked after the timing; the segment was introduced
	// before Index returned).
	for i := range docs {
		m := bleve.NewMatchQuery(marker(i))
		m.SetField("text")
		res, err := idx.SearchInContext(ctx, bleve.NewSearchRequest(m))
		if err != nil {
			return err
		}
		if res.Total != 1 {
			b.Errorf("marker %d: %d hits, want 1", i, res.Total)
		}
	}
	if err := step("comment add (re-index the whole ticket)", func(i int, t ticketDoc) error {
		t.Text = append(t.Text, marker(i), "Thanks, that solved it. Kind regards")
		return idx.Index(id(i), t)
	}); err != nil {
		return err
	}
	if err := step("delete (or merge away) a ticket", func(i int, _ ticketDoc) error {
		return idx.Delete(id(i))
	}); err != nil {
		return err
	}
	batch := idx.NewBatch()
	begin, cpu0 := time.Now(), cpuTime()
	for i, t := range docs {
		if err := batch.Index(id(i), t); err != nil {
			return err
		}
	}
	if err := idx.Batch(batch); err != nil {
		return err
	}
	fmt.Printf("%-44s %5d %9.2f ms/op wall %9.2f ms/op CPU\n", "import (one batch of all)", len(docs),
		float64(time.Since(begin))/1e6/float64(len(docs)), float64(cpuTime()-cpu0)/1e6/float64(len(docs)))
	batch = idx.NewBatch()
	for i := range docs {
		batch.Delete(id(i))
	}
	if err := idx.Batch(batch); err != nil {
		return err
	}
	fmt.Printf("RSS after the writes %.0f MiB (peak %.0f MiB), Go heap %.0f MiB\n", procStatus("VmRSS"), procStatus("VmHWM"), heapMiB())
	return nil
}

// requesters is what app wires: customers name the requesters.
type requesters struct{ c *customer.Service }

func (r requesters) ResolveRequester(ctx context.Context, tx *db.Tx, email, name string) (int64, int64, error) {
	return r.c.ResolveRequester(ctx, tx, email, name)
}

func (r requesters) Brief(ctx context.Context, ids []int64) (map[int64]ticket.CustomerBrief, error) {
	bs, err := r.c.Brief(ctx, ids)
	out := map[int64]ticket.CustomerBrief{}
	for id, b := range bs {
		out[id] = ticket.CustomerBrief{ID: b.ID, Name: b.Name, Email: b.Email}
	}
	return out, err
}
