-- Satisfaction surveys (CSAT, docs/csat.md). One settings row; one survey
-- per ticket, whose latest answer is kept here for the ticket page while
-- the ticket's events (csat_requested, csat_rated) stay the history that
-- reports and triggers read.
CREATE TABLE csat_settings (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    enabled       BOOLEAN NOT NULL DEFAULT FALSE,
    delay_minutes INTEGER NOT NULL DEFAULT 1440,
    scale         TEXT NOT NULL DEFAULT 'good_bad' CHECK (scale IN ('good_bad', 'five')),
    channel       TEXT NOT NULL DEFAULT 'email',
    throttle_days INTEGER NOT NULL DEFAULT 0,
    updated_at    BIGINT NOT NULL DEFAULT 0
);

-- score 0: not answered yet. agent_id is the assignee at rating time.
CREATE TABLE csat_surveys (
    id           INTEGER PRIMARY KEY,
    ticket_id    BIGINT NOT NULL UNIQUE REFERENCES tickets(id) ON DELETE CASCADE,
    customer_id  BIGINT NOT NULL,
    channel      TEXT NOT NULL,
    language     TEXT NOT NULL DEFAULT '',
    scale        TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    score        INTEGER NOT NULL DEFAULT 0,
    comment      TEXT NOT NULL DEFAULT '',
    rated_at     BIGINT,
    agent_id     BIGINT NOT NULL DEFAULT 0
);
-- The throttle: was this customer surveyed lately?
CREATE INDEX csat_surveys_customer ON csat_surveys(customer_id, requested_at);

-- The csat fact's roll-up columns (report package: rated, good), in every
-- roll-up table. No rebuild: no ticket has a rating before this migration.
ALTER TABLE report_hourly ADD COLUMN csat_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN csat_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN csat_b BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN csat_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN csat_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN csat_b BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN csat_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN csat_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN csat_b BIGINT NOT NULL DEFAULT 0;
