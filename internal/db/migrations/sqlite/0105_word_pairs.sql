-- Pairs of words that seldom share a comment, and the comments holding
-- both (internal/db/wordpairs.go). FTS5 finds where two words meet only
-- by walking both doclists, so two common words that seldom meet cost
-- ≈ 17 ms at 1M tickets however few comments hold them. A search that
-- found such a pair registers it (its comments read from comment_fts in
-- the writer's transaction); from then on the full-text flush keeps its
-- comments, from the comments' text as unicode61 reads it, and searches
-- for the two words read them newest first from this index.
CREATE TABLE word_pairs (
    n INTEGER PRIMARY KEY, -- registration order: writers reload the pairs when MAX(n) moves
    a TEXT NOT NULL,       -- the two tokens as unicode61 folds them, a < b
    b TEXT NOT NULL,
    UNIQUE (a, b)
);
CREATE TABLE word_pair_comments (
    pair INTEGER NOT NULL, -- word_pairs.n
    id   INTEGER NOT NULL, -- comments.id
    PRIMARY KEY (pair, id)
) WITHOUT ROWID;
CREATE INDEX word_pair_comments_id ON word_pair_comments (id);
