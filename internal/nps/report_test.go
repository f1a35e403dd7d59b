package nps_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/nps"
	"github.com/ombud/ombud/internal/ticket"
)

// answer is one customer's answer in the hand-computed scenario.
type answer struct {
	name   string
	week   int // 1: answered on Tue 3 March, 2: on Tue 10 March
	score  int
	reason string
}

// scenario surveys twelve customers and answers ten, as in the table:
//
//	customer  org  lang  week  score  category
//	c1        A    nb    1     10     promoter
//	c2        A    nb    1      9     promoter
//	c3        A    en    1      6     detractor
//	c4        B    sl    1     10     promoter
//	c5        B    sl    1      3     detractor
//	c6        A    sv    2      9     promoter
//	c7        B    da    2      8     passive
//	c8        –    en    2      5     detractor
//	c9        –    en    2      0     detractor
//	c10       A    nb    2      9     promoter
//	c11, c12  A    en    –      –     not answered
//
// All: 5 promoters, 1 passive, 4 detractors of 10: 50 % − 40 % = NPS 10.
// Week 1: 3 P, 0 Pa, 2 D of 5 = 20. Week 2: 2 P, 1 Pa, 2 D of 5 = 0.
// Org A: 4 P, 1 D of 5 = 60; org B: 1 P, 1 Pa, 1 D = 0; none: 2 D = −100.
// Response rate: 10 of 12 = 83.3 %.
func scenario(t *testing.T, e *env) map[string]map[string]string {
	t.Helper()
	custs := []struct {
		name, lang string
		org        int64
	}{{"c1", "nb", e.orgA}, {"c2", "nb", e.orgA}, {"c3", "en", e.orgA}, {"c4", "sl", e.orgB}, {"c5", "sl", e.orgB}, {"c6", "sv", e.orgA},
		{"c7", "da", e.orgB}, {"c8", "en", 0}, {"c9", "en", 0}, {"c10", "nb", e.orgA}, {"c11", "en", e.orgA}, {"c12", "en", e.orgA}}
	for _, c := range custs {
		e.customer(t, c.name, c.org, c.lang, c.name+"@example.test", "", 2)
	}
	camp, err := e.svc.CreateCampaign(context.Background(), e.lead, nps.CampaignInput{Name: "Spring"})
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]map[string]string{}
	for _, m := range e.run(t, camp) {
		tokens[strings.TrimSuffix(m.To, "@example.test")] = links(t, m)
	}
	if len(tokens) != 12 {
		t.Fatalf("%d customers surveyed, want 12", len(tokens))
	}
	return tokens
}

func (e *env) answerAll(t *testing.T, tokens map[string]map[string]string, answers []answer) {
	t.Helper()
	start := e.clk.now()
	for _, a := range answers {
		e.clk.t = start.AddDate(0, 0, 1+7*(a.week-1))
		if _, err := e.svc.Answer(context.Background(), tokens[a.name][strconv.Itoa(a.score)], a.score, a.reason); err != nil {
			t.Fatalf("answer %s: %v", a.name, err)
		}
	}
	e.clk.t = start.AddDate(0, 0, 13)
}

var scenarioAnswers = []answer{
	{"c1", 1, 10, "Rask og vennlig hjelp"}, {"c2", 1, 9, ""}, {"c3", 1, 6, "Delivery was late"}, {"c4", 1, 10, ""},
	{"c5", 1, 3, "Dostava je bila prepozna"}, {"c6", 2, 9, "Leveransen var snabb"}, {"c7", 2, 8, ""}, {"c8", 2, 5, "I translated the manual myself"},
	{"c9", 2, 0, "Terrible price"}, {"c10", 2, 9, "Prisen er grei"},
}

type splitWant struct {
	N, P, Pa, D int
	NPS         float64
}

func split(s nps.Split) splitWant {
	return splitWant{s.Responses, s.Promoters, s.Passives, s.Detractors, s.NPS}
}

