package messaging

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/webhook"
)

// Signature is a request's Standard Webhooks headers (webhook-id,
// webhook-timestamp, webhook-signature).
type Signature struct {
	ID, Timestamp, Signature string
}

// Result answers an inbound event.
type Result struct {
	Type       string `json:"type"`
	TicketID   int64  `json:"ticket_id,omitempty"`
	CustomerID int64  `json:"customer_id,omitempty"`
	// State is a reply's delivery state after a status event.
	State string `json:"state,omitempty"`
	// Duplicate is true when this message id was applied before: nothing
	// changed.
	Duplicate bool `json:"duplicate"`
	// Ignored is true for an event there is nothing to do with (a Telegram
	// update that is not a new message, a status of an unknown reply).
	Ignored bool `json:"ignored"`
}

// integ is an integration with its secrets opened.
type integ struct {
	id                  int64
	name, provider      string
	secret, token, base string
	window              int
	team                sql.NullInt64
	active              bool
}

func unsigned() error {
	return apperr.Unauthenticated("the signature does not verify with this integration's secret")
}

func (s *Service) load(ctx context.Context, q db.Querier, id int64) (integ, error) {
	var it integ
	var sealed, tok string
	err := q.QueryRowContext(ctx, `SELECT id, name, provider, secret, reply_token, reply_url, reply_window_hours, team_id, active FROM messaging_integrations WHERE id = ?`, id).
		Scan(&it.id, &it.name, &it.provider, &sealed, &tok, &it.base, &it.window, &it.team, &it.active)
	if errors.Is(err, sql.ErrNoRows) {
		return it, apperr.NotFound("messaging integration", id)
	}
	if err != nil {
		return it, fmt.Errorf("messaging: integration %d: %w", id, err)
	}
	if it.secret, err = s.secrets.Open(purposeSecret, sealed); err != nil {
		return it, fmt.Errorf("messaging: open secret %d: %w", id, err)
	}
	if it.token, err = s.secrets.Open(purposeToken, tok); err != nil {
		return it, fmt.Errorf("messaging: open token %d: %w", id, err)
	}
	return it, nil
}

// Receive verifies and applies one provider-neutral event (a message or a
// delivery status) posted for an integration. The signature covers the
// webhook-id, the timestamp and the body; a stale timestamp is refused.
func (s *Service) Receive(ctx context.Context, integrationID int64, sig Signature, body []byte) (Result, error) {
	if sig.ID == "" || sig.Timestamp == "" || sig.Signature == "" {
		return Result{}, apperr.Unauthenticated("webhook-id, webhook-timestamp and webhook-signature are required")
	}
	it, err := s.load(ctx, s.db, integrationID)
	if apperr.Is(err, apperr.CodeNotFound) {
		return Result{}, unsigned()
	}
	if err != nil {
		return Result{}, err
	}
	switch err := webhook.Verify(it.secret, sig.ID, sig.Timestamp, sig.Signature, body, s.now(), s.Tolerance); {
	case errors.Is(err, webhook.ErrStale):
		return Result{}, apperr.Unauthenticated("webhook-timestamp is too far from now (an old or replayed request)")
	case err != nil:
		return Result{}, unsigned()
	}
	if !it.active {
		return Result{}, apperr.Forbidden("this messaging integration is switched off")
	}
	p, err := Parse(body)
	if err != nil {
		return Result{}, err
	}
	if p.Type == TypeStatus {
		return s.applyStatus(ctx, it, p)
	}
	return s.applyMessage(ctx, it, p)
}

