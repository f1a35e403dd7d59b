-- Live chat files and proactive invitations (internal/chat, docs/chat.md).

-- A chat message may carry one file: the ticket comment's attachment
-- (content-addressed in the blob store). The widget's upload limits are
-- settings: allowed kinds (image, pdf, text) and the largest size in MB.
ALTER TABLE chat_messages ADD COLUMN attachment_id BIGINT;
ALTER TABLE chat_settings ADD COLUMN upload_types TEXT NOT NULL DEFAULT 'image,pdf,text';
ALTER TABLE chat_settings ADD COLUMN upload_max_mb INTEGER NOT NULL DEFAULT 10;

-- Proactive invitation rules: the widget evaluates them on the visitor's
-- page (time on page, URL glob, returning visitor, cart value, language)
-- and opens with the rule's message in the visitor's language (messages:
-- a JSON object language → text). shown, dismissed and accepted count
-- what visitors did with it.
CREATE TABLE chat_invitations (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    enabled         BOOLEAN NOT NULL DEFAULT TRUE,
    min_seconds     INTEGER NOT NULL DEFAULT 0,
    url_pattern     TEXT NOT NULL DEFAULT '',
    returning_only  BOOLEAN NOT NULL DEFAULT FALSE,
    min_cart        REAL NOT NULL DEFAULT 0,
    language        TEXT NOT NULL DEFAULT '',
    messages        TEXT NOT NULL DEFAULT '{}',
    shown           BIGINT NOT NULL DEFAULT 0,
    dismissed       BIGINT NOT NULL DEFAULT 0,
    accepted        BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