func TestNPSArithmetic(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := context.Background()
		tokens := scenario(t, e)
		e.answerAll(t, tokens, scenarioAnswers)
		f := nps.Filter{From: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 16, 0, 0, 0, 0, time.UTC)}
		r, err := e.svc.Results(ctx, e.collab, f)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(splitWant{10, 5, 1, 4, 10}, split(r.Summary)); diff != "" {
			t.Errorf("summary (-want +got):\n%s", diff)
		}
		if r.Summary.PromoterPct != 50 || r.Summary.PassivePct != 10 || r.Summary.DetractorPct != 40 {
			t.Errorf("shares = %v/%v/%v, want 50/10/40", r.Summary.PromoterPct, r.Summary.PassivePct, r.Summary.DetractorPct)
		}
		if r.Sent != 12 || r.Answered != 10 || r.ResponseRate != 83.3 {
			t.Errorf("response rate = %d/%d %v, want 10/12 83.3", r.Answered, r.Sent, r.ResponseRate)
		}
		var trend []splitWant
		for _, b := range r.Trend {
			trend = append(trend, split(b.Split))
		}
		if diff := cmp.Diff([]splitWant{{5, 3, 0, 2, 20}, {5, 2, 1, 2, 0}}, trend); diff != "" {
			t.Errorf("weekly trend (-want +got):\n%s", diff)
		}
		orgs := map[string]splitWant{}
		for _, o := range r.ByOrganization {
			orgs[o.Name] = split(o.Split)
		}
		if diff := cmp.Diff(map[string]splitWant{"Fjord AS": {5, 4, 0, 1, 60}, "Lipa d.o.o.": {3, 1, 1, 1, 0}, "": {2, 0, 0, 2, -100}}, orgs); diff != "" {
			t.Errorf("per organization (-want +got):\n%s", diff)
		}
		langs := map[string]float64{}
		for _, l := range r.ByLanguage {
			langs[l.Key] = l.NPS
		}
		if diff := cmp.Diff(map[string]float64{"nb": 100, "en": -100, "sl": 0, "sv": 100, "da": 0}, langs); diff != "" {
			t.Errorf("per language (-want +got):\n%s", diff)
		}
		if len(r.Verbatims) != 7 || r.Verbatims[0].Reason != "Prisen er grei" {
			t.Errorf("verbatims = %+v", r.Verbatims)
		}
		// One segment alone.
		one, err := e.svc.Results(ctx, e.lead, nps.Filter{From: f.From, To: f.To, OrganizationID: e.orgB})
		if err != nil || one.Summary.NPS != 0 || one.Summary.Responses != 3 {
			t.Fatalf("org B = %+v, %v", one.Summary, err)
		}
		// c9 changes 0 → 10 in week 2: counted once, with the new score.
		e.clk.t = time.Date(2026, 3, 11, 12, 0, 0, 0, time.UTC)
		if _, err := e.svc.Answer(ctx, tokens["c9"]["10"], 10, "Terrible price, great people"); err != nil {
			t.Fatal(err)
		}
		r, _ = e.svc.Results(ctx, e.lead, f)
		if diff := cmp.Diff(splitWant{10, 6, 1, 3, 30}, split(r.Summary)); diff != "" {
			t.Errorf("after the change (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(splitWant{5, 3, 1, 1, 40}, split(r.Trend[1].Split)); diff != "" {
			t.Errorf("week 2 after the change (-want +got):\n%s", diff)
		}
		// Months: both weeks in March.
		m, _ := e.svc.Results(ctx, e.lead, nps.Filter{From: f.From, To: f.To, Bucket: "month"})
		if len(m.Trend) != 1 || m.Trend[0].NPS != 30 {
			t.Errorf("monthly trend = %+v", m.Trend)
		}
		for field, bad := range map[string]nps.Filter{"bucket": {Bucket: "day"}, "from": {From: f.To, To: f.From}, "language": {Language: "xx"}} {
			if _, err := e.svc.Results(ctx, e.lead, bad); err == nil || err.(*apperr.Error).Fields[field] == "" {
				t.Errorf("filter %+v: %v, want invalid %s", bad, err, field)
			}
		}
		if _, err := e.svc.Results(ctx, e.agent, f); !apperr.Is(err, apperr.CodeForbidden) {
			t.Errorf("agent read results: %v", err)
		}
	})
}

