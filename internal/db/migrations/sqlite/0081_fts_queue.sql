-- Full-text index writes once per commit instead of once per write.
--
-- FTS5 keeps the terms of rows written in a transaction in memory and
-- writes them to its index (a new level-0 segment per table) whenever a
-- savepoint opens: the group writer's savepoint per request, and the
-- statement journal of any later statement of the transaction. A create
-- wrote three segments per table it touched, which then had to be merged.
-- The triggers now only note which rows changed, with the text the index
-- holds for them (old_text, when indexed = 1: the row existed before this
-- transaction first changed it); the group writer indexes the noted rows
-- in set-based statements after the batch's savepoints are released, just
-- before its commit (internal/db/ftsqueue.go), so a row is findable once
-- the write that made it has returned. Only a row's first change in a
-- transaction is noted: that is the text the index holds.
CREATE TABLE pending_fts (
    tbl      INTEGER NOT NULL, -- 1 tickets, 2 comments, 3 customers, 4 organizations
    id       INTEGER NOT NULL,
    indexed  INTEGER NOT NULL,
    old_text TEXT,
    PRIMARY KEY (tbl, id)
) WITHOUT ROWID;

DROP TRIGGER tickets_fts_ai;
DROP TRIGGER tickets_fts_ad;
DROP TRIGGER tickets_fts_au;
CREATE TRIGGER tickets_fts_ai AFTER INSERT ON tickets BEGIN
    INSERT INTO pending_fts (tbl, id, indexed, old_text) SELECT 1, new.id, 0, NULL
    WHERE NOT EXISTS (SELECT 1 FROM pending_fts WHERE tbl = 1 AND id = new.id);
END;
CREATE TRIGGER tickets_fts_ad AFTER DELETE ON tickets BEGIN
    INSERT INTO pending_fts (tbl, id, indexed, old_text) SELECT 1, old.id, 1, old.subject
    WHERE NOT EXISTS (SELECT 1 FROM pending_fts WHERE tbl = 1 AND id = old.id);
END;
CREATE TRIGGER tickets_fts_au AFTER UPDATE OF subject ON tickets WHEN old.subject IS NOT new.subject BEGIN
    INSERT INTO pending_fts (tbl, id, indexed, old_text) SELECT 1, old.id, 1, old.subject
    WHERE NOT EXISTS (SELECT 1 FROM pending_fts WHERE tbl = 1 AND id = old.id);
END;

DROP TRIGGER comments_fts_ai;
DROP TRIGGER comments_fts_ad;
DROP TRIGGER comments_fts_au;
CREATE TRIGGER comments_fts_ai AFTER INSERT ON comments BEGIN
    INSERT INTO pending_fts (tbl, id, indexed, old_text) SELECT 2, new.id, 0, NULL
    WHERE NOT EXISTS (SELECT 1 FROM pending_fts WHERE tbl = 2 AND id = new.id);
END;
CREATE TRIGGER comments_fts_ad AFTER DELETE ON comments BEGIN
    INSERT INTO pending_fts (tbl, id, indexed, old_text) SELECT 2, old.id, 1, old.body
    WHERE NOT EXISTS (SELECT 1 FROM pending_fts WHERE tbl = 2 AND id = old.id);
END;
CREATE TRIGGER comments_fts_au AFTER UPDATE OF body ON comments WHEN old.body IS NOT new.body BEGIN
    INSERT INTO pending_fts (tbl, id, indexed, old_text) SELECT 2, old.id, 1, old.body
    WHERE NOT EXISTS (SELECT 1 FROM pending_fts WHERE tbl = 2 AND id = old.id);
END;

DROP TRIGGER customers_fts_ai;
DROP TRIGGER customers_fts_ad;
DROP TRIGGER customers_fts_au;
CREATE TRIGGER customers_fts_ai AFTER INSERT ON customers BEGIN
    INSERT INTO pending_fts (tbl, id, indexed, old_text) SELECT 3, new.id, 0, NULL
    WHERE NOT EXISTS (SELECT 1 FROM pending_fts WHERE tbl = 3 AND id = new.id);
END;
CREATE TRIGGER customers_fts_ad AFTER DELETE ON customers BEGIN
    INSERT INTO pending_fts (tbl, id, indexed, old_text) SELECT 3, old.id, 1, old.name
    WHERE NOT EXISTS (SELECT 1 FROM pending_fts WHERE tbl = 3 AND id = old.id);
END;
CREATE TRIGGER customers_fts_au AFTER UPDATE OF name ON customers WHEN old.name IS NOT new.name BEGIN
    INSERT INTO pending_fts (tbl, id, indexed, old_text) SELECT 3, old.id, 1, old.name
    WHERE NOT EXISTS (SELECT 1 FROM pending_fts WHERE tbl = 3 AND id = old.id);
END;

DROP TRIGGER organizations_fts_ai;
DROP TRIGGER organizations_fts_ad;
DROP TRIGGER organizations_fts_au;
CREATE TRIGGER organizations_fts_ai AFTER INSERT ON organizations BEGIN
    INSERT INTO pending_fts (tbl, id, indexed, old_text) SELECT 4, new.id, 0, NULL
    WHERE NOT EXISTS (SELECT 1 FROM pending_fts WHERE tbl = 4 AND id = new.id);
END;
CREATE TRIGGER organizations_fts_ad AFTER DELETE ON organizations BEGIN
    INSERT INTO pending_fts (tbl, id, indexed, old_text) SELECT 4, old.id, 1, old.name
    WHERE NOT EXISTS (SELECT 1 FROM pending_fts WHERE tbl = 4 AND id = old.id);
END;
CREATE TRIGGER organizations_fts_au AFTER UPDATE OF name ON organizations WHEN old.name IS NOT new.name BEGIN
    INSERT INTO pending_fts (tbl, id, indexed, old_text) SELECT 4, old.id, 1, old.name
    WHERE NOT EXISTS (SELECT 1 FROM pending_fts WHERE tbl = 4 AND id = old.id);
END;
