package nps_test

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/nps"
	"github.com/ombud/ombud/internal/secret"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// outbox keeps the queued survey mail, as the email outbox would before
// sending it.
type outbox struct {
	mu   sync.Mutex
	mail []nps.Mail
}

func (o *outbox) QueueNPS(ctx context.Context, tx *db.Tx, m nps.Mail) error {
	tx.AfterCommit(func() { o.mu.Lock(); o.mail = append(o.mail, m); o.mu.Unlock() })
	return nil
}

func (o *outbox) take() []nps.Mail {
	o.mu.Lock()
	defer o.mu.Unlock()
	m := o.mail
	o.mail = nil
	return m
}

type env struct {
	d      *db.DB
	clk    *clock
	svc    *nps.Service
	out    *outbox
	lead   authz.Actor
	agent  authz.Actor
	collab authz.Actor
	orgA   int64
	orgB   int64
	cust   map[string]int64 // name → id
}

func setup(t *testing.T, d *db.DB) *env {
	t.Helper()
	clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)} // a Monday
	box, err := secret.NewBox([]byte(strings.Repeat("k", secret.KeySize)))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := nps.NewService(d, clk.now, box, "https://help.example.com/", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	out := &outbox{}
	svc.SetMailer(out, nil)
	e := &env{d: d, clk: clk, svc: svc, out: out, cust: map[string]int64{},
		lead:   authz.Actor{Kind: authz.KindAgent, ID: 1, Role: authz.Manager, Name: "Lead"},
		agent:  authz.Actor{Kind: authz.KindAgent, ID: 2, Role: authz.Agent, Name: "Agent"},
		collab: authz.Actor{Kind: authz.KindAgent, ID: 3, Role: authz.Collaborator, Name: "Product"}}
	ctx := context.Background()
	err = d.Write(ctx, func(tx *db.Tx) error {
		var err error
		if e.orgA, err = tx.InsertID(ctx, `INSERT INTO organizations (name, created_at, updated_at) VALUES ('Fjord AS', 1, 1)`); err != nil {
			return err
		}
		e.orgB, err = tx.InsertID(ctx, `INSERT INTO organizations (name, created_at, updated_at) VALUES ('Lipa d.o.o.', 1, 1)`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// customer adds a customer with an email address (unless email is "") and
// one ticket per tag list, last changed daysAgo days before now.
func (e *env) customer(t *testing.T, name string, org int64, locale, email, ticketLang string, daysAgo int, tags ...string) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := e.d.Write(ctx, func(tx *db.Tx) error {
		var err error
		if id, err = tx.InsertID(ctx, `INSERT INTO customers (name, organization_id, locale, created_at, updated_at) VALUES (?, ?, ?, 1, 1)`,
			name, db.NullInt(org), locale); err != nil {
			return err
		}
		if email != "" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO customer_identities (customer_id, type, value, is_primary, created_at) VALUES (?, 'email', ?, ?, 1)`, id, email, true); err != nil {
				return err
			}
		}
		at := db.Millis(e.clk.now().AddDate(0, 0, -daysAgo))
		tid, err := tx.InsertID(ctx, `INSERT INTO tickets (subject, status, priority, type, channel, requester_id, language, created_at, updated_at)
			VALUES ('Hello', 'solved', 'normal', 'question', 'email', ?, ?, ?, ?)`, id, ticketLang, at, at)
		if err != nil {
			return err
		}
		for _, tag := range tags {
			if _, err := tx.ExecContext(ctx, `INSERT INTO ticket_tags (ticket_id, tag) VALUES (?, ?)`, tid, tag); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	e.cust[name] = id
	return id
}

// run runs the campaign's due run and returns the mail it queued.
func (e *env) run(t *testing.T, c nps.Campaign) []nps.Mail {
	t.Helper()
	c, err := e.svc.Campaign(context.Background(), e.lead, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.NextRunAt == nil {
		t.Fatalf("campaign %d has no next run", c.ID)
	}
	if _, err := e.svc.Run(context.Background(), c.ID, db.Millis(*c.NextRunAt)); err != nil {
		t.Fatal(err)
	}
	return e.out.take()
}

var linkRE = regexp.MustCompile(`https://help\.example\.com/nps/(\S+)`)

// links maps score → token of a survey mail.
func links(t *testing.T, m nps.Mail) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, line := range strings.Split(m.Text, "\n") {
		score, rest, ok := strings.Cut(line, ": ")
		if !ok {
			continue
		}
		if mm := linkRE.FindStringSubmatch(rest); mm != nil {
			out[score] = mm[1]
		}
	}
	if len(out) != 11 {
		t.Fatalf("mail has %d score links, want 11:\n%s", len(out), m.Text)
	}
	return out
}

func recipients(ms []nps.Mail) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.To)
	}
	return out
}

func TestSegmentSelection(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		e.customer(t, "Astrid", e.orgA, "nb", "astrid@fjord.test", "", 3, "vip")
		e.customer(t, "Bo", e.orgA, "sv", "bo@fjord.test", "", 200)
		e.customer(t, "Cene", e.orgB, "", "cene@lipa.test", "sl", 10, "vip")
		e.customer(t, "Dan", 0, "", "dan@example.test", "", 1)
		e.customer(t, "Nomail", e.orgA, "en", "", "", 1, "vip")
		ctx := context.Background()
		tests := []struct {
			name string
			seg  nps.Segment
			want []string
		}{
			{"everyone with an address", nps.Segment{}, []string{"astrid@fjord.test", "bo@fjord.test", "cene@lipa.test", "dan@example.test"}},
			{"organization", nps.Segment{OrganizationID: e.orgA}, []string{"astrid@fjord.test", "bo@fjord.test"}},
			{"tag", nps.Segment{Tag: " VIP "}, []string{"astrid@fjord.test", "cene@lipa.test"}},
			{"last contact", nps.Segment{ContactDays: 30}, []string{"astrid@fjord.test", "cene@lipa.test", "dan@example.test"}},
			{"language from the ticket", nps.Segment{Language: "sl"}, []string{"cene@lipa.test"}},
			{"language defaults to English", nps.Segment{Language: "en"}, []string{"dan@example.test"}},
			{"all parts", nps.Segment{OrganizationID: e.orgA, Tag: "vip", ContactDays: 7, Language: "nb"}, []string{"astrid@fjord.test"}},
			{"nobody", nps.Segment{OrganizationID: e.orgB, Language: "da"}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c, err := e.svc.CreateCampaign(ctx, e.lead, nps.CampaignInput{Name: tt.name, Segment: tt.seg, StartAt: e.clk.now().Add(time.Hour)})
				if err != nil {
					t.Fatal(err)
				}
				targets, err := e.svc.Select(ctx, d, c.Segment, 0, e.clk.now())
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, x := range targets {
					got = append(got, x.Email)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Fatalf("selected (-want +got):\n%s", diff)
				}
			})
		}
	})
}

