package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/secret"
)

// Two-factor sign-in with TOTP (RFC 6238: 6 digits, 30-second steps,
// SHA-1, as every authenticator app reads it).
//
//   - Enrolment: StartTwoFactor stores a new secret, sealed with the secret
//     Box; it is not used for sign-in until ConfirmTwoFactor got a right
//     code from it, which also hands out RecoveryCodes single-use codes.
//   - Sign-in: a right password of an agent with two-factor on opens no
//     session but a short challenge (signin_challenges); CompleteSignIn
//     takes it with a code or a recovery code. Its attempts go through the
//     same sign-in limits as passwords (limit.go), and a challenge ends
//     after challengeTries wrong codes, so the password is asked again.
//   - Codes of the step before and after now are accepted (clock skew), and
//     only for a step after the last one accepted: a code cannot be used
//     twice, even in parallel (the step is claimed with a conditional
//     UPDATE).
//   - Recovery codes are 80 random bits, stored as SHA-256 like API tokens:
//     a slow hash would add nothing to that much entropy.
//   - Roles can require it (two_factor_roles): Session reports MustEnrol for
//     an agent of such a role without it, and the web layer lets them do
//     nothing but enrol.

const (
	// RecoveryCodes is how many recovery codes an agent gets.
	RecoveryCodes = 10
	totpPurpose   = "agent_totp.secret"
	totpPeriod    = 30
	// challengeTTL is how long the code may take after the password.
	challengeTTL = 5 * time.Minute
	// challengeTries is how many wrong codes one challenge takes.
	challengeTries = 5
	// attemptTwoFactor is the password_attempts kind of the proofs asked
	// before regenerating codes or turning two-factor off.
	attemptTwoFactor = "twofactor"
)

var (
	errWrongCode    = apperr.InvalidField("code", "is not a current code or an unused recovery code")
	errChallengeEnd = apperr.Unauthenticated("the sign-in took too long or had too many wrong codes; sign in again")
	errWrongProof   = apperr.InvalidField("proof", "is neither a current code nor your password")
	errNoBox        = errors.New("auth: two-factor: no secret box configured")
)

// SetSecrets gives the service the Box that seals TOTP secrets.
func (s *Service) SetSecrets(b *secret.Box) { s.box = b }

// TwoFactorStatus is an agent's two-factor state.
type TwoFactorStatus struct {
	Enabled      bool      // confirmed: sign-in asks for a code
	EnabledAt    time.Time // when it was confirmed
	Pending      bool      // a secret waits for its first code
	Required     bool      // the agent's role requires it
	RecoveryLeft int       // unused recovery codes
	Passkeys     int       // registered passkeys (passkeys.go), which satisfy Required too
}

// Satisfied reports whether the agent signs in with a second factor: an
// authenticator app or a passkey.
func (st TwoFactorStatus) Satisfied() bool { return st.Enabled || st.Passkeys > 0 }

// Enrolment is a secret waiting for its first code: URI is the otpauth://
// link an authenticator reads (as a QR code), Secret the same key in base32
// for typing in.
type Enrolment struct {
	Secret string
	URI    string
}

