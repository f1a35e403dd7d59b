-- PostgreSQL only (postgres/0104_identity_trigger_scalar.sql: the identity
-- trigger's UPDATE is no longer planned again on every identity written);
-- SQLite's triggers plan their statements once per prepared statement.
SELECT 1;
