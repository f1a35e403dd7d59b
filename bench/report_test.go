package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/report"
	"github.com/ombud/ombud/internal/sla"
)

// BenchmarkReport measures the manager's overview dashboard (12 months,
// with the previous 12 months for the trend) over a generated history of
// OMBUD_BENCH_REPORT_TICKETS tickets (default 1,000,000) with about ten
// events each (10.4M for the default), on each engine in OMBUD_BENCH_ENGINES:
//
//	go test ./bench/ -run '^$' -bench Report -benchtime 1x -timeout 120m
//
// The history is written straight into the tickets and event tables (the
// API would take hours for 10M events), then `Rebuild` derives the facts
// and roll-ups exactly as in production; its time is reported too.
func BenchmarkReport(b *testing.B) {
	n := envInt("OMBUD_BENCH_REPORT_TICKETS", 1_000_000)
	engines := os.Getenv("OMBUD_BENCH_ENGINES")
	if engines == "" {
		engines = "sqlite,postgres"
	}
	for _, engine := range strings.Split(engines, ",") {
		b.Run(engine, func(b *testing.B) {
			ctx := context.Background()
			opts := db.Options{DataDir: b.TempDir()}
			if dir := os.Getenv("OMBUD_BENCH_REPORT_DIR"); dir != "" && engine == "sqlite" {
				// Keep (and reuse) the generated database between runs.
				opts.DataDir = dir
			}
			if engine == "postgres" {
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
			var have int
			_ = d.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets`).Scan(&have)
			reuse := have > 0
			start := time.Now()
			if !reuse {
				events := generate(b, d, n, now)
				b.Logf("%s: generated %d tickets, %d events in %s", engine, n, events, time.Since(start).Round(time.Second))
			}

			slas := sla.NewService(d, func() time.Time { return now }, nil)
			admin := authz.Actor{Kind: authz.KindAgent, ID: 1, Role: authz.Admin}
			reports := report.NewService(d, func() time.Time { return now }, slas, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if !reuse {
				rebuild(b, ctx, d, slas, reports, admin, engine)
			}
			measure(b, ctx, reports, admin, engine)
		})
	}
}

// rebuild sets up business hours and an SLA policy and derives the facts.
func rebuild(b *testing.B, ctx context.Context, d *db.DB, slas *sla.Service, reports *report.Service, admin authz.Actor, engine string) {
	// A kept history whose rebuild was stopped part way has its calendar
	// and policy from the first run: the rebuild starts again without them.
	if _, err := slas.CreateCalendar(ctx, admin, sla.CalendarInput{Name: "Office", TimeZone: "Europe/Oslo", Schedule: officeHours()}); apperr.Is(err, apperr.CodeConflict) {
		rebuildOnly(b, ctx, d, reports, engine)
		return
	} else if err != nil {
		b.Fatal(err)
	}
	var pin sla.PolicyInput
	if err := json.Unmarshal([]byte(`{"name":"Standard","active":true,"targets":{
				"low":{"first_reply":"24h","resolution":"120h"},"normal":{"first_reply":"8h","next_reply":"8h","resolution":"72h"},
				"high":{"first_reply":"2h","next_reply":"4h","resolution":"24h"},"urgent":{"first_reply":"1h","next_reply":"1h","resolution":"8h"}}}`), &pin); err != nil {
		b.Fatal(err)
	}
	if _, err := slas.CreatePolicy(ctx, admin, pin); err != nil {
		b.Fatal(err)
	}
	rebuildOnly(b, ctx, d, reports, engine)
}

// rebuildOnly runs the report rebuild over the history, printing its rate.
func rebuildOnly(b *testing.B, ctx context.Context, d *db.DB, reports *report.Service, engine string) {
	start, c0 := time.Now(), processCPU()
	// Progress every 50,000 tickets, with the rate and the process's CPU
	// per ticket (the rebuild's own cost on a shared machine).
	// With a kept PostgreSQL cluster, the server's CPU a ticket too.
	last, lastAt, lastCPU, lastServer := 0, start, c0, clusterNow()
	if err := reports.Rebuild(ctx, func(done int) {
		if done-last >= 50000 {
			now, cpu, server := time.Now(), processCPU(), clusterNow()
			extra := ""
			if serverCPU != nil {
				extra = fmt.Sprintf(", server %.0f µs CPU a ticket", float64((server-lastServer).Microseconds())/float64(done-last))
			}
			fmt.Fprintf(os.Stderr, "%s: rebuild %d tickets, %.0f tickets/s, %.0f µs CPU a ticket%s (load %s)\n", engine, done,
				float64(done-last)/now.Sub(lastAt).Seconds(), float64((cpu-lastCPU).Microseconds())/float64(done-last), extra, loadavg())
			last, lastAt, lastCPU, lastServer = done, now, cpu, server
		}
	}); err != nil {
		b.Fatal(err)
	}
	var facts int64
	_ = d.QueryRowContext(ctx, `SELECT COUNT(*) FROM report_facts`).Scan(&facts)
	b.Logf("%s: rebuild (facts and roll-ups from the log) %s, CPU %s, %d facts", engine, time.Since(start).Round(time.Second),
		(processCPU() - c0).Round(time.Second), facts)
}

// measure times the overview and a few other reports.
func measure(b *testing.B, ctx context.Context, reports *report.Service, admin authz.Actor, engine string) {
	var err error

	oslo, _ := time.LoadLocation("Europe/Oslo")
	f := report.Filter{From: time.Date(2025, 11, 1, 0, 0, 0, 0, oslo), To: time.Date(2026, 11, 1, 0, 0, 0, 0, oslo), Loc: oslo}
	var times []time.Duration
	var ov report.Overview
	b.ResetTimer()
	for range 5 {
		t0 := time.Now()
		ov, err = reports.Overview(ctx, admin, f)
		if err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(t0))
	}
	b.StopTimer()
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(ms(times[len(times)/2]), "overview-ms")
	b.Logf("%s: overview 12 months: median %s (min %s, max %s); created %d solved %d, first reply median %.0f s, SLA %.3f",
		engine, times[len(times)/2].Round(time.Millisecond), times[0].Round(time.Millisecond), times[len(times)-1].Round(time.Millisecond),
		ov.Current.Created, ov.Current.Solved, deref(ov.Current.FirstReplyMed), deref(ov.Current.SLAAttainment))
	// The team table (roll-up with dimensions) and a tag filter (facts).
	for _, c := range []struct {
		name string
		run  func() error
	}{
		{"team table", func() error { _, err := reports.Breakdown(ctx, admin, f, "team"); return err }},
		{"agent table", func() error { _, err := reports.Breakdown(ctx, admin, f, "agent"); return err }},
		// The tables' default: with each row's medians (one pass over the
		// year's first reply and solved facts).
		{"team table with medians", func() error { _, err := reports.BreakdownMedians(ctx, admin, f, "team"); return err }},
		{"agent table with medians", func() error { _, err := reports.BreakdownMedians(ctx, admin, f, "agent"); return err }},
		// Drill-downs: a page of the year's created tickets, the first and
		// (by its cursor) the second.
		{"drill-down, facts, pages 1 and 2", func() error { return twoPages(ctx, reports.FactPage, admin, f, 100) }},
		{"drill-down, tickets, pages 1 and 2", func() error { return twoPages(ctx, reports.FactTickets, admin, f, 50) }},
		{"drill-down, replies as tickets, pages 1 and 2", func() error {
			return twoPages(ctx, func(ctx context.Context, a authz.Actor, f report.Filter, _ string, pr page.Request) (page.List[report.Fact], error) {
				return reports.FactTickets(ctx, a, f, report.KindReply, pr)
			}, admin, f, 50)
		}},
		{"overview, one team", func() error { g := f; g.TeamID = 2; _, err := reports.Overview(ctx, admin, g); return err }},
		{"overview, one tag", func() error { g := f; g.Tag = "billing"; _, err := reports.Overview(ctx, admin, g); return err }},
	} {
		t0 := time.Now()
		if err := c.run(); err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: %s %s", engine, c.name, time.Since(t0).Round(time.Millisecond))
	}
}

// twoPages reads the first two pages of the year's created tickets'
// facts (or tickets) through fn.
func twoPages(ctx context.Context, fn func(context.Context, authz.Actor, report.Filter, string, page.Request) (page.List[report.Fact], error),
	admin authz.Actor, f report.Filter, size int) error {
	l, err := fn(ctx, admin, f, report.KindCreated, page.Request{Limit: size})
	if err != nil || l.NextCursor == nil {
		return err
	}
	c, err := page.Decode(*l.NextCursor)
	if err != nil {
		return err
	}
	_, err = fn(ctx, admin, f, report.KindCreated, page.Request{Limit: size, Cursor: c})
	return err
}

func deref(v *float64) float64 {
	if v == nil {
		return -1
	}
	return *v
}

func officeHours() sla.Schedule {
	day := []sla.Interval{{Start: "08:00", End: "16:00"}}
	return sla.Schedule{Mon: day, Tue: day, Wed: day, Thu: day, Fri: day}
}

// generate writes n tickets spread over the year before now, each with a
// customer's first message and about ten events: assignment, replies,
// pending and back, solves, one in ten reopened. It returns the number of
// events written.
func generate(b *testing.B, d *db.DB, n int, now time.Time) int64 {
	ctx := context.Background()
	const agents, teams = 50, 5
	err := d.Write(ctx, func(tx *db.Tx) error {
		for i := 1; i <= teams; i++ {
			if _, err := tx.ExecContext(ctx, `INSERT INTO teams (id, name, created_at, updated_at) VALUES (?, ?, 1, 1)`, i, fmt.Sprintf("Team %d", i)); err != nil {
				return err
			}
		}
		for i := 1; i <= agents; i++ {
			if _, err := tx.ExecContext(ctx, `INSERT INTO agents (id, email, name, role, created_at, updated_at) VALUES (?, ?, ?, 'agent', 1, 1)`,
				i, fmt.Sprintf("agent%d@ombud.test", i), fmt.Sprintf("Agent %d", i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, 11))
	channels := []string{"email", "email", "email", "chat", "web", "phone"}
	priorities := []string{"low", "normal", "normal", "normal", "high", "urgent"}
	types := []string{"question", "incident", "problem", "task", "complaint", "return"}
	tags := []string{"billing", "shipping", "login", "refund", "bug"}
	year := 365 * 24 * time.Hour
	first := now.Add(-year)
	const chunk = 5000
	var total int64
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		var custs, tks, evs, tgs [][]any
		for i := lo; i < hi; i++ {
			id := int64(i + 1)
			cust := int64(i/10 + 1)
			if i%10 == 0 {
				custs = append(custs, []any{cust, fmt.Sprintf("Customer %d", cust), 1, 1})
			}
			// Busier on weekdays in office hours, as real traffic is.
			created := first.Add(time.Duration(float64(year) * float64(i) / float64(n)))
			if h := created.Hour(); h < 6 || h > 20 {
				created = created.Add(time.Duration(r.IntN(6)) * time.Hour)
			}
			agent := int64(r.IntN(agents) + 1)
			team := (agent-1)%teams + 1
			ch, prio, typ := channels[r.IntN(len(channels))], priorities[r.IntN(len(priorities))], types[r.IntN(len(types))]
			tag := tags[r.IntN(len(tags))]
			seq := int64(0)
			at := created
			ev := func(typ, actorType string, actor int64, data string) {
				seq++
				evs = append(evs, []any{id, seq, typ, actorType, db.NullInt(actor), db.Millis(at), data})
			}
			later := func(maxMinutes int) { at = at.Add(time.Duration(1+r.IntN(maxMinutes)) * time.Minute) }
			ev("created", "customer", cust, fmt.Sprintf(`{"subject":"Help","status":"new","priority":%q,"type":%q,"channel":%q,"requester_id":%d,"tags":[%q]}`, prio, typ, ch, cust, tag))
			ev("comment_added", "customer", cust, fmt.Sprintf(`{"comment_id":%d,"public":true,"author_type":"customer","author_id":%d}`, seq, cust))
			later(30)
			ev("assignee_changed", "system", 0, fmt.Sprintf(`{"from":0,"to":%d}`, agent))
			ev("team_changed", "system", 0, fmt.Sprintf(`{"from":0,"to":%d}`, team))
			// Triage: a tag and the priority confirmed (events reports
			// skip, as most of a real log is).
			ev("tags_changed", "agent", agent, fmt.Sprintf(`{"from":[%q],"to":[%q,"triaged"]}`, tag, tag))
			ev("priority_changed", "agent", agent, fmt.Sprintf(`{"from":%q,"to":%q}`, prio, prio))
			status := "new"
			solvedAt := int64(0)
			rounds := 1 + r.IntN(2)
			if r.IntN(10) == 0 {
				rounds++
			}
			for k := range rounds {
				later(600)
				ev("comment_added", "agent", agent, fmt.Sprintf(`{"comment_id":%d,"public":true,"author_type":"agent","author_id":%d}`, seq, agent))
				to := "pending"
				if k == rounds-1 || r.IntN(3) == 0 {
					to = "solved"
				}
				ev("status_changed", "agent", agent, fmt.Sprintf(`{"from":%q,"to":%q}`, status, to))
				status = to
				if to == "solved" {
					solvedAt = db.Millis(at)
				}
				if k == rounds-1 || at.After(now) {
					break
				}
				later(1440)
				ev("comment_added", "customer", cust, fmt.Sprintf(`{"comment_id":%d,"public":true,"author_type":"customer","author_id":%d}`, seq, cust))
				ev("status_changed", "customer", cust, fmt.Sprintf(`{"from":%q,"to":"open"}`, status))
				status, solvedAt = "open", 0
			}
			tks = append(tks, []any{id, "Help", status, prio, typ, ch, cust, agent, team, db.Millis(created), db.Millis(at), seq, nullMillis(solvedAt)})
			tgs = append(tgs, []any{id, tag})
		}
		err := d.Write(ctx, func(tx *db.Tx) error {
			if err := insertRows(ctx, tx, `INSERT INTO customers (id, name, created_at, updated_at) VALUES `, custs); err != nil {
				return err
			}
			if err := insertRows(ctx, tx, `INSERT INTO tickets (id, subject, status, priority, type, channel, requester_id, assignee_id, team_id, created_at, updated_at, last_seq, solved_at) VALUES `, tks); err != nil {
				return err
			}
			if err := insertRows(ctx, tx, `INSERT INTO ticket_tags (ticket_id, tag) VALUES `, tgs); err != nil {
				return err
			}
			return insertRows(ctx, tx, `INSERT INTO ticket_events (ticket_id, seq, type, actor_type, actor_id, at, data) VALUES `, evs)
		})
		if err != nil {
			b.Fatal(err)
		}
		total += int64(len(evs))
	}
	return total
}

func nullMillis(ms int64) any {
	if ms == 0 {
		return nil
	}
	return ms
}

// insertRows writes rows with multi-row INSERTs of up to 500 rows.
func insertRows(ctx context.Context, tx *db.Tx, head string, rows [][]any) error {
	for len(rows) > 0 {
		k := min(500, len(rows))
		part := rows[:k]
		rows = rows[k:]
		one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(part[0])), ", ") + ")"
		var args []any
		for _, r := range part {
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, head+strings.TrimSuffix(strings.Repeat(one+", ", len(part)), ", "), args...); err != nil {
			return fmt.Errorf("%s: %w", head, err)
		}
	}
	return nil
}

// loadavg is the first field of /proc/loadavg ("?" where there is none).
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}
