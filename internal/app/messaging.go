package app

import (
	"context"
	"time"

	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/blob"
	"github.com/ombud/ombud/internal/channel/email"
	"github.com/ombud/ombud/internal/channel/messaging"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/ticket"
	webmsg "github.com/ombud/ombud/internal/web/messaging"
	webui "github.com/ombud/ombud/internal/web/ui"
)

// wireMessaging builds the messaging and social channel: inbound messages
// become social tickets, and agents' public replies on them go back
// through the provider as jobs (docs/messaging.md). Its outbound requests
// (media, replies) go through the webhooks' SSRF guard.
func (s *System) wireMessaging(blobs *blob.Store) {
	client := automation.NewHTTPClient(30*time.Second, s.Config.WebhookAllowPrivate)
	s.Messaging = messaging.NewService(s.DB, s.Now, s.Secrets, blobs, client, s.Tickets, s.Customers, s.Log.With("component", "messaging"))
	s.Messaging.Wake = s.Jobs.Wake
	s.Tickets.SetOutbox(outboxes{Service: s.Email, messaging: s.Messaging})
	s.Jobs.Handle(messaging.JobSend, s.Messaging.Send)
}

// outboxes queues a public reply on every channel the ticket is on: email
// (whose supersede and delivery search it keeps) and messaging.
type outboxes struct {
	*email.Service
	messaging *messaging.Service
}

func (o outboxes) QueueReply(ctx context.Context, tx *db.Tx, t ticket.Ticket, c ticket.Comment) error {
	if err := o.Service.QueueReply(ctx, tx, t, c); err != nil {
		return err
	}
	return o.messaging.QueueReply(ctx, tx, t, c)
}

func (s *System) messagingPages(ui *webui.UI) (*webmsg.UI, error) {
	return webmsg.New(ui, s.Messaging)
}
