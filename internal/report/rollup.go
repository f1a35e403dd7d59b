package report

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/db"
)

// This file holds the roll-ups that keep filtered reports O(hours × values)
// at a million tickets: the one-dimension roll-ups' dimensions (tags,
// organizations and languages among them), the daily roll-up beside the
// hourly one, and the daily duration histograms behind filtered medians.

// dimValues are a fact's values of the one-dimension roll-ups: one per
// dimension, and one per tag of its ticket.
func dimValues(f Fact) [][2]string {
	out := [][2]string{
		{"team", strconv.FormatInt(f.TeamID, 10)}, {"agent", strconv.FormatInt(f.AgentID, 10)},
		{"channel", f.Channel}, {"priority", f.Priority}, {"type", f.Type},
		{"organization", strconv.FormatInt(f.OrganizationID, 10)}, {"language", f.Language},
	}
	for _, t := range strings.Fields(f.Tags) {
		out = append(out, [2]string{"tag", t})
	}
	return out
}

// sortTags puts space-separated tags in byte order.
func sortTags(tags string) string {
	f := strings.Fields(tags)
	slices.Sort(f)
	return strings.Join(f, " ")
}

// dayOf is the UTC day number of an hour number.
func dayOf(hour int64) int64 {
	if hour < 0 {
		return -((-hour + 23) / 24)
	}
	return hour / 24
}

// Histograms. A duration v > 0 falls in bucket 1 + ⌊8·log₂ v⌋ (bucket 0
// holds 0): each bucket spans a factor of 2^(1/8), so the middle of a
// bucket is within 4.4% of every value in it. Facts of the kinds in
// histKinds are counted per day, dimension value and clock.
const bucketsPerDoubling = 8

var histKinds = map[string]bool{KindFirstReply: true, KindSolved: true}

type histKey struct {
	dim, value, metric string
	day                int64
}

func bucketOf(v int64) int {
	if v <= 0 {
		return 0
	}
	return 1 + int(math.Floor(bucketsPerDoubling*math.Log2(float64(v))))
}

// bucketValue is the value a bucket stands for: the geometric middle of
// the whole seconds it holds (the one value when it holds one).
func bucketValue(b int) float64 {
	if b <= 0 {
		return 0
	}
	lo := math.Ceil(math.Pow(2, float64(b-1)/bucketsPerDoubling))
	hi := math.Ceil(math.Pow(2, float64(b)/bucketsPerDoubling)) - 1
	if hi <= lo {
		return lo
	}
	return math.Sqrt(lo * hi)
}

// histMetric names a kind's histogram on one clock.
func histMetric(kind string, biz bool) string {
	if biz {
		return kind + "_b"
	}
	return kind
}

func (d *delta) addHist(f Fact, dim, value string, day, sign int64) {
	if !histKinds[f.Kind] {
		return
	}
	for _, biz := range []bool{false, true} {
		v := f.Value
		if biz {
			v = f.BValue
		}
		k := histKey{dim, value, histMetric(f.Kind, biz), day}
		m := d.hist[k]
		if m == nil {
			m = map[int]int64{}
			d.hist[k] = m
		}
		m[bucketOf(v)] += sign
	}
}

// hist is a histogram: bucket → count.
type hist map[int]int64

func (h hist) addAll(o hist) {
	for b, c := range o {
		h[b] += c
	}
}

// encode writes "bucket:count …" in bucket order, leaving out empty ones.
func (h hist) encode() (int64, string) {
	var n int64
	bs := make([]int, 0, len(h))
	for b, c := range h {
		if c != 0 {
			bs = append(bs, b)
			n += c
		}
	}
	sort.Ints(bs)
	parts := make([]string, len(bs))
	for i, b := range bs {
		parts[i] = strconv.Itoa(b) + ":" + strconv.FormatInt(h[b], 10)
	}
	return n, strings.Join(parts, " ")
}

func decodeHist(s string, into hist) error {
	for _, p := range strings.Fields(s) {
		b, c, ok := strings.Cut(p, ":")
		bi, err1 := strconv.Atoi(b)
		ci, err2 := strconv.ParseInt(c, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			return fmt.Errorf("report: histogram %q", s)
		}
		into[bi] += ci
	}
	return nil
}

// median is the histogram's middle value (the mean of the middle two for
// an even count), each read as its bucket's value.
func (h hist) median() (float64, bool) {
	var n int64
	bs := make([]int, 0, len(h))
	for b, c := range h {
		if c > 0 {
			bs = append(bs, b)
			n += c
		}
	}
	if n == 0 {
		return 0, false
	}
	sort.Ints(bs)
	at := func(i int64) float64 { // the i-th value, 0-based
		for _, b := range bs {
			if i < h[b] {
				return bucketValue(b)
			}
			i -= h[b]
		}
		return bucketValue(bs[len(bs)-1])
	}
	if n%2 == 1 {
		return at(n / 2), true
	}
	return (at(n/2-1) + at(n/2)) / 2, true
}

