-- Which pages the chat widget appears on (URL patterns, one per line) and
-- how its pre-chat form asks for the visitor's name and topic (hidden,
-- optional or required) with the topics to choose from (JSON list of
-- {label, team_id}). One row each, edited by admins (internal/chat).
CREATE TABLE chat_page_rules (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    show_on     TEXT NOT NULL DEFAULT '',
    hide_on     TEXT NOT NULL DEFAULT '',
    updated_at  BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE chat_prechat (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    name_field   TEXT NOT NULL DEFAULT 'optional' CHECK (name_field IN ('hidden', 'optional', 'required')),
    topic_field  TEXT NOT NULL DEFAULT 'required' CHECK (topic_field IN ('hidden', 'optional', 'required')),
    topics       TEXT NOT NULL DEFAULT '[]',
    updated_at   BIGINT NOT NULL DEFAULT 0
);
