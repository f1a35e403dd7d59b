-- NPS campaigns (docs/feedback.md). One settings row (the throttle across
-- campaigns); campaigns with their segment, schedule and question per
-- language; one send per customer and campaign run, whose latest answer
-- (score 0-10, -1 before any, and a reason) is kept on the row: an answer
-- can change, and reports count each send once with its latest score.
CREATE TABLE nps_settings (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    throttle_days INTEGER NOT NULL DEFAULT 90,
    updated_at    BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE nps_campaigns (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    organization_id BIGINT NOT NULL DEFAULT 0,
    tag             TEXT NOT NULL DEFAULT '',
    contact_days    INTEGER NOT NULL DEFAULT 0,
    language        TEXT NOT NULL DEFAULT '',
    start_at        BIGINT NOT NULL,
    repeat_days     INTEGER NOT NULL DEFAULT 0,
    next_run_at     BIGINT,
    last_run_at     BIGINT,
    questions       TEXT NOT NULL DEFAULT '{}',
    created_by      BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX nps_campaigns_due ON nps_campaigns(next_run_at);

CREATE TABLE nps_sends (
    id              INTEGER PRIMARY KEY,
    campaign_id     BIGINT NOT NULL REFERENCES nps_campaigns(id) ON DELETE CASCADE,
    run_at          BIGINT NOT NULL,
    customer_id     BIGINT NOT NULL,
    organization_id BIGINT NOT NULL DEFAULT 0,
    language        TEXT NOT NULL,
    sent_at         BIGINT NOT NULL,
    score           INTEGER NOT NULL DEFAULT -1 CHECK (score >= -1 AND score <= 10),
    reason          TEXT NOT NULL DEFAULT '',
    answered_at     BIGINT,
    UNIQUE (campaign_id, run_at, customer_id)
);
-- The throttle: was this customer surveyed lately?
CREATE INDEX nps_sends_customer ON nps_sends(customer_id, sent_at);
CREATE INDEX nps_sends_answered ON nps_sends(answered_at);
CREATE INDEX nps_sends_sent ON nps_sends(sent_at);
