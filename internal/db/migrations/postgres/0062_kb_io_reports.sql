-- Knowledge base import/export and knowledge reports (internal/kb,
-- docs/knowledge.md, docs/metrics.md "Knowledge").
-- import_key is the slug an import or export knows an article by, so a
-- second import of the same folder updates the article instead of adding
-- another (NULL for articles never imported or exported).
ALTER TABLE kb_articles ADD COLUMN import_key TEXT;
CREATE UNIQUE INDEX kb_articles_import_key ON kb_articles(import_key);

-- Article views per day (UTC midnight, ms), language and channel: help
-- (the help center), portal (a portal customer opening a suggested
-- article) or agent (the knowledge pages). One counter row per day keeps
-- storage bounded by articles × languages × channels × days.
CREATE TABLE kb_views (
    article_id BIGINT NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
    language   TEXT NOT NULL,
    channel    TEXT NOT NULL CHECK (channel IN ('help', 'portal', 'agent')),
    day        BIGINT NOT NULL,
    views      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (article_id, language, channel, day)
);
CREATE INDEX kb_views_day ON kb_views(day);

-- Searches that found nothing (help center and portal), normalised (lower
-- case, words of letters and digits, at most 100 characters), counted per
-- day; at most 1,000 new queries a day are kept (kb.MaxMissesPerDay).
CREATE TABLE kb_search_misses (
    query     TEXT NOT NULL,
    language  TEXT NOT NULL,
    channel   TEXT NOT NULL CHECK (channel IN ('help', 'portal')),
    day       BIGINT NOT NULL,
    searches  BIGINT NOT NULL DEFAULT 0,
    last_seen BIGINT NOT NULL,
    PRIMARY KEY (query, language, channel, day)
);
CREATE INDEX kb_search_misses_day ON kb_search_misses(day);

-- The knowledge report reads feedback and uses by period.
CREATE INDEX kb_feedback_created ON kb_feedback(created_at);
CREATE INDEX kb_usage_created ON kb_usage(created_at);
