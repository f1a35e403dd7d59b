-- Messaging and social channels (internal/channel/messaging,
-- docs/messaging.md): integrations a provider (Telegram, WhatsApp,
-- Messenger, Instagram or any other) posts inbound messages and delivery
-- states to, the conversations they thread into tickets, the provider
-- message ids already applied (a retried message is a no-op) and the
-- agents' replies sent back through the provider.

CREATE TABLE messaging_integrations (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL UNIQUE,
    provider            TEXT NOT NULL CHECK (provider IN ('telegram', 'whatsapp', 'messenger', 'instagram', 'other')),
    secret              TEXT NOT NULL,
    reply_url           TEXT NOT NULL DEFAULT '',
    reply_token         TEXT NOT NULL DEFAULT '',
    reply_window_hours  INTEGER NOT NULL DEFAULT 0,
    team_id             BIGINT REFERENCES teams(id) ON DELETE SET NULL,
    active              BOOLEAN NOT NULL DEFAULT TRUE,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);

CREATE TABLE messaging_conversations (
    id                  INTEGER PRIMARY KEY,
    integration_id      BIGINT NOT NULL REFERENCES messaging_integrations(id) ON DELETE CASCADE,
    conversation_id     TEXT NOT NULL,
    customer_id         BIGINT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    handle              TEXT NOT NULL,
    ticket_id           BIGINT REFERENCES tickets(id) ON DELETE SET NULL,
    last_inbound_at     BIGINT NOT NULL,
    created_at          BIGINT NOT NULL,
    UNIQUE (integration_id, conversation_id)
);

CREATE TABLE messaging_inbound (
    integration_id      BIGINT NOT NULL REFERENCES messaging_integrations(id) ON DELETE CASCADE,
    message_id          TEXT NOT NULL,
    conversation_ref    BIGINT NOT NULL REFERENCES messaging_conversations(id) ON DELETE CASCADE,
    ticket_id           BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    comment_id          BIGINT NOT NULL,
    received_at         BIGINT NOT NULL,
    PRIMARY KEY (integration_id, message_id)
);
CREATE INDEX messaging_inbound_ticket ON messaging_inbound(ticket_id);

-- state: queued, sent, delivered, read, failed.
CREATE TABLE messaging_outbound (
    id                  INTEGER PRIMARY KEY,
    integration_id      BIGINT NOT NULL REFERENCES messaging_integrations(id) ON DELETE CASCADE,
    conversation_ref    BIGINT NOT NULL REFERENCES messaging_conversations(id) ON DELETE CASCADE,
    ticket_id           BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    comment_id          BIGINT NOT NULL UNIQUE,
    state               TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'delivered', 'read', 'failed')),
    message_id          TEXT NOT NULL DEFAULT '',
    error               TEXT NOT NULL DEFAULT '',
    attempts            INTEGER NOT NULL DEFAULT 0,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX messaging_outbound_ticket ON messaging_outbound(ticket_id);
CREATE INDEX messaging_outbound_message ON messaging_outbound(integration_id, message_id);