func (s *Service) twoFactorOn(ctx context.Context, q db.Querier, agentID int64) (bool, error) {
	var n int
	// A passkey is a second factor too (passkeys.go).
	err := q.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM agent_totp WHERE agent_id = ? AND confirmed_at IS NOT NULL)
		+ (SELECT COUNT(*) FROM agent_passkeys WHERE agent_id = ?)`, agentID, agentID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("auth: two-factor state: %w", err)
	}
	return n > 0, nil
}

// TwoFactor returns agentID's state. Agents read their own; others need
// agent.read.
func (s *Service) TwoFactor(ctx context.Context, actor authz.Actor, agentID int64) (TwoFactorStatus, error) {
	if actor.Kind != authz.KindAgent || actor.ID != agentID {
		if err := authz.Check(actor, authz.AgentRead); err != nil {
			return TwoFactorStatus{}, err
		}
	}
	var st TwoFactorStatus
	var role string
	err := s.db.QueryRowContext(ctx, `SELECT role FROM agents WHERE id = ?`, agentID).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) {
		return st, apperr.NotFound("agent", agentID)
	}
	if err != nil {
		return st, fmt.Errorf("auth: two-factor state: %w", err)
	}
	var confirmed sql.NullInt64
	err = s.db.QueryRowContext(ctx, `SELECT confirmed_at FROM agent_totp WHERE agent_id = ?`, agentID).Scan(&confirmed)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return st, fmt.Errorf("auth: two-factor state: %w", err)
	}
	if err == nil {
		st.Enabled, st.Pending = confirmed.Valid, !confirmed.Valid
		if confirmed.Valid {
			st.EnabledAt = db.Time(confirmed.Int64)
		}
	}
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM agent_recovery_codes WHERE agent_id = ? AND used_at IS NULL`, agentID).Scan(&st.RecoveryLeft); err != nil {
		return st, fmt.Errorf("auth: two-factor state: %w", err)
	}
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM agent_passkeys WHERE agent_id = ?`, agentID).Scan(&st.Passkeys); err != nil {
		return st, fmt.Errorf("auth: two-factor state: %w", err)
	}
	roles, err := s.RequiredRoles(ctx)
	if err != nil {
		return st, err
	}
	st.Required = slices.Contains(roles, authz.Role(role))
	return st, nil
}

// StartTwoFactor gives the signed-in agent a new secret to enrol, replacing
// one still waiting for its first code. It is refused while two-factor is
// on (turn it off first).
func (s *Service) StartTwoFactor(ctx context.Context, actor authz.Actor) (Enrolment, error) {
	if actor.Kind != authz.KindAgent || actor.ID == 0 {
		return Enrolment{}, apperr.Forbidden("only a signed-in agent sets up their own two-factor sign-in")
	}
	if s.box == nil {
		return Enrolment{}, errNoBox
	}
	var email string
	if err := s.db.QueryRowContext(ctx, `SELECT email FROM agents WHERE id = ?`, actor.ID).Scan(&email); err != nil {
		return Enrolment{}, fmt.Errorf("auth: start two-factor: %w", err)
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "Ombud", AccountName: email, Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return Enrolment{}, fmt.Errorf("auth: start two-factor: %w", err)
	}
	sealed, err := s.box.Seal(totpPurpose, key.URL())
	if err != nil {
		return Enrolment{}, err
	}
	now := s.now()
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		on, err := s.twoFactorOn(ctx, tx, actor.ID)
		if err != nil {
			return err
		}
		if on {
			return apperr.Conflict("two_factor", "two-factor sign-in is already on; turn it off first to set up another authenticator")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM agent_totp WHERE agent_id = ?`, actor.ID); err != nil {
			return fmt.Errorf("auth: start two-factor: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO agent_totp (agent_id, secret, created_at) VALUES (?, ?, ?)`, actor.ID, sealed, db.Millis(now)); err != nil {
			return fmt.Errorf("auth: start two-factor: %w", err)
		}
		return audit.Record(ctx, tx, now, actor, "auth.two_factor_start", strconv.FormatInt(actor.ID, 10), nil)
	})
	if err != nil {
		return Enrolment{}, err
	}
	return Enrolment{Secret: key.Secret(), URI: key.URL()}, nil
}

// PendingEnrolment returns the secret waiting for the signed-in agent's
// first code, and false when there is none.
func (s *Service) PendingEnrolment(ctx context.Context, actor authz.Actor) (Enrolment, bool, error) {
	var stored string
	err := s.db.QueryRowContext(ctx, `SELECT secret FROM agent_totp WHERE agent_id = ? AND confirmed_at IS NULL`, actor.ID).Scan(&stored)
	if errors.Is(err, sql.ErrNoRows) {
		return Enrolment{}, false, nil
	}
	if err != nil {
		return Enrolment{}, false, fmt.Errorf("auth: pending two-factor: %w", err)
	}
	key, err := s.openKey(stored)
	if err != nil {
		return Enrolment{}, false, err
	}
	return Enrolment{Secret: key.Secret(), URI: key.URL()}, true, nil
}

