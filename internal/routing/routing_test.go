package routing_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/jobs"
	"github.com/ombud/ombud/internal/opt"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/richtext"
	"github.com/ombud/ombud/internal/routing"
	"github.com/ombud/ombud/internal/ticket"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// clock is a settable test clock.
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
	bs, err := r.c.Brief(ctx, ids)
	out := map[int64]ticket.CustomerBrief{}
	for id, b := range bs {
		out[id] = ticket.CustomerBrief{ID: b.ID, Name: b.Name, Email: b.Email}
	}
	return out, err
}

// node is one Ombud instance: its own ticket service, routing service and
// job runner on a database.
type node struct {
	d       *db.DB
	tickets *ticket.Service
	routing *routing.Service
}

// fixture is a database with a running node and a clock.
type fixture struct {
	node
	clk *clock
}

var staff = authz.Actor{Kind: authz.KindAgent, ID: 0, Role: authz.Manager}

// routingTestActor creates the tickets: a channel acting for the system.
var routingTestActor = authz.System

func startNode(t *testing.T, d *db.DB, clk *clock) node {
	t.Helper()
	tsvc := ticket.NewService(d, clk.now, requesters{customer.NewService(d, clk.now)}, richtext.New())
	rs := routing.NewService(d, clk.now, tsvc, nil)
	tsvc.AddHook(rs)
	r := jobs.NewRunner(d, jobs.Options{Poll: 10 * time.Millisecond, Now: clk.now, KeepDone: -1,
		Backoff: func(int) time.Duration { return 0 }})
	rs.Register(r)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("runner: %v", err)
		}
	})
	return node{d: d, tickets: tsvc, routing: rs}
}

func setup(t *testing.T, d *db.DB) fixture {
	t.Helper()
	clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	return fixture{node: startNode(t, d, clk), clk: clk}
}

// agentSpec describes a test agent.
type agentSpec struct {
	name         string
	availability string
	role         authz.Role
	skills       []string
	load         int // open tickets assigned before routing starts
}

