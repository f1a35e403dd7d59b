-- Knowledge base and help center (internal/kb, docs/knowledge.md).
-- Categories hold sections, sections hold articles; names of categories
-- and sections are per language (kb_names). An article has one source
-- language and any number of translations; every save of a translation is
-- a version. Visibility: internal (all agents, or the teams listed in
-- kb_article_teams), public, or orgs (customers of the organizations in
-- kb_article_orgs; agents see them too).
CREATE TABLE kb_categories (
    id         INTEGER PRIMARY KEY,
    position   INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE kb_sections (
    id          INTEGER PRIMARY KEY,
    category_id BIGINT NOT NULL REFERENCES kb_categories(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL
);
CREATE INDEX kb_sections_category ON kb_sections(category_id, position);

-- kind: category or section.
CREATE TABLE kb_names (
    kind        TEXT NOT NULL CHECK (kind IN ('category', 'section')),
    ref_id      BIGINT NOT NULL,
    language    TEXT NOT NULL,
    name        TEXT NOT NULL,
    slug        TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (kind, ref_id, language)
);

CREATE TABLE kb_articles (
    id              INTEGER PRIMARY KEY,
    section_id      BIGINT NOT NULL REFERENCES kb_sections(id),
    source_language TEXT NOT NULL,
    owner_id        BIGINT NOT NULL DEFAULT 0,
    state           TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'review', 'published', 'archived')),
    visibility      TEXT NOT NULL DEFAULT 'internal' CHECK (visibility IN ('internal', 'public', 'orgs')),
    verify_by       BIGINT,
    reminded_at     BIGINT,
    created_by      BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    published_at    BIGINT
);
CREATE INDEX kb_articles_section ON kb_articles(section_id, state);
CREATE INDEX kb_articles_verify ON kb_articles(verify_by);

CREATE TABLE kb_article_teams (
    article_id BIGINT NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
    team_id    BIGINT NOT NULL,
    PRIMARY KEY (article_id, team_id)
);

CREATE TABLE kb_article_orgs (
    article_id BIGINT NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
    org_id     BIGINT NOT NULL,
    PRIMARY KEY (article_id, org_id)
);
CREATE INDEX kb_article_orgs_org ON kb_article_orgs(org_id);

CREATE TABLE kb_article_tags (
    article_id BIGINT NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
    tag        TEXT NOT NULL,
    PRIMARY KEY (article_id, tag)
);
CREATE INDEX kb_article_tags_tag ON kb_article_tags(tag);

-- One row per article and language. version counts the saves;
-- source_version is the source translation's version this translation was
-- last saved against (out of date when the source has moved on).
CREATE TABLE kb_translations (
    id             INTEGER PRIMARY KEY,
    article_id     BIGINT NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
    language       TEXT NOT NULL,
    title          TEXT NOT NULL,
    slug           TEXT NOT NULL,
    summary        TEXT NOT NULL DEFAULT '',
    body           TEXT NOT NULL DEFAULT '',
    body_html      TEXT NOT NULL DEFAULT '',
    body_text      TEXT NOT NULL DEFAULT '',
    version        INTEGER NOT NULL DEFAULT 1,
    source_version INTEGER NOT NULL DEFAULT 0,
    updated_by     BIGINT NOT NULL DEFAULT 0,
    updated_at     BIGINT NOT NULL,
    UNIQUE (article_id, language)
);
CREATE INDEX kb_translations_language ON kb_translations(language);

CREATE TABLE kb_versions (
    id         INTEGER PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
    language   TEXT NOT NULL,
    version    INTEGER NOT NULL,
    title      TEXT NOT NULL,
    summary    TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL DEFAULT '',
    author_id  BIGINT NOT NULL DEFAULT 0,
    note       TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    UNIQUE (article_id, language, version)
);

-- Files of an article (attachments and inline images) in the blob store.
CREATE TABLE kb_files (
    id           INTEGER PRIMARY KEY,
    article_id   BIGINT NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    created_by   BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL
);
CREATE INDEX kb_files_article ON kb_files(article_id);

-- "Was this helpful?" answers from the help center.
CREATE TABLE kb_feedback (
    id         INTEGER PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
    language   TEXT NOT NULL,
    helpful    BOOLEAN NOT NULL,
    comment    TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX kb_feedback_article ON kb_feedback(article_id);

-- An article inserted into a reply on a ticket (kind: link or text).
CREATE TABLE kb_usage (
    id         INTEGER PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
    ticket_id  BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    agent_id   BIGINT NOT NULL DEFAULT 0,
    kind       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX kb_usage_article ON kb_usage(article_id, created_at);

-- The help center's branding and languages (one row).
CREATE TABLE kb_settings (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    name              TEXT NOT NULL DEFAULT '',
    logo_url          TEXT NOT NULL DEFAULT '',
    color             TEXT NOT NULL DEFAULT '',
    accent            TEXT NOT NULL DEFAULT '',
    custom_css        TEXT NOT NULL DEFAULT '',
    fallback_language TEXT NOT NULL DEFAULT 'en',
    updated_at        BIGINT NOT NULL DEFAULT 0
);

-- Article search: FTS5 over title and text with the Unicode tokenizer
-- (diacritics folded) and prefix indexes so "retu" finds "returns".
CREATE VIRTUAL TABLE kb_fts USING fts5(title, body_text, content='kb_translations', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2', prefix='2 3');
CREATE TRIGGER kb_translations_ai AFTER INSERT ON kb_translations BEGIN
    INSERT INTO kb_fts(rowid, title, body_text) VALUES (new.id, new.title, new.body_text);
END;
CREATE TRIGGER kb_translations_ad AFTER DELETE ON kb_translations BEGIN
    INSERT INTO kb_fts(kb_fts, rowid, title, body_text) VALUES ('delete', old.id, old.title, old.body_text);
END;
CREATE TRIGGER kb_translations_au AFTER UPDATE OF title, body_text ON kb_translations BEGIN
    INSERT INTO kb_fts(kb_fts, rowid, title, body_text) VALUES ('delete', old.id, old.title, old.body_text);
    INSERT INTO kb_fts(rowid, title, body_text) VALUES (new.id, new.title, new.body_text);
END;
