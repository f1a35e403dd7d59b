package orders

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/secret"
)

// Connector kinds.
const (
	KindNone    = "none"
	KindShopify = "shopify"
	KindJSON    = "json"
)

const purposeToken = "order_settings.token"

// DefaultReasons are the return reasons until an admin changes the list.
var DefaultReasons = []string{"damaged", "wrong_item", "doesnt_fit", "changed_mind", "late_delivery", "other"}

// ReasonLabels are the English names of the default reasons (the pages
// translate them); other reasons are shown as written.
var ReasonLabels = map[string]string{
	"damaged": "Damaged", "wrong_item": "Wrong item", "doesnt_fit": "Doesn't fit",
	"changed_mind": "Changed mind", "late_delivery": "Late delivery", "other": "Other",
}

// ReasonLabel is a reason's English name.
func ReasonLabel(code string) string {
	if l, ok := ReasonLabels[code]; ok {
		return l
	}
	return strings.ReplaceAll(code, "_", " ")
}

var reasonCode = regexp.MustCompile(`^[a-z0-9][a-z0-9_]{0,39}$`)

// Settings are the installation's connector and reasons.
type Settings struct {
	Kind        string    `json:"kind"`
	BaseURL     string    `json:"base_url"`
	APIVersion  string    `json:"api_version"`
	URLTemplate string    `json:"url_template"`
	Paths       Paths     `json:"paths"`
	Reasons     []string  `json:"reasons"`
	HasToken    bool      `json:"has_token"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// SettingsInput changes the settings. Token "" keeps the stored one;
// ClearToken removes it.
type SettingsInput struct {
	Kind        string
	BaseURL     string
	APIVersion  string
	URLTemplate string
	Paths       Paths
	Reasons     []string
	Token       string
	ClearToken  bool
}

// Tickets is what cases need of the ticket service.
type Tickets interface {
	RecordTx(ctx context.Context, tx *db.Tx, actor authz.Actor, ticketID int64, typ string, data map[string]any) error
}

// Service owns order lookups, settings and cases.
type Service struct {
	db      *db.DB
	now     func() time.Time
	secrets *secret.Box
	tickets Tickets
	// Client makes the shop requests; Timeout bounds one lookup.
	Client  *http.Client
	Timeout time.Duration
	// CacheTTL is how long a shop's answer is reused (cache.go); 0 asks
	// the shop every time.
	CacheTTL time.Duration
	cache    lookupCache
}

// DefaultCacheTTL is how long a shop's answer is reused unless set.
const DefaultCacheTTL = 60 * time.Second

// NewService returns the orders service.
func NewService(d *db.DB, now func() time.Time, secrets *secret.Box, tickets Tickets) *Service {
	return &Service{db: d, now: now, secrets: secrets, tickets: tickets, Client: &http.Client{Timeout: 10 * time.Second}, Timeout: 4 * time.Second,
		CacheTTL: DefaultCacheTTL}
}

type stored struct {
	Settings
	token string
}

func (s *Service) load(ctx context.Context) (stored, error) {
	var st stored
	var paths, reasons string
	var updated int64
	err := s.db.QueryRowContext(ctx, `SELECT kind, base_url, api_version, token, url_template, field_paths, reasons, updated_at FROM order_settings WHERE id = 1`).
		Scan(&st.Kind, &st.BaseURL, &st.APIVersion, &st.token, &st.URLTemplate, &paths, &reasons, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		st.Kind = KindNone
		st.Paths = DefaultPaths()
		st.Reasons = append([]string(nil), DefaultReasons...)
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("orders: settings: %w", err)
	}
	st.Paths = DefaultPaths()
	if paths != "" {
		_ = json.Unmarshal([]byte(paths), &st.Paths)
	}
	st.Reasons = strings.Fields(reasons)
	if len(st.Reasons) == 0 {
		st.Reasons = append([]string(nil), DefaultReasons...)
	}
	st.HasToken = st.token != ""
	st.UpdatedAt = db.Time(updated)
	return st, nil
}

// Settings returns the connector settings (never the token) and reasons.
func (s *Service) Settings(ctx context.Context, actor authz.Actor) (Settings, error) {
	if err := authz.Check(actor, authz.ReturnsRead); err != nil {
		if err2 := authz.Check(actor, authz.ChannelRead); err2 != nil {
			return Settings{}, err
		}
	}
	st, err := s.load(ctx)
	return st.Settings, err
}

// Reasons is the configured list of return reasons.
func (s *Service) Reasons(ctx context.Context) ([]string, error) {
	st, err := s.load(ctx)
	return st.Reasons, err
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && len(s) <= 2000
}

func validateSettings(in *SettingsInput) error {
	fe := apperr.FieldErrors{}
	in.BaseURL = strings.TrimSpace(in.BaseURL)
	in.APIVersion = strings.TrimSpace(in.APIVersion)
	in.URLTemplate = strings.TrimSpace(in.URLTemplate)
	switch in.Kind {
	case KindNone:
	case KindShopify:
		if !httpURL(in.BaseURL) {
			fe.Add("base_url", "must be an http or https URL such as https://shop.example.com")
		}
		if in.APIVersion == "" {
			in.APIVersion = "2024-10"
		} else if !regexp.MustCompile(`^[0-9]{4}-[0-9]{2}$|^unstable$`).MatchString(in.APIVersion) {
			fe.Add("api_version", "must be a version such as 2024-10")
		}
	case KindJSON:
		probe := strings.NewReplacer("{email}", "a", "{phone}", "1", "{number}", "1").Replace(in.URLTemplate)
		if !httpURL(probe) || !strings.ContainsAny(in.URLTemplate, "{") {
			fe.Add("url_template", "must be an http or https URL with {email}, {phone} or {number} in it")
		}
	default:
		fe.Add("kind", "must be none, shopify or json")
	}
	if len(in.Token) > 500 || strings.ContainsAny(in.Token, "\r\n") {
		fe.Add("token", "must be one line of at most 500 characters")
	}
	if len(in.Reasons) == 0 {
		in.Reasons = append([]string(nil), DefaultReasons...)
	}
	seen := map[string]bool{}
	var rs []string
	for _, r := range in.Reasons {
		r = strings.ToLower(strings.TrimSpace(r))
		if r == "" || seen[r] {
			continue
		}
		if !reasonCode.MatchString(r) {
			fe.Add("reasons", "each reason is a short code of lowercase letters, digits and _ such as wrong_size")
			break
		}
		seen[r] = true
		rs = append(rs, r)
	}
	if len(rs) > 30 {
		fe.Add("reasons", apperr.TooMany(30))
	}
	in.Reasons = rs
	return fe.Err()
}

// SaveSettings changes the connector and reasons (admins: channel.write).
func (s *Service) SaveSettings(ctx context.Context, actor authz.Actor, in SettingsInput) (Settings, error) {
	if err := authz.Check(actor, authz.ChannelWrite); err != nil {
		return Settings{}, err
	}
	if err := validateSettings(&in); err != nil {
		return Settings{}, err
	}
	old, err := s.load(ctx)
	if err != nil {
		return Settings{}, err
	}
	token := old.token
	switch {
	case in.ClearToken:
		token = ""
	case in.Token != "" && !secret.IsMasked(in.Token):
		if token, err = s.secrets.Seal(purposeToken, in.Token); err != nil {
			return Settings{}, fmt.Errorf("orders: seal token: %w", err)
		}
	}
	paths, _ := json.Marshal(in.Paths)
	now := s.now()
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO order_settings (id, kind, base_url, api_version, token, url_template, field_paths, reasons, updated_at)
			VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, base_url = excluded.base_url, api_version = excluded.api_version, token = excluded.token,
			url_template = excluded.url_template, field_paths = excluded.field_paths, reasons = excluded.reasons, updated_at = excluded.updated_at`,
			in.Kind, in.BaseURL, in.APIVersion, token, in.URLTemplate, string(paths), strings.Join(in.Reasons, "\n"), db.Millis(now))
		if err != nil {
			return fmt.Errorf("orders: save settings: %w", err)
		}
		return audit.Record(ctx, tx, now, actor, "order_settings.update", "order_settings",
			audit.Change(map[string]any{"kind": old.Kind, "base_url": old.BaseURL, "api_version": old.APIVersion, "url_template": old.URLTemplate, "reasons": old.Reasons, "token_set": old.token != ""},
				map[string]any{"kind": in.Kind, "base_url": in.BaseURL, "api_version": in.APIVersion, "url_template": in.URLTemplate, "reasons": in.Reasons, "token_set": token != "", "token_changed": token != old.token}))
	})
	if err != nil {
		return Settings{}, err
	}
	s.cache.forget(0) // another shop, or the same one with another token
	st, err := s.load(ctx)
	return st.Settings, err
}

