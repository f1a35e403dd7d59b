package report

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// Heatmap counts created tickets by weekday (0 = Monday) and hour of day
// in the viewer's zone.
func (s *Service) Heatmap(ctx context.Context, actor authz.Actor, f Filter) ([7][24]int64, error) {
	var out [7][24]int64
	if err := authz.Check(actor, authz.ReportRead); err != nil {
		return out, err
	}
	if err := f.Validate(); err != nil {
		return out, err
	}
	groups, err := s.aggregate(ctx, f, f.From, f.To, []string{KindCreated}, grouping{perHour: true})
	if err != nil {
		return out, err
	}
	for key, m := range groups {
		h, err := strconv.ParseInt(key, 10, 64)
		if err != nil {
			return out, fmt.Errorf("report: heat map hour %q: %w", key, err)
		}
		l := time.Unix(h*3600, 0).In(f.Loc)
		// A half-hour zone's hour straddles two local hours; the facts
		// path groups by UTC hour too, so the count goes to where it starts.
		out[(int(l.Weekday())+6)%7][l.Hour()] += m[KindCreated].N
	}
	return out, nil
}

// AgeBucket is one bar of the backlog age histogram.
type AgeBucket struct {
	Label string `json:"label"`
	Max   int64  `json:"max_seconds"` // upper bound; 0 for the open-ended last bar
	Count int64  `json:"count"`
}

