package phone

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/live"
	"github.com/ombud/ombud/internal/opt"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/webhook"
)

// Signature is a request's Standard Webhooks headers (webhook-id,
// webhook-timestamp, webhook-signature).
type Signature struct {
	ID, Timestamp, Signature string
}

// Result answers a call event.
type Result struct {
	CallID     string `json:"call_id"`
	Event      string `json:"event"`
	TicketID   int64  `json:"ticket_id"`
	CustomerID int64  `json:"customer_id"`
	// Duplicate is true when this (call_id, event) was applied before:
	// nothing changed.
	Duplicate bool `json:"duplicate"`
}

// unsigned is the answer to every request that does not prove it comes
// from the integration (unknown, switched off, no or a wrong signature),
// so a caller learns nothing about which integrations exist.
func unsigned() error {
	return apperr.Unauthenticated("the webhook-signature does not verify with this integration's secret")
}

// Receive verifies, parses and applies one call event posted for an
// integration. The signature covers the webhook-id, the timestamp and the
// body; a timestamp outside Tolerance is refused (a replay), and a
// (call_id, event) pair seen before is answered without change.
func (s *Service) Receive(ctx context.Context, integrationID int64, sig Signature, body []byte) (Result, error) {
	if sig.ID == "" || sig.Timestamp == "" || sig.Signature == "" {
		return Result{}, apperr.Unauthenticated("webhook-id, webhook-timestamp and webhook-signature are required")
	}
	var sealed, cc string
	var team sql.NullInt64
	var active bool
	err := s.db.QueryRowContext(ctx, `SELECT secret, default_country, team_id, active FROM phone_integrations WHERE id = ?`, integrationID).Scan(&sealed, &cc, &team, &active)
	if errors.Is(err, sql.ErrNoRows) {
		return Result{}, unsigned()
	}
	if err != nil {
		return Result{}, fmt.Errorf("phone: integration %d: %w", integrationID, err)
	}
	key, err := s.secrets.Open(purposeSecret, sealed)
	if err != nil {
		return Result{}, fmt.Errorf("phone: open secret %d: %w", integrationID, err)
	}
	switch err := webhook.Verify(key, sig.ID, sig.Timestamp, sig.Signature, body, s.now(), s.Tolerance); {
	case errors.Is(err, webhook.ErrStale):
		return Result{}, apperr.Unauthenticated("webhook-timestamp is too far from now (an old or replayed request)")
	case err != nil:
		return Result{}, unsigned()
	}
	if !active {
		return Result{}, apperr.Forbidden("this phone integration is switched off")
	}
	p, err := Parse(body)
	if err != nil {
		return Result{}, err
	}
	from, err := E164(p.From, cc)
	if err != nil {
		return Result{}, apperr.InvalidField("from", err.Error())
	}
	to := ""
	if p.To != "" {
		if to, err = E164(p.To, cc); err != nil {
			return Result{}, apperr.InvalidField("to", err.Error())
		}
	}
	res := Result{CallID: p.CallID, Event: p.Event}
	var c call
	var pops []int64
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		now := s.now()
		r, err := tx.ExecContext(ctx, `INSERT INTO phone_call_events (integration_id, call_id, event, received_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			integrationID, p.CallID, p.Event, db.Millis(now))
		if err != nil {
			return fmt.Errorf("phone: record event: %w", err)
		}
		n, _ := r.RowsAffected()
		res.Duplicate = n == 0
		agentID, err := agentByEmail(ctx, tx, p.AgentEmail)
		if err != nil {
			return err
		}
		c, err = s.ensureCall(ctx, tx, integrationID, team.Int64, p, from, to, cc)
		if err != nil {
			return err
		}
		res.TicketID, res.CustomerID = c.ticketID, c.customerID
		if res.Duplicate {
			return nil
		}
		data := map[string]any{"call_id": p.CallID, "from": from}
		if to != "" {
			data["to"] = to
		}
		if agentID != 0 {
			data["agent_id"] = agentID
		}
		var typ, state string
		switch p.Event {
		case EventStarted:
			typ, state = EvCallStarted, "ringing"
			if pops, err = popTargets(ctx, tx, agentID, team.Int64); err != nil {
				return err
			}
		case EventAnswered:
			typ, state = EvCallAnswered, "answered"
		case EventEnded:
			typ, state = EvCallEnded, "ended"
		case EventMissed:
			typ, state = EvCallMissed, "missed"
		}
		if p.Event == EventEnded || p.Event == EventMissed {
			data["duration_s"] = p.DurationS
			if p.RecordingURL != "" {
				data["recording_url"] = p.RecordingURL
			}
		}
		// A late "answered" does not undo an end already recorded.
		if _, err := tx.ExecContext(ctx, `UPDATE phone_calls SET
			state = CASE WHEN state IN ('ended', 'missed') AND ? = 'answered' THEN state ELSE ? END,
			agent_id = COALESCE(?, agent_id), duration_s = CASE WHEN ? > 0 THEN ? ELSE duration_s END,
			recording_url = CASE WHEN ? <> '' THEN ? ELSE recording_url END, updated_at = ? WHERE id = ?`,
			state, state, db.NullInt(agentID), p.DurationS, p.DurationS, p.RecordingURL, p.RecordingURL, db.Millis(now), c.id); err != nil {
			return fmt.Errorf("phone: update call: %w", err)
		}
		c.agentID = agentID
		return s.tickets.RecordTx(ctx, tx, authz.System, c.ticketID, typ, data)
	})
	if err != nil {
		return Result{}, err
	}
	if res.Duplicate {
		return res, nil
	}
	// The ticket service writes in its own transaction: the call is
	// recorded first, then the assignment or the call-back flag follows.
	switch {
	case p.Event == EventAnswered && c.agentID != 0:
		if _, err := s.tickets.Update(ctx, authz.System, c.ticketID, ticket.Patch{AssigneeID: opt.Value[int64]{Set: true, V: c.agentID}}); err != nil {
			s.log.Warn("phone: assign answered call", "ticket", c.ticketID, "err", err)
		}
	case p.Event == EventMissed:
		open := ticket.StatusOpen
		if _, err := s.tickets.Update(ctx, authz.System, c.ticketID, ticket.Patch{AddTags: []string{CallBackTag}, Status: &open}); err != nil {
			s.log.Warn("phone: flag missed call", "ticket", c.ticketID, "err", err)
		}
	}
	if s.hub != nil {
		for _, a := range pops {
			s.hub.Publish(live.Event{Kind: live.KindNotice, TicketID: c.ticketID, Types: []string{NoticeIncomingCall}, AgentID: a})
		}
	}
	return res, nil
}

type call struct {
	id, ticketID, customerID, agentID int64
}

// ensureCall returns the call's row, creating it (and finding the caller,
// and their open phone ticket or a new one) for the first event heard of
// the call, whichever it is.
func (s *Service) ensureCall(ctx context.Context, tx *db.Tx, integrationID, teamID int64, p Payload, from, to, cc string) (call, error) {
	var c call
	err := tx.QueryRowContext(ctx, `SELECT id, ticket_id, customer_id FROM phone_calls WHERE integration_id = ? AND call_id = ?`, integrationID, p.CallID).
		Scan(&c.id, &c.ticketID, &c.customerID)
	if err == nil {
		return c, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("phone: read call: %w", err)
	}
	if c.customerID, err = s.caller(ctx, tx, from, p.From, cc); err != nil {
		return c, err
	}
	err = tx.QueryRowContext(ctx, `SELECT id FROM tickets WHERE requester_id = ? AND channel = 'phone' AND status IN ('new', 'open', 'pending', 'on_hold')
		ORDER BY updated_at DESC, id DESC LIMIT 1`, c.customerID).Scan(&c.ticketID)
	if errors.Is(err, sql.ErrNoRows) {
		who := from
		var name string
		if err := tx.QueryRowContext(ctx, `SELECT name FROM customers WHERE id = ?`, c.customerID).Scan(&name); err == nil && name != "" && name != from {
			who = name + " (" + from + ")"
		}
		in := ticket.CreateInput{Subject: "Phone call from " + who, Description: "Phone call from " + who + ".", Public: new(bool),
			RequesterID: c.customerID, Channel: "phone", Status: ticket.StatusNew, Tags: []string{"phone"}}
		if teamID != 0 {
			in.TeamID = &teamID
		}
		t, err := s.tickets.CreateTx(ctx, tx, authz.System, in)
		if err != nil {
			return c, err
		}
		c.ticketID = t.ID
	} else if err != nil {
		return c, fmt.Errorf("phone: open ticket: %w", err)
	}
	started := p.StartedAt
	if started.IsZero() {
		started = s.now()
	}
	now := db.Millis(s.now())
	c.id, err = tx.InsertID(ctx, `INSERT INTO phone_calls (integration_id, call_id, ticket_id, customer_id, from_number, to_number, state, started_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, 'ringing', ?, ?, ?)`, integrationID, p.CallID, c.ticketID, c.customerID, from, to, db.Millis(started), now, now)
	if err != nil {
		return c, fmt.Errorf("phone: insert call: %w", err)
	}
	return c, nil
}

// caller finds the customer with the number in any of its stored forms,
// or creates one named by the number.
func (s *Service) caller(ctx context.Context, tx *db.Tx, e164, raw, cc string) (int64, error) {
	cands := candidates(e164, raw, cc)
	args := []any{e164}
	for _, v := range cands {
		args = append(args, v)
	}
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT customer_id FROM customer_identities WHERE type = 'phone' AND value IN (`+
		strings.TrimSuffix(strings.Repeat("?,", len(cands)), ",")+`) ORDER BY CASE WHEN value = ? THEN 0 ELSE 1 END, id LIMIT 1`,
		append(args[1:], e164)...).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("phone: find caller: %w", err)
	}
	id, _, err = s.customers.ResolveIdentity(ctx, tx, "phone", e164, e164)
	return id, err
}

// agentByEmail is the active agent with the email, or 0 (a provider's
// user unknown here is no reason to lose the call).
func agentByEmail(ctx context.Context, tx *db.Tx, email string) (int64, error) {
	if email == "" {
		return 0, nil
	}
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM agents WHERE email = ? AND active`, email).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("phone: agent: %w", err)
	}
	return id, nil
}

// popTargets are the agents an incoming call pops up for: the one named,
// else the online agents of the integration's team (of every team without
// one) who may read tickets.
func popTargets(ctx context.Context, tx *db.Tx, agentID, teamID int64) ([]int64, error) {
	if agentID != 0 {
		return []int64{agentID}, nil
	}
	q := `SELECT id FROM agents WHERE active AND availability = 'online' AND role IN ('admin', 'manager', 'agent')`
	args := []any{}
	if teamID != 0 {
		q += ` AND id IN (SELECT agent_id FROM team_members WHERE team_id = ?)`
		args = append(args, teamID)
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY id LIMIT 200`, args...)
	if err != nil {
		return nil, fmt.Errorf("phone: pop targets: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
