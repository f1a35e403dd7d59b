// Package phone is the phone channel: a provider-neutral call webhook. A
// telephony provider posts signed call events (started, answered, ended,
// missed) for an integration an admin set up; the caller is found by
// number (or created, named by the number), the call opens or joins an
// open phone ticket, every event is one entry of the ticket's history, and
// an incoming call pops the customer and ticket in the agents' browsers
// over the live hub. docs/phone.md describes payload, signing and setup.
package phone

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/live"
	"github.com/ombud/ombud/internal/secret"
	"github.com/ombud/ombud/internal/textcheck"
	"github.com/ombud/ombud/internal/ticket"
)

// Ticket history event types (ticket_events.type) of calls.
const (
	EvCallStarted  = "call_started"
	EvCallAnswered = "call_answered"
	EvCallEnded    = "call_ended"
	EvCallMissed   = "call_missed"
)

// NoticeIncomingCall is the live notice type (live.Event.Types) of a pop.
const NoticeIncomingCall = "incoming_call"

// CallBackTag marks the ticket of a missed call.
const CallBackTag = "call-back"

// Limits.
const (
	MaxIntegrations = 50
	maxName         = 100
)

const purposeSecret = "phone_integrations.secret"

// Integration is one provider's connection.
type Integration struct {
	ID             int64     `json:"id"`
	Name           string    `json:"name"`
	DefaultCountry string    `json:"default_country"`
	CallURL        string    `json:"call_url"`
	TeamID         *int64    `json:"team_id"`
	Active         bool      `json:"active"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	// Secret is set only in the answer that creates or rotates it.
	Secret string `json:"secret,omitempty"`
}

// Input creates or changes an integration.
type Input struct {
	Name           string `json:"name"`
	DefaultCountry string `json:"default_country"`
	CallURL        string `json:"call_url"`
	TeamID         int64  `json:"team_id"`
	Active         *bool  `json:"active"`
}

// Tickets is what the phone channel needs of the ticket service.
type Tickets interface {
	CreateTx(ctx context.Context, tx *db.Tx, actor authz.Actor, in ticket.CreateInput) (ticket.Ticket, error)
	RecordTx(ctx context.Context, tx *db.Tx, actor authz.Actor, ticketID int64, typ string, data map[string]any) error
	Update(ctx context.Context, actor authz.Actor, id int64, p ticket.Patch) (ticket.Ticket, error)
}

// Customers finds or creates the caller.
type Customers interface {
	ResolveIdentity(ctx context.Context, tx *db.Tx, typ, value, name string) (int64, int64, error)
}

// Publisher carries pops to the agents' browsers.
type Publisher interface {
	Publish(e live.Event)
}

// Service runs the phone channel.
type Service struct {
	db        *db.DB
	now       func() time.Time
	secrets   *secret.Box
	tickets   Tickets
	customers Customers
	hub       Publisher
	log       *slog.Logger
	// Tolerance is how far a signature's timestamp may be from now.
	Tolerance time.Duration
}

// NewService returns the phone channel.
func NewService(d *db.DB, now func() time.Time, secrets *secret.Box, tickets Tickets, customers Customers, hub Publisher, log *slog.Logger) *Service {
	return &Service{db: d, now: now, secrets: secrets, tickets: tickets, customers: customers, hub: hub, log: log, Tolerance: 5 * time.Minute}
}

func newSecret() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}

func (s *Service) validate(in *Input) error {
	fe := apperr.FieldErrors{}
	in.Name = strings.TrimSpace(in.Name)
	switch {
	case in.Name == "":
		fe.Add("name", "is required")
	case len(in.Name) > maxName:
		fe.Add("name", fmt.Sprintf("must be at most %d characters", maxName))
	default:
		if p := textcheck.Line(in.Name); p != "" {
			fe.Add("name", p)
		}
	}
	in.DefaultCountry = strings.TrimPrefix(strings.TrimSpace(in.DefaultCountry), "+")
	if in.DefaultCountry != "" && !ValidCountry(in.DefaultCountry) {
		fe.Add("default_country", "must be a country calling code such as 47 (1 to 3 digits)")
	}
	in.CallURL = strings.TrimSpace(in.CallURL)
	if in.CallURL != "" {
		u, err := url.Parse(strings.ReplaceAll(in.CallURL, "{number}", "1"))
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(in.CallURL) > MaxURL || !strings.Contains(in.CallURL, "{number}") {
			fe.Add("call_url", "must be an http or https URL with {number} in it, such as https://provider.example/call?to={number}")
		}
	}
	if in.TeamID < 0 {
		fe.Add("team_id", "must be a team id")
	}
	return fe.Err()
}

// Create adds an integration; the answer carries its signing secret, the
// only time it is shown.
func (s *Service) Create(ctx context.Context, actor authz.Actor, in Input) (Integration, error) {
	if err := authz.Check(actor, authz.ChannelWrite); err != nil {
		return Integration{}, err
	}
	if err := s.validate(&in); err != nil {
		return Integration{}, err
	}
	sec := newSecret()
	sealed, err := s.secrets.Seal(purposeSecret, sec)
	if err != nil {
		return Integration{}, fmt.Errorf("phone: seal secret: %w", err)
	}
	active := in.Active == nil || *in.Active
	now := s.now()
	var id int64
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM phone_integrations`).Scan(&n); err != nil {
			return fmt.Errorf("phone: count: %w", err)
		}
		if n >= MaxIntegrations {
			return apperr.Unprocessable("name", fmt.Sprintf("at most %d phone integrations", MaxIntegrations))
		}
		if err := s.checkTeam(ctx, tx, in.TeamID); err != nil {
			return err
		}
		id, err = tx.InsertID(ctx, `INSERT INTO phone_integrations (name, secret, default_country, call_url, team_id, active, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, in.Name, sealed, in.DefaultCountry, in.CallURL, db.NullInt(in.TeamID), active, db.Millis(now), db.Millis(now))
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("name", "another phone integration has this name")
		}
		if err != nil {
			return fmt.Errorf("phone: create: %w", err)
		}
		return audit.Record(ctx, tx, now, actor, "phone_integration.create", fmt.Sprintf("phone_integration:%d", id),
			audit.Change(nil, map[string]any{"name": in.Name, "default_country": in.DefaultCountry, "call_url": in.CallURL, "team_id": in.TeamID, "active": active}))
	})
	if err != nil {
		return Integration{}, err
	}
	it, err := s.Get(ctx, actor, id)
	it.Secret = sec
	return it, err
}

func (s *Service) checkTeam(ctx context.Context, tx *db.Tx, id int64) error {
	if id == 0 {
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM teams WHERE id = ?`, id).Scan(&n); err != nil {
		return fmt.Errorf("phone: team: %w", err)
	}
	if n == 0 {
		return apperr.Unprocessable("team_id", "no such team")
	}
	return nil
}