func TestTopicRules(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := context.Background()
		delivery, err := e.svc.CreateRule(ctx, e.lead, nps.RuleInput{Topic: " Delivery ", Keywords: map[string][]string{
			"en": {"deliver", "late"}, "nb": {"levering"}, "sv": {"leverans"}, "da": {"levering"}, "sl": {"dostav"}}})
		if err != nil {
			t.Fatal(err)
		}
		if delivery.Topic != "delivery" {
			t.Errorf("topic = %q", delivery.Topic)
		}
		if _, err := e.svc.CreateRule(ctx, e.lead, nps.RuleInput{Topic: "x", Keywords: map[string][]string{"de": {"preis"}}}); err == nil ||
			err.(*apperr.Error).Fields["keywords.de"] == "" {
			t.Errorf("unknown language accepted: %v", err)
		}
		if _, err := e.svc.CreateRule(ctx, e.lead, nps.RuleInput{Topic: "x"}); err == nil || err.(*apperr.Error).Fields["keywords"] == "" {
			t.Errorf("rule without keywords accepted: %v", err)
		}
		tokens := scenario(t, e)
		e.answerAll(t, tokens, scenarioAnswers)
		// A rule made after the answers applies to them at once.
		if _, err := e.svc.CreateRule(ctx, e.lead, nps.RuleInput{Topic: "price", Keywords: map[string][]string{"en": {"price", "expensive"}, "nb": {"pris"}, "sl": {"cen"}}}); err != nil {
			t.Fatal(err)
		}
		// A CSAT comment, tagged when the rating event arrives.
		var tid, sid int64
		err = d.Write(ctx, func(tx *db.Tx) error {
			var err error
			if tid, err = tx.InsertID(ctx, `INSERT INTO tickets (subject, status, priority, type, channel, requester_id, created_at, updated_at) VALUES ('x', 'solved', 'normal', 'question', 'email', ?, 1, 1)`, e.cust["c1"]); err != nil {
				return err
			}
			if sid, err = tx.InsertID(ctx, `INSERT INTO csat_surveys (ticket_id, customer_id, channel, language, scale, requested_at, score, comment, rated_at) VALUES (?, ?, 'email', 'da', 'good_bad', 1, 1, 'Leveringen tog en uge', ?)`,
				tid, e.cust["c1"], db.Millis(e.clk.now())); err != nil {
				return err
			}
			return e.svc.TicketEvents(ctx, tx, tid, []ticket.Event{{Type: "csat_rated", Data: map[string]any{"survey_id": sid, "score": 1}}})
		})
		if err != nil {
			t.Fatal(err)
		}
		f := nps.Filter{From: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 16, 0, 0, 0, 0, time.UTC)}
		topicsOf := func() map[string][]string {
			in, err := e.svc.Insights(ctx, e.collab, f)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string][]string{}
			for _, c := range in.Comments {
				for _, tg := range c.Tags {
					out[c.Text] = append(out[c.Text], tg.Topic)
				}
			}
			return out
		}
		want := map[string][]string{
			"Delivery was late":        {"delivery"}, // en
			"Dostava je bila prepozna": {"delivery"}, // sl
			"Leveransen var snabb":     {"delivery"}, // sv
			"Terrible price":           {"price"},    // en
			"Prisen er grei":           {"price"},    // nb
			"Leveringen tog en uge":    {"delivery"}, // da, CSAT
		} // "I translated…" has "late" only inside a word; the nb text has no keyword
		if diff := cmp.Diff(want, topicsOf()); diff != "" {
			t.Fatalf("topics (-want +got):\n%s", diff)
		}
		in, _ := e.svc.Insights(ctx, e.lead, f)
		stats := map[string][2]int{}
		for _, s := range in.Topics {
			stats[s.Topic] = [2]int{s.Count, s.Negative}
		}
		if diff := cmp.Diff(map[string][2]int{"delivery": {4, 3}, "price": {2, 1}}, stats); diff != "" {
			t.Errorf("topic counts [count negative] (-want +got):\n%s", diff)
		}
		// A lead tags by hand; re-applying the rules keeps hand tags and
		// restores rule tags taken off.
		if err := e.svc.AddTag(ctx, e.lead, nps.SourceNPS, sendOf(t, e, "c1"), "Friendliness"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.RemoveTag(ctx, e.lead, nps.SourceNPS, sendOf(t, e, "c9"), "price"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.AddTag(ctx, e.collab, nps.SourceNPS, sendOf(t, e, "c1"), "x"); !apperr.Is(err, apperr.CodeForbidden) {
			t.Errorf("collaborator tagged: %v", err)
		}
		if _, err := e.svc.Reapply(ctx, e.lead); err != nil {
			t.Fatal(err)
		}
		want["Rask og vennlig hjelp"] = []string{"friendliness"}
		if diff := cmp.Diff(want, topicsOf()); diff != "" {
			t.Fatalf("after re-applying (-want +got):\n%s", diff)
		}
		// A changed answer is tagged again.
		if _, err := e.svc.Answer(ctx, tokens["c3"]["7"], 7, "Good price"); err != nil {
			t.Fatal(err)
		}
		delete(want, "Delivery was late")
		want["Good price"] = []string{"price"}
		if diff := cmp.Diff(want, topicsOf()); diff != "" {
			t.Fatalf("after a changed answer (-want +got):\n%s", diff)
		}
		var csv bytes.Buffer
		all, _ := e.svc.Export(ctx, e.lead, f)
		if err := nps.WriteCSV(&csv, all); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(csv.String(), "source,id,date,language,score,rating,topics,comment\n") || !strings.Contains(csv.String(), ",da,1,bad,delivery,Leveringen tog en uge") {
			t.Errorf("csv:\n%s", csv.String())
		}
	})
}

