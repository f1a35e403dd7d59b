package report

import (
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
)

// Metric is one named figure: what goals, scheduled summaries, exports and
// dashboards refer to by Key.
type Metric struct {
	Key   string
	Label string // English; the UI translates it
	Unit  Unit
	// LowerIsBetter: for reply times and backlog a fall is an improvement.
	LowerIsBetter bool
	Value         func(Figures) *float64
}

func count(v int64) *float64 { f := float64(v); return &f }

// Metrics lists every figure in the order summaries show them.
var Metrics = []Metric{
	{"created", "Tickets created", Count, false, func(f Figures) *float64 { return count(f.Created) }},
	{"solved", "Tickets solved", Count, false, func(f Figures) *float64 { return count(f.Solved) }},
	{"backlog", "Backlog at the end", Count, true, func(f Figures) *float64 { return count(f.BacklogEnd) }},
	{"agent_replies", "Agent replies", Count, false, func(f Figures) *float64 { return count(f.Replies) }},
	{"first_reply_median", "First reply time (median)", Seconds, true, func(f Figures) *float64 { return f.FirstReplyMed }},
	{"first_reply_median_business", "First reply time, business hours (median)", Seconds, true, func(f Figures) *float64 { return f.FirstReplyMedBH }},
	{"first_reply_avg", "First reply time (mean)", Seconds, true, func(f Figures) *float64 { return f.FirstReplyAvg }},
	{"next_reply_avg", "Next reply time (mean)", Seconds, true, func(f Figures) *float64 { return f.NextReplyAvg }},
	{"resolution_median", "Full resolution time (median)", Seconds, true, func(f Figures) *float64 { return f.ResolutionMed }},
	{"resolution_median_business", "Full resolution time, business hours (median)", Seconds, true, func(f Figures) *float64 { return f.ResolutionMedBH }},
	{"resolution_avg", "Full resolution time (mean)", Seconds, true, func(f Figures) *float64 { return f.ResolutionAvg }},
	{"requester_wait_avg", "Requester wait time (mean)", Seconds, true, func(f Figures) *float64 { return f.WaitAvg }},
	{"on_hold_avg", "On-hold time (mean)", Seconds, true, func(f Figures) *float64 { return f.OnHoldAvg }},
	{"replies_per_ticket", "Replies per solved ticket", Number, true, func(f Figures) *float64 { return f.RepliesPerTicket }},
	{"one_touch_rate", "One-touch resolution rate", Ratio, false, func(f Figures) *float64 { return f.OneTouchRate }},
	{"reopen_rate", "Reopen rate", Ratio, true, func(f Figures) *float64 { return f.ReopenRate }},
	{"sla_attainment", "SLA attainment", Ratio, false, func(f Figures) *float64 { return f.SLAAttainment }},
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
