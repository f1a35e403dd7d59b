// Package webhook sends Ombud's events to other systems: an admin
// subscribes a URL to event types (ticket created, comment added, SLA
// breached…); each event is written as a delivery inside the transaction of
// the change that caused it and posted by a job, signed per the Standard
// Webhooks scheme (id, timestamp and body under one HMAC), retried with
// backoff, every attempt logged, replayable, and the subscription switched
// off after repeated failure with a notice to the admins. docs/webhooks.md
// is the integrator's side.
package webhook

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/secret"
	"github.com/ombud/ombud/internal/textcheck"
)

// Event types a subscription can choose.
const (
	TicketCreated   = "ticket.created"
	TicketUpdated   = "ticket.updated" // any field change: status, assignee, priority, tags…
	TicketSolved    = "ticket.solved"
	TicketMerged    = "ticket.merged"
	CommentAdded    = "comment.added"
	CustomerCreated = "customer.created"
	SLABreached     = "sla.breached"
	CSATReceived    = "csat.received"
	// Ping is sent by "Send a test event"; no subscription chooses it.
	Ping = "ping"
)

// EventTypes lists the types in the order pages show them.
var EventTypes = []string{TicketCreated, TicketUpdated, TicketSolved, TicketMerged, CommentAdded, CustomerCreated, SLABreached, CSATReceived}

// Limits.
const (
	MaxSubscriptions = 100
	maxName          = 200
	// FailureLimit consecutive failed attempts switch a subscription off
	// (about a day of retries of a few deliveries, or a burst of many).
	FailureLimit = 20
)

// Secret purposes (see package secret).
const (
	purposeURL    = "webhook_subscriptions.url"
	purposeSecret = "webhook_subscriptions.secret"
)

