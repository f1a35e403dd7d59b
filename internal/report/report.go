// Package report turns the ticket event log into the numbers a support
// manager runs the team by: per-ticket facts (each first reply, solve,
// reopen, SLA target met…) and hourly roll-ups of them that dashboards,
// exports and scheduled summaries read. docs/metrics.md defines every
// metric; any figure can be traced to the facts and events behind it.
package report

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
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
	// batch is the most tickets one write transaction recomputes; the
	// refresher takes fewer when a batch holds the writer longer than
	// holdTarget (nextRefreshSize).
	batch = 200
	// maxBatches bounds one refresh run (maxBatches × batch tickets), as
	// does runBudget its time; the rest waits for the next run, 5 s later.
	// A shutdown waits for a running handler: it must not wait long.
	maxBatches = 100
	runBudget  = 10 * time.Second
	// holdTarget is how long one refresh transaction should hold the
	// writer: on SQLite every other write, an agent's reply included,
	// waits behind it (a create's p99 target is 50 ms at 64 clients).
	holdTarget = 25 * time.Millisecond
	// minRefresh is the fewest tickets a refresh transaction takes.
	minRefresh = 10
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

var _ ticket.ImportBatchHook = (*Service)(nil)

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

// Refresh recomputes the facts of every dirty ticket (up to a bound) and
// returns how many tickets it looked at.
func (s *Service) Refresh(ctx context.Context) (int, error) {
	// Most runs find nothing to do: ask the read pool before loading the
	// SLA rules and taking the writer.
	var dirty, dirtyNPS int
	if err := s.db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM report_dirty LIMIT 1) d),
		(SELECT COUNT(*) FROM (SELECT 1 FROM report_dirty_nps LIMIT 1) n)`).Scan(&dirty, &dirtyNPS); err != nil {
		return 0, fmt.Errorf("report: dirty: %w", err)
	}
	// The pair fill in steps of pairFillBatch tickets, several a run: a
	// step's roll-up changes are held in memory until written.
	for range pairFillSteps {
		more, err := s.FillPairs(ctx)
		if err != nil {
			return 0, err
		}
		if !more {
			break
		}
	}
	// The month fill, a dimension a step (migration 0092).
	for range pairFillSteps {
		more, err := s.FillMonths(ctx)
		if err != nil {
			return 0, err
		}
		if !more {
			break
		}
	}
	if dirtyNPS > 0 {
		if err := s.refreshAllNPS(ctx, false); err != nil {
			return 0, err
		}
	}
	if dirty == 0 {
		return 0, nil
	}
	sn, err := s.snapshot(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	began := time.Now()
	for total < maxBatches*batch && time.Since(began) < runBudget {
		size := int(s.refreshSize.Load())
		if size == 0 {
			size = batch
		}
		n, held, err := s.refreshBatch(ctx, sn, size)
		s.refreshSize.Store(int64(nextRefreshSize(size, held)))
		total += n
		if err != nil || n < size {
			return total, err
		}
	}
	return total, nil
}

// nextRefreshSize sizes the next refresh transaction from the last one's:
// size tickets held the writer for held. It shrinks in proportion when the
// hold passed holdTarget (a slow machine, tickets with long histories) and
// doubles back towards batch when it took less than half of it.
func nextRefreshSize(size int, held time.Duration) int {
	switch {
	case held > holdTarget:
		size = int(int64(size) * int64(holdTarget) / int64(held))
	case held < holdTarget/2:
		size *= 2
	}
	return min(batch, max(minRefresh, size))
}

// refreshBatch recomputes up to size dirty tickets in one transaction and
// says how long it held the writer.
func (s *Service) refreshBatch(ctx context.Context, sn *sla.Snapshot, size int) (int, time.Duration, error) {
	n := 0
	var held time.Duration
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		n = 0
		start := time.Now()
		defer func() { held = time.Since(start) }()
		if ok, err := lock(ctx, tx); err != nil || !ok {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT ticket_id, gen FROM report_dirty ORDER BY ticket_id LIMIT ?`, size)
		if err != nil {
			return fmt.Errorf("report: dirty: %w", err)
		}
		gens := map[int64]int64{}
		var ids []int64
		for rows.Next() {
			var id, gen int64
			if err := rows.Scan(&id, &gen); err != nil {
				rows.Close()
				return fmt.Errorf("report: dirty: %w", err)
			}
			gens[id] = gen
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("report: dirty: %w", err)
		}
		n = len(ids)
		if n == 0 {
			return nil
		}
		if _, err := s.recompute(ctx, tx, sn, ids); err != nil {
			return err
		}
		return clean(ctx, tx, ids, gens)
	})
	return n, held, err
}

