-- Feedback and quality as report facts (docs/metrics.md, "Feedback and
-- quality facts"): CSAT surveys sent (response rate), QA reviews (IQS), NPS
-- answers and sends. Their roll-up columns in every roll-up table; the NPS
-- sends whose facts are stale (report_dirty_nps, as report_dirty for
-- tickets); and the backfill: each submitted QA review becomes a
-- qa_reviewed event of its ticket (with its current score), and every
-- ticket with a survey or a review and every NPS send is marked dirty, so
-- the refresher derives their facts on its first run.

ALTER TABLE report_hourly ADD COLUMN csat_survey_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN csat_survey_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN csat_survey_b BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN csat_survey_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN csat_survey_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN csat_survey_b BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN csat_survey_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN csat_survey_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN csat_survey_b BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN iqs_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN iqs_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN iqs_b BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN iqs_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN iqs_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN iqs_b BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN iqs_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN iqs_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN iqs_b BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN nps_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN nps_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN nps_b BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN nps_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN nps_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN nps_b BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN nps_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN nps_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN nps_b BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN nps_sent_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN nps_sent_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN nps_sent_b BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN nps_sent_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN nps_sent_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_hourly_dim ADD COLUMN nps_sent_b BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN nps_sent_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN nps_sent_t BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_daily_dim ADD COLUMN nps_sent_b BIGINT NOT NULL DEFAULT 0;

CREATE TABLE report_dirty_nps (
    send_id BIGINT PRIMARY KEY,
    gen     BIGINT NOT NULL DEFAULT 1
);

INSERT INTO ticket_events (ticket_id, seq, type, actor_type, actor_id, at, data)
SELECT r.ticket_id,
       (SELECT COALESCE(MAX(e.seq), 0) FROM ticket_events e WHERE e.ticket_id = r.ticket_id)
           + ROW_NUMBER() OVER (PARTITION BY r.ticket_id ORDER BY r.id),
       'qa_reviewed', 'agent', r.reviewer_id, r.submitted_at,
       json_object('review_id', r.id, 'score', CAST(ROUND(r.score * 100) AS INTEGER), 'critical_failed', CASE WHEN r.critical_failed THEN 1 ELSE 0 END,
           'agent_id', r.agent_id, 'team_id', COALESCE(r.team_id, 0), 'reviewer_id', r.reviewer_id)
FROM qa_reviews r
WHERE r.kind = 'review' AND r.submitted_at IS NOT NULL AND r.score IS NOT NULL;

INSERT INTO report_dirty (ticket_id, gen)
SELECT DISTINCT ticket_id, 1 FROM ticket_events WHERE type IN ('qa_reviewed', 'csat_requested')
    ON CONFLICT (ticket_id) DO UPDATE SET gen = report_dirty.gen + 1;

INSERT INTO report_dirty_nps (send_id, gen) SELECT id, 1 FROM nps_sends WHERE true
    ON CONFLICT (send_id) DO NOTHING;