// BacklogAges sorts the tickets unsolved now by age. It reads the tickets
// table (the current backlog is small next to history), with the same
// dimension filters.
func (s *Service) BacklogAges(ctx context.Context, actor authz.Actor, f Filter) ([]AgeBucket, error) {
	if err := authz.Check(actor, authz.ReportRead); err != nil {
		return nil, err
	}
	if f.Loc == nil {
		f.Loc = time.UTC
	}
	buckets := []AgeBucket{
		{Label: "< 1 day", Max: 86400}, {Label: "1–3 days", Max: 3 * 86400}, {Label: "3–7 days", Max: 7 * 86400},
		{Label: "1–2 weeks", Max: 14 * 86400}, {Label: "2–4 weeks", Max: 28 * 86400}, {Label: "> 4 weeks"},
	}
	var conds []string
	var args []any
	add := func(c string, v any) { conds = append(conds, c); args = append(args, v) }
	if f.TeamID != 0 {
		add("t.team_id = ?", f.TeamID)
	}
	if f.AgentID != 0 {
		add("t.assignee_id = ?", f.AgentID)
	}
	if f.Channel != "" {
		add("t.channel = ?", f.Channel)
	}
	if f.Priority != "" {
		add("t.priority = ?", f.Priority)
	}
	if f.Type != "" {
		add("t.type = ?", f.Type)
	}
	if f.OrganizationID != 0 {
		add("t.organization_id = ?", f.OrganizationID)
	}
	if f.Language != "" {
		add("t.language = ?", f.Language)
	}
	if f.Tag != "" {
		add("EXISTS (SELECT 1 FROM ticket_tags tt WHERE tt.ticket_id = t.id AND tt.tag = ?)", f.Tag)
	}
	w := ""
	if len(conds) > 0 {
		w = " AND " + strings.Join(conds, " AND ")
	}
	now := db.Millis(s.now())
	// One CASE per bucket, counted in the database.
	var cases strings.Builder
	for i, b := range buckets {
		if b.Max == 0 {
			fmt.Fprintf(&cases, ", SUM(CASE WHEN ? - t.created_at >= %d THEN 1 ELSE 0 END)", buckets[i-1].Max*1000)
			continue
		}
		lo := int64(0)
		if i > 0 {
			lo = buckets[i-1].Max * 1000
		}
		fmt.Fprintf(&cases, ", SUM(CASE WHEN ? - t.created_at >= %d AND ? - t.created_at < %d THEN 1 ELSE 0 END)", lo, b.Max*1000)
	}
	var qargs []any
	for _, b := range buckets {
		qargs = append(qargs, now)
		if b.Max != 0 {
			qargs = append(qargs, now)
		}
	}
	qargs = append(qargs, args...)
	dest := make([]any, len(buckets)+1)
	var total int64
	dest[0] = &total
	vals := make([]*int64, len(buckets))
	for i := range buckets {
		var v int64
		vals[i] = &v
		dest[i+1] = &nullInt{&v}
	}
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*)`+cases.String()+` FROM tickets t
		WHERE t.status IN ('new', 'open', 'pending', 'on_hold')`+w, qargs...).Scan(dest...)
	if err != nil {
		return nil, fmt.Errorf("report: backlog ages: %w", err)
	}
	for i := range buckets {
		buckets[i].Count = *vals[i]
	}
	return buckets, nil
}

// nullInt scans a SUM that is NULL over no rows as 0.
type nullInt struct{ v *int64 }

func (n *nullInt) Scan(src any) error {
	switch x := src.(type) {
	case nil:
		*n.v = 0
	case int64:
		*n.v = x
	case float64:
		*n.v = int64(x)
	case []byte:
		_, err := fmt.Sscan(string(x), n.v)
		return err
	case string:
		_, err := fmt.Sscan(x, n.v)
		return err
	default:
		return fmt.Errorf("report: unexpected %T", src)
	}
	return nil
}

// TagCount is a tag's ticket count in a period and the one before.
type TagCount struct {
	Tag      string `json:"tag"`
	Count    int64  `json:"count"`
	Previous int64  `json:"previous"`
}

// TagTrends lists the tags of tickets created in the period, most used
// first (up to limit), with the previous period's counts.
func (s *Service) TagTrends(ctx context.Context, actor authz.Actor, f Filter, limit int) ([]TagCount, error) {
	if err := authz.Check(actor, authz.ReportRead); err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 100 {
		limit = 10
	}
	count := func(from, to time.Time) (map[string]int64, []string, error) {
		if dims := f.dimFilters(); wholeHour(from) && wholeHour(to) && (len(dims) == 0 || len(dims) == 1 && dims[0][0] == "tag") {
			// The tag roll-up: tickets created, per tag.
			g, err := s.aggregateRollups(ctx, nil, from, to, []string{KindCreated}, grouping{by: "tag"})
			if err != nil {
				return nil, nil, err
			}
			m := map[string]int64{}
			var order []string
			for tag, c := range g {
				if n := c[KindCreated].N; n != 0 {
					m[tag] = n
					order = append(order, tag)
				}
			}
			sort.Slice(order, func(i, j int) bool {
				if m[order[i]] != m[order[j]] {
					return m[order[i]] > m[order[j]]
				}
				return order[i] < order[j]
			})
			return m, order, nil
		}
		w, wargs := f.dimsWhere("f.")
		args := []any{db.Millis(from), db.Millis(to)}
		args = append(args, wargs...)
		rows, err := s.db.QueryContext(ctx, `SELECT tt.tag, COUNT(*) FROM report_facts f JOIN ticket_tags tt ON tt.ticket_id = f.ticket_id
			WHERE f.kind = 'created' AND f.at >= ? AND f.at < ?`+w+` GROUP BY tt.tag ORDER BY COUNT(*) DESC, tt.tag`, args...)
		if err != nil {
			return nil, nil, fmt.Errorf("report: tags: %w", err)
		}
		defer rows.Close()
		m := map[string]int64{}
		var order []string
		for rows.Next() {
			var tag string
			var n int64
			if err := rows.Scan(&tag, &n); err != nil {
				return nil, nil, fmt.Errorf("report: tags: %w", err)
			}
			m[tag] = n
			order = append(order, tag)
		}
		return m, order, rows.Err()
	}
	cur, order, err := count(f.From, f.To)
	if err != nil {
		return nil, err
	}
	prev, _, err := count(f.From.Add(-f.To.Sub(f.From)), f.From)
	if err != nil {
		return nil, err
	}
	out := []TagCount{}
	for _, tag := range order {
		if len(out) == limit {
			break
		}
		if f.Tag != "" && tag != f.Tag {
			continue
		}
		out = append(out, TagCount{Tag: tag, Count: cur[tag], Previous: prev[tag]})
	}
	return out, nil
}
