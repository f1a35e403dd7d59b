package report

import (
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
)

// Unit says how a metric's value reads.
type Unit string

// Units.
const (
	Seconds Unit = "seconds"
	Ratio   Unit = "ratio" // 0..1, shown as a percentage
	Count   Unit = "count"
	Number  Unit = "number" // a mean count, e.g. replies per ticket
	Score   Unit = "score"  // a score on its own scale, e.g. NPS (−100 … 100)
)

// Direction says which way a metric moves when the team does better.
// Volumes are Neutral: more tickets created (or solved, or replies sent)
// is demand, not an improvement, so a change of theirs gets no verdict
// and no good/bad colour. docs/metrics.md lists each metric's direction.
type Direction string

// Directions.
const (
	Neutral        Direction = "neutral"
	HigherIsBetter Direction = "higher_is_better"
	LowerIsBetter  Direction = "lower_is_better"
)

// Stat says how a metric sums up its facts: a Mean or a Median of their
// values; "" for counts and rates.
type Stat string

// Stats.
const (
	Mean   Stat = "mean"
	Median Stat = "median"
)

// Hours says which clock a duration metric reads: wall-clock Calendar
// hours or the reporting calendar's Business hours; "" for metrics that
// are not durations.
type Hours string

// Clocks.
const (
	Calendar Hours = "calendar"
	Business Hours = "business"
)

// Metric is one named figure: what goals, scheduled summaries, exports and
// dashboards refer to by Key.
type Metric struct {
	Key    string
	Label  string // English; the UI translates it
	Unit   Unit
	Better Direction
	Stat   Stat
	Hours  Hours
	Value  func(Figures) *float64
}

func count(v int64) *float64 { f := float64(v); return &f }

// Metrics lists every figure in the order summaries show them.
var Metrics = []Metric{
	{"created", "Tickets created", Count, Neutral, "", "", func(f Figures) *float64 { return count(f.Created) }},
	{"solved", "Tickets solved", Count, Neutral, "", "", func(f Figures) *float64 { return count(f.Solved) }},
	{"backlog", "Backlog at the end", Count, LowerIsBetter, "", "", func(f Figures) *float64 { return count(f.BacklogEnd) }},
	{"agent_replies", "Agent replies", Count, Neutral, "", "", func(f Figures) *float64 { return count(f.Replies) }},
	{"first_reply_median", "First reply time (median)", Seconds, LowerIsBetter, Median, Calendar, func(f Figures) *float64 { return f.FirstReplyMed }},
	{"first_reply_median_business", "First reply time, business hours (median)", Seconds, LowerIsBetter, Median, Business, func(f Figures) *float64 { return f.FirstReplyMedBH }},
	{"first_reply_avg", "First reply time (mean)", Seconds, LowerIsBetter, Mean, Calendar, func(f Figures) *float64 { return f.FirstReplyAvg }},
	{"next_reply_avg", "Next reply time (mean)", Seconds, LowerIsBetter, Mean, Calendar, func(f Figures) *float64 { return f.NextReplyAvg }},
	{"resolution_median", "Full resolution time (median)", Seconds, LowerIsBetter, Median, Calendar, func(f Figures) *float64 { return f.ResolutionMed }},
	{"resolution_median_business", "Full resolution time, business hours (median)", Seconds, LowerIsBetter, Median, Business, func(f Figures) *float64 { return f.ResolutionMedBH }},
	{"resolution_avg", "Full resolution time (mean)", Seconds, LowerIsBetter, Mean, Calendar, func(f Figures) *float64 { return f.ResolutionAvg }},
	{"requester_wait_avg", "Requester wait time (mean)", Seconds, LowerIsBetter, Mean, Calendar, func(f Figures) *float64 { return f.WaitAvg }},
	{"on_hold_avg", "On-hold time (mean)", Seconds, LowerIsBetter, Mean, Calendar, func(f Figures) *float64 { return f.OnHoldAvg }},
	{"replies_per_ticket", "Replies per solved ticket", Number, LowerIsBetter, Mean, "", func(f Figures) *float64 { return f.RepliesPerTicket }},
	{"one_touch_rate", "One-touch resolution rate", Ratio, HigherIsBetter, "", "", func(f Figures) *float64 { return f.OneTouchRate }},
	{"reopen_rate", "Reopen rate", Ratio, LowerIsBetter, "", "", func(f Figures) *float64 { return f.ReopenRate }},
	{"sla_attainment", "SLA attainment", Ratio, HigherIsBetter, "", "", func(f Figures) *float64 { return f.SLAAttainment }},
	{"csat", "Customer satisfaction (CSAT)", Ratio, HigherIsBetter, "", "", func(f Figures) *float64 { return f.CSAT }},
	{"csat_response_rate", "CSAT survey response rate", Ratio, HigherIsBetter, "", "", func(f Figures) *float64 { return f.CSATResponseRate }},
	{"nps", "Net Promoter Score (NPS)", Score, HigherIsBetter, "", "", func(f Figures) *float64 { return f.NPS }},
	{"nps_response_rate", "NPS survey response rate", Ratio, HigherIsBetter, "", "", func(f Figures) *float64 { return f.NPSResponseRate }},
	{"iqs", "Internal Quality Score (IQS)", Ratio, HigherIsBetter, Mean, "", func(f Figures) *float64 { return f.IQS }},
}

