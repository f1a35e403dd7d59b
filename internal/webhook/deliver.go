package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/jobs"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/secret"
)

// Delivery states.
const (
	StatePending   = "pending"
	StateDelivered = "delivered"
	StateFailed    = "failed"    // every attempt used
	StateCancelled = "cancelled" // the subscription was off when its turn came
)

// Delivery is one event for one subscription.
type Delivery struct {
	ID             int64      `json:"id"`
	SubscriptionID int64      `json:"subscription_id"`
	EventType      string     `json:"event_type"`
	TicketID       int64      `json:"ticket_id,omitempty"`
	State          string     `json:"state"`
	Attempts       int        `json:"attempts"`
	LastStatus     int        `json:"last_status"`
	LastError      string     `json:"last_error"`
	ReplayOf       int64      `json:"replay_of,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	FinishedAt     *time.Time `json:"finished_at"`
	Payload        string     `json:"payload,omitempty"` // only on one delivery's page
	AttemptLog     []Attempt  `json:"attempt_log,omitempty"`
}

// Attempt is one try at a delivery.
type Attempt struct {
	At         time.Time `json:"at"`
	Status     int       `json:"status"` // 0: no answer
	Error      string    `json:"error"`
	Response   string    `json:"response"` // the answer's first KiB
	DurationMS int64     `json:"duration_ms"`
}

const responseExcerpt = 1024

func (s *Service) handleDeliver(ctx context.Context, j jobs.Job) error {
	var p struct {
		DeliveryID int64 `json:"delivery_id"`
	}
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.DeliveryID == 0 {
		return jobs.Permanent(fmt.Errorf("webhook: bad delivery payload %q", j.Payload))
	}
	var state, payload, sealedURL, sealedSecret string
	var subID int64
	var active bool
	err := s.db.QueryRowContext(ctx, `SELECT d.state, d.payload, s.id, s.url, s.secret, s.active FROM webhook_deliveries d
		JOIN webhook_subscriptions s ON s.id = d.subscription_id WHERE d.id = ?`, p.DeliveryID).
		Scan(&state, &payload, &subID, &sealedURL, &sealedSecret, &active)
	if errors.Is(err, errNoRows) {
		return nil // the subscription was deleted with its log
	}
	if err != nil {
		return fmt.Errorf("webhook: read delivery %d: %w", p.DeliveryID, err)
	}
	if state != StatePending {
		return nil // a repeated job run: done already
	}
	if !active {
		return s.finishDelivery(ctx, p.DeliveryID, StateCancelled, "the subscription is switched off")
	}
	url, err := s.secrets.Open(purposeURL, sealedURL)
	if err != nil {
		return jobs.Permanent(fmt.Errorf("webhook %d: url: %w", subID, err))
	}
	sec, err := s.secrets.Open(purposeSecret, sealedSecret)
	if err != nil {
		return jobs.Permanent(fmt.Errorf("webhook %d: secret: %w", subID, err))
	}

	id := "whd_" + strconv.FormatInt(p.DeliveryID, 10)
	start := s.now()
	sig, err := Sign(sec, id, start, []byte(payload))
	if err != nil {
		return jobs.Permanent(err)
	}
	a := Attempt{At: start}
	var retryAfter time.Duration
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader([]byte(payload)))
	if err != nil {
		a.Error = "the URL cannot be requested"
	} else {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "Ombud-Webhook/1")
		req.Header.Set("webhook-id", id)
		req.Header.Set("webhook-timestamp", strconv.FormatInt(start.Unix(), 10))
		req.Header.Set("webhook-signature", sig)
		t0 := time.Now()
		resp, err := s.client.Do(req)
		a.DurationMS = time.Since(t0).Milliseconds()
		if err != nil {
			// The error names the URL, a credential: shown masked.
			a.Error = maskedError(err, url)
		} else {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, responseExcerpt))
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			a.Status, a.Response = resp.StatusCode, validText(b)
			if a.Status < 200 || a.Status > 299 {
				a.Error = "answered " + resp.Status
				if secs, perr := strconv.Atoi(resp.Header.Get("Retry-After")); perr == nil && secs > 0 {
					retryAfter = time.Duration(min(secs, 3600)) * time.Second
				}
			}
		}
	}
	ok := a.Error == ""
	final := !ok && j.Attempts >= j.MaxAttempts
	if err := s.recordAttempt(ctx, p.DeliveryID, subID, a, ok, final); err != nil {
		return err
	}
	switch {
	case ok:
		return nil
	case retryAfter > 0:
		return jobs.RetryAfter(errors.New(a.Error), retryAfter)
	}
	return errors.New(a.Error)
}

// maskedError is err's text with url masked.
func maskedError(err error, url string) string {
	msg := err.Error()
	if m := secret.MaskURL(url); m != url {
		msg = string(bytes.ReplaceAll([]byte(msg), []byte(url), []byte(m)))
	}
	return msg
}

func validText(b []byte) string {
	for len(b) > 0 && !utf8.Valid(b) {
		b = b[:len(b)-1] // cut mid-character at the excerpt's end
	}
	return string(bytes.ToValidUTF8(b, []byte("\uFFFD")))
}

// recordAttempt logs one attempt and its consequences in one transaction:
// the delivery's state, the subscription's failure count and, at the
// limit, switching it off with a notice to the admins.
func (s *Service) recordAttempt(ctx context.Context, deliveryID, subID int64, a Attempt, ok, final bool) error {
	now := s.now()
	state := StatePending
	var finished any
	switch {
	case ok:
		state, finished = StateDelivered, db.Millis(now)
	case final:
		state, finished = StateFailed, db.Millis(now)
	}
	disabled := false
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		disabled = false
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_attempts (delivery_id, at, status, error, response, duration_ms) VALUES (?, ?, ?, ?, ?, ?)`,
			deliveryID, db.Millis(a.At), a.Status, a.Error, a.Response, a.DurationMS); err != nil {
			return fmt.Errorf("webhook: log attempt: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET state = ?, attempts = attempts + 1, last_status = ?, last_error = ?, finished_at = ? WHERE id = ?`,
			state, a.Status, a.Error, finished, deliveryID); err != nil {
			return fmt.Errorf("webhook: update delivery: %w", err)
		}
		if ok {
			_, err := tx.ExecContext(ctx, `UPDATE webhook_subscriptions SET failures = 0 WHERE id = ? AND failures <> 0`, subID)
			return err
		}
		var failures int
		var active bool
		if err := tx.QueryRowContext(ctx, `UPDATE webhook_subscriptions SET failures = failures + 1 WHERE id = ? RETURNING failures, active`, subID).Scan(&failures, &active); err != nil {
			return fmt.Errorf("webhook: count failure: %w", err)
		}
		if !active || failures < FailureLimit {
			return nil
		}
		reason := fmt.Sprintf("switched off after %d failed attempts in a row; the last: %s", failures, a.Error)
		if _, err := tx.ExecContext(ctx, `UPDATE webhook_subscriptions SET active = FALSE, disabled_reason = ?, updated_at = ? WHERE id = ?`, reason, db.Millis(now), subID); err != nil {
			return fmt.Errorf("webhook: switch off: %w", err)
		}
		disabled = true
		if s.notifier == nil {
			return nil
		}
		sub, err := s.scan(tx.QueryRowContext(ctx, `SELECT `+subCols+` FROM webhook_subscriptions WHERE id = ?`, subID), authz.System)
		if err != nil {
			return err
		}
		return s.notifier.WebhookDisabled(ctx, tx, sub, a.Error)
	})
	if disabled {
		s.log.Warn("webhook subscription switched off", "subscription", subID, "last_error", a.Error)
	}
	return err
}

