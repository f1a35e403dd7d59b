-- Webhook subscriptions (docs/webhooks.md): an integration subscribes to
-- event types; each event that happens is written as a delivery in the
-- transaction of the change (so it exists if and only if the change
-- committed) and sent by a job, with every attempt logged.
--
-- url and secret are sealed with the secret package (purposes
-- "webhook_subscriptions.url" and "webhook_subscriptions.secret");
-- url_hint is the masked URL shown to those who may not see it.
-- failures counts consecutive failed attempts; at the limit the
-- subscription is switched off with disabled_reason set.
CREATE TABLE webhook_subscriptions (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    url             TEXT NOT NULL,
    url_hint        TEXT NOT NULL,
    secret          TEXT NOT NULL,
    events          TEXT NOT NULL,
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    disabled_reason TEXT NOT NULL DEFAULT '',
    failures        INTEGER NOT NULL DEFAULT 0,
    created_by      BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

-- One event for one subscription. state: pending, delivered, failed
-- (every attempt used). payload is the exact JSON body sent each time.
CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    subscription_id BIGINT NOT NULL REFERENCES webhook_subscriptions(id) ON DELETE CASCADE,
    event_type      TEXT NOT NULL,
    ticket_id       BIGINT,
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_status     INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    replay_of       BIGINT,
    created_at      BIGINT NOT NULL,
    finished_at     BIGINT
);
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries(subscription_id, id);
CREATE INDEX webhook_deliveries_created ON webhook_deliveries(created_at);

-- Every attempt: the receiver's status code (0 when none came), the error,
-- the start of its answer and how long it took.
CREATE TABLE webhook_attempts (
    id          INTEGER PRIMARY KEY,
    delivery_id BIGINT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    at          BIGINT NOT NULL,
    status      INTEGER NOT NULL,
    error       TEXT NOT NULL DEFAULT '',
    response    TEXT NOT NULL DEFAULT '',
    duration_ms INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts(delivery_id, id);