func TestThrottleAndSchedule(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := context.Background()
		e.customer(t, "Astrid", e.orgA, "nb", "astrid@fjord.test", "", 3)
		e.customer(t, "Bo", e.orgB, "sv", "bo@lipa.test", "", 3)
		if _, err := e.svc.SaveSettings(ctx, e.lead, nps.Settings{ThrottleDays: 30}); err != nil {
			t.Fatal(err)
		}
		weekly, err := e.svc.CreateCampaign(ctx, e.lead, nps.CampaignInput{Name: "Weekly", RepeatDays: 7,
			Questions: map[string]string{"nb": "Hvor sannsynlig er det at du anbefaler oss?"}})
		if err != nil {
			t.Fatal(err)
		}
		mail := e.run(t, weekly)
		if diff := cmp.Diff([]string{"astrid@fjord.test", "bo@lipa.test"}, recipients(mail)); diff != "" {
			t.Fatalf("first run (-want +got):\n%s", diff)
		}
		// The question in the customer's language: the campaign's own in
		// Norwegian, the default one in Swedish.
		if !strings.Contains(mail[0].Text, "Hvor sannsynlig er det at du anbefaler oss?") {
			t.Errorf("Norwegian mail lacks the campaign's question:\n%s", mail[0].Text)
		}
		if !strings.Contains(mail[1].Text, "Hur troligt är det") {
			t.Errorf("Swedish mail lacks the default question in Swedish:\n%s", mail[1].Text)
		}
		links(t, mail[0])
		c, _ := e.svc.Campaign(ctx, e.lead, weekly.ID)
		if c.NextRunAt == nil || !c.NextRunAt.Equal(e.clk.now().AddDate(0, 0, 7)) {
			t.Fatalf("next run = %v, want a week later", c.NextRunAt)
		}
		// A second campaign the same day: the throttle holds across campaigns.
		other, err := e.svc.CreateCampaign(ctx, e.lead, nps.CampaignInput{Name: "Other"})
		if err != nil {
			t.Fatal(err)
		}
		if got := e.run(t, other); len(got) != 0 {
			t.Fatalf("throttled customers were surveyed again: %v", recipients(got))
		}
		if c, _ := e.svc.Campaign(ctx, e.lead, other.ID); c.NextRunAt != nil {
			t.Fatalf("a one-off campaign is scheduled again at %v", c.NextRunAt)
		}
		// A week on: still within 30 days.
		e.clk.add(7 * 24 * time.Hour)
		if got := e.run(t, weekly); len(got) != 0 {
			t.Fatalf("surveyed within the throttle: %v", recipients(got))
		}
		// 31 days after the first send: surveyed again.
		e.clk.add(24 * 24 * time.Hour)
		e.customer(t, "Cene", e.orgB, "sl", "cene@lipa.test", "", 1)
		if got := e.run(t, weekly); len(got) != 3 {
			t.Fatalf("after the throttle: %v, want all three", recipients(got))
		}
		// Running a run that is no longer due sends nothing.
		if n, err := e.svc.Run(ctx, weekly.ID, db.Millis(e.clk.now().AddDate(-1, 0, 0))); err != nil || n != -1 {
			t.Fatalf("stale run = %d, %v; want -1", n, err)
		}
		// Paused campaigns do not run; a run now needs it active.
		if _, err := e.svc.UpdateCampaign(ctx, e.lead, weekly.ID, nps.CampaignPatch{Active: new(false)}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.RunNow(ctx, e.lead, weekly.ID); !apperr.Is(err, apperr.CodeUnprocessable) {
			t.Fatalf("RunNow on a paused campaign: %v", err)
		}
	})
}

