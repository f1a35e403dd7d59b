-- A search's requester lookup on PostgreSQL reads the named customers'
-- newest ticket ids from tickets_requester_id, then each kept ticket's
-- updated_at (the recency it is ranked by) by id: up to 300 tickets spread
-- over the years, a heap page each (internal/ticket/rankpgfilter.go). The
-- same index with updated_at included answers both from the index alone.
-- updated_at already sits in tickets_updated, so an update that changes it
-- is never a HOT update and writes every index entry anyway: the wider
-- entry costs 8 bytes, not another write.
CREATE INDEX tickets_requester_id_updated ON tickets(requester_id, id) INCLUDE (updated_at);
DROP INDEX tickets_requester_id;
