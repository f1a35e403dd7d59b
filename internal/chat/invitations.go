package chat

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/textcheck"
)

// Invitation limits.
const (
	MaxInvitations     = 50
	MaxInviteMessage   = 500
	MaxInviteSeconds   = 3600
	MaxURLPattern      = 500
	maxInvitationName  = 200
	maxCartValue       = 1e9
	InvitationShown    = "shown"
	InvitationDismiss  = "dismissed"
	InvitationAccepted = "accepted"
)

// Invitation is a proactive invitation rule: when every condition holds
// on a visitor's page, the widget opens with the message in the visitor's
// language (once per visit). Conditions left at their zero value do not
// apply.
type Invitation struct {
	ID            int64             `json:"id"`
	Name          string            `json:"name"`
	Enabled       bool              `json:"enabled"`
	MinSeconds    int               `json:"min_seconds"`    // time on the page
	URLPattern    string            `json:"url_pattern"`    // glob (* any characters): a full URL, or a path when it starts with /
	ReturningOnly bool              `json:"returning_only"` // only visitors who came on an earlier visit
	MinCart       float64           `json:"min_cart"`       // cart value the host page passes (Ombud.set({cartValue}))
	Language      string            `json:"language"`       // only visitors in this language ("" any)
	Messages      map[string]string `json:"messages"`       // language → message
	Position      int               `json:"position"`       // rules are tried in this order, lowest first
	Shown         int64             `json:"shown"`
	Dismissed     int64             `json:"dismissed"`
	Accepted      int64             `json:"accepted"`
	CreatedAt     time.Time         `json:"created_at"`
	UpdatedAt     time.Time         `json:"updated_at"`
}

// InvitationInput creates a rule (Enabled nil: enabled).
type InvitationInput struct {
	Name          string            `json:"name"`
	Enabled       *bool             `json:"enabled"`
	MinSeconds    int               `json:"min_seconds"`
	URLPattern    string            `json:"url_pattern"`
	ReturningOnly bool              `json:"returning_only"`
	MinCart       float64           `json:"min_cart"`
	Language      string            `json:"language"`
	Messages      map[string]string `json:"messages"`
}

// InvitationPatch changes the fields it names.
type InvitationPatch struct {
	Name          *string           `json:"name"`
	Enabled       *bool             `json:"enabled"`
	MinSeconds    *int              `json:"min_seconds"`
	URLPattern    *string           `json:"url_pattern"`
	ReturningOnly *bool             `json:"returning_only"`
	MinCart       *float64          `json:"min_cart"`
	Language      *string           `json:"language"`
	Messages      map[string]string `json:"messages"`
}

func (in *InvitationInput) validate() error {
	fe := apperr.FieldErrors{}
	in.Name = checkLine(fe, "name", in.Name, maxInvitationName, true)
	if in.MinSeconds < 0 || in.MinSeconds > MaxInviteSeconds {
		fe.Add("min_seconds", fmt.Sprintf("must be 0 to %d seconds", MaxInviteSeconds))
	}
	var msg string
	if in.URLPattern, msg = checkPattern(in.URLPattern); msg != "" {
		fe.Add("url_pattern", msg)
	}
	if math.IsNaN(in.MinCart) || in.MinCart < 0 || in.MinCart > maxCartValue {
		fe.Add("min_cart", "must be 0 or a positive amount")
	}
	if in.Language != "" && !slices.Contains(Languages, in.Language) {
		fe.Add("language", "must be empty or among en, nb, sv, da, sl")
	}
	if fe.MaxItems("messages", len(in.Messages), len(Languages)) {
		return fe.Err()
	}
	clean := map[string]string{}
	for l, m := range in.Messages {
		m = strings.TrimSpace(m)
		switch {
		case !slices.Contains(Languages, l):
			fe.Add("messages", "languages must be among en, nb, sv, da, sl")
		case m == "":
		case utf8.RuneCountInString(m) > MaxInviteMessage:
			fe.Add("messages."+l, fmt.Sprintf("must be at most %d characters", MaxInviteMessage))
		case textcheck.Body(m) != "":
			fe.Add("messages."+l, textcheck.Body(m))
		default:
			clean[l] = m
		}
	}
	in.Messages = clean
	if len(clean) == 0 {
		fe.Add("messages", "write the message in at least one language")
	} else if in.Language != "" && clean[in.Language] == "" {
		fe.Add("messages."+in.Language, "is required for the rule's language")
	}
	return fe.Err()
}

const invCols = `id, name, enabled, min_seconds, url_pattern, returning_only, min_cart, language, messages, position, shown, dismissed, accepted, created_at, updated_at`

func scanInvitation(sc interface{ Scan(...any) error }) (Invitation, error) {
	var v Invitation
	var msgs string
	var created, updated int64
	if err := sc.Scan(&v.ID, &v.Name, &v.Enabled, &v.MinSeconds, &v.URLPattern, &v.ReturningOnly, &v.MinCart, &v.Language, &msgs,
		&v.Position, &v.Shown, &v.Dismissed, &v.Accepted, &created, &updated); err != nil {
		return Invitation{}, err
	}
	if json.Unmarshal([]byte(msgs), &v.Messages) != nil || v.Messages == nil {
		v.Messages = map[string]string{}
	}
	v.CreatedAt, v.UpdatedAt = db.Time(created), db.Time(updated)
	return v, nil
}

