-- The text walks (internal/ticket/rankpg.go) are planned for their words:
-- PostgreSQL estimates how many rows a tsquery matches from the column's
-- most common elements, and a token not among them is guessed at half the
-- least common one's frequency. With the default statistics target (100)
-- that guess was 11,000 of 4.9M comments for an order number found in 20,
-- so the newest 300 were sought by the primary key backwards, through
-- every comment (26 s at 1M tickets; docs/benchmarks.md, 2026-12-05
-- 14:02). With 1,000 (ten times as many elements kept, ANALYZE sampling
-- 300,000 rows) the guess is ≈ 400 and such a token is read through the
-- GIN index. Takes effect at the next ANALYZE (autovacuum's or the
-- migration runner's).
ALTER TABLE comments ALTER COLUMN search_vec SET STATISTICS 1000;
ALTER TABLE tickets ALTER COLUMN search_vec SET STATISTICS 1000;
