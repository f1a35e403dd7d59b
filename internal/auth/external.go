package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// Sign-in through an external identity provider (single sign-on, package
// sso): the provider proved who the agent is, so no password is checked.
//
//   - A provider the admin marked as enforcing multi-factor sign-in opens a
//     session that satisfies the two-factor policy of the agent's role
//     (sessions.mfa_by_sso): no code is asked and no enrolment is forced.
//   - Otherwise the sign-in counts as a password: an agent with two-factor
//     on gets the same code challenge, and one whose role requires it must
//     enrol first.

// PasswordPolicy decides whether an agent may sign in with a password (SSO
// may be required for their role); it returns a refusal or nil.
type PasswordPolicy func(ctx context.Context, agentID int64, role authz.Role) error

// SetPasswordPolicy installs the check password sign-in runs after a right
// password (set by the app from the sso service).
func (s *Service) SetPasswordPolicy(p PasswordPolicy) { s.passwordPolicy = p }

// ExternalSignIn is a sign-in an identity provider vouched for.
type ExternalSignIn struct {
	AgentID   int64
	MFA       bool           // the provider enforces multi-factor sign-in
	IP        string         // the client's address
	UserAgent string         // the browser
	Detail    map[string]any // recorded with the audit row (provider, subject)
}

var errExternalInactive = apperr.Forbidden("your account is deactivated; ask an admin")

// SignInExternal opens a session (or a code challenge, see above) for an
// agent an identity provider signed in. Deactivated agents are refused.
func (s *Service) SignInExternal(ctx context.Context, in ExternalSignIn) (SessionInfo, error) {
	now := s.now()
	var email string
	var active bool
	err := s.db.QueryRowContext(ctx, `SELECT email, active FROM agents WHERE id = ?`, in.AgentID).Scan(&email, &active)
	if errors.Is(err, sql.ErrNoRows) {
		return SessionInfo{}, apperr.NotFound("agent", in.AgentID)
	}
	if err != nil {
		return SessionInfo{}, fmt.Errorf("auth: external sign-in: %w", err)
	}
	data := map[string]any{"ip": in.IP, "method": "sso"}
	for k, v := range in.Detail {
		data[k] = v
	}
	actor := authz.Actor{Kind: authz.KindAgent, ID: in.AgentID}
	if !active {
		_ = s.db.Write(ctx, func(tx *db.Tx) error {
			return audit.Record(ctx, tx, now, actor, "auth.sign_in_failed", email, data)
		})
		return SessionInfo{}, errExternalInactive
	}
	if !in.MFA {
		if on, err := s.twoFactorOn(ctx, s.db, in.AgentID); err != nil {
			return SessionInfo{}, err
		} else if on {
			return s.challenge(ctx, now, in.AgentID, email, reservation{}, in.IP, "auth.sign_in_sso")
		}
	}
	var info SessionInfo
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		var err error
		if info, err = s.openSession(ctx, tx, now, in.AgentID, in.IP, in.UserAgent); err != nil {
			return err
		}
		if in.MFA {
			if _, err := tx.ExecContext(ctx, `UPDATE sessions SET mfa_by_sso = ? WHERE id_hash = ?`, true, hashToken(info.Token)); err != nil {
				return fmt.Errorf("auth: external sign-in: %w", err)
			}
			data["second_factor"] = "provider"
		}
		return audit.Record(ctx, tx, now, actor, "auth.sign_in", email, data)
	})
	if err != nil {
		return SessionInfo{}, err
	}
	return info, nil
}
