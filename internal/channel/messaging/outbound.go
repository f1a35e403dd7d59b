package messaging

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/jobs"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/webhook"
)

// JobSend is the job kind that sends one reply through its provider.
const JobSend = "messaging.send"

// MaxAttempts bounds the tries of one reply.
const MaxAttempts = 6

// ErrWindowClosed is the refusal of a reply outside the provider's reply
// window (a fixed sentence, so the composer can show it translated).
const ErrWindowClosed = "The reply window of this conversation has closed: the customer last wrote too long ago. Reply on another channel, or wait until the customer writes again."

type sendPayload struct {
	OutboundID int64 `json:"outbound_id"`
}

// conversation is a ticket's messaging thread.
type conversation struct {
	ref, integrationID int64
	id                 string
	lastInbound        time.Time
}

// conversationOf is the conversation a ticket's latest inbound message
// came from; ok is false for tickets not on a messaging channel.
func conversationOf(ctx context.Context, q db.Querier, ticketID int64) (conversation, bool, error) {
	var c conversation
	var last int64
	err := q.QueryRowContext(ctx, `SELECT c.id, c.integration_id, c.conversation_id, c.last_inbound_at FROM messaging_inbound i
		JOIN messaging_conversations c ON c.id = i.conversation_ref WHERE i.ticket_id = ? ORDER BY i.received_at DESC LIMIT 1`, ticketID).
		Scan(&c.ref, &c.integrationID, &c.id, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil
	}
	if err != nil {
		return c, false, fmt.Errorf("messaging: conversation of ticket %d: %w", ticketID, err)
	}
	c.lastInbound = db.Time(last)
	return c, true, nil
}

// Window is the reply window of a messaging ticket.
type Window struct {
	// Messaging is false for a ticket not on a messaging channel.
	Messaging bool   `json:"messaging"`
	Provider  string `json:"provider,omitempty"`
	// Hours is the window's length; 0 means the provider has none.
	Hours int `json:"hours"`
	// ClosesAt is when the window closes (nil without one).
	ClosesAt *time.Time `json:"closes_at"`
	Closed   bool       `json:"closed"`
}

// WindowOf says whether an agent can still reply to a ticket's conversation.
func (s *Service) WindowOf(ctx context.Context, actor authz.Actor, ticketID int64) (Window, error) {
	if err := authz.Check(actor, authz.TicketRead); err != nil {
		return Window{}, err
	}
	return s.window(ctx, s.db, ticketID)
}

func (s *Service) window(ctx context.Context, q db.Querier, ticketID int64) (Window, error) {
	c, ok, err := conversationOf(ctx, q, ticketID)
	if err != nil || !ok {
		return Window{}, err
	}
	w := Window{Messaging: true}
	if err := q.QueryRowContext(ctx, `SELECT provider, reply_window_hours FROM messaging_integrations WHERE id = ?`, c.integrationID).Scan(&w.Provider, &w.Hours); err != nil {
		return Window{}, fmt.Errorf("messaging: window: %w", err)
	}
	if w.Hours > 0 {
		at := c.lastInbound.Add(time.Duration(w.Hours) * time.Hour)
		w.ClosesAt = &at
		w.Closed = !s.now().Before(at)
	}
	return w, nil
}

// QueueReply queues a public agent reply on a messaging ticket to be sent
// through its provider (ticket.Outbox; it runs in the comment's
// transaction). Outside the provider's reply window the reply is refused,
// and so the comment is not stored.
func (s *Service) QueueReply(ctx context.Context, tx *db.Tx, t ticket.Ticket, c ticket.Comment) error {
	conv, ok, err := conversationOf(ctx, tx, t.ID)
	if err != nil || !ok {
		return err
	}
	w, err := s.window(ctx, tx, t.ID)
	if err != nil {
		return err
	}
	if w.Closed {
		return apperr.Unprocessable("body", ErrWindowClosed)
	}
	now := s.now()
	id, err := tx.InsertID(ctx, `INSERT INTO messaging_outbound (integration_id, conversation_ref, ticket_id, comment_id, state, created_at, updated_at)
		VALUES (?, ?, ?, ?, 'queued', ?, ?)`, conv.integrationID, conv.ref, t.ID, c.ID, db.Millis(now), db.Millis(now))
	if err != nil {
		return fmt.Errorf("messaging: queue reply: %w", err)
	}
	if _, err := jobs.Enqueue(ctx, tx, now, jobs.New{Kind: JobSend, Key: "comment:" + strconv.FormatInt(c.ID, 10),
		Payload: sendPayload{OutboundID: id}, MaxAttempts: MaxAttempts}); err != nil {
		return err
	}
	tx.AfterCommit(s.Wake)
	return nil
}

