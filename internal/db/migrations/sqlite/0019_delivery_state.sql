-- Delivery state of outbound replies, shown on each message and in the
-- ticket list. state stays queued → sent | failed; these columns say the
-- rest: why it failed (a reason code the UI puts in words, beside the raw
-- last_error), what a delivery status notification reported afterwards,
-- how often an agent retried it, and the reply that replaced it.
ALTER TABLE outbound_emails ADD COLUMN reason TEXT NOT NULL DEFAULT '';
-- '' (no report), 'delivered', 'delayed' or 'bounced'.
ALTER TABLE outbound_emails ADD COLUMN dsn TEXT NOT NULL DEFAULT '';
ALTER TABLE outbound_emails ADD COLUMN resends INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbound_emails ADD COLUMN failed_at BIGINT;
-- The comment sent instead ("edit and resend").
ALTER TABLE outbound_emails ADD COLUMN superseded_by BIGINT;
-- The ticket list's marker and the search term delivery:failed: tickets
-- with a reply that was not delivered and not replaced (found through the
-- comment, which a merge moves). The index holds only those rows, so both
-- lookups stay cheap however much mail was sent; each state change updates
-- it in the change's own transaction.
CREATE INDEX outbound_emails_undelivered ON outbound_emails(comment_id) WHERE state = 'failed' AND superseded_by IS NULL;