// Update changes an integration's settings (not its secret).
func (s *Service) Update(ctx context.Context, actor authz.Actor, id int64, in Input) (Integration, error) {
	if err := authz.Check(actor, authz.ChannelWrite); err != nil {
		return Integration{}, err
	}
	if err := s.validate(&in); err != nil {
		return Integration{}, err
	}
	old, err := s.Get(ctx, actor, id)
	if err != nil {
		return Integration{}, err
	}
	active := in.Active == nil || *in.Active
	now := s.now()
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		if err := s.checkTeam(ctx, tx, in.TeamID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE phone_integrations SET name = ?, default_country = ?, call_url = ?, team_id = ?, active = ?, updated_at = ? WHERE id = ?`,
			in.Name, in.DefaultCountry, in.CallURL, db.NullInt(in.TeamID), active, db.Millis(now), id)
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("name", "another phone integration has this name")
		}
		if err != nil {
			return fmt.Errorf("phone: update %d: %w", id, err)
		}
		return audit.Record(ctx, tx, now, actor, "phone_integration.update", fmt.Sprintf("phone_integration:%d", id),
			audit.Change(map[string]any{"name": old.Name, "default_country": old.DefaultCountry, "call_url": old.CallURL, "active": old.Active},
				map[string]any{"name": in.Name, "default_country": in.DefaultCountry, "call_url": in.CallURL, "active": active}))
	})
	if err != nil {
		return Integration{}, err
	}
	return s.Get(ctx, actor, id)
}

// RotateSecret gives an integration a new signing secret, shown once; the
// old one stops verifying at once.
func (s *Service) RotateSecret(ctx context.Context, actor authz.Actor, id int64) (Integration, error) {
	if err := authz.Check(actor, authz.ChannelWrite); err != nil {
		return Integration{}, err
	}
	it, err := s.Get(ctx, actor, id)
	if err != nil {
		return Integration{}, err
	}
	sec := newSecret()
	sealed, err := s.secrets.Seal(purposeSecret, sec)
	if err != nil {
		return Integration{}, fmt.Errorf("phone: seal secret: %w", err)
	}
	now := s.now()
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE phone_integrations SET secret = ?, updated_at = ? WHERE id = ?`, sealed, db.Millis(now), id); err != nil {
			return fmt.Errorf("phone: rotate %d: %w", id, err)
		}
		return audit.Record(ctx, tx, now, actor, "phone_integration.rotate_secret", fmt.Sprintf("phone_integration:%d", id), nil)
	})
	it.Secret = sec
	return it, err
}

