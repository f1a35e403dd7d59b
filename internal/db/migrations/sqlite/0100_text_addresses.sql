-- The email addresses written in ticket subjects (tbl 1) and comment
-- bodies (tbl 2), lower case, so that a search for an address finds the
-- texts mentioning it by one index lookup instead of an FTS5 phrase of
-- five or six common tokens (internal/db/addresses.go). Kept by the
-- full-text flush from pending_fts; a comment's ticket is read through
-- comments, so merges move its mentions with it.
CREATE TABLE text_addresses (
    address TEXT NOT NULL,
    tbl     INTEGER NOT NULL,
    id      INTEGER NOT NULL,
    PRIMARY KEY (address, tbl, id)
) WITHOUT ROWID;
CREATE INDEX text_addresses_row ON text_addresses (tbl, id);

-- The rows written before this migration, filled in chunks after it
-- (DB.FillTextAddresses, resumable); searches use the index once this
-- table is empty. Rows written from now on are kept by the flush.
CREATE TABLE text_address_fill (
    tbl     INTEGER PRIMARY KEY,
    next_id INTEGER NOT NULL,
    last_id INTEGER NOT NULL
);
INSERT INTO text_address_fill (tbl, next_id, last_id) SELECT 1, 1, MAX(id) FROM tickets HAVING MAX(id) IS NOT NULL;
INSERT INTO text_address_fill (tbl, next_id, last_id) SELECT 2, 1, MAX(id) FROM comments HAVING MAX(id) IS NOT NULL;
