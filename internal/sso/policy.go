package sso

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// Policy is who must sign in with SSO: agents of Roles may not use a
// password, except the break-glass admin (BreakGlassID, 0 for none), who
// still can when every provider is down.
type Policy struct {
	Roles        []authz.Role `json:"roles"`
	BreakGlassID int64        `json:"break_glass_id"`
}

// errSSORequired refuses a password sign-in (a catalog key: the sign-in
// page shows it).
var errSSORequired = apperr.Forbidden("your role signs in with single sign-on: use a sign-in button below")

func (s *Service) policy(ctx context.Context, q db.Querier) (Policy, error) {
	p := Policy{Roles: []authz.Role{}}
	rows, err := q.QueryContext(ctx, `SELECT role FROM sso_required_roles ORDER BY role`)
	if err != nil {
		return p, fmt.Errorf("sso: policy: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return p, fmt.Errorf("sso: policy: %w", err)
		}
		p.Roles = append(p.Roles, authz.Role(r))
	}
	if err := rows.Err(); err != nil {
		return p, fmt.Errorf("sso: policy: %w", err)
	}
	var id sql.NullInt64
	err = q.QueryRowContext(ctx, `SELECT agent_id FROM sso_break_glass WHERE id = 1`).Scan(&id)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("sso: policy: %w", err)
	}
	p.BreakGlassID = id.Int64
	return p, nil
}

// Policy returns who must use SSO; it needs agent.admin_write.
func (s *Service) Policy(ctx context.Context, actor authz.Actor) (Policy, error) {
	if err := authz.Check(actor, authz.AgentAdminWrite); err != nil {
		return Policy{}, err
	}
	return s.policy(ctx, s.db)
}

// SetPolicy sets who must use SSO; it needs agent.admin_write. Requiring it
// needs an enabled provider, and requiring it of admins a break-glass
// admin, so that nobody is locked out.
func (s *Service) SetPolicy(ctx context.Context, actor authz.Actor, p Policy) error {
	if err := authz.Check(actor, authz.AgentAdminWrite); err != nil {
		return err
	}
	fe := apperr.FieldErrors{}
	roles := []authz.Role{}
	for i, r := range p.Roles {
		if !r.Valid() {
			fe.Add(fmt.Sprintf("roles[%d]", i), "is not a role")
		} else if !slices.Contains(roles, r) {
			roles = append(roles, r)
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		before, err := s.policy(ctx, tx)
		if err != nil {
			return err
		}
		if p.BreakGlassID != 0 {
			var role string
			var active bool
			err := tx.QueryRowContext(ctx, `SELECT role, active FROM agents WHERE id = ?`, p.BreakGlassID).Scan(&role, &active)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("sso: policy: %w", err)
			}
			if err != nil || authz.Role(role) != authz.Admin || !active {
				return apperr.InvalidField("break_glass_id", "must be an active admin")
			}
		}
		if len(roles) > 0 {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sso_providers WHERE enabled`).Scan(&n); err != nil {
				return fmt.Errorf("sso: policy: %w", err)
			}
			if n == 0 {
				return apperr.InvalidField("roles", "add and enable a provider before requiring single sign-on")
			}
		}
		if slices.Contains(roles, authz.Admin) && p.BreakGlassID == 0 {
			return apperr.InvalidField("break_glass_id", "choose a break-glass admin when admins must use single sign-on")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sso_required_roles`); err != nil {
			return fmt.Errorf("sso: policy: %w", err)
		}
		now := s.now()
		for _, r := range roles {
			if _, err := tx.ExecContext(ctx, `INSERT INTO sso_required_roles (role, created_at) VALUES (?, ?)`, string(r), db.Millis(now)); err != nil {
				return fmt.Errorf("sso: policy: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sso_break_glass`); err != nil {
			return fmt.Errorf("sso: policy: %w", err)
		}
		if p.BreakGlassID != 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO sso_break_glass (id, agent_id) VALUES (1, ?)`, p.BreakGlassID); err != nil {
				return fmt.Errorf("sso: policy: %w", err)
			}
		}
		return audit.Record(ctx, tx, now, actor, "sso.policy", "sso_policy", map[string]any{
			"before": before, "after": Policy{Roles: roles, BreakGlassID: p.BreakGlassID}})
	})
}

// PasswordAllowed is auth's password policy: agents of a role that must
// use SSO are refused, except the break-glass admin.
func (s *Service) PasswordAllowed(ctx context.Context, agentID int64, role authz.Role) error {
	var required, glass int
	err := s.db.QueryRowContext(ctx, `SELECT
			(SELECT COUNT(*) FROM sso_required_roles WHERE role = ?),
			(SELECT COUNT(*) FROM sso_break_glass WHERE agent_id = ?)`, string(role), agentID).Scan(&required, &glass)
	if err != nil {
		return fmt.Errorf("sso: password policy: %w", err)
	}
	if required > 0 && glass == 0 {
		return errSSORequired
	}
	return nil
}
