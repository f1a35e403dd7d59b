-- Core schema: agents, teams, customers, organizations, tickets, comments,
-- the append-only ticket event log, custom fields, auth, audit.
-- Times are BIGINT milliseconds since the Unix epoch (UTC) on both engines.

CREATE TABLE agents (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin','manager','agent','qa_reviewer','collaborator')),
    locale        TEXT NOT NULL DEFAULT 'en',
    time_zone     TEXT NOT NULL DEFAULT 'UTC',
    password_hash TEXT NOT NULL DEFAULT '',
    availability  TEXT NOT NULL DEFAULT 'offline' CHECK (availability IN ('online','away','offline')),
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE agent_skills (
    agent_id BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    skill    TEXT NOT NULL,
    PRIMARY KEY (agent_id, skill)
);

CREATE TABLE teams (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE team_members (
    team_id  BIGINT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    agent_id BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, agent_id)
);
CREATE INDEX team_members_agent ON team_members(agent_id);

CREATE TABLE organizations (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    notes      TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE organization_domains (
    domain          TEXT PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE
);
CREATE INDEX organization_domains_org ON organization_domains(organization_id);

CREATE TABLE customers (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    organization_id BIGINT REFERENCES organizations(id) ON DELETE SET NULL,
    locale          TEXT NOT NULL DEFAULT '',
    notes           TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX customers_org ON customers(organization_id);

-- An identity is how a customer reaches us: an email address, a phone number,
-- a chat visitor id or a social handle. Values are normalised (emails lower case).
CREATE TABLE customer_identities (
    id          INTEGER PRIMARY KEY,
    customer_id BIGINT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    type        TEXT NOT NULL,
    value       TEXT NOT NULL,
    is_primary  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  BIGINT NOT NULL,
    UNIQUE (type, value)
);
CREATE INDEX customer_identities_customer ON customer_identities(customer_id);

CREATE TABLE custom_fields (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,
    label       TEXT NOT NULL,
    type        TEXT NOT NULL CHECK (type IN ('text','number','date','dropdown','checkbox')),
    options     TEXT NOT NULL DEFAULT '[]',
    required    BOOLEAN NOT NULL DEFAULT FALSE,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    position    INTEGER NOT NULL DEFAULT 0,
    description TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE tickets (
    id              INTEGER PRIMARY KEY,
    subject         TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('new','open','pending','on_hold','solved','closed')),
    priority        TEXT NOT NULL CHECK (priority IN ('low','normal','high','urgent')),
    type            TEXT NOT NULL CHECK (type IN ('question','incident','problem','task','complaint','return')),
    channel         TEXT NOT NULL CHECK (channel IN ('email','chat','web','phone','social','api')),
    requester_id    BIGINT NOT NULL REFERENCES customers(id),
    organization_id BIGINT REFERENCES organizations(id) ON DELETE SET NULL,
    assignee_id     BIGINT REFERENCES agents(id) ON DELETE SET NULL,
    team_id         BIGINT REFERENCES teams(id) ON DELETE SET NULL,
    language        TEXT NOT NULL DEFAULT '',
    custom_fields   TEXT NOT NULL DEFAULT '{}',
    merged_into_id  BIGINT REFERENCES tickets(id),
    external_id     TEXT,
    last_seq        INTEGER NOT NULL DEFAULT 0,
    comment_count   INTEGER NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    solved_at       BIGINT,
    closed_at       BIGINT
);
CREATE INDEX tickets_updated ON tickets(updated_at DESC, id DESC);
CREATE INDEX tickets_created ON tickets(created_at DESC, id DESC);
CREATE INDEX tickets_status_updated ON tickets(status, updated_at DESC, id DESC);
CREATE INDEX tickets_assignee_status ON tickets(assignee_id, status, updated_at DESC);
CREATE INDEX tickets_team_status ON tickets(team_id, status, updated_at DESC);
CREATE INDEX tickets_requester ON tickets(requester_id, created_at DESC);
CREATE INDEX tickets_org ON tickets(organization_id, created_at DESC);
CREATE UNIQUE INDEX tickets_external ON tickets(external_id) WHERE external_id IS NOT NULL;

CREATE TABLE ticket_tags (
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    tag       TEXT NOT NULL,
    PRIMARY KEY (ticket_id, tag)
);
CREATE INDEX ticket_tags_tag ON ticket_tags(tag, ticket_id);

CREATE TABLE ticket_followers (
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    agent_id  BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    PRIMARY KEY (ticket_id, agent_id)
);

CREATE TABLE comments (
    id          INTEGER PRIMARY KEY,
    ticket_id   BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    author_type TEXT NOT NULL CHECK (author_type IN ('agent','customer','system')),
    author_id   BIGINT,
    public      BOOLEAN NOT NULL,
    body        TEXT NOT NULL,
    html        TEXT NOT NULL DEFAULT '',
    channel     TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);
CREATE INDEX comments_ticket ON comments(ticket_id, created_at, id);

CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY,
    comment_id   BIGINT REFERENCES comments(id) ON DELETE CASCADE,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    inline_cid   TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL
);
CREATE INDEX attachments_comment ON attachments(comment_id);

-- The append-only ticket event log: every change to a ticket is one row,
-- written in the same transaction as the change. History, audit and metrics
-- derive from it.
CREATE TABLE ticket_events (
    id         INTEGER PRIMARY KEY,
    ticket_id  BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    type       TEXT NOT NULL,
    actor_type TEXT NOT NULL,
    actor_id   BIGINT,
    at         BIGINT NOT NULL,
    origin_ticket_id BIGINT,
    data       TEXT NOT NULL DEFAULT '{}',
    UNIQUE (ticket_id, seq)
);
CREATE INDEX ticket_events_at ON ticket_events(at);

CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    agent_id     BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    user_agent   TEXT NOT NULL DEFAULT '',
    ip           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_agent ON sessions(agent_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    agent_id     BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    name         TEXT NOT NULL DEFAULT '',
    token_hash   TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_tokens_agent ON api_tokens(agent_id);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         BIGINT NOT NULL,
    actor_id   BIGINT,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL DEFAULT '',
    data       TEXT NOT NULL DEFAULT '{}',
    ip         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log(at);

-- Full text: subjects and comment bodies, kept in step by triggers.
CREATE VIRTUAL TABLE ticket_fts USING fts5(subject, content='tickets', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER tickets_fts_ai AFTER INSERT ON tickets BEGIN
    INSERT INTO ticket_fts(rowid, subject) VALUES (new.id, new.subject);
END;
CREATE TRIGGER tickets_fts_ad AFTER DELETE ON tickets BEGIN
    INSERT INTO ticket_fts(ticket_fts, rowid, subject) VALUES ('delete', old.id, old.subject);
END;
CREATE TRIGGER tickets_fts_au AFTER UPDATE OF subject ON tickets BEGIN
    INSERT INTO ticket_fts(ticket_fts, rowid, subject) VALUES ('delete', old.id, old.subject);
    INSERT INTO ticket_fts(rowid, subject) VALUES (new.id, new.subject);
END;

CREATE VIRTUAL TABLE comment_fts USING fts5(body, content='comments', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER comments_fts_ai AFTER INSERT ON comments BEGIN
    INSERT INTO comment_fts(rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER comments_fts_ad AFTER DELETE ON comments BEGIN
    INSERT INTO comment_fts(comment_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;
CREATE TRIGGER comments_fts_au AFTER UPDATE OF body ON comments BEGIN
    INSERT INTO comment_fts(comment_fts, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO comment_fts(rowid, body) VALUES (new.id, new.body);
END;
