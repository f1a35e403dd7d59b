-- Automation: triggers (run on ticket changes), automations (time-based,
-- run by a periodic sweep) and macros (applied by agents). Conditions and
-- actions are JSON documents validated by internal/automation. Times are
-- BIGINT milliseconds since the Unix epoch (UTC).

CREATE TABLE automation_rules (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('trigger','automation')),
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    position    INTEGER NOT NULL DEFAULT 0,
    conditions  TEXT NOT NULL DEFAULT '{}',
    actions     TEXT NOT NULL DEFAULT '[]',
    -- Signs webhook bodies (HMAC-SHA256) so receivers can check the sender.
    secret      TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
-- Triggers run in position order; the hot query reads active rules of a kind.
CREATE INDEX automation_rules_kind ON automation_rules(kind, active, position, id);

-- One row per rule firing on a ticket, for debugging ("why did this change?").
-- chain groups the firings caused by one original change; error is '' on success.
CREATE TABLE automation_runs (
    id        INTEGER PRIMARY KEY,
    rule_id   BIGINT NOT NULL REFERENCES automation_rules(id) ON DELETE CASCADE,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    chain     TEXT NOT NULL DEFAULT '',
    at        BIGINT NOT NULL,
    actions   TEXT NOT NULL DEFAULT '[]',
    error     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX automation_runs_rule ON automation_runs(rule_id, id);
-- Loop protection: a rule fires at most once per chain and ticket; a job
-- claims the firing by inserting its row.
CREATE UNIQUE INDEX automation_runs_chain ON automation_runs(chain, ticket_id, rule_id);
-- Retention: the sweep deletes old runs.
CREATE INDEX automation_runs_at ON automation_runs(at);

-- An automation fires once per ticket per episode: episode is the time its
-- hours_since_* condition counts from, so a new pending period is a new episode.
CREATE TABLE automation_firings (
    rule_id   BIGINT NOT NULL REFERENCES automation_rules(id) ON DELETE CASCADE,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    episode   BIGINT NOT NULL,
    at        BIGINT NOT NULL,
    PRIMARY KEY (rule_id, ticket_id, episode)
);

-- Macros: canned replies plus field changes. owner_id set = personal to that
-- agent; otherwise shared, with everyone or (team_id set) with one team.
CREATE TABLE macros (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    owner_id    BIGINT REFERENCES agents(id) ON DELETE CASCADE,
    team_id     BIGINT REFERENCES teams(id) ON DELETE CASCADE,
    body        TEXT NOT NULL DEFAULT '',
    public      BOOLEAN NOT NULL DEFAULT TRUE,
    actions     TEXT NOT NULL DEFAULT '[]',
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    usage_count BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX macros_owner ON macros(owner_id, name);
CREATE INDEX macros_team ON macros(team_id, name);
