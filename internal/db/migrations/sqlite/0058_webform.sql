-- The web form API (internal/portal, docs/portal.md): a company's own site
-- posts requests to /forms/request. One settings row, edited by admins.
CREATE TABLE webform_settings (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    enabled         BOOLEAN NOT NULL DEFAULT FALSE,
    allowed_origins TEXT NOT NULL DEFAULT '',
    updated_at      BIGINT NOT NULL DEFAULT 0
);
