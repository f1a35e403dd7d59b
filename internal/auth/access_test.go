package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/auth"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
)

// TestPasswordChangeDropsCachedTokens: every way a password changes drops
// the agent's cached token roles, so the next call reads the agent row
// again. The row is changed behind the service's back here, as another
// process or a direct repair would, to see whether the cache is read.
func TestPasswordChangeDropsCachedTokens(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clk := &clock{t: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
		a := auth.NewService(d, clk.now, auth.Options{CacheTTL: time.Hour})
		ag := agent.NewService(d, clk.now)
		ag.OnPasswordSet = a.PasswordSet
		ag.OnAccessChange = a.AccessChanged
		admin, err := ag.CreateAgent(ctx, authz.System, agent.AgentInput{Email: "admin@ombud.test", Name: "Admin", Role: authz.Admin, Password: "admin-password-1"})
		if err != nil {
			t.Fatal(err)
		}
		kari, err := ag.CreateAgent(ctx, authz.System, agent.AgentInput{Email: "kari@ombud.test", Name: "Kari", Role: authz.Agent, Password: "kari-password-1"})
		if err != nil {
			t.Fatal(err)
		}
		raw, _, err := a.CreateToken(ctx, authz.System, kari.ID, "script")
		if err != nil {
			t.Fatal(err)
		}
		adminActor := authz.Actor{Kind: authz.KindAgent, ID: admin.ID, Role: authz.Admin}
		kariActor := authz.Actor{Kind: authz.KindAgent, ID: kari.ID, Role: authz.Agent}
		pw := "kari-password-1"
		for _, tc := range []struct {
			name   string
			change func(role authz.Role) error
		}{
			{"own change", func(authz.Role) error {
				err := a.ChangeOwnPassword(ctx, kariActor, auth.PasswordChange{CurrentPassword: pw, NewPassword: "kari-password-2"}, "")
				pw = "kari-password-2"
				return err
			}},
			{"set by an admin", func(authz.Role) error {
				p := "kari-password-3"
				_, err := ag.UpdateAgent(ctx, adminActor, kari.ID, agent.AgentPatch{Password: &p})
				pw = p
				return err
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := a.TokenActor(ctx, raw)
				if err != nil {
					t.Fatal(err)
				}
				next := authz.Collaborator
				if got.Role == authz.Collaborator {
					next = authz.QAReviewer
				}
				if err := d.Write(ctx, func(tx *db.Tx) error {
					_, err := tx.ExecContext(ctx, `UPDATE agents SET role = ? WHERE id = ?`, string(next), kari.ID)
					return err
				}); err != nil {
					t.Fatal(err)
				}
				if got, _ := a.TokenActor(ctx, raw); got.Role == next {
					t.Fatal("the cache was not used; the test proves nothing")
				}
				if err := tc.change(next); err != nil {
					t.Fatal(err)
				}
				if got, err := a.TokenActor(ctx, raw); err != nil || got.Role != next {
					t.Fatalf("after the password change the token answers %+v %v, want role %s", got, err, next)
				}
			})
		}
		if err := a.ChangeOwnPassword(ctx, kariActor, auth.PasswordChange{CurrentPassword: "wrong-password", NewPassword: "kari-password-9"}, ""); !apperr.Is(err, apperr.CodeInvalid) || apperr.As(err).Fields["current_password"] == "" {
			t.Fatalf("wrong current password: %v", err)
		}
		// Without the current password, nobody sets their own.
		if err := a.SetPassword(ctx, kariActor, kari.ID, "kari-password-8"); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("own password through SetPassword: %v", err)
		}
	})
}
