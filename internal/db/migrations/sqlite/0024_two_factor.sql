-- Two-factor sign-in (TOTP) and session timeouts.
--
-- agent_totp: one row per agent who started or finished enrolment. secret
-- is sealed with the secret package (purpose "agent_totp.secret");
-- confirmed_at is NULL until a first code proved the authenticator works.
-- last_step is the newest 30-second step a code was accepted for: a code
-- of that step or an earlier one is refused (no replay within its window).
CREATE TABLE agent_totp (
    agent_id     BIGINT PRIMARY KEY REFERENCES agents(id) ON DELETE CASCADE,
    secret       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    confirmed_at BIGINT,
    last_step    BIGINT NOT NULL DEFAULT 0
);

-- Single-use recovery codes: only the SHA-256 of each random 80-bit code.
CREATE TABLE agent_recovery_codes (
    id         INTEGER PRIMARY KEY,
    agent_id   BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX agent_recovery_codes_agent ON agent_recovery_codes(agent_id);

-- Roles whose agents must use two-factor sign-in.
CREATE TABLE two_factor_roles (
    role       TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL
);

-- The half-signed-in state between a right password and the code: only the
-- SHA-256 of the random token in the ombud_signin cookie. Short-lived;
-- attempts counts wrong codes (a few end it: the password is asked again).
CREATE TABLE signin_challenges (
    id_hash    TEXT PRIMARY KEY,
    agent_id   BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX signin_challenges_expires ON signin_challenges(expires_at);
