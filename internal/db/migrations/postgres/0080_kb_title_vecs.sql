-- The title tier of a knowledge search on PostgreSQL (internal/kb/rank.go)
-- reads title vectors only. In kb_translations they share a heap row of
-- about 3 KB with the text, its HTML and the text's vector (two rows per
-- 8 KB page): the tier's GIN path fetched one page per title match,
-- thousands for a common title word, 12 ms of server CPU per search at
-- 50,000 articles. kb_title_vecs holds the same vectors in rows of about
-- 180 bytes, with the title's length the tier orders by (docs/benchmarks.md,
-- 2026-12-05 03:00). Written with the
-- vectors (internal/kb/fold.go setVector); gone with the translation.
CREATE TABLE kb_title_vecs (
    id           BIGINT PRIMARY KEY REFERENCES kb_translations (id) ON DELETE CASCADE,
    article_id   BIGINT NOT NULL,
    language     TEXT NOT NULL,
    title_length INTEGER NOT NULL,
    title_vec    tsvector NOT NULL
);

INSERT INTO kb_title_vecs (id, article_id, language, title_length, title_vec)
SELECT id, article_id, language, LENGTH(title), title_vec FROM kb_translations WHERE title_vec IS NOT NULL;

CREATE INDEX kb_title_vecs_vec ON kb_title_vecs USING GIN (title_vec);
CREATE INDEX kb_title_vecs_language ON kb_title_vecs (language, id);
