-- PostgreSQL only (postgres/0099_search_vec_statistics.sql: the planner
-- statistics of the tsvector columns); SQLite's FTS5 walks need none.
SELECT 1;
