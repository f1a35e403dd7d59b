package auth

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// Signing in with a passkey (passkeys.go has the rules):
//
//   - Second factor: after a right password, the half-signed-in challenge
//     (signin_challenges) is finished by a passkey instead of a code. The
//     attempt takes its slots in the sign-in limits first, a refused one
//     counts against the challenge like a wrong code.
//   - Passwordless: the sign-in page asks for any passkey of this site
//     (a discoverable credential) with user verification, which stands for
//     both factors. The account is known only from the answer; its slots in
//     the limits are taken before the signature is checked, and an unknown
//     passkey takes the address's slots.

var errPasskeySignIn = apperr.Unauthenticated("this passkey cannot sign in here; sign in with your password")

// ChallengeFactors reports what can finish the half-signed-in sign-in of
// raw: codes (an authenticator app or recovery codes) and passkeys; ok is
// false when the challenge is not live.
func (s *Service) ChallengeFactors(ctx context.Context, raw string) (codes, passkeys, ok bool) {
	if raw == "" || len(raw) > 200 {
		return false, false, false
	}
	var agentID int64
	err := s.db.QueryRowContext(ctx, `SELECT agent_id FROM signin_challenges WHERE id_hash = ? AND expires_at > ?`, hashToken(raw), db.Millis(s.now())).Scan(&agentID)
	if err != nil {
		return false, false, false
	}
	var totp, recovery, keys int
	err = s.db.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM agent_totp WHERE agent_id = ? AND confirmed_at IS NOT NULL),
		(SELECT COUNT(*) FROM agent_recovery_codes WHERE agent_id = ? AND used_at IS NULL),
		(SELECT COUNT(*) FROM agent_passkeys WHERE agent_id = ?)`, agentID, agentID, agentID).Scan(&totp, &recovery, &keys)
	if err != nil {
		return false, false, false
	}
	return totp+recovery > 0, keys > 0 && s.PasskeysAvailable(), true
}

// signinChallenge is a live half-signed-in state with its agent.
type signinChallenge struct {
	hash, email, pwHash string
	agentID             int64
}

func (s *Service) openChallenge(ctx context.Context, raw string) (signinChallenge, error) {
	c := signinChallenge{hash: hashToken(raw)}
	if raw == "" || len(raw) > 200 {
		return c, errChallengeEnd
	}
	var exp int64
	var active bool
	err := s.db.QueryRowContext(ctx, `SELECT c.agent_id, c.expires_at, a.email, a.password_hash, a.active FROM signin_challenges c JOIN agents a ON a.id = c.agent_id WHERE c.id_hash = ?`, c.hash).
		Scan(&c.agentID, &exp, &c.email, &c.pwHash, &active)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (!active || db.Time(exp).Before(s.now()))) {
		return c, errChallengeEnd
	}
	if err != nil {
		return c, fmt.Errorf("auth: passkey sign-in: %w", err)
	}
	return c, nil
}

// BeginPasskeySecondFactor gives the options for navigator.credentials.get
// that finish the half-signed-in sign-in of raw with one of the agent's
// passkeys.
func (s *Service) BeginPasskeySecondFactor(ctx context.Context, raw string) (json.RawMessage, error) {
	wa := s.passkeys.wa
	if wa == nil {
		return nil, errNoPasskeys
	}
	c, err := s.openChallenge(ctx, raw)
	if err != nil {
		return nil, err
	}
	u, err := s.passkeyUser(ctx, s.db, c.agentID)
	if err != nil {
		return nil, err
	}
	if len(u.rows) == 0 {
		return nil, apperr.Conflict("passkey", "you have no passkey; use a code")
	}
	assertion, sd, err := wa.BeginLogin(u)
	if err != nil {
		return nil, fmt.Errorf("auth: begin passkey sign-in: %w", err)
	}
	if err := s.storeCeremony(ctx, kindSecondFactor, c.agentID, c.hash, sd, false); err != nil {
		return nil, err
	}
	return marshalOptions(assertion)
}

func marshalOptions(a *protocol.CredentialAssertion) (json.RawMessage, error) {
	out, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("auth: passkey options: %w", err)
	}
	return out, nil
}

// FinishPasskeySecondFactor finishes the half-signed-in sign-in of raw
// with the browser's answer to BeginPasskeySecondFactor and opens the
// session.
func (s *Service) FinishPasskeySecondFactor(ctx context.Context, raw string, answer []byte, ip, userAgent string) (SessionInfo, error) {
	wa := s.passkeys.wa
	if wa == nil {
		return SessionInfo{}, errNoPasskeys
	}
	c, err := s.openChallenge(ctx, raw)
	if err != nil {
		return SessionInfo{}, err
	}
	parsed, err := parseAssertion(answer)
	if err != nil {
		return SessionInfo{}, err
	}
	now := s.now()
	slot, err := s.limiter.reserve(ctx, now, c.email, c.pwHash, ip)
	if err != nil {
		return SessionInfo{}, err
	}
	actor := authz.Actor{Kind: authz.KindAgent, ID: c.agentID}
	info, err := s.verifyPasskey(ctx, wa, kindSecondFactor, parsed, func(cer ceremony) (*passkeyUser, error) {
		if cer.agentID != c.agentID || cer.signinHash != c.hash {
			return nil, errNoCeremony
		}
		u, err := s.passkeyUser(ctx, s.db, c.agentID)
		if err != nil {
			return nil, err
		}
		cred, err := validate(func() (*webauthn.Credential, error) { return wa.ValidateLogin(u, cer.session, parsed) })
		return u, useCredential(u, cred, err)
	}, func(tx *db.Tx, u *passkeyUser) (SessionInfo, error) {
		if _, err := tx.ExecContext(ctx, `DELETE FROM signin_challenges WHERE id_hash = ?`, c.hash); err != nil {
			return SessionInfo{}, fmt.Errorf("auth: passkey sign-in: %w", err)
		}
		info, err := s.openSession(ctx, tx, now, c.agentID, ip, userAgent)
		if err != nil {
			return SessionInfo{}, err
		}
		if err := s.limiter.release(ctx, tx, now, slot); err != nil {
			return SessionInfo{}, err
		}
		return info, audit.Record(ctx, tx, now, actor, "auth.sign_in", c.email, map[string]any{"ip": ip, "second_factor": "passkey"})
	})
	if err != nil {
		// The slots stay taken; the challenge counts the miss.
		_ = s.db.Write(ctx, func(tx *db.Tx) error {
			if _, err := tx.ExecContext(ctx, `UPDATE signin_challenges SET attempts = attempts + 1 WHERE id_hash = ?`, c.hash); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM signin_challenges WHERE id_hash = ? AND attempts >= ?`, c.hash, challengeTries); err != nil {
				return err
			}
			return audit.Record(ctx, tx, now, actor, failureAction(err), c.email, map[string]any{"ip": ip})
		})
		return SessionInfo{}, publicPasskeyError(err, errPasskeyNotOK)
	}
	return info, nil
}

