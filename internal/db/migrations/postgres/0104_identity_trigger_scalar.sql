-- customer_identities_requester_sync (0098) compared the tickets'
-- requester_id with ANY of an array of one or two customer ids. PL/pgSQL
-- caches a statement's generic plan only when it does not look costlier
-- than the plans made for the values, and a generic "= ANY (array)" is
-- estimated at several customers' tickets, so the UPDATE was planned again
-- on every identity written: a new customer's email identity, which every
-- ticket create from a new requester writes and which has no tickets yet,
-- cost about 0.2 ms of PostgreSQL CPU for an UPDATE of no rows (half of the
-- requester's resolve statement). One UPDATE per customer id compared with
-- "=" keeps its generic plan; what the trigger writes is unchanged.
CREATE OR REPLACE FUNCTION customer_identities_requester_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        UPDATE tickets SET requester_email = COALESCE((SELECT ri.value FROM customer_identities ri
                WHERE ri.customer_id = tickets.requester_id AND ri.type = 'email'
                ORDER BY ri.is_primary DESC, ri.id LIMIT 1), '')
        WHERE requester_id = NEW.customer_id AND requester_name IS NOT NULL;
    END IF;
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.customer_id IS DISTINCT FROM NEW.customer_id) THEN
        UPDATE tickets SET requester_email = COALESCE((SELECT ri.value FROM customer_identities ri
                WHERE ri.customer_id = tickets.requester_id AND ri.type = 'email'
                ORDER BY ri.is_primary DESC, ri.id LIMIT 1), '')
        WHERE requester_id = OLD.customer_id AND requester_name IS NOT NULL;
    END IF;
    RETURN NULL;
END
$$;

-- A ticket insert that brings the requester's copy (every create and
-- import does) left tickets_requester_fill nothing to do but return NEW:
-- the trigger's WHEN now says so, sparing a PL/pgSQL call per insert
-- (≈ 1 % of PostgreSQL's CPU per create in a profile). Inserts without the
-- copy are filled as before.
DROP TRIGGER tickets_requester_bi ON tickets;
CREATE TRIGGER tickets_requester_bi BEFORE INSERT ON tickets FOR EACH ROW
    WHEN (NEW.requester_name IS NULL) EXECUTE FUNCTION tickets_requester_fill();
