package routing_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/routing"
)

func TestSettings(t *testing.T) {
	t.Parallel()
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		team := addTeam(t, d, "Support")
		other := addTeam(t, d, "Escalations")
		lead := addAgent(t, d, agentSpec{name: "Lead", role: authz.Manager})
		gone := addAgent(t, d, agentSpec{name: "Gone"})
		if err := d.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE agents SET active = FALSE WHERE id = ?`, gone)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		agentActor := authz.Actor{Kind: authz.KindAgent, ID: lead, Role: authz.Agent}

		// A team never configured routes manually with the defaults.
		got, err := f.routing.GetSettings(ctx, agentActor, team)
		if err != nil {
			t.Fatal(err)
		}
		want := routing.Settings{TeamID: team, Method: routing.Manual, Capacity: 10, AgentCapacities: []routing.AgentCapacity{},
			RequireAvailable: true, OfflinePolicy: routing.OfflineKeep}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("defaults (-want +got):\n%s", diff)
		}

		tests := []struct {
			name   string
			actor  authz.Actor
			team   int64
			in     routing.SettingsInput
			code   apperr.Code
			fields []string
		}{
			{name: "agents may not change routing", actor: agentActor, team: team, in: routing.SettingsInput{Method: routing.RoundRobin}, code: apperr.CodeForbidden},
			{name: "unknown team", actor: staff, team: 999999, in: routing.SettingsInput{Method: routing.RoundRobin}, code: apperr.CodeNotFound},
			{name: "method required", actor: staff, team: team, in: routing.SettingsInput{}, code: apperr.CodeInvalid, fields: []string{"method"}},
			{name: "unknown method", actor: staff, team: team, in: routing.SettingsInput{Method: "random"}, code: apperr.CodeInvalid, fields: []string{"method"}},
			{name: "capacity below one", actor: staff, team: team, in: routing.SettingsInput{Method: routing.LeastLoad, Capacity: ptr(0)}, code: apperr.CodeInvalid, fields: []string{"capacity"}},
			{
				name: "agent capacity below one and a repeated agent", actor: staff, team: team,
				in:   routing.SettingsInput{Method: routing.LeastLoad, AgentCapacities: []routing.AgentCapacity{{AgentID: lead, Capacity: 0}, {AgentID: lead, Capacity: 2}}},
				code: apperr.CodeInvalid, fields: []string{"agent_capacities[0].capacity", "agent_capacities[1].agent_id"},
			},
			{
				name: "deactivated agent capacity", actor: staff, team: team,
				in:   routing.SettingsInput{Method: routing.LeastLoad, AgentCapacities: []routing.AgentCapacity{{AgentID: gone, Capacity: 2}}},
				code: apperr.CodeInvalid, fields: []string{"agent_capacities[0].agent_id"},
			},
			{name: "bad offline policy", actor: staff, team: team, in: routing.SettingsInput{Method: routing.RoundRobin, OfflinePolicy: "drop"}, code: apperr.CodeInvalid, fields: []string{"offline_policy"}},
			{
				name: "return needs require_available", actor: staff, team: team,
				in:   routing.SettingsInput{Method: routing.RoundRobin, OfflinePolicy: routing.OfflineReturn, RequireAvailable: ptr(false)},
				code: apperr.CodeInvalid, fields: []string{"offline_policy"},
			},
			{name: "escalation needs a target", actor: staff, team: team, in: routing.SettingsInput{Method: routing.Manual, EscalateAfterMinutes: 5}, code: apperr.CodeInvalid, fields: []string{"escalate_to"}},
			{name: "negative escalation", actor: staff, team: team, in: routing.SettingsInput{Method: routing.Manual, EscalateAfterMinutes: -1}, code: apperr.CodeInvalid, fields: []string{"escalate_after_minutes"}},
			{
				name: "unknown escalation agent", actor: staff, team: team,
				in:   routing.SettingsInput{Method: routing.Manual, EscalateAfterMinutes: 5, EscalateTo: &routing.EscalateTo{AgentID: 999999}},
				code: apperr.CodeInvalid, fields: []string{"escalate_to.agent_id"},
			},
			{
				name: "deactivated escalation agent", actor: staff, team: team,
				in:   routing.SettingsInput{Method: routing.Manual, EscalateAfterMinutes: 5, EscalateTo: &routing.EscalateTo{AgentID: gone}},
				code: apperr.CodeInvalid, fields: []string{"escalate_to.agent_id"},
			},
			{
				name: "unknown escalation team", actor: staff, team: team,
				in:   routing.SettingsInput{Method: routing.Manual, EscalateAfterMinutes: 5, EscalateTo: &routing.EscalateTo{TeamID: 999999}},
				code: apperr.CodeInvalid, fields: []string{"escalate_to.team_id"},
			},
			{
				name: "escalation to the same team", actor: staff, team: team,
				in:   routing.SettingsInput{Method: routing.Manual, EscalateAfterMinutes: 5, EscalateTo: &routing.EscalateTo{TeamID: team}},
				code: apperr.CodeInvalid, fields: []string{"escalate_to.team_id"},
			},
			{
				name: "agent and team both", actor: staff, team: team,
				in:   routing.SettingsInput{Method: routing.Manual, EscalateAfterMinutes: 5, EscalateTo: &routing.EscalateTo{AgentID: lead, TeamID: other}},
				code: apperr.CodeInvalid, fields: []string{"escalate_to"},
			},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, err := f.routing.PutSettings(ctx, tc.actor, tc.team, tc.in)
				if apperr.CodeOf(err) != tc.code {
					t.Fatalf("error %v, want code %s", err, tc.code)
				}
				var fields []string
				for k := range apperr.As(err).Fields {
					fields = append(fields, k)
				}
				if diff := cmp.Diff(tc.fields, fields, cmpopts.SortSlices(func(a, b string) bool { return a < b }), cmpopts.EquateEmpty()); diff != "" {
					t.Fatalf("fields (-want +got):\n%s\n%v", diff, err)
				}
			})
		}

		// A full round trip; a second put replaces the first.
		in := routing.SettingsInput{Method: routing.Skills, Capacity: ptr(4), RequireAvailable: ptr(true), OfflinePolicy: routing.OfflineReturn,
			AgentCapacities: []routing.AgentCapacity{{AgentID: lead, Capacity: 2}}, EscalateAfterMinutes: 45, EscalateTo: &routing.EscalateTo{TeamID: other}}
		put(t, f, team, in)
		in.EscalateTo = &routing.EscalateTo{AgentID: lead}
		saved, err := f.routing.PutSettings(ctx, staff, team, in)
		if err != nil {
			t.Fatal(err)
		}
		got, err = f.routing.GetSettings(ctx, agentActor, team)
		if err != nil {
			t.Fatal(err)
		}
		want = routing.Settings{TeamID: team, Method: routing.Skills, Capacity: 4, AgentCapacities: []routing.AgentCapacity{{AgentID: lead, Capacity: 2}},
			RequireAvailable: true, OfflinePolicy: routing.OfflineReturn, EscalateAfterMinutes: 45, EscalateTo: &routing.EscalateTo{AgentID: lead},
			UpdatedAt: saved.UpdatedAt}
		if diff := cmp.Diff(want, got); diff != "" || got.UpdatedAt == nil {
			t.Fatalf("round trip (-want +got):\n%s", diff)
		}
		if _, err := f.routing.GetSettings(ctx, authz.Actor{Kind: authz.KindAgent, ID: lead, Role: authz.Collaborator}, team); apperr.CodeOf(err) != apperr.CodeForbidden {
			t.Fatalf("collaborator read: %v", err)
		}
	})
}
