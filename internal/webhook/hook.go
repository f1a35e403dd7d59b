package webhook

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/jobs"
	"github.com/ombud/ombud/internal/ticket"
)

var errNoRows = sql.ErrNoRows

// JobDeliver is the job kind that posts one delivery.
const JobDeliver = "webhook.deliver"

// maxAttempts bounds a delivery's attempts: with the runner's backoff
// (10 s doubling, capped at an hour) the last is about 2.5 hours after the
// event.
const maxAttempts = 10

// Tickets is what deliveries read of tickets, inside the change's
// transaction so the payload is the ticket as the change left it.
type Tickets interface {
	GetTx(ctx context.Context, tx *db.Tx, id int64) (ticket.Ticket, error)
	CommentByID(ctx context.Context, q db.Querier, ticketID, commentID int64) (ticket.Comment, error)
}

// Register connects the delivery job to the runner.
func (s *Service) Register(r *jobs.Runner) {
	s.wake = r.Wake
	r.Handle(JobDeliver, s.handleDeliver)
}

// Body is what a receiver gets: the event type, when it happened, and its
// data. The delivery id and the signature travel in headers (sign.go).
type Body struct {
	Type      string         `json:"type"`
	Timestamp time.Time      `json:"timestamp"`
	Data      map[string]any `json:"data"`
}

// Change is one field change of a ticket.updated event.
type Change struct {
	Field string `json:"field"`
	From  any    `json:"from"`
	To    any    `json:"to"`
}

// fieldEvents are the ticket event types that make a ticket.updated.
var fieldEvents = map[string]string{
	ticket.EvStatusChanged: "status", ticket.EvPriorityChanged: "priority", ticket.EvTypeChanged: "type",
	ticket.EvAssigneeChanged: "assignee_id", ticket.EvTeamChanged: "team_id", ticket.EvTagsChanged: "tags",
	ticket.EvSubjectChanged: "subject", ticket.EvLanguageChanged: "language", ticket.EvRequesterChanged: "requester_id",
	ticket.EvFieldChanged: "custom_field",
}

