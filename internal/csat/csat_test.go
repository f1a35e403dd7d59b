package csat_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/csat"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/jobs"
	"github.com/ombud/ombud/internal/richtext"
	"github.com/ombud/ombud/internal/secret"
	"github.com/ombud/ombud/internal/ticket"
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

type requesters struct{ c *customer.Service }

func (r requesters) ResolveRequester(ctx context.Context, tx *db.Tx, email, name string) (int64, int64, error) {
	return r.c.ResolveRequester(ctx, tx, email, name)
}

func (r requesters) Brief(ctx context.Context, ids []int64) (map[int64]ticket.CustomerBrief, error) {
	return map[int64]ticket.CustomerBrief{}, nil
}

// people reads a customer's address as the app's adapter does.
type people struct{}

func (people) CustomerEmail(ctx context.Context, q db.Querier, id int64) (string, string, error) {
	var name string
	var email sql.NullString
	err := q.QueryRowContext(ctx, `SELECT c.name, (SELECT i.value FROM customer_identities i WHERE i.customer_id = c.id AND i.type = 'email'
		ORDER BY i.is_primary DESC, i.id LIMIT 1) FROM customers c WHERE c.id = ?`, id).Scan(&name, &email)
	return name, email.String, err
}

// outbox keeps the survey mail queued, as the email service's outbox
// would before sending it.
type outbox struct {
	mu   sync.Mutex
	mail []csat.Mail
}

func (o *outbox) QueueSurvey(ctx context.Context, tx *db.Tx, m csat.Mail) error {
	tx.AfterCommit(func() { o.mu.Lock(); o.mail = append(o.mail, m); o.mu.Unlock() })
	return nil
}

func (o *outbox) all() []csat.Mail {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]csat.Mail(nil), o.mail...)
}

type env struct {
	d       *db.DB
	clk     *clock
	tickets *ticket.Service
	svc     *csat.Service
	auto    *automation.Service
	out     *outbox
	agent   authz.Actor
	lead    authz.Actor
	admin   authz.Actor
}

