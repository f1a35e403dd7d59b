-- Chat capacity per agent and chat metrics (docs/chat.md, docs/metrics.md).
-- chat_agent_limits overrides chat_settings.max_chats for one agent (no
-- row: the default). match_skills offers chats only to agents with the
-- channel:chat skill who speak the chat's language (language:xx skills).
CREATE TABLE chat_agent_limits (
    agent_id  BIGINT PRIMARY KEY REFERENCES agents(id) ON DELETE CASCADE,
    max_chats INTEGER NOT NULL CHECK (max_chats >= 1 AND max_chats <= 20)
);
ALTER TABLE chat_settings ADD COLUMN match_skills BOOLEAN NOT NULL DEFAULT FALSE;

-- The chat facts' roll-up columns (report package), in every roll-up
-- table. Chats before this migration logged no chat events: nothing to
-- rebuild.
ALTER TABLE report_hourly ADD COLUMN chat_offered_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN chat_offered_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN chat_offered_b BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN chat_offered_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN chat_offered_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN chat_offered_b BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN chat_offered_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN chat_offered_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN chat_offered_b BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN chat_accepted_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN chat_accepted_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN chat_accepted_b BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN chat_accepted_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN chat_accepted_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN chat_accepted_b BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN chat_accepted_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN chat_accepted_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN chat_accepted_b BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN chat_declined_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN chat_declined_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN chat_declined_b BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN chat_declined_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN chat_declined_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN chat_declined_b BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN chat_declined_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN chat_declined_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN chat_declined_b BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN chat_missed_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN chat_missed_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN chat_missed_b BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN chat_missed_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN chat_missed_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN chat_missed_b BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN chat_missed_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN chat_missed_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN chat_missed_b BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN chat_wait_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN chat_wait_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN chat_wait_b BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN chat_wait_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN chat_wait_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN chat_wait_b BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN chat_wait_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN chat_wait_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN chat_wait_b BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN chat_duration_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN chat_duration_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN chat_duration_b BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN chat_duration_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN chat_duration_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN chat_duration_b BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN chat_duration_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN chat_duration_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN chat_duration_b BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN chat_abandoned_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN chat_abandoned_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN chat_abandoned_b BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN chat_abandoned_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN chat_abandoned_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN chat_abandoned_b BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN chat_abandoned_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN chat_abandoned_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN chat_abandoned_b BIGINT NOT NULL DEFAULT 0;
