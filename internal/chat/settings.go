package chat

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// Languages the widget speaks (the UI's five).
var Languages = []string{"en", "nb", "sv", "da", "sl"}

// Positions of the widget's button.
var Positions = []string{"right", "left"}

// Settings are the widget's settings (one row, edited by admins).
type Settings struct {
	Enabled   bool     `json:"enabled"`
	Color     string   `json:"color"`    // #rrggbb
	Position  string   `json:"position"` // right or left
	Greeting  string   `json:"greeting"` // shown above the pre-chat form ("" = the default, translated)
	Languages []string `json:"languages"`
	// AllowedOrigins are the sites that may embed the widget (scheme://host[:port]);
	// empty allows any site.
	AllowedOrigins []string `json:"allowed_origins"`
	// IdentitySecret signs identified visitors (HMAC-SHA256 of their email);
	// never shown back, only whether one is set.
	IdentitySecret string `json:"-"`
	HasSecret      bool   `json:"has_identity_secret"`
	TeamID         int64  `json:"team_id,omitempty"` // chats go to this team's members (0: every agent)
	MaxChats       int    `json:"max_chats"`         // concurrent chats per agent
	OfferSeconds   int    `json:"offer_seconds"`     // how long an offer waits for an answer
	UseHours       bool   `json:"use_hours"`         // closed outside the business calendar
	// MatchSkills offers chats only to agents with the channel:chat skill
	// who speak the chat's language (language:xx; none listed: any).
	MatchSkills bool `json:"match_skills"`
	// AgentLimits are agents' own max concurrent chats (agent id → max);
	// an agent not listed has MaxChats.
	AgentLimits map[int64]int `json:"agent_limits"`
	UploadTypes []string      `json:"upload_types"`  // kinds of file visitors may send: image, pdf, text
	UploadMaxMB int           `json:"upload_max_mb"` // the largest file, in MB
	UpdatedAt   time.Time     `json:"updated_at"`
}

// MaxFor is an agent's capacity: their own limit or the default.
func (st Settings) MaxFor(agentID int64) int {
	if n, ok := st.AgentLimits[agentID]; ok {
		return n
	}
	return st.MaxChats
}

// Defaults are the settings before an admin saves any.
var Defaults = Settings{Enabled: true, Color: "#1f6feb", Position: "right", Languages: slices.Clone(Languages), MaxChats: 3, OfferSeconds: 30, UseHours: true,
	UploadTypes: slices.Clone(UploadKinds), UploadMaxMB: 10}

// SettingsInput changes the settings; IdentitySecret nil keeps the stored one.
type SettingsInput struct {
	Enabled        bool     `json:"enabled"`
	Color          string   `json:"color"`
	Position       string   `json:"position"`
	Greeting       string   `json:"greeting"`
	Languages      []string `json:"languages"`
	AllowedOrigins []string `json:"allowed_origins"`
	IdentitySecret *string  `json:"identity_secret"`
	TeamID         int64    `json:"team_id"`
	MaxChats       int      `json:"max_chats"`
	OfferSeconds   int      `json:"offer_seconds"`
	UseHours       bool     `json:"use_hours"`
	MatchSkills    bool     `json:"match_skills"`
	// AgentLimits sets agents' own max chats (0 or absent: the default).
	AgentLimits map[int64]int `json:"agent_limits"`
	// UploadTypes nil keeps the stored kinds; UploadMaxMB 0 keeps the size.
	UploadTypes []string `json:"upload_types"`
	UploadMaxMB int      `json:"upload_max_mb"`
}

var colorRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

