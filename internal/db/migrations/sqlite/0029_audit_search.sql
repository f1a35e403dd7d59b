-- Audit log search and retention.
--
-- user_agent: the request's User-Agent, cut short; actor_name: the actor's
-- name when the row was written, so a row still names a deleted or renamed
-- agent. ip (0001) is now filled from the request for every row written
-- during a request. The indexes serve the audit page's filters, each
-- newest first.
ALTER TABLE audit_log ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN actor_name TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_log_at_id ON audit_log(at, id);
CREATE INDEX audit_log_actor ON audit_log(actor_id, at);
CREATE INDEX audit_log_action ON audit_log(action, at);
CREATE INDEX audit_log_target ON audit_log(target, at);
CREATE INDEX audit_log_ip ON audit_log(ip, at);
DROP INDEX audit_log_at;

-- One row: how many days audit rows are kept (0 = forever).
CREATE TABLE audit_settings (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    retention_days INTEGER NOT NULL DEFAULT 365,
    updated_at     BIGINT NOT NULL DEFAULT 0
);
INSERT INTO audit_settings (id, retention_days, updated_at) VALUES (1, 365, 0);
