-- Reporting. Metrics are derived from the ticket event log in two steps:
-- each ticket's log becomes "facts" (one row per measurement: a first
-- reply and its duration, a solve, a reopen, an SLA target met …), and the
-- facts are summed into hourly roll-ups that dashboards read. A ticket whose
-- log grows is marked dirty in the same transaction; the refresher
-- recomputes its facts and applies the difference to the roll-ups.

-- Tickets whose facts are stale. gen changes on every mark, so a refresh
-- deletes the row only if no event arrived while it worked.
CREATE TABLE report_dirty (
    ticket_id BIGINT PRIMARY KEY,
    gen       BIGINT NOT NULL DEFAULT 1
);

-- One measurement. value is seconds of calendar time (or a count),
-- bvalue the same duration in business hours. The dimensions are the
-- ticket's current ones, except agent_id, which is the agent credited
-- with the measurement (the replier for replies, else the assignee).
CREATE TABLE report_facts (
    ticket_id       BIGINT NOT NULL,
    kind            TEXT NOT NULL,
    n               INTEGER NOT NULL,
    at              BIGINT NOT NULL,
    hour            BIGINT NOT NULL,
    team_id         BIGINT NOT NULL DEFAULT 0,
    agent_id        BIGINT NOT NULL DEFAULT 0,
    channel         TEXT NOT NULL,
    priority        TEXT NOT NULL,
    type            TEXT NOT NULL,
    organization_id BIGINT NOT NULL DEFAULT 0,
    language        TEXT NOT NULL DEFAULT '',
    value           BIGINT NOT NULL DEFAULT 0,
    bvalue          BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (ticket_id, kind, n)
);
-- Periods and dimension filters read this one without touching the table
-- (it covers every column they use).
CREATE INDEX report_facts_kind_at ON report_facts(kind, at, team_id, agent_id, channel, priority, type, value, bvalue);
-- Medians walk these in value order within a kind.
CREATE INDEX report_facts_kind_value ON report_facts(kind, value, at);
CREATE INDEX report_facts_kind_bvalue ON report_facts(kind, bvalue, at);

-- Roll-ups: per UTC hour (any whole-hour time zone's days are exact sums of
-- hours), one wide row per hour with a column triple per fact kind —
-- facts counted (_n), their values summed (_t) and their business values
-- summed (_b) — so a year is 8,760 rows to sum, not one row per kind.
-- n counts all facts in the row; a row whose n falls to 0 is deleted.
-- report_hourly has no dimensions: the unfiltered overview.
-- report_hourly_dim has one row per hour and dimension value (dim is team,
-- agent, channel, priority or type): a filter on one dimension or a table
-- by one reads it. Several dimensions at once, tags, organizations and
-- languages read the facts.
CREATE TABLE report_hourly (
    hour BIGINT PRIMARY KEY,
    n    BIGINT NOT NULL DEFAULT 0,
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
    sla_resolution_n BIGINT NOT NULL DEFAULT 0, sla_resolution_t BIGINT NOT NULL DEFAULT 0, sla_resolution_b BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE report_hourly_dim (
    dim   TEXT NOT NULL,
    value TEXT NOT NULL,
    hour  BIGINT NOT NULL,
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
    PRIMARY KEY (dim, value, hour)
);
CREATE INDEX report_hourly_dim_hour ON report_hourly_dim(dim, hour);

-- Targets a manager sets per team (team_id 0: the whole support team).
CREATE TABLE report_goals (
    id         BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    team_id    BIGINT NOT NULL DEFAULT 0,
    metric     TEXT NOT NULL,
    op         TEXT NOT NULL CHECK (op IN ('<=', '>=')),
    target     DOUBLE PRECISION NOT NULL,
    created_by BIGINT REFERENCES agents(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (team_id, metric)
);

-- Weekly or monthly summary mails (team_id 0: every team).
CREATE TABLE report_subscriptions (
    id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    agent_id    BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    frequency   TEXT NOT NULL CHECK (frequency IN ('weekly', 'monthly')),
    team_id     BIGINT NOT NULL DEFAULT 0,
    last_period TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    UNIQUE (agent_id, frequency, team_id)
);

-- Facts of a ticket merged away are computed from the events it took along.
CREATE INDEX ticket_events_origin ON ticket_events(origin_ticket_id) WHERE origin_ticket_id IS NOT NULL;
