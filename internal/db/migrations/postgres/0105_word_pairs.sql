-- Pairs of words that seldom share a text, and the ticket subjects and
-- comments holding both (internal/db/wordpairs.go). A GIN index finds
-- where two words meet by intersecting both posting lists, so two common
-- words that seldom meet cost 100–300 ms at 1M tickets however few texts
-- hold them. A pair a search found to be such is registered: written
-- first (not ready), so that these triggers keep its texts from then on,
-- then, once the transactions under way have ended, its texts are read
-- through search_vec and it is made ready; searches for the two words
-- then read them newest first from this index.
CREATE TABLE word_pairs (
    n BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    a TEXT NOT NULL, -- the two lexemes as to_tsvector('simple', …) reads them, a < b
    b TEXT NOT NULL,
    ready BOOLEAN NOT NULL DEFAULT true, -- false while its texts are being read
    UNIQUE (a, b)
);
CREATE TABLE word_pair_texts (
    pair BIGINT NOT NULL,   -- word_pairs.n
    tbl  SMALLINT NOT NULL, -- 1 tickets (subject), 2 comments (body)
    id   BIGINT NOT NULL,
    PRIMARY KEY (pair, tbl, id)
);
CREATE INDEX word_pair_texts_row ON word_pair_texts (tbl, id);

-- The registered pairs a text holds: its lexemes looked up in word_pairs
-- (a), the partner (b) tested among them.
CREATE FUNCTION word_pairs_in(vec tsvector) RETURNS SETOF BIGINT LANGUAGE sql STABLE AS $$
    SELECT w.n FROM unnest(tsvector_to_array(vec)) l(a) JOIN word_pairs w ON w.a = l.a
    WHERE w.b = ANY (tsvector_to_array(vec))
$$;

-- Inserts, per statement (a bulk import's insert of many rows is one
-- call): each new row's registered pairs.
CREATE FUNCTION word_pair_texts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM word_pairs) THEN
        INSERT INTO word_pair_texts (pair, tbl, id)
        SELECT p, TG_ARGV[0]::smallint, r.id FROM new_rows r CROSS JOIN LATERAL word_pairs_in(r.search_vec) p
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION word_pair_texts_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM word_pair_texts WHERE tbl = TG_ARGV[0]::smallint AND id IN (SELECT id FROM old_rows);
    RETURN NULL;
END
$$;

-- A text edited (rare: erasure, a subject renamed), per row: transition
-- tables cannot go with a column list.
CREATE FUNCTION word_pair_texts_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM word_pair_texts WHERE tbl = TG_ARGV[0]::smallint AND id = OLD.id;
    INSERT INTO word_pair_texts (pair, tbl, id)
    SELECT p, TG_ARGV[0]::smallint, NEW.id FROM word_pairs_in(NEW.search_vec) p
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE TRIGGER tickets_word_pairs_ai AFTER INSERT ON tickets REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION word_pair_texts_insert(1);
CREATE TRIGGER tickets_word_pairs_ad AFTER DELETE ON tickets REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION word_pair_texts_delete(1);
CREATE TRIGGER tickets_word_pairs_au AFTER UPDATE OF subject ON tickets FOR EACH ROW
    WHEN (OLD.subject IS DISTINCT FROM NEW.subject) EXECUTE FUNCTION word_pair_texts_update(1);
CREATE TRIGGER comments_word_pairs_ai AFTER INSERT ON comments REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION word_pair_texts_insert(2);
CREATE TRIGGER comments_word_pairs_ad AFTER DELETE ON comments REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION word_pair_texts_delete(2);
CREATE TRIGGER comments_word_pairs_au AFTER UPDATE OF body ON comments FOR EACH ROW
    WHEN (OLD.body IS DISTINCT FROM NEW.body) EXECUTE FUNCTION word_pair_texts_update(2);
