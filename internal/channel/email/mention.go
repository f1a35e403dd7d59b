package email

import (
	"context"
	"fmt"
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
	kind := "an internal note"
	if m.Public {
		kind = "a public reply"
	}
	author := m.AuthorName
	if author == "" {
		author = "Someone"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s mentioned you in %s on ticket #%d, %q:\n\n", author, kind, m.TicketID, m.Subject)
	for _, line := range strings.Split(strings.TrimSpace(m.Body), "\n") {
		b.WriteString("> " + strings.TrimRight(line, "\r") + "\n")
	}
	if base := strings.TrimRight(s.opts.BaseURL, "/"); base != "" {
		fmt.Fprintf(&b, "\nOpen the ticket: %s/tickets/%d#c%d\n", base, m.TicketID, m.CommentID)
	}
	return s.QueueNotice(ctx, tx, automation.Notice{
		TicketID: m.TicketID,
		To:       []string{m.To.Email},
		Subject:  fmt.Sprintf("[#%d] %s mentioned you: %s", m.TicketID, author, m.Subject),
		Body:     b.String(),
		Key:      m.Key,
	})
}
