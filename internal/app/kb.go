package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/blob"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/demo"
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
	if s.Portal != nil {
		s.KB.SetDeflections(s.Portal) // the knowledge report's requests avoided
	}
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

// demoKnowledge loads the demo help center (demo.KBGroups, demo.KBArticles):
// published, owned by the demo admin, with a verify-by date.
func (s *System) demoKnowledge(ctx context.Context, owner int64) error {
	sys := authz.System
	var sections []int64
	for i, g := range demo.KBGroups {
		var cn, sn []kb.Name
		for _, l := range kb.Languages() {
			cn = append(cn, kb.Name{Language: l, Name: g.Category[l]})
			sn = append(sn, kb.Name{Language: l, Name: g.Section[l]})
		}
		c, err := s.KB.CreateCategory(ctx, sys, kb.GroupInput{Position: i, Names: cn})
		if err != nil {
			return fmt.Errorf("demo knowledge: %w", err)
		}
		sec, err := s.KB.CreateSection(ctx, sys, c.ID, kb.GroupInput{Names: sn})
		if err != nil {
			return fmt.Errorf("demo knowledge: %w", err)
		}
		sections = append(sections, sec.ID)
	}
	verify := s.Now().AddDate(0, 6, 0).Format(time.DateOnly)
	for _, a := range demo.KBArticles {
		en := a.Texts["en"]
		art, err := s.KB.Create(ctx, sys, kb.ArticleInput{SectionID: sections[a.Group], Language: "en", Title: en.Title, Summary: en.Summary, Body: en.Body,
			Visibility: a.Visibility, Tags: a.Tags, OwnerID: owner, VerifyBy: verify})
		if err != nil {
			return fmt.Errorf("demo knowledge: %w", err)
		}
		for _, l := range kb.Languages() {
			t, ok := a.Texts[l]
			if l == "en" || !ok {
				continue
			}
			if _, err := s.KB.SaveText(ctx, sys, art.ID, kb.TextInput{Language: l, Title: t.Title, Summary: t.Summary, Body: t.Body}); err != nil {
				return fmt.Errorf("demo knowledge: %w", err)
			}
		}
		if _, err := s.KB.Transition(ctx, sys, art.ID, kb.StatePublished); err != nil {
			return fmt.Errorf("demo knowledge: %w", err)
		}
	}
	st := kb.DefaultSettings
	st.Name = "Ombud Demo"
	if _, err := s.KB.SaveSettings(ctx, sys, st); err != nil {
		return fmt.Errorf("demo knowledge: %w", err)
	}
	return nil
}
