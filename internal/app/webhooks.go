package app

import (
	"context"
	"time"

	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/webhook"
)

// wireWebhooks connects webhook subscriptions: ticket changes and new
// customers queue deliveries in their own transactions, the job runner
// posts them, and admins hear by email when one is switched off.
func (s *System) wireWebhooks() {
	client := automation.NewHTTPClient(15*time.Second, s.Config.WebhookAllowPrivate)
	s.Webhooks = webhook.NewService(s.DB, s.Now, s.Secrets, client, s.Tickets, s.Log.With("component", "webhook"))
	s.Webhooks.SetNotifier(webhook.AdminMail{Mail: s.Email, BaseURL: s.baseURL()})
	s.Tickets.AddHook(s.Webhooks)
	s.Customers.OnCreated = func(ctx context.Context, tx *db.Tx, load func() (customer.Customer, error)) error {
		return s.Webhooks.CustomerCreated(ctx, tx, load)
	}
	s.Webhooks.Register(s.Jobs)
}

// baseURL is where links in mail point: the configured base URL, else the
// listen address.
func (s *System) baseURL() string {
	if s.Config.BaseURL != "" {
		return s.Config.BaseURL
	}
	return "http://" + s.Config.Addr
}
