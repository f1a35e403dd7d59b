-- SQLite only (sqlite/0105_word_pairs.sql: an index of the texts
-- holding pairs of words that seldom meet, because FTS5 finds where two
-- words meet only by walking both doclists).
SELECT 1;
