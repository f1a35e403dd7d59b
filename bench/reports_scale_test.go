package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/report"
	"github.com/ombud/ombud/internal/sla"
)

// BenchmarkReportScale times every dashboard page's report queries (issue
// 13 item 4: each ≤ 1 s) over the history BenchmarkReport generates,
// OMBUD_BENCH_REPORT_TICKETS tickets (default 1,000,000, ~10 events each),
// with 300 organizations and five languages spread over the tickets:
//
//	OMBUD_BENCH_REPORT_TICKETS=200000 go test ./bench/ -run '^$' -bench ReportScale -benchtime 1x -timeout 120m
//
// The SQLite database is kept in OMBUD_BENCH_REPORT_DIR (default
// /tmp/ombud-reportscale-<tickets>) and reused, so it is generated once.
// PostgreSQL is the harness's throwaway cluster, generated each run, unless
// OMBUD_BENCH_REPORT_PGDIR names a directory: there a cluster of its own is
// initialised once (data in <dir>/data), started for the run, stopped at its
// end with the history kept, and reused by the next run.
func BenchmarkReportScale(b *testing.B) {
	n := envInt("OMBUD_BENCH_REPORT_TICKETS", 1_000_000)
	engines := os.Getenv("OMBUD_BENCH_ENGINES")
	if engines == "" {
		engines = "sqlite,postgres"
	}
	for _, engine := range strings.Split(engines, ",") {
		b.Run(engine, func(b *testing.B) {
			ctx := context.Background()
			opts := db.Options{DataDir: b.TempDir()}
			if engine == "sqlite" {
				opts.DataDir = os.Getenv("OMBUD_BENCH_REPORT_DIR")
				if opts.DataDir == "" {
					opts.DataDir = filepath.Join(os.TempDir(), fmt.Sprintf("ombud-reportscale-%d", n))
				}
				if err := os.MkdirAll(opts.DataDir, 0o755); err != nil {
					b.Fatal(err)
				}
			} else if dir := os.Getenv("OMBUD_BENCH_REPORT_PGDIR"); dir != "" {
				opts.URL = keptPostgres(b, dir, n)
			} else {
				opts.URL = dbtest.NewPostgresDatabase(b)
			}
			d, err := db.Open(ctx, opts)
			if err != nil {
				b.Fatal(err)
			}
			defer d.Close()
			if _, err := d.Migrate(ctx); err != nil {
				b.Fatal(err)
			}
			now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
			slas := sla.NewService(d, func() time.Time { return now }, nil)
			admin := authz.Actor{Kind: authz.KindAgent, ID: 1, Role: authz.Admin}
			reports := report.NewService(d, func() time.Time { return now }, slas, slog.New(slog.NewTextHandler(io.Discard, nil)))
			// A rebuild stopped part way leaves facts for the first tickets
			// only: rebuild unless the facts reach the last ticket.
			var lastFact, lastTicket int64
			_ = d.QueryRowContext(ctx, `SELECT COALESCE(MAX(ticket_id), 0) FROM report_facts`).Scan(&lastFact)
			_ = d.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM tickets`).Scan(&lastTicket)
			partial := os.Getenv("OMBUD_BENCH_REPORT_PARTIAL") != ""
			if partial && lastFact > 0 {
				// A rebuild stopped part way: its windows committed the facts
				// and roll-ups of the first tickets together, so the pages
				// are measured over those tickets' history.
				fmt.Fprintf(os.Stderr, "%s: PARTIAL history: facts for tickets 1–%d of %d\n", engine, lastFact, lastTicket)
			} else if lastFact == 0 || lastFact < lastTicket {
				var have int
				_ = d.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets`).Scan(&have)
				if have == 0 {
					start := time.Now()
					events := generate(b, d, n, now)
					spread(b, ctx, d)
					b.Logf("%s: generated %d tickets, %d events in %s", engine, n, events, time.Since(start).Round(time.Second))
				}
				rebuild(b, ctx, d, slas, reports, admin, engine)
			}
			// A database counted before migration 0090 fills its pair
			// roll-ups from the facts first, as the refresher would.
			start, steps := time.Now(), 0
			for ; ; steps++ {
				more, err := reports.FillPairs(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if !more {
					break
				}
			}
			if steps > 0 {
				fmt.Fprintf(os.Stderr, "%s: pair roll-ups filled in %d steps, %s\n", engine, steps, time.Since(start).Round(time.Second))
			}
			// And its monthly histograms (migration 0092).
			start, steps, c0 := time.Now(), 0, processCPU()
			for ; ; steps++ {
				more, err := reports.FillMonths(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if !more {
					break
				}
			}
			if steps > 0 {
				fmt.Fprintf(os.Stderr, "%s: monthly histograms filled in %d steps, %s (CPU %s)\n", engine, steps,
					time.Since(start).Round(time.Second), (processCPU() - c0).Round(time.Millisecond))
			}
			// Vacuumed and analyzed, as a rebuild leaves the report tables
			// (Rebuild ends so; a history kept from an earlier run may
			// have been rebuilt before it did).
			start = time.Now()
			if err := d.Vacuum(ctx, "report_facts", "report_hourly", "report_hourly_dim", "report_daily_dim", "report_monthly_dim", "report_hist", "report_hist_month"); err != nil {
				b.Fatal(err)
			}
			fmt.Fprintf(os.Stderr, "%s: vacuum (analyze) %s\n", engine, time.Since(start).Round(time.Millisecond))
			measureScale(b, ctx, reports, admin, engine)
		})
	}
}

