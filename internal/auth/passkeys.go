package auth

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// Passkeys (WebAuthn, github.com/go-webauthn/webauthn) as a second factor
// after the password and as a sign-in of their own (passkeysignin.go).
//
//   - The relying party is the configured base URL: its host is the RP ID
//     and its scheme://host[:port] the only origin accepted. A base URL on
//     an IP address cannot carry passkeys (browsers refuse IP RP IDs).
//   - Each ceremony (options → browser → answer) is a webauthn_ceremonies
//     row keyed by the SHA-256 of its challenge, which the answer's client
//     data names; the answer deletes it before anything is verified, so a
//     challenge is answered once, and it expires after ceremonyTTL.
//   - Attestation is not asked for ("none"): Ombud does not restrict which
//     authenticators agents use.
//   - The signature counter is claimed with a conditional UPDATE: an
//     assertion whose counter does not go past the stored one (both 0 is
//     allowed: many passkeys do not count) is refused as a possible clone
//     and audited.
//   - A passkey counts as two-factor sign-in: a role that requires it is
//     satisfied by a passkey as by an authenticator app.

const (
	ceremonyTTL = 5 * time.Minute
	// MaxPasskeys is how many passkeys one agent may register.
	MaxPasskeys = 20
	// MaxPasskeyName bounds a passkey's name in characters.
	MaxPasskeyName = 60
	// maxCredentialJSON bounds a browser answer; real ones are a few KB.
	maxCredentialJSON = 64 << 10
	// maxOpenCeremonies bounds unauthenticated ceremonies awaiting an answer,
	// so the sign-in page's options cannot fill the table.
	maxOpenCeremonies = 10000

	kindRegister     = "register"
	kindSecondFactor = "second_factor"
	kindPasswordless = "passwordless"
)

var (
	errNoPasskeys   = apperr.Conflict("passkeys", "passkeys need the server's base URL to name it by a domain name, not an IP address")
	errBadAnswer    = apperr.InvalidField("passkey", "is not a passkey answer from a browser")
	errNoCeremony   = apperr.InvalidField("passkey", "answers no open passkey request; try again")
	errPasskeyNotOK = apperr.InvalidField("passkey", "was not accepted; try again")
	errPasskeyName  = apperr.InvalidField("name", fmt.Sprintf("must be 1 to %d characters, without control characters", MaxPasskeyName))
	errPasskeyClone = errors.New("auth: passkey: signature counter did not advance")
	b64             = base64.RawURLEncoding
)

// passkeyState is the relying party, set by SetRelyingParty.
type passkeyState struct {
	wa *webauthn.WebAuthn // nil: passkeys are unavailable
}

// SetRelyingParty derives the WebAuthn relying party from the public base
// URL: its host is the RP ID, its origin the only one accepted. A base URL
// whose host is an IP address leaves passkeys off (PasskeysAvailable).
func (s *Service) SetRelyingParty(baseURL string) error {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("auth: passkeys: base URL %q is not an http(s) URL", baseURL)
	}
	s.passkeys = passkeyState{}
	host := strings.ToLower(u.Hostname())
	if host == "" || net.ParseIP(host) != nil {
		return nil
	}
	timeout := webauthn.TimeoutConfig{Enforce: true, Timeout: ceremonyTTL, TimeoutUVD: ceremonyTTL}
	wa, err := webauthn.New(&webauthn.Config{
		RPID: host, RPDisplayName: "Ombud", RPOrigins: []string{u.Scheme + "://" + strings.ToLower(u.Host)},
		AttestationPreference: protocol.PreferNoAttestation,
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey: protocol.ResidentKeyRequirementPreferred, UserVerification: protocol.VerificationPreferred,
		},
		Timeouts: webauthn.TimeoutsConfig{Login: timeout, Registration: timeout},
	})
	if err != nil {
		return fmt.Errorf("auth: passkeys: %w", err)
	}
	s.passkeys = passkeyState{wa: wa}
	return nil
}