func (s *Service) openKey(stored string) (*otp.Key, error) {
	if s.box == nil {
		return nil, errNoBox
	}
	uri, err := s.box.Open(totpPurpose, stored)
	if err != nil {
		return nil, err
	}
	key, err := otp.NewKeyFromURL(uri)
	if err != nil {
		return nil, fmt.Errorf("auth: stored two-factor key: %w", err)
	}
	return key, nil
}

// ConfirmTwoFactor turns two-factor on with the first code from the new
// secret and returns the recovery codes, shown once.
func (s *Service) ConfirmTwoFactor(ctx context.Context, actor authz.Actor, code string) ([]string, error) {
	if actor.Kind != authz.KindAgent || actor.ID == 0 {
		return nil, apperr.Forbidden("only a signed-in agent sets up their own two-factor sign-in")
	}
	code = normalizeCode(code)
	if !isTOTPCode(code) {
		return nil, apperr.InvalidField("code", "must be the 6 digits your authenticator app shows")
	}
	now := s.now()
	var codes []string
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var stored string
		var last int64
		err := tx.QueryRowContext(ctx, `SELECT secret, last_step FROM agent_totp WHERE agent_id = ? AND confirmed_at IS NULL`, actor.ID).Scan(&stored, &last)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.Conflict("code", "there is no authenticator waiting to be confirmed; start again")
		}
		if err != nil {
			return fmt.Errorf("auth: confirm two-factor: %w", err)
		}
		ok, err := s.checkTOTP(ctx, tx, actor.ID, stored, last, code, now)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.InvalidField("code", "is not the current code; check the time on your phone and try the next one")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE agent_totp SET confirmed_at = ? WHERE agent_id = ?`, db.Millis(now), actor.ID); err != nil {
			return fmt.Errorf("auth: confirm two-factor: %w", err)
		}
		if codes, err = s.newRecoveryCodes(ctx, tx, actor.ID, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, actor, "auth.two_factor_on", strconv.FormatInt(actor.ID, 10), nil)
	})
	return codes, err
}

// RegenerateRecoveryCodes replaces the signed-in agent's recovery codes;
// proof is a current code or their password.
func (s *Service) RegenerateRecoveryCodes(ctx context.Context, actor authz.Actor, proof string) ([]string, error) {
	var codes []string
	err := s.withProof(ctx, actor, proof, func(tx *db.Tx, now time.Time) error {
		var err error
		if codes, err = s.newRecoveryCodes(ctx, tx, actor.ID, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, actor, "auth.recovery_codes_new", strconv.FormatInt(actor.ID, 10), nil)
	})
	return codes, err
}

// DisableTwoFactor turns the signed-in agent's two-factor sign-in off;
// proof is a current code or their password.
func (s *Service) DisableTwoFactor(ctx context.Context, actor authz.Actor, proof string) error {
	return s.withProof(ctx, actor, proof, func(tx *db.Tx, now time.Time) error {
		before, err := twoFactorState(ctx, tx, actor.ID)
		if err != nil {
			return err
		}
		if err := clearTwoFactor(ctx, tx, actor.ID); err != nil {
			return err
		}
		after, err := twoFactorState(ctx, tx, actor.ID)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, actor, "auth.two_factor_off", strconv.FormatInt(actor.ID, 10), audit.Change(before, after))
	})
}

// ResetTwoFactor turns another agent's two-factor sign-in off (a lost
// phone) and ends their sessions; it needs agent.write, for an admin
// agent.admin_write. Audit-logged.
func (s *Service) ResetTwoFactor(ctx context.Context, actor authz.Actor, agentID int64) error {
	if actor.Kind == authz.KindAgent && actor.ID == agentID {
		return apperr.Forbidden("turn your own two-factor sign-in off on My profile")
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		var role string
		err := tx.QueryRowContext(ctx, `SELECT role FROM agents WHERE id = ?`, agentID).Scan(&role)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("agent", agentID)
		}
		if err != nil {
			return fmt.Errorf("auth: reset two-factor: %w", err)
		}
		if err := checkOther(actor, agentID, authz.Role(role)); err != nil {
			return err
		}
		before, err := twoFactorState(ctx, tx, agentID)
		if err != nil {
			return err
		}
		if err := clearTwoFactor(ctx, tx, agentID); err != nil {
			return err
		}
		if err := clearPasskeys(ctx, tx, agentID); err != nil { // a lost device may hold them
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE agent_id = ?`, agentID); err != nil {
			return fmt.Errorf("auth: reset two-factor: %w", err)
		}
		after, err := twoFactorState(ctx, tx, agentID)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), actor, "auth.two_factor_reset", strconv.FormatInt(agentID, 10), audit.Change(before, after))
	})
}

