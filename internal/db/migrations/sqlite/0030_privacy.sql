-- Privacy: retention rules and erased tickets.
--
-- A retention rule deletes or anonymises closed tickets some months after
-- they were closed, on every channel or one. The hourly retention job
-- applies the active rules in batches (internal/privacy).
CREATE TABLE retention_rules (
    id         INTEGER PRIMARY KEY,
    action     TEXT NOT NULL CHECK (action IN ('delete','anonymise')),
    months     INTEGER NOT NULL CHECK (months >= 1 AND months <= 1200),
    channel    TEXT NOT NULL DEFAULT '',
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- When a ticket's text was erased (anonymised), so retention does not
-- anonymise it again and reports can tell such tickets apart.
ALTER TABLE tickets ADD COLUMN erased_at BIGINT;
CREATE INDEX tickets_closed_at ON tickets(closed_at) WHERE status = 'closed';

-- Erased text must leave the full-text indexes at once: with secure-delete
-- FTS5 removes a deleted row's terms from the index instead of recording
-- a tombstone beside them until the next merge.
INSERT INTO ticket_fts(ticket_fts, rank) VALUES ('secure-delete', 1);
INSERT INTO comment_fts(comment_fts, rank) VALUES ('secure-delete', 1);
INSERT INTO customer_fts(customer_fts, rank) VALUES ('secure-delete', 1);
INSERT INTO organization_fts(organization_fts, rank) VALUES ('secure-delete', 1);
