package auth

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/secret"
)

// Options tune the service.
type Options struct {
	SessionTTL   time.Duration // former name of SessionIdle, used when that is not set
	SessionIdle  time.Duration // a session unused this long ends; default 12 hours
	SessionMax   time.Duration // a session ends this long after sign-in; default 30 days
	SignInLimit  int           // attempts per account and client address per window; default 10
	AddressLimit int           // attempts per client address over all accounts; default 5 × SignInLimit
	AccountLimit int           // attempts per account from addresses not known for it; default 10 × SignInLimit
	LimitWindow  time.Duration // default 15 minutes
	KnownFor     time.Duration // how long a successful sign-in makes its address known; default 30 days
	CacheTTL     time.Duration // how long a verified API token is trusted without a query; default 10 s
}

// Service authenticates agents.
type Service struct {
	db      *db.DB
	now     func() time.Time
	opts    Options
	limiter *limiter
	cache   *tokenCache
	// dummy is a real hash verified for unknown emails, so a sign-in takes
	// as long whether or not the account exists.
	dummy string
	// resets sends password reset links (reset.go); set by Register.
	resets resetState
	// box seals TOTP secrets (twofactor.go); set by SetSecrets.
	box *secret.Box
	// passwordPolicy may refuse password sign-in (SSO required for a
	// role); set by SetPasswordPolicy (external.go).
	passwordPolicy PasswordPolicy
	// passkeys is the WebAuthn relying party (passkeys.go); set by
	// SetRelyingParty.
	passkeys passkeyState
}

// NewService returns an auth service.
func NewService(d *db.DB, now func() time.Time, opts Options) *Service {
	if opts.SessionIdle <= 0 {
		opts.SessionIdle = opts.SessionTTL
	}
	if opts.SessionIdle <= 0 {
		opts.SessionIdle = 12 * time.Hour
	}
	if opts.SessionMax <= 0 {
		opts.SessionMax = 30 * 24 * time.Hour
	}
	if opts.SignInLimit <= 0 {
		opts.SignInLimit = 10
	}
	if opts.AddressLimit <= 0 {
		opts.AddressLimit = 5 * opts.SignInLimit
	}
	if opts.AccountLimit <= 0 {
		opts.AccountLimit = 10 * opts.SignInLimit
	}
	if opts.LimitWindow <= 0 {
		opts.LimitWindow = 15 * time.Minute
	}
	if opts.KnownFor <= 0 {
		opts.KnownFor = 30 * 24 * time.Hour
	}
	if opts.CacheTTL <= 0 {
		opts.CacheTTL = 10 * time.Second
	}
	dummy, _ := HashPassword("not a real password, only for timing")
	return &Service{db: d, now: now, opts: opts, limiter: newLimiter(d, opts), cache: newTokenCache(10000), dummy: dummy}
}

func hashToken(raw string) string {
	h := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(h[:])
}

// SessionInfo is a new browser session; Token goes in the cookie and is
// never stored. When the agent uses two-factor sign-in, a right password
// opens no session yet: Challenge is set instead (Token is empty), the
// token of the half-signed-in state that CompleteSignIn takes with a code.
type SessionInfo struct {
	Token     string
	CSRF      string
	AgentID   int64
	ExpiresAt time.Time
	Challenge string
}

// SessionView is what a request learns from its session.
type SessionView struct {
	AgentID  int64
	CSRF     string
	Name     string
	Email    string
	Locale   string
	TimeZone string
	// MustEnrol: the agent's role requires two-factor sign-in and they have
	// not set it up; they may do nothing but that (web's enrolment gate).
	MustEnrol bool
}

var errSignIn = apperr.Unauthenticated("email or password is wrong")

