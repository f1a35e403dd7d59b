-- Idempotency-Key on the API's POST routes (docs/api.md): the first answer
-- to a key is kept for a day, and a retry with the same key and the same
-- request gets it again instead of doing the work twice.
--
-- status is 0 while the first request runs; request_hash is the SHA-256 of
-- method, path and body, so a key reused for another request is refused.
CREATE TABLE idempotency_keys (
    agent_id     BIGINT NOT NULL,
    idem_key     TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0,
    content_type TEXT NOT NULL DEFAULT '',
    location     TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (agent_id, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