func addAgent(t *testing.T, d *db.DB, a agentSpec, teams ...int64) int64 {
	t.Helper()
	ctx := context.Background()
	if a.role == "" {
		a.role = authz.Agent
	}
	if a.availability == "" {
		a.availability = "online"
	}
	var id int64
	err := d.Write(ctx, func(tx *db.Tx) error {
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO agents (email, name, role, availability, created_at, updated_at) VALUES (?, ?, ?, ?, 1, 1)`,
			strings.ToLower(a.name)+"@ombud.test", a.name, a.role, a.availability)
		if err != nil {
			return err
		}
		for _, s := range a.skills {
			if _, err := tx.ExecContext(ctx, `INSERT INTO agent_skills (agent_id, skill) VALUES (?, ?)`, id, s); err != nil {
				return err
			}
		}
		for _, team := range teams {
			if _, err := tx.ExecContext(ctx, `INSERT INTO team_members (team_id, agent_id) VALUES (?, ?)`, team, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func addTeam(t *testing.T, d *db.DB, name string) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := d.Write(ctx, func(tx *db.Tx) error {
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO teams (name, created_at, updated_at) VALUES (?, 1, 1)`, name)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func newTicket(t *testing.T, n node, team int64, mods ...func(*ticket.CreateInput)) ticket.Ticket {
	t.Helper()
	in := ticket.CreateInput{Subject: "Help", Description: "Please help", Channel: "email",
		Requester: &ticket.RequesterInput{Email: "kari@example.no", Name: "Kari"}}
	if team != 0 {
		in.TeamID = &team
	}
	for _, m := range mods {
		m(&in)
	}
	tk, err := n.tickets.Create(context.Background(), authz.System, in)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	return tk
}

func put(t *testing.T, f fixture, team int64, in routing.SettingsInput) {
	t.Helper()
	if _, err := f.routing.PutSettings(context.Background(), staff, team, in); err != nil {
		t.Fatalf("put settings: %v", err)
	}
}

// drain waits until no routing job is queued or running.
func drain(t *testing.T, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var n int
		// Running periodic jobs count too: the minute sweep may be routing
		// the very ticket (holding its claim) while its assign job no-ops.
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs WHERE (kind LIKE 'routing.%' AND state IN ('queued','running')) OR state = 'running'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d routing jobs still pending", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	var dead []string
	rows, err := d.QueryContext(ctx, `SELECT kind, last_error FROM jobs WHERE kind LIKE 'routing.%' AND (state = 'dead' OR last_error <> '')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, e string
		if err := rows.Scan(&k, &e); err != nil {
			t.Fatal(err)
		}
		dead = append(dead, k+": "+e)
	}
	if len(dead) > 0 {
		t.Fatalf("failed routing jobs: %v", dead)
	}
}

func assignee(t *testing.T, n node, id int64) int64 {
	t.Helper()
	tk, err := n.tickets.Get(context.Background(), authz.System, id)
	if err != nil {
		t.Fatal(err)
	}
	if tk.AssigneeID == nil {
		return 0
	}
	return *tk.AssigneeID
}

func loads(t *testing.T, d *db.DB) map[int64]int {
	t.Helper()
	rows, err := d.QueryContext(context.Background(), `SELECT assignee_id, COUNT(*) FROM tickets WHERE assignee_id IS NOT NULL GROUP BY assignee_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			t.Fatal(err)
		}
		out[id] = n
	}
	return out
}

func countEvents(t *testing.T, n node, id int64, typ string) int {
	t.Helper()
	l, err := n.tickets.ListEvents(context.Background(), authz.System, id, page.Request{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	c := 0
	for _, e := range l.Data {
		if e.Type == typ {
			c++
		}
	}
	return c
}

func ptr[T any](v T) *T { return &v }

func optOf(v int64) opt.Value[int64] { return opt.Of(v) }
func optNull() opt.Value[int64]      { return opt.Null[int64]() }

func TestMethods(t *testing.T) {
	t.Parallel()
	type tk struct {
		lang string
		tags []string
		want string // agent name; "" for unassigned
	}
	tests := []struct {
		name     string
		settings routing.SettingsInput
		agents   []agentSpec
		tickets  []tk
	}{
		{
			name:     "round robin cycles through available members and skips away, offline, at capacity and reviewers",
			settings: routing.SettingsInput{Method: routing.RoundRobin, Capacity: ptr(2)},
			agents: []agentSpec{
				{name: "Anna"}, {name: "Bjorn", availability: "away"}, {name: "Cecilie"},
				{name: "Dag", availability: "offline"}, {name: "Eva", load: 2}, {name: "Frida", role: authz.QAReviewer},
			},
			tickets: []tk{{want: "Anna"}, {want: "Cecilie"}, {want: "Anna"}, {want: "Cecilie"}, {want: ""}},
		},
		{
			name:     "round robin without require_available includes away and offline members",
			settings: routing.SettingsInput{Method: routing.RoundRobin, RequireAvailable: ptr(false)},
			agents:   []agentSpec{{name: "Anna"}, {name: "Bjorn", availability: "away"}, {name: "Cecilie", availability: "offline"}},
			tickets:  []tk{{want: "Anna"}, {want: "Bjorn"}, {want: "Cecilie"}, {want: "Anna"}},
		},
		{
			name:     "least load picks the least loaded, ties by longest since last assignment",
			settings: routing.SettingsInput{Method: routing.LeastLoad},
			agents:   []agentSpec{{name: "Anna", load: 2}, {name: "Bjorn"}, {name: "Cecilie", load: 1}, {name: "Dag", availability: "away"}},
			tickets:  []tk{{want: "Bjorn"}, {want: "Cecilie"}, {want: "Bjorn"}, {want: "Anna"}},
		},
		{
			name:     "per-agent capacity override",
			settings: routing.SettingsInput{Method: routing.LeastLoad, Capacity: ptr(5)},
			agents:   []agentSpec{{name: "Anna", load: 1}, {name: "Bjorn", load: 3}},
			tickets:  []tk{{want: "Bjorn"}, {want: "Bjorn"}, {want: ""}},
		},
		{
			name:     "skills route by language, then product, then load",
			settings: routing.SettingsInput{Method: routing.Skills},
			agents: []agentSpec{
				{name: "Anna", skills: []string{"lang:en", "channel:email"}},
				{name: "Bjorn", skills: []string{"lang:nb"}, load: 1},
				{name: "Cecilie", skills: []string{"lang:en", "product:billing"}},
				{name: "Dag", skills: []string{"lang:nb"}, availability: "offline"},
			},
			tickets: []tk{
				{lang: "nb", want: "Bjorn"},
				{lang: "en", want: "Anna"},
				{lang: "en", tags: []string{"product:billing"}, want: "Cecilie"},
				{lang: "nb-NO", want: "Bjorn"},
				{lang: "sl", want: "Anna"}, // nobody speaks it: channel:email decides
			},
		},
	}
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		for i, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				team := addTeam(t, d, fmt.Sprintf("Team %d", i))
				ids := map[string]int64{"": 0}
				for _, a := range tc.agents {
					a.name = fmt.Sprintf("%s%d", a.name, i)
					id := addAgent(t, d, a, team)
					ids[strings.TrimSuffix(a.name, fmt.Sprint(i))] = id
					for range a.load {
						newTicket(t, f.node, team, func(in *ticket.CreateInput) { in.AssigneeID = &id })
					}
				}
				if tc.name == "per-agent capacity override" {
					tc.settings.AgentCapacities = []routing.AgentCapacity{{AgentID: ids["Anna"], Capacity: 1}}
				}
				put(t, f, team, tc.settings)
				for j, want := range tc.tickets {
					tkt := newTicket(t, f.node, team, func(in *ticket.CreateInput) { in.Language = want.lang; in.Tags = want.tags })
					drain(t, d)
					if got := assignee(t, f.node, tkt.ID); got != ids[want.want] {
						t.Fatalf("ticket %d went to agent %d, want %s (%d); agents %v", j, got, want.want, ids[want.want], ids)
					}
				}
			})
		}
	})
}