// twoFactorState is what an audit row says of an agent's second factors
// and sessions: whether an authenticator app is on and how many passkeys
// and sessions there are — never the secrets themselves (the keys are
// chosen so the redaction of secret-like names leaves them readable).
func twoFactorState(ctx context.Context, tx *db.Tx, agentID int64) (map[string]any, error) {
	var app, passkeys, sessions int
	err := tx.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM agent_totp WHERE agent_id = ? AND confirmed_at IS NOT NULL),
		(SELECT COUNT(*) FROM agent_passkeys WHERE agent_id = ?),
		(SELECT COUNT(*) FROM sessions WHERE agent_id = ?)`, agentID, agentID, agentID).Scan(&app, &passkeys, &sessions)
	if err != nil {
		return nil, fmt.Errorf("auth: two-factor state: %w", err)
	}
	return map[string]any{"authenticator_app": app > 0, "passkeys": passkeys, "sessions": sessions}, nil
}

func clearTwoFactor(ctx context.Context, tx *db.Tx, agentID int64) error {
	for _, q := range []string{`DELETE FROM agent_totp WHERE agent_id = ?`, `DELETE FROM agent_recovery_codes WHERE agent_id = ?`, `DELETE FROM signin_challenges WHERE agent_id = ?`} {
		if _, err := tx.ExecContext(ctx, q, agentID); err != nil {
			return fmt.Errorf("auth: clear two-factor: %w", err)
		}
	}
	return nil
}

// withProof runs fn after checking proof (a current code or the password)
// for the signed-in agent with two-factor on. Checks are limited per agent
// like current-password checks; a right proof gives its check back.
func (s *Service) withProof(ctx context.Context, actor authz.Actor, proof string, fn func(tx *db.Tx, now time.Time) error) error {
	if actor.Kind != authz.KindAgent || actor.ID == 0 {
		return apperr.Forbidden("only a signed-in agent changes their own two-factor sign-in")
	}
	if strings.TrimSpace(proof) == "" {
		return apperr.InvalidField("proof", "is required")
	}
	var hash string
	if err := s.db.QueryRowContext(ctx, `SELECT password_hash FROM agents WHERE id = ?`, actor.ID).Scan(&hash); err != nil {
		return fmt.Errorf("auth: two-factor proof: %w", err)
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
	// A password is checked outside the transaction (it is slow); a code
	// inside, where its step is claimed.
	pwOK := false
	if code := normalizeCode(proof); !isTOTPCode(code) {
		pwOK, _ = VerifyPassword(hash, proof)
		if !pwOK {
			s.recordFailure(ctx, actor, "auth.two_factor_proof_failed", bucket)
			return errWrongProof
		}
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		var stored string
		var last int64
		err := tx.QueryRowContext(ctx, `SELECT secret, last_step FROM agent_totp WHERE agent_id = ? AND confirmed_at IS NOT NULL`, actor.ID).Scan(&stored, &last)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.Conflict("two_factor", "two-factor sign-in is not on")
		}
		if err != nil {
			return fmt.Errorf("auth: two-factor proof: %w", err)
		}
		if !pwOK {
			ok, err := s.checkTOTP(ctx, tx, actor.ID, stored, last, normalizeCode(proof), now)
			if err != nil {
				return err
			}
			if !ok {
				return errWrongProof
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM password_attempts WHERE id = ?`, slot); err != nil {
			return fmt.Errorf("auth: attempt: %w", err)
		}
		return fn(tx, now)
	})
}

