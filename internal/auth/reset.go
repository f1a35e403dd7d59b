package auth

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/jobs"
)

// Password reset by email (docs/security.md, "Passwords and sessions"). A
// request only queues a job with the typed address, whether or not it
// belongs to anyone, so the answer and its timing never tell whether an
// account exists. The job looks the agent up, makes a random 256-bit token,
// stores its SHA-256 and mails the link in the agent's language. A link
// works once, for ResetLinkTTL, and any password change spends it.
// Redeeming it ends all the agent's sessions and cached token roles.

// JobPasswordReset is the job kind that mails a password reset link.
const JobPasswordReset = "auth.password_reset"

const (
	// ResetLinkTTL is how long a reset link works.
	ResetLinkTTL = time.Hour
	// attemptWindow is the window of the password pages' limits.
	attemptWindow = 15 * time.Minute
	// resetRequestsPerAddress bounds reset requests from one client
	// address per attemptWindow.
	resetRequestsPerAddress = 5
	// resetMailsPerHour bounds the links mailed to one agent per hour, so
	// the form cannot be used to flood someone's inbox.
	resetMailsPerHour = 3
	// currentPasswordTries bounds current-password checks per agent per
	// attemptWindow: a stolen session cannot guess the password here.
	currentPasswordTries = 5
)

// Attempt kinds in password_attempts.
const (
	attemptReset  = "reset"
	attemptChange = "change"
)

// ResetMail is one reset link to send.
type ResetMail struct {
	To       string
	Name     string
	Locale   string    // the agent's UI language
	TimeZone string    // the agent's IANA time zone
	Token    string    // the link's secret; the mailer puts it in the link
	Expires  time.Time // when the link stops working
}

// ResetMailer sends a reset link now, in the agent's language (the email
// service's outbound relay). A failure is retried by the job.
type ResetMailer interface {
	SendPasswordReset(ctx context.Context, m ResetMail) error
}

type resetState struct {
	mailer ResetMailer
	wake   func()
}

type resetPayload struct {
	Email string `json:"email"`
}

// Register has r run the reset mail jobs, sent through m. Call it before
// serving.
func (s *Service) Register(r *jobs.Runner, m ResetMailer) {
	s.resets = resetState{mailer: m, wake: r.Wake}
	r.Handle(JobPasswordReset, s.sendReset)
}

var (
	errResetLimited = apperr.RateLimited("too many password reset requests from your address; wait a few minutes and try again")
	errBadLink      = apperr.InvalidField("token", "this link is invalid, used or expired; ask for a new one")
)

// RequestPasswordReset queues a reset link for email, sent only if an
// active agent has that address. addr is the client address, limited to
// resetRequestsPerAddress requests per attemptWindow.
func (s *Service) RequestPasswordReset(ctx context.Context, email, addr string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	switch {
	case email == "":
		return apperr.InvalidField("email", "is required")
	case len(email) > 254 || !strings.Contains(email, "@") || strings.ContainsAny(email, " \t\r\n"):
		return apperr.InvalidField("email", "must be an email address")
	}
	if s.resets.mailer == nil {
		return errors.New("auth: password reset mail is not set up (Register)")
	}
	now := s.now()
	return s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := s.takeAttempt(ctx, tx, now, attemptReset, bucketKey("reset", addressKey(addr)), resetRequestsPerAddress); err != nil {
			if errors.Is(err, errFull) {
				return errResetLimited
			}
			return err
		}
		if _, err := jobs.Enqueue(ctx, tx, now, jobs.New{Kind: JobPasswordReset, Payload: resetPayload{Email: email}, MaxAttempts: 5}); err != nil {
			return err
		}
		tx.AfterCommit(s.resets.wake)
		return nil
	})
}

// sendReset is the job handler for JobPasswordReset.
func (s *Service) sendReset(ctx context.Context, j jobs.Job) error {
	var p resetPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.Email == "" {
		return jobs.Permanent(fmt.Errorf("auth: bad reset payload %q", j.Payload))
	}
	var agentID int64
	var name, locale, zone string
	var active bool
	err := s.db.QueryRowContext(ctx, `SELECT id, name, locale, time_zone, active FROM agents WHERE email = ?`, p.Email).Scan(&agentID, &name, &locale, &zone, &active)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !active) {
		return nil // nobody to write to; the requester was told the same either way
	}
	if err != nil {
		return fmt.Errorf("auth: reset agent: %w", err)
	}
	raw := randomToken(32)
	now := s.now()
	exp := now.Add(ResetLinkTTL)
	send := false
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		// A retried job replaces its own link (the earlier mail may never
		// have arrived); a spent one stays spent.
		res, err := tx.ExecContext(ctx, `UPDATE password_resets SET token_hash = ?, created_at = ?, expires_at = ? WHERE job_id = ? AND spent_at IS NULL`,
			hashToken(raw), db.Millis(now), db.Millis(exp), j.ID)
		if err != nil {
			return fmt.Errorf("auth: reset link: %w", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			send = true
			return nil
		}
		var mine, recent int
		if err := tx.QueryRowContext(ctx, `SELECT
			(SELECT COUNT(*) FROM password_resets WHERE job_id = ?),
			(SELECT COUNT(*) FROM password_resets WHERE agent_id = ? AND created_at > ?)`,
			j.ID, agentID, db.Millis(now.Add(-time.Hour))).Scan(&mine, &recent); err != nil {
			return fmt.Errorf("auth: reset links: %w", err)
		}
		if mine > 0 || recent >= resetMailsPerHour {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO password_resets (agent_id, job_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			agentID, j.ID, hashToken(raw), db.Millis(now), db.Millis(exp)); err != nil {
			return fmt.Errorf("auth: reset link: %w", err)
		}
		send = true
		return audit.Record(ctx, tx, now, authz.System, "auth.password_reset_sent", p.Email, map[string]any{"agent_id": agentID})
	})
	if err != nil || !send {
		return err
	}
	return s.resets.mailer.SendPasswordReset(ctx, ResetMail{To: p.Email, Name: name, Locale: locale, TimeZone: zone, Token: raw, Expires: exp})
}

