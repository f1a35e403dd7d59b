-- Typo tolerance on article titles (internal/kb/typo.go, docs/knowledge.md).
-- kb_title_words: every word of every title per language, with the number
-- of titles saved with it (a tie-breaker between corrections).
-- kb_title_deletes: each word under itself and under every form of it with
-- one letter left out (a symmetric-delete index): a typed word and a title
-- word within one or two edits meet under a shared key, found by primary
-- key, whatever the size of the knowledge base.
CREATE TABLE kb_title_words (
    word     TEXT NOT NULL,
    language TEXT NOT NULL,
    titles   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (word, language)
);

CREATE TABLE kb_title_deletes (
    del  TEXT NOT NULL,
    word TEXT NOT NULL,
    PRIMARY KEY (del, word)
);