func setup(t *testing.T, d *db.DB) *env {
	t.Helper()
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	tickets := ticket.NewService(d, clk.now, requesters{customer.NewService(d, clk.now)}, richtext.New())
	box, err := secret.NewBox([]byte(strings.Repeat("k", secret.KeySize)))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := csat.NewService(d, clk.now, tickets, people{}, box, "https://help.example.com/", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	out := &outbox{}
	svc.SetMailer(out, nil)
	tickets.AddHook(svc)
	auto := automation.NewService(d, clk.now, tickets, agent.NewService(d, clk.now))
	tickets.AddHook(auto)
	var a1, a2, a3 int64
	err = d.Write(ctx, func(tx *db.Tx) error {
		var err error
		if a1, err = tx.InsertID(ctx, `INSERT INTO agents (email, name, role, created_at, updated_at) VALUES ('ingrid@ombud.test', 'Ingrid', 'agent', 1, 1)`); err != nil {
			return err
		}
		if a2, err = tx.InsertID(ctx, `INSERT INTO agents (email, name, role, created_at, updated_at) VALUES ('lead@ombud.test', 'Lead', 'manager', 1, 1)`); err != nil {
			return err
		}
		a3, err = tx.InsertID(ctx, `INSERT INTO agents (email, name, role, created_at, updated_at) VALUES ('admin@ombud.test', 'Admin', 'admin', 1, 1)`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{d: d, clk: clk, tickets: tickets, svc: svc, auto: auto, out: out,
		agent: authz.Actor{Kind: authz.KindAgent, ID: a1, Role: authz.Agent, Name: "Ingrid"},
		lead:  authz.Actor{Kind: authz.KindAgent, ID: a2, Role: authz.Manager, Name: "Lead"},
		admin: authz.Actor{Kind: authz.KindAgent, ID: a3, Role: authz.Admin, Name: "Admin"}}
	r := jobs.NewRunner(d, jobs.Options{Now: clk.now, Poll: 10 * time.Millisecond, KeepDone: -1, Backoff: func(int) time.Duration { return 0 }})
	svc.Register(r)
	auto.Register(r)
	rctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = r.Run(rctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return e
}

// drain waits until no due job is queued or running.
func (e *env) drain(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var n int
		if err := e.d.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM jobs WHERE (state = 'queued' AND run_at <= ?) OR state = 'running'`,
			db.Millis(e.clk.now())).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			dead, _ := jobs.List(context.Background(), e.d, jobs.StateDead, 10, 0)
			for _, j := range dead {
				t.Errorf("dead job %s: %s", j.Kind, j.LastError)
			}
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("jobs did not settle")
}

func (e *env) settings(t *testing.T, s csat.Settings) {
	t.Helper()
	if _, err := e.svc.SaveSettings(context.Background(), e.admin, s); err != nil {
		t.Fatal(err)
	}
}

func (e *env) newTicket(t *testing.T, email, lang string) ticket.Ticket {
	t.Helper()
	tk, err := e.tickets.Create(context.Background(), e.agent, ticket.CreateInput{Subject: "Pakken kom ikke", Description: "Hei", Channel: "email",
		Language: lang, AssigneeID: &e.agent.ID, Requester: &ticket.RequesterInput{Email: email, Name: "Kari"}})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func (e *env) setStatus(t *testing.T, id int64, s ticket.Status) {
	t.Helper()
	if _, err := e.tickets.Update(context.Background(), e.agent, id, ticket.Patch{Status: &s}); err != nil {
		t.Fatal(err)
	}
}

func (e *env) events(t *testing.T, id int64, typ string) []ticket.Event {
	t.Helper()
	rows, err := e.d.QueryContext(context.Background(), `SELECT data FROM ticket_events WHERE ticket_id = ? AND type = ? ORDER BY seq`, id, typ)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []ticket.Event
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			t.Fatal(err)
		}
		ev := ticket.Event{Type: typ}
		_ = json.Unmarshal([]byte(data), &ev.Data)
		out = append(out, ev)
	}
	return out
}

var linkRE = regexp.MustCompile(`https://help\.example\.com/survey/([0-9]+\.[0-9]\.[0-9]+\.[A-Za-z0-9_-]+)`)

// links returns a survey mail's tokens by score.
func links(t *testing.T, m csat.Mail) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, l := range linkRE.FindAllStringSubmatch(m.Text, -1) {
		out[strings.Split(l[1], ".")[1]] = l[1]
	}
	return out
}

// TestSurveyLifecycle: a solve schedules the survey after the delay; it is
// mailed once in the ticket's language with a link per answer; answers
// become events; the same answer twice is one event; a closed ticket's
// survey is read-only.
func TestSurveyLifecycle(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		e.settings(t, csat.Settings{Enabled: true, DelayMinutes: 60, Scale: csat.ScaleGoodBad})
		tk := e.newTicket(t, "kari@example.no", "nb")
		e.setStatus(t, tk.ID, ticket.StatusSolved)
		e.clk.add(30 * time.Minute)
		e.drain(t)
		if n := len(e.out.all()); n != 0 {
			t.Fatalf("%d mails before the delay", n)
		}
		e.clk.add(31 * time.Minute)
		e.drain(t)
		mails := e.out.all()
		if len(mails) != 1 {
			t.Fatalf("%d mails after the delay, want 1", len(mails))
		}
		m := mails[0]
		if m.To != "kari@example.no" || !strings.Contains(m.Subject, "Hvordan gjorde vi det?") || !strings.Contains(m.HTML, "Bra, jeg er fornøyd") {
			t.Fatalf("mail not in Norwegian to the requester: %+v", m)
		}
		l := links(t, m)
		if len(l) != 2 || l["5"] == "" || l["1"] == "" {
			t.Fatalf("links %v, want good (5) and bad (1)", l)
		}
		if ev := e.events(t, tk.ID, csat.EvRequested); len(ev) != 1 || ev[0].Data["to"] != "kari@example.no" {
			t.Fatalf("csat_requested events %v", ev)
		}
		// Opening a link records nothing (a mail scanner may open them all).
		for _, tok := range l {
			p, err := e.svc.Open(ctx, tok)
			if err != nil || !p.Open || p.Survey.Score != 0 {
				t.Fatalf("open: %+v, %v", p, err)
			}
		}
		steps := []struct {
			name    string
			token   string
			answer  csat.Answer
			score   int
			comment string
			rated   int // csat_rated events so far
			notes   int // csat_commented events so far
		}{
			{"bad", l["1"], csat.Answer{Score: 1, KeepComment: true}, 1, "", 1, 0},
			{"bad again is no new event", l["1"], csat.Answer{Score: 1, KeepComment: true}, 1, "", 1, 0},
			{"changed to good with a comment", l["1"], csat.Answer{Score: 5, Comment: " Rask hjelp, takk! "}, 5, "Rask hjelp, takk!", 2, 0},
			{"comment changed alone", l["5"], csat.Answer{Score: 5, Comment: "Veldig rask hjelp"}, 5, "Veldig rask hjelp", 2, 1},
			{"one-click keeps the comment", l["5"], csat.Answer{Score: 5, KeepComment: true}, 5, "Veldig rask hjelp", 2, 1},
		}
		for _, s := range steps {
			p, err := e.svc.Rate(ctx, s.token, s.answer)
			if err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			if p.Survey.Score != s.score || p.Survey.Comment != s.comment {
				t.Fatalf("%s: survey %+v", s.name, p.Survey)
			}
			if n := len(e.events(t, tk.ID, csat.EvRated)); n != s.rated {
				t.Fatalf("%s: %d csat_rated events, want %d", s.name, n, s.rated)
			}
			if n := len(e.events(t, tk.ID, csat.EvCommented)); n != s.notes {
				t.Fatalf("%s: %d csat_commented events, want %d", s.name, n, s.notes)
			}
		}
		rated := e.events(t, tk.ID, csat.EvRated)
		last := rated[len(rated)-1].Data
		if last["score"] != float64(5) || last["previous_score"] != float64(1) || last["rating"] != "good" || last["agent_id"] != float64(e.agent.ID) {
			t.Fatalf("last csat_rated data %v", last)
		}
		got, err := e.svc.ForTicket(ctx, e.agent, tk.ID)
		if err != nil || got.Score != 5 || got.Rating != "good" || got.AgentID != e.agent.ID {
			t.Fatalf("ForTicket: %+v, %v", got, err)
		}
		if _, err := e.svc.Rate(ctx, l["5"], csat.Answer{Score: 3}); !apperr.Is(err, apperr.CodeInvalid) {
			t.Fatalf("a 3 on the good/bad scale: %v", err)
		}
		// A reopen and a second solve send no second survey.
		e.setStatus(t, tk.ID, ticket.StatusOpen)
		e.setStatus(t, tk.ID, ticket.StatusSolved)
		e.clk.add(2 * time.Hour)
		e.drain(t)
		if n := len(e.out.all()); n != 1 {
			t.Fatalf("%d mails after a second solve, want still 1", n)
		}
		e.setStatus(t, tk.ID, ticket.StatusClosed)
		if _, err := e.svc.Rate(ctx, l["1"], csat.Answer{Score: 1}); !apperr.Is(err, apperr.CodeUnprocessable) {
			t.Fatalf("rating a closed ticket: %v", err)
		}
		if p, err := e.svc.Open(ctx, l["1"]); err != nil || p.Open {
			t.Fatalf("closed ticket's page: %+v, %v", p, err)
		}
	})
}

// TestSurveySkips: no survey when the ticket was reopened or merged away
// before the delay passed, when surveys are off, or when the customer was
// surveyed within the throttle interval.
func TestSurveySkips(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		e.settings(t, csat.Settings{Enabled: true, DelayMinutes: 10, Scale: csat.ScaleFive, ThrottleDays: 7})
		reopened := e.newTicket(t, "a@example.com", "")
		e.setStatus(t, reopened.ID, ticket.StatusSolved)
		e.setStatus(t, reopened.ID, ticket.StatusOpen)
		target := e.newTicket(t, "b@example.com", "")
		merged := e.newTicket(t, "b@example.com", "")
		e.setStatus(t, merged.ID, ticket.StatusSolved)
		if _, err := e.tickets.Merge(ctx, e.agent, target.ID, merged.ID); err != nil {
			t.Fatal(err)
		}
		first := e.newTicket(t, "c@example.com", "sv")
		second := e.newTicket(t, "c@example.com", "")
		e.setStatus(t, first.ID, ticket.StatusSolved)
		e.clk.add(11 * time.Minute)
		e.drain(t)
		e.setStatus(t, second.ID, ticket.StatusSolved)
		e.clk.add(11 * time.Minute)
		e.drain(t)
		mails := e.out.all()
		if len(mails) != 1 || mails[0].TicketID != first.ID {
			t.Fatalf("mails %+v, want only the first of c@example.com's tickets", mails)
		}
		if !strings.Contains(mails[0].Text, "5 – Mycket nöjd") || len(links(t, mails[0])) != 5 {
			t.Fatalf("the 1–5 survey in Swedish: %s", mails[0].Text)
		}
		// Eight days later the throttle lets the customer be asked again;
		// with surveys off nobody is.
		e.clk.add(8 * 24 * time.Hour)
		third := e.newTicket(t, "c@example.com", "")
		e.setStatus(t, third.ID, ticket.StatusSolved)
		e.settings(t, csat.Settings{Enabled: false, DelayMinutes: 10, Scale: csat.ScaleFive, ThrottleDays: 7})
		e.clk.add(11 * time.Minute)
		e.drain(t)
		if n := len(e.out.all()); n != 1 {
			t.Fatalf("%d mails with surveys off, want 1", n)
		}
		e.settings(t, csat.Settings{Enabled: true, DelayMinutes: 0, Scale: csat.ScaleFive, ThrottleDays: 7})
		e.setStatus(t, third.ID, ticket.StatusOpen)
		e.setStatus(t, third.ID, ticket.StatusSolved)
		e.drain(t)
		if mails := e.out.all(); len(mails) != 2 || mails[1].TicketID != third.ID {
			t.Fatalf("mails %+v, want the third ticket surveyed after the throttle", mails)
		}
	})
}

// TestLinks: a link is bound to its survey, score and expiry.
func TestLinks(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		e.settings(t, csat.Settings{Enabled: true, Scale: csat.ScaleGoodBad})
		tk := e.newTicket(t, "kari@example.no", "")
		e.setStatus(t, tk.ID, ticket.StatusSolved)
		e.drain(t)
		l := links(t, e.out.all()[0])
		good := l["5"]
		parts := strings.Split(good, ".")
		exp := e.clk.now().Add(csat.LinkTTL)
		tests := []struct {
			name  string
			token string
			code  apperr.Code
		}{
			{"score changed", parts[0] + ".1." + parts[2] + "." + parts[3], apperr.CodeInvalid},
			{"survey changed", "9" + good, apperr.CodeInvalid},
			{"signature cut", good[:len(good)-2], apperr.CodeInvalid},
			{"garbage", "not-a-token", apperr.CodeInvalid},
			{"signed, but no such survey", e.svc.Sign(4242, 5, exp), apperr.CodeNotFound},
			{"signed, score not on the scale", e.svc.Sign(mustID(t, e, tk.ID), 3, exp), apperr.CodeInvalid},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				if _, err := e.svc.Open(ctx, tc.token); !apperr.Is(err, tc.code) {
					t.Fatalf("open: %v, want %s", err, tc.code)
				}
			})
		}
		e.clk.add(csat.LinkTTL + time.Minute)
		_, err := e.svc.Open(ctx, good)
		if !csat.IsExpired(err) {
			t.Fatalf("an expired link: %v", err)
		}
	})
}