// Delete removes an integration; its calls' tickets stay.
func (s *Service) Delete(ctx context.Context, actor authz.Actor, id int64) error {
	if err := authz.Check(actor, authz.ChannelWrite); err != nil {
		return err
	}
	old, err := s.Get(ctx, actor, id)
	if err != nil {
		return err
	}
	now := s.now()
	return s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM phone_calls WHERE integration_id = ?`, id); err != nil {
			return fmt.Errorf("phone: delete calls %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM phone_call_events WHERE integration_id = ?`, id); err != nil {
			return fmt.Errorf("phone: delete events %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM phone_integrations WHERE id = ?`, id); err != nil {
			return fmt.Errorf("phone: delete %d: %w", id, err)
		}
		return audit.Record(ctx, tx, now, actor, "phone_integration.delete", fmt.Sprintf("phone_integration:%d", id),
			audit.Change(map[string]any{"name": old.Name}, nil))
	})
}

const cols = `id, name, default_country, call_url, team_id, active, created_at, updated_at`

func scan(sc interface{ Scan(...any) error }) (Integration, error) {
	var it Integration
	var team sql.NullInt64
	var created, updated int64
	if err := sc.Scan(&it.ID, &it.Name, &it.DefaultCountry, &it.CallURL, &team, &it.Active, &created, &updated); err != nil {
		return it, err
	}
	if team.Valid {
		it.TeamID = &team.Int64
	}
	it.CreatedAt, it.UpdatedAt = db.Time(created), db.Time(updated)
	return it, nil
}

// Get returns one integration (without its secret).
func (s *Service) Get(ctx context.Context, actor authz.Actor, id int64) (Integration, error) {
	if err := authz.Check(actor, authz.ChannelRead); err != nil {
		return Integration{}, err
	}
	it, err := scan(s.db.QueryRowContext(ctx, `SELECT `+cols+` FROM phone_integrations WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Integration{}, apperr.NotFound("phone integration", id)
	}
	if err != nil {
		return Integration{}, fmt.Errorf("phone: get %d: %w", id, err)
	}
	return it, nil
}

// List returns every integration by name.
func (s *Service) List(ctx context.Context, actor authz.Actor) ([]Integration, error) {
	if err := authz.Check(actor, authz.ChannelRead); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+cols+` FROM phone_integrations ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("phone: list: %w", err)
	}
	defer rows.Close()
	out := []Integration{}
	for rows.Next() {
		it, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("phone: list: %w", err)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// CallLink is the provider's click-to-call URL for a number (the first
// active integration with a template, by name), or "" when none has one.
func (s *Service) CallLink(ctx context.Context, number string) string {
	var tpl, cc string
	err := s.db.QueryRowContext(ctx, `SELECT call_url, default_country FROM phone_integrations WHERE active AND call_url <> '' ORDER BY name LIMIT 1`).Scan(&tpl, &cc)
	if err != nil {
		return ""
	}
	n, err := E164(number, cc)
	if err != nil {
		return ""
	}
	return strings.ReplaceAll(tpl, "{number}", url.QueryEscape(n))
}

// SealSecrets seals plain values and, with rotate, re-seals values sealed
// with a previous key (ombud secrets rotate).
func (s *Service) SealSecrets(ctx context.Context, rotate bool) (secret.Tally, error) {
	var t secret.Tally
	type row struct {
		id  int64
		sec string
	}
	var rs []row
	rows, err := s.db.QueryContext(ctx, `SELECT id, secret FROM phone_integrations`)
	if err != nil {
		return t, fmt.Errorf("phone: read secrets: %w", err)
	}
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.sec); err != nil {
			rows.Close()
			return t, err
		}
		rs = append(rs, r)
	}
	rows.Close()
	for _, r := range rs {
		v, changed := s.secrets.Sweep(purposeSecret, r.sec, rotate, &t)
		if !changed {
			continue
		}
		err := s.db.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE phone_integrations SET secret = ? WHERE id = ?`, v, r.id)
			return err
		})
		if err != nil {
			return t, fmt.Errorf("phone: reseal %d: %w", r.id, err)
		}
	}
	return t, nil
}
