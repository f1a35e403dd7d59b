-- Password reset links sent by email. Only the SHA-256 of a link's random
-- 256-bit token is stored. A row is written by the job that mails the link
-- (job_id, so a retried job replaces its own link instead of adding one),
-- is used once, expires, and is spent by any change of the password.
CREATE TABLE password_resets (
    id         INTEGER PRIMARY KEY,
    agent_id   BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    job_id     BIGINT NOT NULL UNIQUE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    spent_at   BIGINT
);
CREATE INDEX password_resets_agent ON password_resets(agent_id, created_at);

-- Attempts the password pages limit: reset requests per client address
-- (bucket: SHA-256 of the address) and current-password checks per agent
-- (a row is taken before the check and given back when it succeeds).
-- Rows older than the window are pruned as new ones are written.
CREATE TABLE password_attempts (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    bucket     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX password_attempts_bucket ON password_attempts(kind, bucket, created_at);
CREATE INDEX password_attempts_created ON password_attempts(created_at);
