// Package report turns the ticket event log into the numbers a support
// manager runs the team by: per-ticket facts (each first reply, solve,
// reopen, SLA target met…) and hourly roll-ups of them that dashboards,
// exports and scheduled summaries read. docs/metrics.md defines every
// metric; any figure can be traced to the facts and events behind it.
package report

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/jobs"
	"github.com/ombud/ombud/internal/sla"
	"github.com/ombud/ombud/internal/ticket"
)

// RefreshName is the periodic job that folds dirty tickets into the facts.
const RefreshName = "report.refresh"

const (
	// lockKey is the PostgreSQL advisory lock that keeps two instances
	// from applying the same ticket's difference twice.
	lockKey = 7_242_001
)

// SLAs is what reports need of the SLA service.
type SLAs interface {
	Snapshot(ctx context.Context) (*sla.Snapshot, error)
}

// Service computes and reads report data.
type Service struct {
	db   *db.DB
	now  func() time.Time
	slas SLAs
	log  *slog.Logger
	// mailer sends the scheduled summaries (SetMailer; nil: none).
	mailer Mailer
	// exactLimit: see SetExactMedianLimit.
	exactLimit int64
	// noPairs: see SetPairRollups; pairsDone: the pair fill is done.
	noPairs   bool
	pairsDone atomic.Bool
	// noMonths: see SetMonthRollups; monthsDone: the month fill is done.
	noMonths   bool
	monthsDone atomic.Bool
	// refreshSize is how many tickets the next refresh transaction takes
	// (0: batch), sized by nextRefreshSize from the last one's hold.
	refreshSize atomic.Int64
}

// NewService returns a report service; slas may be nil (no SLA facts,
// business hours are 24/7).
func NewService(d *db.DB, now func() time.Time, slas SLAs, log *slog.Logger) *Service {
	return &Service{db: d, now: now, slas: slas, log: log, exactLimit: ExactMedianLimit}
}

// Register refreshes the facts every few seconds on r.
func (s *Service) Register(r *jobs.Runner) {
	r.Every(RefreshName, 5*time.Second, func(ctx context.Context, _ time.Time) error {
		_, err := s.Refresh(ctx)
		return err
	})
	// Scheduled summaries (subscriptions.go): hourly, so each agent's
	// Monday 06:00 comes within the hour in any time zone.
	r.Every(SummariesName, time.Hour, s.SendSummaries)
}

// TicketEvents marks the ticket dirty inside the transaction that wrote
// its events: one small upsert, so ticket writes stay fast and the facts
// follow within seconds.
func (s *Service) TicketEvents(ctx context.Context, tx *db.Tx, ticketID int64, _ []ticket.Event) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO report_dirty (ticket_id, gen) VALUES (?, 1)
		ON CONFLICT (ticket_id) DO UPDATE SET gen = report_dirty.gen + 1`, ticketID); err != nil {
		return fmt.Errorf("report: mark ticket %d: %w", ticketID, err)
	}
	return nil
}

// TicketEventsCTE is TicketEvents' mark as a CTE of the statement that
// appends the events (PostgreSQL, ticket.FoldedHook).
func (s *Service) TicketEventsCTE(_ context.Context, _ *db.Tx, _ []ticket.Event, from string) (string, bool, error) {
	return `INSERT INTO report_dirty (ticket_id, gen) SELECT id, 1 FROM ` + from + `
		ON CONFLICT (ticket_id) DO UPDATE SET gen = report_dirty.gen + 1`, true, nil
}

var (
	_ ticket.ImportBatchHook = (*Service)(nil)
	_ ticket.FoldedHook      = (*Service)(nil)
)

// HookImports makes imported tickets count too.
func (s *Service) HookImports() {}

// TicketsImportedTx marks a batch of imported tickets dirty in one
// statement per 500 (ticket.ImportBatchHook): the same rows TicketEvents
// leaves, one mark per ticket.
func (s *Service) TicketsImportedTx(ctx context.Context, tx *db.Tx, ids []int64) error {
	for len(ids) > 0 {
		n := min(len(ids), 500)
		vals := make([]string, n)
		args := make([]any, n)
		for i, id := range ids[:n] {
			vals[i] = "(?, 1)"
			args[i] = id
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO report_dirty (ticket_id, gen) VALUES `+strings.Join(vals, ", ")+`
			ON CONFLICT (ticket_id) DO UPDATE SET gen = report_dirty.gen + 1`, args...); err != nil {
			return fmt.Errorf("report: mark imported tickets: %w", err)
		}
		ids = ids[n:]
	}
	return nil
}

func (s *Service) snapshot(ctx context.Context) (*sla.Snapshot, error) {
	if s.slas == nil {
		return nil, nil
	}
	sn, err := s.slas.Snapshot(ctx)
	if err != nil {
		return nil, fmt.Errorf("report: sla rules: %w", err)
	}
	return sn, nil
}

// factKey identifies a fact within its ticket.
type factKey struct {
	kind string
	n    int
}

