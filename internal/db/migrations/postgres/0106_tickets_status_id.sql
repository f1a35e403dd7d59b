-- SQLite only (sqlite/0106_tickets_status_id.sql: a narrow index of each
-- status's tickets in id order, probed by the searches' status tests);
-- PostgreSQL tests a batch of tickets by its primary key and plans the
-- status test itself.
SELECT 1;
