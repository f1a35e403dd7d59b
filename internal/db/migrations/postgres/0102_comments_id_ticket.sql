-- SQLite only (sqlite/0102_comments_id_ticket.sql: a narrow index of each
-- comment's ticket for the FTS5 walks); PostgreSQL's walks read the
-- comment row for its text match anyway.
SELECT 1;
