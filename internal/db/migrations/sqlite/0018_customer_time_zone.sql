-- A customer's time zone (IANA name, '' when unknown), so the agent sees
-- the customer's local time beside the ticket before calling back.
ALTER TABLE customers ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
