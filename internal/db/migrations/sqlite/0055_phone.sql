-- The phone channel (internal/channel/phone, docs/phone.md): integrations
-- a telephony provider posts call events to, signed with the integration's
-- secret (sealed like other stored credentials), the calls they report and
-- the (call, event) pairs already applied, so a retried event is a no-op.

CREATE TABLE phone_integrations (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL UNIQUE,
    secret           TEXT NOT NULL,
    default_country  TEXT NOT NULL DEFAULT '',
    call_url         TEXT NOT NULL DEFAULT '',
    team_id          BIGINT REFERENCES teams(id) ON DELETE SET NULL,
    active           BOOLEAN NOT NULL DEFAULT TRUE,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);

-- state: ringing (started), answered, ended, missed.
CREATE TABLE phone_calls (
    id               INTEGER PRIMARY KEY,
    integration_id   BIGINT NOT NULL REFERENCES phone_integrations(id) ON DELETE CASCADE,
    call_id          TEXT NOT NULL,
    ticket_id        BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    customer_id      BIGINT NOT NULL,
    agent_id         BIGINT REFERENCES agents(id) ON DELETE SET NULL,
    from_number      TEXT NOT NULL,
    to_number        TEXT NOT NULL DEFAULT '',
    state            TEXT NOT NULL CHECK (state IN ('ringing', 'answered', 'ended', 'missed')),
    started_at       BIGINT NOT NULL,
    duration_s       INTEGER NOT NULL DEFAULT 0,
    recording_url    TEXT NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    UNIQUE (integration_id, call_id)
);
CREATE INDEX phone_calls_ticket ON phone_calls(ticket_id);

CREATE TABLE phone_call_events (
    integration_id   BIGINT NOT NULL REFERENCES phone_integrations(id) ON DELETE CASCADE,
    call_id          TEXT NOT NULL,
    event            TEXT NOT NULL,
    received_at      BIGINT NOT NULL,
    PRIMARY KEY (integration_id, call_id, event)
);