// Subscription is one receiver and the events it wants.
type Subscription struct {
	ID     int64    `json:"id"`
	Name   string   `json:"name"`
	URL    string   `json:"url"` // in full for admins only; masked otherwise
	Events []string `json:"events"`
	Active bool     `json:"active"`
	// DisabledReason says why Ombud switched it off ("" when it did not).
	DisabledReason string `json:"disabled_reason"`
	// Failures counts consecutive failed attempts.
	Failures  int       `json:"failures"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Secret is returned once, when created or rotated.
	Secret string `json:"secret,omitempty"`

	url, secret string // opened
}

// Input creates a subscription.
type Input struct {
	Name   string   `json:"name"`
	URL    string   `json:"url"`
	Events []string `json:"events"`
	Active *bool    `json:"active"` // default true
}

// Patch changes a subscription; absent fields stay. Setting active to true
// on a subscription Ombud switched off turns it back on and clears its
// failure count.
type Patch struct {
	Name   *string   `json:"name"`
	URL    *string   `json:"url"`
	Events *[]string `json:"events"`
	Active *bool     `json:"active"`
}

// Notifier tells admins that a subscription was switched off, inside the
// transaction that switches it off.
type Notifier interface {
	WebhookDisabled(ctx context.Context, tx *db.Tx, sub Subscription, reason string) error
}

// Service manages subscriptions and delivers events.
type Service struct {
	db       *db.DB
	now      func() time.Time
	secrets  *secret.Box
	client   *http.Client
	log      *slog.Logger
	notifier Notifier
	wake     func()
	tickets  Tickets

	// The active subscriptions, read on every ticket change: kept in
	// memory and loaded again when the configuration stamp moved (a change
	// on any instance, db.Cached).
	subs *db.Cached[[]Subscription]
}

// NewService returns the webhook service; client posts the deliveries
// (automation.NewHTTPClient: SSRF-guarded).
func NewService(d *db.DB, now func() time.Time, secrets *secret.Box, client *http.Client, tickets Tickets, log *slog.Logger) *Service {
	s := &Service{db: d, now: now, secrets: secrets, client: client, tickets: tickets, log: log, wake: func() {}}
	s.subs = db.NewCached(func(ctx context.Context, tx *db.Tx) ([]Subscription, error) {
		return s.load(ctx, tx, authz.System, true)
	})
	return s
}

// SetNotifier connects the admins' notice of a switched-off subscription.
func (s *Service) SetNotifier(n Notifier) { s.notifier = n }

func (s *Service) validate(in *Input, fe apperr.FieldErrors) {
	if in.Name == "" {
		fe.Add("name", "is required")
	} else if len(in.Name) > maxName {
		fe.Add("name", fmt.Sprintf("must be at most %d characters", maxName))
	} else if p := textcheck.Line(in.Name); p != "" {
		fe.Add("name", p)
	}
	if err := automation.CheckURL(in.URL); err != nil {
		fe.Add("url", err.Error())
	}
	if len(in.Events) == 0 {
		fe.Add("events", "choose at least one event type")
	}
	if len(in.Events) > len(EventTypes) {
		fe.Add("events", apperr.TooMany(len(EventTypes)))
		return
	}
	for i, e := range in.Events {
		if !slices.Contains(EventTypes, e) {
			fe.Add(fmt.Sprintf("events[%d]", i), "must be one of the event types (GET /api/v1/webhooks/events)")
		}
	}
	slices.Sort(in.Events)
	in.Events = slices.Compact(in.Events)
}

// newSecret is a Standard Webhooks signing secret: whsec_ and 24 random
// bytes in base64.
func newSecret() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}

// Create adds a subscription; the answer carries its signing secret, the
// only time it is shown.
func (s *Service) Create(ctx context.Context, actor authz.Actor, in Input) (Subscription, error) {
	if err := authz.Check(actor, authz.WebhookManage); err != nil {
		return Subscription{}, err
	}
	fe := apperr.FieldErrors{}
	s.validate(&in, fe)
	if err := fe.Err(); err != nil {
		return Subscription{}, err
	}
	active := in.Active == nil || *in.Active
	sec := newSecret()
	sealedURL, err := s.secrets.Seal(purposeURL, in.URL)
	if err != nil {
		return Subscription{}, fmt.Errorf("webhook: seal url: %w", err)
	}
	sealedSecret, err := s.secrets.Seal(purposeSecret, sec)
	if err != nil {
		return Subscription{}, fmt.Errorf("webhook: seal secret: %w", err)
	}
	events, _ := json.Marshal(in.Events)
	now := s.now()
	var id int64
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM webhook_subscriptions`).Scan(&n); err != nil {
			return fmt.Errorf("webhook: count: %w", err)
		}
		if n >= MaxSubscriptions {
			return apperr.Unprocessable("name", fmt.Sprintf("at most %d webhook subscriptions", MaxSubscriptions))
		}
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO webhook_subscriptions (name, url, url_hint, secret, events, active, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, in.Name, sealedURL, secret.MaskURL(in.URL), sealedSecret, string(events), active, db.NullInt(actor.ID), db.Millis(now), db.Millis(now))
		if err != nil {
			return fmt.Errorf("webhook: create: %w", err)
		}
		return audit.Record(ctx, tx, now, actor, "webhook.create", fmt.Sprintf("webhook:%d", id),
			audit.Change(nil, map[string]any{"name": in.Name, "url": secret.MaskURL(in.URL), "events": in.Events, "active": active}))
	})
	if err != nil {
		return Subscription{}, err
	}
	sub, err := s.Get(ctx, actor, id)
	sub.Secret = sec
	return sub, err
}

const subCols = `id, name, url, url_hint, secret, events, active, disabled_reason, failures, created_at, updated_at`