func (in *SettingsInput) validate() error {
	fe := apperr.FieldErrors{}
	if !colorRE.MatchString(in.Color) {
		fe.Add("color", "must be a colour like #1f6feb")
	}
	if !slices.Contains(Positions, in.Position) {
		fe.Add("position", "must be right or left")
	}
	if len(in.Greeting) > 500 {
		fe.Add("greeting", "must be at most 500 characters")
	}
	if len(in.Languages) == 0 {
		fe.Add("languages", "choose at least one language")
	}
	for _, l := range in.Languages {
		if !slices.Contains(Languages, l) {
			fe.Add("languages", "must be among en, nb, sv, da, sl")
		}
	}
	if len(in.AllowedOrigins) > 50 {
		fe.Add("allowed_origins", "at most 50 sites")
	}
	for i, o := range in.AllowedOrigins {
		n, ok := NormalizeOrigin(o)
		if !ok {
			fe.Add("allowed_origins", "each must be a site like https://shop.example")
			break
		}
		in.AllowedOrigins[i] = n
	}
	if in.IdentitySecret != nil && *in.IdentitySecret != "" && len(*in.IdentitySecret) < 16 {
		fe.Add("identity_secret", "must be at least 16 characters")
	}
	if in.MaxChats < 1 || in.MaxChats > 20 {
		fe.Add("max_chats", "must be 1 to 20")
	}
	if in.OfferSeconds < 5 || in.OfferSeconds > 600 {
		fe.Add("offer_seconds", "must be 5 to 600 seconds")
	}
	if len(in.AgentLimits) > 1000 {
		fe.Add("agent_limits", "at most 1000 agents")
	}
	for _, n := range in.AgentLimits {
		if n < 0 || n > 20 {
			fe.Add("agent_limits", "each must be 1 to 20 (empty: the default)")
			break
		}
	}
	for _, k := range in.UploadTypes {
		if !slices.Contains(UploadKinds, k) {
			fe.Add("upload_types", "must be among image, pdf, text")
		}
	}
	if in.UploadMaxMB < 0 || in.UploadMaxMB > MaxUploadMB {
		fe.Add("upload_max_mb", fmt.Sprintf("must be 1 to %d", MaxUploadMB))
	}
	return fe.Err()
}

// NormalizeOrigin turns "https://Shop.example/" into "https://shop.example".
func NormalizeOrigin(o string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(o))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return "", false
	}
	return u.Scheme + "://" + strings.ToLower(u.Host), true
}

// OriginAllowed reports whether a page at origin may use the widget.
func (st Settings) OriginAllowed(origin string) bool {
	if len(st.AllowedOrigins) == 0 {
		return true
	}
	n, ok := NormalizeOrigin(origin)
	return ok && slices.Contains(st.AllowedOrigins, n)
}

// Settings returns the widget settings (anyone: the widget reads them).
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	return readSettings(ctx, s.db)
}

// SettingsFor returns the settings for the admin page.
func (s *Service) SettingsFor(ctx context.Context, actor authz.Actor) (Settings, error) {
	if err := authz.Check(actor, authz.ChannelRead); err != nil {
		return Settings{}, err
	}
	st, err := readSettings(ctx, s.db)
	if err != nil {
		return Settings{}, err
	}
	return st, readLimits(ctx, s.db, &st)
}

func readSettings(ctx context.Context, q db.Querier) (Settings, error) {
	st := Defaults
	st.Languages = slices.Clone(Defaults.Languages)
	st.UploadTypes = slices.Clone(Defaults.UploadTypes)
	var langs, origins, uploads string
	var team sql.NullInt64
	var updated int64
	err := q.QueryRowContext(ctx, `SELECT enabled, color, position, greeting, languages, allowed_origins, identity_secret, team_id,
		max_chats, offer_seconds, use_hours, match_skills, upload_types, upload_max_mb, updated_at FROM chat_settings WHERE id = 1`).Scan(&st.Enabled, &st.Color, &st.Position,
		&st.Greeting, &langs, &origins, &st.IdentitySecret, &team, &st.MaxChats, &st.OfferSeconds, &st.UseHours, &st.MatchSkills, &uploads, &st.UploadMaxMB, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("chat: settings: %w", err)
	}
	st.Languages = splitList(langs)
	st.AllowedOrigins = splitList(origins)
	st.UploadTypes = splitList(uploads)
	st.TeamID = team.Int64
	st.HasSecret = st.IdentitySecret != ""
	st.UpdatedAt = db.Time(updated)
	return st, nil
}

// readLimits adds the agents' own limits to st.
func readLimits(ctx context.Context, q db.Querier, st *Settings) error {
	rows, err := q.QueryContext(ctx, `SELECT agent_id, max_chats FROM chat_agent_limits ORDER BY agent_id`)
	if err != nil {
		return fmt.Errorf("chat: agent limits: %w", err)
	}
	defer rows.Close()
	st.AgentLimits = map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return fmt.Errorf("chat: agent limits: %w", err)
		}
		st.AgentLimits[id] = n
	}
	return rows.Err()
}

func splitList(s string) []string {
	return append([]string{}, strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == ' ' })...)
}

