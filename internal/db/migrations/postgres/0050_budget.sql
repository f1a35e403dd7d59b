-- Workforce budget (internal/budget, docs/workforce.md). Money is stored in
-- cents (hundredths of the currency) per agent-hour.

-- One row: the currency every rate is in.
CREATE TABLE budget_settings (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    currency   TEXT NOT NULL DEFAULT 'EUR',
    updated_by BIGINT,
    updated_at BIGINT NOT NULL
);

-- The cost of an agent-hour per role.
CREATE TABLE budget_role_rates (
    role       TEXT PRIMARY KEY,
    rate_cents BIGINT NOT NULL CHECK (rate_cents >= 0)
);

-- An agent's own rate, in place of their role's.
CREATE TABLE budget_agent_rates (
    agent_id   BIGINT PRIMARY KEY REFERENCES agents(id) ON DELETE CASCADE,
    rate_cents BIGINT NOT NULL CHECK (rate_cents >= 0)
);

-- Handle time per channel in seconds: splits a month's cost among channels.
CREATE TABLE budget_handle_times (
    channel TEXT PRIMARY KEY,
    seconds INTEGER NOT NULL CHECK (seconds > 0)
);
