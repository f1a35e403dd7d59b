-- Reply drafts, saved as the agent types: they survive a reload, a crash
-- and a move to another device, and are cleared when the reply is sent.
CREATE TABLE drafts (
    agent_id   BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    ticket_id  BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    body       TEXT NOT NULL,
    public     BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (agent_id, ticket_id)
);
CREATE INDEX drafts_ticket ON drafts(ticket_id);