func (s *Service) recordFailure(ctx context.Context, actor authz.Actor, action, target string) {
	_ = s.db.Write(ctx, func(tx *db.Tx) error {
		return audit.Record(ctx, tx, s.now(), actor, action, target, nil)
	})
}

// checkTOTP reports whether code is right for a step after last within one
// step of now, and claims that step so the code cannot be used again.
func (s *Service) checkTOTP(ctx context.Context, tx *db.Tx, agentID int64, stored string, last int64, code string, now time.Time) (bool, error) {
	key, err := s.openKey(stored)
	if err != nil {
		return false, err
	}
	opts := totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	cur := now.Unix() / totpPeriod
	for _, step := range []int64{cur - 1, cur, cur + 1} {
		if step <= last {
			continue
		}
		want, err := totp.GenerateCodeCustom(key.Secret(), time.Unix(step*totpPeriod, 0), opts)
		if err != nil {
			return false, fmt.Errorf("auth: two-factor code: %w", err)
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) != 1 {
			continue
		}
		res, err := tx.ExecContext(ctx, `UPDATE agent_totp SET last_step = ? WHERE agent_id = ? AND last_step < ?`, step, agentID, step)
		if err != nil {
			return false, fmt.Errorf("auth: two-factor code: %w", err)
		}
		n, _ := res.RowsAffected()
		return n == 1, nil
	}
	return false, nil
}

// normalizeCode drops spaces and dashes and lowers the case, so codes
// typed as shown (123 456, abcd-efgh-…) are read.
func normalizeCode(c string) string {
	return strings.ToLower(strings.NewReplacer(" ", "", "-", "", "\t", "").Replace(strings.TrimSpace(c)))
}

func isTOTPCode(c string) bool {
	if len(c) != 6 {
		return false
	}
	for _, r := range c {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

var recoveryEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

func recoveryHash(agentID int64, code string) string {
	h := sha256.Sum256([]byte("ombud recovery code\x00" + strconv.FormatInt(agentID, 10) + "\x00" + code))
	return hex.EncodeToString(h[:])
}

// newRecoveryCodes replaces agentID's recovery codes with new ones and
// returns them formatted for reading (abcd-efgh-ijkl-mnop).
func (s *Service) newRecoveryCodes(ctx context.Context, tx *db.Tx, agentID int64, now time.Time) ([]string, error) {
	if _, err := tx.ExecContext(ctx, `DELETE FROM agent_recovery_codes WHERE agent_id = ?`, agentID); err != nil {
		return nil, fmt.Errorf("auth: recovery codes: %w", err)
	}
	out := make([]string, 0, RecoveryCodes)
	for range RecoveryCodes {
		var b [10]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, fmt.Errorf("auth: recovery codes: %w", err)
		}
		code := strings.ToLower(recoveryEncoding.EncodeToString(b[:]))
		if _, err := tx.ExecContext(ctx, `INSERT INTO agent_recovery_codes (agent_id, code_hash, created_at) VALUES (?, ?, ?)`,
			agentID, recoveryHash(agentID, code), db.Millis(now)); err != nil {
			return nil, fmt.Errorf("auth: recovery codes: %w", err)
		}
		out = append(out, code[0:4]+"-"+code[4:8]+"-"+code[8:12]+"-"+code[12:16])
	}
	return out, nil
}

// challenge records the half-signed-in state after a right password of an
// agent with two-factor on. The password's slots in the sign-in limits are
// given back, but the address is not made known for the account: only a
// finished sign-in does that.
func (s *Service) challenge(ctx context.Context, now time.Time, agentID int64, email string, slot reservation, ip, action string) (SessionInfo, error) {
	raw := randomToken(32)
	exp := now.Add(challengeTTL)
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM signin_challenges WHERE expires_at < ?`, db.Millis(now)); err != nil {
			return fmt.Errorf("auth: sign-in challenge: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO signin_challenges (id_hash, agent_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
			hashToken(raw), agentID, db.Millis(now), db.Millis(exp)); err != nil {
			return fmt.Errorf("auth: sign-in challenge: %w", err)
		}
		if err := s.limiter.release(ctx, tx, now, reservation{buckets: slot.buckets}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, authz.Actor{Kind: authz.KindAgent, ID: agentID}, action, email, map[string]any{"ip": ip})
	})
	if err != nil {
		return SessionInfo{}, err
	}
	return SessionInfo{Challenge: raw, AgentID: agentID, ExpiresAt: exp}, nil
}

// ChallengeOpen reports whether raw is a live sign-in challenge (the code
// page is shown only then).
func (s *Service) ChallengeOpen(ctx context.Context, raw string) bool {
	if raw == "" || len(raw) > 200 {
		return false
	}
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM signin_challenges WHERE id_hash = ? AND expires_at > ?`, hashToken(raw), db.Millis(s.now())).Scan(&n)
	return err == nil && n > 0
}