func (s *Service) scan(sc interface{ Scan(...any) error }, actor authz.Actor) (Subscription, error) {
	var sub Subscription
	var sealedURL, hint, sealedSecret, events string
	var created, updated int64
	if err := sc.Scan(&sub.ID, &sub.Name, &sealedURL, &hint, &sealedSecret, &events, &sub.Active, &sub.DisabledReason, &sub.Failures, &created, &updated); err != nil {
		return sub, err
	}
	sub.CreatedAt, sub.UpdatedAt = db.Time(created), db.Time(updated)
	_ = json.Unmarshal([]byte(events), &sub.Events)
	var err error
	if sub.url, err = s.secrets.Open(purposeURL, sealedURL); err != nil {
		return sub, fmt.Errorf("webhook %d: url: %w", sub.ID, err)
	}
	if sub.secret, err = s.secrets.Open(purposeSecret, sealedSecret); err != nil {
		return sub, fmt.Errorf("webhook %d: secret: %w", sub.ID, err)
	}
	sub.URL = hint
	if authz.Can(actor, authz.SecretReveal) {
		sub.URL = sub.url
	}
	return sub, nil
}

// List returns every subscription, oldest first.
func (s *Service) List(ctx context.Context, actor authz.Actor) ([]Subscription, error) {
	if err := authz.Check(actor, authz.WebhookManage); err != nil {
		return nil, err
	}
	return s.load(ctx, s.db, actor, false)
}

func (s *Service) load(ctx context.Context, q db.Querier, actor authz.Actor, activeOnly bool) ([]Subscription, error) {
	sel := `SELECT ` + subCols + ` FROM webhook_subscriptions`
	if activeOnly {
		sel += ` WHERE active`
	}
	rows, err := q.QueryContext(ctx, sel+` ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("webhook: list: %w", err)
	}
	defer rows.Close()
	var out []Subscription
	for rows.Next() {
		sub, err := s.scan(rows, actor)
		if err != nil {
			return nil, err
		}
		out = append(out, sub)
	}
	return out, rows.Err()
}

// Get returns one subscription.
func (s *Service) Get(ctx context.Context, actor authz.Actor, id int64) (Subscription, error) {
	if err := authz.Check(actor, authz.WebhookManage); err != nil {
		return Subscription{}, err
	}
	sub, err := s.scan(s.db.QueryRowContext(ctx, `SELECT `+subCols+` FROM webhook_subscriptions WHERE id = ?`, id), actor)
	if errors.Is(err, errNoRows) {
		return Subscription{}, apperr.NotFound("webhook", id)
	}
	return sub, err
}

// Update changes a subscription.
func (s *Service) Update(ctx context.Context, actor authz.Actor, id int64, p Patch) (Subscription, error) {
	old, err := s.Get(ctx, actor, id)
	if err != nil {
		return Subscription{}, err
	}
	in := Input{Name: old.Name, URL: old.url, Events: slices.Clone(old.Events)}
	if p.Name != nil {
		in.Name = *p.Name
	}
	if p.URL != nil && *p.URL != old.URL {
		// The URL as shown (masked for some) leaves it as it is.
		in.URL = *p.URL
	}
	if p.Events != nil {
		in.Events = *p.Events
	}
	fe := apperr.FieldErrors{}
	s.validate(&in, fe)
	if err := fe.Err(); err != nil {
		return Subscription{}, err
	}
	active := old.Active
	if p.Active != nil {
		active = *p.Active
	}
	reason, failures := old.DisabledReason, old.Failures
	if active {
		reason, failures = "", 0
	}
	sealedURL, err := s.secrets.Seal(purposeURL, in.URL)
	if err != nil {
		return Subscription{}, fmt.Errorf("webhook: seal url: %w", err)
	}
	events, _ := json.Marshal(in.Events)
	now := s.now()
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE webhook_subscriptions SET name = ?, url = ?, url_hint = ?, events = ?, active = ?, disabled_reason = ?, failures = ?, updated_at = ? WHERE id = ?`,
			in.Name, sealedURL, secret.MaskURL(in.URL), string(events), active, reason, failures, db.Millis(now), id)
		if err != nil {
			return fmt.Errorf("webhook: update: %w", err)
		}
		return audit.Record(ctx, tx, now, actor, "webhook.update", fmt.Sprintf("webhook:%d", id), map[string]any{
			"before": map[string]any{"name": old.Name, "url": secret.MaskURL(old.url), "events": old.Events, "active": old.Active},
			"after":  map[string]any{"name": in.Name, "url": secret.MaskURL(in.URL), "events": in.Events, "active": active},
		})
	})
	if err != nil {
		return Subscription{}, err
	}
	return s.Get(ctx, actor, id)
}

