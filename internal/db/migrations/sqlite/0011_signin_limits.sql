-- Sign-in attempt counters, shared by every ombud process on the database
-- so running several instances does not multiply the limits. A bucket is
-- the SHA-256 of its kind, the typed email and the client address (no
-- emails or addresses are stored). Counting rows hold the attempts in the
-- window that started at window_start; "known address" rows remember where
-- an account last signed in (attempts 0). Rows past expires_at are pruned.
CREATE TABLE signin_limits (
    bucket       TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    attempts     INTEGER NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX signin_limits_expires ON signin_limits(expires_at);
