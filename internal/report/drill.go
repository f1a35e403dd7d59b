package report

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/page"
)

// This file holds what the performance tables and drill-downs read
// beyond the roll-ups: medians per team or agent, and the facts and
// tickets behind a figure page by page.

// factsFrom is the FROM … WHERE of a query over f's facts of kinds (all
// kinds when empty), aliased r. With a tag it starts from the tag's
// tickets, as aggregateFacts does, and keeps the period test off the
// indexes (at is then the period column's expression to compare with).
func (s *Service) factsFrom(f Filter, kinds []string) (src string, args []any, at string) {
	var conds []string
	src, at = s.factsTable(f), "r.at"
	if f.Tag != "" && !f.ownFacts() {
		src, at = "ticket_tags tt CROSS JOIN report_facts r", s.noIndex("r.at")
		conds = append(conds, "tt.tag = ?", "r.ticket_id = tt.ticket_id")
		args = append(args, f.Tag)
	}
	if f.Tag != "" && f.ownFacts() {
		// The organization's or agent's facts drive (their own index);
		// the tag is tested on each.
		conds = append(conds, s.tagCond("r.tags"))
		args = append(args, " "+f.Tag+" ")
	}
	if len(kinds) > 0 {
		conds = append(conds, "r.kind IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(kinds)), ", ")+")")
		for _, k := range kinds {
			args = append(args, k)
		}
	}
	conds = append(conds, at+" >= ?", at+" < ?")
	args = append(args, db.Millis(f.From), db.Millis(f.To))
	w, wargs := f.dimsWhere("r.")
	return src + " WHERE " + strings.Join(conds, " AND ") + w, append(args, wargs...), at
}

// MedianKinds are the duration kinds a breakdown gives medians of: first
// reply time and full resolution time.
var MedianKinds = []string{KindFirstReply, KindSolved}