// PutSettings saves the settings (admins: channel.write).
func (s *Service) PutSettings(ctx context.Context, actor authz.Actor, in SettingsInput) (Settings, error) {
	if err := authz.Check(actor, authz.ChannelWrite); err != nil {
		return Settings{}, err
	}
	if err := in.validate(); err != nil {
		return Settings{}, err
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		cur, err := readSettings(ctx, tx)
		if err != nil {
			return err
		}
		if err := readLimits(ctx, tx, &cur); err != nil {
			return err
		}
		uploads, maxMB := in.UploadTypes, in.UploadMaxMB
		if uploads == nil {
			uploads = cur.UploadTypes
		}
		if maxMB == 0 {
			maxMB = cur.UploadMaxMB
		}
		secret := cur.IdentitySecret
		if in.IdentitySecret != nil {
			secret = *in.IdentitySecret
		}
		if in.TeamID != 0 {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM teams WHERE id = ?`, in.TeamID).Scan(&n); err != nil {
				return fmt.Errorf("chat: team: %w", err)
			}
			if n == 0 {
				return apperr.InvalidField("team_id", "no such team")
			}
		}
		now := db.Millis(s.now())
		langs, origins := strings.Join(in.Languages, ","), strings.Join(in.AllowedOrigins, "\n")
		res, err := tx.ExecContext(ctx, `UPDATE chat_settings SET enabled = ?, color = ?, position = ?, greeting = ?, languages = ?, allowed_origins = ?,
			identity_secret = ?, team_id = ?, max_chats = ?, offer_seconds = ?, use_hours = ?, match_skills = ?, upload_types = ?, upload_max_mb = ?, updated_at = ? WHERE id = 1`,
			in.Enabled, in.Color, in.Position, in.Greeting, langs, origins, secret, db.NullInt(in.TeamID), in.MaxChats, in.OfferSeconds, in.UseHours, in.MatchSkills,
			strings.Join(uploads, ","), maxMB, now)
		if err != nil {
			return fmt.Errorf("chat: save settings: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO chat_settings (id, enabled, color, position, greeting, languages, allowed_origins,
				identity_secret, team_id, max_chats, offer_seconds, use_hours, match_skills, upload_types, upload_max_mb, updated_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				in.Enabled, in.Color, in.Position, in.Greeting, langs, origins, secret, db.NullInt(in.TeamID), in.MaxChats, in.OfferSeconds, in.UseHours, in.MatchSkills,
				strings.Join(uploads, ","), maxMB, now); err != nil {
				return fmt.Errorf("chat: save settings: %w", err)
			}
		}
		if in.AgentLimits != nil {
			if _, err := tx.ExecContext(ctx, `DELETE FROM chat_agent_limits`); err != nil {
				return fmt.Errorf("chat: save agent limits: %w", err)
			}
			for id, n := range in.AgentLimits {
				if n == 0 {
					continue
				}
				var ok int
				if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM agents WHERE id = ?`, id).Scan(&ok); err != nil {
					return fmt.Errorf("chat: save agent limits: %w", err)
				}
				if ok == 0 {
					return apperr.InvalidField("agent_limits", "no such agent")
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO chat_agent_limits (agent_id, max_chats) VALUES (?, ?)`, id, n); err != nil {
					return fmt.Errorf("chat: save agent limits: %w", err)
				}
			}
		}
		after := cur
		after.Enabled, after.TeamID, after.MaxChats, after.OfferSeconds, after.UseHours, after.MatchSkills = in.Enabled, in.TeamID, in.MaxChats, in.OfferSeconds, in.UseHours, in.MatchSkills
		after.Languages, after.AllowedOrigins = in.Languages, in.AllowedOrigins
		if in.AgentLimits != nil {
			after.AgentLimits = map[int64]int{}
			for id, n := range in.AgentLimits {
				if n > 0 {
					after.AgentLimits[id] = n
				}
			}
		}
		return audit.Record(ctx, tx, s.now(), actor, "chat.settings", "chat", audit.Change(auditSettings(cur), auditSettings(after)))
	})
	if err != nil {
		return Settings{}, err
	}
	return s.SettingsFor(ctx, actor)
}

// auditSettings are the settings an audit row shows (never the secret).
func auditSettings(st Settings) map[string]any {
	limits := map[string]int{}
	for id, n := range st.AgentLimits {
		limits[fmt.Sprint(id)] = n
	}
	return map[string]any{"enabled": st.Enabled, "team_id": st.TeamID, "max_chats": st.MaxChats, "offer_seconds": st.OfferSeconds,
		"use_hours": st.UseHours, "match_skills": st.MatchSkills, "languages": st.Languages, "allowed_origins": st.AllowedOrigins,
		"agent_limits": limits}
}

func decodePages(s string) []string {
	var out []string
	if json.Unmarshal([]byte(s), &out) != nil || out == nil {
		return []string{}
	}
	return out
}
