-- Search finds tickets by what agents type about people: the requester's
-- name, the organization's name, and a phone number typed without its
-- country code. Names get full-text indexes like subjects (prefix indexes
-- for search-as-you-type); phone numbers an index on their last 7 digits.

CREATE VIRTUAL TABLE customer_fts USING fts5(name, content='customers', content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='2 3');
INSERT INTO customer_fts(customer_fts) VALUES ('rebuild');
CREATE TRIGGER customers_fts_ai AFTER INSERT ON customers BEGIN
    INSERT INTO customer_fts(rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER customers_fts_ad AFTER DELETE ON customers BEGIN
    INSERT INTO customer_fts(customer_fts, rowid, name) VALUES ('delete', old.id, old.name);
END;
CREATE TRIGGER customers_fts_au AFTER UPDATE OF name ON customers BEGIN
    INSERT INTO customer_fts(customer_fts, rowid, name) VALUES ('delete', old.id, old.name);
    INSERT INTO customer_fts(rowid, name) VALUES (new.id, new.name);
END;

CREATE VIRTUAL TABLE organization_fts USING fts5(name, content='organizations', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
INSERT INTO organization_fts(organization_fts) VALUES ('rebuild');
CREATE TRIGGER organizations_fts_ai AFTER INSERT ON organizations BEGIN
    INSERT INTO organization_fts(rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER organizations_fts_ad AFTER DELETE ON organizations BEGIN
    INSERT INTO organization_fts(organization_fts, rowid, name) VALUES ('delete', old.id, old.name);
END;
CREATE TRIGGER organizations_fts_au AFTER UPDATE OF name ON organizations BEGIN
    INSERT INTO organization_fts(organization_fts, rowid, name) VALUES ('delete', old.id, old.name);
    INSERT INTO organization_fts(rowid, name) VALUES (new.id, new.name);
END;

CREATE INDEX customer_identities_phone_tail ON customer_identities(substr(value, -7)) WHERE type = 'phone';
