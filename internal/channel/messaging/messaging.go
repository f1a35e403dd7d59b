// Package messaging is the messaging and social channel: a provider-neutral
// inbound webhook and reply callback for WhatsApp, Telegram, Messenger,
// Instagram and alike. A provider posts a customer's messages (signed with
// the integration's secret) and the delivery states of our replies; each
// sender handle is a customer identity, each conversation threads into its
// open ticket on the social channel, media become attachments, and agents'
// public replies go back through the provider as jobs with retries,
// refused once the provider's reply window has closed. Telegram's Bot API
// has a reference adapter (telegram.go). docs/messaging.md describes it.
package messaging

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/blob"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/secret"
	"github.com/ombud/ombud/internal/textcheck"
	"github.com/ombud/ombud/internal/ticket"
)

// Provider kinds.
const (
	ProviderTelegram  = "telegram"
	ProviderWhatsApp  = "whatsapp"
	ProviderMessenger = "messenger"
	ProviderInstagram = "instagram"
	ProviderOther     = "other"
)

// Providers lists the accepted provider kinds.
var Providers = []string{ProviderTelegram, ProviderWhatsApp, ProviderMessenger, ProviderInstagram, ProviderOther}

// identityType is the customer identity type (customer.IdentityTypes) of a
// provider's handles.
func identityType(provider string) string {
	switch provider {
	case ProviderTelegram, ProviderWhatsApp, ProviderInstagram:
		return provider
	case ProviderMessenger:
		return "facebook"
	}
	return "other"
}

// Channel is the ticket channel of messaging tickets (ticket.Channels).
const Channel = "social"

// TelegramAPI is the Bot API's address when an integration names none.
const TelegramAPI = "https://api.telegram.org"

// Limits.
const (
	MaxIntegrations = 50
	MaxWindowHours  = 24 * 30
	maxName         = 100
	maxToken        = 500
)

const (
	purposeSecret = "messaging_integrations.secret"
	purposeToken  = "messaging_integrations.reply_token"
)

