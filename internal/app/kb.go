package app

import (
	"context"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/blob"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/kb"
	"github.com/ombud/ombud/internal/web/help"
	"github.com/ombud/ombud/internal/web/knowledge"
	"github.com/ombud/ombud/internal/web/tickets"
	webui "github.com/ombud/ombud/internal/web/ui"
)

// wireKB builds the knowledge base: files in the blob store, owners'
// verify-by reminders every hour and readers' comments through the email
// outbox (plain notices, like a trigger's).
func (s *System) wireKB(blobs *blob.Store) error {
	base := s.Config.BaseURL
	if base == "" {
		base = "http://" + s.Config.Addr // the documented default of --base-url
	}
	svc, err := kb.NewService(s.DB, s.Now, blobs, strings.TrimRight(base, "/"), s.Log.With("component", "kb"))
	if err != nil {
		return err
	}
	svc.SetMailer(kbMailer{s})
	s.Jobs.Every("kb.verify_reminders", time.Hour, svc.RemindOwners)
	s.KB = svc
	return nil
}

// kbMailer sends the knowledge base's notices as the email channel's
// notices (no ticket: from the default mailbox).
type kbMailer struct{ s *System }

func (m kbMailer) QueueKBNotice(ctx context.Context, tx *db.Tx, n kb.Notice) error {
	return m.s.Email.QueueNotice(ctx, tx, automation.Notice{To: n.To, Subject: n.Subject, Body: n.Body, Key: n.Key})
}

// knowledgePages builds the agents' knowledge pages (and the ticket page's
// knowledge panel) and the public help center.
func (s *System) knowledgePages(shared *webui.UI, ticketPages *tickets.UI) (*knowledge.UI, *help.UI, error) {
	kn, err := knowledge.New(shared, s.KB)
	if err != nil {
		return nil, nil, err
	}
	kn.BaseURL = s.Config.BaseURL
	ticketPages.Knowledge = kn
	hc, err := help.New(shared, s.KB, s.Config.BaseURL)
	if err != nil {
		return nil, nil, err
	}
	return kn, hc, nil
}
