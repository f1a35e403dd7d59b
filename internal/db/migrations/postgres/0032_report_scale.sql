-- Reports at scale (issue 13): every dashboard filter on one dimension reads
-- roll-ups, never the facts of the matching tickets.
--
-- Facts carry the ticket's tags (sorted, space-separated: a tag has no
-- spaces), so a tag change is part of the difference the refresher applies,
-- like a team or organization change.
ALTER TABLE report_facts ADD COLUMN tags TEXT NOT NULL DEFAULT '';

-- One wide row per UTC day and dimension value, beside the hourly ones: a
-- period reads whole days here and only its partial days' hours from
-- report_hourly(_dim), so a year is 365 rows per value, not 8,760. dim ''
-- (value '') is the unfiltered total; the other dims are those of
-- report_hourly_dim: team, agent, channel, priority, type, and now tag (one
-- row per tag of the ticket), organization and language.
CREATE TABLE report_daily_dim (
    dim   TEXT NOT NULL,
    value TEXT NOT NULL,
    day   BIGINT NOT NULL,
    n     BIGINT NOT NULL DEFAULT 0,
    created_n BIGINT NOT NULL DEFAULT 0, created_t BIGINT NOT NULL DEFAULT 0, created_b BIGINT NOT NULL DEFAULT 0,
    first_reply_n BIGINT NOT NULL DEFAULT 0, first_reply_t BIGINT NOT NULL DEFAULT 0, first_reply_b BIGINT NOT NULL DEFAULT 0,
    next_reply_n BIGINT NOT NULL DEFAULT 0, next_reply_t BIGINT NOT NULL DEFAULT 0, next_reply_b BIGINT NOT NULL DEFAULT 0,
    reply_n BIGINT NOT NULL DEFAULT 0, reply_t BIGINT NOT NULL DEFAULT 0, reply_b BIGINT NOT NULL DEFAULT 0,
    solved_n BIGINT NOT NULL DEFAULT 0, solved_t BIGINT NOT NULL DEFAULT 0, solved_b BIGINT NOT NULL DEFAULT 0,
    requester_wait_n BIGINT NOT NULL DEFAULT 0, requester_wait_t BIGINT NOT NULL DEFAULT 0, requester_wait_b BIGINT NOT NULL DEFAULT 0,
    on_hold_n BIGINT NOT NULL DEFAULT 0, on_hold_t BIGINT NOT NULL DEFAULT 0, on_hold_b BIGINT NOT NULL DEFAULT 0,
    replies_n BIGINT NOT NULL DEFAULT 0, replies_t BIGINT NOT NULL DEFAULT 0, replies_b BIGINT NOT NULL DEFAULT 0,
    one_touch_n BIGINT NOT NULL DEFAULT 0, one_touch_t BIGINT NOT NULL DEFAULT 0, one_touch_b BIGINT NOT NULL DEFAULT 0,
    solved_reopened_n BIGINT NOT NULL DEFAULT 0, solved_reopened_t BIGINT NOT NULL DEFAULT 0, solved_reopened_b BIGINT NOT NULL DEFAULT 0,
    reopen_n BIGINT NOT NULL DEFAULT 0, reopen_t BIGINT NOT NULL DEFAULT 0, reopen_b BIGINT NOT NULL DEFAULT 0,
    backlog_n BIGINT NOT NULL DEFAULT 0, backlog_t BIGINT NOT NULL DEFAULT 0, backlog_b BIGINT NOT NULL DEFAULT 0,
    sla_first_reply_n BIGINT NOT NULL DEFAULT 0, sla_first_reply_t BIGINT NOT NULL DEFAULT 0, sla_first_reply_b BIGINT NOT NULL DEFAULT 0,
    sla_next_reply_n BIGINT NOT NULL DEFAULT 0, sla_next_reply_t BIGINT NOT NULL DEFAULT 0, sla_next_reply_b BIGINT NOT NULL DEFAULT 0,
    sla_periodic_update_n BIGINT NOT NULL DEFAULT 0, sla_periodic_update_t BIGINT NOT NULL DEFAULT 0, sla_periodic_update_b BIGINT NOT NULL DEFAULT 0,
    sla_resolution_n BIGINT NOT NULL DEFAULT 0, sla_resolution_t BIGINT NOT NULL DEFAULT 0, sla_resolution_b BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (dim, value, day)
);
CREATE INDEX report_daily_dim_day ON report_daily_dim(dim, day);

-- Histograms of durations for approximate medians (docs/metrics.md): per
-- UTC day, dimension value (dim '' for all) and metric (first_reply,
-- solved; with a _b suffix in business seconds), n values and their counts
-- per logarithmic bucket, encoded "bucket:count …" in bucket order.
CREATE TABLE report_hist (
    dim    TEXT NOT NULL,
    value  TEXT NOT NULL,
    metric TEXT NOT NULL,
    day    BIGINT NOT NULL,
    n      BIGINT NOT NULL,
    counts TEXT NOT NULL,
    PRIMARY KEY (dim, value, metric, day)
);
CREATE INDEX report_hist_day ON report_hist(day);

-- The new dimensions and tables are derived from the log again: the
-- refresher recomputes every ticket in the background (dashboards show
-- "updating" meanwhile), exactly as `ombud report rebuild` would.
DELETE FROM report_facts;
DELETE FROM report_hourly;
DELETE FROM report_hourly_dim;
INSERT INTO report_dirty (ticket_id, gen) SELECT id, 1 FROM tickets WHERE true
    ON CONFLICT (ticket_id) DO UPDATE SET gen = report_dirty.gen + 1;