// connector builds the configured connector; nil when none is set up.
func (s *Service) connector(st stored) (Connector, error) {
	token, err := s.secrets.Open(purposeToken, st.token)
	if err != nil {
		return nil, fmt.Errorf("orders: open token: %w", err)
	}
	switch st.Kind {
	case KindShopify:
		return &Shopify{BaseURL: st.BaseURL, Version: st.APIVersion, Token: token, Client: s.Client}, nil
	case KindJSON:
		return &JSON{URLTemplate: st.URLTemplate, Token: token, Paths: st.Paths, Client: s.Client}, nil
	}
	return nil, nil
}

// Lookup finds a customer's orders with the configured connector within
// Timeout, or in the cache when the shop answered the same query less
// than CacheTTL ago (cache.go). It returns configured false when no
// connector is set up, and an error wrapping ErrUnreachable when the shop
// did not answer.
func (s *Service) Lookup(ctx context.Context, actor authz.Actor, q Query) (orders []Order, configured bool, err error) {
	if err := authz.Check(actor, authz.ReturnsRead); err != nil {
		return nil, false, err
	}
	st, err := s.load(ctx)
	if err != nil {
		return nil, false, err
	}
	c, err := s.connector(st)
	if err != nil || c == nil {
		return nil, c != nil, err
	}
	if list, ok := s.cached(q); ok {
		return list, true, nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	orders, err = c.Find(ctx, q)
	if err == nil && s.caches(q) {
		now := s.now()
		s.cache.put(keyOf(q), orders, now.Add(s.CacheTTL), now)
	}
	return orders, true, err
}

// SealSecrets seals a plain stored token and, with rotate, re-seals one
// sealed with a previous key (ombud secrets rotate).
func (s *Service) SealSecrets(ctx context.Context, rotate bool) (secret.Tally, error) {
	var t secret.Tally
	var tok string
	err := s.db.QueryRowContext(ctx, `SELECT token FROM order_settings WHERE id = 1`).Scan(&tok)
	if errors.Is(err, sql.ErrNoRows) {
		return t, nil
	}
	if err != nil {
		return t, fmt.Errorf("orders: read token: %w", err)
	}
	v, changed := s.secrets.Sweep(purposeToken, tok, rotate, &t)
	if !changed {
		return t, nil
	}
	return t, s.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE order_settings SET token = ? WHERE id = 1`, v)
		return err
	})
}

// Labels are the English names of case kinds and statuses (the pages
// translate them).
var Labels = map[string]string{
	KindReturn: "Return", KindExchange: "Exchange", KindRefund: "Refund",
	Requested: "Requested", Approved: "Approved", LabelSent: "Label sent", Received: "Received",
	Refunded: "Refunded", Exchanged: "Exchanged", Rejected: "Rejected", Cancelled: "Cancelled",
}

// Label is the English name of a kind, status or reason.
func Label(code string) string {
	if l, ok := Labels[code]; ok {
		return l
	}
	return ReasonLabel(code)
}
