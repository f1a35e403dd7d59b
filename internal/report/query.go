package report

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/sla"
)

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
	ctx, err := s.prefetch(ctx, f, f.From)
	if err != nil {
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
	ctx, err := s.prefetch(ctx, f, f.From.Add(-f.To.Sub(f.From)))
	if err != nil {
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