// keptPostgres starts the cluster kept in dir (stopped, data kept, when the
// benchmark ends) and returns the URL of its database for n tickets, created
// when missing.
func keptPostgres(b *testing.B, dir string, n int) string {
	data := filepath.Join(dir, "data")
	admin, stop, err := dbtest.StartKeptCluster(data, false)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(stop)
	serverCPU = func() time.Duration { return clusterCPU(data) }
	b.Cleanup(func() { serverCPU = nil })
	name := fmt.Sprintf("ombud_report_%d", n)
	u, err := dbtest.KeptDatabase(admin, name)
	if err != nil {
		b.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "postgres: kept cluster in %s, database %s (%s)\n", dir, name, u)
	return u
}

// serverCPU is the CPU the kept PostgreSQL cluster has used, when there
// is one (the pages' work is mostly the server's there).
var serverCPU func() time.Duration

// clusterCPU sums the CPU of the postmaster of data (with its reaped
// backends) and of its live children, from /proc.
func clusterCPU(data string) time.Duration {
	raw, err := os.ReadFile(filepath.Join(data, "postmaster.pid"))
	if err != nil {
		return 0
	}
	pm, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(raw), "\n", 2)[0]))
	if err != nil {
		return 0
	}
	const tick = 10 * time.Millisecond // USER_HZ is 100 on Linux
	stat := func(pid string) []string {
		b, err := os.ReadFile("/proc/" + pid + "/stat")
		if err != nil {
			return nil
		}
		s := string(b)
		return strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	}
	num := func(f []string, i int) time.Duration {
		v, _ := strconv.ParseInt(f[i], 10, 64)
		return time.Duration(v) * tick
	}
	var total time.Duration
	if f := stat(strconv.Itoa(pm)); f != nil {
		total += num(f, 11) + num(f, 12) + num(f, 13) + num(f, 14)
	}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if f := stat(e.Name()); f != nil && f[1] == strconv.Itoa(pm) {
			total += num(f, 11) + num(f, 12)
		}
	}
	return total
}

