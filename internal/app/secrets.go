package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/config"
	"github.com/ombud/ombud/internal/secret"
)

// loadSecrets builds the Box that seals stored credentials from
// OMBUD_SECRET_KEY, or from the key file in the data directory (generated
// on the first start), and says in the log what an operator must know.
func loadSecrets(c config.Config, log *slog.Logger) (*secret.Box, error) {
	box, info, err := secret.Load(c.SecretKey, c.DataDir)
	if err != nil {
		return nil, err
	}
	if info.Generated != "" {
		// Info, the default level: serve shows it, scripts at warn stay quiet.
		log.Info("generated the secret key that encrypts stored mailbox passwords and webhook URLs: back it up apart from the database",
			"file", info.Generated, "key_id", box.CurrentID())
		if c.DatabaseURL != "" {
			log.Info("with PostgreSQL every instance must use the same secret key: set OMBUD_SECRET_KEY to this file's key on all of them, or share the data directory",
				"file", info.Generated)
		}
	}
	if info.Loose {
		log.Warn("the secret key file can be read by other users: chmod 600 it", "file", info.File)
	}
	return box, nil
}

// SealSecrets makes one pass over every stored credential: plain text from
// before encryption is sealed, and with rotate, values sealed with a
// previous key are sealed again with the current one. Values that no
// configured key opens are counted and logged, not changed.
func (s *System) SealSecrets(ctx context.Context, rotate bool) (secret.Tally, error) {
	var total secret.Tally
	for _, pass := range []func(context.Context, bool) (secret.Tally, error){s.Email.SealSecrets, s.Automation.SealSecrets, s.Auth.SealSecrets, s.SSO.SealSecrets, s.Webhooks.SealSecrets, s.Phone.SealSecrets, s.Messaging.SealSecrets, s.Orders.SealSecrets} {
		t, err := pass(ctx, rotate)
		if err != nil {
			return total, fmt.Errorf("seal stored credentials: %w", err)
		}
		total.Add(t)
	}
	if total.Sealed > 0 {
		s.Log.Info("sealed stored credentials", "count", total.Sealed, "key_id", s.Secrets.CurrentID(), "rotate", rotate)
	}
	if total.Unreadable > 0 {
		s.Log.Error("stored credentials were sealed with a secret key that is not configured: they cannot be used until that key is added as a previous key (OMBUD_SECRET_KEY=current,previous) or they are entered again",
			"count", total.Unreadable, "unknown_key_ids", strings.Join(total.UnknownKeys, ","), "current_key_id", s.Secrets.CurrentID())
	}
	return total, nil
}

// runSecrets handles "ombud secrets rotate": after OMBUD_SECRET_KEY is set
// to "new,old", re-seal every stored credential with the new key, so the
// old one can then be dropped.
func runSecrets(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "rotate" {
		return usageError{errors.New(`usage: ombud secrets rotate   (with OMBUD_SECRET_KEY=NEW,OLD: re-encrypt stored credentials with NEW)`)}
	}
	c, err := parse("secrets rotate", args[1:], getenv, stderr, false, nil)
	if err != nil {
		return err
	}
	sys, err := Open(ctx, c, newLogger(c, stderr), time.Now)
	if err != nil {
		return err
	}
	defer sys.Close()
	t, err := sys.SealSecrets(ctx, true)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "re-encrypted %d stored credentials with key %s\n", t.Sealed, sys.Secrets.CurrentID())
	if t.Unreadable > 0 {
		return fmt.Errorf("%d stored credentials are sealed with key(s) %s, which are not configured: add them after the current key in OMBUD_SECRET_KEY and run again",
			t.Unreadable, strings.Join(t.UnknownKeys, ", "))
	}
	return nil
}