// groupMedians returns, per value of the dimension by and per kind, the
// median calendar and business value of f's facts: the middle fact, or the
// mean of the middle two, exactly as the overview's median. It reads the
// period's facts of those kinds from the covering (kind, at, dimensions…)
// index and picks each group's middle here, as the overview's filtered
// median does: numbering the facts with window functions in the database
// measured 4–8 times slower on both engines (two sorts of every fact).
func (s *Service) groupMedians(ctx context.Context, f Filter, by string, kinds []string) (map[string]map[string][2]float64, error) {
	if dims := f.dimFilters(); (len(dims) == 0 || len(dims) == 1 && dims[0][0] == by) && !s.fewFacts(ctx, f, kinds...) {
		// At most the grouping's own filter: the daily histograms.
		value := ""
		if len(dims) == 1 {
			value = dims[0][1]
		}
		var metrics []string
		for _, k := range kinds {
			metrics = append(metrics, histMetric(k, false), histMetric(k, true))
		}
		hs, err := s.histograms(ctx, by, value, metrics, f.From, f.To)
		if err != nil {
			return nil, err
		}
		out := map[string]map[string][2]float64{}
		for v, m := range hs {
			for _, k := range kinds {
				cal, ok := m[histMetric(k, false)].median()
				if !ok {
					continue
				}
				biz, _ := m[histMetric(k, true)].median()
				if out[v] == nil {
					out[v] = map[string][2]float64{}
				}
				out[v][k] = [2]float64{cal, biz}
			}
		}
		return out, nil
	}
	if dims := f.dimFilters(); len(dims) == 1 && dims[0][0] != by {
		if pd, first, ok := pairDim(dims[0][0], by); ok && s.pairsReady(ctx) && !s.fewFacts(ctx, f, kinds...) {
			return s.pairGroupMedians(ctx, f, dims[0], pd, first, kinds)
		}
	}
	src, args, _ := s.factsFrom(f, kinds)
	rows, err := s.db.QueryContext(ctx, `SELECT r.`+dimColumns[by]+`, r.kind, r.value, r.bvalue FROM `+src, args...)
	if err != nil {
		return nil, fmt.Errorf("report: medians by %s: %w", by, err)
	}
	defer rows.Close()
	type group struct{ key, kind string }
	vals := map[group]*[2][]int64{}
	var key, kind string
	var v, b int64
	for rows.Next() {
		if err := rows.Scan(&key, &kind, &v, &b); err != nil {
			return nil, fmt.Errorf("report: medians by %s: %w", by, err)
		}
		g := vals[group{key, kind}]
		if g == nil {
			g = &[2][]int64{}
			vals[group{key, kind}] = g
		}
		g[0], g[1] = append(g[0], v), append(g[1], b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report: medians by %s: %w", by, err)
	}
	out := map[string]map[string][2]float64{}
	for g, x := range vals {
		if out[g.key] == nil {
			out[g.key] = map[string][2]float64{}
		}
		out[g.key][g.kind] = [2]float64{middle(x[0]), middle(x[1])}
	}
	return out, nil
}

// middle sorts vals (not empty) and returns their median.
func middle(vals []int64) float64 {
	slices.Sort(vals)
	n := len(vals)
	if n%2 == 1 {
		return float64(vals[n/2])
	}
	return float64(vals[n/2-1]+vals[n/2]) / 2
}

// BreakdownMedians is Breakdown with each row's medians of first reply
// and full resolution time, calendar and business, computed from the
// row's own facts (never from other rows' figures). It costs one pass over
// the period's facts of those two kinds, which the roll-ups behind
// Breakdown avoid; the performance tables ask for it, the overview does
// not.
func (s *Service) BreakdownMedians(ctx context.Context, actor authz.Actor, f Filter, by string) ([]Row, error) {
	rows, err := s.Breakdown(ctx, actor, f, by)
	if err != nil {
		return nil, err
	}
	meds, err := s.groupMedians(ctx, f, by, MedianKinds)
	if err != nil {
		return nil, err
	}
	set := func(dst **float64, v [2]float64, ok bool, i int) {
		if ok {
			x := v[i]
			*dst = &x
		}
	}
	for i := range rows {
		fig := &rows[i].Figures
		fr, ok := meds[rows[i].Key][KindFirstReply]
		set(&fig.FirstReplyMed, fr, ok, 0)
		set(&fig.FirstReplyMedBH, fr, ok, 1)
		res, ok := meds[rows[i].Key][KindSolved]
		set(&fig.ResolutionMed, res, ok, 0)
		set(&fig.ResolutionMedBH, res, ok, 1)
	}
	return rows, nil
}

// factCursor is where a page of facts ends: the sort key of its last
// fact, and how many rows the pages so far held (for "101–200 of 340").
func factCursor(x Fact, seen int) string {
	return page.Cursor{Key: db.Millis(x.At), ID: x.TicketID, Str: x.Kind + "/" + strconv.Itoa(x.N) + "/" + strconv.Itoa(seen)}.Encode()
}

type factPos struct {
	at, ticketID int64
	kind         string
	n, seen      int
}

// parseFactCursor reads a factCursor back.
func parseFactCursor(c *page.Cursor) (factPos, error) {
	bad := apperr.InvalidField("cursor", "is not a cursor returned by this list")
	parts := strings.Split(c.Str, "/")
	if len(parts) != 3 || parts[0] == "" {
		return factPos{}, bad
	}
	n, err := strconv.Atoi(parts[1])
	if err != nil {
		return factPos{}, bad
	}
	seen, err := strconv.Atoi(parts[2])
	if err != nil || seen < 0 {
		return factPos{}, bad
	}
	return factPos{at: c.Key, ticketID: c.ID, kind: parts[0], n: n, seen: seen}, nil
}

// PageOffset is how many rows came before the page a drill-down cursor
// opens (0 for the first page or a cursor of another list).
func PageOffset(c *page.Cursor) int {
	if c == nil {
		return 0
	}
	p, err := parseFactCursor(c)
	if err != nil {
		return 0
	}
	return p.seen
}

// FactCount is how many facts of kind (every kind for "") f covers: the
// number a drill-down pages through, read from the roll-ups.
func (s *Service) FactCount(ctx context.Context, actor authz.Actor, f Filter, kind string) (int64, error) {
	if err := CheckExport(actor, &f, kind); err != nil {
		return 0, err
	}
	kinds := Kinds
	if kind != "" {
		kinds = []string{kind}
	}
	t, err := s.totals(ctx, f, kinds)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, k := range kinds {
		n += t[k].N
	}
	return n, nil
}

// OneFactPerTicket are the kinds a ticket has at most one fact of, so
// that their facts count their tickets too.
var OneFactPerTicket = map[string]bool{
	KindCreated: true, KindFirstReply: true, KindSolved: true, KindWait: true, KindOnHold: true,
	KindReplies: true, KindOneTouch: true, KindSolvedReopened: true, KindCSAT: true,
}

// FactPage is one page of the facts behind a figure, in EachFact's order
// (moment, ticket, kind, ordinal); pr.Cursor continues after the previous
// page, so paging reaches every fact however many there are.
func (s *Service) FactPage(ctx context.Context, actor authz.Actor, f Filter, kind string, pr page.Request) (page.List[Fact], error) {
	return s.factPage(ctx, actor, f, kind, pr, false)
}

// FactTickets pages through the tickets behind a figure: every ticket
// with at least one of f's facts of kind (any kind for ""), once, at its
// first such fact in the period, in the order of FactPage. Facts of one
// ticket differ only in their moment and credited agent, so the earlier
// fact test repeats the filter on the same ticket's facts through its key.
func (s *Service) FactTickets(ctx context.Context, actor authz.Actor, f Filter, kind string, pr page.Request) (page.List[Fact], error) {
	return s.factPage(ctx, actor, f, kind, pr, true)
}

func (s *Service) factPage(ctx context.Context, actor authz.Actor, f Filter, kind string, pr page.Request, firstPerTicket bool) (page.List[Fact], error) {
	out := page.List[Fact]{Data: []Fact{}}
	if err := CheckExport(actor, &f, kind); err != nil {
		return out, err
	}
	if pr.Limit <= 0 || pr.Limit > page.MaxLimit {
		pr.Limit = page.MaxLimit
	}
	var kinds []string
	if kind != "" {
		kinds = []string{kind}
	}
	src, args, atCol := s.factsFrom(f, kinds)
	seen := 0
	if pr.Cursor != nil {
		c, err := parseFactCursor(pr.Cursor)
		if err != nil {
			return out, err
		}
		// The first condition is an index range; the row value orders ties.
		src += " AND " + atCol + " >= ? AND (r.at, r.ticket_id, r.kind, r.n) > (?, ?, ?, ?)"
		args = append(args, c.at, c.at, c.ticketID, c.kind, c.n)
		seen = c.seen
	}
	if firstPerTicket && (kind == "" || !OneFactPerTicket[kind]) {
		// The earlier fact is looked up by the ticket's key (ticket, kind,
		// ordinal): the period test must not lead SQLite to the (kind, at)
		// index, which would scan the period once per row. Within a ticket
		// and kind the ordinal follows time; either way exactly one fact
		// per ticket is left, the least in the order tested.
		xat := s.noIndex("x.at")
		cond := "x.ticket_id = r.ticket_id AND " + xat + " >= ? AND " + xat + " < ?"
		args = append(args, db.Millis(f.From), db.Millis(f.To))
		if kind != "" {
			cond += " AND x.kind = r.kind AND x.n < r.n"
		} else {
			cond += " AND (" + xat + ", " + s.noIndex("x.kind") + ", x.n) < (r.at, r.kind, r.n)"
		}
		w, wargs := f.dimsWhere("x.")
		src += " AND NOT EXISTS (SELECT 1 FROM report_facts x WHERE " + cond + w + ")"
		args = append(args, wargs...)
	}
	args = append(args, pr.Limit+1)
	rows, err := s.db.QueryContext(ctx, `SELECT r.ticket_id, r.kind, r.n, r.at, r.team_id, r.agent_id, r.channel, r.priority, r.type,
		r.organization_id, r.language, r.value, r.bvalue FROM `+src+` ORDER BY r.at, r.ticket_id, r.kind, r.n LIMIT ?`, args...)
	if err != nil {
		return out, fmt.Errorf("report: fact page: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var x Fact
		var at int64
		if err := rows.Scan(&x.TicketID, &x.Kind, &x.N, &at, &x.TeamID, &x.AgentID, &x.Channel, &x.Priority, &x.Type,
			&x.OrganizationID, &x.Language, &x.Value, &x.BValue); err != nil {
			return out, fmt.Errorf("report: fact page: %w", err)
		}
		x.At = db.Time(at)
		out.Data = append(out.Data, x)
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("report: fact page: %w", err)
	}
	if len(out.Data) > pr.Limit {
		out.Data = out.Data[:pr.Limit]
		next := factCursor(out.Data[len(out.Data)-1], seen+len(out.Data))
		out.NextCursor = &next
	}
	return out, nil
}