// CompleteSignIn finishes a sign-in with the challenge from SignIn and a
// code from the authenticator or an unused recovery code, and opens the
// session. Attempts count in the same sign-in limits as passwords.
func (s *Service) CompleteSignIn(ctx context.Context, raw, code, ip, userAgent string) (SessionInfo, error) {
	if raw == "" || len(raw) > 200 {
		return SessionInfo{}, errChallengeEnd
	}
	now := s.now()
	h := hashToken(raw)
	var agentID, exp int64
	var email, hash string
	var active bool
	err := s.db.QueryRowContext(ctx, `SELECT c.agent_id, c.expires_at, a.email, a.password_hash, a.active FROM signin_challenges c JOIN agents a ON a.id = c.agent_id WHERE c.id_hash = ?`, h).
		Scan(&agentID, &exp, &email, &hash, &active)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (!active || db.Time(exp).Before(now))) {
		return SessionInfo{}, errChallengeEnd
	}
	if err != nil {
		return SessionInfo{}, fmt.Errorf("auth: complete sign-in: %w", err)
	}
	slot, err := s.limiter.reserve(ctx, now, email, hash, ip)
	if err != nil {
		return SessionInfo{}, err
	}
	actor := authz.Actor{Kind: authz.KindAgent, ID: agentID}
	code = normalizeCode(code)
	var info SessionInfo
	method := "totp"
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		ok := false
		switch {
		case isTOTPCode(code):
			var stored string
			var last int64
			err := tx.QueryRowContext(ctx, `SELECT secret, last_step FROM agent_totp WHERE agent_id = ? AND confirmed_at IS NOT NULL`, agentID).Scan(&stored, &last)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("auth: complete sign-in: %w", err)
			}
			if err == nil {
				if ok, err = s.checkTOTP(ctx, tx, agentID, stored, last, code, now); err != nil {
					return err
				}
			}
		case len(code) == 16:
			method = "recovery_code"
			res, err := tx.ExecContext(ctx, `UPDATE agent_recovery_codes SET used_at = ? WHERE agent_id = ? AND code_hash = ? AND used_at IS NULL`,
				db.Millis(now), agentID, recoveryHash(agentID, code))
			if err != nil {
				return fmt.Errorf("auth: complete sign-in: %w", err)
			}
			n, _ := res.RowsAffected()
			ok = n == 1
		}
		if !ok {
			return errWrongCode
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM signin_challenges WHERE id_hash = ?`, h); err != nil {
			return fmt.Errorf("auth: complete sign-in: %w", err)
		}
		var err error
		if info, err = s.openSession(ctx, tx, now, agentID, ip, userAgent); err != nil {
			return err
		}
		if err := s.limiter.release(ctx, tx, now, slot); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, actor, "auth.sign_in", email, map[string]any{"ip": ip, "second_factor": method})
	})
	if errors.Is(err, errWrongCode) {
		// The slots stay taken; the challenge counts the miss and ends after
		// challengeTries of them.
		_ = s.db.Write(ctx, func(tx *db.Tx) error {
			if _, err := tx.ExecContext(ctx, `UPDATE signin_challenges SET attempts = attempts + 1 WHERE id_hash = ?`, h); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM signin_challenges WHERE id_hash = ? AND attempts >= ?`, h, challengeTries); err != nil {
				return err
			}
			return audit.Record(ctx, tx, now, actor, "auth.two_factor_failed", email, map[string]any{"ip": ip})
		})
	}
	if err != nil {
		return SessionInfo{}, err
	}
	return info, nil
}