// BeginPasskeySignIn gives the options for a sign-in with any passkey of
// this site, without a password: user verification is required, as the
// passkey stands for both factors.
func (s *Service) BeginPasskeySignIn(ctx context.Context) (json.RawMessage, error) {
	wa := s.passkeys.wa
	if wa == nil {
		return nil, errNoPasskeys
	}
	assertion, sd, err := wa.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return nil, fmt.Errorf("auth: begin passkey sign-in: %w", err)
	}
	if err := s.storeCeremony(ctx, kindPasswordless, 0, "", sd, true); err != nil {
		return nil, err
	}
	return marshalOptions(assertion)
}

// FinishPasskeySignIn signs in with the browser's answer to
// BeginPasskeySignIn and opens the session.
func (s *Service) FinishPasskeySignIn(ctx context.Context, answer []byte, ip, userAgent string) (SessionInfo, error) {
	wa := s.passkeys.wa
	if wa == nil {
		return SessionInfo{}, errNoPasskeys
	}
	parsed, err := parseAssertion(answer)
	if err != nil {
		return SessionInfo{}, err
	}
	now := s.now()
	// Whose passkey it claims to be decides the limits' buckets.
	var agentID int64
	var email, pwHash string
	var active bool
	err = s.db.QueryRowContext(ctx, `SELECT a.id, a.email, a.password_hash, a.active FROM agent_passkeys p JOIN agents a ON a.id = p.agent_id WHERE p.credential_id = ?`,
		b64.EncodeToString(parsed.RawID)).Scan(&agentID, &email, &pwHash, &active)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return SessionInfo{}, fmt.Errorf("auth: passkey sign-in: %w", err)
	}
	slot, err := s.limiter.reserve(ctx, now, email, pwHash, ip)
	if err != nil {
		return SessionInfo{}, err
	}
	actor := authz.Actor{Kind: authz.KindAgent, ID: agentID}
	info, err := s.verifyPasskey(ctx, wa, kindPasswordless, parsed, func(cer ceremony) (*passkeyUser, error) {
		if agentID == 0 || !active {
			return nil, errPasskeySignIn
		}
		u, err := s.passkeyUser(ctx, s.db, agentID)
		if err != nil {
			return nil, err
		}
		cred, err := validate(func() (*webauthn.Credential, error) {
			_, c, err := wa.ValidatePasskeyLogin(func(rawID, handle []byte) (webauthn.User, error) {
				if r, ok := u.row(rawID); !ok || !bytes.Equal(r.handle, handle) {
					return nil, errPasskeySignIn
				}
				return u, nil
			}, cer.session, parsed)
			return c, err
		})
		return u, useCredential(u, cred, err)
	}, func(tx *db.Tx, u *passkeyUser) (SessionInfo, error) {
		info, err := s.openSession(ctx, tx, now, agentID, ip, userAgent)
		if err != nil {
			return SessionInfo{}, err
		}
		if err := s.limiter.release(ctx, tx, now, slot); err != nil {
			return SessionInfo{}, err
		}
		return info, audit.Record(ctx, tx, now, actor, "auth.sign_in", email, map[string]any{"ip": ip, "method": "passkey"})
	})
	if err != nil {
		// The slots stay taken: a failed attempt.
		_ = s.db.Write(ctx, func(tx *db.Tx) error {
			return audit.Record(ctx, tx, now, actor, failureAction(err), email, map[string]any{"ip": ip})
		})
		return SessionInfo{}, publicPasskeyError(err, errPasskeySignIn)
	}
	return info, nil
}

