package routing

// MaxAgentCapacities is the most per-agent capacities one team's settings
// hold: as many as a team has members (agent.MaxTeamMembers).
const MaxAgentCapacities = 1000