func (s *Service) finishDelivery(ctx context.Context, id int64, state, why string) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET state = ?, last_error = ?, finished_at = ? WHERE id = ? AND state = 'pending'`,
			state, why, db.Millis(s.now()), id)
		return err
	})
}

// Ping queues a "ping" delivery to a subscription at once, whatever events
// it chose, to try the receiver.
func (s *Service) Ping(ctx context.Context, actor authz.Actor, subID int64) (Delivery, error) {
	sub, err := s.Get(ctx, actor, subID)
	if err != nil {
		return Delivery{}, err
	}
	if !sub.Active {
		return Delivery{}, apperr.Unprocessable("active", "the subscription is switched off: switch it on first")
	}
	now := s.now()
	body, _ := json.Marshal(Body{Type: Ping, Timestamp: now.UTC(), Data: map[string]any{"webhook_id": sub.ID, "name": sub.Name}})
	var id int64
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		var err error
		if id, err = s.enqueue(ctx, tx, sub.ID, Ping, 0, string(body), 0, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, actor, "webhook.ping", fmt.Sprintf("webhook:%d", sub.ID),
			audit.Change(nil, map[string]any{"delivery_id": id, "event_type": Ping}))
	})
	if err != nil {
		return Delivery{}, err
	}
	return s.Delivery(ctx, actor, subID, id)
}

// Replay queues a delivery's payload again as a new delivery (a new
// webhook-id, so a receiver that de-duplicates takes it).
func (s *Service) Replay(ctx context.Context, actor authz.Actor, subID, deliveryID int64) (Delivery, error) {
	d, err := s.Delivery(ctx, actor, subID, deliveryID)
	if err != nil {
		return Delivery{}, err
	}
	sub, err := s.Get(ctx, actor, subID)
	if err != nil {
		return Delivery{}, err
	}
	if !sub.Active {
		return Delivery{}, apperr.Unprocessable("active", "the subscription is switched off: switch it on first")
	}
	var id int64
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		var err error
		if id, err = s.enqueue(ctx, tx, subID, d.EventType, d.TicketID, d.Payload, d.ID, s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), actor, "webhook.replay", fmt.Sprintf("webhook:%d", subID),
			audit.Change(nil, map[string]any{"delivery_id": id, "replay_of": d.ID, "event_type": d.EventType}))
	})
	if err != nil {
		return Delivery{}, err
	}
	return s.Delivery(ctx, actor, subID, id)
}

const deliveryCols = `id, subscription_id, event_type, COALESCE(ticket_id, 0), state, attempts, last_status, last_error, COALESCE(replay_of, 0), created_at, finished_at`

func scanDelivery(sc interface{ Scan(...any) error }) (Delivery, error) {
	var d Delivery
	var created int64
	var finished *int64
	if err := sc.Scan(&d.ID, &d.SubscriptionID, &d.EventType, &d.TicketID, &d.State, &d.Attempts, &d.LastStatus, &d.LastError, &d.ReplayOf, &created, &finished); err != nil {
		return d, err
	}
	d.CreatedAt = db.Time(created)
	if finished != nil {
		t := db.Time(*finished)
		d.FinishedAt = &t
	}
	return d, nil
}

// Deliveries lists a subscription's deliveries, newest first.
func (s *Service) Deliveries(ctx context.Context, actor authz.Actor, subID int64, state string, pr page.Request) (page.List[Delivery], error) {
	if _, err := s.Get(ctx, actor, subID); err != nil {
		return page.List[Delivery]{}, err
	}
	q := `SELECT ` + deliveryCols + ` FROM webhook_deliveries WHERE subscription_id = ?`
	args := []any{subID}
	switch state {
	case "":
	case StatePending, StateDelivered, StateFailed, StateCancelled:
		q += ` AND state = ?`
		args = append(args, state)
	default:
		return page.List[Delivery]{}, apperr.InvalidField("state", "must be pending, delivered, failed or cancelled")
	}
	if c := pr.Cursor; c != nil {
		q += ` AND id < ?`
		args = append(args, c.ID)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY id DESC LIMIT ?`, append(args, pr.Limit+1)...)
	if err != nil {
		return page.List[Delivery]{}, fmt.Errorf("webhook: deliveries: %w", err)
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return page.List[Delivery]{}, fmt.Errorf("webhook: scan delivery: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return page.List[Delivery]{}, err
	}
	return page.Trim(out, pr.Limit, func(d Delivery) page.Cursor { return page.Cursor{ID: d.ID} }), nil
}