func TestRoutingTriggers(t *testing.T) {
	t.Parallel()
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		manual := addTeam(t, d, "Manual")
		auto := addTeam(t, d, "Auto")
		anna := addAgent(t, d, agentSpec{name: "Anna"}, manual, auto)
		put(t, f, auto, routing.SettingsInput{Method: routing.RoundRobin})

		tk := newTicket(t, f.node, manual)
		drain(t, d)
		if got := assignee(t, f.node, tk.ID); got != 0 {
			t.Fatalf("manual team ticket assigned to %d", got)
		}
		// Moving it to a routing team routes it.
		if _, err := f.tickets.Update(ctx, authz.System, tk.ID, ticket.Patch{TeamID: optOf(auto)}); err != nil {
			t.Fatal(err)
		}
		drain(t, d)
		if got := assignee(t, f.node, tk.ID); got != anna {
			t.Fatalf("after team change: assignee %d, want %d", got, anna)
		}
		// Unassigning it routes it again; the routed change is the system's.
		if _, err := f.tickets.Update(ctx, authz.System, tk.ID, ticket.Patch{AssigneeID: optNull()}); err != nil {
			t.Fatal(err)
		}
		drain(t, d)
		if got := assignee(t, f.node, tk.ID); got != anna {
			t.Fatalf("after unassign: assignee %d, want %d", got, anna)
		}
		if n := countEvents(t, f.node, tk.ID, ticket.EvAssigneeChanged); n != 3 {
			t.Fatalf("%d assignee events, want 3", n)
		}
		// A solved ticket that is unassigned stays so.
		solved := ticket.StatusSolved
		if _, err := f.tickets.Update(ctx, authz.System, tk.ID, ticket.Patch{Status: &solved}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.tickets.Update(ctx, authz.System, tk.ID, ticket.Patch{AssigneeID: optNull()}); err != nil {
			t.Fatal(err)
		}
		drain(t, d)
		if got := assignee(t, f.node, tk.ID); got != 0 {
			t.Fatalf("solved ticket re-routed to %d", got)
		}
	})
}

func TestOfflineReturn(t *testing.T) {
	t.Parallel()
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		team := addTeam(t, d, "Support")
		keep := addTeam(t, d, "Keepers")
		anna := addAgent(t, d, agentSpec{name: "Anna"}, team, keep)
		bjorn := addAgent(t, d, agentSpec{name: "Bjorn"}, team)
		put(t, f, team, routing.SettingsInput{Method: routing.RoundRobin, OfflinePolicy: routing.OfflineReturn})
		put(t, f, keep, routing.SettingsInput{Method: routing.RoundRobin})

		var ids []int64
		for range 4 { // one at a time, so the rotation order is known
			ids = append(ids, newTicket(t, f.node, team).ID)
			drain(t, d)
		}
		kept := newTicket(t, f.node, keep).ID
		drain(t, d)
		if got := loads(t, d); got[anna] != 3 || got[bjorn] != 2 {
			t.Fatalf("loads before %v", got)
		}
		// A pending ticket waits on the customer and stays with Anna.
		pending := ticket.StatusPending
		if _, err := f.tickets.Update(ctx, authz.System, ids[0], ticket.Patch{Status: &pending}); err != nil {
			t.Fatal(err)
		}

		annaActor := authz.Actor{Kind: authz.KindAgent, ID: anna, Role: authz.Agent}
		bjornActor := authz.Actor{Kind: authz.KindAgent, ID: bjorn, Role: authz.Agent}
		if _, err := f.routing.SetAvailability(ctx, bjornActor, anna, "offline"); err == nil || !strings.Contains(err.Error(), "agent.write") {
			t.Fatalf("agent setting another's availability: %v", err)
		}
		if _, err := f.routing.SetAvailability(ctx, annaActor, anna, "asleep"); err == nil || !strings.Contains(err.Error(), "availability") {
			t.Fatalf("bad availability: %v", err)
		}
		av, err := f.routing.SetAvailability(ctx, annaActor, anna, "offline")
		if err != nil || av.Availability != "offline" {
			t.Fatalf("set offline: %+v %v", av, err)
		}
		drain(t, d)
		want := map[int64]int64{ids[0]: anna, ids[1]: bjorn, ids[2]: bjorn, ids[3]: bjorn, kept: anna}
		for id, w := range want {
			if got := assignee(t, f.node, id); got != w {
				t.Errorf("ticket %d: assignee %d, want %d", id, got, w)
			}
		}
		// Back online: nothing moves; a manager may set anyone's.
		if _, err := f.routing.SetAvailability(ctx, staff, anna, "online"); err != nil {
			t.Fatal(err)
		}
		drain(t, d)
		if got := loads(t, d); got[anna] != 2 || got[bjorn] != 3 {
			t.Fatalf("loads after %v", got)
		}
	})
}

