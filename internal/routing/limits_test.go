package routing_test

import (
	"context"
	"testing"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/routing"
)

// TestCapacitiesLimit: more per-agent capacities than a team has members
// are refused once, naming the list, before the database is touched (a
// cancelled context) and without an error for each entry.
func TestCapacitiesLimit(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		done, cancel := context.WithCancel(context.Background())
		cancel()
		in := routing.SettingsInput{Method: routing.LeastLoad, AgentCapacities: make([]routing.AgentCapacity, 10_001)}
		_, err := f.routing.PutSettings(done, staff, 1, in)
		e := apperr.As(err)
		if e.Code != apperr.CodeInvalid || len(e.Fields) != 1 || e.Fields["agent_capacities"] != apperr.TooMany(routing.MaxAgentCapacities) {
			t.Fatalf("got %v, want agent_capacities: %q", err, apperr.TooMany(routing.MaxAgentCapacities))
		}
	})
}