// RotateSecret gives a subscription a new signing secret, returned once.
func (s *Service) RotateSecret(ctx context.Context, actor authz.Actor, id int64) (Subscription, error) {
	if _, err := s.Get(ctx, actor, id); err != nil {
		return Subscription{}, err
	}
	sec := newSecret()
	sealed, err := s.secrets.Seal(purposeSecret, sec)
	if err != nil {
		return Subscription{}, fmt.Errorf("webhook: seal secret: %w", err)
	}
	now := s.now()
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE webhook_subscriptions SET secret = ?, updated_at = ? WHERE id = ?`, sealed, db.Millis(now), id); err != nil {
			return fmt.Errorf("webhook: rotate: %w", err)
		}
		// The secret itself is never logged; the row says it was replaced.
		return audit.Record(ctx, tx, now, actor, "webhook.rotate_secret", fmt.Sprintf("webhook:%d", id),
			audit.Change(map[string]any{"new_signing_key": false}, map[string]any{"new_signing_key": true}))
	})
	if err != nil {
		return Subscription{}, err
	}
	sub, err := s.Get(ctx, actor, id)
	sub.Secret = sec
	return sub, err
}

// Delete removes a subscription and its delivery log.
func (s *Service) Delete(ctx context.Context, actor authz.Actor, id int64) error {
	old, err := s.Get(ctx, actor, id)
	if err != nil {
		return err
	}
	now := s.now()
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE subscription_id = ?)`, id); err != nil {
			return fmt.Errorf("webhook: delete attempts: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_deliveries WHERE subscription_id = ?`, id); err != nil {
			return fmt.Errorf("webhook: delete deliveries: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_subscriptions WHERE id = ?`, id); err != nil {
			return fmt.Errorf("webhook: delete: %w", err)
		}
		return audit.Record(ctx, tx, now, actor, "webhook.delete", fmt.Sprintf("webhook:%d", id),
			audit.Change(map[string]any{"name": old.Name, "url": secret.MaskURL(old.url), "events": old.Events, "active": old.Active}, nil))
	})
	if err != nil {
		return err
	}
	return nil
}

// active returns the active subscriptions, read through tx (the callers
// hold a write transaction; on PostgreSQL reading through the pool instead
// deadlocked when every pool connection was such a transaction) and kept
// while the configuration stamp stands. Callers must not modify them.
func (s *Service) active(ctx context.Context, tx *db.Tx) ([]Subscription, error) {
	return s.subs.Get(ctx, tx)
}

// SealSecrets seals plain values and, with rotate, re-seals values sealed
// with a previous key (ombud secrets rotate).
func (s *Service) SealSecrets(ctx context.Context, rotate bool) (secret.Tally, error) {
	var t secret.Tally
	type row struct {
		id          int64
		url, secret string
	}
	var rs []row
	rows, err := s.db.QueryContext(ctx, `SELECT id, url, secret FROM webhook_subscriptions`)
	if err != nil {
		return t, fmt.Errorf("webhook: read secrets: %w", err)
	}
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.url, &r.secret); err != nil {
			rows.Close()
			return t, err
		}
		rs = append(rs, r)
	}
	rows.Close()
	for _, r := range rs {
		u, cu := s.secrets.Sweep(purposeURL, r.url, rotate, &t)
		k, ck := s.secrets.Sweep(purposeSecret, r.secret, rotate, &t)
		if !cu && !ck {
			continue
		}
		err := s.db.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE webhook_subscriptions SET url = ?, secret = ? WHERE id = ?`, u, k, r.id)
			return err
		})
		if err != nil {
			return t, fmt.Errorf("webhook: reseal %d: %w", r.id, err)
		}
	}
	return t, nil
}