func listInvitations(ctx context.Context, q db.Querier, enabledOnly bool) ([]Invitation, error) {
	where := ""
	if enabledOnly {
		where = ` WHERE enabled = TRUE`
	}
	rows, err := q.QueryContext(ctx, `SELECT `+invCols+` FROM chat_invitations`+where+` ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("chat: invitations: %w", err)
	}
	defer rows.Close()
	out := []Invitation{}
	for rows.Next() {
		v, err := scanInvitation(rows)
		if err != nil {
			return nil, fmt.Errorf("chat: invitations: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func getInvitation(ctx context.Context, q db.Querier, id int64) (Invitation, error) {
	v, err := scanInvitation(q.QueryRowContext(ctx, `SELECT `+invCols+` FROM chat_invitations WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Invitation{}, apperr.NotFound("invitation", id)
	}
	if err != nil {
		return Invitation{}, fmt.Errorf("chat: invitation %d: %w", id, err)
	}
	return v, nil
}

// Invitations lists the rules with their counts (channel.read).
func (s *Service) Invitations(ctx context.Context, actor authz.Actor) ([]Invitation, error) {
	if err := authz.Check(actor, authz.ChannelRead); err != nil {
		return nil, err
	}
	return listInvitations(ctx, s.db, false)
}

// Invitation returns one rule (channel.read).
func (s *Service) Invitation(ctx context.Context, actor authz.Actor, id int64) (Invitation, error) {
	if err := authz.Check(actor, authz.ChannelRead); err != nil {
		return Invitation{}, err
	}
	return getInvitation(ctx, s.db, id)
}

func invitationTarget(v Invitation) string { return fmt.Sprintf("chat_invitation:%d %s", v.ID, v.Name) }

// CreateInvitation adds a rule (channel.write); audited.
func (s *Service) CreateInvitation(ctx context.Context, actor authz.Actor, in InvitationInput) (Invitation, error) {
	if err := authz.Check(actor, authz.ChannelWrite); err != nil {
		return Invitation{}, err
	}
	if err := in.validate(); err != nil {
		return Invitation{}, err
	}
	var out Invitation
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM chat_invitations`).Scan(&n); err != nil {
			return fmt.Errorf("chat: count invitations: %w", err)
		}
		if n >= MaxInvitations {
			return apperr.Conflict("invitations", fmt.Sprintf("at most %d invitation rules", MaxInvitations))
		}
		now := s.now()
		msgs, _ := json.Marshal(in.Messages)
		enabled := in.Enabled == nil || *in.Enabled
		var last int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(position), 0) FROM chat_invitations`).Scan(&last); err != nil {
			return fmt.Errorf("chat: invitation position: %w", err)
		}
		id, err := tx.InsertID(ctx, `INSERT INTO chat_invitations (name, enabled, min_seconds, url_pattern, returning_only, min_cart, language, messages, position, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, in.Name, enabled, in.MinSeconds, in.URLPattern, in.ReturningOnly, in.MinCart, in.Language, string(msgs),
			last+1, db.Millis(now), db.Millis(now))
		if err != nil {
			return fmt.Errorf("chat: create invitation: %w", err)
		}
		if out, err = getInvitation(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, actor, "chat_invitation.create", invitationTarget(out), audit.Change(nil, out))
	})
	return out, err
}

// UpdateInvitation changes a rule (channel.write); audited.
func (s *Service) UpdateInvitation(ctx context.Context, actor authz.Actor, id int64, p InvitationPatch) (Invitation, error) {
	if err := authz.Check(actor, authz.ChannelWrite); err != nil {
		return Invitation{}, err
	}
	var out Invitation
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		before, err := getInvitation(ctx, tx, id)
		if err != nil {
			return err
		}
		enabled := before.Enabled
		in := InvitationInput{Name: before.Name, Enabled: &enabled, MinSeconds: before.MinSeconds, URLPattern: before.URLPattern,
			ReturningOnly: before.ReturningOnly, MinCart: before.MinCart, Language: before.Language, Messages: before.Messages}
		if p.Name != nil {
			in.Name = *p.Name
		}
		if p.Enabled != nil {
			enabled = *p.Enabled
		}
		if p.MinSeconds != nil {
			in.MinSeconds = *p.MinSeconds
		}
		if p.URLPattern != nil {
			in.URLPattern = *p.URLPattern
		}
		if p.ReturningOnly != nil {
			in.ReturningOnly = *p.ReturningOnly
		}
		if p.MinCart != nil {
			in.MinCart = *p.MinCart
		}
		if p.Language != nil {
			in.Language = *p.Language
		}
		if p.Messages != nil {
			in.Messages = p.Messages
		}
		if err := in.validate(); err != nil {
			return err
		}
		now := s.now()
		msgs, _ := json.Marshal(in.Messages)
		if _, err := tx.ExecContext(ctx, `UPDATE chat_invitations SET name = ?, enabled = ?, min_seconds = ?, url_pattern = ?, returning_only = ?,
			min_cart = ?, language = ?, messages = ?, updated_at = ? WHERE id = ?`, in.Name, enabled, in.MinSeconds, in.URLPattern, in.ReturningOnly,
			in.MinCart, in.Language, string(msgs), db.Millis(now), id); err != nil {
			return fmt.Errorf("chat: update invitation: %w", err)
		}
		if out, err = getInvitation(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, actor, "chat_invitation.update", invitationTarget(out), audit.Change(before, out))
	})
	return out, err
}

// DeleteInvitation removes a rule (channel.write); audited.
func (s *Service) DeleteInvitation(ctx context.Context, actor authz.Actor, id int64) error {
	if err := authz.Check(actor, authz.ChannelWrite); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		before, err := getInvitation(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM chat_invitations WHERE id = ?`, id); err != nil {
			return fmt.Errorf("chat: delete invitation: %w", err)
		}
		return audit.Record(ctx, tx, s.now(), actor, "chat_invitation.delete", invitationTarget(before), audit.Change(before, nil))
	})
}