// ReceiveTelegram applies one Bot API Update posted to a Telegram
// integration; the secret_token header is the credential.
func (s *Service) ReceiveTelegram(ctx context.Context, integrationID int64, token string, body []byte) (Result, error) {
	it, err := s.load(ctx, s.db, integrationID)
	if apperr.Is(err, apperr.CodeNotFound) || err == nil && (it.provider != ProviderTelegram || subtle.ConstantTimeCompare([]byte(token), []byte(it.secret)) != 1) {
		return Result{}, apperr.Unauthenticated("the " + TelegramSecretHeader + " header does not match this integration's secret")
	}
	if err != nil {
		return Result{}, err
	}
	if !it.active {
		return Result{}, apperr.Forbidden("this messaging integration is switched off")
	}
	p, ignored, err := ParseTelegram(body)
	if err != nil {
		return Result{}, err
	}
	if ignored {
		return Result{Type: TypeMessage, Ignored: true}, nil
	}
	return s.applyMessage(ctx, it, p)
}

var errDuplicate = errors.New("messaging: duplicate message")

// applyMessage threads one customer message: the sender's customer, the
// conversation's open ticket (or a new one), the text and media as the
// customer's comment. A message id seen before changes nothing.
func (s *Service) applyMessage(ctx context.Context, it integ, p Payload) (Result, error) {
	res := Result{Type: TypeMessage}
	var tid int64
	err := s.db.QueryRowContext(ctx, `SELECT ticket_id FROM messaging_inbound WHERE integration_id = ? AND message_id = ?`, it.id, p.MessageID).Scan(&tid)
	if err == nil {
		res.TicketID, res.Duplicate = tid, true
		return res, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return res, fmt.Errorf("messaging: dedup: %w", err)
	}
	// Files are fetched before the write: the single writer never waits
	// on the network. What cannot be fetched stays a link in the text.
	files, notes := s.fetchMedia(ctx, it, p.Media)
	text := p.Text
	if len(notes) > 0 {
		text = strings.TrimSpace(text + "\n\n" + strings.Join(notes, "\n"))
	}
	if text == "" {
		names := make([]string, len(files))
		for i, f := range files {
			names[i] = f.Filename
		}
		text = "[" + strings.Join(names, ", ") + "]"
	}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		now := s.now()
		cust, err := s.sender(ctx, tx, it, p.Sender)
		if err != nil {
			return err
		}
		res.CustomerID = cust
		var convID int64
		var convTicket sql.NullInt64
		err = tx.QueryRowContext(ctx, `SELECT id, ticket_id FROM messaging_conversations WHERE integration_id = ? AND conversation_id = ?`, it.id, p.ConversationID).Scan(&convID, &convTicket)
		if errors.Is(err, sql.ErrNoRows) {
			convID, err = tx.InsertID(ctx, `INSERT INTO messaging_conversations (integration_id, conversation_id, customer_id, handle, last_inbound_at, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
				it.id, p.ConversationID, cust, p.Sender.Handle, db.Millis(now), db.Millis(now))
		}
		if err != nil {
			return fmt.Errorf("messaging: conversation: %w", err)
		}
		var ids []int64
		for _, f := range files {
			a, err := s.tickets.AttachTx(ctx, tx, f)
			if err != nil {
				return err
			}
			ids = append(ids, a.ID)
		}
		open := false
		if convTicket.Valid {
			var st string
			if err := tx.QueryRowContext(ctx, `SELECT status FROM tickets WHERE id = ?`, convTicket.Int64).Scan(&st); err == nil {
				open = st == string(ticket.StatusNew) || st == string(ticket.StatusOpen) || st == string(ticket.StatusPending) || st == "on_hold"
			}
		}
		var commentID int64
		if open {
			res.TicketID = convTicket.Int64
			c, _, err := s.tickets.CommentTx(ctx, tx, authz.System, res.TicketID, ticket.CommentInput{Body: text, AsCustomer: true, Channel: Channel, AttachmentIDs: ids})
			if err != nil {
				return err
			}
			commentID = c.ID
		} else {
			who := p.Sender.Name
			if who == "" {
				who = p.Sender.Handle
			}
			in := ticket.CreateInput{Subject: providerTitle(it.provider) + " message from " + who, Description: text, RequesterID: cust,
				Channel: Channel, Status: ticket.StatusNew, Tags: []string{it.provider}, AttachmentIDs: ids}
			if it.team.Valid {
				in.TeamID = &it.team.Int64
			}
			t, err := s.tickets.CreateTx(ctx, tx, authz.System, in)
			if err != nil {
				return err
			}
			res.TicketID = t.ID
			if err := tx.QueryRowContext(ctx, `SELECT id FROM comments WHERE ticket_id = ? ORDER BY id LIMIT 1`, t.ID).Scan(&commentID); err != nil {
				return fmt.Errorf("messaging: first comment: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE messaging_conversations SET ticket_id = ?, last_inbound_at = ?, customer_id = ? WHERE id = ?`,
			res.TicketID, db.Millis(now), cust, convID); err != nil {
			return fmt.Errorf("messaging: conversation: %w", err)
		}
		r, err := tx.ExecContext(ctx, `INSERT INTO messaging_inbound (integration_id, message_id, conversation_ref, ticket_id, comment_id, received_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, it.id, p.MessageID, convID, res.TicketID, commentID, db.Millis(now))
		if err != nil {
			return fmt.Errorf("messaging: record message: %w", err)
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return errDuplicate // a concurrent delivery of the same message won
		}
		return nil
	})
	if errors.Is(err, errDuplicate) {
		err = s.db.QueryRowContext(ctx, `SELECT ticket_id FROM messaging_inbound WHERE integration_id = ? AND message_id = ?`, it.id, p.MessageID).Scan(&tid)
		return Result{Type: TypeMessage, TicketID: tid, Duplicate: true}, err
	}
	if err != nil {
		return Result{}, err
	}
	return res, nil
}

// providerTitle names a provider in a ticket's subject.
func providerTitle(p string) string {
	switch p {
	case ProviderTelegram:
		return "Telegram"
	case ProviderWhatsApp:
		return "WhatsApp"
	case ProviderMessenger:
		return "Messenger"
	case ProviderInstagram:
		return "Instagram"
	}
	return "Social"
}

// sender is the customer of a handle: the identity's owner, else the owner
// of the phone number the provider gave (the handle is linked to them),
// else a new customer with the handle (and the number).
func (s *Service) sender(ctx context.Context, tx *db.Tx, it integ, sd *Sender) (int64, error) {
	typ := identityType(it.provider)
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT customer_id FROM customer_identities WHERE type = ? AND value = ?`, typ, sd.Handle).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("messaging: find sender: %w", err)
	}
	now := db.Millis(s.now())
	phone := normalPhone(sd.Phone)
	if phone != "" {
		err := tx.QueryRowContext(ctx, `SELECT customer_id FROM customer_identities WHERE type = 'phone' AND value = ? ORDER BY id LIMIT 1`, phone).Scan(&id)
		if err == nil {
			if _, err := tx.ExecContext(ctx, `INSERT INTO customer_identities (customer_id, type, value, is_primary, created_at) VALUES (?, ?, ?, FALSE, ?) ON CONFLICT DO NOTHING`,
				id, typ, sd.Handle, now); err != nil {
				return 0, fmt.Errorf("messaging: link handle: %w", err)
			}
			return id, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("messaging: find phone: %w", err)
		}
	}
	name := sd.Name
	if name == "" {
		name = sd.Handle
	}
	id, _, err = s.customers.ResolveIdentity(ctx, tx, typ, sd.Handle, name)
	if err != nil {
		return 0, err
	}
	if phone != "" {
		if _, err := tx.ExecContext(ctx, `INSERT INTO customer_identities (customer_id, type, value, is_primary, created_at) VALUES (?, 'phone', ?, FALSE, ?) ON CONFLICT DO NOTHING`,
			id, phone, now); err != nil {
			return 0, fmt.Errorf("messaging: add phone: %w", err)
		}
	}
	return id, nil
}

// normalPhone is a number as customer identities store it: digits with a
// leading + when it had one (or 00).
func normalPhone(s string) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		if r == '+' && i == 0 {
			b.WriteRune(r)
		}
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	out := b.String()
	if strings.HasPrefix(out, "00") {
		out = "+" + out[2:]
	}
	return out
}