// validate runs a library check; a panic on hostile input is a refusal.
func validate(check func() (*webauthn.Credential, error)) (cred *webauthn.Credential, err error) {
	defer func() {
		if recover() != nil {
			cred, err = nil, errPasskeyNotOK
		}
	}()
	return check()
}

// useCredential turns the library's verdict into the credential to claim:
// an error, or a counter that did not advance, refuses it.
func useCredential(u *passkeyUser, cred *webauthn.Credential, err error) error {
	if err != nil {
		if errors.Is(err, errPasskeySignIn) {
			return errPasskeySignIn
		}
		return fmt.Errorf("%w: %w", errPasskeyNotOK, err)
	}
	if cred == nil {
		return errPasskeyNotOK
	}
	if cred.Authenticator.CloneWarning {
		return errPasskeyClone
	}
	for i := range u.rows {
		if bytes.Equal(u.rows[i].cred.ID, cred.ID) {
			u.rows[i].cred = *cred
			u.used = i
			return nil
		}
	}
	return errPasskeyNotOK
}

// verifyPasskey takes the ceremony the answer names, checks the answer
// (check loads the user and validates) and, in one transaction, claims the
// passkey's counter and runs done.
func (s *Service) verifyPasskey(ctx context.Context, wa *webauthn.WebAuthn, kind string, parsed *protocol.ParsedCredentialAssertionData,
	check func(ceremony) (*passkeyUser, error), done func(*db.Tx, *passkeyUser) (SessionInfo, error)) (SessionInfo, error) {
	cer, err := s.takeCeremony(ctx, parsed.Response.CollectedClientData.Challenge, kind)
	if err != nil {
		return SessionInfo{}, err
	}
	u, err := check(cer)
	if err != nil {
		return SessionInfo{}, err
	}
	now := s.now()
	var info SessionInfo
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		if err := claimPasskey(ctx, tx, u.rows[u.used], now); err != nil {
			return err
		}
		var err error
		info, err = done(tx, u)
		return err
	})
	return info, err
}

// claimPasskey stores the counter and flags of a verified assertion, only
// if the counter went past the stored one (or both are 0): of two answers
// with the same counter, parallel or replayed from a clone, one passes.
func claimPasskey(ctx context.Context, tx *db.Tx, r passkeyRow, now time.Time) error {
	n := int64(r.cred.Authenticator.SignCount)
	res, err := tx.ExecContext(ctx, `UPDATE agent_passkeys SET sign_count = ?, flags = ?, last_used_at = ? WHERE id = ? AND (sign_count < ? OR (sign_count = 0 AND ? = 0))`,
		n, int(r.cred.Flags.ProtocolValue()), db.Millis(now), r.id, n, n)
	if err != nil {
		return fmt.Errorf("auth: passkey use: %w", err)
	}
	if k, _ := res.RowsAffected(); k != 1 {
		return errPasskeyClone
	}
	return nil
}

// failureAction is the audit action of a refused passkey sign-in.
func failureAction(err error) string {
	if errors.Is(err, errPasskeyClone) {
		return "auth.passkey_clone_warning"
	}
	return "auth.passkey_failed"
}

// publicPasskeyError is what the client learns of a refusal: apperr
// errors as they are, a refused or cloned passkey as refused.
func publicPasskeyError(err, refused error) error {
	var e *apperr.Error
	switch {
	case errors.Is(err, errPasskeyClone), errors.Is(err, errPasskeyNotOK):
		return refused
	case errors.As(err, &e):
		return e
	}
	return err
}