// SignIn checks a password and opens a session. Attempts are rate limited
// per account and client address, per address and per account (limit.go).
func (s *Service) SignIn(ctx context.Context, email, password, ip, userAgent string) (SessionInfo, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	now := s.now()
	var id int64
	var hash, role string
	var active bool
	err := s.db.QueryRowContext(ctx, `SELECT id, password_hash, active, role FROM agents WHERE email = ?`, email).Scan(&id, &hash, &active, &role)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return SessionInfo{}, fmt.Errorf("auth: sign in: %w", err)
	}
	found := err == nil
	// The attempt is counted before the password is checked: parallel
	// guesses cannot all pass a check that only later failures update.
	// The account's bucket is per password hash, so a reset starts afresh.
	slot, err := s.limiter.reserve(ctx, now, email, hash, ip)
	if err != nil {
		return SessionInfo{}, err
	}
	ok := false
	if found && hash != "" {
		ok, _ = VerifyPassword(hash, password)
	} else {
		_, _ = VerifyPassword(s.dummy, password)
	}
	if !ok || !active {
		// The slot stays taken: this was a failed attempt. The reason is a
		// code for the audit reader; the person signing in is told only
		// that email or password is wrong.
		reason := "wrong_password"
		switch {
		case !found:
			reason = "unknown_account"
		case hash == "":
			reason = "no_password"
		case ok && !active:
			reason = "deactivated"
		}
		_ = s.db.Write(ctx, func(tx *db.Tx) error {
			return audit.Record(ctx, tx, now, authz.Actor{Kind: authz.KindAgent, ID: id}, "auth.sign_in_failed", email, map[string]any{"ip": ip, "reason": reason})
		})
		return SessionInfo{}, errSignIn
	}
	if s.passwordPolicy != nil {
		// Only after a right password: a guesser learns nothing of roles.
		if err := s.passwordPolicy(ctx, id, authz.Role(role)); err != nil {
			_ = s.db.Write(ctx, func(tx *db.Tx) error {
				return audit.Record(ctx, tx, now, authz.Actor{Kind: authz.KindAgent, ID: id}, "auth.sign_in_refused", email, map[string]any{"ip": ip, "reason": "sso_required"})
			})
			return SessionInfo{}, err
		}
	}
	if second, err := s.twoFactorOn(ctx, s.db, id); err != nil {
		return SessionInfo{}, err
	} else if second {
		return s.challenge(ctx, now, id, email, slot, ip, "auth.sign_in_password") // twofactor.go: the code is asked next
	}
	var info SessionInfo
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		var err error
		if info, err = s.openSession(ctx, tx, now, id, ip, userAgent); err != nil {
			return err
		}
		if err := s.limiter.release(ctx, tx, now, slot); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, authz.Actor{Kind: authz.KindAgent, ID: id}, "auth.sign_in", email, map[string]any{"ip": ip})
	})
	if err != nil {
		return SessionInfo{}, err
	}
	return info, nil
}

