-- A search's requester lookup (a name shared by hundreds of customers, as
-- a first name is at a million tickets) takes the newest tickets of those
-- customers by id. tickets_requester orders each customer's tickets by
-- created_at, so the newest by id meant reading and sorting every ticket
-- of every named customer (≈ 20,000 at 1M tickets). Ordered by id, a
-- window of the newest ids is one seek per customer (internal/ticket
-- lookupwindow.go).
CREATE INDEX tickets_requester_id ON tickets(requester_id, id);
