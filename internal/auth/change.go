package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// PasswordChange is the body of POST /api/v1/me/password.
type PasswordChange struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

var errTooManyChecks = apperr.RateLimited("too many wrong current passwords; wait a few minutes and try again")

// ChangeOwnPassword changes the signed-in agent's password, which needs
// their current one. Every other session of theirs ends (keep is the raw
// token of the session making the change, "" when it came with an API
// token), and so do their reset links and cached token roles. Checks of the
// current password are limited per agent, counted before the check.
func (s *Service) ChangeOwnPassword(ctx context.Context, actor authz.Actor, in PasswordChange, keep string) error {
	if actor.Kind != authz.KindAgent || actor.ID == 0 {
		return apperr.Forbidden("only a signed-in agent changes their own password")
	}
	fe := apperr.FieldErrors{}
	if in.CurrentPassword == "" {
		fe.Add("current_password", "is required")
	}
	if err := checkNewPassword("new_password", in.NewPassword); err != nil {
		fe.Add("new_password", apperr.As(err).Fields["new_password"])
	} else if in.NewPassword == in.CurrentPassword {
		fe.Add("new_password", "must differ from the current password")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	var old string
	err := s.db.QueryRowContext(ctx, `SELECT password_hash FROM agents WHERE id = ? AND active = TRUE`, actor.ID).Scan(&old)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.Unauthenticated("your account is not active")
	}
	if err != nil {
		return fmt.Errorf("auth: change password: %w", err)
	}
	now := s.now()
	bucket := strconv.FormatInt(actor.ID, 10)
	var slot int64
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		var err error
		slot, err = s.takeAttempt(ctx, tx, now, attemptChange, bucket, currentPasswordTries)
		return err
	})
	if errors.Is(err, errFull) {
		return errTooManyChecks
	}
	if err != nil {
		return err
	}
	if ok, _ := VerifyPassword(old, in.CurrentPassword); !ok {
		_ = s.db.Write(ctx, func(tx *db.Tx) error {
			return audit.Record(ctx, tx, now, actor, "auth.password_change_failed", bucket, nil)
		})
		return apperr.InvalidField("current_password", "is not your current password")
	}
	hash, err := HashPassword(in.NewPassword)
	if err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		// Only if nobody changed it since it was checked.
		res, err := tx.ExecContext(ctx, `UPDATE agents SET password_hash = ?, updated_at = ? WHERE id = ? AND password_hash = ?`, hash, db.Millis(now), actor.ID, old)
		if err != nil {
			return fmt.Errorf("auth: change password: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.Conflict("current_password", "your password was changed meanwhile; try again")
		}
		// The right password gives its check back.
		if _, err := tx.ExecContext(ctx, `DELETE FROM password_attempts WHERE id = ?`, slot); err != nil {
			return fmt.Errorf("auth: attempt: %w", err)
		}
		if err := s.passwordChanged(ctx, tx, actor.ID, keep); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, actor, "auth.password_change", bucket, nil)
	})
}
