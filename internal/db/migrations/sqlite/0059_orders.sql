-- Orders, returns, exchanges and refunds (internal/orders, docs/orders.md).
-- order_settings is the installation's one order-lookup connector (its
-- access token sealed like other stored credentials) and the list of
-- return reasons; return_cases are the return, exchange and refund cases
-- on tickets, whose every change is also an event on the ticket.

CREATE TABLE order_settings (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    kind           TEXT NOT NULL DEFAULT 'none' CHECK (kind IN ('none', 'shopify', 'json')),
    base_url       TEXT NOT NULL DEFAULT '',
    api_version    TEXT NOT NULL DEFAULT '',
    token          TEXT NOT NULL DEFAULT '',
    url_template   TEXT NOT NULL DEFAULT '',
    field_paths    TEXT NOT NULL DEFAULT '',
    reasons        TEXT NOT NULL DEFAULT '',
    updated_at     BIGINT NOT NULL
);

-- amount_minor is in the currency's minor unit (cents); refunded_at is
-- when the case became refunded, the day the refund report counts it.
CREATE TABLE return_cases (
    id             INTEGER PRIMARY KEY,
    ticket_id      BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    kind           TEXT NOT NULL CHECK (kind IN ('return', 'exchange', 'refund')),
    order_number   TEXT NOT NULL,
    reason         TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    amount_minor   BIGINT NOT NULL DEFAULT 0,
    currency       TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'label_sent', 'received', 'refunded', 'exchanged', 'rejected', 'cancelled')),
    created_by     BIGINT REFERENCES agents(id) ON DELETE SET NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    refunded_at    BIGINT
);
CREATE INDEX return_cases_ticket ON return_cases(ticket_id);
CREATE INDEX return_cases_created ON return_cases(created_at);
CREATE INDEX return_cases_refunded ON return_cases(refunded_at);

CREATE TABLE return_items (
    case_id        BIGINT NOT NULL REFERENCES return_cases(id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    product        TEXT NOT NULL,
    quantity       INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (case_id, position)
);
