-- Request forms of the customer portal (internal/portal, docs/portal.md):
-- each form asks for chosen ticket custom fields, in its own order, with
-- its own labels, and conditions between them (fields: JSON).
CREATE TABLE portal_forms (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    enabled     BOOLEAN NOT NULL DEFAULT TRUE,
    position    INTEGER NOT NULL DEFAULT 0,
    fields      TEXT NOT NULL DEFAULT '[]',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- The form a ticket was filed with (agents see it on the ticket).
CREATE TABLE portal_form_tickets (
    ticket_id BIGINT PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
    form_id   BIGINT NOT NULL
);
CREATE INDEX portal_form_tickets_form ON portal_form_tickets(form_id);

-- Members of an organization with this set see all its requests in the
-- portal ("My organization"), read them and reply.
ALTER TABLE organizations ADD COLUMN portal_shared BOOLEAN NOT NULL DEFAULT FALSE;
