-- A clock running past its target now keeps its due time in
-- sla_ticket_state (the ticket lists' "SLA due" reads it, sla.DueTimes).
-- Rows written before have none until their ticket changes: queue one
-- background recompute of every ticket's clock state when such rows exist.
INSERT INTO jobs (kind, idem_key, payload, state, run_at, created_at, updated_at)
SELECT 'sla.recompute', '', '{}', 'queued', 0, 0, 0
WHERE EXISTS (SELECT 1 FROM sla_ticket_state WHERE status = 'breached' AND due_at IS NULL);
