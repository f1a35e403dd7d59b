-- PostgreSQL only (kb_title_vecs, the title vectors apart from the
-- translations' wide rows); SQLite's FTS5 index has the title column.
SELECT 1;