// recompute brings the facts of ids up to date with their logs and
// applies the difference to the roll-ups, all inside tx. It returns how
// many fact rows it wrote or deleted: a fact whose values did not change
// is left as it is, and so are the roll-up rows it counts in.
func (s *Service) recompute(ctx context.Context, tx *db.Tx, sn *sla.Snapshot, ids []int64) (int, error) {
	limit, err := pairLimit(ctx, tx)
	if err != nil {
		return 0, err
	}
	d := newDelta(limit)
	n, err := s.recomputeInto(ctx, tx, sn, ids, d)
	if err != nil {
		return 0, err
	}
	return n, d.apply(ctx, tx)
}

// recomputeInto brings the facts of ids up to date with their logs, inside
// tx, and adds the difference to d (the caller applies it).
func (s *Service) recomputeInto(ctx context.Context, tx *db.Tx, sn *sla.Snapshot, ids []int64, d *delta) (int, error) {
	now := s.now()
	states, slaTickets, err := loadTickets(ctx, tx, ids, sn != nil)
	if err != nil {
		return 0, err
	}
	events, err := loadEvents(ctx, tx, ids)
	if err != nil {
		return 0, err
	}
	old, err := loadFacts(ctx, tx, ids)
	if err != nil {
		return 0, err
	}
	var cal *sla.Calendar
	if sn != nil {
		cal = sn.BusinessCalendar()
	}
	var upserts []Fact
	var drops []Fact
	for _, id := range ids {
		var fresh []Fact
		if st, ok := states[id]; ok {
			var eps []sla.Metric
			if sn != nil {
				eps = sn.Episodes(slaTickets[id], events[id], now)
			}
			fresh = Compute(st, events[id], cal, eps)
		}
		if len(old[id]) == 0 { // a new ticket, and every one in a rebuild
			for _, f := range fresh {
				d.add(f, 1)
			}
			upserts = append(upserts, fresh...)
			continue
		}
		before := map[factKey]Fact{}
		for _, f := range old[id] {
			before[factKey{f.Kind, f.N}] = f
		}
		for _, f := range fresh {
			k := factKey{f.Kind, f.N}
			prev, had := before[k]
			delete(before, k)
			if had && sameFact(prev, f) {
				continue
			}
			if had {
				d.add(prev, -1)
			}
			d.add(f, 1)
			upserts = append(upserts, f)
		}
		for _, f := range before {
			d.add(f, -1)
			drops = append(drops, f)
		}
	}
	if err := writeFacts(ctx, tx, upserts); err != nil {
		return 0, err
	}
	for _, f := range drops {
		if _, err := tx.ExecContext(ctx, `DELETE FROM report_facts WHERE ticket_id = ? AND kind = ? AND n = ?`, f.TicketID, f.Kind, f.N); err != nil {
			return 0, fmt.Errorf("report: drop fact %d %s: %w", f.TicketID, f.Kind, err)
		}
	}
	return len(upserts) + len(drops), nil
}

// rowsPer says how many rows one upsert statement carries. On
// PostgreSQL a few hundred: one round trip per row is what made a rebuild
// slow. On SQLite one: there is no round trip, and a multi-row upsert needs
// a statement journal of every page it touches, which cost more than it
// saved.
func rowsPer(tx *db.Tx) int {
	if tx.Dialect() == db.Postgres {
		return 400
	}
	return 1
}

// writeFacts inserts or replaces facts, many rows per statement.
func writeFacts(ctx context.Context, tx *db.Tx, facts []Fact) error {
	for len(facts) > 0 {
		part := facts[:min(rowsPer(tx), len(facts))]
		facts = facts[len(part):]
		args := make([]any, 0, len(part)*15)
		for _, f := range part {
			args = append(args, f.TicketID, f.Kind, f.N, db.Millis(f.At), hourOf(f.At), f.TeamID, f.AgentID, f.Channel, f.Priority, f.Type,
				f.OrganizationID, f.Language, f.Value, f.BValue, f.Tags)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO report_facts
			(ticket_id, kind, n, at, hour, team_id, agent_id, channel, priority, type, organization_id, language, value, bvalue, tags)
			VALUES `+valueRows(len(part), 15)+`
			ON CONFLICT (ticket_id, kind, n) DO UPDATE SET at = excluded.at, hour = excluded.hour,
				team_id = excluded.team_id, agent_id = excluded.agent_id, channel = excluded.channel,
				priority = excluded.priority, type = excluded.type, organization_id = excluded.organization_id,
				language = excluded.language, value = excluded.value, bvalue = excluded.bvalue, tags = excluded.tags`, args...); err != nil {
			return fmt.Errorf("report: write facts: %w", err)
		}
	}
	return nil
}

// valueRows returns "(?, ?), (?, ?)" for rows × cols parameters.
func valueRows(rows, cols int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ")
}

func sameFact(a, b Fact) bool {
	return a.At.Equal(b.At) && a.Dims == b.Dims && a.Value == b.Value && a.BValue == b.BValue
}

func hourOf(t time.Time) int64 { return t.Unix() / 3600 }

// Pending returns how many tickets wait for a refresh (shown on dashboards
// as "updating").
func (s *Service) Pending(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM report_dirty) + (SELECT COUNT(*) FROM report_dirty_nps)`).Scan(&n); err != nil {
		return 0, fmt.Errorf("report: pending: %w", err)
	}
	return n, nil
}
