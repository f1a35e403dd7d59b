-- The requester's name and first email kept on the ticket row, for list
-- pages and ticket reads (internal/ticket/read.go): a page of 50 read the
-- customer's row and the customer's first email identity for every row, two
-- B-tree seeks and two correlated subqueries each. The copy is kept by the
-- triggers below in the transaction of every write that changes what it
-- shows: a customer's name, an email identity added, changed, made primary,
-- moved to another customer (merge) or removed, a ticket's requester, a
-- customer deleted. requester_name NULL means "not kept" (a customer row
-- missing): the reads then fall back to the subqueries, so a NULL is never
-- wrong, only slower. requester_email is '' for a requester without email.
--
-- The ticket's tags and followers are kept the same way, as the
-- comma-separated lists the reads aggregated per row (tags hold no comma;
-- the reads sort them): tag_list and follower_list, '' for none, NULL for
-- "not kept". A tag or follower added, removed or moved to another ticket
-- (merge) rewrites the list from its table. The create path writes the
-- lists in its INSERT (its tags are distinct: NormalizeTags), so the
-- triggers on its tag rows find them already listed and do nothing.
ALTER TABLE tickets ADD COLUMN requester_name TEXT;
ALTER TABLE tickets ADD COLUMN requester_email TEXT;
ALTER TABLE tickets ADD COLUMN tag_list TEXT;
ALTER TABLE tickets ADD COLUMN follower_list TEXT;

UPDATE tickets SET
    requester_name = (SELECT c.name FROM customers c WHERE c.id = tickets.requester_id),
    requester_email = COALESCE((SELECT ri.value FROM customer_identities ri
        WHERE ri.customer_id = tickets.requester_id AND ri.type = 'email'
        ORDER BY ri.is_primary DESC, ri.id LIMIT 1), ''),
    tag_list = COALESCE((SELECT group_concat(tag, ',') FROM ticket_tags tt WHERE tt.ticket_id = tickets.id), ''),
    follower_list = COALESCE((SELECT group_concat(agent_id, ',') FROM ticket_followers tf WHERE tf.ticket_id = tickets.id), '');

-- A ticket written without the copies is filled here. The create path and
-- the import write them in their INSERT, so this does nothing there.
CREATE TRIGGER tickets_requester_ai AFTER INSERT ON tickets
WHEN new.requester_name IS NULL OR new.tag_list IS NULL OR new.follower_list IS NULL BEGIN
    UPDATE tickets SET
        requester_name = (SELECT c.name FROM customers c WHERE c.id = new.requester_id),
        requester_email = COALESCE((SELECT ri.value FROM customer_identities ri
            WHERE ri.customer_id = new.requester_id AND ri.type = 'email'
            ORDER BY ri.is_primary DESC, ri.id LIMIT 1), ''),
        tag_list = COALESCE((SELECT group_concat(tag, ',') FROM ticket_tags tt WHERE tt.ticket_id = new.id), ''),
        follower_list = COALESCE((SELECT group_concat(agent_id, ',') FROM ticket_followers tf WHERE tf.ticket_id = new.id), '')
    WHERE id = new.id;
END;

CREATE TRIGGER tickets_requester_au AFTER UPDATE OF requester_id ON tickets WHEN old.requester_id IS NOT new.requester_id BEGIN
    UPDATE tickets SET
        requester_name = (SELECT c.name FROM customers c WHERE c.id = new.requester_id),
        requester_email = COALESCE((SELECT ri.value FROM customer_identities ri
            WHERE ri.customer_id = new.requester_id AND ri.type = 'email'
            ORDER BY ri.is_primary DESC, ri.id LIMIT 1), '')
    WHERE id = new.id;
END;

CREATE TRIGGER customers_requester_au AFTER UPDATE OF name ON customers WHEN old.name IS NOT new.name BEGIN
    UPDATE tickets SET requester_name = new.name WHERE requester_id = new.id AND requester_name IS NOT NULL;
END;

CREATE TRIGGER customers_requester_ad AFTER DELETE ON customers BEGIN
    UPDATE tickets SET requester_name = NULL, requester_email = NULL WHERE requester_id = old.id;
