-- A customer's first identity of a type (the primary one, else the oldest)
-- is read for every ticket a page shows (the requester's email on a ticket
-- and in lists, customer briefs, suggestions, NPS sends). The index answers
-- it in key order without reading the table or sorting, and replaces the
-- index on customer_id alone, which it starts with.
CREATE INDEX customer_identities_first ON customer_identities(customer_id, type, is_primary DESC, id, value);
DROP INDEX customer_identities_customer;
