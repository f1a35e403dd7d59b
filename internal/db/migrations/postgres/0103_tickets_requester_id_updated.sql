-- SQLite only (sqlite/0103_tickets_requester_id_updated.sql: updated_at
-- added to the requester lookup's index). PostgreSQL's has included it
-- since 0101.
SELECT 1;
