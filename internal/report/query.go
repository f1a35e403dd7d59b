package report

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/sla"
	"github.com/ombud/ombud/internal/ticket"
)

// Filter selects what a report covers: the facts whose moment falls in
// [From, To), with optional dimensions. Loc is the viewer's time zone: it
// decides where days, weeks and months begin.
type Filter struct {
	From, To       time.Time
	Loc            *time.Location
	TeamID         int64
	AgentID        int64
	Channel        string
	Priority       string
	Type           string
	Tag            string
	OrganizationID int64
	Language       string
}

// MaxRange bounds a report's period.
const MaxRange = 3 * 366 * 24 * time.Hour

// A period lies within [MinTime, MaxTime]: the facts hold nothing before
// 1970, and far-future times do not fit the encodings the answers use
// (JSON times end at year 9999).
var (
	MinTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	MaxTime = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// Validate checks the period and fills Loc.
func (f *Filter) Validate() error {
	if f.Loc == nil {
		f.Loc = time.UTC
	}
	if f.From.IsZero() || f.To.IsZero() {
		return apperr.InvalidField("from", "and to are required")
	}
	outside := func(t time.Time) bool { return t.Before(MinTime) || t.After(MaxTime) }
	if outside(f.To) {
		return apperr.InvalidField("to", "must be between 1970-01-01 and 2200-01-01")
	}
	if outside(f.From) {
		return apperr.InvalidField("from", "must be between 1970-01-01 and 2200-01-01")
	}
	if !f.To.After(f.From) {
		return apperr.InvalidField("to", "must be after from")
	}
	if f.To.Sub(f.From) > MaxRange {
		return apperr.InvalidField("to", "the period may span at most three years")
	}
	check := func(field, v string, allowed []string) error {
		if v == "" {
			return nil
		}
		for _, a := range allowed {
			if a == v {
				return nil
			}
		}
		return apperr.InvalidField(field, "must be one of "+strings.Join(allowed, ", "))
	}
	if err := check("channel", f.Channel, ticket.Channels); err != nil {
		return err
	}
	if err := check("priority", f.Priority, ticket.Priorities); err != nil {
		return err
	}
	return check("type", f.Type, ticket.Types)
}

// dimColumns maps each roll-up dimension to its facts column.
var dimColumns = map[string]string{"team": "team_id", "agent": "agent_id", "channel": "channel", "priority": "priority", "type": "type"}

// dimFilters returns the filter's conditions on roll-up dimensions as
// (dimension, value) pairs.
func (f Filter) dimFilters() [][2]string {
	var out [][2]string
	if f.TeamID != 0 {
		out = append(out, [2]string{"team", strconv.FormatInt(f.TeamID, 10)})
	}
	if f.AgentID != 0 {
		out = append(out, [2]string{"agent", strconv.FormatInt(f.AgentID, 10)})
	}
	if f.Channel != "" {
		out = append(out, [2]string{"channel", f.Channel})
	}
	if f.Priority != "" {
		out = append(out, [2]string{"priority", f.Priority})
	}
	if f.Type != "" {
		out = append(out, [2]string{"type", f.Type})
	}
	if f.Tag != "" {
		out = append(out, [2]string{"tag", f.Tag})
	}
	if f.OrganizationID != 0 {
		out = append(out, [2]string{"organization", strconv.FormatInt(f.OrganizationID, 10)})
	}
	if f.Language != "" {
		out = append(out, [2]string{"language", f.Language})
	}
	return out
}

// dimsWhere builds the filter's conditions on the facts' dimension columns.
func (f Filter) dimsWhere(prefix string) (string, []any) {
	var conds []string
	var args []any
	add := func(col string, v any) {
		conds = append(conds, prefix+col+" = ?")
		args = append(args, v)
	}
	if f.TeamID != 0 {
		add("team_id", f.TeamID)
	}
	if f.AgentID != 0 {
		add("agent_id", f.AgentID)
	}
	if f.Channel != "" {
		add("channel", f.Channel)
	}
	if f.Priority != "" {
		add("priority", f.Priority)
	}
	if f.Type != "" {
		add("type", f.Type)
	}
	if f.OrganizationID != 0 {
		add("organization_id", f.OrganizationID)
	}
	if f.Language != "" {
		add("language", f.Language)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " AND " + strings.Join(conds, " AND "), args
}

// Sums is a roll-up cell or total: how many facts, and the sums of their
// calendar and business values.
type Sums struct {
	N      int64 `json:"n"`
	Total  int64 `json:"total"`
	BTotal int64 `json:"btotal"`
}

func (a *Sums) add(b Sums) { a.N, a.Total, a.BTotal = a.N+b.N, a.Total+b.Total, a.BTotal+b.BTotal }

// grouping says how aggregate groups: not at all, by a dimension (a
// breakdown), by hour (the heat map) or into buckets between boundaries.
type grouping struct {
	by      string      // team, agent, channel, priority, type
	perHour bool        // group key: the UTC hour number
	bounds  []time.Time // group key: the index i of [bounds[i], bounds[i+1])
}

func wholeHour(t time.Time) bool { return t.Unix()%3600 == 0 && t.Nanosecond() == 0 }

// aggregate sums kinds over [from, to) in the database and returns group
// key → kind → sums. It reads the roll-ups (aggregateRollups) when at
// most one dimension — a tag, organization or language included — is
// filtered or grouped by, and the facts otherwise (several dimensions, or
// bounds that are not whole UTC hours).
func (s *Service) aggregate(ctx context.Context, f Filter, from, to time.Time, kinds []string, g grouping) (map[string]map[string]Sums, error) {
	dims := f.dimFilters()
	exact := wholeHour(from) && wholeHour(to)
	for _, b := range g.bounds {
		exact = exact && wholeHour(b)
	}
	for _, k := range kinds {
		if _, ok := kindIndex[k]; !ok {
			return nil, fmt.Errorf("report: unknown kind %q", k)
		}
	}
	// One filter (a tag, organization or language too) reads the roll-ups;
	// several dimensions at once, or bounds between whole hours, the facts.
	useFacts := !exact || len(dims) > 1 || (len(dims) == 1 && g.by != "" && dims[0][0] != g.by)
	if useFacts {
		return s.aggregateFacts(ctx, f, from, to, kinds, g)
	}
	return s.aggregateRollups(ctx, dims, from, to, kinds, g)
}

// groups is aggregate's result: group key → kind → sums.
type groups map[string]map[string]Sums

func (g groups) add(key, kind string, c Sums) {
	m := g[key]
	if m == nil {
		m = map[string]Sums{}
		g[key] = m
	}
	t := m[kind]
	t.add(c)
	m[kind] = t
}

// bucketValues renders bucket bounds as VALUES rows (i, lo, hi) in the
// unit conv gives. CROSS JOIN with it keeps the buckets the outer loop in
// SQLite, so each bucket is one index range scan.
func bucketValues(bounds []time.Time, conv func(time.Time) int64) (string, []any) {
	var vals []string
	var args []any
	for i := 0; i+1 < len(bounds); i++ {
		vals = append(vals, "(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))")
		args = append(args, i, conv(bounds[i]), conv(bounds[i+1]))
	}
	return strings.Join(vals, ", "), args
}

// aggregateFacts is aggregate over the facts themselves: any combination
// of filters, exact to the millisecond.
func (s *Service) aggregateFacts(ctx context.Context, f Filter, from, to time.Time, kinds []string, g grouping) (map[string]map[string]Sums, error) {
	kph := strings.TrimSuffix(strings.Repeat("?, ", len(kinds)), ", ")
	var args []any
	// With a tag, start from the tag's tickets and read each one's facts
	// by its key; the period test must then not pick an index of its own.
	source := "report_facts r"
	where := "r.kind IN (" + kph + ") AND r.at >= ? AND r.at < ?"
	if f.Tag != "" {
		source = "ticket_tags tt CROSS JOIN report_facts r"
		where = "tt.tag = ? AND r.ticket_id = tt.ticket_id AND r.kind IN (" + kph + ") AND " + s.noIndex("r.at") + " >= ? AND " + s.noIndex("r.at") + " < ?"
		args = append(args, f.Tag)
	}
	w, wargs := f.dimsWhere("r.")
	where += w
	for _, k := range kinds {
		args = append(args, k)
	}
	args = append(args, db.Millis(from), db.Millis(to))
	args = append(args, wargs...)
	group := ""
	switch {
	case g.by != "":
		group = "CAST(r." + dimColumns[g.by] + " AS TEXT)"
	case g.perHour:
		group = "CAST(r.hour AS TEXT)"
	}
	sums := "COUNT(*), COALESCE(CAST(SUM(r.value) AS BIGINT), 0), COALESCE(CAST(SUM(r.bvalue) AS BIGINT), 0)"
	var q string
	if len(g.bounds) > 1 && f.Tag != "" && quarterHours(g.bounds) {
		// Joining the buckets with a tag's tickets would read every
		// ticket's facts once per bucket; sum per quarter hour instead
		// (every time zone's midnight is on one) and bucket here.
		return s.bucketByQuarter(ctx, "SELECT r.at / 900000, r.kind, "+sums+" FROM "+source+" WHERE "+where+" GROUP BY r.at / 900000, r.kind", args, g.bounds)
	}
	switch {
	case len(g.bounds) > 1:
		vals, bargs := bucketValues(g.bounds, db.Millis)
		q = "WITH b(i, lo, hi) AS (VALUES " + vals + ") SELECT CAST(b.i AS TEXT), r.kind, " + sums +
			" FROM b CROSS JOIN " + source + " WHERE r.at >= b.lo AND r.at < b.hi AND " + where + " GROUP BY b.i, r.kind"
		args = append(bargs, args...)
	case group != "":
		q = "SELECT " + group + ", r.kind, " + sums + " FROM " + source + " WHERE " + where + " GROUP BY " + group + ", r.kind"
	default:
		q = "SELECT '', r.kind, " + sums + " FROM " + source + " WHERE " + where + " GROUP BY r.kind"
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("report: aggregate facts: %w", err)
	}
	defer rows.Close()
	out := groups{}
	for rows.Next() {
		var key, kind string
		var c Sums
		if err := rows.Scan(&key, &kind, &c.N, &c.Total, &c.BTotal); err != nil {
			return nil, fmt.Errorf("report: aggregate facts: %w", err)
		}
		out.add(key, kind, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report: aggregate facts: %w", err)
	}
	return out, nil
}

// quarterHours reports whether every bound falls on a quarter hour.
func quarterHours(bounds []time.Time) bool {
	for _, b := range bounds {
		if db.Millis(b)%900000 != 0 {
			return false
		}
	}
	return true
}

// bucketByQuarter runs q (rows: quarter-hour number, kind, sums) and adds
// each row to the bucket of bounds it falls in.
func (s *Service) bucketByQuarter(ctx context.Context, q string, args []any, bounds []time.Time) (map[string]map[string]Sums, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("report: aggregate facts: %w", err)
	}
	defer rows.Close()
	out := groups{}
	for rows.Next() {
		var slot int64
		var kind string
		var c Sums
		if err := rows.Scan(&slot, &kind, &c.N, &c.Total, &c.BTotal); err != nil {
			return nil, fmt.Errorf("report: aggregate facts: %w", err)
		}
		at := db.Time(slot * 900000)
		i := sort.Search(len(bounds), func(i int) bool { return bounds[i].After(at) }) - 1
		if i < 0 || i >= len(bounds)-1 {
			continue
		}
		out.add(strconv.Itoa(i), kind, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report: aggregate facts: %w", err)
	}
	return out, nil
}

// totals sums each kind over the filter's period.
func (s *Service) totals(ctx context.Context, f Filter, kinds []string) (map[string]Sums, error) {
	out, err := s.aggregate(ctx, f, f.From, f.To, kinds, grouping{})
	if err != nil {
		return nil, err
	}
	if out[""] == nil {
		return map[string]Sums{}, nil
	}
	return out[""], nil
}

// backlogAt counts tickets unsolved at t: the sum of every backlog fact
// before it.
func (s *Service) backlogAt(ctx context.Context, f Filter, t time.Time) (int64, error) {
	out, err := s.aggregate(ctx, f, time.Unix(0, 0).UTC(), t, []string{KindBacklog}, grouping{})
	if err != nil {
		return 0, err
	}
	return out[""][KindBacklog].Total, nil
}

// median returns the median value (calendar, or business with biz) of a
// kind's facts in the period: the middle one, or the mean of the middle
// two. It walks the (kind, value) index from the low end, so it costs
// half the period's facts of that kind, not a sort.
func (s *Service) median(ctx context.Context, f Filter, kind string, biz bool, count int64) (float64, bool, error) {
	if count <= 0 {
		return 0, false, nil
	}
	col := "value"
	if biz {
		col = "bvalue"
	}
	if dims := f.dimFilters(); len(dims) == 1 && !s.fewFacts(ctx, f, kind) {
		// One filter over many facts: the daily histograms, approximate
		// (docs/metrics.md).
		metric := histMetric(kind, biz)
		hs, err := s.histograms(ctx, dims[0][0], dims[0][1], []string{metric}, f.From, f.To)
		if err != nil {
			return 0, false, err
		}
		v, ok := hs[dims[0][1]][metric].median()
		return v, ok, nil
	}
	w, wargs := f.dimsWhere("r.")
	if w == "" && f.Tag == "" {
		// Unfiltered: walk the (kind, value) index from the low end to the
		// middle — half the period's facts of the kind, no sort.
		rows, err := s.db.QueryContext(ctx, `SELECT r.`+col+` FROM report_facts r WHERE r.kind = ? AND r.at >= ? AND r.at < ?
			ORDER BY r.`+col+` LIMIT 2 OFFSET ?`, kind, db.Millis(f.From), db.Millis(f.To), (count-1)/2)
		if err != nil {
			return 0, false, fmt.Errorf("report: median: %w", err)
		}
		vals, err := int64s(rows)
		if err != nil || len(vals) == 0 {
			return 0, false, err
		}
		if count%2 == 1 || len(vals) == 1 {
			return float64(vals[0]), true, nil
		}
		return float64(vals[0]+vals[1]) / 2, true, nil
	}
	// Filtered: the value index would be walked entry by entry with a
	// table lookup each to test the filter; instead read the matching
	// values from the covering (kind, at, dimensions…) index — or, for a
	// tag, from the tag's tickets — and pick the middle here.
	var q string
	var args []any
	if f.Tag != "" && len(f.dimFilters()) == 1 {
		// Few facts in the period (fewFacts): test each one's tags.
		q = `SELECT r.` + col + ` FROM report_facts r WHERE r.kind = ? AND r.at >= ? AND r.at < ? AND ` + s.tagCond("r.tags")
		args = append(args, kind, db.Millis(f.From), db.Millis(f.To), " "+f.Tag+" ")
	} else if f.Tag != "" {
		q = `SELECT r.` + col + ` FROM ticket_tags tt CROSS JOIN report_facts r WHERE tt.tag = ? AND r.ticket_id = tt.ticket_id
			AND r.kind = ? AND ` + s.noIndex("r.at") + ` >= ? AND ` + s.noIndex("r.at") + ` < ?` + w
		args = append(args, f.Tag)
	} else {
		q = `SELECT r.` + col + ` FROM report_facts r WHERE r.kind = ? AND r.at >= ? AND r.at < ?` + w
	}
	if !(f.Tag != "" && len(f.dimFilters()) == 1) {
		args = append(args, kind, db.Millis(f.From), db.Millis(f.To))
		args = append(args, wargs...)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return 0, false, fmt.Errorf("report: median: %w", err)
	}
	vals, err := int64s(rows)
	if err != nil || len(vals) == 0 {
		return 0, false, err
	}
	slices.Sort(vals)
	n := len(vals)
	if n%2 == 1 {
		return float64(vals[n/2]), true, nil
	}
	return float64(vals[n/2-1]+vals[n/2]) / 2, true, nil
}

// noIndex keeps SQLite's planner from using an index for a column (the
// unary plus); PostgreSQL plans without the hint.
func (s *Service) noIndex(col string) string {
	if s.db.Dialect() == db.SQLite {
		return "+" + col
	}
	return col
}

// int64s reads a one-column result and closes rows.
func int64s(rows *sql.Rows) ([]int64, error) {
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("report: read values: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report: read values: %w", err)
	}
	return out, nil
}

// Figures are the key numbers of a period. Durations are seconds; a nil
// pointer means "no data" (no replies in the period: no reply time).
type Figures struct {
	Created          int64    `json:"created"`
	Solved           int64    `json:"solved"`
	BacklogEnd       int64    `json:"backlog_end"`
	Replies          int64    `json:"agent_replies"`
	Reopens          int64    `json:"reopens"`
	FirstReplyAvg    *float64 `json:"first_reply_avg"`
	FirstReplyAvgBH  *float64 `json:"first_reply_avg_business"`
	FirstReplyMed    *float64 `json:"first_reply_median"`
	FirstReplyMedBH  *float64 `json:"first_reply_median_business"`
	NextReplyAvg     *float64 `json:"next_reply_avg"`
	NextReplyAvgBH   *float64 `json:"next_reply_avg_business"`
	ResolutionAvg    *float64 `json:"resolution_avg"`
	ResolutionAvgBH  *float64 `json:"resolution_avg_business"`
	ResolutionMed    *float64 `json:"resolution_median"`
	ResolutionMedBH  *float64 `json:"resolution_median_business"`
	WaitAvg          *float64 `json:"requester_wait_avg"`
	WaitAvgBH        *float64 `json:"requester_wait_avg_business"`
	OnHoldAvg        *float64 `json:"on_hold_avg"`
	OnHoldAvgBH      *float64 `json:"on_hold_avg_business"`
	RepliesPerTicket *float64 `json:"replies_per_ticket"`
	OneTouchRate     *float64 `json:"one_touch_rate"`
	ReopenRate       *float64 `json:"reopen_rate"`
	SLAAttainment    *float64 `json:"sla_attainment"`
	// CSAT is good ratings ÷ rated tickets (each ticket's latest rating);
	// CSATRated and CSATGood are the counts behind it.
	CSAT      *float64 `json:"csat"`
	CSATRated int64    `json:"csat_rated"`
	CSATGood  int64    `json:"csat_good"`
	// CSATResponseRate is surveys sent in the period that have a rating now
	// ÷ surveys sent in the period (CSATSurveys, CSATAnswered).
	CSATResponseRate *float64 `json:"csat_response_rate"`
	CSATSurveys      int64    `json:"csat_surveys"`
	CSATAnswered     int64    `json:"csat_answered"`
	// NPS is 100 × (promoters − detractors) ÷ answers dated in the period
	// (−100 … 100); NPSAnswers counts them.
	NPS        *float64 `json:"nps"`
	NPSAnswers int64    `json:"nps_answers"`
	// NPSResponseRate is NPS sends made in the period that have an answer
	// now ÷ sends made in the period (NPSSent, NPSSentAnswered).
	NPSResponseRate *float64 `json:"nps_response_rate"`
	NPSSent         int64    `json:"nps_sent"`
	NPSSentAnswered int64    `json:"nps_sent_answered"`
	// IQS is the mean score of the QA reviews submitted in the period, as
	// a ratio (0.7813 is 78.13 %); IQSReviews counts them and
	// IQSCriticalFails those failed by a critical category.
	IQS              *float64 `json:"iqs"`
	IQSReviews       int64    `json:"iqs_reviews"`
	IQSCriticalFails int64    `json:"iqs_critical_fails"`
	// SLA maps each target (first_reply, next_reply, periodic_update,
	// resolution) to its attainment and counts.
	SLA map[string]SLAFigure `json:"sla"`
}

// SLAFigure is one SLA target's attainment.
type SLAFigure struct {
	Achieved int64    `json:"achieved"`
	Breached int64    `json:"breached"`
	Rate     *float64 `json:"rate"`
}

func ratio(num, den int64) *float64 {
	if den == 0 {
		return nil
	}
	v := float64(num) / float64(den)
	return &v
}

// scaled is num ÷ den × k; nil when den is 0.
func scaled(num, den int64, k float64) *float64 {
	if den == 0 {
		return nil
	}
	v := float64(num) / float64(den) * k
	return &v
}

func figures(t map[string]Sums) Figures {
	f := Figures{
		Created: t[KindCreated].N, Solved: t[KindSolved].N, Replies: t[KindReply].N, Reopens: t[KindReopen].N,
		FirstReplyAvg: ratio(t[KindFirstReply].Total, t[KindFirstReply].N), FirstReplyAvgBH: ratio(t[KindFirstReply].BTotal, t[KindFirstReply].N),
		NextReplyAvg: ratio(t[KindNextReply].Total, t[KindNextReply].N), NextReplyAvgBH: ratio(t[KindNextReply].BTotal, t[KindNextReply].N),
		ResolutionAvg: ratio(t[KindSolved].Total, t[KindSolved].N), ResolutionAvgBH: ratio(t[KindSolved].BTotal, t[KindSolved].N),
		WaitAvg: ratio(t[KindWait].Total, t[KindWait].N), WaitAvgBH: ratio(t[KindWait].BTotal, t[KindWait].N),
		OnHoldAvg: ratio(t[KindOnHold].Total, t[KindOnHold].N), OnHoldAvgBH: ratio(t[KindOnHold].BTotal, t[KindOnHold].N),
		RepliesPerTicket: ratio(t[KindReplies].Total, t[KindReplies].N),
		OneTouchRate:     ratio(t[KindOneTouch].Total, t[KindOneTouch].N),
		ReopenRate:       ratio(t[KindSolvedReopened].Total, t[KindSolvedReopened].N),
		SLA:              map[string]SLAFigure{},
		CSAT:             ratio(t[KindCSAT].Total, t[KindCSAT].N), CSATRated: t[KindCSAT].N, CSATGood: t[KindCSAT].Total,
		CSATResponseRate: ratio(t[KindCSATSurvey].Total, t[KindCSATSurvey].N), CSATSurveys: t[KindCSATSurvey].N, CSATAnswered: t[KindCSATSurvey].Total,
		NPS: scaled(t[KindNPS].Total, t[KindNPS].N, 100), NPSAnswers: t[KindNPS].N,
		NPSResponseRate: ratio(t[KindNPSSent].Total, t[KindNPSSent].N), NPSSent: t[KindNPSSent].N, NPSSentAnswered: t[KindNPSSent].Total,
		IQS: scaled(t[KindIQS].Total, t[KindIQS].N, 1.0/10000), IQSReviews: t[KindIQS].N, IQSCriticalFails: t[KindIQS].BTotal,
	}
	var met, all int64
	for _, m := range sla.Metrics {
		c := t[KindSLAPrefix+m]
		if c.N == 0 {
			continue
		}
		f.SLA[m] = SLAFigure{Achieved: c.Total, Breached: c.N - c.Total, Rate: ratio(c.Total, c.N)}
		met, all = met+c.Total, all+c.N
	}
	f.SLAAttainment = ratio(met, all)
	return f
}

// Figures computes a period's key numbers.
func (s *Service) Figures(ctx context.Context, actor authz.Actor, f Filter) (Figures, error) {
	if err := authz.Check(actor, authz.ReportRead); err != nil {
		return Figures{}, err
	}
	if err := f.Validate(); err != nil {
		return Figures{}, err
	}
	return s.figures(ctx, f)
}

func (s *Service) figures(ctx context.Context, f Filter) (Figures, error) {
	t, err := s.totals(ctx, f, Kinds)
	if err != nil {
		return Figures{}, err
	}
	out := figures(t)
	if out.BacklogEnd, err = s.backlogAt(ctx, f, f.To); err != nil {
		return Figures{}, err
	}
	meds := []struct {
		kind string
		biz  bool
		dst  **float64
	}{
		{KindFirstReply, false, &out.FirstReplyMed}, {KindFirstReply, true, &out.FirstReplyMedBH},
		{KindSolved, false, &out.ResolutionMed}, {KindSolved, true, &out.ResolutionMedBH},
	}
	for _, m := range meds {
		v, ok, err := s.median(ctx, f, m.kind, m.biz, t[m.kind].N)
		if err != nil {
			return Figures{}, err
		}
		if ok {
			*m.dst = &v
		}
	}
	return out, nil
}

// Overview is the manager's first page: the period's figures, the same for
// the period before it (for the trend), and daily series.
type Overview struct {
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Current  Figures   `json:"current"`
	Previous Figures   `json:"previous"`
	Series   []Point   `json:"series"`
	Pending  int64     `json:"pending_tickets"` // tickets whose latest events are not counted yet
}

// Point is one bucket (a day, week or month in the viewer's zone) of a
// series.
type Point struct {
	Start         time.Time `json:"start"`
	Created       int64     `json:"created"`
	Solved        int64     `json:"solved"`
	Backlog       int64     `json:"backlog"` // unsolved at the bucket's end
	Replies       int64     `json:"agent_replies"`
	FirstReplyAvg *float64  `json:"first_reply_avg"`
	ResolutionAvg *float64  `json:"resolution_avg"`
	SLAAttainment *float64  `json:"sla_attainment"`
}

// Overview computes the overview for f.
func (s *Service) Overview(ctx context.Context, actor authz.Actor, f Filter) (Overview, error) {
	if err := authz.Check(actor, authz.ReportRead); err != nil {
		return Overview{}, err
	}
	if err := f.Validate(); err != nil {
		return Overview{}, err
	}
	cur, err := s.figures(ctx, f)
	if err != nil {
		return Overview{}, err
	}
	prev := f
	prev.From, prev.To = f.From.Add(-f.To.Sub(f.From)), f.From
	pf, err := s.figures(ctx, prev)
	if err != nil {
		return Overview{}, err
	}
	series, err := s.series(ctx, f, bucketFor(f))
	if err != nil {
		return Overview{}, err
	}
	pending, err := s.Pending(ctx)
	if err != nil {
		return Overview{}, err
	}
	return Overview{From: f.From, To: f.To, Current: cur, Previous: pf, Series: series, Pending: pending}, nil
}

// Bucket sizes for series.
const (
	Day   = "day"
	Week  = "week"
	Month = "month"
)

// bucketFor picks days up to ~3 months, weeks up to a year, else months.
func bucketFor(f Filter) string {
	switch d := f.To.Sub(f.From); {
	case d <= 93*24*time.Hour:
		return Day
	case d <= 366*24*time.Hour:
		return Week
	}
	return Month
}

// bucketStart returns the start of t's bucket in loc.
func bucketStart(t time.Time, loc *time.Location, bucket string) time.Time {
	l := t.In(loc)
	day := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	switch bucket {
	case Week: // weeks start on Monday (ISO 8601)
		off := (int(day.Weekday()) + 6) % 7
		return day.AddDate(0, 0, -off)
	case Month:
		return time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, loc)
	}
	return day
}

func nextBucket(t time.Time, bucket string) time.Time {
	switch bucket {
	case Week:
		return t.AddDate(0, 0, 7)
	case Month:
		return t.AddDate(0, 1, 0)
	}
	return t.AddDate(0, 0, 1)
}

// Series returns f's period bucketed by day, week or month.
func (s *Service) Series(ctx context.Context, actor authz.Actor, f Filter, bucket string) ([]Point, error) {
	if err := authz.Check(actor, authz.ReportRead); err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	switch bucket {
	case "":
		bucket = bucketFor(f)
	case Day, Week, Month:
	default:
		return nil, apperr.InvalidField("bucket", "must be day, week or month")
	}
	return s.series(ctx, f, bucket)
}

func (s *Service) series(ctx context.Context, f Filter, bucket string) ([]Point, error) {
	var starts, bounds []time.Time
	for b := bucketStart(f.From, f.Loc, bucket); b.Before(f.To); b = nextBucket(b, bucket) {
		starts = append(starts, b)
		// The first bucket may start before the period: count from From.
		bounds = append(bounds, maxTime(b, f.From))
	}
	bounds = append(bounds, f.To)
	kinds := []string{KindCreated, KindSolved, KindBacklog, KindReply, KindFirstReply}
	for _, m := range sla.Metrics {
		kinds = append(kinds, KindSLAPrefix+m)
	}
	groups, err := s.aggregate(ctx, f, f.From, f.To, kinds, grouping{bounds: bounds})
	if err != nil {
		return nil, err
	}
	backlog, err := s.backlogAt(ctx, f, f.From)
	if err != nil {
		return nil, err
	}
	out := make([]Point, len(starts))
	for i, b := range starts {
		g := groups[strconv.Itoa(i)]
		var slaAll Sums
		for _, m := range sla.Metrics {
			slaAll.add(g[KindSLAPrefix+m])
		}
		backlog += g[KindBacklog].Total
		out[i] = Point{Start: b, Created: g[KindCreated].N, Solved: g[KindSolved].N, Backlog: backlog, Replies: g[KindReply].N,
			FirstReplyAvg: ratio(g[KindFirstReply].Total, g[KindFirstReply].N), ResolutionAvg: ratio(g[KindSolved].Total, g[KindSolved].N),
			SLAAttainment: ratio(slaAll.Total, slaAll.N)}
	}
	return out, nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// Breakdown dimensions.
var Dimensions = []string{"team", "agent", "channel", "priority", "type"}

// Row is one group of a breakdown.
type Row struct {
	Key     string  `json:"key"` // the team or agent id, or the channel/priority/type
	Figures Figures `json:"figures"`
}

// Breakdown groups the period's figures by one dimension (medians are
// left out: per group they would cost one index walk each). BacklogEnd is
// each group's own backlog at the period's end.
func (s *Service) Breakdown(ctx context.Context, actor authz.Actor, f Filter, by string) ([]Row, error) {
	if err := authz.Check(actor, authz.ReportRead); err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	if dimColumns[by] == "" {
		return nil, apperr.InvalidField("by", "must be one of "+strings.Join(Dimensions, ", "))
	}
	groups, err := s.aggregate(ctx, f, f.From, f.To, Kinds, grouping{by: by})
	if err != nil {
		return nil, err
	}
	// Each group's backlog at the period's end, as backlogAt counts it for
	// one value: every backlog fact before the end, summed per value.
	// Facts carry the ticket's current dimensions, so a ticket counts
	// under the team, agent… it has now.
	backlog, err := s.aggregate(ctx, f, time.Unix(0, 0).UTC(), f.To, []string{KindBacklog}, grouping{by: by})
	if err != nil {
		return nil, err
	}
	out := make([]Row, 0, len(groups))
	for k, t := range groups {
		row := Row{Key: k, Figures: figures(t)}
		row.Figures.BacklogEnd = backlog[k][KindBacklog].Total
		out = append(out, row)
	}
	// A value with unsolved tickets and nothing else in the period still
	// has a backlog to show.
	for k, b := range backlog {
		if _, ok := groups[k]; !ok && b[KindBacklog].Total != 0 {
			row := Row{Key: k, Figures: figures(map[string]Sums{})}
			row.Figures.BacklogEnd = b[KindBacklog].Total
			out = append(out, row)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Figures.Created != out[j].Figures.Created {
			return out[i].Figures.Created > out[j].Figures.Created
		}
		return out[i].Key < out[j].Key
	})
	return out, nil
}

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

// EachFact streams the facts behind a figure (of kind, or every kind for
// ""), oldest first: the drill-down from a number to its tickets, and the
// fact export.
func (s *Service) EachFact(ctx context.Context, actor authz.Actor, f Filter, kind string, fn func(Fact) error) error {
	if err := CheckExport(actor, &f, kind); err != nil {
		return err
	}
	args := []any{}
	from, tagCond, at := "report_facts f", "1 = 1", "f.at"
	if f.Tag != "" {
		// As in aggregateFacts: start from the tag's tickets.
		from, tagCond, at = "ticket_tags tt CROSS JOIN report_facts f", "tt.tag = ? AND f.ticket_id = tt.ticket_id", s.noIndex("f.at")
		args = append(args, f.Tag)
	}
	cond := ""
	if kind != "" {
		cond = " AND f.kind = ?"
		args = append(args, kind)
	}
	w, wargs := f.dimsWhere("f.")
	args = append(args, db.Millis(f.From), db.Millis(f.To))
	args = append(args, wargs...)
	rows, err := s.db.QueryContext(ctx, `SELECT f.ticket_id, f.kind, f.n, f.at, f.team_id, f.agent_id, f.channel, f.priority, f.type,
		f.organization_id, f.language, f.value, f.bvalue FROM `+from+` WHERE `+tagCond+cond+` AND `+at+` >= ? AND `+at+` < ?`+w+
		` ORDER BY f.at, f.ticket_id, f.kind, f.n`, args...)
	if err != nil {
		return fmt.Errorf("report: facts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var x Fact
		var at int64
		if err := rows.Scan(&x.TicketID, &x.Kind, &x.N, &at, &x.TeamID, &x.AgentID, &x.Channel, &x.Priority, &x.Type,
			&x.OrganizationID, &x.Language, &x.Value, &x.BValue); err != nil {
			return fmt.Errorf("report: facts: %w", err)
		}
		x.At = db.Time(at)
		if err := fn(x); err != nil {
			return err
		}
	}
	return rows.Err()
}

// CheckExport answers what EachFact or EachEvent (kind "") would refuse —
// the role, the period, the kind — without running the query, so a
// streamed export can fail with a status before its first byte.
func CheckExport(actor authz.Actor, f *Filter, kind string) error {
	if err := authz.Check(actor, authz.ReportRead); err != nil {
		return err
	}
	if err := f.Validate(); err != nil {
		return err
	}
	if _, ok := kindIndex[kind]; kind != "" && !ok {
		return apperr.InvalidField("kind", "must be one of "+strings.Join(Kinds, ", "))
	}
	return nil
}

// Facts collects up to limit facts (see EachFact).
func (s *Service) Facts(ctx context.Context, actor authz.Actor, f Filter, kind string) ([]Fact, error) {
	const limit = 10000
	var out []Fact
	err := s.EachFact(ctx, actor, f, kind, func(x Fact) error {
		if len(out) == limit {
			return errEnough
		}
		out = append(out, x)
		return nil
	})
	if err == errEnough {
		err = nil
	}
	return out, err
}

var errEnough = fmt.Errorf("report: enough")

// EachEvent streams the raw ticket event log of f's period (by event
// time, then id), for BI tools. Only the period applies: events carry no
// report dimensions of their own.
func (s *Service) EachEvent(ctx context.Context, actor authz.Actor, f Filter, fn func(ticket.Event) error) error {
	if err := CheckExport(actor, &f, ""); err != nil {
		return err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, ticket_id, seq, type, actor_type, COALESCE(actor_id, 0), at, COALESCE(origin_ticket_id, 0), data
		FROM ticket_events WHERE at >= ? AND at < ? ORDER BY at, id`, db.Millis(f.From), db.Millis(f.To))
	if err != nil {
		return fmt.Errorf("report: events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e ticket.Event
		var at int64
		var data string
		if err := rows.Scan(&e.ID, &e.TicketID, &e.Seq, &e.Type, &e.ActorType, &e.ActorID, &at, &e.OriginTicketID, &data); err != nil {
			return fmt.Errorf("report: events: %w", err)
		}
		e.At = db.Time(at)
		if err := json.Unmarshal([]byte(data), &e.Data); err != nil {
			e.Data = map[string]any{"raw": data}
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}
