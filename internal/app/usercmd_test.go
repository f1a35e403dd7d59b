package app_test

import (
	"context"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app"
	"github.com/ombud/ombud/internal/config"
	"github.com/ombud/ombud/internal/dbtest"
)

// TestUserTokenCommands drives ombud user list|deactivate|reset-password
// and ombud token list|revoke on both engines.
func TestUserTokenCommands(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			env := map[string]string{"OMBUD_DATA": t.TempDir(), "OMBUD_LOG_LEVEL": "warn"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewPostgresDatabase(t)
			}
			for _, u := range [][]string{{"admin@ombud.test", "admin"}, {"bob@ombud.test", "agent"}} {
				if code, _, er := run(t, env, "user", "create", "--email", u[0], "--name", "N "+u[1], "--role", u[1], "--password", "long-enough-1"); code != 0 {
					t.Fatal(er)
				}
			}
			for _, e := range []string{"admin@ombud.test", "bob@ombud.test"} {
				if code, _, er := run(t, env, "token", "create", "--email", e, "--name", "ci"); code != 0 {
					t.Fatal(er)
				}
			}
			_, list, _ := run(t, env, "token", "list", "--email", "bob@ombud.test")
			m := regexp.MustCompile(`(?m)^(\d+)\s+bob@ombud.test\s+ci\s+omb_`).FindStringSubmatch(list)
			if m == nil {
				t.Fatalf("token list --email: %q", list)
			}
			bobToken := m[1]
			var newPassword string
			tests := []struct {
				name     string
				args     []string
				code     int
				out, not string
				er       string
			}{
				{"token list", []string{"token", "list"}, 0, "admin@ombud.test", "", ""},
				{"token list shows bob's", []string{"token", "list"}, 0, "bob@ombud.test", "", ""},
				{"token list of one agent", []string{"token", "list", "--email", "bob@ombud.test"}, 0, "bob@ombud.test", "admin@ombud.test", ""},
				{"token revoke without id", []string{"token", "revoke"}, 2, "", "", "--id is required"},
				{"token revoke unknown", []string{"token", "revoke", "--id", "99999"}, 1, "", "", "not found"},
				{"token revoke", []string{"token", "revoke", "--id", bobToken}, 0, "revoked token " + bobToken, "", ""},
				{"revoked tokens hidden", []string{"token", "list"}, 0, "admin@ombud.test", "bob@ombud.test", ""},
				{"revoked tokens with --all", []string{"token", "list", "--all"}, 0, "revoked", "", ""},
				{"user list", []string{"user", "list"}, 0, "bob@ombud.test", "", ""},
				{"user list by role", []string{"user", "list", "--role", "admin"}, 0, "admin@ombud.test", "bob@ombud.test", ""},
				{"user list bad role", []string{"user", "list", "--role", "boss"}, 2, "", "", "--role"},
				{"user deactivate without email", []string{"user", "deactivate"}, 2, "", "", "--email is required"},
				{"user deactivate", []string{"user", "deactivate", "--email", "bob@ombud.test"}, 0, "deactivated bob@ombud.test", "", ""},
				{"user deactivate again", []string{"user", "deactivate", "--email", "bob@ombud.test"}, 0, "already deactivated", "", ""},
				{"deactivated hidden", []string{"user", "list"}, 0, "admin@ombud.test", "bob@ombud.test", ""},
				{"deactivated with --all", []string{"user", "list", "--all"}, 0, "deactivated", "", ""},
				{"user unknown", []string{"user", "reset-password", "--email", "nobody@ombud.test"}, 1, "", "", "not found"},
				{"password too short", []string{"user", "reset-password", "--email", "admin@ombud.test", "--password", "short"}, 1, "", "", "password"},
				{"reset-password", []string{"user", "reset-password", "--email", "admin@ombud.test"}, 0, "password: ", "", ""},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					code, out, er := run(t, env, tt.args...)
					if code != tt.code || !strings.Contains(out, tt.out) || (tt.not != "" && strings.Contains(out, tt.not)) || !strings.Contains(er, tt.er) {
						t.Fatalf("exit %d (want %d)\nstdout %q (want %q, not %q)\nstderr %q (want %q)", code, tt.code, out, tt.out, tt.not, er, tt.er)
					}
					if m := regexp.MustCompile(`(?m)^password: (\S+)$`).FindStringSubmatch(out); m != nil {
						newPassword = m[1]
					}
				})
			}
			// The new password signs in; the old one no longer does.
			c := config.Defaults()
			c.DataDir, c.DatabaseURL = env["OMBUD_DATA"], env["OMBUD_DATABASE_URL"]
			sys, err := app.Open(context.Background(), c, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
			if err != nil {
				t.Fatal(err)
			}
			defer sys.Close()
			if _, err := sys.Auth.SignIn(context.Background(), "admin@ombud.test", newPassword, "127.0.0.1", "test"); err != nil {
				t.Fatalf("sign in with the reset password %q: %v", newPassword, err)
			}
			if _, err := sys.Auth.SignIn(context.Background(), "admin@ombud.test", "long-enough-1", "127.0.0.2", "test"); err == nil {
				t.Fatal("the old password still signs in")
			}
		})
	}
}
