package report_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/report"
)

// TestMetricDirections: every metric declares which way is better, and
// the declarations are the ones docs/metrics.md gives; volumes have none.
// Each duration metric says whether it is a mean or a median and which
// clock it reads.
func TestMetricDirections(t *testing.T) {
	want := map[string]struct {
		better report.Direction
		stat   report.Stat
		hours  report.Hours
	}{
		"created":                     {report.Neutral, "", ""},
		"solved":                      {report.Neutral, "", ""},
		"backlog":                     {report.LowerIsBetter, "", ""},
		"agent_replies":               {report.Neutral, "", ""},
		"first_reply_median":          {report.LowerIsBetter, report.Median, report.Calendar},
		"first_reply_median_business": {report.LowerIsBetter, report.Median, report.Business},
		"first_reply_avg":             {report.LowerIsBetter, report.Mean, report.Calendar},
		"next_reply_avg":              {report.LowerIsBetter, report.Mean, report.Calendar},
		"resolution_median":           {report.LowerIsBetter, report.Median, report.Calendar},
		"resolution_median_business":  {report.LowerIsBetter, report.Median, report.Business},
		"resolution_avg":              {report.LowerIsBetter, report.Mean, report.Calendar},
		"requester_wait_avg":          {report.LowerIsBetter, report.Mean, report.Calendar},
		"on_hold_avg":                 {report.LowerIsBetter, report.Mean, report.Calendar},
		"replies_per_ticket":          {report.LowerIsBetter, report.Mean, ""},
		"one_touch_rate":              {report.HigherIsBetter, "", ""},
		"reopen_rate":                 {report.LowerIsBetter, "", ""},
		"sla_attainment":              {report.HigherIsBetter, "", ""},
		"csat":                        {report.HigherIsBetter, "", ""},
		"csat_response_rate":          {report.HigherIsBetter, "", ""},
		"nps":                         {report.HigherIsBetter, "", ""},
		"nps_response_rate":           {report.HigherIsBetter, "", ""},
		"iqs":                         {report.HigherIsBetter, report.Mean, ""},
	}
	if len(report.Metrics) != len(want) {
		t.Errorf("%d metrics, the table has %d: declare the new one's direction here and in docs/metrics.md", len(report.Metrics), len(want))
	}
	for _, m := range report.Metrics {
		w, ok := want[m.Key]
		if !ok {
			t.Errorf("%s: no declared direction", m.Key)
			continue
		}
		if m.Better != w.better || m.Stat != w.stat || m.Hours != w.hours {
			t.Errorf("%s: %s %q %q, want %s %q %q", m.Key, m.Better, m.Stat, m.Hours, w.better, w.stat, w.hours)
		}
	}
}

// TestCompare: the colour rule. A move is judged only where the metric
// has a direction; a rise in created tickets is neither good nor bad.
func TestCompare(t *testing.T) {
	metric := func(key string) report.Metric {
		m, ok := report.MetricByKey(key)
		if !ok {
			t.Fatalf("no metric %s", key)
		}
		return m
	}
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		name      string
		metric    string
		cur, prev *float64
		want      report.Change
	}{
		{"more created: no verdict", "created", f(112), f(100), report.Change{Move: report.Up, Ratio: f(0.12)}},
		{"fewer created: no verdict", "created", f(50), f(100), report.Change{Move: report.Down, Ratio: f(0.5)}},
		{"more solved: no verdict", "solved", f(120), f(100), report.Change{Move: report.Up, Ratio: f(0.2)}},
		{"more replies: no verdict", "agent_replies", f(3), f(2), report.Change{Move: report.Up, Ratio: f(0.5)}},
		{"created from none", "created", f(3), f(0), report.Change{Move: report.Up}},
		{"backlog grows: worse", "backlog", f(30), f(20), report.Change{Move: report.Up, Verdict: report.Worse, Ratio: f(0.5)}},
		{"backlog shrinks: better", "backlog", f(10), f(20), report.Change{Move: report.Down, Verdict: report.Better, Ratio: f(0.5)}},
		{"first reply faster: better", "first_reply_median", f(900), f(1800), report.Change{Move: report.Down, Verdict: report.Better, Ratio: f(0.5)}},
		{"resolution slower: worse", "resolution_avg", f(7200), f(3600), report.Change{Move: report.Up, Verdict: report.Worse, Ratio: f(1)}},
		{"business first reply slower: worse", "first_reply_median_business", f(60), f(0), report.Change{Move: report.Up, Verdict: report.Worse}},
		{"SLA up: better", "sla_attainment", f(0.9), f(0.8), report.Change{Move: report.Up, Verdict: report.Better, Ratio: f(0.125)}},
		{"SLA down: worse", "sla_attainment", f(0.4), f(0.8), report.Change{Move: report.Down, Verdict: report.Worse, Ratio: f(0.5)}},
		{"one-touch up: better", "one_touch_rate", f(0.5), f(0.25), report.Change{Move: report.Up, Verdict: report.Better, Ratio: f(1)}},
		{"reopens up: worse", "reopen_rate", f(0.5), f(0.25), report.Change{Move: report.Up, Verdict: report.Worse, Ratio: f(1)}},
		{"fewer replies per ticket: better", "replies_per_ticket", f(1), f(2), report.Change{Move: report.Down, Verdict: report.Better, Ratio: f(0.5)}},
		{"unchanged", "sla_attainment", f(0.8), f(0.8), report.Change{Move: report.Flat}},
		{"unchanged up to rounding", "first_reply_avg", f(0.1 + 0.2), f(0.3), report.Change{Move: report.Flat}},
		{"no data now", "backlog", nil, f(3), report.Change{}},
		{"no data before", "first_reply_median", f(60), nil, report.Change{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := report.Compare(metric(tc.metric), tc.cur, tc.prev)
			if diff := cmp.Diff(tc.want, got, cmp.Comparer(func(a, b float64) bool { return a-b < 1e-12 && b-a < 1e-12 })); diff != "" {
				t.Errorf("Compare (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSummaryVerdict: the summary mail judges changes by the same rule.
func TestSummaryVerdict(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	for _, tc := range []struct {
		metric    string
		cur, prev float64
		want      string
	}{
		{"created", 40, 20, ""},
		{"solved", 10, 20, ""},
		{"backlog", 40, 20, "worse"},
		{"sla_attainment", 0.9, 0.5, "better"},
		{"first_reply_median", 60, 600, "better"},
	} {
		m, _ := report.MetricByKey(tc.metric)
		if got := (report.SummaryLine{Metric: m, Value: f(tc.cur), Previous: f(tc.prev)}).Better(); got != tc.want {
			t.Errorf("%s %v → %v: %q, want %q", tc.metric, tc.prev, tc.cur, got, tc.want)
		}
	}
}