// MoveInvitation moves a rule one place up or down in the order the
// widget tries them (channel.write); audited. At the top (or bottom)
// already, nothing changes.
func (s *Service) MoveInvitation(ctx context.Context, actor authz.Actor, id int64, direction string) error {
	if err := authz.Check(actor, authz.ChannelWrite); err != nil {
		return err
	}
	if direction != "up" && direction != "down" {
		return apperr.InvalidField("direction", "must be up or down")
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		all, err := listInvitations(ctx, tx, false)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(all, func(v Invitation) bool { return v.ID == id })
		if i < 0 {
			return apperr.NotFound("invitation", id)
		}
		j := i - 1
		if direction == "down" {
			j = i + 1
		}
		if j < 0 || j >= len(all) {
			return nil
		}
		before := slices.Clone(all)
		all[i], all[j] = all[j], all[i]
		now := s.now()
		// Renumbered 1…n, which also settles rules that shared a position.
		for k, v := range all {
			if v.Position == k+1 && k != i && k != j {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE chat_invitations SET position = ?, updated_at = ? WHERE id = ?`, k+1, db.Millis(now), v.ID); err != nil {
				return fmt.Errorf("chat: move invitation: %w", err)
			}
		}
		order := func(vs []Invitation) map[string]any {
			ids := make([]int64, len(vs))
			for k, v := range vs {
				ids[k] = v.ID
			}
			return map[string]any{"order": ids}
		}
		return audit.Record(ctx, tx, now, actor, "chat_invitation.move", invitationTarget(before[i]), audit.Change(order(before), order(all)))
	})
}

// WidgetInvitation is a rule as the widget evaluates it: the conditions
// and the message in the visitor's language.
type WidgetInvitation struct {
	ID            int64   `json:"id"`
	MinSeconds    int     `json:"min_seconds"`
	URLPattern    string  `json:"url_pattern,omitempty"`
	ReturningOnly bool    `json:"returning_only,omitempty"`
	MinCart       float64 `json:"min_cart,omitempty"`
	Message       string  `json:"message"`
}

// WidgetInvitations returns the enabled rules for a visitor in lang: a
// rule for another language is left out, and the message falls back to
// English, then to any language the rule has.
func (s *Service) WidgetInvitations(ctx context.Context, lang string) ([]WidgetInvitation, error) {
	vs, err := listInvitations(ctx, s.db, true)
	if err != nil {
		return nil, err
	}
	out := []WidgetInvitation{}
	for _, v := range vs {
		if v.Language != "" && v.Language != lang {
			continue
		}
		msg := v.Messages[lang]
		if msg == "" {
			msg = v.Messages["en"]
		}
		for _, l := range Languages {
			if msg == "" {
				msg = v.Messages[l]
			}
		}
		out = append(out, WidgetInvitation{ID: v.ID, MinSeconds: v.MinSeconds, URLPattern: v.URLPattern, ReturningOnly: v.ReturningOnly,
			MinCart: v.MinCart, Message: msg})
	}
	return out, nil
}

// CountInvitation records what a visitor did with an invitation: shown,
// dismissed or accepted (started a chat from it).
func (s *Service) CountInvitation(ctx context.Context, id int64, event string) error {
	col := ""
	switch event {
	case InvitationShown:
		col = "shown"
	case InvitationDismiss:
		col = "dismissed"
	case InvitationAccepted:
		col = "accepted"
	default:
		return apperr.InvalidField("event", "must be shown, dismissed or accepted")
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE chat_invitations SET `+col+` = `+col+` + 1 WHERE id = ? AND enabled = TRUE`, id)
		if err != nil {
			return fmt.Errorf("chat: count invitation: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFound("invitation", id)
		}
		return nil
	})
}
