package email

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/ticket"
)

// QueueMention queues the notice a mentioned agent gets (ticket.Notifier),
// inside the comment's transaction, through the same outbox job as a
// rule's notify action (QueueNotice / SendNotice).
func (s *Service) QueueMention(ctx context.Context, tx *db.Tx, m ticket.MentionNotice) error {
	if m.To.Email == "" {
		return nil
	}
	locale, err := agentLocale(ctx, tx, m.To.ID)
	if err != nil {
		return err
	}
	lang := s.matchLang(locale) // the mentioned agent's language
	t := func(key string, args ...any) string { return s.tr(lang, key, args...) }
	author := m.AuthorName
	if author == "" {
		author = t("Someone")
	}
	id := strconv.FormatInt(m.TicketID, 10)
	var b strings.Builder
	if m.Public {
		b.WriteString(t("%s mentioned you in a public reply on ticket #%s, “%s”:", author, id, m.Subject))
	} else {
		b.WriteString(t("%s mentioned you in an internal note on ticket #%s, “%s”:", author, id, m.Subject))
	}
	b.WriteString("\n\n")
	for _, line := range strings.Split(strings.TrimSpace(m.Body), "\n") {
		b.WriteString("> " + strings.TrimRight(line, "\r") + "\n")
	}
	if base := strings.TrimRight(s.opts.BaseURL, "/"); base != "" {
		b.WriteString("\n" + t("Open the ticket: %s", fmt.Sprintf("%s/tickets/%d#c%d", base, m.TicketID, m.CommentID)) + "\n")
	}
	return s.QueueNotice(ctx, tx, automation.Notice{
		TicketID: m.TicketID,
		To:       []string{m.To.Email},
		Subject:  t("[#%s] %s mentioned you: %s", id, author, m.Subject),
		Body:     b.String(),
		Key:      m.Key,
	})
}