// Session resolves a session cookie. Expiry slides up to the absolute
// timeout: a session in use is extended, at most one write per ten minutes
// (sessions.go).
func (s *Service) Session(ctx context.Context, raw string) (authz.Actor, SessionView, error) {
	if raw == "" || len(raw) > 200 {
		return authz.Actor{}, SessionView{}, apperr.Unauthenticated("sign in again")
	}
	h := hashToken(raw)
	var v SessionView
	var role string
	var created, exp, seen int64
	var active bool
	var enrol int
	err := s.db.QueryRowContext(ctx, `SELECT s.agent_id, s.csrf_token, s.created_at, s.expires_at, s.last_seen_at, a.name, a.email, a.locale, a.time_zone, a.role, a.active,
			CASE WHEN NOT s.mfa_by_sso AND EXISTS (SELECT 1 FROM two_factor_roles r WHERE r.role = a.role)
				AND NOT EXISTS (SELECT 1 FROM agent_totp t WHERE t.agent_id = a.id AND t.confirmed_at IS NOT NULL)
				AND NOT EXISTS (SELECT 1 FROM agent_passkeys p WHERE p.agent_id = a.id) THEN 1 ELSE 0 END
		FROM sessions s JOIN agents a ON a.id = s.agent_id WHERE s.id_hash = ?`, h).
		Scan(&v.AgentID, &v.CSRF, &created, &exp, &seen, &v.Name, &v.Email, &v.Locale, &v.TimeZone, &role, &active, &enrol)
	if errors.Is(err, sql.ErrNoRows) {
		return authz.Actor{}, SessionView{}, apperr.Unauthenticated("your session ended; sign in again")
	}
	if err != nil {
		return authz.Actor{}, SessionView{}, fmt.Errorf("auth: session: %w", err)
	}
	now := s.now()
	v.MustEnrol = enrol == 1
	if !active || !s.sessionLive(now, db.Time(created), db.Time(seen), db.Time(exp)) {
		return authz.Actor{}, SessionView{}, apperr.Unauthenticated("your session ended; sign in again")
	}
	if now.Sub(db.Time(seen)) > s.extendEvery() {
		err := s.db.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id_hash = ?`,
				db.Millis(now), db.Millis(s.sessionEnd(db.Time(created), now)), h)
			return err
		})
		if err != nil {
			return authz.Actor{}, SessionView{}, fmt.Errorf("auth: extend session: %w", err)
		}
	}
	return authz.Actor{Kind: authz.KindAgent, ID: v.AgentID, Role: authz.Role(role), Name: v.Name}, v, nil
}

// SignOut ends a session.
func (s *Service) SignOut(ctx context.Context, raw string) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		var agentID int64
		err := tx.QueryRowContext(ctx, `DELETE FROM sessions WHERE id_hash = ? RETURNING agent_id`, hashToken(raw)).Scan(&agentID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // already gone: nothing happened worth a row
		}
		if err != nil {
			return fmt.Errorf("auth: sign out: %w", err)
		}
		return audit.Record(ctx, tx, s.now(), authz.Actor{Kind: authz.KindAgent, ID: agentID}, "auth.sign_out", strconv.FormatInt(agentID, 10), nil)
	})
}

// SetPassword sets another agent's password (or any, for the system) and
// ends all their sessions, reset links and cached token roles. It needs
// AgentWrite, and an admin's needs AgentAdminWrite. Agents change their own
// with ChangeOwnPassword, which asks for the current one.
func (s *Service) SetPassword(ctx context.Context, actor authz.Actor, agentID int64, pw string) error {
	if actor.Kind == authz.KindAgent && actor.ID == agentID {
		return apperr.Forbidden("change your own password with your current one")
	}
	if len(pw) < MinPassword || len(pw) > MaxPassword {
		return apperr.InvalidField("password", fmt.Sprintf("must be %d to %d characters", MinPassword, MaxPassword))
	}
	hash, err := HashPassword(pw)
	if err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		var role string
		err := tx.QueryRowContext(ctx, `SELECT role FROM agents WHERE id = ?`, agentID).Scan(&role)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("agent", agentID)
		}
		if err != nil {
			return fmt.Errorf("auth: set password: %w", err)
		}
		perm := authz.AgentWrite
		if authz.Role(role) == authz.Admin {
			perm = authz.AgentAdminWrite
		}
		if err := authz.Check(actor, perm); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE agents SET password_hash = ?, updated_at = ? WHERE id = ?`, hash, db.Millis(s.now()), agentID); err != nil {
			return fmt.Errorf("auth: set password: %w", err)
		}
		if err := s.passwordChanged(ctx, tx, agentID, ""); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), actor, "auth.password_set", fmt.Sprint(agentID), nil)
	})
}

// DeleteAgentCredentials ends an agent's sessions and revokes their tokens
// inside the caller's transaction (agent deactivation).
func (s *Service) DeleteAgentCredentials(ctx context.Context, tx *db.Tx, agentID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE agent_id = ?`, agentID); err != nil {
		return fmt.Errorf("auth: end sessions: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE agent_id = ? AND revoked_at IS NULL`, db.Millis(s.now()), agentID); err != nil {
		return fmt.Errorf("auth: revoke tokens: %w", err)
	}
	tx.AfterCommit(func() { s.cache.evictAgent(agentID) })
	return nil
}
