-- Single sign-on for agents with OpenID Connect providers (internal/sso).
--
-- sso_providers: one row per provider an admin configured. client_secret
-- is sealed with the secret package (purpose "sso_providers.client_secret").
-- scopes and allowed_domains are space-separated lists; an empty
-- allowed_domains lets every domain in. claim names the ID token claim
-- whose values sso_mappings maps to roles and teams. mfa says the provider
-- enforces multi-factor sign-in, so an SSO sign-in satisfies the two-factor
-- policy of a role.
CREATE TABLE sso_providers (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    issuer          TEXT NOT NULL,
    client_id       TEXT NOT NULL,
    client_secret   TEXT NOT NULL DEFAULT '',
    scopes          TEXT NOT NULL DEFAULT 'openid email profile',
    allowed_domains TEXT NOT NULL DEFAULT '',
    claim           TEXT NOT NULL DEFAULT '',
    default_role    TEXT NOT NULL DEFAULT 'agent',
    jit             BOOLEAN NOT NULL DEFAULT FALSE,
    mfa             BOOLEAN NOT NULL DEFAULT FALSE,
    enabled         BOOLEAN NOT NULL DEFAULT TRUE,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

-- A claim value of a provider grants a role or a team membership.
CREATE TABLE sso_mappings (
    id          INTEGER PRIMARY KEY,
    provider_id BIGINT NOT NULL REFERENCES sso_providers(id) ON DELETE CASCADE,
    value       TEXT NOT NULL,
    role        TEXT NOT NULL DEFAULT '',
    team_id     BIGINT REFERENCES teams(id) ON DELETE CASCADE
);
CREATE INDEX sso_mappings_provider ON sso_mappings(provider_id);

-- The link between a provider's subject and an agent: a changed email at
-- the provider still finds the same agent.
CREATE TABLE sso_identities (
    provider_id  BIGINT NOT NULL REFERENCES sso_providers(id) ON DELETE CASCADE,
    subject      TEXT NOT NULL,
    agent_id     BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,
    PRIMARY KEY (provider_id, subject)
);
CREATE INDEX sso_identities_agent ON sso_identities(agent_id);

-- Sign-ins under way: only the SHA-256 of the random state (kept in the
-- browser's ombud_sso cookie too); the nonce and PKCE verifier stay here.
CREATE TABLE sso_logins (
    state_hash  TEXT PRIMARY KEY,
    provider_id BIGINT NOT NULL REFERENCES sso_providers(id) ON DELETE CASCADE,
    nonce       TEXT NOT NULL,
    verifier    TEXT NOT NULL,
    next        TEXT NOT NULL DEFAULT '/',
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX sso_logins_expires ON sso_logins(expires_at);

-- Roles that must sign in with SSO (password sign-in refused), and the one
-- admin who may still use a password when the provider is down.
CREATE TABLE sso_required_roles (
    role       TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL
);
CREATE TABLE sso_break_glass (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    agent_id BIGINT REFERENCES agents(id) ON DELETE SET NULL
);

-- A session opened by an SSO sign-in at a provider that enforces MFA
-- satisfies the two-factor policy of the agent's role.
ALTER TABLE sessions ADD COLUMN mfa_by_sso BOOLEAN NOT NULL DEFAULT FALSE;
