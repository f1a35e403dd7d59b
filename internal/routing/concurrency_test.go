package routing_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/routing"
	"github.com/ombud/ombud/internal/ticket"
)

// TestTwoInstances runs two Ombud instances (two pools, two job runners) on
// one PostgreSQL database and routes 50 tickets into each of two teams at
// once: capacity is never exceeded and round robin stays fair.
func TestTwoInstances(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := dbtest.NewPostgresDatabase(t)
	d1, d2 := dbtest.OpenURL(t, url), dbtest.OpenURL(t, url)
	clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	nodes := []node{startNode(t, d1, clk), startNode(t, d2, clk)}
	f := fixture{node: nodes[0], clk: clk}

	fair := addTeam(t, d1, "Fair")
	tight := addTeam(t, d1, "Tight")
	var fairAgents, tightAgents []int64
	for i := range 4 {
		fairAgents = append(fairAgents, addAgent(t, d1, agentSpec{name: fmt.Sprint("Fair", i)}, fair))
	}
	for i := range 3 {
		tightAgents = append(tightAgents, addAgent(t, d1, agentSpec{name: fmt.Sprint("Tight", i)}, tight))
	}
	put(t, f, fair, routing.SettingsInput{Method: routing.RoundRobin, Capacity: ptr(20)})
	put(t, f, tight, routing.SettingsInput{Method: routing.RoundRobin, Capacity: ptr(10)})

	const perTeam = 50
	var wg sync.WaitGroup
	sem := make(chan struct{}, 10)
	for i := range 2 * perTeam {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			team := fair
			if i%2 == 1 {
				team = tight
			}
			n := nodes[i%4/2] // both instances create tickets in both teams
			in := ticket.CreateInput{Subject: "Load", Description: "Load", Channel: "email", TeamID: &team,
				Requester: &ticket.RequesterInput{Email: fmt.Sprintf("c%d@example.no", i), Name: "C"}}
			if _, err := n.tickets.Create(ctx, routingTestActor, in); err != nil {
				t.Errorf("create %d: %v", i, err)
			}
		}()
	}
	start := time.Now()
	wg.Wait()
	drain(t, d1)
	t.Logf("created and routed %d tickets in %v", 2*perTeam, time.Since(start))

	got := loads(t, d1)
	sum, lo, hi := 0, perTeam, 0
	for _, a := range fairAgents {
		sum += got[a]
		lo, hi = min(lo, got[a]), max(hi, got[a])
	}
	if sum != perTeam || hi-lo > 1 || hi > 20 {
		t.Errorf("fair team loads %v: sum %d, spread %d..%d", got, sum, lo, hi)
	}
	for _, a := range tightAgents {
		if got[a] != 10 {
			t.Errorf("tight team agent %d has %d tickets, want exactly its capacity 10 (%v)", a, got[a], got)
		}
	}
	var unassigned, claims int
	if err := d1.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets WHERE assignee_id IS NULL AND team_id = ?`, tight).Scan(&unassigned); err != nil {
		t.Fatal(err)
	}
	if err := d1.QueryRowContext(ctx, `SELECT COUNT(*) FROM routing_claims`).Scan(&claims); err != nil {
		t.Fatal(err)
	}
	if unassigned != perTeam-30 || claims != 0 {
		t.Errorf("%d tight tickets unassigned (want %d), %d claims left", unassigned, perTeam-30, claims)
	}
}
