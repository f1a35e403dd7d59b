-- Saved ticket views: a query in the search language with the columns and
-- the order to list its tickets in. A personal view has its agent as
-- owner; a shared view (owner_id NULL) is offered to every agent. Columns
-- are a JSON list of column names; times are BIGINT milliseconds (UTC).
CREATE TABLE ticket_views (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    owner_id   BIGINT REFERENCES agents(id) ON DELETE CASCADE,
    query      TEXT NOT NULL DEFAULT '',
    columns    TEXT NOT NULL DEFAULT '[]',
    sort       TEXT NOT NULL DEFAULT 'updated_desc',
    position   INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX ticket_views_owner ON ticket_views(owner_id, position);
