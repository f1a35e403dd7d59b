-- Customer portal (internal/portal, docs/portal.md): sign-in by a
-- single-use link mailed to the customer, and portal sessions, separate
-- from agent sessions. Tokens are stored as SHA-256 only.

-- One row per link mailed; job_id makes a retried mail job replace its own
-- link rather than mint another.
CREATE TABLE portal_links (
    id          INTEGER PRIMARY KEY,
    customer_id BIGINT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    job_id      BIGINT NOT NULL UNIQUE,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    spent_at    BIGINT
);
CREATE INDEX portal_links_customer ON portal_links(customer_id, created_at);

CREATE TABLE portal_sessions (
    id          INTEGER PRIMARY KEY,
    customer_id BIGINT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX portal_sessions_customer ON portal_sessions(customer_id);

-- Link requests per client address (bucket: SHA-256 of the address),
-- pruned as new ones are written.
CREATE TABLE portal_attempts (
    id         INTEGER PRIMARY KEY,
    bucket     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX portal_attempts_bucket ON portal_attempts(bucket, created_at);

-- Requests avoided: a customer who started a new request, opened a
-- suggested article and said it answered the question.
CREATE TABLE portal_deflections (
    id          INTEGER PRIMARY KEY,
    customer_id BIGINT REFERENCES customers(id) ON DELETE SET NULL,
    article_id  BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX portal_deflections_created ON portal_deflections(created_at);
