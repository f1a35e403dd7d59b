-- Routing: how each team hands its tickets to agents, who is at capacity,
-- and which tickets were escalated. Times are BIGINT milliseconds since the
-- Unix epoch (UTC). internal/routing owns these tables.

-- One row per team that has routing settings; a team without a row routes
-- manually. rr_last_agent_id is the round-robin pointer: the member who got
-- the team's latest ticket.
CREATE TABLE routing_teams (
    team_id                BIGINT PRIMARY KEY REFERENCES teams(id) ON DELETE CASCADE,
    method                 TEXT NOT NULL DEFAULT 'manual' CHECK (method IN ('manual','round_robin','least_load','skills')),
    capacity               INTEGER NOT NULL DEFAULT 10 CHECK (capacity >= 1),
    require_available      BOOLEAN NOT NULL DEFAULT TRUE,
    offline_policy         TEXT NOT NULL DEFAULT 'keep' CHECK (offline_policy IN ('keep','return')),
    escalate_after_minutes INTEGER NOT NULL DEFAULT 0 CHECK (escalate_after_minutes >= 0),
    escalate_agent_id      BIGINT REFERENCES agents(id) ON DELETE SET NULL,
    escalate_team_id       BIGINT REFERENCES teams(id) ON DELETE SET NULL,
    rr_last_agent_id       BIGINT NOT NULL DEFAULT 0,
    updated_at             BIGINT NOT NULL
);

-- Per-agent capacity overrides within a team.
CREATE TABLE routing_capacities (
    team_id  BIGINT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    agent_id BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    capacity INTEGER NOT NULL CHECK (capacity >= 1),
    PRIMARY KEY (team_id, agent_id)
);

-- When each agent last got a routed ticket (least-load tie breaker).
CREATE TABLE routing_agents (
    agent_id         BIGINT PRIMARY KEY REFERENCES agents(id) ON DELETE CASCADE,
    last_assigned_at BIGINT NOT NULL
);

-- A claim reserves an agent's capacity between the pick and the assignment
-- (which the ticket service commits in a transaction of its own), so two
-- instances routing at once never both fill an agent's last slot.
CREATE TABLE routing_claims (
    ticket_id  BIGINT PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
    agent_id   BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    claimed_at BIGINT NOT NULL
);
CREATE INDEX routing_claims_agent ON routing_claims(agent_id, claimed_at);

-- One escalation per ticket per queue episode (the ticket entering a team's
-- queue at queued_at); the sweep's idempotency.
CREATE TABLE routing_escalations (
    ticket_id    BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    team_id      BIGINT NOT NULL,
    queued_at    BIGINT NOT NULL,
    escalated_at BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, team_id, queued_at)
);