func mustID(t *testing.T, e *env, ticketID int64) int64 {
	t.Helper()
	v, err := e.svc.ForTicket(context.Background(), e.agent, ticketID)
	if err != nil {
		t.Fatal(err)
	}
	return v.ID
}

// TestBadRatingTrigger: a trigger on "csat is bad" reopens the ticket and
// makes the lead follow it; a good rating leaves it alone.
func TestBadRatingTrigger(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		e.settings(t, csat.Settings{Enabled: true, Scale: csat.ScaleGoodBad})
		if _, err := e.auto.CreateRule(ctx, e.admin, automation.KindTrigger, automation.RuleInput{Name: "Bad rating: reopen, tell the lead", Active: ptr(true),
			Conditions: automation.Conditions{All: []automation.Condition{{Field: "csat", Op: "is", Value: json.RawMessage(`"bad"`)}}},
			Actions: []automation.Action{{Type: "set_status", Value: json.RawMessage(`"open"`)},
				{Type: "add_follower", Value: json.RawMessage(jsonNum(e.lead.ID))}}}); err != nil {
			t.Fatal(err)
		}
		good, bad := e.newTicket(t, "g@example.com", ""), e.newTicket(t, "b@example.com", "")
		e.setStatus(t, good.ID, ticket.StatusSolved)
		e.setStatus(t, bad.ID, ticket.StatusSolved)
		e.drain(t)
		for _, m := range e.out.all() {
			score := 5
			if m.TicketID == bad.ID {
				score = 1
			}
			if _, err := e.svc.Rate(ctx, links(t, m)["5"], csat.Answer{Score: score}); err != nil {
				t.Fatal(err)
			}
		}
		e.drain(t)
		for _, c := range []struct {
			id       int64
			status   ticket.Status
			follower bool
		}{{good.ID, ticket.StatusSolved, false}, {bad.ID, ticket.StatusOpen, true}} {
			tk, err := e.tickets.Get(ctx, e.admin, c.id)
			if err != nil {
				t.Fatal(err)
			}
			follows := false
			for _, f := range tk.FollowerIDs {
				follows = follows || f == e.lead.ID
			}
			if tk.Status != c.status || follows != c.follower {
				t.Errorf("ticket %d: status %s, lead follows %v; want %s, %v", c.id, tk.Status, follows, c.status, c.follower)
			}
		}
	})
}

func ptr[T any](v T) *T { return &v }

func jsonNum(n int64) string { b, _ := json.Marshal(n); return string(b) }