// PasskeysAvailable reports whether the base URL allows passkeys.
func (s *Service) PasskeysAvailable() bool { return s.passkeys.wa != nil }

// Passkey is one registered passkey as its owner sees it.
type Passkey struct {
	ID         int64
	Name       string
	CreatedAt  time.Time
	LastUsedAt time.Time // zero: never used to sign in
	Transports []string  // usb, nfc, ble, internal, hybrid …
	Synced     bool      // backed up by its provider (a synced passkey)
}

// passkeyRow is a stored credential.
type passkeyRow struct {
	id, agentID int64
	handle      []byte
	cred        webauthn.Credential
}

// passkeyUser is an agent as the WebAuthn library sees them.
type passkeyUser struct {
	id          int64
	handle      []byte
	email, name string
	rows        []passkeyRow
	used        int // the row a verified assertion used (passkeysignin.go)
}

func (u *passkeyUser) WebAuthnID() []byte          { return u.handle }
func (u *passkeyUser) WebAuthnName() string        { return u.email }
func (u *passkeyUser) WebAuthnDisplayName() string { return u.name }
func (u *passkeyUser) WebAuthnCredentials() []webauthn.Credential {
	out := make([]webauthn.Credential, len(u.rows))
	for i, r := range u.rows {
		out[i] = r.cred
	}
	return out
}

func (u *passkeyUser) row(credID []byte) (passkeyRow, bool) {
	for _, r := range u.rows {
		if string(r.cred.ID) == string(credID) {
			return r, true
		}
	}
	return passkeyRow{}, false
}

const passkeyColumns = `id, agent_id, credential_id, user_handle, public_key, attestation_type, aaguid, sign_count, flags, transports, attachment`

func scanPasskey(sc interface{ Scan(...any) error }) (passkeyRow, error) {
	var r passkeyRow
	var credID, handle, pub, attType, aaguid, transports, attachment string
	var count int64
	var flags int
	if err := sc.Scan(&r.id, &r.agentID, &credID, &handle, &pub, &attType, &aaguid, &count, &flags, &transports, &attachment); err != nil {
		return r, err
	}
	var err error
	c := &r.cred
	if c.ID, err = b64.DecodeString(credID); err != nil {
		return r, fmt.Errorf("auth: stored passkey %d: %w", r.id, err)
	}
	if r.handle, err = b64.DecodeString(handle); err != nil {
		return r, fmt.Errorf("auth: stored passkey %d: %w", r.id, err)
	}
	if c.PublicKey, err = b64.DecodeString(pub); err != nil {
		return r, fmt.Errorf("auth: stored passkey %d: %w", r.id, err)
	}
	if c.Authenticator.AAGUID, err = b64.DecodeString(aaguid); err != nil {
		return r, fmt.Errorf("auth: stored passkey %d: %w", r.id, err)
	}
	c.AttestationType = attType
	c.Authenticator.SignCount = uint32(count)
	c.Authenticator.Attachment = protocol.AuthenticatorAttachment(attachment)
	c.Flags = webauthn.NewCredentialFlags(protocol.AuthenticatorFlags(flags))
	for _, t := range strings.Split(transports, ",") {
		if t != "" {
			c.Transport = append(c.Transport, protocol.AuthenticatorTransport(t))
		}
	}
	return r, nil
}