// Delivery returns one delivery with its payload and every attempt.
func (s *Service) Delivery(ctx context.Context, actor authz.Actor, subID, id int64) (Delivery, error) {
	if err := authz.Check(actor, authz.WebhookManage); err != nil {
		return Delivery{}, err
	}
	d, err := scanDelivery(s.db.QueryRowContext(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries WHERE id = ? AND subscription_id = ?`, id, subID))
	if errors.Is(err, errNoRows) {
		return Delivery{}, apperr.NotFound("delivery", id)
	}
	if err != nil {
		return Delivery{}, fmt.Errorf("webhook: delivery %d: %w", id, err)
	}
	if err := s.db.QueryRowContext(ctx, `SELECT payload FROM webhook_deliveries WHERE id = ?`, id).Scan(&d.Payload); err != nil {
		return Delivery{}, fmt.Errorf("webhook: payload %d: %w", id, err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT at, status, error, response, duration_ms FROM webhook_attempts WHERE delivery_id = ? ORDER BY id`, id)
	if err != nil {
		return Delivery{}, fmt.Errorf("webhook: attempts %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var a Attempt
		var at int64
		if err := rows.Scan(&at, &a.Status, &a.Error, &a.Response, &a.DurationMS); err != nil {
			return Delivery{}, err
		}
		a.At = db.Time(at)
		d.AttemptLog = append(d.AttemptLog, a)
	}
	return d, rows.Err()
}
