-- Pairs of words that seldom share a text, and the ticket subjects and
-- comments holding both (internal/db/wordpairs.go). FTS5 finds where two
-- words meet only by walking both doclists, so two common words that
-- seldom meet cost ≈ 17 ms at 1M tickets however few texts hold them. A
-- search that found such a pair registers it (its texts read from
-- ticket_fts and comment_fts in the writer's transaction); from then on
-- the full-text flush keeps its texts, read as unicode61 reads them, and
-- searches for the two words read them newest first from this index.
CREATE TABLE word_pairs (
    n INTEGER PRIMARY KEY, -- registration order: writers reload the pairs when MAX(n) moves
    a TEXT NOT NULL,       -- the two tokens as unicode61 folds them, a < b
    b TEXT NOT NULL,
    ready INTEGER NOT NULL DEFAULT 1, -- searches read the pair (on SQLite a pair is registered whole)
    UNIQUE (a, b)
);
CREATE TABLE word_pair_texts (
    pair INTEGER NOT NULL, -- word_pairs.n
    tbl  INTEGER NOT NULL, -- pending_fts's numbering: 1 tickets (subject), 2 comments (body)
    id   INTEGER NOT NULL,
    PRIMARY KEY (pair, tbl, id)
) WITHOUT ROWID;
CREATE INDEX word_pair_texts_row ON word_pair_texts (tbl, id);