// passkeyUser loads agentID with their passkeys. The user handle is the one
// their passkeys carry, or a new random one for the first.
func (s *Service) passkeyUser(ctx context.Context, q db.Querier, agentID int64) (*passkeyUser, error) {
	u := &passkeyUser{id: agentID}
	err := q.QueryRowContext(ctx, `SELECT email, name FROM agents WHERE id = ?`, agentID).Scan(&u.email, &u.name)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("agent", agentID)
	}
	if err != nil {
		return nil, fmt.Errorf("auth: passkeys: %w", err)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+passkeyColumns+` FROM agent_passkeys WHERE agent_id = ? ORDER BY id`, agentID)
	if err != nil {
		return nil, fmt.Errorf("auth: passkeys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanPasskey(rows)
		if err != nil {
			return nil, fmt.Errorf("auth: passkeys: %w", err)
		}
		u.rows = append(u.rows, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("auth: passkeys: %w", err)
	}
	if len(u.rows) > 0 {
		u.handle = u.rows[0].handle
	} else {
		u.handle = make([]byte, 32)
		if _, err := rand.Read(u.handle); err != nil {
			return nil, fmt.Errorf("auth: passkeys: %w", err)
		}
	}
	return u, nil
}

// Passkeys lists agentID's passkeys, oldest first. Agents list their own;
// someone else's needs agent.read.
func (s *Service) Passkeys(ctx context.Context, actor authz.Actor, agentID int64) ([]Passkey, error) {
	if actor.Kind != authz.KindAgent || actor.ID != agentID {
		if err := authz.Check(actor, authz.AgentRead); err != nil {
			return nil, err
		}
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, created_at, last_used_at, transports, flags FROM agent_passkeys WHERE agent_id = ? ORDER BY created_at, id`, agentID)
	if err != nil {
		return nil, fmt.Errorf("auth: list passkeys: %w", err)
	}
	defer rows.Close()
	out := []Passkey{}
	for rows.Next() {
		var p Passkey
		var created int64
		var used sql.NullInt64
		var transports string
		var flags int
		if err := rows.Scan(&p.ID, &p.Name, &created, &used, &transports, &flags); err != nil {
			return nil, fmt.Errorf("auth: list passkeys: %w", err)
		}
		p.CreatedAt = db.Time(created)
		if used.Valid {
			p.LastUsedAt = db.Time(used.Int64)
		}
		if transports != "" {
			p.Transports = strings.Split(transports, ",")
		}
		p.Synced = protocol.AuthenticatorFlags(flags).HasBackupState()
		out = append(out, p)
	}
	return out, rows.Err()
}

// cleanPasskeyName trims a name and checks its length and characters.
func cleanPasskeyName(name string) (string, error) {
	name = strings.TrimSpace(name)
	n := utf8.RuneCountInString(name)
	if n == 0 || n > MaxPasskeyName || !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl) {
		return "", errPasskeyName
	}
	return name, nil
}

func ownAgent(actor authz.Actor) error {
	if actor.Kind != authz.KindAgent || actor.ID == 0 {
		return apperr.Forbidden("only a signed-in agent manages their own passkeys")
	}
	return nil
}

// storeCeremony records the session data of a ceremony begun; capped
// limits the open ceremonies of its kind (the unauthenticated one).
func (s *Service) storeCeremony(ctx context.Context, kind string, agentID int64, signinHash string, sd *webauthn.SessionData, capped bool) error {
	body, err := json.Marshal(sd)
	if err != nil {
		return fmt.Errorf("auth: passkey ceremony: %w", err)
	}
	now := s.now()
	var agent any
	if agentID != 0 {
		agent = agentID
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM webauthn_ceremonies WHERE expires_at < ?`, db.Millis(now)); err != nil {
			return fmt.Errorf("auth: passkey ceremony: %w", err)
		}
		if capped {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM webauthn_ceremonies WHERE kind = ?`, kind).Scan(&n); err != nil {
				return fmt.Errorf("auth: passkey ceremony: %w", err)
			}
			if n >= maxOpenCeremonies {
				return apperr.RateLimited("too many passkey sign-ins at once; try again in a few minutes")
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO webauthn_ceremonies (challenge_hash, kind, agent_id, signin_hash, session, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			hashToken(sd.Challenge), kind, agent, signinHash, string(body), db.Millis(now), db.Millis(now.Add(ceremonyTTL))); err != nil {
			return fmt.Errorf("auth: passkey ceremony: %w", err)
		}
		return nil
	})
}

// ceremony is a taken webauthn_ceremonies row.
type ceremony struct {
	agentID    int64
	signinHash string
	session    webauthn.SessionData
}

// takeCeremony deletes and returns the open ceremony of kind whose
// challenge the answer names; errNoCeremony when there is none (answered
// already, expired, or of another kind).
func (s *Service) takeCeremony(ctx context.Context, challenge, kind string) (ceremony, error) {
	var c ceremony
	if challenge == "" || len(challenge) > 200 {
		return c, errNoCeremony
	}
	now := s.now()
	h := hashToken(challenge)
	var body, gotKind string
	var agent sql.NullInt64
	var exp int64
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT kind, agent_id, signin_hash, session, expires_at FROM webauthn_ceremonies WHERE challenge_hash = ?`, h).
			Scan(&gotKind, &agent, &c.signinHash, &body, &exp)
		if errors.Is(err, sql.ErrNoRows) {
			return errNoCeremony
		}
		if err != nil {
			return fmt.Errorf("auth: passkey ceremony: %w", err)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM webauthn_ceremonies WHERE challenge_hash = ?`, h)
		if err != nil {
			return fmt.Errorf("auth: passkey ceremony: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errNoCeremony // taken by a parallel answer
		}
		return nil
	})
	if err != nil {
		return c, err
	}
	if gotKind != kind || exp < db.Millis(now) {
		return c, errNoCeremony
	}
	if err := json.Unmarshal([]byte(body), &c.session); err != nil {
		return c, fmt.Errorf("auth: passkey ceremony: %w", err)
	}
	c.agentID = agent.Int64
	return c, nil
}

// parseCreation reads a browser's registration answer; garbage is a 400
// naming the field, never a panic.
func parseCreation(body []byte) (p *protocol.ParsedCredentialCreationData, err error) {
	if len(body) == 0 || len(body) > maxCredentialJSON {
		return nil, errBadAnswer
	}
	defer func() {
		if recover() != nil {
			p, err = nil, errBadAnswer
		}
	}()
	p, err = protocol.ParseCredentialCreationResponseBytes(body)
	if err != nil || p == nil {
		return nil, errBadAnswer
	}
	return p, nil
}

// parseAssertion reads a browser's sign-in answer (see parseCreation).
func parseAssertion(body []byte) (p *protocol.ParsedCredentialAssertionData, err error) {
	if len(body) == 0 || len(body) > maxCredentialJSON {
		return nil, errBadAnswer
	}
	defer func() {
		if recover() != nil {
			p, err = nil, errBadAnswer
		}
	}()
	p, err = protocol.ParseCredentialRequestResponseBytes(body)
	if err != nil || p == nil {
		return nil, errBadAnswer
	}
	return p, nil
}

// ParsePasskeyAnswer reports whether body reads as a registration or a
// sign-in answer (for fuzzing the parsers: any input gives a result or an
// invalid error, never a panic).
func ParsePasskeyAnswer(body []byte) (challenge string, err error) {
	if c, err := parseCreation(body); err == nil {
		return c.Response.CollectedClientData.Challenge, nil
	}
	a, err := parseAssertion(body)
	if err != nil {
		return "", err
	}
	return a.Response.CollectedClientData.Challenge, nil
}

// BeginPasskeyRegistration starts adding a passkey for the signed-in
// agent: the options for navigator.credentials.create, as JSON. Their
// passkeys are excluded, so one authenticator is not registered twice.
func (s *Service) BeginPasskeyRegistration(ctx context.Context, actor authz.Actor) (json.RawMessage, error) {
	if err := ownAgent(actor); err != nil {
		return nil, err
	}
	wa := s.passkeys.wa
	if wa == nil {
		return nil, errNoPasskeys
	}
	u, err := s.passkeyUser(ctx, s.db, actor.ID)
	if err != nil {
		return nil, err
	}
	if len(u.rows) >= MaxPasskeys {
		return nil, apperr.Conflict("passkeys", fmt.Sprintf("you have %d passkeys, the most allowed; remove one first", MaxPasskeys))
	}
	creation, sd, err := wa.BeginRegistration(u, webauthn.WithExclusions(webauthn.Credentials(u.WebAuthnCredentials()).CredentialDescriptors()))
	if err != nil {
		return nil, fmt.Errorf("auth: begin passkey registration: %w", err)
	}
	if err := s.storeCeremony(ctx, kindRegister, actor.ID, "", sd, false); err != nil {
		return nil, err
	}
	out, err := json.Marshal(creation)
	if err != nil {
		return nil, fmt.Errorf("auth: begin passkey registration: %w", err)
	}
	return out, nil
}

// FinishPasskeyRegistration verifies the browser's answer to
// BeginPasskeyRegistration and stores the passkey under name.
func (s *Service) FinishPasskeyRegistration(ctx context.Context, actor authz.Actor, name string, answer []byte) (Passkey, error) {
	if err := ownAgent(actor); err != nil {
		return Passkey{}, err
	}
	wa := s.passkeys.wa
	if wa == nil {
		return Passkey{}, errNoPasskeys
	}
	fe := apperr.FieldErrors{}
	name, nameErr := cleanPasskeyName(name)
	if nameErr != nil {
		fe.Add("name", apperr.As(nameErr).Fields["name"])
	}
	parsed, parseErr := parseCreation(answer)
	if parseErr != nil {
		fe.Add("passkey", apperr.As(parseErr).Fields["passkey"])
	}
	if err := fe.Err(); err != nil {
		return Passkey{}, err
	}
	c, err := s.takeCeremony(ctx, parsed.Response.CollectedClientData.Challenge, kindRegister)
	if err != nil {
		return Passkey{}, err
	}
	if c.agentID != actor.ID {
		return Passkey{}, errNoCeremony
	}
	u, err := s.passkeyUser(ctx, s.db, actor.ID)
	if err != nil {
		return Passkey{}, err
	}
	u.handle = c.session.UserID
	cred, err := wa.CreateCredential(u, c.session, parsed)
	if err != nil {
		return Passkey{}, errPasskeyNotOK
	}
	now := s.now()
	transports := make([]string, 0, len(cred.Transport))
	for _, t := range cred.Transport {
		if v := string(t); v != "" && len(v) <= 20 && !strings.Contains(v, ",") && len(transports) < 8 {
			transports = append(transports, v)
		}
	}
	p := Passkey{Name: name, CreatedAt: now, Transports: transports, Synced: cred.Flags.BackupState}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM agent_passkeys WHERE agent_id = ?`, actor.ID).Scan(&n); err != nil {
			return fmt.Errorf("auth: add passkey: %w", err)
		}
		if n >= MaxPasskeys {
			return apperr.Conflict("passkeys", fmt.Sprintf("you have %d passkeys, the most allowed; remove one first", MaxPasskeys))
		}
		credID := b64.EncodeToString(cred.ID)
		var taken int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM agent_passkeys WHERE credential_id = ?`, credID).Scan(&taken); err != nil {
			return fmt.Errorf("auth: add passkey: %w", err)
		}
		if taken > 0 {
			return apperr.Conflict("passkey", "this passkey is registered already")
		}
		var err error
		p.ID, err = tx.InsertID(ctx, `INSERT INTO agent_passkeys (agent_id, credential_id, user_handle, public_key, attestation_type, aaguid, sign_count, flags, transports, attachment, name, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, actor.ID, credID, b64.EncodeToString(u.handle), b64.EncodeToString(cred.PublicKey),
			cred.AttestationType, b64.EncodeToString(cred.Authenticator.AAGUID), int64(cred.Authenticator.SignCount), int(cred.Flags.ProtocolValue()),
			strings.Join(transports, ","), string(cred.Authenticator.Attachment), name, db.Millis(now))
		if err != nil {
			return fmt.Errorf("auth: add passkey: %w", err)
		}
		return audit.Record(ctx, tx, now, actor, "auth.passkey_add", strconv.FormatInt(actor.ID, 10), map[string]any{"passkey_id": p.ID, "name": name})
	})
	if err != nil {
		return Passkey{}, err
	}
	return p, nil
}