// RequiredRoles lists the roles that must use two-factor sign-in.
func (s *Service) RequiredRoles(ctx context.Context) ([]authz.Role, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT role FROM two_factor_roles ORDER BY role`)
	if err != nil {
		return nil, fmt.Errorf("auth: two-factor roles: %w", err)
	}
	defer rows.Close()
	out := []authz.Role{}
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, fmt.Errorf("auth: two-factor roles: %w", err)
		}
		out = append(out, authz.Role(r))
	}
	return out, rows.Err()
}

// SetRequiredRoles sets the roles that must use two-factor sign-in; it
// needs agent.admin_write. Agents of those roles without it are sent to
// set it up at their next request.
func (s *Service) SetRequiredRoles(ctx context.Context, actor authz.Actor, roles []authz.Role) error {
	if err := authz.Check(actor, authz.AgentAdminWrite); err != nil {
		return err
	}
	for i, r := range roles {
		if !slices.Contains(authz.Roles, r) {
			return apperr.InvalidField(fmt.Sprintf("roles[%d]", i), "is not a role")
		}
	}
	before, err := s.RequiredRoles(ctx)
	if err != nil {
		return err
	}
	now := s.now()
	return s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM two_factor_roles`); err != nil {
			return fmt.Errorf("auth: two-factor roles: %w", err)
		}
		seen := map[authz.Role]bool{}
		after := []string{}
		for _, r := range roles {
			if seen[r] {
				continue
			}
			seen[r] = true
			after = append(after, string(r))
			if _, err := tx.ExecContext(ctx, `INSERT INTO two_factor_roles (role, created_at) VALUES (?, ?)`, string(r), db.Millis(now)); err != nil {
				return fmt.Errorf("auth: two-factor roles: %w", err)
			}
		}
		return audit.Record(ctx, tx, now, actor, "auth.two_factor_roles", "two_factor_roles", map[string]any{"before": before, "after": after})
	})
}

// SealSecrets seals TOTP secrets stored unsealed and, with rotate,
// re-seals those sealed with a previous key (`ombud secrets rotate`).
func (s *Service) SealSecrets(ctx context.Context, rotate bool) (secret.Tally, error) {
	var t secret.Tally
	if s.box == nil {
		return t, nil
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		t = secret.Tally{}
		type row struct {
			id     int64
			stored string
		}
		rows, err := tx.QueryContext(ctx, `SELECT agent_id, secret FROM agent_totp ORDER BY agent_id`)
		if err != nil {
			return fmt.Errorf("auth: read two-factor secrets: %w", err)
		}
		var all []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.stored); err != nil {
				rows.Close()
				return fmt.Errorf("auth: read two-factor secrets: %w", err)
			}
			all = append(all, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("auth: read two-factor secrets: %w", err)
		}
		for _, r := range all {
			out, write := s.box.Sweep(totpPurpose, r.stored, rotate, &t)
			if !write {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE agent_totp SET secret = ? WHERE agent_id = ? AND secret = ?`, out, r.id, r.stored); err != nil {
				return fmt.Errorf("auth: seal two-factor secret of %d: %w", r.id, err)
			}
		}
		return nil
	})
	return t, err
}