func TestEscalation(t *testing.T) {
	t.Parallel()
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		first := addTeam(t, d, "First line")
		second := addTeam(t, d, "Second line")
		other := addTeam(t, d, "Other")
		lead := addAgent(t, d, agentSpec{name: "Lead", role: authz.Manager})
		agent := addAgent(t, d, agentSpec{name: "Anna"}, first, other)
		put(t, f, first, routing.SettingsInput{Method: routing.Manual, EscalateAfterMinutes: 30, EscalateTo: &routing.EscalateTo{AgentID: lead}})
		put(t, f, other, routing.SettingsInput{Method: routing.Manual, EscalateAfterMinutes: 30, EscalateTo: &routing.EscalateTo{TeamID: second}})

		waiting := newTicket(t, f.node, first).ID
		answered := newTicket(t, f.node, first).ID
		moved := newTicket(t, f.node, other, func(in *ticket.CreateInput) { in.AssigneeID = &agent }).ID
		f.clk.add(10 * time.Minute)
		// An internal note is not an answer; a public reply is.
		anna := authz.Actor{Kind: authz.KindAgent, ID: agent, Role: authz.Agent}
		if _, err := f.tickets.AddComment(ctx, anna, waiting, ticket.CommentInput{Body: "looking", Public: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.tickets.AddComment(ctx, anna, answered, ticket.CommentInput{Body: "Here you go"}); err != nil {
			t.Fatal(err)
		}

		f.clk.add(19 * time.Minute) // 29 minutes in
		if err := f.routing.Sweep(ctx, f.clk.now()); err != nil {
			t.Fatal(err)
		}
		drain(t, d)
		if n := countEvents(t, f.node, waiting, routing.EvEscalated); n != 0 {
			t.Fatalf("escalated after 29 minutes")
		}

		f.clk.add(2 * time.Minute)
		for range 3 { // repeated sweeps escalate once
			if err := f.routing.Sweep(ctx, f.clk.now()); err != nil {
				t.Fatal(err)
			}
			drain(t, d)
		}
		tk, err := f.tickets.Get(ctx, authz.System, waiting)
		if err != nil {
			t.Fatal(err)
		}
		if tk.AssigneeID == nil || *tk.AssigneeID != lead || len(tk.FollowerIDs) != 1 || tk.FollowerIDs[0] != lead {
			t.Fatalf("escalated to lead: assignee %v followers %v", tk.AssigneeID, tk.FollowerIDs)
		}
		mv, err := f.tickets.Get(ctx, authz.System, moved)
		if err != nil {
			t.Fatal(err)
		}
		if mv.TeamID == nil || *mv.TeamID != second || mv.AssigneeID != nil {
			t.Fatalf("escalated to team: team %v assignee %v", mv.TeamID, mv.AssigneeID)
		}
		for _, c := range []struct {
			id   int64
			want int
		}{{waiting, 1}, {moved, 1}, {answered, 0}} {
			if n := countEvents(t, f.node, c.id, routing.EvEscalated); n != c.want {
				t.Errorf("ticket %d: %d escalated events, want %d", c.id, n, c.want)
			}
		}
		// Much later, still once: the lead has it, the moved one waits in a
		// team without escalation.
		f.clk.add(3 * time.Hour)
		if err := f.routing.Sweep(ctx, f.clk.now()); err != nil {
			t.Fatal(err)
		}
		drain(t, d)
		if n := countEvents(t, f.node, waiting, routing.EvEscalated) + countEvents(t, f.node, moved, routing.EvEscalated); n != 2 {
			t.Fatalf("%d escalations after a later sweep, want 2", n)
		}
	})
}

