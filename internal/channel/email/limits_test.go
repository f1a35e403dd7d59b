package email_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/channel/email"
	"github.com/ombud/ombud/internal/db"
)

// TestAliasesLimit: more aliases than a mailbox has are refused once,
// naming the list, before anything else is done with the input (a
// cancelled context: the transaction cannot even begin) and without an
// error for each alias.
func TestAliasesLimit(t *testing.T) {
	e := apptest.New(t, db.SQLite)
	done, cancel := context.WithCancel(context.Background())
	cancel()
	aliases := make([]string, 10_001)
	for i := range aliases {
		aliases[i] = fmt.Sprintf("a%d@example.com", i)
	}
	address, name := "support@example.com", "Support"
	admin := authz.Actor{Kind: authz.KindAgent, ID: e.Agents[authz.Admin].ID, Role: authz.Admin}
	for _, tc := range []struct {
		name string
		call func() error
	}{
		{"create", func() error {
			_, err := e.Sys.Email.CreateMailbox(done, admin, email.MailboxInput{Address: &address, Name: &name, Aliases: &aliases})
			return err
		}},
		{"update", func() error {
			_, err := e.Sys.Email.UpdateMailbox(done, admin, 1, email.MailboxInput{Aliases: &aliases})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := apperr.As(tc.call())
			if err.Code != apperr.CodeInvalid || len(err.Fields) != 1 || err.Fields["aliases"] != apperr.TooMany(email.MaxAliases) {
				t.Fatalf("got %v, want aliases: %q", err, apperr.TooMany(email.MaxAliases))
			}
		})
	}
}