// Integration is one provider's connection.
type Integration struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Provider string `json:"provider"`
	// ReplyURL is where replies are posted (a Telegram integration: the
	// Bot API base address).
	ReplyURL string `json:"reply_url"`
	// HasReplyToken says a reply token (a Telegram bot token) is stored;
	// the token itself is never shown again.
	HasReplyToken    bool      `json:"has_reply_token"`
	ReplyWindowHours int       `json:"reply_window_hours"`
	TeamID           *int64    `json:"team_id"`
	Active           bool      `json:"active"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
	// Secret is set only in the answer that creates or rotates it.
	Secret string `json:"secret,omitempty"`
}

// Input creates or changes an integration.
type Input struct {
	Name     string `json:"name"`
	Provider string `json:"provider"`
	ReplyURL string `json:"reply_url"`
	// ReplyToken is a bearer token for the reply URL (Telegram: the bot
	// token); empty on an update keeps the stored one.
	ReplyToken       string `json:"reply_token"`
	ReplyWindowHours *int   `json:"reply_window_hours"`
	TeamID           int64  `json:"team_id"`
	Active           *bool  `json:"active"`
}

// Tickets is what the channel needs of the ticket service.
type Tickets interface {
	CreateTx(ctx context.Context, tx *db.Tx, actor authz.Actor, in ticket.CreateInput) (ticket.Ticket, error)
	CommentTx(ctx context.Context, tx *db.Tx, actor authz.Actor, ticketID int64, in ticket.CommentInput) (ticket.Comment, ticket.Ticket, error)
	AttachTx(ctx context.Context, tx *db.Tx, a ticket.Attachment) (ticket.Attachment, error)
	Get(ctx context.Context, actor authz.Actor, id int64) (ticket.Ticket, error)
}

// Customers finds or creates the sender.
type Customers interface {
	ResolveIdentity(ctx context.Context, tx *db.Tx, typ, value, name string) (int64, int64, error)
}

// Service runs the messaging channel.
type Service struct {
	db        *db.DB
	now       func() time.Time
	secrets   *secret.Box
	blobs     *blob.Store
	client    *http.Client
	tickets   Tickets
	customers Customers
	log       *slog.Logger
	// Wake has the job runner look at the queue at once (a queued reply).
	Wake func()
	// Tolerance is how far a signature's timestamp may be from now.
	Tolerance time.Duration
	// MaxMedia bounds one fetched media file; larger ones stay links.
	MaxMedia int64
}

// NewService returns the messaging channel. client makes every outbound
// request (media, replies): give it the SSRF guard of webhooks.
func NewService(d *db.DB, now func() time.Time, secrets *secret.Box, blobs *blob.Store, client *http.Client, tickets Tickets, customers Customers, log *slog.Logger) *Service {
	return &Service{db: d, now: now, secrets: secrets, blobs: blobs, client: client, tickets: tickets, customers: customers, log: log,
		Wake: func() {}, Tolerance: 5 * time.Minute, MaxMedia: ticket.MaxAttachment}
}

// newSecret is a Standard Webhooks secret (whsec_ and base64) whose
// characters Telegram also accepts as a secret_token (A-Z, a-z, 0-9, _
// and -): 24 random bytes, drawn again while the base64 has + or /.
func newSecret() string {
	b := make([]byte, 24)
	for {
		_, _ = rand.Read(b)
		if s := base64.StdEncoding.EncodeToString(b); !strings.ContainsAny(s, "+/=") {
			return "whsec_" + s
		}
	}
}

func validURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && len(s) <= MaxURL && u.User == nil
}

func (s *Service) validate(in *Input, creating bool) error {
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
	in.Provider = strings.TrimSpace(in.Provider)
	if !slices.Contains(Providers, in.Provider) {
		fe.Add("provider", "must be one of "+strings.Join(Providers, ", "))
	}
	in.ReplyURL = strings.TrimRight(strings.TrimSpace(in.ReplyURL), "/")
	if in.ReplyURL == "" && in.Provider == ProviderTelegram {
		in.ReplyURL = TelegramAPI
	}
	if in.ReplyURL != "" && !validURL(in.ReplyURL) {
		fe.Add("reply_url", fmt.Sprintf("must be an http or https URL of at most %d characters", MaxURL))
	}
	in.ReplyToken = strings.TrimSpace(in.ReplyToken)
	if len(in.ReplyToken) > maxToken || strings.ContainsAny(in.ReplyToken, " \t\r\n/") {
		fe.Add("reply_token", fmt.Sprintf("must be at most %d characters without spaces or slashes", maxToken))
	} else if creating && in.Provider == ProviderTelegram && in.ReplyToken == "" {
		fe.Add("reply_token", "is required: the bot token")
	}
	if in.ReplyWindowHours == nil {
		h := 0
		if in.Provider == ProviderWhatsApp || in.Provider == ProviderMessenger || in.Provider == ProviderInstagram {
			h = 24
		}
		in.ReplyWindowHours = &h
	}
	if *in.ReplyWindowHours < 0 || *in.ReplyWindowHours > MaxWindowHours {
		fe.Add("reply_window_hours", fmt.Sprintf("must be 0 (no window) to %d hours", MaxWindowHours))
	}
	if in.TeamID < 0 {
		fe.Add("team_id", "must be a team id")
	}
	return fe.Err()
}

func (s *Service) checkTeam(ctx context.Context, tx *db.Tx, id int64) error {
	if id == 0 {
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM teams WHERE id = ?`, id).Scan(&n); err != nil {
		return fmt.Errorf("messaging: team: %w", err)
	}
	if n == 0 {
		return apperr.Unprocessable("team_id", "no such team")
	}
	return nil
}

func auditData(in Input, active bool) map[string]any {
	return map[string]any{"name": in.Name, "provider": in.Provider, "reply_url": in.ReplyURL, "reply_window_hours": *in.ReplyWindowHours,
		"team_id": in.TeamID, "active": active}
}