// clean drops the dirty marks of ids in one statement, each only if its
// generation is still the one read: a ticket written to after that stays
// dirty for the next run (on PostgreSQL a concurrent transaction can mark
// it meanwhile; SQLite's single writer cannot, but the condition costs
// nothing there).
func clean(ctx context.Context, tx *db.Tx, ids []int64, gens map[int64]int64) error {
	for len(ids) > 0 {
		part := ids[:min(batch, len(ids))]
		ids = ids[len(part):]
		conds := make([]string, len(part))
		args := make([]any, 0, 2*len(part))
		for i, id := range part {
			conds[i] = "(ticket_id = ? AND gen = ?)"
			args = append(args, id, gens[id])
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM report_dirty WHERE `+strings.Join(conds, " OR "), args...); err != nil {
			return fmt.Errorf("report: clean: %w", err)
		}
	}
	return nil
}

// lock takes the transaction-scoped advisory lock on PostgreSQL (SQLite's
// single writer already serialises); false means another instance is
// refreshing, which is as good.
func lock(ctx context.Context, tx *db.Tx) (bool, error) {
	if tx.Dialect() != db.Postgres {
		return true, nil
	}
	var ok bool
	if err := tx.QueryRowContext(ctx, `SELECT pg_try_advisory_xact_lock(?)`, lockKey).Scan(&ok); err != nil {
		return false, fmt.Errorf("report: lock: %w", err)
	}
	return ok, nil
}

// Rebuild recomputes every ticket's facts from the event log, in batches
// of ticket ids, applying each batch's difference to the roll-ups exactly
// as the incremental refresh does. After a rebuild of unchanged data the
// roll-ups are unchanged; a test proves the two agree.
func (s *Service) Rebuild(ctx context.Context, progress func(done int)) error {
	sn, err := s.snapshot(ctx)
	if err != nil {
		return err
	}
	// Roll-ups are recomputed from scratch: drop them and the facts,
	// then rebuild both ticket by ticket.
	if err := s.db.Write(ctx, func(tx *db.Tx) error {
		if ok, err := lockWait(ctx, tx); err != nil || !ok {
			return err
		}
		for _, t := range []string{"report_facts", "report_hourly", "report_hourly_dim", "report_daily_dim", "report_monthly_dim", "report_hist", "report_hist_month", "report_pair_fill", "report_month_fill"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t); err != nil {
				return fmt.Errorf("report: clear %s: %w", t, err)
			}
		}
		// Every NPS send's facts again too (refreshAllNPS, at the end).
		if _, err := tx.ExecContext(ctx, `INSERT INTO report_dirty_nps (send_id, gen) SELECT id, 1 FROM nps_sends WHERE true
			ON CONFLICT (send_id) DO UPDATE SET gen = report_dirty_nps.gen + 1`); err != nil {
			return fmt.Errorf("report: mark nps sends: %w", err)
		}
		return nil
	}); err != nil {
		return err
	}
	return s.rebuildFrom(ctx, sn, progress)
}

// rebuildFrom recomputes every ticket's facts in id order, a window of
// rebuildWindow tickets a transaction: the window's tickets are loaded and
// their facts written a chunk of rebuildChunk at a time, while one delta
// gathers the roll-up changes of the whole window, so each roll-up row
// (hourly, daily, monthly, pair, histogram) is written once a window
// instead of once a chunk. A rebuild starts from emptied tables; a ticket
// the refresher recomputed meanwhile already has its facts, and the diff
// in recomputeInto leaves them (and their roll-ups) as they are.
func (s *Service) rebuildFrom(ctx context.Context, sn *sla.Snapshot, progress func(done int)) error {
	after, done := int64(0), 0
	for {
		var last int64
		n := 0
		if err := s.db.Write(ctx, func(tx *db.Tx) error {
			last, n = after, 0
			if ok, err := lockWait(ctx, tx); err != nil || !ok {
				return err
			}
			limit, err := pairLimit(ctx, tx)
			if err != nil {
				return err
			}
			d := newDelta(limit)
			for n < rebuildWindow {
				ids, err := ticketIDsAfter(ctx, tx, last, min(rebuildChunk, rebuildWindow-n))
				if err != nil {
					return err
				}
				if len(ids) == 0 {
					break
				}
				if _, err := s.recomputeInto(ctx, tx, sn, ids, d); err != nil {
					return err
				}
				last = ids[len(ids)-1]
				n += len(ids)
			}
			return d.apply(ctx, tx)
		}); err != nil {
			return err
		}
		if n == 0 {
			return s.refreshAllNPS(ctx, true)
		}
		after = last
		done += n
		if progress != nil {
			progress(done)
		}
	}
}

// ticketIDsAfter returns up to n ticket ids above after, in order.
func ticketIDsAfter(ctx context.Context, tx *db.Tx, after int64, n int) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM tickets WHERE id > ? ORDER BY id LIMIT ?`, after, n)
	if err != nil {
		return nil, fmt.Errorf("report: rebuild ids: %w", err)
	}
	defer rows.Close()
	ids := make([]int64, 0, n)
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("report: rebuild ids: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report: rebuild ids: %w", err)
	}
	return ids, nil
}