// spread gives the tickets organizations and languages, as real ones have.
func spread(b *testing.B, ctx context.Context, d *db.DB) {
	err := d.Write(ctx, func(tx *db.Tx) error {
		var orgs [][]any
		for i := 1; i <= 300; i++ {
			orgs = append(orgs, []any{i, fmt.Sprintf("Org %d", i), 1, 1})
		}
		if err := insertRows(ctx, tx, `INSERT INTO organizations (id, name, created_at, updated_at) VALUES `, orgs); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE tickets SET organization_id = id % 300 + 1,
			language = CASE id % 5 WHEN 0 THEN 'en' WHEN 1 THEN 'nb' WHEN 2 THEN 'sv' WHEN 3 THEN 'da' ELSE 'sl' END`)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
}

// processCPU is the CPU time this process has used.
func processCPU() time.Duration {
	var r syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &r); err != nil {
		return 0
	}
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}

// clusterNow is serverCPU's reading, 0 without a kept cluster.
func clusterNow() time.Duration {
	if serverCPU == nil {
		return 0
	}
	return serverCPU()
}

// measureScale times each page's report calls, median of three runs.
func measureScale(b *testing.B, ctx context.Context, reports *report.Service, admin authz.Actor, engine string) {
	oslo, _ := time.LoadLocation("Europe/Oslo")
	year := report.Filter{From: time.Date(2025, 11, 1, 0, 0, 0, 0, oslo), To: time.Date(2026, 11, 1, 0, 0, 0, 0, oslo), Loc: oslo}
	with := func(edit func(*report.Filter)) report.Filter { g := year; edit(&g); return g }
	overview := func(f report.Filter) func() error {
		return func() error { _, err := reports.Overview(ctx, admin, f); return err }
	}
	table := func(f report.Filter, by string) func() error {
		return func() error { _, err := reports.BreakdownMedians(ctx, admin, f, by); return err }
	}
	cases := []struct {
		name string
		run  func() error
	}{
		{"overview", overview(year)},
		{"overview, one team", overview(with(func(f *report.Filter) { f.TeamID = 2 }))},
		{"overview, one agent", overview(with(func(f *report.Filter) { f.AgentID = 7 }))},
		{"overview, one tag", overview(with(func(f *report.Filter) { f.Tag = "billing" }))},
		{"overview, one organization", overview(with(func(f *report.Filter) { f.OrganizationID = 42 }))},
		{"overview, one language", overview(with(func(f *report.Filter) { f.Language = "nb" }))},
		{"overview, two filters (team + tag)", overview(with(func(f *report.Filter) { f.TeamID = 2; f.Tag = "billing" }))},
		{"overview, two filters (channel + language)", overview(with(func(f *report.Filter) { f.Channel = "chat"; f.Language = "sv" }))},
		{"overview, organization + channel", overview(with(func(f *report.Filter) { f.OrganizationID = 42; f.Channel = "email" }))},
		{"overview, agent + tag", overview(with(func(f *report.Filter) { f.AgentID = 7; f.Tag = "billing" }))},
		{"overview, three (organization + tag + language)", overview(with(func(f *report.Filter) { f.OrganizationID = 42; f.Tag = "billing"; f.Language = "nb" }))},
		{"overview, three (team + channel + language)", overview(with(func(f *report.Filter) { f.TeamID = 2; f.Channel = "chat"; f.Language = "sv" }))},
		{"agent table (50 agents, medians)", table(year, "agent")},
		{"team table (medians)", table(year, "team")},
		{"channel table (medians)", table(year, "channel")},
		{"team table, one tag", table(with(func(f *report.Filter) { f.Tag = "billing" }), "team")},
		{"heat map", func() error { _, err := reports.Heatmap(ctx, admin, year); return err }},
		{"tag trends", func() error { _, err := reports.TagTrends(ctx, admin, year, 20); return err }},
		{"backlog ages", func() error { _, err := reports.BacklogAges(ctx, admin, year); return err }},
	}
	// OMBUD_BENCH_REPORT_CASES: only the pages whose names contain one of
	// these comma-separated parts ("agent + tag,agent table"); a part
	// "=name" is that page alone.
	only := strings.Split(os.Getenv("OMBUD_BENCH_REPORT_CASES"), ",")
	for _, c := range cases {
		if !slices.ContainsFunc(only, func(p string) bool {
			if name, ok := strings.CutPrefix(p, "="); ok {
				return c.name == name // "=overview": that page alone
			}
			return strings.Contains(c.name, p)
		}) {
			continue
		}
		var times, cpus, scpus []time.Duration
		for range 3 {
			t0, c0, s0 := time.Now(), processCPU(), clusterNow()
			if err := c.run(); err != nil {
				b.Fatalf("%s: %v", c.name, err)
			}
			times, cpus, scpus = append(times, time.Since(t0)), append(cpus, processCPU()-c0), append(scpus, clusterNow()-s0)
		}
		sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
		sort.Slice(cpus, func(i, j int) bool { return cpus[i] < cpus[j] })
		sort.Slice(scpus, func(i, j int) bool { return scpus[i] < scpus[j] })
		server := ""
		if serverCPU != nil {
			server = fmt.Sprintf(", server CPU median %d ms", scpus[1].Milliseconds())
		}
		// Straight to stderr: go test keeps only ten lines of a benchmark's
		// log. The CPU is this process's (user + system; on SQLite the
		// database's work too), the figure a loaded machine does not inflate.
		fmt.Fprintf(os.Stderr, "%s: %-45s median %6d ms (min %d, max %d), CPU median %d ms%s (load %s)\n", engine, c.name,
			times[1].Milliseconds(), times[0].Milliseconds(), times[2].Milliseconds(), cpus[1].Milliseconds(), server, loadavg())
	}
}
