-- Search finds tickets by what agents type about people: the requester's
-- name, the organization's name, and a phone number typed without its
-- country code. Names get full-text (GIN) indexes like subjects; phone
-- numbers an index on their last 7 digits; identities an index in byte
-- order for search-as-you-type prefixes (a range from 'ola@ex', which the
-- database's collation might order otherwise; LIKE could not use an index
-- once the statement is prepared with its prefix as a parameter).

CREATE INDEX customers_name_search ON customers USING GIN (to_tsvector('simple', name));
CREATE INDEX organizations_name_search ON organizations USING GIN (to_tsvector('simple', name));
CREATE INDEX customer_identities_phone_tail ON customer_identities (right(value, 7)) WHERE type = 'phone';
CREATE INDEX customer_identities_prefix ON customer_identities (type, (value COLLATE "C"));