func sendOf(t *testing.T, e *env, name string) int64 {
	t.Helper()
	var id int64
	if err := e.d.QueryRowContext(context.Background(), `SELECT id FROM nps_sends WHERE customer_id = ?`, e.cust[name]).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestShares(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := context.Background()
		if _, err := e.svc.CreateShare(ctx, e.collab, "", 0); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("collaborator shared: %v", err)
		}
		if _, err := e.svc.CreateShare(ctx, e.lead, "", 400); err == nil {
			t.Fatal("400 days accepted")
		}
		sh, err := e.svc.CreateShare(ctx, e.lead, "Product team", 10)
		if err != nil {
			t.Fatal(err)
		}
		token := strings.TrimPrefix(sh.URL, "https://help.example.com/insights/")
		if _, _, err := e.svc.SharedInsights(ctx, token, nps.Filter{}, false); err != nil {
			t.Fatalf("shared link: %v", err)
		}
		if _, _, err := e.svc.SharedInsights(ctx, token[:len(token)-2]+"xx", nps.Filter{}, false); !apperr.Is(err, apperr.CodeInvalid) {
			t.Fatalf("altered link: %v", err)
		}
		if err := e.svc.RevokeShare(ctx, e.lead, sh.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.SharedInsights(ctx, token, nps.Filter{}, false); !nps.IsShareGone(err) {
			t.Fatalf("revoked link: %v", err)
		}
		sh2, _ := e.svc.CreateShare(ctx, e.lead, "", 1)
		e.clk.add(25 * time.Hour)
		if _, _, err := e.svc.SharedInsights(ctx, strings.TrimPrefix(sh2.URL, "https://help.example.com/insights/"), nps.Filter{}, false); !nps.IsShareGone(err) {
			t.Fatalf("expired link: %v", err)
		}
		list, err := e.svc.Shares(ctx, e.lead)
		if err != nil || len(list) != 2 || list[1].RevokedAt == nil {
			t.Fatalf("shares = %+v, %v", list, err)
		}
	})
}