// Moves and verdicts of a Change.
const (
	Up      = "up"
	Down    = "down"
	Flat    = "flat"
	Better  = "better"
	Worse   = "worse"
	unmoved = 1e-9 // closer than this is no change (float sums)
)

// Change is how a figure moved from the previous period and what that
// means for its metric.
type Change struct {
	Move    string   // Up, Down, Flat, or "" when either period has no data
	Verdict string   // Better, Worse, or "" (no move, no data, or a Neutral metric)
	Ratio   *float64 // |now − before| ÷ |before|; nil when before is 0 or missing
}

// Compare judges the move from prev to cur by m's direction: only a
// metric with a direction gets a verdict.
func Compare(m Metric, cur, prev *float64) Change {
	if cur == nil || prev == nil || math.IsNaN(*cur) || math.IsNaN(*prev) {
		return Change{}
	}
	d := *cur - *prev
	if math.Abs(d) < unmoved {
		return Change{Move: Flat}
	}
	c := Change{Move: Up}
	if d < 0 {
		c.Move = Down
	}
	if *prev != 0 {
		r := math.Abs(d) / math.Abs(*prev)
		c.Ratio = &r
	}
	switch {
	case m.Better == HigherIsBetter && c.Move == Up, m.Better == LowerIsBetter && c.Move == Down:
		c.Verdict = Better
	case m.Better == HigherIsBetter, m.Better == LowerIsBetter:
		c.Verdict = Worse
	}
	return c
}

// MetricByKey finds a metric.
func MetricByKey(key string) (Metric, bool) {
	for _, m := range Metrics {
		if m.Key == key {
			return m, true
		}
	}
	return Metric{}, false
}

// FilterFromQuery reads a report filter from URL parameters, the same for
// the API, its CSV exports and the dashboards:
//
//	from, to      dates (2026-03-01, days in tz; to is inclusive) or RFC 3339 times (to exclusive);
//	              default: the last 30 days up to the end of today
//	tz            IANA zone for days and buckets; default fallback
//	team_id agent_id organization_id channel priority type tag language
func FilterFromQuery(q url.Values, fallback *time.Location, now time.Time) (Filter, error) {
	f := Filter{Loc: fallback}
	if f.Loc == nil {
		f.Loc = time.UTC
	}
	if tz := strings.TrimSpace(q.Get("tz")); tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil || strings.EqualFold(tz, "local") {
			return f, apperr.InvalidField("tz", "is not an IANA time zone such as Europe/Oslo")
		}
		f.Loc = loc
	}
	parse := func(field string, end bool) (time.Time, error) {
		v := strings.TrimSpace(q.Get(field))
		if v == "" {
			return time.Time{}, nil
		}
		if t, err := time.ParseInLocation("2006-01-02", v, f.Loc); err == nil {
			if end {
				t = t.AddDate(0, 0, 1)
			}
			return t, nil
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return time.Time{}, apperr.InvalidField(field, "must be a date (2026-03-01) or an RFC 3339 time")
		}
		if t.IsZero() { // would read as "not given"
			return time.Time{}, apperr.InvalidField(field, "must be between 1970-01-01 and 2200-01-01")
		}
		return t, nil
	}
	var err error
	if f.From, err = parse("from", false); err != nil {
		return f, err
	}
	if f.To, err = parse("to", true); err != nil {
		return f, err
	}
	if f.To.IsZero() {
		l := now.In(f.Loc)
		f.To = time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, f.Loc).AddDate(0, 0, 1)
	}
	if f.From.IsZero() {
		f.From = f.To.AddDate(0, 0, -30)
	}
	ids := []struct {
		name string
		dst  *int64
	}{{"team_id", &f.TeamID}, {"agent_id", &f.AgentID}, {"organization_id", &f.OrganizationID}}
	for _, p := range ids {
		v := strings.TrimSpace(q.Get(p.name))
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return f, apperr.InvalidField(p.name, "must be a positive integer")
		}
		*p.dst = n
	}
	f.Channel = strings.TrimSpace(q.Get("channel"))
	f.Priority = strings.TrimSpace(q.Get("priority"))
	f.Type = strings.TrimSpace(q.Get("type"))
	f.Tag = strings.TrimSpace(q.Get("tag"))
	f.Language = strings.TrimSpace(q.Get("language"))
	return f, f.Validate()
}
