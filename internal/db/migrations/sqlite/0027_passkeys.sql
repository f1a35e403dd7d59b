-- WebAuthn passkeys (auth/passkeys.go).
--
-- agent_passkeys: one row per registered credential. credential_id,
-- user_handle and public_key are base64url (unpadded); public_key is the
-- COSE key from the attestation. sign_count is the authenticator's
-- signature counter as last seen: an assertion must raise it (unless both
-- are 0) or it is refused as a possible clone. flags is the authenticator
-- data flags byte of the last ceremony (backup eligibility must not change).
CREATE TABLE agent_passkeys (
    id               INTEGER PRIMARY KEY,
    agent_id         BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    credential_id    TEXT NOT NULL UNIQUE,
    user_handle      TEXT NOT NULL,
    public_key       TEXT NOT NULL,
    attestation_type TEXT NOT NULL DEFAULT '',
    aaguid           TEXT NOT NULL DEFAULT '',
    sign_count       BIGINT NOT NULL DEFAULT 0,
    flags            INTEGER NOT NULL DEFAULT 0,
    transports       TEXT NOT NULL DEFAULT '',
    attachment       TEXT NOT NULL DEFAULT '',
    name             TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    last_used_at     BIGINT
);
CREATE INDEX agent_passkeys_agent ON agent_passkeys(agent_id);

-- A WebAuthn ceremony between its options and the browser's answer, keyed
-- by the SHA-256 of its challenge; taken (deleted) by the answer, so each is
-- used once. kind: register (agent_id set), second_factor (agent_id and the
-- hash of the sign-in challenge it continues), passwordless (no agent).
-- session is the library's session data as JSON.
CREATE TABLE webauthn_ceremonies (
    challenge_hash TEXT PRIMARY KEY,
    kind           TEXT NOT NULL,
    agent_id       BIGINT REFERENCES agents(id) ON DELETE CASCADE,
    signin_hash    TEXT NOT NULL DEFAULT '',
    session        TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL
);
CREATE INDEX webauthn_ceremonies_expires ON webauthn_ceremonies(expires_at);
