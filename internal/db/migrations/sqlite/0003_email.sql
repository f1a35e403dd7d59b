-- Email channel: mailboxes (support addresses with their relay and optional
-- IMAP source), every inbound message kept raw, the Message-IDs that tie mail
-- to tickets, the customers copied on a ticket's mail, and outbound mail.

CREATE TABLE mailboxes (
    id                    INTEGER PRIMARY KEY,
    address               TEXT NOT NULL UNIQUE,
    name                  TEXT NOT NULL,
    team_id               BIGINT REFERENCES teams(id) ON DELETE SET NULL,
    active                BOOLEAN NOT NULL DEFAULT TRUE,
    smtp_host             TEXT NOT NULL DEFAULT '',
    smtp_port             INTEGER NOT NULL DEFAULT 0,
    smtp_security         TEXT NOT NULL DEFAULT 'starttls',
    smtp_username         TEXT NOT NULL DEFAULT '',
    smtp_password         TEXT NOT NULL DEFAULT '',
    imap_host             TEXT NOT NULL DEFAULT '',
    imap_port             INTEGER NOT NULL DEFAULT 0,
    imap_security         TEXT NOT NULL DEFAULT 'tls',
    imap_username         TEXT NOT NULL DEFAULT '',
    imap_password         TEXT NOT NULL DEFAULT '',
    imap_folder           TEXT NOT NULL DEFAULT 'INBOX',
    imap_processed_folder TEXT NOT NULL DEFAULT '',
    imap_interval_seconds INTEGER NOT NULL DEFAULT 60,
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL
);

-- Every address a mailbox answers to: its own and its aliases, lower case.
CREATE TABLE mailbox_addresses (
    address    TEXT PRIMARY KEY,
    mailbox_id BIGINT NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    is_alias   BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX mailbox_addresses_mailbox ON mailbox_addresses(mailbox_id);

-- Inbound mail, kept raw: small messages in the row itself (committed with
-- the rest, one fsync shared by the batch), large ones in the blob store.
CREATE TABLE inbound_messages (
    id            INTEGER PRIMARY KEY,
    mailbox_id    BIGINT REFERENCES mailboxes(id) ON DELETE SET NULL,
    source        TEXT NOT NULL,
    message_id    TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    raw           BLOB,
    size          BIGINT NOT NULL,
    envelope_from TEXT NOT NULL DEFAULT '',
    envelope_to   TEXT NOT NULL DEFAULT '',
    from_address  TEXT NOT NULL DEFAULT '',
    subject       TEXT NOT NULL DEFAULT '',
    state         TEXT NOT NULL CHECK (state IN ('processed','failed','ignored')),
    outcome       TEXT NOT NULL DEFAULT '',
    error         TEXT NOT NULL DEFAULT '',
    ticket_id     BIGINT REFERENCES tickets(id) ON DELETE SET NULL,
    comment_id    BIGINT REFERENCES comments(id) ON DELETE SET NULL,
    received_at   BIGINT NOT NULL,
    processed_at  BIGINT
);
CREATE UNIQUE INDEX inbound_messages_dedupe ON inbound_messages(mailbox_id, message_id);
CREATE INDEX inbound_messages_state ON inbound_messages(state, id);
CREATE INDEX inbound_messages_comment ON inbound_messages(comment_id);
CREATE INDEX inbound_messages_ticket ON inbound_messages(ticket_id);
CREATE INDEX inbound_messages_sender ON inbound_messages(from_address, received_at);

-- Message-IDs known to belong to a ticket: mail we sent and mail we received.
-- Replies thread through In-Reply-To/References looked up here.
CREATE TABLE email_threads (
    message_id TEXT PRIMARY KEY,
    ticket_id  BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    comment_id BIGINT,
    direction  TEXT NOT NULL CHECK (direction IN ('in','out'))
);
CREATE INDEX email_threads_ticket ON email_threads(ticket_id);

-- Per ticket: the mailbox its mail goes out from and the customers copied.
CREATE TABLE email_tickets (
    ticket_id  BIGINT PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
    mailbox_id BIGINT REFERENCES mailboxes(id) ON DELETE SET NULL,
    cc         TEXT NOT NULL DEFAULT '[]'
);

-- Outbound mail: one row per public reply sent by email.
CREATE TABLE outbound_emails (
    id          INTEGER PRIMARY KEY,
    ticket_id   BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    comment_id  BIGINT NOT NULL UNIQUE,
    mailbox_id  BIGINT REFERENCES mailboxes(id) ON DELETE SET NULL,
    message_id  TEXT NOT NULL,
    recipients  TEXT NOT NULL DEFAULT '[]',
    state       TEXT NOT NULL CHECK (state IN ('queued','sent','failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    sent_at     BIGINT
);
CREATE INDEX outbound_emails_ticket ON outbound_emails(ticket_id);
