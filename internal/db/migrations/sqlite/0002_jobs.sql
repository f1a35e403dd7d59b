-- Durable job queue (outbox). Side effects are written here in the same
-- transaction as the change that causes them; internal/jobs claims and runs
-- them. Times are BIGINT milliseconds since the Unix epoch (UTC).

CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    -- Idempotency key, unique per kind; '' means none.
    idem_key     TEXT NOT NULL DEFAULT '',
    payload      TEXT NOT NULL DEFAULT '{}',
    state        TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued','running','done','dead')),
    run_at       BIGINT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 8,
    last_error   TEXT NOT NULL DEFAULT '',
    lease_owner  TEXT NOT NULL DEFAULT '',
    lease_until  BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    done_at      BIGINT
);
-- Dedupe: a second enqueue with the same kind and key does nothing.
CREATE UNIQUE INDEX jobs_kind_key ON jobs(kind, idem_key) WHERE idem_key <> '';
-- Claiming due jobs in order.
CREATE INDEX jobs_due ON jobs(run_at, id) WHERE state = 'queued';
-- Finding expired leases of crashed instances.
CREATE INDEX jobs_lease ON jobs(lease_until) WHERE state = 'running';
-- Admin listing by state, newest first.
CREATE INDEX jobs_state_id ON jobs(state, id);
-- Cleanup of old finished jobs.
CREATE INDEX jobs_done_at ON jobs(done_at) WHERE state = 'done';