// Create adds an integration; the answer carries its secret, the only time
// it is shown.
func (s *Service) Create(ctx context.Context, actor authz.Actor, in Input) (Integration, error) {
	if err := authz.Check(actor, authz.ChannelWrite); err != nil {
		return Integration{}, err
	}
	if err := s.validate(&in, true); err != nil {
		return Integration{}, err
	}
	sec := newSecret()
	sealed, err := s.secrets.Seal(purposeSecret, sec)
	if err != nil {
		return Integration{}, fmt.Errorf("messaging: seal secret: %w", err)
	}
	tok := ""
	if in.ReplyToken != "" {
		if tok, err = s.secrets.Seal(purposeToken, in.ReplyToken); err != nil {
			return Integration{}, fmt.Errorf("messaging: seal token: %w", err)
		}
	}
	active := in.Active == nil || *in.Active
	now := s.now()
	var id int64
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM messaging_integrations`).Scan(&n); err != nil {
			return fmt.Errorf("messaging: count: %w", err)
		}
		if n >= MaxIntegrations {
			return apperr.Unprocessable("name", fmt.Sprintf("at most %d messaging integrations", MaxIntegrations))
		}
		if err := s.checkTeam(ctx, tx, in.TeamID); err != nil {
			return err
		}
		id, err = tx.InsertID(ctx, `INSERT INTO messaging_integrations (name, provider, secret, reply_url, reply_token, reply_window_hours, team_id, active, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, in.Name, in.Provider, sealed, in.ReplyURL, tok, *in.ReplyWindowHours, db.NullInt(in.TeamID), active, db.Millis(now), db.Millis(now))
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("name", "another messaging integration has this name")
		}
		if err != nil {
			return fmt.Errorf("messaging: create: %w", err)
		}
		return audit.Record(ctx, tx, now, actor, "messaging_integration.create", fmt.Sprintf("messaging_integration:%d", id), audit.Change(nil, auditData(in, active)))
	})
	if err != nil {
		return Integration{}, err
	}
	it, err := s.Get(ctx, actor, id)
	it.Secret = sec
	return it, err
}

// Update changes an integration's settings (not its secret); an empty
// reply token keeps the stored one.
func (s *Service) Update(ctx context.Context, actor authz.Actor, id int64, in Input) (Integration, error) {
	if err := authz.Check(actor, authz.ChannelWrite); err != nil {
		return Integration{}, err
	}
	old, err := s.Get(ctx, actor, id)
	if err != nil {
		return Integration{}, err
	}
	if err := s.validate(&in, !old.HasReplyToken); err != nil {
		return Integration{}, err
	}
	tok := ""
	if in.ReplyToken != "" {
		if tok, err = s.secrets.Seal(purposeToken, in.ReplyToken); err != nil {
			return Integration{}, fmt.Errorf("messaging: seal token: %w", err)
		}
	}
	active := in.Active == nil || *in.Active
	now := s.now()
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		if err := s.checkTeam(ctx, tx, in.TeamID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE messaging_integrations SET name = ?, provider = ?, reply_url = ?, reply_token = CASE WHEN ? <> '' THEN ? ELSE reply_token END,
			reply_window_hours = ?, team_id = ?, active = ?, updated_at = ? WHERE id = ?`,
			in.Name, in.Provider, in.ReplyURL, tok, tok, *in.ReplyWindowHours, db.NullInt(in.TeamID), active, db.Millis(now), id)
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("name", "another messaging integration has this name")
		}
		if err != nil {
			return fmt.Errorf("messaging: update %d: %w", id, err)
		}
		before := map[string]any{"name": old.Name, "provider": old.Provider, "reply_url": old.ReplyURL, "reply_window_hours": old.ReplyWindowHours, "active": old.Active}
		after := auditData(in, active)
		if tok != "" {
			after["reply_token"] = "changed"
		}
		return audit.Record(ctx, tx, now, actor, "messaging_integration.update", fmt.Sprintf("messaging_integration:%d", id), audit.Change(before, after))
	})
	if err != nil {
		return Integration{}, err
	}
	return s.Get(ctx, actor, id)
}

// RotateSecret gives an integration a new secret, shown once; the old one
// stops verifying at once.
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
		return Integration{}, fmt.Errorf("messaging: seal secret: %w", err)
	}
	now := s.now()
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE messaging_integrations SET secret = ?, updated_at = ? WHERE id = ?`, sealed, db.Millis(now), id); err != nil {
			return fmt.Errorf("messaging: rotate %d: %w", id, err)
		}
		return audit.Record(ctx, tx, now, actor, "messaging_integration.rotate_secret", fmt.Sprintf("messaging_integration:%d", id), nil)
	})
	it.Secret = sec
	return it, err
}

