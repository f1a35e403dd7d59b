package report_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/report"
	"github.com/ombud/ombud/internal/ticket"
)

// filterCorpus plays a small history whose dimensions change after the
// fact: a tag changed after the solve, a requester (and so organization)
// changed, a language changed. It returns the two organization ids.
func filterCorpus(t *testing.T, f fixture) (int64, int64) {
	t.Helper()
	ctx := context.Background()
	var orgs [2]int64
	var custs [2]int64
	err := f.d.Write(ctx, func(tx *db.Tx) error {
		for i := range orgs {
			var err error
			if orgs[i], err = tx.InsertID(ctx, `INSERT INTO organizations (name, created_at, updated_at) VALUES (?, 1, 1)`, fmt.Sprintf("Org %d", i)); err != nil {
				return err
			}
			if custs[i], err = tx.InsertID(ctx, `INSERT INTO customers (name, organization_id, created_at, updated_at) VALUES (?, ?, 1, 1)`,
				fmt.Sprintf("Customer %d", i), orgs[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	step := func(when time.Time, what func()) {
		t.Helper()
		f.clk.set(when)
		what()
		if _, err := f.reports.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
	}
	ids := map[int]int64{}
	channels := []string{"email", "chat", "web"}
	langs := []string{"nb", "sv", "en"}
	for i := range 12 {
		i := i
		day, hour := 23+i%6, 7+i*3%14
		step(at(day, hour, 10), func() {
			tags := []string{[]string{"billing", "login", "shipping"}[i%3]}
			if i%4 == 0 {
				tags = append(tags, "vip")
			}
			tk, err := f.tickets.Create(ctx, f.agent, ticket.CreateInput{Subject: "T", Description: "Hello", Priority: "normal",
				Channel: channels[i%3], Public: ptr(false), TeamID: &f.team, Tags: tags, Language: langs[i%3],
				Requester: &ticket.RequesterInput{Email: fmt.Sprintf("c%d@example.no", i%4), Name: "C"}})
			if err != nil {
				t.Fatal(err)
			}
			ids[i] = tk.ID
			r := custs[i%2]
			if _, err := f.tickets.Update(ctx, f.agent, tk.ID, ticket.Patch{RequesterID: &r}); err != nil {
				t.Fatal(err)
			}
		})
		step(at(day, hour, 10+7*(i+1)), func() {
			if _, err := f.tickets.AddComment(ctx, f.agent, ids[i], ticket.CommentInput{Body: "Reply", Public: ptr(true), Status: ticket.StatusPending}); err != nil {
				t.Fatal(err)
			}
		})
		if i%3 != 2 {
			step(at(day+1, hour, 5*i), func() {
				s := ticket.StatusSolved
				if _, err := f.tickets.Update(ctx, f.agent, ids[i], ticket.Patch{Status: &s}); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
	// After the solves: a tag changed, a requester (organization) and a
	// language changed.
	step(at(30, 12, 0), func() {
		tags := []string{"refund", "vip"}
		if _, err := f.tickets.Update(ctx, f.agent, ids[1], ticket.Patch{Tags: &tags}); err != nil {
			t.Fatal(err)
		}
		r := custs[0]
		if _, err := f.tickets.Update(ctx, f.agent, ids[3], ticket.Patch{RequesterID: &r}); err != nil {
			t.Fatal(err)
		}
		lang := "da"
		if _, err := f.tickets.Update(ctx, f.agent, ids[5], ticket.Patch{Language: &lang}); err != nil {
			t.Fatal(err)
		}
	})
	return orgs[0], orgs[1]
}

// bruteFact is a fact with its ticket's current dimensions, read from
// the tickets and tags tables rather than the facts' own columns.
type bruteFact struct {
	kind    string
	at      int64
	value   int64
	channel string
	team    int64
	org     int64
	agent   int64
	lang    string
	tags    map[string]bool
}

func bruteFacts(t *testing.T, d *db.DB) []bruteFact {
	t.Helper()
	ctx := context.Background()
	tags := map[int64]map[string]bool{}
	rows, err := d.QueryContext(ctx, `SELECT ticket_id, tag FROM ticket_tags`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var tag string
		if err := rows.Scan(&id, &tag); err != nil {
			t.Fatal(err)
		}
		if tags[id] == nil {
			tags[id] = map[string]bool{}
		}
		tags[id][tag] = true
	}
	rows.Close()
	rows, err = d.QueryContext(ctx, `SELECT r.ticket_id, r.kind, r.at, r.value, t.channel, COALESCE(t.team_id, 0), COALESCE(t.organization_id, 0),
		r.agent_id, t.language FROM report_facts r JOIN tickets t ON t.id = r.ticket_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []bruteFact
	for rows.Next() {
		var x bruteFact
		var id int64
		if err := rows.Scan(&id, &x.kind, &x.at, &x.value, &x.channel, &x.team, &x.org, &x.agent, &x.lang); err != nil {
			t.Fatal(err)
		}
		x.tags = tags[id]
		out = append(out, x)
	}
	return out
}

// TestFilteredReportsMatchFacts: every one-filter and two-filter report
// equals the same figures counted by brute force from the facts and the
// tickets' current tags, organization and language — after a tag, an
// organization and a language changed once the tickets were solved.
// Medians come from the histograms (forced) within their stated error.
func TestFilteredReportsMatchFacts(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		org1, org2 := filterCorpus(t, f)
		facts := bruteFacts(t, d)
		from, to := at(23, 0, 0), at(31, 0, 0)
		cases := []struct {
			name  string
			edit  func(*report.Filter)
			match func(bruteFact) bool
		}{
			{"none", func(*report.Filter) {}, func(bruteFact) bool { return true }},
			{"tag billing", func(r *report.Filter) { r.Tag = "billing" }, func(x bruteFact) bool { return x.tags["billing"] }},
			{"tag login (removed after the solve)", func(r *report.Filter) { r.Tag = "login" }, func(x bruteFact) bool { return x.tags["login"] }},
			{"tag refund (added after the solve)", func(r *report.Filter) { r.Tag = "refund" }, func(x bruteFact) bool { return x.tags["refund"] }},
			{"tag vip", func(r *report.Filter) { r.Tag = "vip" }, func(x bruteFact) bool { return x.tags["vip"] }},
			{"organization 1", func(r *report.Filter) { r.OrganizationID = org1 }, func(x bruteFact) bool { return x.org == org1 }},
			{"organization 2", func(r *report.Filter) { r.OrganizationID = org2 }, func(x bruteFact) bool { return x.org == org2 }},
			{"language da (changed)", func(r *report.Filter) { r.Language = "da" }, func(x bruteFact) bool { return x.lang == "da" }},
			{"language sv", func(r *report.Filter) { r.Language = "sv" }, func(x bruteFact) bool { return x.lang == "sv" }},
			{"channel chat", func(r *report.Filter) { r.Channel = "chat" }, func(x bruteFact) bool { return x.channel == "chat" }},
			{"tag vip and organization 1", func(r *report.Filter) { r.Tag = "vip"; r.OrganizationID = org1 },
				func(x bruteFact) bool { return x.tags["vip"] && x.org == org1 }},
			{"channel email and language nb", func(r *report.Filter) { r.Channel = "email"; r.Language = "nb" },
				func(x bruteFact) bool { return x.channel == "email" && x.lang == "nb" }},
			{"team and tag shipping", func(r *report.Filter) { r.TeamID = f.team; r.Tag = "shipping" },
				func(x bruteFact) bool { return x.team == f.team && x.tags["shipping"] }},
		}
		for _, limit := range []int64{report.ExactMedianLimit, -1} {
			f.reports.SetExactMedianLimit(limit)
			for _, c := range cases {
				t.Run(c.name+"/limit "+strconv.FormatInt(limit, 10), func(t *testing.T) {
					rf := report.Filter{From: from, To: to, Loc: oslo}
					c.edit(&rf)
					got, err := f.reports.Figures(ctx, f.admin, rf)
					if err != nil {
						t.Fatal(err)
					}
					type want struct{ Created, Solved, Replies, Backlog, FirstReplySum, ResolutionSum int64 }
					var w want
					var firsts, solves []int64
					for _, x := range facts {
						if !c.match(x) || x.at >= db.Millis(to) {
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
					if w.Created == 0 {
						t.Fatalf("the case matches no ticket")
					}
					g := want{Created: got.Created, Solved: got.Solved, Replies: got.Replies, Backlog: got.BacklogEnd,
						FirstReplySum: sum(got.FirstReplyAvg, len(firsts)), ResolutionSum: sum(got.ResolutionAvg, len(solves))}
					if diff := cmp.Diff(w, g); diff != "" {
						t.Errorf("figures (-brute force +report):\n%s", diff)
					}
					checkMedian(t, "first reply", firsts, got.FirstReplyMed)
					checkMedian(t, "resolution", solves, got.ResolutionMed)
				})
			}
		}
		// Tag trends count each tag's tickets as they are tagged now.
		trends, err := f.reports.TagTrends(ctx, f.admin, report.Filter{From: from, To: to, Loc: oslo}, 20)
		if err != nil {
			t.Fatal(err)
		}
		gotTags := map[string]int64{}
		for _, tc := range trends {
			gotTags[tc.Tag] = tc.Count
		}
		wantTags := map[string]int64{}
		for _, x := range facts {
			if x.kind == report.KindCreated {
				for tag := range x.tags {
					wantTags[tag]++
				}
			}
		}
		if diff := cmp.Diff(wantTags, gotTags); diff != "" {
			t.Errorf("tag trends (-brute force +report):\n%s", diff)
		}
	})
}

func sum(avg *float64, n int) int64 {
	if avg == nil {
		return 0
	}
	return int64(math.Round(*avg * float64(n)))
}

// checkMedian: the exact median, or (histograms) within 4.5% of it.
func checkMedian(t *testing.T, name string, vals []int64, got *float64) {
	t.Helper()
	if len(vals) == 0 {
		if got != nil {
			t.Errorf("%s median %v, want none", name, *got)
		}
		return
	}
	slices.Sort(vals)
	n := len(vals)
	want := float64(vals[n/2])
	if n%2 == 0 {
		want = float64(vals[n/2-1]+vals[n/2]) / 2
	}
	if got == nil || math.Abs(*got-want) > 0.045*want+1e-9 {
		t.Errorf("%s median %v, want %v (±4.5%%)", name, got, want)
	}
}

// TestRebuildEqualsIncrementalDimensions: with tags, organizations and
// languages changed after the solves, the incremental roll-ups (hourly,
// daily, histograms) still equal a rebuild's.
func TestRebuildEqualsIncrementalDimensions(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		filterCorpus(t, f)
		incremental := dump(t, d)
		if err := f.reports.Rebuild(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(incremental, dump(t, d)); diff != "" {
			t.Errorf("rebuild differs from incremental (-incremental +rebuild):\n%s", diff)
		}
	})
}
