package webhook

import (
	"context"
	"fmt"

	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/db"
)

// Mailer is what the admins' notice needs of the email channel: its outbox
// and the catalog in each admin's language.
type Mailer interface {
	QueueNotice(ctx context.Context, tx *db.Tx, n automation.Notice) error
	T(locale, key string, args ...any) string
}

// AdminMail notifies every active admin, in their language, that a
// subscription was switched off.
type AdminMail struct {
	Mail    Mailer
	BaseURL string
}

// WebhookDisabled queues one email per admin inside tx (Notifier).
func (m AdminMail) WebhookDisabled(ctx context.Context, tx *db.Tx, sub Subscription, lastError string) error {
	rows, err := tx.QueryContext(ctx, `SELECT email, locale FROM agents WHERE role = 'admin' AND active ORDER BY id`)
	if err != nil {
		return fmt.Errorf("webhook: admins: %w", err)
	}
	type admin struct{ email, locale string }
	var admins []admin
	for rows.Next() {
		var a admin
		if err := rows.Scan(&a.email, &a.locale); err != nil {
			rows.Close()
			return err
		}
		admins = append(admins, a)
	}
	rows.Close()
	link := fmt.Sprintf("%s/admin/webhooks/%d", m.BaseURL, sub.ID)
	for _, a := range admins {
		body := m.Mail.T(a.locale, "Ombud switched off the webhook subscription %s after %d failed deliveries in a row. The last attempt failed with: %s", sub.Name, FailureLimit, lastError) +
			"\n\n" + m.Mail.T(a.locale, "Check the receiver, then switch the subscription on again and replay what failed: %s", link) + "\n"
		err := m.Mail.QueueNotice(ctx, tx, automation.Notice{
			To:      []string{a.email},
			Subject: m.Mail.T(a.locale, "Webhook %s was switched off", sub.Name),
			Body:    body,
			Key:     fmt.Sprintf("webhook-off:%d:%d:%s", sub.ID, sub.UpdatedAt.UnixMilli(), a.email),
		})
		if err != nil {
			return err
		}
	}
	return nil
}
