-- SQLite only (sqlite/0100_text_addresses.sql: an index of the email
-- addresses in ticket texts, because FTS5 reads an address as a phrase of
-- common tokens). PostgreSQL's search walks are planned per value and
-- meet its target without it.
SELECT 1;
