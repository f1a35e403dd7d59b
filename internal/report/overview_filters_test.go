package report_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/report"
)

// bruteFigures counts a period's figures from the brute-force facts.
type bruteFigures struct{ Created, Solved, Replies, Backlog, FirstReplySum, ResolutionSum int64 }

func bruteCount(facts []bruteFact, match func(bruteFact) bool, from, to time.Time) (bruteFigures, []int64, []int64) {
	var w bruteFigures
	var firsts, solves []int64
	for _, x := range facts {
		if !match(x) || x.at >= db.Millis(to) {
			continue
		}
		if x.kind == report.KindBacklog {
			w.Backlog += x.value
		}
		if x.at < db.Millis(from) {
			continue
		}
		switch x.kind {
		case report.KindCreated:
			w.Created++
		case report.KindSolved:
			w.Solved++
			w.ResolutionSum += x.value
			solves = append(solves, x.value)
		case report.KindReply:
			w.Replies++
		case report.KindFirstReply:
			w.FirstReplySum += x.value
			firsts = append(firsts, x.value)
		}
	}
	return w, firsts, solves
}

// TestOverviewTwoFiltersMatchFacts: the whole overview — the period's
// figures, the period before it and the daily series in Oslo — with two
// filters at once (and one, for comparison) equals a brute-force count
// from the facts and the tickets' current tags, organization and
// language. A ticket's tags change inside the period (day 30), the
// periods start and end at Oslo hours that are not UTC midnights, and the
// longer period crosses the change to summer time (29 March). With two
// filters the medians are exact.
func TestOverviewTwoFiltersMatchFacts(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		org1, _ := filterCorpus(t, f)
		facts := bruteFacts(t, d)
		cases := []struct {
			name  string
			two   bool
			edit  func(*report.Filter)
			match func(bruteFact) bool
		}{
			{"tag vip", false, func(r *report.Filter) { r.Tag = "vip" }, func(x bruteFact) bool { return x.tags["vip"] }},
			{"tag vip and organization 1", true, func(r *report.Filter) { r.Tag = "vip"; r.OrganizationID = org1 },
				func(x bruteFact) bool { return x.tags["vip"] && x.org == org1 }},
			{"tag refund (added in the period) and team", true, func(r *report.Filter) { r.Tag = "refund"; r.TeamID = f.team },
				func(x bruteFact) bool { return x.tags["refund"] && x.team == f.team }},
			{"channel email and language nb", true, func(r *report.Filter) { r.Channel = "email"; r.Language = "nb" },
				func(x bruteFact) bool { return x.channel == "email" && x.lang == "nb" }},
			{"team and tag shipping", true, func(r *report.Filter) { r.TeamID = f.team; r.Tag = "shipping" },
				func(x bruteFact) bool { return x.team == f.team && x.tags["shipping"] }},
			{"organization 1 and channel email", true, func(r *report.Filter) { r.OrganizationID = org1; r.Channel = "email" },
				func(x bruteFact) bool { return x.org == org1 && x.channel == "email" }},
			{"organization 1, tag billing and language nb", true, func(r *report.Filter) { r.OrganizationID = org1; r.Tag = "billing"; r.Language = "nb" },
				func(x bruteFact) bool { return x.org == org1 && x.tags["billing"] && x.lang == "nb" }},
			// The agent's facts (the index covering them, migration 0097)
			// with a tag, a channel, and both.
			{"agent and tag vip", true, func(r *report.Filter) { r.AgentID = f.agent.ID; r.Tag = "vip" },
				func(x bruteFact) bool { return x.agent == f.agent.ID && x.tags["vip"] }},
			{"agent and tag refund (added in the period)", true, func(r *report.Filter) { r.AgentID = f.agent.ID; r.Tag = "refund" },
				func(x bruteFact) bool { return x.agent == f.agent.ID && x.tags["refund"] }},
			{"agent and channel email", true, func(r *report.Filter) { r.AgentID = f.agent.ID; r.Channel = "email" },
				func(x bruteFact) bool { return x.agent == f.agent.ID && x.channel == "email" }},
			{"agent, tag billing and language nb", true, func(r *report.Filter) { r.AgentID = f.agent.ID; r.Tag = "billing"; r.Language = "nb" },
				func(x bruteFact) bool { return x.agent == f.agent.ID && x.tags["billing"] && x.lang == "nb" }},
			{"channel chat, language sv and team", true, func(r *report.Filter) { r.Channel = "chat"; r.Language = "sv"; r.TeamID = f.team },
				func(x bruteFact) bool { return x.channel == "chat" && x.lang == "sv" && x.team == f.team }},
		}
		periods := []struct {
			name     string
			from, to time.Time
		}{
			{"whole Oslo days", at(24, 0, 0), at(31, 0, 0)},
			{"Oslo hours", at(24, 7, 0), at(30, 15, 0)},
			// Between whole hours the page reads the facts per figure.
			{"Oslo half hours", at(24, 7, 30), at(30, 15, 30)},
		}
		for _, p := range periods {
			for _, c := range cases {
				t.Run(p.name+"/"+c.name, func(t *testing.T) {
					rf := report.Filter{From: p.from, To: p.to, Loc: oslo}
					c.edit(&rf)
					got, err := f.reports.Overview(ctx, f.admin, rf)
					if err != nil {
						t.Fatal(err)
					}
					prevFrom := p.from.Add(-p.to.Sub(p.from))
					for _, per := range []struct {
						name     string
						from, to time.Time
						fig      report.Figures
					}{{"current", p.from, p.to, got.Current}, {"previous", prevFrom, p.from, got.Previous}} {
						w, firsts, solves := bruteCount(facts, c.match, per.from, per.to)
						g := bruteFigures{Created: per.fig.Created, Solved: per.fig.Solved, Replies: per.fig.Replies, Backlog: per.fig.BacklogEnd,
							FirstReplySum: sum(per.fig.FirstReplyAvg, len(firsts)), ResolutionSum: sum(per.fig.ResolutionAvg, len(solves))}
						if diff := cmp.Diff(w, g); diff != "" {
							t.Errorf("%s figures (-brute force +report):\n%s", per.name, diff)
						}
						if c.two {
							exactMedian(t, per.name+" first reply", firsts, per.fig.FirstReplyMed)
							exactMedian(t, per.name+" resolution", solves, per.fig.ResolutionMed)
						} else {
							checkMedian(t, per.name+" first reply", firsts, per.fig.FirstReplyMed)
							checkMedian(t, per.name+" resolution", solves, per.fig.ResolutionMed)
						}
					}
					if per := per(t, facts, c.match, got.Series, p.from, p.to); per != "" {
						t.Errorf("series (-brute force +report):\n%s", per)
					}
				})
			}
		}
	})
}