END;

CREATE TRIGGER customer_identities_requester_ai AFTER INSERT ON customer_identities WHEN new.type = 'email' BEGIN
    UPDATE tickets SET requester_email = COALESCE((SELECT ri.value FROM customer_identities ri
            WHERE ri.customer_id = new.customer_id AND ri.type = 'email'
            ORDER BY ri.is_primary DESC, ri.id LIMIT 1), '')
    WHERE requester_id = new.customer_id AND requester_name IS NOT NULL;
END;

CREATE TRIGGER customer_identities_requester_ad AFTER DELETE ON customer_identities WHEN old.type = 'email' BEGIN
    UPDATE tickets SET requester_email = COALESCE((SELECT ri.value FROM customer_identities ri
            WHERE ri.customer_id = old.customer_id AND ri.type = 'email'
            ORDER BY ri.is_primary DESC, ri.id LIMIT 1), '')
    WHERE requester_id = old.customer_id AND requester_name IS NOT NULL;
END;

CREATE TRIGGER customer_identities_requester_au AFTER UPDATE ON customer_identities
WHEN old.type = 'email' OR new.type = 'email' BEGIN
    UPDATE tickets SET requester_email = COALESCE((SELECT ri.value FROM customer_identities ri
            WHERE ri.customer_id = tickets.requester_id AND ri.type = 'email'
            ORDER BY ri.is_primary DESC, ri.id LIMIT 1), '')
    WHERE requester_id IN (old.customer_id, new.customer_id) AND requester_name IS NOT NULL;
END;

CREATE TRIGGER ticket_tags_list_ai AFTER INSERT ON ticket_tags
WHEN NOT EXISTS (SELECT 1 FROM tickets WHERE id = new.ticket_id AND instr(',' || tag_list || ',', ',' || new.tag || ',') > 0) BEGIN
    UPDATE tickets SET tag_list = COALESCE((SELECT group_concat(tag, ',') FROM ticket_tags tt WHERE tt.ticket_id = new.ticket_id), '')
    WHERE id = new.ticket_id;
END;

CREATE TRIGGER ticket_tags_list_ad AFTER DELETE ON ticket_tags BEGIN
    UPDATE tickets SET tag_list = COALESCE((SELECT group_concat(tag, ',') FROM ticket_tags tt WHERE tt.ticket_id = old.ticket_id), '')
    WHERE id = old.ticket_id;
END;

CREATE TRIGGER ticket_tags_list_au AFTER UPDATE ON ticket_tags BEGIN
    UPDATE tickets SET tag_list = COALESCE((SELECT group_concat(tag, ',') FROM ticket_tags tt WHERE tt.ticket_id = tickets.id), '')
    WHERE id IN (old.ticket_id, new.ticket_id);
END;

CREATE TRIGGER ticket_followers_list_ai AFTER INSERT ON ticket_followers
WHEN NOT EXISTS (SELECT 1 FROM tickets WHERE id = new.ticket_id AND instr(',' || follower_list || ',', ',' || new.agent_id || ',') > 0) BEGIN
    UPDATE tickets SET follower_list = COALESCE((SELECT group_concat(agent_id, ',') FROM ticket_followers tf WHERE tf.ticket_id = new.ticket_id), '')
    WHERE id = new.ticket_id;
END;

CREATE TRIGGER ticket_followers_list_ad AFTER DELETE ON ticket_followers BEGIN
    UPDATE tickets SET follower_list = COALESCE((SELECT group_concat(agent_id, ',') FROM ticket_followers tf WHERE tf.ticket_id = old.ticket_id), '')
    WHERE id = old.ticket_id;
END;

CREATE TRIGGER ticket_followers_list_au AFTER UPDATE ON ticket_followers BEGIN
    UPDATE tickets SET follower_list = COALESCE((SELECT group_concat(agent_id, ',') FROM ticket_followers tf WHERE tf.ticket_id = tickets.id), '')
    WHERE id IN (old.ticket_id, new.ticket_id);
END;
