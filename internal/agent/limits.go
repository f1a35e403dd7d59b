package agent

import "github.com/ombud/ombud/internal/apperr"

// Limits on an agent's and a team's lists, checked before the write
// transaction and before any element is looked at.
const (
	MaxSkills      = 50   // skills of one agent
	MaxAgentTeams  = 100  // teams one agent belongs to
	MaxTeamMembers = 1000 // agents of one team
)

// checkAgentSizes refuses oversized skill and team lists (nil: not sent).
func checkAgentSizes(skills *[]string, teamIDs *[]int64) error {
	fe := apperr.FieldErrors{}
	if skills != nil {
		fe.MaxItems("skills", len(*skills), MaxSkills)
	}
	if teamIDs != nil {
		fe.MaxItems("team_ids", len(*teamIDs), MaxAgentTeams)
	}
	return fe.Err()
}

// checkTeamSizes refuses an oversized member list (nil: not sent).
func checkTeamSizes(agentIDs *[]int64) error {
	fe := apperr.FieldErrors{}
	if agentIDs != nil {
		fe.MaxItems("agent_ids", len(*agentIDs), MaxTeamMembers)
	}
	return fe.Err()
}
