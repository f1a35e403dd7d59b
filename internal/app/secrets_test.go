package app_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/channel/email"
	"github.com/ombud/ombud/internal/config"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/secret"
)

func openSystem(t *testing.T, c config.Config) *app.System {
	t.Helper()
	sys, err := app.Open(context.Background(), c, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return sys
}

func rawMailbox(t *testing.T, d *db.DB) (smtp, imap string) {
	t.Helper()
	if err := d.QueryRowContext(context.Background(), `SELECT smtp_password, imap_password FROM mailboxes`).Scan(&smtp, &imap); err != nil {
		t.Fatal(err)
	}
	return smtp, imap
}

// TestUpgradeSealsPlainSecrets: credentials an older release stored in
// plain text are sealed by the next start and keep working; the first start
// generated a private key file that later starts reuse.
func TestUpgradeSealsPlainSecrets(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			c := config.Defaults()
			c.DataDir = t.TempDir()
			if engine == db.Postgres {
				c.DatabaseURL = dbtest.NewPostgresDatabase(t)
			}
			ctx := context.Background()
			sys := openSystem(t, c)
			keyFile := filepath.Join(c.DataDir, secret.KeyFile)
			if st, err := os.Stat(keyFile); err != nil || st.Mode().Perm() != 0o600 {
				t.Fatalf("key file: %v, %v; want it generated with mode 0600", st, err)
			}
			// What an older release wrote: plain text.
			err := sys.DB.Write(ctx, func(tx *db.Tx) error {
				if _, err := tx.ExecContext(ctx, `INSERT INTO mailboxes (address, name, smtp_host, smtp_port, smtp_username, smtp_password,
					imap_host, imap_port, imap_username, imap_password, created_at, updated_at)
					VALUES ('support@example.com', 'Support', 'smtp.example.com', 587, 'u', 'old-smtp-pass', 'imap.example.com', 993, 'u', 'old-imap-pass', 1, 1)`); err != nil {
					return err
				}
				_, err := tx.ExecContext(ctx, `INSERT INTO automation_rules (kind, name, active, position, conditions, actions, secret, created_at, updated_at)
					VALUES ('trigger', 'Old', TRUE, 1, '{"all":[{"field":"status","op":"is","value":"open"}]}',
					'[{"type":"webhook","url":"https://example.org/old-hook-token"}]', 'old-signing-secret', 1, 1)`)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			sys.Close()

			sys = openSystem(t, c) // the upgrade's first start
			defer sys.Close()
			smtp, imap := rawMailbox(t, sys.DB)
			var acts, sec string
			if err := sys.DB.QueryRowContext(ctx, `SELECT actions, secret FROM automation_rules`).Scan(&acts, &sec); err != nil {
				t.Fatal(err)
			}
			for what, v := range map[string]string{"smtp_password": smtp, "imap_password": imap, "actions": acts, "secret": sec} {
				if strings.Contains(v, "old-") || !strings.Contains(v, secret.Prefix) {
					t.Fatalf("%s after the upgrade: %s", what, v)
				}
			}
			if got, err := sys.Secrets.Open("mailboxes.smtp_password", smtp); err != nil || got != "old-smtp-pass" {
				t.Fatalf("smtp password opens to %q, %v", got, err)
			}
			l, err := sys.Automation.ListRules(ctx, authz.System, "trigger")
			if err != nil || len(l.Data) != 1 || l.Data[0].Actions[0].URL != "https://example.org/old-hook-token" || l.Data[0].WebhookSecret != "old-signing-secret" {
				t.Fatalf("the sealed rule reads %+v, %v", l.Data, err)
			}
		})
	}
}

// TestSecretsRotateCommand: with OMBUD_SECRET_KEY=new,old the old values
// still open; `ombud secrets rotate` re-seals them, after which the new key
// alone reads everything.
func TestSecretsRotateCommand(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			dir := t.TempDir()
			env := map[string]string{"OMBUD_DATA": dir, "OMBUD_LOG_LEVEL": "error"}
			c := config.Defaults()
			c.DataDir = dir
			if engine == db.Postgres {
				env["OMBUD_DATABASE_URL"] = dbtest.NewPostgresDatabase(t)
				c.DatabaseURL = env["OMBUD_DATABASE_URL"]
			}
			ctx := context.Background()
			sys := openSystem(t, c) // generates the key file: the "old" key
			if _, err := sys.Email.CreateMailbox(ctx, authz.System, email.MailboxInput{Address: ptr("support@example.com"), Name: ptr("Support"),
				SMTP: &email.RelayInput{Host: "smtp.example.com", Username: "u", Password: ptr("rotate-me")}}); err != nil {
				t.Fatal(err)
			}
			oldID := sys.Secrets.CurrentID()
			sys.Close()
			oldKey, err := os.ReadFile(filepath.Join(dir, secret.KeyFile))
			if err != nil {
				t.Fatal(err)
			}
			var nk [32]byte
			_, _ = rand.Read(nk[:])
			newKey := base64.StdEncoding.EncodeToString(nk[:])
			oldLine := ""
			for _, l := range strings.Split(string(oldKey), "\n") {
				if l != "" && !strings.HasPrefix(l, "#") {
					oldLine = l
				}
			}
			// The key file goes away: from now on the keys come from the
			// environment, new first.
			if err := os.Remove(filepath.Join(dir, secret.KeyFile)); err != nil {
				t.Fatal(err)
			}
			c.SecretKey = newKey + "," + oldLine
			sys = openSystem(t, c)
			smtp, _ := rawMailbox(t, sys.DB)
			if secret.KeyID(smtp) != oldID {
				t.Fatalf("before rotating the value is still sealed with the old key: %s", smtp)
			}
			if got, err := sys.Secrets.Open("mailboxes.smtp_password", smtp); err != nil || got != "rotate-me" {
				t.Fatalf("the old key must open it before rotation: %q, %v", got, err)
			}
			sys.Close()

			env["OMBUD_SECRET_KEY"] = newKey + "," + oldLine
			code, out, errOut := run(t, env, "secrets", "rotate")
			if code != 0 || !strings.Contains(out, "re-encrypted 1 stored credentials") {
				t.Fatalf("rotate: %d %q %q", code, out, errOut)
			}

			c.SecretKey = newKey
			sys = openSystem(t, c)
			defer sys.Close()
			smtp, _ = rawMailbox(t, sys.DB)
			if secret.KeyID(smtp) != sys.Secrets.CurrentID() {
				t.Fatalf("after rotating: %s, want key %s", smtp, sys.Secrets.CurrentID())
			}
			if got, err := sys.Secrets.Open("mailboxes.smtp_password", smtp); err != nil || got != "rotate-me" {
				t.Fatalf("the new key alone opens it: %q, %v", got, err)
			}
			// Without the old key, a value it sealed is reported, not lost.
			if code, _, errOut := run(t, map[string]string{"OMBUD_DATA": dir, "OMBUD_DATABASE_URL": env["OMBUD_DATABASE_URL"], "OMBUD_SECRET_KEY": oldLine}, "secrets", "rotate"); code != 1 || !strings.Contains(errOut, "not configured") {
				t.Fatalf("rotate with the wrong key: %d %q", code, errOut)
			}
			if code, _, errOut := run(t, env, "secrets"); code != 2 || !strings.Contains(errOut, "usage") {
				t.Fatalf("secrets without rotate: %d %q", code, errOut)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