// Send is the JobSend handler: it hands one reply to the provider and
// records the outcome on the reply; the runner retries a failure with
// backoff, and the last failure marks the reply failed.
func (s *Service) Send(ctx context.Context, j jobs.Job) error {
	var p sendPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return jobs.Permanent(fmt.Errorf("messaging: payload: %w", err))
	}
	var integrationID, ticketID, commentID int64
	var convID, state, body string
	err := s.db.QueryRowContext(ctx, `SELECT o.integration_id, o.ticket_id, o.comment_id, c.conversation_id, o.state, m.body
		FROM messaging_outbound o JOIN messaging_conversations c ON c.id = o.conversation_ref JOIN comments m ON m.id = o.comment_id WHERE o.id = ?`, p.OutboundID).
		Scan(&integrationID, &ticketID, &commentID, &convID, &state, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // the integration or ticket was deleted since
	}
	if err != nil {
		return fmt.Errorf("messaging: read reply %d: %w", p.OutboundID, err)
	}
	if state != StateQueued {
		return nil // sent already (a repeated run)
	}
	it, err := s.load(ctx, s.db, integrationID)
	if err != nil {
		return err
	}
	var msgID string
	switch {
	case it.provider == ProviderTelegram:
		msgID, err = s.tgSend(ctx, it.base, it.token, convID, body)
	case it.base == "":
		err = jobs.Permanent(errors.New("the integration has no reply URL"))
	default:
		msgID, err = s.post(ctx, it, p.OutboundID, ticketID, convID, body)
	}
	now := db.Millis(s.now())
	if err != nil {
		final := jobs.IsPermanent(err) || j.Attempts >= j.MaxAttempts
		next := StateQueued
		if final {
			next = StateFailed
		}
		werr := s.db.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE messaging_outbound SET state = ?, error = ?, attempts = attempts + 1, updated_at = ? WHERE id = ?`,
				next, truncate(err.Error(), 1000), now, p.OutboundID)
			return err
		})
		if werr != nil {
			s.log.Warn("messaging: record failure", "reply", p.OutboundID, "err", werr)
		}
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE messaging_outbound SET state = CASE WHEN state = 'queued' THEN 'sent' ELSE state END, message_id = ?, error = '',
			attempts = attempts + 1, updated_at = ? WHERE id = ?`, msgID, now, p.OutboundID)
		return err
	})
}

// Reply is what the neutral reply callback receives (docs/messaging.md).
type Reply struct {
	Type           string `json:"type"` // "reply"
	ReplyID        string `json:"reply_id"`
	ConversationID string `json:"conversation_id"`
	TicketID       int64  `json:"ticket_id"`
	Text           string `json:"text"`
}

// post sends a reply to a neutral integration's reply URL, signed like
// our webhooks; the answer may name the provider's message id.
func (s *Service) post(ctx context.Context, it integ, outboundID, ticketID int64, convID, text string) (string, error) {
	replyID := "reply-" + strconv.FormatInt(outboundID, 10)
	body, _ := json.Marshal(Reply{Type: "reply", ReplyID: replyID, ConversationID: convID, TicketID: ticketID, Text: text})
	now := s.now()
	sig, err := webhook.Sign(it.secret, replyID, now, body)
	if err != nil {
		return "", jobs.Permanent(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, it.base, bytes.NewReader(body))
	if err != nil {
		return "", jobs.Permanent(errors.New("bad reply URL"))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("webhook-id", replyID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
	req.Header.Set("webhook-signature", sig)
	if it.token != "" {
		req.Header.Set("Authorization", "Bearer "+it.token)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("reply: %w", redact(err, it.token))
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		err := fmt.Errorf("reply: HTTP %d", resp.StatusCode)
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 || resp.StatusCode == http.StatusRequestTimeout {
			return "", err
		}
		return "", jobs.Permanent(err)
	}
	var r struct {
		MessageID string `json:"message_id"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&r)
	if r.MessageID == "" || !printable(r.MessageID, MaxID) {
		return replyID, nil
	}
	return r.MessageID, nil
}

var stateRank = map[string]int{StateQueued: 0, StateSent: 1, StateFailed: 1, StateDelivered: 2, StateRead: 3}

// applyStatus records what the provider says became of a reply; a state
// never goes back (a late "sent" after "read" changes nothing).
func (s *Service) applyStatus(ctx context.Context, it integ, p Payload) (Result, error) {
	res := Result{Type: TypeStatus}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var id, ticketID int64
		var state string
		err := tx.QueryRowContext(ctx, `SELECT id, ticket_id, state FROM messaging_outbound WHERE integration_id = ? AND message_id = ? ORDER BY id DESC LIMIT 1`,
			it.id, p.MessageID).Scan(&id, &ticketID, &state)
		if errors.Is(err, sql.ErrNoRows) {
			res.Ignored = true
			return nil
		}
		if err != nil {
			return fmt.Errorf("messaging: status: %w", err)
		}
		res.TicketID, res.State = ticketID, state
		if stateRank[p.Status] < stateRank[state] || p.Status == state || (p.Status == StateFailed && state != StateSent && state != StateQueued) {
			return nil
		}
		res.State = p.Status
		_, err = tx.ExecContext(ctx, `UPDATE messaging_outbound SET state = ?, error = ?, updated_at = ? WHERE id = ?`, p.Status, p.Error, db.Millis(s.now()), id)
		return err
	})
	return res, err
}

// Delivery is how one reply on a messaging ticket is doing.
type Delivery struct {
	CommentID int64     `json:"comment_id"`
	State     string    `json:"state"`
	Error     string    `json:"error"`
	Attempts  int       `json:"attempts"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Deliveries lists the replies of a ticket sent through a provider.
func (s *Service) Deliveries(ctx context.Context, actor authz.Actor, ticketID int64) ([]Delivery, error) {
	if err := authz.Check(actor, authz.TicketRead); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT comment_id, state, error, attempts, updated_at FROM messaging_outbound WHERE ticket_id = ? ORDER BY id LIMIT 500`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("messaging: deliveries: %w", err)
	}
	defer rows.Close()
	out := []Delivery{}
	for rows.Next() {
		var d Delivery
		var at int64
		if err := rows.Scan(&d.CommentID, &d.State, &d.Error, &d.Attempts, &at); err != nil {
			return nil, err
		}
		d.UpdatedAt = db.Time(at)
		out = append(out, d)
	}
	return out, rows.Err()
}
