package agent_test

import (
	"context"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func ptr[T any](v T) *T { return &v }

func TestAgentsAndTeams(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := agent.NewService(d, func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) })
		team, err := s.CreateTeam(ctx, authz.System, agent.TeamInput{Name: "Support"})
		if err != nil {
			t.Fatal(err)
		}
		mgr, err := s.CreateAgent(ctx, authz.System, agent.AgentInput{Email: "Lead@Ombud.test", Name: "Lead", Role: authz.Manager, TimeZone: "Europe/Oslo", Locale: "nb", Skills: []string{"LANG:nb", "lang:en"}, TeamIDs: []int64{team.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if mgr.Email != "lead@ombud.test" || len(mgr.Skills) != 2 || mgr.Skills[0] != "lang:en" || len(mgr.TeamIDs) != 1 {
			t.Fatalf("agent %+v", mgr)
		}
		m := authz.Actor{Kind: authz.KindAgent, ID: mgr.ID, Role: authz.Manager}
		tests := []struct {
			name  string
			actor authz.Actor
			in    agent.AgentInput
			code  apperr.Code
			field string
		}{
			{"manager cannot create admin", m, agent.AgentInput{Email: "a@ombud.test", Name: "A", Role: authz.Admin}, apperr.CodeForbidden, ""},
			{"agent cannot create agents", authz.Actor{Kind: authz.KindAgent, ID: 9, Role: authz.Agent}, agent.AgentInput{Email: "b@ombud.test", Name: "B"}, apperr.CodeForbidden, ""},
			{"bad email", m, agent.AgentInput{Email: "nope", Name: "B"}, apperr.CodeInvalid, "email"},
			{"bad role", m, agent.AgentInput{Email: "b@ombud.test", Name: "B", Role: "boss"}, apperr.CodeInvalid, "role"},
			{"bad zone", m, agent.AgentInput{Email: "b@ombud.test", Name: "B", TimeZone: "Mars/Base"}, apperr.CodeInvalid, "time_zone"},
			{"bad locale", m, agent.AgentInput{Email: "b@ombud.test", Name: "B", Locale: "xx"}, apperr.CodeInvalid, "locale"},
			{"bad skill", m, agent.AgentInput{Email: "b@ombud.test", Name: "B", Skills: []string{"norwegian"}}, apperr.CodeInvalid, "skills[0]"},
			{"short password", m, agent.AgentInput{Email: "b@ombud.test", Name: "B", Password: "short"}, apperr.CodeInvalid, "password"},
			{"unknown team", m, agent.AgentInput{Email: "b@ombud.test", Name: "B", TeamIDs: []int64{99}}, apperr.CodeInvalid, "team_ids[0]"},
			{"duplicate", m, agent.AgentInput{Email: "LEAD@ombud.test", Name: "B"}, apperr.CodeConflict, "email"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := s.CreateAgent(ctx, tt.actor, tt.in)
				e := apperr.As(err)
				if e.Code != tt.code || (tt.field != "" && e.Fields[tt.field] == "") {
					t.Fatalf("err = %v, want %s %s", err, tt.code, tt.field)
				}
			})
		}
		ag, err := s.CreateAgent(ctx, m, agent.AgentInput{Email: "ingrid@ombud.test", Name: "Ingrid", Password: "long-enough-pw"})
		if err != nil {
			t.Fatal(err)
		}
		self := authz.Actor{Kind: authz.KindAgent, ID: ag.ID, Role: authz.Agent}
		if got, err := s.UpdateAgent(ctx, self, ag.ID, agent.AgentPatch{Locale: ptr("sl"), Availability: ptr("online")}); err != nil || got.Locale != "sl" || got.Availability != "online" {
			t.Fatalf("self update %+v %v", got, err)
		}
		if _, err := s.UpdateAgent(ctx, self, ag.ID, agent.AgentPatch{Role: ptr(authz.Admin)}); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("self promotion: %v", err)
		}
		if _, err := s.UpdateAgent(ctx, m, ag.ID, agent.AgentPatch{Role: ptr(authz.Admin)}); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("manager grants admin: %v", err)
		}
		if got, err := s.UpdateAgent(ctx, m, ag.ID, agent.AgentPatch{Role: ptr(authz.QAReviewer), TeamIDs: &[]int64{team.ID}}); err != nil || got.Role != authz.QAReviewer {
			t.Fatalf("manager update %+v %v", got, err)
		}
		tm, err := s.GetTeam(ctx, m, team.ID)
		if err != nil || len(tm.AgentIDs) != 2 {
			t.Fatalf("team %+v %v", tm, err)
		}
		if _, err := s.CreateTeam(ctx, m, agent.TeamInput{Name: "support"}); err != nil {
			// Names are case-sensitive unique; "support" differs from "Support".
			t.Fatalf("team: %v", err)
		}
		if byName, err := s.TeamByName(ctx, "SUPPORT"); err != nil || byName.ID == 0 {
			t.Fatalf("team by name %v", err)
		}
		l, err := s.ListAgents(ctx, m, agent.Filter{TeamID: team.ID})
		if err != nil || len(l.Data) != 2 {
			t.Fatalf("list %+v %v", l, err)
		}
		if err := s.DeactivateAgent(ctx, self, ag.ID); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("self deactivation: %v", err)
		}
		if err := s.DeleteTeam(ctx, m, team.ID); err != nil {
			t.Fatal(err)
		}
	})
}
