package agent_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
)

// TestListLimits: oversized skill, team and member lists are refused,
// naming the list, before the database is touched (the calls get a
// cancelled context).
func TestListLimits(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		s := agent.NewService(d, func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) })
		done, cancel := context.WithCancel(context.Background())
		cancel()
		skills := make([]string, 10_001)
		for i := range skills {
			skills[i] = fmt.Sprintf("lang:x%d", i)
		}
		ids := func(n int) []int64 {
			out := make([]int64, n)
			for i := range out {
				out[i] = int64(i + 1)
			}
			return out
		}
		teams, members := ids(agent.MaxAgentTeams+1), ids(agent.MaxTeamMembers+1)
		tests := []struct {
			name   string
			call   func() error
			fields map[string]string
		}{
			{"create agent", func() error {
				_, err := s.CreateAgent(done, authz.System, agent.AgentInput{Email: "a@ombud.test", Name: "A", Skills: skills, TeamIDs: teams})
				return err
			}, map[string]string{"skills": apperr.TooMany(agent.MaxSkills), "team_ids": apperr.TooMany(agent.MaxAgentTeams)}},
			{"update agent", func() error {
				_, err := s.UpdateAgent(done, authz.System, 1, agent.AgentPatch{Skills: &skills})
				return err
			}, map[string]string{"skills": apperr.TooMany(agent.MaxSkills)}},
			{"create team", func() error {
				_, err := s.CreateTeam(done, authz.System, agent.TeamInput{Name: "T", AgentIDs: members})
				return err
			}, map[string]string{"agent_ids": apperr.TooMany(agent.MaxTeamMembers)}},
			{"update team", func() error {
				_, err := s.UpdateTeam(done, authz.System, 1, agent.TeamPatch{AgentIDs: &members})
				return err
			}, map[string]string{"agent_ids": apperr.TooMany(agent.MaxTeamMembers)}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := apperr.As(tt.call())
				if e.Code != apperr.CodeInvalid || len(e.Fields) != len(tt.fields) {
					t.Fatalf("got %v, want invalid %v", e, tt.fields)
				}
				for k, v := range tt.fields {
					if e.Fields[k] != v {
						t.Errorf("field %s: %q, want %q", k, e.Fields[k], v)
					}
				}
			})
		}
	})
}
