package report

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/ombud/ombud/internal/db"
)

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