// applyDaily writes the daily roll-up's and the histograms' changes.
func (d *delta) applyDaily(ctx context.Context, tx *db.Tx) error {
	shrunk, err := upsertRollup(ctx, tx, "report_daily_dim", "dim, value, day", d.daily, dimArgs, cmpDimKey)
	if err != nil {
		return err
	}
	for _, k := range shrunk {
		if _, err := tx.ExecContext(ctx, `DELETE FROM report_daily_dim WHERE dim = ? AND value = ? AND day = ? AND n = 0`,
			k.dim, k.value, k.hour); err != nil {
			return fmt.Errorf("report: roll up: %w", err)
		}
	}
	mshrunk, err := upsertRollup(ctx, tx, "report_monthly_dim", "dim, value, month", d.monthly, dimArgs, cmpDimKey)
	if err != nil {
		return err
	}
	for _, k := range mshrunk {
		if _, err := tx.ExecContext(ctx, `DELETE FROM report_monthly_dim WHERE dim = ? AND value = ? AND month = ? AND n = 0`,
			k.dim, k.value, k.hour); err != nil {
			return fmt.Errorf("report: roll up: %w", err)
		}
	}
	if err := d.applyHist(ctx, tx); err != nil {
		return err
	}
	return d.applyMonths(ctx, tx)
}

// applyHist adds the histogram changes to the stored ones: a histogram is
// not a sum SQL can add to, so the touched days' rows are read, changed
// here and written back.
func (d *delta) applyHist(ctx context.Context, tx *db.Tx) error {
	days := map[int64]bool{}
	for k, m := range d.hist {
		for _, c := range m {
			if c != 0 {
				days[k.day] = true
				break
			}
		}
	}
	if len(days) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(days))
	for day := range days {
		ids = append(ids, day)
	}
	stored := map[histKey]hist{}
	for len(ids) > 0 {
		part := ids[:min(200, len(ids))]
		ids = ids[len(part):]
		ph, args := placeholders(part)
		rows, err := tx.QueryContext(ctx, `SELECT dim, value, metric, day, counts FROM report_hist WHERE day IN (`+ph+`)`, args...)
		if err != nil {
			return fmt.Errorf("report: histograms: %w", err)
		}
		for rows.Next() {
			var k histKey
			var counts string
			if err := rows.Scan(&k.dim, &k.value, &k.metric, &k.day, &counts); err != nil {
				rows.Close()
				return fmt.Errorf("report: histograms: %w", err)
			}
			if _, ok := d.hist[k]; !ok {
				continue
			}
			h := hist{}
			if err := decodeHist(counts, h); err != nil {
				rows.Close()
				return err
			}
			stored[k] = h
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("report: histograms: %w", err)
		}
	}
	return writeHists(ctx, tx, "report_hist", "day", d.hist, stored)
}

// writeHists writes stored + change for each key of change into table,
// whose period column is col (a day or a month): upserted, or deleted
// when it holds nothing. The rows go in one key order, so two instances
// writing the same rows never wait for each other in a cycle.
func writeHists(ctx context.Context, tx *db.Tx, table, col string, change, stored map[histKey]hist) error {
	keys := make([]histKey, 0, len(change))
	for k := range change {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b histKey) int {
		return cmp.Or(cmp.Compare(a.dim, b.dim), cmp.Compare(a.value, b.value), cmp.Compare(a.metric, b.metric), cmp.Compare(a.day, b.day))
	})
	var upserts [][]any
	for _, k := range keys {
		h := stored[k]
		if h == nil {
			h = hist{}
		}
		h.addAll(change[k])
		n, enc := h.encode()
		if n == 0 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE dim = ? AND value = ? AND metric = ? AND `+col+` = ?`,
				k.dim, k.value, k.metric, k.day); err != nil {
				return fmt.Errorf("report: %s: %w", table, err)
			}
			continue
		}
		upserts = append(upserts, []any{k.dim, k.value, k.metric, k.day, n, enc})
	}
	return upsertRows(ctx, tx, `INSERT INTO `+table+` (dim, value, metric, `+col+`, n, counts) VALUES `, upserts,
		` ON CONFLICT (dim, value, metric, `+col+`) DO UPDATE SET n = excluded.n, counts = excluded.counts`)
}