// A rebuild takes rebuildWindow tickets a transaction (their roll-up
// changes are written once, at its end) and loads them rebuildChunk at a
// time (their events and facts are what the memory holds). A window of
// 20,000 tickets saved 6 % of the CPU over 5,000 at 1M tickets
// (docs/benchmarks.md) but held SQLite's writer ~12 s, past the 10 s a
// server's write waits for the lock when `ombud report rebuild` runs
// beside it; 5,000 hold it ~3 s, as the batches before did. Variables so
// that tests can make windows of a few tickets.
var (
	rebuildWindow = 5000
	rebuildChunk  = 1000
)

// lockWait takes the advisory lock on PostgreSQL, waiting for a refresh
// on another instance to finish.
func lockWait(ctx context.Context, tx *db.Tx) (bool, error) {
	if tx.Dialect() != db.Postgres {
		return true, nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, lockKey); err != nil {
		return false, fmt.Errorf("report: lock: %w", err)
	}
	return true, nil
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

// sums is one roll-up cell's change.
type sums struct{ n, total, btotal int64 }

// cell is one kind's change within a roll-up row.
type cell struct {
	kind int
	sums
}

// row is a roll-up row's change: a cell for each kind a fact of the batch
// touched, in Kinds order, and the set of those kinds. A fact is of one
// kind, so most rows hold one cell: a full row of every kind's columns for
// each of a batch's many keys (dimensions, tags, pairs) is what made the
// refresher's batches take hundreds of megabytes.
type row struct {
	mask  uint32 // bit i: Kinds[i] has a cell
	cells []cell
}

const numKinds = 28

// kindIndex maps a kind to its column triple.
var kindIndex = func() map[string]int {
	if len(Kinds) != numKinds || numKinds > 32 {
		panic("report: numKinds does not match Kinds")
	}
	m := map[string]int{}
	for i, k := range Kinds {
		m[k] = i
	}
	return m
}()

// bump adds a fact's change to kind i's cell.
func (r *row) bump(i int, sign, value, bvalue int64) {
	j := 0
	for j < len(r.cells) && r.cells[j].kind < i {
		j++
	}
	if j == len(r.cells) || r.cells[j].kind != i {
		r.cells = append(r.cells, cell{})
		copy(r.cells[j+1:], r.cells[j:])
		r.cells[j] = cell{kind: i}
		r.mask |= 1 << i
	}
	c := &r.cells[j].sums
	c.n, c.total, c.btotal = c.n+sign, c.total+sign*value, c.btotal+sign*bvalue
}

type dimKey struct {
	dim, value string
	hour       int64
}

// delta accumulates a batch's roll-up changes, so each row is written once.
// Facts of tickets above pairsUpTo are left out of the pair roll-ups (the
// pair fill adds them when it gets there).
type delta struct {
	pairsUpTo int64
	hourly    map[int64]*row
	dims      map[dimKey]*row
	daily     map[dimKey]*row  // report_daily_dim; hour holds the day
	monthly   map[dimKey]*row  // report_monthly_dim (one-dimension rows only); hour holds the month
	hist      map[histKey]hist // report_hist: bucket → count change
}

func newDelta(pairsUpTo int64) *delta {
	return &delta{pairsUpTo: pairsUpTo, hourly: map[int64]*row{}, dims: map[dimKey]*row{}, daily: map[dimKey]*row{}, monthly: map[dimKey]*row{}, hist: map[histKey]hist{}}
}

// bumpAt adds f's change (kind i) to m's row at k.
func bumpAt[K comparable](m map[K]*row, k K, i int, f Fact, sign int64) {
	r := m[k]
	if r == nil {
		r = &row{}
		m[k] = r
	}
	r.bump(i, sign, f.Value, f.BValue)
}

func (d *delta) add(f Fact, sign int64) {
	i, ok := kindIndex[f.Kind]
	if !ok {
		return
	}
	h := hourOf(f.At)
	bumpAt(d.hourly, h, i, f, sign)
	day := dayOf(h)
	d.addHist(f, "", "", day, sign)
	for _, dv := range dimValues(f) {
		bumpAt(d.dims, dimKey{dv[0], dv[1], h}, i, f, sign)
		d.addHist(f, dv[0], dv[1], day, sign)
	}
	if f.TicketID <= d.pairsUpTo {
		d.addPairs(f, sign)
	}
}

// addPairs adds f's change to the pair roll-ups only.
func (d *delta) addPairs(f Fact, sign int64) {
	i, ok := kindIndex[f.Kind]
	if !ok {
		return
	}
	h := hourOf(f.At)
	day := dayOf(h)
	for _, pv := range pairValues(f) {
		bumpAt(d.dims, dimKey{pv[0], pv[1], h}, i, f, sign)
		d.addHist(f, pv[0], pv[1], day, sign)
	}
}

// rollUp derives the daily and monthly roll-ups' changes from the hourly
// ones (apply calls it once, before writing): a day's row is the sum of
// its hours' rows, a month's of its days'. Adding each fact's change to
// its hour only, and the hours to the days here, costs one row a fact and
// dimension value instead of three; a batch's facts share their hours.
// The pairs have no monthly rows.
func (d *delta) rollUp() {
	for h, r := range d.hourly {
		day := dayOf(h)
		addRow(d.daily, dimKey{"", "", day}, r)
		addRow(d.monthly, dimKey{"", "", monthOfDay(day)}, r)
	}
	for k, r := range d.dims {
		day := dayOf(k.hour)
		addRow(d.daily, dimKey{k.dim, k.value, day}, r)
		if !strings.Contains(k.dim, "+") {
			addRow(d.monthly, dimKey{k.dim, k.value, monthOfDay(day)}, r)
		}
	}
}

// addRow adds the cells of r to m's row at k.
func addRow(m map[dimKey]*row, k dimKey, r *row) {
	to := m[k]
	if to == nil {
		to = &row{}
		m[k] = to
	}
	for _, c := range r.cells {
		to.add(c)
	}
}

// add adds c to the row's cell of c's kind.
func (r *row) add(c cell) {
	j := 0
	for j < len(r.cells) && r.cells[j].kind < c.kind {
		j++
	}
	if j == len(r.cells) || r.cells[j].kind != c.kind {
		r.cells = append(r.cells, cell{})
		copy(r.cells[j+1:], r.cells[j:])
		r.cells[j] = cell{kind: c.kind}
		r.mask |= 1 << c.kind
	}
	s := &r.cells[j].sums
	s.n, s.total, s.btotal = s.n+c.n, s.total+c.total, s.btotal+c.btotal
}

// total is the row's change of its fact count.
func (r *row) total() int64 {
	var n int64
	for _, c := range r.cells {
		n += c.n
	}
	return n
}

func (r *row) zero() bool {
	for _, c := range r.cells {
		if c.sums != (sums{}) {
			return false
		}
	}
	return true
}

// upsertSQL is the statement adding rows of the kinds in mask to table:
// only those kinds' columns are named (the others keep their value, or
// their default 0 in a new row). Kept per table, key and mask.
func upsertSQL(table, keyCols, conflict string, mask uint32, rows int) string {
	ck := sqlKey{table, mask, rows}
	if rows <= 1 {
		if s, ok := upsertCache.Load(ck); ok {
			return s.(string)
		}
	}
	var cols, upd strings.Builder
	cols.WriteString(keyCols + ", n")
	upd.WriteString("n = " + table + ".n + excluded.n")
	width := strings.Count(keyCols, ",") + 2
	for i, k := range Kinds {
		if mask&(1<<i) == 0 {
			continue
		}
		for _, suf := range []string{"_n", "_t", "_b"} {
			c := k + suf
			cols.WriteString(", " + c)
			upd.WriteString(", " + c + " = " + table + "." + c + " + excluded." + c)
			width++
		}
	}
	s := `INSERT INTO ` + table + ` (` + cols.String() + `) VALUES ` + valueRows(rows, width) +
		` ON CONFLICT (` + conflict + `) DO UPDATE SET ` + upd.String()
	if rows <= 1 {
		upsertCache.Store(ck, s)
	}
	return s
}

type sqlKey struct {
	table string
	mask  uint32
	rows  int
}

var upsertCache sync.Map // sqlKey → string

// upsertRollup adds the non-zero row changes of m to table (keyCols and
// keyArgs name and give a row's key), rows of the same kinds together,
// building each statement's arguments only as it is sent. It returns the
// keys of rows whose count went down, which may now be empty.
func upsertRollup[K comparable](ctx context.Context, tx *db.Tx, table, keyCols string, m map[K]*row, keyArgs func(K, []any) []any, cmp func(a, b K) int) ([]K, error) {
	var shrunk, all []K
	for k, r := range m {
		if r.zero() {
			continue
		}
		all = append(all, k)
		if r.total() < 0 {
			shrunk = append(shrunk, k)
		}
	}
	// In key order: each insert lands next to the last in the table's
	// B-tree (a rebuild's windows add rows by the hundred thousand).
	slices.SortFunc(all, cmp)
	type group struct {
		mask uint32
		keys []K
	}
	var groups []group
	if rowsPer(tx) == 1 {
		for _, k := range all {
			groups = append(groups, group{widen(m[k].mask), []K{k}})
		}
	} else {
		at := map[uint32]int{}
		for _, k := range all {
			w := widen(m[k].mask)
			i, ok := at[w]
			if !ok {
				i = len(groups)
				at[w] = i
				groups = append(groups, group{mask: w})
			}
			groups[i].keys = append(groups[i].keys, k)
		}
	}
	var args []any
	for _, g := range groups {
		mask, keys := g.mask, g.keys
		for len(keys) > 0 {
			part := keys[:min(rowsPer(tx), len(keys))]
			keys = keys[len(part):]
			args = args[:0]
			for _, k := range part {
				r := m[k]
				args = append(keyArgs(k, args), r.total())
				j := 0
				for i := range numKinds {
					if mask&(1<<i) == 0 {
						continue
					}
					if j < len(r.cells) && r.cells[j].kind == i {
						c := r.cells[j]
						args = append(args, c.n, c.total, c.btotal)
						j++
						continue
					}
					args = append(args, int64(0), int64(0), int64(0))
				}
			}
			if _, err := tx.ExecContext(ctx, upsertSQL(table, keyCols, keyCols, mask, len(part)), args...); err != nil {
				return nil, fmt.Errorf("report: roll up: %w", err)
			}
		}
	}
	return shrunk, nil
}

// kindBlock kinds make a block: a roll-up statement names every column of
// each block a row touches (adding 0 to the others), so that a table has
// at most 2^(numKinds/kindBlock) statements. One statement per exact set
// of kinds made hundreds of them in a rebuild's large batches, more than
// a transaction keeps prepared, and SQLite spent a quarter of the rebuild
// parsing them again.
const kindBlock = 7

// widen returns mask with every block it touches filled.
func widen(mask uint32) uint32 {
	var w uint32
	for b := 0; b < numKinds; b += kindBlock {
		block := uint32(1<<kindBlock-1) << b
		if mask&block != 0 {
			w |= block
		}
	}
	return w & (1<<numKinds - 1)
}

func hourArgs(h int64, args []any) []any { return append(args, h) }

func cmpDimKey(a, b dimKey) int {
	if c := strings.Compare(a.dim, b.dim); c != 0 {
		return c
	}
	if c := strings.Compare(a.value, b.value); c != 0 {
		return c
	}
	return cmp.Compare(a.hour, b.hour)
}

func dimArgs(k dimKey, args []any) []any { return append(args, k.dim, k.value, k.hour) }

func (d *delta) apply(ctx context.Context, tx *db.Tx) error {
	d.rollUp()
	shrunk, err := upsertRollup(ctx, tx, "report_hourly", "hour", d.hourly, hourArgs, cmp.Compare[int64])
	if err != nil {
		return err
	}
	for _, h := range shrunk {
		if _, err := tx.ExecContext(ctx, `DELETE FROM report_hourly WHERE hour = ? AND n = 0`, h); err != nil {
			return fmt.Errorf("report: roll up: %w", err)
		}
	}
	dshrunk, err := upsertRollup(ctx, tx, "report_hourly_dim", "dim, value, hour", d.dims, dimArgs, cmpDimKey)
	if err != nil {
		return err
	}
	for _, k := range dshrunk {
		if _, err := tx.ExecContext(ctx, `DELETE FROM report_hourly_dim WHERE dim = ? AND value = ? AND hour = ? AND n = 0`,
			k.dim, k.value, k.hour); err != nil {
			return fmt.Errorf("report: roll up: %w", err)
		}
	}
	return d.applyDaily(ctx, tx)
}

// upsertRows writes rows (each of the same width) with multi-row
// statements; keys are unique within rows (they come from a map), as
// PostgreSQL's ON CONFLICT requires.
func upsertRows(ctx context.Context, tx *db.Tx, head string, rows [][]any, tail string) error {
	var args []any
	for len(rows) > 0 {
		part := rows[:min(rowsPer(tx), len(rows))]
		rows = rows[len(part):]
		args = args[:0]
		for _, r := range part {
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, head+valueRows(len(part), len(part[0]))+tail, args...); err != nil {
			return fmt.Errorf("report: roll up: %w", err)
		}
	}
	return nil
}

// placeholders returns "?, ?, …" for n arguments and the ids as []any.
func placeholders(ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", "), args
}

