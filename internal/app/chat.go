package app

import (
	"context"
	"time"

	"github.com/ombud/ombud/internal/blob"
	"github.com/ombud/ombud/internal/chat"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/report"
)

// wireChat builds live chat: conversations are chat-channel tickets,
// notices go out on the live hub (relayed between instances), the
// business calendar decides when chat is open, and a sweep every few
// seconds times out unanswered offers and offers waiting chats again.
func (s *System) wireChat(blobs *blob.Store) error {
	svc := chat.NewService(s.DB, s.Now, s.Tickets, s.Live, s.Log.With("component", "chat"))
	svc.SetBlobs(blobs)
	svc.SetBusinessHours(func(t time.Time) bool { return s.SLA.OpenNow(context.Background(), t) })
	svc.SetMailer(transcriptMailer{s})
	tr, err := i18n.New()
	if err != nil {
		return err
	}
	svc.SetTranslator(func(lang, key string, args ...any) string { return tr.T(lang, key, args...) })
	s.Jobs.Every("chat.offers", 5*time.Second, svc.Sweep)
	s.Chat = svc
	return nil
}

// transcriptMailer sends chat transcripts through the email outbox (the
// same job as report summaries: a plain text mail from the team's mailbox).
type transcriptMailer struct{ s *System }

func (m transcriptMailer) QueueTranscript(ctx context.Context, tx *db.Tx, mail chat.Mail) error {
	return m.s.Email.QueueSummary(ctx, tx, report.Mail{To: mail.To, Subject: mail.Subject, Text: mail.Text, TeamID: mail.TeamID, Key: mail.Key})
}