// Delete removes an integration with its conversations' bookkeeping; the
// tickets stay.
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
		for _, q := range []string{`DELETE FROM messaging_outbound WHERE integration_id = ?`, `DELETE FROM messaging_inbound WHERE integration_id = ?`,
			`DELETE FROM messaging_conversations WHERE integration_id = ?`, `DELETE FROM messaging_integrations WHERE id = ?`} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return fmt.Errorf("messaging: delete %d: %w", id, err)
			}
		}
		return audit.Record(ctx, tx, now, actor, "messaging_integration.delete", fmt.Sprintf("messaging_integration:%d", id),
			audit.Change(map[string]any{"name": old.Name, "provider": old.Provider}, nil))
	})
}

const cols = `id, name, provider, reply_url, reply_token <> '', reply_window_hours, team_id, active, created_at, updated_at`

func scan(sc interface{ Scan(...any) error }) (Integration, error) {
	var it Integration
	var team sql.NullInt64
	var created, updated int64
	if err := sc.Scan(&it.ID, &it.Name, &it.Provider, &it.ReplyURL, &it.HasReplyToken, &it.ReplyWindowHours, &team, &it.Active, &created, &updated); err != nil {
		return it, err
	}
	if team.Valid {
		it.TeamID = &team.Int64
	}
	it.CreatedAt, it.UpdatedAt = db.Time(created), db.Time(updated)
	return it, nil
}

// Get returns one integration (without its secrets).
func (s *Service) Get(ctx context.Context, actor authz.Actor, id int64) (Integration, error) {
	if err := authz.Check(actor, authz.ChannelRead); err != nil {
		return Integration{}, err
	}
	it, err := scan(s.db.QueryRowContext(ctx, `SELECT `+cols+` FROM messaging_integrations WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Integration{}, apperr.NotFound("messaging integration", id)
	}
	if err != nil {
		return Integration{}, fmt.Errorf("messaging: get %d: %w", id, err)
	}
	return it, nil
}

// List returns every integration by name.
func (s *Service) List(ctx context.Context, actor authz.Actor) ([]Integration, error) {
	if err := authz.Check(actor, authz.ChannelRead); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+cols+` FROM messaging_integrations ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("messaging: list: %w", err)
	}
	defer rows.Close()
	out := []Integration{}
	for rows.Next() {
		it, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("messaging: list: %w", err)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// SealSecrets seals plain values and, with rotate, re-seals values sealed
// with a previous key (ombud secrets rotate).
func (s *Service) SealSecrets(ctx context.Context, rotate bool) (secret.Tally, error) {
	var t secret.Tally
	type row struct {
		id       int64
		sec, tok string
	}
	var rs []row
	rows, err := s.db.QueryContext(ctx, `SELECT id, secret, reply_token FROM messaging_integrations`)
	if err != nil {
		return t, fmt.Errorf("messaging: read secrets: %w", err)
	}
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.sec, &r.tok); err != nil {
			rows.Close()
			return t, err
		}
		rs = append(rs, r)
	}
	rows.Close()
	for _, r := range rs {
		sec, c1 := s.secrets.Sweep(purposeSecret, r.sec, rotate, &t)
		tok, c2 := r.tok, false
		if r.tok != "" {
			tok, c2 = s.secrets.Sweep(purposeToken, r.tok, rotate, &t)
		}
		if !c1 && !c2 {
			continue
		}
		err := s.db.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE messaging_integrations SET secret = ?, reply_token = ? WHERE id = ?`, sec, tok, r.id)
			return err
		})
		if err != nil {
			return t, fmt.Errorf("messaging: reseal %d: %w", r.id, err)
		}
	}
	return t, nil
}
