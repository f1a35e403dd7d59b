-- Every change of an agent's availability (online, away, offline), written
-- in the transaction of the change: schedule adherence and occupancy are
-- measured from it (docs/workforce.md).
CREATE TABLE agent_availability_events (
    id           INTEGER PRIMARY KEY,
    agent_id     BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    availability TEXT NOT NULL,
    at           BIGINT NOT NULL
);
CREATE INDEX agent_availability_events_agent ON agent_availability_events(agent_id, at);
