package report_test

import (
	"context"
	"log/slog"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/nps"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/qa"
	"github.com/ombud/ombud/internal/report"
	"github.com/ombud/ombud/internal/secret"
	"github.com/ombud/ombud/internal/ticket"
)

// npsOutbox keeps queued NPS mail, as the email outbox would.
type npsOutbox struct {
	mu   sync.Mutex
	mail []nps.Mail
}

func (o *npsOutbox) QueueNPS(ctx context.Context, tx *db.Tx, m nps.Mail) error {
	tx.AfterCommit(func() { o.mu.Lock(); o.mail = append(o.mail, m); o.mu.Unlock() })
	return nil
}

var npsLinkRE = regexp.MustCompile(`https://help\.example\.com/nps/(\S+)`)

// npsTokens maps score → answer token of a survey mail.
func npsTokens(t *testing.T, m nps.Mail) map[int]string {
	t.Helper()
	out := map[int]string{}
	for _, line := range strings.Split(m.Text, "\n") {
		score, rest, ok := strings.Cut(line, ": ")
		n, err := strconv.Atoi(score)
		if !ok || err != nil {
			continue
		}
		if mm := npsLinkRE.FindStringSubmatch(rest); mm != nil {
			out[n] = mm[1]
		}
	}
	if len(out) != 11 {
		t.Fatalf("mail has %d score links, want 11", len(out))
	}
	return out
}

// feedbackWant is what the test compares per day, agent, team and
// organization: every feedback figure and the counts behind it.
type feedbackWant struct {
	CSATRated, CSATGood     int64
	CSAT                    string
	CSATSurveys, CSATAnswer int64
	CSATResponse            string
	NPSAnswers              int64
	NPS                     string
	NPSSent, NPSAnswered    int64
	NPSResponse             string
	IQSReviews, IQSCritical int64
	IQS                     string
}

// pct writes a ratio as a percentage with four decimals ("–" for none),
// so the hand-computed figures in the comments compare exactly.
func pct(v *float64, scale float64) string {
	if v == nil {
		return "–"
	}
	return strconv.FormatFloat(math.Round(*v*scale*10000)/10000, 'f', -1, 64)
}

func feedbackOf(g report.Figures) feedbackWant {
	return feedbackWant{
		CSATRated: g.CSATRated, CSATGood: g.CSATGood, CSAT: pct(g.CSAT, 100),
		CSATSurveys: g.CSATSurveys, CSATAnswer: g.CSATAnswered, CSATResponse: pct(g.CSATResponseRate, 100),
		NPSAnswers: g.NPSAnswers, NPS: pct(g.NPS, 1),
		NPSSent: g.NPSSent, NPSAnswered: g.NPSSentAnswered, NPSResponse: pct(g.NPSResponseRate, 100),
		IQSReviews: g.IQSReviews, IQSCritical: g.IQSCriticalFails, IQS: pct(g.IQS, 100),
	}
}

