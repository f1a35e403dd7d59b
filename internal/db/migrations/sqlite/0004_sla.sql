-- SLA: business calendars, SLA policies, and the per-ticket clock state the
-- SLA sweep keeps. A ticket's SLA is computed from its event log; the state
-- rows only say when each ticket next needs a look and which warnings and
-- breaches were already recorded (so the sweep is idempotent), and carry the
-- due time lists sort and filter by. Times are BIGINT milliseconds since the
-- Unix epoch (UTC).

CREATE TABLE business_calendars (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    time_zone  TEXT NOT NULL,
    schedule   TEXT NOT NULL DEFAULT '{}',
    holidays   TEXT NOT NULL DEFAULT '[]',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE sla_policies (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    conditions  TEXT NOT NULL DEFAULT '[]',
    targets     TEXT NOT NULL DEFAULT '{}',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX sla_policies_position ON sla_policies(position, id);

-- The calendars a policy's targets use, so a calendar in use cannot be deleted.
CREATE TABLE sla_policy_calendars (
    policy_id   BIGINT NOT NULL REFERENCES sla_policies(id) ON DELETE CASCADE,
    calendar_id BIGINT NOT NULL REFERENCES business_calendars(id),
    PRIMARY KEY (policy_id, calendar_id)
);
CREATE INDEX sla_policy_calendars_calendar ON sla_policy_calendars(calendar_id);

-- One row per ticket, metric and episode (the sequence number of the event
-- that started it). policy_id has no foreign key: a policy deleted while a
-- ticket change refreshes its rows must not fail that change; the
-- recompute job rewrites the rows.
CREATE TABLE sla_ticket_state (
    ticket_id   BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    metric      TEXT NOT NULL CHECK (metric IN ('first_reply','next_reply','periodic_update','resolution')),
    episode     BIGINT NOT NULL,
    policy_id   BIGINT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('active','paused','achieved','breached')),
    -- When the target is reached while the clock runs; NULL otherwise.
    due_at      BIGINT,
    -- When 75% of the target is reached while the clock runs.
    warn_at     BIGINT,
    -- When the sweep must next look at this row; NULL when nothing can
    -- happen without a ticket change.
    check_at    BIGINT,
    -- When the sweep recorded the warning, and the breach moment once it
    -- recorded the breach: each at most once per episode.
    warned_at   BIGINT,
    breached_at BIGINT,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, metric, episode)
);
CREATE INDEX sla_ticket_state_check ON sla_ticket_state(check_at) WHERE check_at IS NOT NULL;
CREATE INDEX sla_ticket_state_due ON sla_ticket_state(due_at) WHERE due_at IS NOT NULL;
