-- Feedback analysis (docs/feedback.md): topics on survey comments (CSAT
-- comments and NPS reasons), from keyword rules per language or by hand;
-- and the revocable read-only links to the insights page.
CREATE TABLE feedback_rules (
    id         INTEGER PRIMARY KEY,
    topic      TEXT NOT NULL,
    keywords   TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- rule_id 0: tagged by hand (tagged_by names the lead); otherwise the rule
-- that matched, whose tags are replaced when rules are applied again.
CREATE TABLE feedback_tags (
    source     TEXT NOT NULL CHECK (source IN ('csat', 'nps')),
    item_id    BIGINT NOT NULL,
    topic      TEXT NOT NULL,
    rule_id    BIGINT NOT NULL DEFAULT 0,
    tagged_by  BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (source, item_id, topic)
);
CREATE INDEX feedback_tags_topic ON feedback_tags(topic, source);

CREATE TABLE feedback_shares (
    id         INTEGER PRIMARY KEY,
    label      TEXT NOT NULL DEFAULT '',
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