// TicketEvents turns one ticket change into deliveries for the
// subscriptions that want them (ticket.EventHook). Nothing is read when no
// subscription is active.
func (s *Service) TicketEvents(ctx context.Context, tx *db.Tx, ticketID int64, events []ticket.Event) error {
	subs, err := s.active(ctx, tx)
	if err != nil || len(subs) == 0 {
		return err
	}
	type out struct {
		typ  string
		data map[string]any
	}
	var outs []out
	var changes []Change
	var t *ticket.Ticket
	loadTicket := func() (map[string]any, error) {
		if t == nil {
			got, err := s.tickets.GetTx(ctx, tx, ticketID)
			if err != nil {
				return nil, err
			}
			t = &got
		}
		return map[string]any{"ticket": t}, nil
	}
	// A new ticket's first message rides on ticket.created, not as a
	// comment.added of its own.
	creating := slices.ContainsFunc(events, func(ev ticket.Event) bool { return ev.Type == ticket.EvCreated })
	var firstComment any
	var actor map[string]any
	for _, ev := range events {
		actor = map[string]any{"type": ev.ActorType, "id": ev.ActorID}
		switch ev.Type {
		case ticket.EvCreated:
			outs = append(outs, out{typ: TicketCreated})
		case ticket.EvCommentAdded:
			cid, _ := ev.Data["comment_id"].(int64)
			if f, ok := ev.Data["comment_id"].(float64); ok {
				cid = int64(f)
			}
			c, err := s.tickets.CommentByID(ctx, tx, ticketID, cid)
			if err != nil {
				return fmt.Errorf("webhook: comment %d: %w", cid, err)
			}
			if creating {
				firstComment = c
				continue
			}
			outs = append(outs, out{typ: CommentAdded, data: map[string]any{"comment": c}})
		case ticket.EvMerged:
			outs = append(outs, out{typ: TicketMerged, data: map[string]any{"into": ev.Data["into"]}})
		case "sla_breached":
			outs = append(outs, out{typ: SLABreached, data: map[string]any{"sla": ev.Data}})
		case "csat_rated":
			outs = append(outs, out{typ: CSATReceived, data: map[string]any{"rating": ev.Data}})
		default:
			field, ok := fieldEvents[ev.Type]
			if !ok {
				continue
			}
			if ev.Type == ticket.EvFieldChanged {
				if k, ok := ev.Data["key"].(string); ok {
					field = "field." + k
				}
			}
			changes = append(changes, Change{Field: field, From: ev.Data["from"], To: ev.Data["to"]})
			if ev.Type == ticket.EvStatusChanged && fmt.Sprint(ev.Data["to"]) == "solved" { // a ticket.Status, not a string
				outs = append(outs, out{typ: TicketSolved})
			}
		}
	}
	for i := range outs {
		if outs[i].typ == TicketCreated && firstComment != nil {
			outs[i].data = map[string]any{"comment": firstComment}
		}
	}
	if len(changes) > 0 {
		outs = append(outs, out{typ: TicketUpdated, data: map[string]any{"changes": changes}})
	}
	now := s.now()
	for _, o := range outs {
		wanted := false
		for _, sub := range subs {
			wanted = wanted || slices.Contains(sub.Events, o.typ)
		}
		if !wanted {
			continue
		}
		data, err := loadTicket()
		if err != nil {
			return fmt.Errorf("webhook: ticket %d: %w", ticketID, err)
		}
		for k, v := range o.data {
			data[k] = v
		}
		data["actor"] = actor
		body, err := json.Marshal(Body{Type: o.typ, Timestamp: now.UTC(), Data: data})
		if err != nil {
			return fmt.Errorf("webhook: encode %s: %w", o.typ, err)
		}
		for _, sub := range subs {
			if slices.Contains(sub.Events, o.typ) {
				if _, err := s.enqueue(ctx, tx, sub.ID, o.typ, ticketID, string(body), 0, now); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// CustomerCreated queues customer.created deliveries inside the
// transaction that created the customer (customer.Service.OnCreated).
func (s *Service) CustomerCreated(ctx context.Context, tx *db.Tx, load func() (customer.Customer, error)) error {
	subs, err := s.active(ctx, tx)
	if err != nil || len(subs) == 0 {
		return err
	}
	var c customer.Customer
	loaded := false
	now := s.now()
	var body []byte
	for _, sub := range subs {
		if !slices.Contains(sub.Events, CustomerCreated) {
			continue
		}
		if !loaded {
			if c, err = load(); err != nil {
				return fmt.Errorf("webhook: new customer: %w", err)
			}
			loaded = true
		}
		if body == nil {
			if body, err = json.Marshal(Body{Type: CustomerCreated, Timestamp: now.UTC(), Data: map[string]any{"customer": c}}); err != nil {
				return fmt.Errorf("webhook: encode customer: %w", err)
			}
		}
		if _, err := s.enqueue(ctx, tx, sub.ID, CustomerCreated, 0, string(body), 0, now); err != nil {
			return err
		}
	}
	return nil
}

// enqueue writes a delivery and its job inside tx.
func (s *Service) enqueue(ctx context.Context, tx *db.Tx, subID int64, typ string, ticketID int64, body string, replayOf int64, now time.Time) (int64, error) {
	id, err := tx.InsertID(ctx, `INSERT INTO webhook_deliveries (subscription_id, event_type, ticket_id, payload, replay_of, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		subID, typ, db.NullInt(ticketID), body, db.NullInt(replayOf), db.Millis(now))
	if err != nil {
		return 0, fmt.Errorf("webhook: queue delivery: %w", err)
	}
	if _, err := jobs.Enqueue(ctx, tx, now, jobs.New{Kind: JobDeliver, Key: fmt.Sprintf("delivery:%d", id),
		Payload: map[string]int64{"delivery_id": id}, MaxAttempts: maxAttempts}); err != nil {
		return 0, err
	}
	tx.AfterCommit(s.wake)
	return id, nil
}