func TestCampaignValidation(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := context.Background()
		tests := []struct {
			name  string
			in    nps.CampaignInput
			field string
		}{
			{"name", nps.CampaignInput{}, "name"},
			{"control character", nps.CampaignInput{Name: "Spring\u202E"}, "name"},
			{"question on two lines", nps.CampaignInput{Name: "x", Questions: map[string]string{"nb": "Hei\nder"}}, "questions.nb"},
			{"organization", nps.CampaignInput{Name: "x", Segment: nps.Segment{OrganizationID: 9999}}, "segment.organization_id"},
			{"language", nps.CampaignInput{Name: "x", Segment: nps.Segment{Language: "de"}}, "segment.language"},
			{"contact days", nps.CampaignInput{Name: "x", Segment: nps.Segment{ContactDays: -1}}, "segment.contact_days"},
			{"tag", nps.CampaignInput{Name: "x", Segment: nps.Segment{Tag: "two tags"}}, "segment.tag"},
			{"repeat", nps.CampaignInput{Name: "x", RepeatDays: -3}, "repeat_days"},
			{"question language", nps.CampaignInput{Name: "x", Questions: map[string]string{"fr": "?"}}, "questions.fr"},
			{"question length", nps.CampaignInput{Name: "x", Questions: map[string]string{"en": strings.Repeat("a", 501)}}, "questions.en"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := e.svc.CreateCampaign(ctx, e.lead, tt.in)
				ae, ok := err.(*apperr.Error)
				if !ok || ae.Code != apperr.CodeInvalid || ae.Fields[tt.field] == "" {
					t.Fatalf("err = %v, want invalid %s", err, tt.field)
				}
			})
		}
		if _, err := e.svc.CreateCampaign(ctx, e.agent, nps.CampaignInput{Name: "x"}); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("agent created a campaign: %v", err)
		}
		if _, err := e.svc.CreateCampaign(ctx, e.collab, nps.CampaignInput{Name: "x"}); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("collaborator created a campaign: %v", err)
		}
		if _, err := e.svc.SaveSettings(ctx, e.lead, nps.Settings{ThrottleDays: -1}); err == nil {
			t.Fatal("negative throttle accepted")
		}
	})
}

func TestLinks(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := context.Background()
		e.customer(t, "Astrid", e.orgA, "nb", "astrid@fjord.test", "", 3)
		c, err := e.svc.CreateCampaign(ctx, e.lead, nps.CampaignInput{Name: "Q1"})
		if err != nil {
			t.Fatal(err)
		}
		tok := links(t, e.run(t, c)[0])
		p, err := e.svc.Open(ctx, tok["9"])
		if err != nil || p.Chosen != 9 || p.Send.Score != -1 {
			t.Fatalf("Open = %+v, %v", p, err)
		}
		if !strings.Contains(p.Question, "anbefale") {
			t.Errorf("question not in Norwegian: %q", p.Question)
		}
		// Altered: another score in the same token.
		bad := strings.Replace(tok["9"], ".9.", ".10.", 1)
		if _, err := e.svc.Open(ctx, bad); !apperr.Is(err, apperr.CodeInvalid) {
			t.Fatalf("altered link: %v", err)
		}
		if _, err := e.svc.Answer(ctx, tok["9"], 11, ""); !apperr.Is(err, apperr.CodeInvalid) {
			t.Fatalf("score 11: %v", err)
		}
		if _, err := e.svc.Answer(ctx, tok["9"], 9, strings.Repeat("x", nps.MaxReason+1)); !apperr.Is(err, apperr.CodeInvalid) {
			t.Fatalf("long reason: %v", err)
		}
		// One answer per send, changeable through any of its links.
		if _, err := e.svc.Answer(ctx, tok["9"], 9, "Fast help"); err != nil {
			t.Fatal(err)
		}
		p, err = e.svc.Answer(ctx, p.PageToken, 6, "Slow\u0007 after all")
		if err != nil || p.Send.Score != 6 || p.Send.Reason != "Slow after all" {
			t.Fatalf("changed answer = %+v, %v", p.Send, err)
		}
		var n int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM nps_sends`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("sends = %d, %v", n, err)
		}
		e.clk.add(nps.LinkTTL + time.Minute)
		if _, err := e.svc.Open(ctx, tok["9"]); !nps.IsExpired(err) {
			t.Fatalf("expired link: %v", err)
		}
	})
}
