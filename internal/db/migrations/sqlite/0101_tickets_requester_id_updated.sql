-- PostgreSQL only (postgres/0101_tickets_requester_id_updated.sql: the
-- requester lookup's index with updated_at included, for index-only
-- reads). SQLite's tickets_requester_id holds the rowid and reads each
-- ticket's row by it.
SELECT 1;