// resetLink finds a usable link's row by its raw token.
func resetLink(ctx context.Context, q db.Querier, now time.Time, raw string) (id, agentID int64, err error) {
	if raw == "" || len(raw) > 100 {
		return 0, 0, errBadLink
	}
	var exp int64
	var spent sql.NullInt64
	var active bool
	err = q.QueryRowContext(ctx, `SELECT r.id, r.agent_id, r.expires_at, r.spent_at, a.active FROM password_resets r JOIN agents a ON a.id = r.agent_id
		WHERE r.token_hash = ?`, hashToken(raw)).Scan(&id, &agentID, &exp, &spent, &active)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, errBadLink
	}
	if err != nil {
		return 0, 0, fmt.Errorf("auth: reset link: %w", err)
	}
	if spent.Valid || !active || exp <= db.Millis(now) {
		return 0, 0, errBadLink
	}
	return id, agentID, nil
}

// CheckResetLink reports whether a reset link's token still works (the
// reset page shows its form only then).
func (s *Service) CheckResetLink(ctx context.Context, raw string) error {
	_, _, err := resetLink(ctx, s.db, s.now(), raw)
	return err
}

// ResetPassword sets a new password with a reset link's token, once. All
// the agent's sessions, reset links and cached token roles end.
func (s *Service) ResetPassword(ctx context.Context, raw, newPassword, addr string) error {
	if err := s.CheckResetLink(ctx, raw); err != nil {
		return err // before the slow hash
	}
	if err := checkNewPassword("new_password", newPassword); err != nil {
		return err
	}
	hash, err := HashPassword(newPassword)
	if err != nil {
		return err
	}
	now := s.now()
	return s.db.Write(ctx, func(tx *db.Tx) error {
		id, agentID, err := resetLink(ctx, tx, now, raw)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE password_resets SET spent_at = ? WHERE id = ? AND spent_at IS NULL`, db.Millis(now), id)
		if err != nil {
			return fmt.Errorf("auth: spend reset link: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errBadLink // redeemed by a parallel request
		}
		if _, err := tx.ExecContext(ctx, `UPDATE agents SET password_hash = ?, updated_at = ? WHERE id = ?`, hash, db.Millis(now), agentID); err != nil {
			return fmt.Errorf("auth: reset password: %w", err)
		}
		if err := s.passwordChanged(ctx, tx, agentID, ""); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, authz.Actor{Kind: authz.KindAgent, ID: agentID}, "auth.password_reset", fmt.Sprint(agentID), map[string]any{"ip": addr})
	})
}

// checkNewPassword applies the length rules to a new password in field.
func checkNewPassword(field, pw string) error {
	if len(pw) < MinPassword || len(pw) > MaxPassword {
		return apperr.InvalidField(field, fmt.Sprintf("must be %d to %d characters", MinPassword, MaxPassword))
	}
	return nil
}

var errFull = errors.New("auth: attempt limit reached")

// takeAttempt records one attempt of kind in bucket and returns its row id,
// or errFull when limit attempts are already in the window. On PostgreSQL
// a transaction lock on the bucket makes parallel attempts count one after
// another (SQLite has one writer anyway).
func (s *Service) takeAttempt(ctx context.Context, tx *db.Tx, now time.Time, kind, bucket string, limit int) (int64, error) {
	if tx.Dialect() == db.Postgres {
		sum := hashToken(kind + "\x00" + bucket)
		b, _ := hex.DecodeString(sum[:16])
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(binary.BigEndian.Uint64(b))); err != nil {
			return 0, fmt.Errorf("auth: attempt lock: %w", err)
		}
	}
	cutoff := db.Millis(now.Add(-attemptWindow))
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM password_attempts WHERE kind = ? AND bucket = ? AND created_at > ?`, kind, bucket, cutoff).Scan(&n); err != nil {
		return 0, fmt.Errorf("auth: attempts: %w", err)
	}
	if n >= limit {
		return 0, errFull
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM password_attempts WHERE created_at <= ?`, cutoff); err != nil {
		return 0, fmt.Errorf("auth: prune attempts: %w", err)
	}
	id, err := tx.InsertID(ctx, `INSERT INTO password_attempts (kind, bucket, created_at) VALUES (?, ?, ?)`, kind, bucket, db.Millis(now))
	if err != nil {
		return 0, fmt.Errorf("auth: attempt: %w", err)
	}
	return id, nil
}
