-- Senders whose mail is not turned into tickets (internal/blocklist): an
-- address, or every address of a domain. Their mail is still kept in the
-- inbound mail log (state ignored, outcome blocked_sender), never dropped.
CREATE TABLE blocked_senders (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('address', 'domain')),
    value      TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES agents(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (kind, value)
);