// TestScenarioFeedback plays ratings, changes, a merge, a reopen, NPS
// answers (one changed, one to an expired link) and QA reviews (a critical
// fail disputed and adjusted, a draft, a dispute upheld) and checks every
// feedback figure per day, agent, team and organization against the
// numbers worked out by hand below, on both engines, from the roll-ups and
// (with a tag filter) from the facts. Times are UTC, March 2026.
//
// CSAT (good is 4–5; each ticket's latest rating, dated at it):
//
//	T1 Ingrid, Support: survey 2nd 11:00; bad 2nd 12:00, changed to good 3rd 09:00 → good, 3rd
//	T2 Bo, no team:     survey 2nd 11:00; never answered
//	T3 Ingrid, Support: survey 2nd 13:00; good (4) 2nd 14:00; reopened 2nd 15:00 → the rating stays
//	T4 Bo, no team:     survey 3rd 10:00; bad (2) 3rd 10:30; merged into T5 3rd 11:00 → stays T4's
//
//	2nd: rated 1 (T3), good 1 = 100 %; surveys 3 (T1, T2, T3), answered 2 = 66.6667 %
//	3rd: rated 2 (T1 good, T4 bad) = 50 %; surveys 1 (T4), answered 1 = 100 %
//	2nd–4th: rated 3, good 2 = 66.6667 %; surveys 4, answered 3 = 75 %
//	Ingrid: 2 of 2 = 100 %, surveys 2 of 2; Bo: 0 of 1 = 0 %, surveys 1 of 2 = 50 %
//	Support as Ingrid; no team as Bo.
//
// NPS (sent 2nd 08:00 to c1…c5; promoter 9–10 +1, passive 7–8 0, detractor 0–6 −1):
//
//	c1 org A: 10 on the 2nd → promoter, 2nd
//	c2 org A: 6 on the 2nd, changed to 9 on the 3rd → promoter, 3rd
//	c3 org B: 7 on the 3rd → passive
//	c5 org B: 3 on the 3rd → detractor
//	c4 no org: never answered; an answer 61 days later is refused (link expired)
//
//	2nd: 1 answer, NPS 100 × (1 − 0) ÷ 1 = 100; sent 5, answered now 4 = 80 %
//	3rd: 3 answers, 100 × (1 − 1) ÷ 3 = 0; nothing sent
//	2nd–4th: 4 answers, 100 × (2 − 1) ÷ 4 = 25; 80 %
//	org A: 100 × 2 ÷ 2 = 100, sent 2 of 2; org B: 100 × (0 − 1) ÷ 2 = −50, 2 of 2
//
// IQS (scorecard: Greeting binary ×1, Accuracy 1–5 ×3, Tone 1–3 ×2,
// Compliance binary ×2 critical; reviewer: the admin):
//
//	R1 T1 Ingrid Support, submitted 2nd 16:00: pass 4 2 pass = (1 + 2.25 + 1 + 2) ÷ 8 = 78.13
//	R2 T3 Ingrid Support, submitted 3rd 16:00: pass 5 3 fail = critical fail, 0;
//	   disputed 4th 09:00, adjusted 4th 10:00 to pass 5 3 pass = 100, still dated the 3rd
//	R3 T2 Bo, drafted 3rd 12:00, submitted 3rd 17:00: pass 3 1 pass = (1 + 1.5 + 0 + 2) ÷ 8 = 56.25;
//	   disputed and upheld: stays 56.25
//
//	before the adjustment, 3rd: (0 + 56.25) ÷ 2 = 28.125, 1 critical fail
//	after: 2nd 78.13; 3rd (100 + 56.25) ÷ 2 = 78.125; 2nd–4th (78.13 + 100 + 56.25) ÷ 3 = 78.1267
//	Ingrid (78.13 + 100) ÷ 2 = 89.065; Bo 56.25; Support as Ingrid; no team as Bo.
func TestScenarioFeedback(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		utc := func(day, hour int) time.Time { return time.Date(2026, 3, day, hour, 0, 0, 0, time.UTC) }
		refresh := func() {
			t.Helper()
			if _, err := f.reports.Refresh(ctx); err != nil {
				t.Fatal(err)
			}
		}
		var bo authz.Actor
		if err := d.Write(ctx, func(tx *db.Tx) error {
			id, err := tx.InsertID(ctx, `INSERT INTO agents (email, name, role, created_at, updated_at) VALUES ('bo@ombud.test', 'Bo', 'agent', 1, 1)`)
			bo = authz.Actor{Kind: authz.KindAgent, ID: id, Role: authz.Agent}
			return err
		}); err != nil {
			t.Fatal(err)
		}

		// NPS first, before any ticket makes more customers.
		f.clk.set(utc(2, 8))
		box, err := secret.NewBox([]byte(strings.Repeat("k", secret.KeySize)))
		if err != nil {
			t.Fatal(err)
		}
		npsSvc, err := nps.NewService(d, f.clk.now, box, "https://help.example.com/", slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		out := &npsOutbox{}
		npsSvc.SetMailer(out, nil)
		npsSvc.SetFacts(f.reports)
		var orgA, orgB int64
		if err := d.Write(ctx, func(tx *db.Tx) error {
			var err error
			if orgA, err = tx.InsertID(ctx, `INSERT INTO organizations (name, created_at, updated_at) VALUES ('Fjord AS', 1, 1)`); err != nil {
				return err
			}
			if orgB, err = tx.InsertID(ctx, `INSERT INTO organizations (name, created_at, updated_at) VALUES ('Lipa d.o.o.', 1, 1)`); err != nil {
				return err
			}
			for _, c := range []struct {
				name string
				org  int64
			}{{"c1", orgA}, {"c2", orgA}, {"c3", orgB}, {"c4", 0}, {"c5", orgB}} {
				id, err := tx.InsertID(ctx, `INSERT INTO customers (name, organization_id, locale, created_at, updated_at) VALUES (?, ?, 'en', 1, 1)`,
					c.name, db.NullInt(c.org))
				if err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO customer_identities (customer_id, type, value, is_primary, created_at) VALUES (?, 'email', ?, ?, 1)`,
					id, c.name+"@example.test", true); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		camp, err := npsSvc.CreateCampaign(ctx, f.admin, nps.CampaignInput{Name: "Spring"})
		if err != nil {
			t.Fatal(err)
		}
		if camp, err = npsSvc.Campaign(ctx, f.admin, camp.ID); err != nil || camp.NextRunAt == nil {
			t.Fatalf("campaign: %v", err)
		}
		if _, err := npsSvc.Run(ctx, camp.ID, db.Millis(*camp.NextRunAt)); err != nil {
			t.Fatal(err)
		}
		tokens := map[string]map[int]string{}
		for _, m := range out.mail {
			tokens[strings.TrimSuffix(m.To, "@example.test")] = npsTokens(t, m)
		}
		if len(tokens) != 5 {
			t.Fatalf("%d customers surveyed, want 5", len(tokens))
		}
		answer := func(when time.Time, who string, score int) error {
			f.clk.set(when)
			_, err := npsSvc.Answer(ctx, tokens[who][score], score, "")
			return err
		}
		for _, a := range []struct {
			when  time.Time
			who   string
			score int
		}{{utc(2, 9), "c1", 10}, {utc(2, 10), "c2", 6}, {utc(3, 9), "c2", 9}, {utc(3, 10), "c3", 7}, {utc(3, 11), "c5", 3}} {
			if err := answer(a.when, a.who, a.score); err != nil {
				t.Fatalf("answer %s: %v", a.who, err)
			}
		}

		// Tickets, CSAT and QA.
		qaSvc := qa.NewService(d, f.clk.now)
		qaSvc.SetTickets(f.tickets)
		ids := map[string]int64{}
		create := func(key string, who authz.Actor, team bool) {
			t.Helper()
			in := ticket.CreateInput{Subject: "Ticket " + key, Description: "Hello", Channel: "email", AssigneeID: &who.ID,
				Tags: []string{"feedback"}, Requester: &ticket.RequesterInput{Email: "kari@example.no", Name: "Kari"}}
			if team {
				in.TeamID = &f.team
			}
			tk, err := f.tickets.Create(ctx, f.admin, in)
			if err != nil {
				t.Fatal(err)
			}
			ids[key] = tk.ID
		}
		status := func(key string, s ticket.Status) {
			t.Helper()
			if _, err := f.tickets.Update(ctx, f.admin, ids[key], ticket.Patch{Status: &s}); err != nil {
				t.Fatal(err)
			}
		}
		// record writes a csat event as the csat service does.
		record := func(key, typ string, data map[string]any) {
			t.Helper()
			if err := d.Write(ctx, func(tx *db.Tx) error {
				return f.tickets.RecordTx(ctx, tx, authz.Actor{Kind: authz.KindCustomer, ID: 1}, ids[key], typ, data)
			}); err != nil {
				t.Fatal(err)
			}
		}
		survey := func(key string) { record(key, "csat_requested", map[string]any{"channel": "email", "scale": "five"}) }
		rate := func(key string, score, prev int, agent int64) {
			record(key, "csat_rated", map[string]any{"score": score, "previous_score": prev, "agent_id": agent})
		}
		step := func(when time.Time, what func()) { t.Helper(); f.clk.set(when); what() }

		step(utc(2, 9), func() {
			create("T1", f.agent, true)
			create("T2", bo, false)
			create("T3", f.agent, true)
		})
		step(utc(2, 10), func() {
			status("T1", ticket.StatusSolved)
			status("T2", ticket.StatusSolved)
			status("T3", ticket.StatusSolved)
		})
		step(utc(2, 11), func() { survey("T1"); survey("T2") })
		step(utc(2, 12), func() { rate("T1", 1, 0, f.agent.ID) })
		step(utc(2, 13), func() { survey("T3") })
		step(utc(2, 14), func() { rate("T3", 4, 0, f.agent.ID) })
		step(utc(2, 15), func() { status("T3", ticket.StatusOpen) })
		step(utc(3, 8), func() { create("T4", bo, false); create("T5", bo, false); status("T4", ticket.StatusSolved) })
		step(utc(3, 9), func() { rate("T1", 5, 1, f.agent.ID) })
		step(utc(3, 10), func() { survey("T4") })
		step(time.Date(2026, 3, 3, 10, 30, 0, 0, time.UTC), func() { rate("T4", 2, 0, bo.ID) })
		step(utc(3, 11), func() {
			if _, err := f.tickets.Merge(ctx, f.admin, ids["T5"], ids["T4"]); err != nil {
				t.Fatal(err)
			}
		})

		card, err := qaSvc.CreateScorecard(ctx, f.admin, qa.ScorecardInput{Name: "Email quality", Categories: []qa.Category{
			{Name: "Greeting", Weight: 1, Scale: qa.ScaleBinary},
			{Name: "Accuracy", Weight: 3, Scale: qa.ScaleFive},
			{Name: "Tone", Weight: 2, Scale: qa.ScaleThree},
			{Name: "Compliance", Weight: 2, Scale: qa.ScaleBinary, Critical: true},
		}})
		if err != nil {
			t.Fatal(err)
		}
		ratings := func(vals ...int) []qa.Rating {
			out := make([]qa.Rating, len(vals))
			for i, v := range vals {
				out[i] = qa.Rating{CategoryID: card.Categories[i].ID, Rating: ptr(v)}
			}
			return out
		}
		review := func(key string, submit bool, vals ...int) int64 {
			t.Helper()
			r, err := qaSvc.StartReview(ctx, f.admin, qa.StartInput{TicketID: ids[key], ScorecardID: card.ID})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := qaSvc.SaveReview(ctx, f.admin, r.ID, qa.SaveInput{Ratings: ratings(vals...), Submit: submit}); err != nil {
				t.Fatal(err)
			}
			return r.ID
		}
		submit := func(id int64, vals ...int) {
			t.Helper()
			if _, err := qaSvc.SaveReview(ctx, f.admin, id, qa.SaveInput{Ratings: ratings(vals...), Submit: true}); err != nil {
				t.Fatal(err)
			}
		}
		var r2, r3 int64
		step(utc(2, 16), func() { review("T1", true, 1, 4, 2, 1) })
		step(utc(3, 12), func() { r3 = review("T2", false, 1, 1, 1, 1) }) // a draft: never counts
		step(utc(3, 16), func() { r2 = review("T3", true, 1, 5, 3, 0) })
		step(utc(3, 17), func() { submit(r3, 1, 3, 1, 1) })
		refresh()

		period := func(from, to int) report.Filter {
			return report.Filter{From: utc(from, 0), To: utc(to, 0), Loc: time.UTC}
		}
		check := func(name string, g report.Filter, want feedbackWant) {
			t.Helper()
			got, err := f.reports.Figures(ctx, f.admin, g)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, feedbackOf(got)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", name, diff)
			}
		}
		// Before the dispute: the critical fail counts (3rd: 0 and 56.25).
		check("3rd before the dispute", period(3, 4), feedbackWant{CSATRated: 2, CSATGood: 1, CSAT: "50", CSATSurveys: 1, CSATAnswer: 1, CSATResponse: "100",
			NPSAnswers: 3, NPS: "0", NPSResponse: "–", IQSReviews: 2, IQSCritical: 1, IQS: "28.125"})

		step(utc(4, 9), func() {
			if _, err := qaSvc.Dispute(ctx, f.agent, r2, "Compliance was met"); err != nil {
				t.Fatal(err)
			}
			if _, err := qaSvc.Dispute(ctx, bo, r3, "Tone was fine"); err != nil {
				t.Fatal(err)
			}
		})
		step(utc(4, 10), func() {
			if _, err := qaSvc.ResolveDispute(ctx, f.admin, r2, qa.ResolveInput{Resolution: qa.Adjust, Ratings: ratings(1, 5, 3, 1)}); err != nil {
				t.Fatal(err)
			}
			if _, err := qaSvc.ResolveDispute(ctx, f.admin, r3, qa.ResolveInput{Resolution: qa.Uphold}); err != nil {
				t.Fatal(err)
			}
		})
		// An answer to an expired NPS link is refused and changes nothing.
		if err := answer(utc(2, 8).AddDate(0, 0, 61), "c4", 10); err == nil {
			t.Fatal("an answer to an expired survey was taken")
		}
		f.clk.set(utc(5, 0))
		refresh()

		days := []struct {
			name     string
			from, to int
			want     feedbackWant
		}{
			{"2nd", 2, 3, feedbackWant{CSATRated: 1, CSATGood: 1, CSAT: "100", CSATSurveys: 3, CSATAnswer: 2, CSATResponse: "66.6667",
				NPSAnswers: 1, NPS: "100", NPSSent: 5, NPSAnswered: 4, NPSResponse: "80", IQSReviews: 1, IQS: "78.13"}},
			{"3rd", 3, 4, feedbackWant{CSATRated: 2, CSATGood: 1, CSAT: "50", CSATSurveys: 1, CSATAnswer: 1, CSATResponse: "100",
				NPSAnswers: 3, NPS: "0", NPSResponse: "–", IQSReviews: 2, IQS: "78.125"}},
			{"4th", 4, 5, feedbackWant{CSAT: "–", CSATResponse: "–", NPS: "–", NPSResponse: "–", IQS: "–"}},
			{"2nd–4th", 2, 5, feedbackWant{CSATRated: 3, CSATGood: 2, CSAT: "66.6667", CSATSurveys: 4, CSATAnswer: 3, CSATResponse: "75",
				NPSAnswers: 4, NPS: "25", NPSSent: 5, NPSAnswered: 4, NPSResponse: "80", IQSReviews: 3, IQS: "78.1267"}},
		}
		for _, tc := range days {
			check(tc.name, period(tc.from, tc.to), tc.want)
		}
		all := period(2, 5)
		orgs := []struct {
			name string
			org  int64
			want feedbackWant
		}{
			{"org A", orgA, feedbackWant{CSAT: "–", CSATResponse: "–", NPSAnswers: 2, NPS: "100", NPSSent: 2, NPSAnswered: 2, NPSResponse: "100", IQS: "–"}},
			{"org B", orgB, feedbackWant{CSAT: "–", CSATResponse: "–", NPSAnswers: 2, NPS: "-50", NPSSent: 2, NPSAnswered: 2, NPSResponse: "100", IQS: "–"}},
		}
		for _, o := range orgs {
			g := all
			g.OrganizationID = o.org
			check(o.name, g, o.want)
		}

		// Per agent and team: the roll-ups' breakdown, and the facts
		// (a tag filter reads them directly). NPS belongs to no agent.
		ingrid := feedbackWant{CSATRated: 2, CSATGood: 2, CSAT: "100", CSATSurveys: 2, CSATAnswer: 2, CSATResponse: "100",
			NPS: "–", NPSResponse: "–", IQSReviews: 2, IQS: "89.065"}
		boWant := feedbackWant{CSATRated: 1, CSAT: "0", CSATSurveys: 2, CSATAnswer: 1, CSATResponse: "50",
			NPS: "–", NPSResponse: "–", IQSReviews: 1, IQS: "56.25"}
		// NPS answers belong to no team: they count under "no team" (0).
		noTeam := boWant
		noTeam.NPSAnswers, noTeam.NPS, noTeam.NPSSent, noTeam.NPSAnswered, noTeam.NPSResponse = 4, "25", 5, 4, "80"
		for _, by := range []struct {
			dim  string
			want map[string]feedbackWant
		}{
			{"agent", map[string]feedbackWant{itoa(f.agent.ID): ingrid, itoa(bo.ID): boWant}},
			{"team", map[string]feedbackWant{itoa(f.team): ingrid, "0": noTeam}},
		} {
			rows, err := f.reports.Breakdown(ctx, f.admin, all, by.dim)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]feedbackWant{}
			for _, r := range rows {
				if w := feedbackOf(r.Figures); w.CSATSurveys+w.IQSReviews > 0 {
					got[r.Key] = w
				}
			}
			if diff := cmp.Diff(by.want, got); diff != "" {
				t.Errorf("by %s (-want +got):\n%s", by.dim, diff)
			}
			for key, want := range by.want {
				g := all
				g.Tag = "feedback"
				n, _ := strconv.ParseInt(key, 10, 64)
				if by.dim == "agent" {
					g.AgentID = n
				} else if n != 0 {
					g.TeamID = n
				} else {
					continue // no filter means "no team"
				}
				check("facts of "+by.dim+" "+key, g, want)
			}
		}

		// Explained fact by fact: the IQS facts name their reviews, the
		// NPS facts their sends, and a rebuild gives the same roll-ups.
		facts, err := f.reports.FactPage(ctx, f.admin, all, report.KindIQS, pageAll)
		if err != nil {
			t.Fatal(err)
		}
		var reviews []int64
		for _, x := range facts.Data {
			reviews = append(reviews, int64(x.N))
		}
		if len(reviews) != 3 || reviews[1] != r2 || reviews[2] != r3 {
			t.Errorf("IQS facts name reviews %v, want R1, %d, %d", reviews, r2, r3)
		}
		facts, err = f.reports.FactPage(ctx, f.admin, all, report.KindNPS, pageAll)
		if err != nil {
			t.Fatal(err)
		}
		var scores []int64
		for _, x := range facts.Data {
			if x.TicketID != 0 {
				t.Errorf("NPS fact on ticket %d", x.TicketID)
			}
			scores = append(scores, x.BValue)
		}
		if diff := cmp.Diff([]int64{10, 9, 7, 3}, scores); diff != "" {
			t.Errorf("NPS facts' scores (-want +got):\n%s", diff)
		}
		before, err := f.reports.Figures(ctx, f.admin, all)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.reports.Rebuild(ctx, nil); err != nil {
			t.Fatal(err)
		}
		after, err := f.reports.Figures(ctx, f.admin, all)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(feedbackOf(before), feedbackOf(after)); diff != "" {
			t.Errorf("rebuild changed the figures (-before +after):\n%s", diff)
		}
	})
}

var pageAll = page.Request{Limit: 100}