// RenamePasskey renames one of the signed-in agent's passkeys.
func (s *Service) RenamePasskey(ctx context.Context, actor authz.Actor, id int64, name string) error {
	if err := ownAgent(actor); err != nil {
		return err
	}
	name, err := cleanPasskeyName(name)
	if err != nil {
		return err
	}
	now := s.now()
	return s.db.Write(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE agent_passkeys SET name = ? WHERE id = ? AND agent_id = ?`, name, id, actor.ID)
		if err != nil {
			return fmt.Errorf("auth: rename passkey: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.NotFound("passkey", id)
		}
		return audit.Record(ctx, tx, now, actor, "auth.passkey_rename", strconv.FormatInt(actor.ID, 10), map[string]any{"passkey_id": id, "name": name})
	})
}

// RemovePasskey removes one of the signed-in agent's passkeys; proof is
// their password or, with an authenticator app on, a current code. Checks
// are limited per agent like the two-factor proofs.
func (s *Service) RemovePasskey(ctx context.Context, actor authz.Actor, id int64, proof string) error {
	if err := ownAgent(actor); err != nil {
		return err
	}
	if strings.TrimSpace(proof) == "" {
		return apperr.InvalidField("proof", "is required")
	}
	var hash string
	if err := s.db.QueryRowContext(ctx, `SELECT password_hash FROM agents WHERE id = ?`, actor.ID).Scan(&hash); err != nil {
		return fmt.Errorf("auth: remove passkey: %w", err)
	}
	now := s.now()
	bucket := strconv.FormatInt(actor.ID, 10)
	var slot int64
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var err error
		slot, err = s.takeAttempt(ctx, tx, now, attemptTwoFactor, bucket, currentPasswordTries)
		return err
	})
	if errors.Is(err, errFull) {
		return apperr.RateLimited("too many wrong codes or passwords; wait a few minutes and try again")
	}
	if err != nil {
		return err
	}
	code := normalizeCode(proof)
	pwOK := false
	if !isTOTPCode(code) {
		if pwOK, _ = VerifyPassword(hash, proof); !pwOK {
			s.recordFailure(ctx, actor, "auth.passkey_proof_failed", bucket)
			return errWrongProof
		}
	}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		if !pwOK {
			var stored string
			var last int64
			err := tx.QueryRowContext(ctx, `SELECT secret, last_step FROM agent_totp WHERE agent_id = ? AND confirmed_at IS NOT NULL`, actor.ID).Scan(&stored, &last)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("auth: remove passkey: %w", err)
			}
			ok := false
			if err == nil {
				if ok, err = s.checkTOTP(ctx, tx, actor.ID, stored, last, code, now); err != nil {
					return err
				}
			}
			if !ok {
				return errWrongProof
			}
		}
		var name string
		err := tx.QueryRowContext(ctx, `SELECT name FROM agent_passkeys WHERE id = ? AND agent_id = ?`, id, actor.ID).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("passkey", id)
		}
		if err != nil {
			return fmt.Errorf("auth: remove passkey: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM agent_passkeys WHERE id = ?`, id); err != nil {
			return fmt.Errorf("auth: remove passkey: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM password_attempts WHERE id = ?`, slot); err != nil {
			return fmt.Errorf("auth: attempt: %w", err)
		}
		return audit.Record(ctx, tx, now, actor, "auth.passkey_remove", strconv.FormatInt(actor.ID, 10), map[string]any{"passkey_id": id, "name": name})
	})
	if errors.Is(err, errWrongProof) {
		s.recordFailure(ctx, actor, "auth.passkey_proof_failed", bucket)
	}
	return err
}

// clearPasskeys removes agentID's passkeys inside tx (an admin's reset of
// their two-factor sign-in: a lost device).
func clearPasskeys(ctx context.Context, tx *db.Tx, agentID int64) error {
	for _, q := range []string{`DELETE FROM agent_passkeys WHERE agent_id = ?`, `DELETE FROM webauthn_ceremonies WHERE agent_id = ?`} {
		if _, err := tx.ExecContext(ctx, q, agentID); err != nil {
			return fmt.Errorf("auth: clear passkeys: %w", err)
		}
	}
	return nil
}
