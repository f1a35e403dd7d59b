-- Live chat (internal/chat, docs/chat.md). Every conversation is a ticket
-- on the chat channel; its messages are also the ticket's comments, so
-- history, SLAs and reports include them. These tables keep what the
-- widget and the console need beside that: the visitor's token (SHA-256),
-- the per-conversation message sequence the widget resumes from, the
-- client ids that make a resent message a no-op, and the offers to agents.

-- One settings row, edited by admins.
CREATE TABLE chat_settings (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    enabled          BOOLEAN NOT NULL DEFAULT TRUE,
    color            TEXT NOT NULL DEFAULT '#1f6feb',
    position         TEXT NOT NULL DEFAULT 'right' CHECK (position IN ('right', 'left')),
    greeting         TEXT NOT NULL DEFAULT '',
    languages        TEXT NOT NULL DEFAULT 'en,nb,sv,da,sl',
    allowed_origins  TEXT NOT NULL DEFAULT '',
    identity_secret  TEXT NOT NULL DEFAULT '',
    team_id          BIGINT REFERENCES teams(id) ON DELETE SET NULL,
    max_chats        INTEGER NOT NULL DEFAULT 3 CHECK (max_chats >= 1),
    offer_seconds    INTEGER NOT NULL DEFAULT 30 CHECK (offer_seconds >= 5),
    use_hours        BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at       BIGINT NOT NULL DEFAULT 0
);

-- state: queued (waiting for an agent), active (an agent has it), ended.
-- last_seq numbers the conversation's messages; the read marks are the
-- highest sequence each side has seen.
CREATE TABLE chat_conversations (
    id               INTEGER PRIMARY KEY,
    ticket_id        BIGINT NOT NULL UNIQUE REFERENCES tickets(id) ON DELETE CASCADE,
    customer_id      BIGINT NOT NULL,
    token_hash       TEXT NOT NULL UNIQUE,
    state            TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'active', 'ended')),
    agent_id         BIGINT REFERENCES agents(id) ON DELETE SET NULL,
    team_id          BIGINT REFERENCES teams(id) ON DELETE SET NULL,
    language         TEXT NOT NULL DEFAULT 'en',
    visitor_name     TEXT NOT NULL DEFAULT '',
    visitor_email    TEXT NOT NULL DEFAULT '',
    topic            TEXT NOT NULL DEFAULT '',
    identified       BOOLEAN NOT NULL DEFAULT FALSE,
    current_page     TEXT NOT NULL DEFAULT '',
    referrer         TEXT NOT NULL DEFAULT '',
    pages            TEXT NOT NULL DEFAULT '[]',
    last_seq         BIGINT NOT NULL DEFAULT 0,
    visitor_read_seq BIGINT NOT NULL DEFAULT 0,
    agent_read_seq   BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    accepted_at      BIGINT,
    ended_at         BIGINT,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX chat_conversations_state ON chat_conversations(state, agent_id);

-- author: visitor, agent or system (kind says what happened: joined,
-- transferred, ended). client_id is the sender's id for the message: a
-- resend after a lost acknowledgement finds the stored one.
CREATE TABLE chat_messages (
    id              INTEGER PRIMARY KEY,
    conversation_id BIGINT NOT NULL REFERENCES chat_conversations(id) ON DELETE CASCADE,
    seq             BIGINT NOT NULL,
    author          TEXT NOT NULL CHECK (author IN ('visitor', 'agent', 'system')),
    kind            TEXT NOT NULL DEFAULT 'text',
    agent_id        BIGINT,
    agent_name      TEXT NOT NULL DEFAULT '',
    client_id       TEXT,
    body            TEXT NOT NULL,
    comment_id      BIGINT,
    created_at      BIGINT NOT NULL,
    UNIQUE (conversation_id, seq)
);
CREATE UNIQUE INDEX chat_messages_client ON chat_messages(conversation_id, client_id);

-- A conversation is offered to one agent at a time: at most one pending
-- offer per conversation (the partial unique index), whichever instance
-- makes it.
CREATE TABLE chat_offers (
    id              INTEGER PRIMARY KEY,
    conversation_id BIGINT NOT NULL REFERENCES chat_conversations(id) ON DELETE CASCADE,
    agent_id        BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'declined', 'expired', 'withdrawn')),
    from_agent_id   BIGINT,
    note            TEXT NOT NULL DEFAULT '',
    offered_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    answered_at     BIGINT
);
CREATE UNIQUE INDEX chat_offers_pending ON chat_offers(conversation_id) WHERE state = 'pending';
CREATE INDEX chat_offers_agent ON chat_offers(agent_id, state);
