-- Optional spam guards of the web form (internal/portal/guard.go): a
-- proof-of-work puzzle the sender's browser solves, and a CAPTCHA
-- provider's verification endpoint. A solved puzzle is spent once.
ALTER TABLE webform_settings ADD COLUMN pow_bits INTEGER NOT NULL DEFAULT 0;
ALTER TABLE webform_settings ADD COLUMN captcha_url TEXT NOT NULL DEFAULT '';
ALTER TABLE webform_settings ADD COLUMN captcha_secret TEXT NOT NULL DEFAULT '';
CREATE TABLE webform_pow_spent (
    challenge  TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
CREATE INDEX webform_pow_spent_expires ON webform_pow_spent (expires_at);
