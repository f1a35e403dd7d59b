-- Manual adjustments to the workforce volume forecast (docs/workforce.md):
-- from from_date to to_date (inclusive, YYYY-MM-DD in the calendar's zone)
-- the channel's forecast volume changes by percent (+30 for a campaign).
CREATE TABLE wfm_adjustments (
    id         INTEGER PRIMARY KEY,
    channel    TEXT NOT NULL,
    from_date  TEXT NOT NULL,
    to_date    TEXT NOT NULL,
    percent    INTEGER NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    created_by BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX wfm_adjustments_channel ON wfm_adjustments(channel, to_date);