func TestBacklog(t *testing.T) {
	t.Parallel()
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		team := addTeam(t, d, "Support")
		anna := addAgent(t, d, agentSpec{name: "Anna"}, team)
		bjorn := addAgent(t, d, agentSpec{name: "Bjorn", availability: "offline"}, team)
		put(t, f, team, routing.SettingsInput{Method: routing.RoundRobin, Capacity: ptr(1)})
		var ids []int64
		for range 3 {
			ids = append(ids, newTicket(t, f.node, team).ID)
			drain(t, d)
		}
		check := func(step string, want ...int64) {
			t.Helper()
			for i, id := range ids {
				if got := assignee(t, f.node, id); got != want[i] {
					t.Fatalf("%s: ticket %d assigned to %d, want %d", step, i, got, want[i])
				}
			}
		}
		check("nobody has room", anna, 0, 0)
		// Bjorn comes online and gets the oldest waiting ticket.
		if _, err := f.routing.SetAvailability(ctx, authz.Actor{Kind: authz.KindAgent, ID: bjorn, Role: authz.Agent}, bjorn, "online"); err != nil {
			t.Fatal(err)
		}
		drain(t, d)
		check("online", anna, bjorn, 0)
		// Anna solves hers and gets the next.
		solved := ticket.StatusSolved
		if _, err := f.tickets.Update(ctx, authz.Actor{Kind: authz.KindAgent, ID: anna, Role: authz.Agent}, ids[0], ticket.Patch{Status: &solved}); err != nil {
			t.Fatal(err)
		}
		drain(t, d)
		check("solved", anna, bjorn, anna)
	})
}

// TestSweepRunsOnTheRunner leaves the sweep to the job runner: moving the
// clock past a minute slot escalates an overdue ticket and routes the
// backlog without anyone calling Sweep.
func TestSweepRunsOnTheRunner(t *testing.T) {
	t.Parallel()
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		team := addTeam(t, d, "Support")
		lead := addAgent(t, d, agentSpec{name: "Lead", role: authz.Manager})
		put(t, f, team, routing.SettingsInput{Method: routing.LeastLoad, EscalateAfterMinutes: 5, EscalateTo: &routing.EscalateTo{AgentID: lead}})
		waiting := newTicket(t, f.node, team).ID // nobody in the team yet
		drain(t, d)
		sweeps := func() int {
			var n int
			if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs WHERE kind = 'periodic' AND idem_key LIKE 'routing.escalate@%' AND state = 'done'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		// The runner sweeps the slot it starts in; let that pass first.
		for deadline := time.Now().Add(20 * time.Second); sweeps() == 0; time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("no first sweep")
			}
		}
		// A member appears without any event routing would hear of; only
		// the sweep's backlog run can find them.
		anna := addAgent(t, d, agentSpec{name: "Anna"}, team)
		other := newTicket(t, f.node, 0).ID
		if _, err := f.tickets.Update(ctx, authz.System, other, ticket.Patch{TeamID: optOf(team)}); err != nil {
			t.Fatal(err)
		}
		drain(t, d)
		if got := assignee(t, f.node, other); got != anna {
			t.Fatalf("second ticket went to %d, want %d", got, anna)
		}
		if got := assignee(t, f.node, waiting); got != 0 {
			t.Fatalf("first ticket routed before the sweep, to %d", got)
		}
		f.clk.add(time.Minute)
		deadline := time.Now().Add(20 * time.Second)
		for assignee(t, f.node, waiting) != anna {
			if time.Now().After(deadline) {
				t.Fatalf("the sweep did not route the waiting ticket")
			}
			time.Sleep(10 * time.Millisecond)
		}
		// Anna never answered: five minutes in, the lead gets it.
		f.clk.add(5 * time.Minute)
		for assignee(t, f.node, waiting) != lead {
			if time.Now().After(deadline) {
				t.Fatalf("the sweep did not escalate")
			}
			time.Sleep(10 * time.Millisecond)
		}
		drain(t, d)
		if n := countEvents(t, f.node, waiting, routing.EvEscalated); n != 1 {
			t.Fatalf("%d escalated events", n)
		}
	})
}