// per compares a daily series with the brute-force count of each Oslo
// day (the first from the period's start, the last to its end).
func per(t *testing.T, facts []bruteFact, match func(bruteFact) bool, series []report.Point, from, to time.Time) string {
	t.Helper()
	type pt struct {
		Start                             time.Time
		Created, Solved, Replies, Backlog int64
	}
	var want, got []pt
	l := from.In(oslo)
	for day := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, oslo); day.Before(to); day = day.AddDate(0, 0, 1) {
		lo, hi := day, day.AddDate(0, 0, 1)
		if lo.Before(from) {
			lo = from
		}
		if hi.After(to) {
			hi = to
		}
		w, _, _ := bruteCount(facts, match, lo, hi)
		want = append(want, pt{day, w.Created, w.Solved, w.Replies, w.Backlog})
	}
	for _, p := range series {
		got = append(got, pt{p.Start, p.Created, p.Solved, p.Replies, p.Backlog})
	}
	return cmp.Diff(want, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) }))
}

// exactMedian: the median of vals exactly.
func exactMedian(t *testing.T, name string, vals []int64, got *float64) {
	t.Helper()
	if len(vals) == 0 {
		if got != nil {
			t.Errorf("%s median %v, want none", name, *got)
		}
		return
	}
	w := append([]int64(nil), vals...)
	for i := range w {
		for j := i + 1; j < len(w); j++ {
			if w[j] < w[i] {
				w[i], w[j] = w[j], w[i]
			}
		}
	}
	n := len(w)
	want := float64(w[n/2])
	if n%2 == 0 {
		want = float64(w[n/2-1]+w[n/2]) / 2
	}
	if got == nil || *got != want {
		t.Errorf("%s median %v, want exactly %v", name, got, want)
	}
}
