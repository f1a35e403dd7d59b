-- The requester's name and first email kept on the ticket row, for list
-- pages and ticket reads (internal/ticket/read.go): a page of 50 read the
-- customer's row and the customer's first email identity for every row. The
-- copy is kept by the triggers below in the transaction of every write that
-- changes what it shows: a customer's name, an email identity added,
-- changed, made primary, moved to another customer (merge) or removed, a
-- ticket's requester, a customer deleted. requester_name NULL means "not
-- kept": the reads then fall back to the subqueries, so a NULL is never
-- wrong, only slower. requester_email is '' for a requester without email.
ALTER TABLE tickets ADD COLUMN requester_name TEXT;
ALTER TABLE tickets ADD COLUMN requester_email TEXT;
-- SQLite keeps the ticket's tags and followers in these (see its 0098). On
-- PostgreSQL they stay NULL, "not kept", and the reads aggregate the
-- tables as before: a list kept by triggers would cost a new row version
-- of the ticket per tag written, and the reads there are one round trip
-- either way.
ALTER TABLE tickets ADD COLUMN tag_list TEXT;
ALTER TABLE tickets ADD COLUMN follower_list TEXT;

UPDATE tickets SET
    requester_name = (SELECT c.name FROM customers c WHERE c.id = tickets.requester_id),
    requester_email = COALESCE((SELECT ri.value FROM customer_identities ri
        WHERE ri.customer_id = tickets.requester_id AND ri.type = 'email'
        ORDER BY ri.is_primary DESC, ri.id LIMIT 1), '');

-- Every insert and every change of the requester fills the copy in the row
-- being written.
CREATE FUNCTION tickets_requester_fill() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' AND NEW.requester_name IS NOT NULL THEN
        RETURN NEW;
    END IF;
    NEW.requester_name := (SELECT c.name FROM customers c WHERE c.id = NEW.requester_id);
    NEW.requester_email := COALESCE((SELECT ri.value FROM customer_identities ri
        WHERE ri.customer_id = NEW.requester_id AND ri.type = 'email'
        ORDER BY ri.is_primary DESC, ri.id LIMIT 1), '');
    RETURN NEW;
END
$$;
CREATE TRIGGER tickets_requester_bi BEFORE INSERT ON tickets FOR EACH ROW EXECUTE FUNCTION tickets_requester_fill();
CREATE TRIGGER tickets_requester_bu BEFORE UPDATE OF requester_id ON tickets FOR EACH ROW
    WHEN (OLD.requester_id IS DISTINCT FROM NEW.requester_id) EXECUTE FUNCTION tickets_requester_fill();

CREATE FUNCTION customers_requester_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE tickets SET requester_name = NULL, requester_email = NULL WHERE requester_id = OLD.id;
    ELSE
        UPDATE tickets SET requester_name = NEW.name WHERE requester_id = NEW.id AND requester_name IS NOT NULL;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER customers_requester_au AFTER UPDATE OF name ON customers FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION customers_requester_sync();
CREATE TRIGGER customers_requester_ad AFTER DELETE ON customers FOR EACH ROW EXECUTE FUNCTION customers_requester_sync();

CREATE FUNCTION customer_identities_requester_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids BIGINT[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        ids := ARRAY[NEW.customer_id];
    ELSIF TG_OP = 'DELETE' THEN
        ids := ARRAY[OLD.customer_id];
    ELSE
        ids := ARRAY[OLD.customer_id, NEW.customer_id];
    END IF;
    UPDATE tickets SET requester_email = COALESCE((SELECT ri.value FROM customer_identities ri
            WHERE ri.customer_id = tickets.requester_id AND ri.type = 'email'
            ORDER BY ri.is_primary DESC, ri.id LIMIT 1), '')
    WHERE requester_id = ANY (ids) AND requester_name IS NOT NULL;
    RETURN NULL;
END
$$;
CREATE TRIGGER customer_identities_requester_ai AFTER INSERT ON customer_identities FOR EACH ROW
    WHEN (NEW.type = 'email') EXECUTE FUNCTION customer_identities_requester_sync();
CREATE TRIGGER customer_identities_requester_ad AFTER DELETE ON customer_identities FOR EACH ROW
    WHEN (OLD.type = 'email') EXECUTE FUNCTION customer_identities_requester_sync();
CREATE TRIGGER customer_identities_requester_au AFTER UPDATE ON customer_identities FOR EACH ROW
    WHEN (OLD.type = 'email' OR NEW.type = 'email') EXECUTE FUNCTION customer_identities_requester_sync();
