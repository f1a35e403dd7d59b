package qa_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/qa"
	"github.com/ombud/ombud/internal/richtext"
	"github.com/ombud/ombud/internal/ticket"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

type requesters struct{ c *customer.Service }

func (r requesters) ResolveRequester(ctx context.Context, tx *db.Tx, email, name string) (int64, int64, error) {
	return r.c.ResolveRequester(ctx, tx, email, name)
}

func (r requesters) Brief(ctx context.Context, ids []int64) (map[int64]ticket.CustomerBrief, error) {
	return map[int64]ticket.CustomerBrief{}, nil
}

// monday is the week the fixtures' tickets are solved in.
var monday = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

type env struct {
	d       *db.DB
	clk     *clock
	tickets *ticket.Service
	svc     *qa.Service
	team    int64
	// ana and bo are agents in the team, cy an agent outside it.
	ana, bo, cy authz.Actor
	// rev1..rev3 are QA reviewers, lead a manager.
	rev1, rev2, rev3, lead authz.Actor
}

func setup(t *testing.T, d *db.DB) *env {
	t.Helper()
	ctx := context.Background()
	clk := &clock{t: monday.Add(9 * time.Hour)}
	e := &env{d: d, clk: clk}
	e.tickets = ticket.NewService(d, clk.now, requesters{customer.NewService(d, clk.now)}, richtext.New())
	e.svc = qa.NewService(d, clk.now)
	e.svc.SetSeed(7)
	mk := func(email, name string, role authz.Role) authz.Actor {
		var id int64
		err := d.Write(ctx, func(tx *db.Tx) error {
			var err error
			id, err = tx.InsertID(ctx, `INSERT INTO agents (email, name, role, created_at, updated_at) VALUES (?, ?, ?, 1, 1)`, email, name, string(role))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return authz.Actor{Kind: authz.KindAgent, ID: id, Role: role, Name: name}
	}
	e.ana = mk("ana@ombud.test", "Ana", authz.Agent)
	e.bo = mk("bo@ombud.test", "Bo", authz.Agent)
	e.cy = mk("cy@ombud.test", "Cy", authz.Agent)
	e.rev1 = mk("rev1@ombud.test", "Rev One", authz.QAReviewer)
	e.rev2 = mk("rev2@ombud.test", "Rev Two", authz.QAReviewer)
	e.rev3 = mk("rev3@ombud.test", "Rev Three", authz.QAReviewer)
	e.lead = mk("lead@ombud.test", "Lead", authz.Manager)
	team, err := agent.NewService(d, clk.now).CreateTeam(ctx, e.lead, agent.TeamInput{Name: "Support", AgentIDs: []int64{e.ana.ID, e.bo.ID}})
	if err != nil {
		t.Fatal(err)
	}
	e.team = team.ID
	return e
}

// solved creates a ticket assigned to who at created, solved at solved.
func (e *env) solved(t *testing.T, who authz.Actor, channel string, team bool, created, solved time.Time) int64 {
	t.Helper()
	ctx := context.Background()
	e.clk.set(created)
	in := ticket.CreateInput{Subject: "Order " + who.Name, Description: "Where is my order?", Channel: channel,
		AssigneeID: &who.ID, Requester: &ticket.RequesterInput{Email: "kari@example.com", Name: "Kari"}}
	if team {
		in.TeamID = &e.team
	}
	tk, err := e.tickets.Create(ctx, e.lead, in)
	if err != nil {
		t.Fatal(err)
	}
	e.clk.set(solved)
	e.status(t, tk.ID, ticket.StatusSolved)
	return tk.ID
}

func (e *env) status(t *testing.T, id int64, s ticket.Status) {
	t.Helper()
	if _, err := e.tickets.Update(context.Background(), e.lead, id, ticket.Patch{Status: &s}); err != nil {
		t.Fatal(err)
	}
}

// scorecard is the hand-computed card of score_test.go, stored.
func (e *env) scorecard(t *testing.T) qa.Scorecard {
	t.Helper()
	in := qa.ScorecardInput{Name: "Email quality", Categories: []qa.Category{
		{Name: "Greeting", Weight: 1, Scale: qa.ScaleBinary},
		{Name: "Accuracy", Weight: 3, Scale: qa.ScaleFive},
		{Name: "Tone", Weight: 2, Scale: qa.ScaleThree},
		{Name: "Compliance", Weight: 2, Scale: qa.ScaleBinary, Critical: true},
	}}
	c, err := e.svc.CreateScorecard(context.Background(), e.lead, in)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// ratings rates the card's four categories in order.
func ratings(c qa.Scorecard, vals ...*int) []qa.Rating {
	out := make([]qa.Rating, len(vals))
	for i, v := range vals {
		out[i] = qa.Rating{CategoryID: c.Categories[i].ID, Rating: v, Comment: c.Categories[i].Name + " comment"}
	}
	return out
}

func wantCode(t *testing.T, err error, code apperr.Code) {
	t.Helper()
	if apperr.CodeOf(err) != code || err == nil {
		t.Fatalf("err = %v, want %s", err, code)
	}
}