// loadTickets reads the current rows of ids, and with forSLA the fuller
// tickets SLA policies match on.
func loadTickets(ctx context.Context, q db.Querier, ids []int64, forSLA bool) (map[int64]TicketState, map[int64]ticket.Ticket, error) {
	ph, args := placeholders(ids)
	rows, err := q.QueryContext(ctx, `SELECT id, status, priority, type, channel, COALESCE(team_id, 0), COALESCE(assignee_id, 0),
		COALESCE(organization_id, 0), language, created_at, custom_fields FROM tickets WHERE id IN (`+ph+`)`, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("report: load tickets: %w", err)
	}
	defer rows.Close()
	states := map[int64]TicketState{}
	full := map[int64]ticket.Ticket{}
	for rows.Next() {
		var st TicketState
		var created int64
		var fields string
		if err := rows.Scan(&st.ID, &st.Status, &st.Priority, &st.Type, &st.Channel, &st.TeamID, &st.AssigneeID,
			&st.OrganizationID, &st.Language, &created, &fields); err != nil {
			return nil, nil, fmt.Errorf("report: load tickets: %w", err)
		}
		st.CreatedAt = db.Time(created)
		states[st.ID] = st
		if forSLA {
			t := ticket.Ticket{ID: st.ID, Status: st.Status, Priority: st.Priority, Type: st.Type, Channel: st.Channel,
				CreatedAt: st.CreatedAt, CustomFields: map[string]any{}, Tags: []string{}}
			if st.TeamID != 0 {
				t.TeamID = &st.TeamID
			}
			if st.OrganizationID != 0 {
				t.OrganizationID = &st.OrganizationID
			}
			if fields != "" && fields != "{}" {
				// A malformed value only loses the policy conditions on
				// custom fields; it must not stop the report.
				_ = json.Unmarshal([]byte(fields), &t.CustomFields)
			}
			full[st.ID] = t
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("report: load tickets: %w", err)
	}
	rows.Close()
	if len(states) > 0 {
		trows, err := q.QueryContext(ctx, `SELECT ticket_id, tag FROM ticket_tags WHERE ticket_id IN (`+ph+`) ORDER BY ticket_id, tag`, args...)
		if err != nil {
			return nil, nil, fmt.Errorf("report: load tags: %w", err)
		}
		defer trows.Close()
		for trows.Next() {
			var id int64
			var tag string
			if err := trows.Scan(&id, &tag); err != nil {
				return nil, nil, fmt.Errorf("report: load tags: %w", err)
			}
			st := states[id]
			st.Tags = strings.TrimPrefix(st.Tags+" "+tag, " ")
			states[id] = st
			if t, ok := full[id]; ok {
				t.Tags = append(t.Tags, tag)
				full[id] = t
			}
		}
		if err := trows.Err(); err != nil {
			return nil, nil, fmt.Errorf("report: load tags: %w", err)
		}
		// Byte order, whatever the database's collation: the same tags
		// must make the same string on both engines.
		for id, st := range states {
			st.Tags = sortTags(st.Tags)
			states[id] = st
		}
	}
	return states, full, nil
}

// loadEvents reads the events that make facts for ids: each ticket's own,
// and those a merge moved elsewhere (origin_ticket_id), in the order they
// happened. Moved events are handed over as the ticket's own. Priority
// changes are among them for the SLA clocks: a target decided before one
// keeps its outcome.
func loadEvents(ctx context.Context, q db.Querier, ids []int64) (map[int64][]ticket.Event, error) {
	ph, args := placeholders(ids)
	args = append(args, args...)
	rows, err := q.QueryContext(ctx, `SELECT COALESCE(origin_ticket_id, ticket_id), id, seq, type, actor_type, COALESCE(actor_id, 0), at, data
		FROM ticket_events WHERE type IN ('created', 'comment_added', 'status_changed', 'merged', 'priority_changed', 'csat_rated', 'csat_requested', 'qa_reviewed', 'qa_review_resolved',
			'chat_offered', 'chat_accepted', 'chat_declined', 'chat_missed', 'chat_transferred', 'chat_ended')
		AND ((ticket_id IN (`+ph+`) AND origin_ticket_id IS NULL) OR origin_ticket_id IN (`+ph+`))`, args...)
	if err != nil {
		return nil, fmt.Errorf("report: load events: %w", err)
	}
	defer rows.Close()
	out := map[int64][]ticket.Event{}
	for rows.Next() {
		var e ticket.Event
		var at int64
		var data string
		if err := rows.Scan(&e.TicketID, &e.ID, &e.Seq, &e.Type, &e.ActorType, &e.ActorID, &at, &data); err != nil {
			return nil, fmt.Errorf("report: load events: %w", err)
		}
		e.At = db.Time(at)
		if err := json.Unmarshal([]byte(data), &e.Data); err != nil {
			return nil, fmt.Errorf("report: event %d data: %w", e.ID, err)
		}
		out[e.TicketID] = append(out[e.TicketID], e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report: load events: %w", err)
	}
	for id, evs := range out {
		sort.SliceStable(evs, func(i, j int) bool {
			if !evs[i].At.Equal(evs[j].At) {
				return evs[i].At.Before(evs[j].At)
			}
			return evs[i].ID < evs[j].ID
		})
		// Renumber in order, as the SLA clocks read seq as the episode id.
		for i := range evs {
			evs[i].Seq = int64(i + 1)
		}
		out[id] = evs
	}
	return out, nil
}

// loadFacts reads the stored facts of ids.
func loadFacts(ctx context.Context, q db.Querier, ids []int64) (map[int64][]Fact, error) {
	ph, args := placeholders(ids)
	rows, err := q.QueryContext(ctx, `SELECT ticket_id, kind, n, at, team_id, agent_id, channel, priority, type, organization_id, language, value, bvalue, tags
		FROM report_facts WHERE ticket_id IN (`+ph+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("report: load facts: %w", err)
	}
	defer rows.Close()
	out := map[int64][]Fact{}
	for rows.Next() {
		var f Fact
		var at int64
		if err := rows.Scan(&f.TicketID, &f.Kind, &f.N, &at, &f.TeamID, &f.AgentID, &f.Channel, &f.Priority, &f.Type,
			&f.OrganizationID, &f.Language, &f.Value, &f.BValue, &f.Tags); err != nil {
			return nil, fmt.Errorf("report: load facts: %w", err)
		}
		f.At = db.Time(at)
		out[f.TicketID] = append(out[f.TicketID], f)
	}
	return out, rows.Err()
}

// Pending returns how many tickets wait for a refresh (shown on dashboards
// as "updating").
func (s *Service) Pending(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM report_dirty) + (SELECT COUNT(*) FROM report_dirty_nps)`).Scan(&n); err != nil {
		return 0, fmt.Errorf("report: pending: %w", err)
	}
	return n, nil
}
