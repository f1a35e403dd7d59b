-- SQLite only: its full-text index is written once per group commit
-- (sqlite/0081_fts_queue.sql). PostgreSQL's tsvector columns are part of
-- their rows and need nothing.
SELECT 1;
