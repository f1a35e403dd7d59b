package chat

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/textcheck"
)

// How the pre-chat form asks for a field.
const (
	FieldHidden   = "hidden"
	FieldOptional = "optional"
	FieldRequired = "required"
)

// FieldModes are the ways a pre-chat field can be asked for.
var FieldModes = []string{FieldHidden, FieldOptional, FieldRequired}

// Pre-chat limits.
const (
	MaxTopics     = 30
	maxTopicLabel = 80
)

// Topic is one choice of the pre-chat form's topic list; a chat on it goes
// to TeamID's members (0: the team in the widget settings).
type Topic struct {
	Label  string `json:"label"`
	TeamID int64  `json:"team_id,omitempty"`
}

// Prechat is how the pre-chat form asks for the visitor's name, email and
// topic. The email is always asked (a chat's ticket is the visitor's, found
// by email) unless the visitor is identified. With Topics the topic is a
// choice among them; without, the visitor words it.
type Prechat struct {
	Name   string  `json:"name"`  // hidden, optional or required
	Email  string  `json:"email"` // always required
	Topic  string  `json:"topic"` // hidden, optional or required
	Topics []Topic `json:"topics"`
}

// DefaultPrechat is the form before an admin changes it.
var DefaultPrechat = Prechat{Name: FieldOptional, Email: FieldRequired, Topic: FieldRequired, Topics: []Topic{}}

// PrechatInput changes the pre-chat form.
type PrechatInput struct {
	Name   string  `json:"name"`
	Topic  string  `json:"topic"`
	Topics []Topic `json:"topics"`
}

func (in *PrechatInput) validate() error {
	fe := apperr.FieldErrors{}
	if !slices.Contains(FieldModes, in.Name) {
		fe.Add("name", "must be hidden, optional or required")
	}
	if !slices.Contains(FieldModes, in.Topic) {
		fe.Add("topic", "must be hidden, optional or required")
	}
	if fe.MaxItems("topics", len(in.Topics), MaxTopics) {
		return fe.Err()
	}
	seen := map[string]bool{}
	clean := []Topic{}
	for i, t := range in.Topics {
		field := fmt.Sprintf("topics.%d.label", i)
		t.Label = strings.Join(strings.Fields(t.Label), " ")
		switch {
		case t.Label == "":
			continue
		case utf8.RuneCountInString(t.Label) > maxTopicLabel || !utf8.ValidString(t.Label):
			fe.Add(field, fmt.Sprintf("must be at most %d characters", maxTopicLabel))
		case textcheck.Line(t.Label) != "":
			fe.Add(field, textcheck.Line(t.Label))
		case seen[strings.ToLower(t.Label)]:
			fe.Add(field, "is already a topic")
		}
		if t.TeamID < 0 {
			fe.Add(fmt.Sprintf("topics.%d.team_id", i), "no such team")
		}
		seen[strings.ToLower(t.Label)] = true
		clean = append(clean, t)
	}
	in.Topics = clean
	return fe.Err()
}

func readPrechat(ctx context.Context, q db.Querier) (Prechat, error) {
	p := DefaultPrechat
	p.Topics = []Topic{}
	var topics string
	err := q.QueryRowContext(ctx, `SELECT name_field, topic_field, topics FROM chat_prechat WHERE id = 1`).Scan(&p.Name, &p.Topic, &topics)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	}
	if err != nil {
		return Prechat{}, fmt.Errorf("chat: pre-chat form: %w", err)
	}
	if json.Unmarshal([]byte(topics), &p.Topics) != nil || p.Topics == nil {
		p.Topics = []Topic{}
	}
	return p, nil
}

// Prechat returns the pre-chat form (anyone: the widget reads it).
func (s *Service) Prechat(ctx context.Context) (Prechat, error) {
	return readPrechat(ctx, s.db)
}

// PrechatFor returns the pre-chat form for the admin page and the API.
func (s *Service) PrechatFor(ctx context.Context, actor authz.Actor) (Prechat, error) {
	if err := authz.Check(actor, authz.ChannelRead); err != nil {
		return Prechat{}, err
	}
	return readPrechat(ctx, s.db)
}

// PutPrechat replaces the pre-chat form (admins: channel.write).
func (s *Service) PutPrechat(ctx context.Context, actor authz.Actor, in PrechatInput) (Prechat, error) {
	if err := authz.Check(actor, authz.ChannelWrite); err != nil {
		return Prechat{}, err
	}
	if err := in.validate(); err != nil {
		return Prechat{}, err
	}
	out := Prechat{Name: in.Name, Email: FieldRequired, Topic: in.Topic, Topics: in.Topics}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		for i, t := range in.Topics {
			if t.TeamID == 0 {
				continue
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM teams WHERE id = ?`, t.TeamID).Scan(&n); err != nil {
				return fmt.Errorf("chat: topic team: %w", err)
			}
			if n == 0 {
				return apperr.InvalidField(fmt.Sprintf("topics.%d.team_id", i), "no such team")
			}
		}
		before, err := readPrechat(ctx, tx)
		if err != nil {
			return err
		}
		b, _ := json.Marshal(in.Topics)
		if _, err := tx.ExecContext(ctx, `DELETE FROM chat_prechat WHERE id = 1`); err != nil {
			return fmt.Errorf("chat: save pre-chat form: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO chat_prechat (id, name_field, topic_field, topics, updated_at) VALUES (1, ?, ?, ?, ?)`,
			in.Name, in.Topic, string(b), db.Millis(s.now())); err != nil {
			return fmt.Errorf("chat: save pre-chat form: %w", err)
		}
		return audit.Record(ctx, tx, s.now(), actor, "chat.prechat", "chat", audit.Change(before, out))
	})
	if err != nil {
		return Prechat{}, err
	}
	return out, nil
}

// check enforces the form on a visitor's start: identified visitors have
// their name and email from the identity. It returns the team the topic
// routes to (0: none of its own).
func (p Prechat) check(fe apperr.FieldErrors, in *StartInput, identified bool) int64 {
	switch {
	case p.Name == FieldHidden && !identified:
		in.Name = ""
	case p.Name == FieldRequired && !identified:
		in.Name = checkLine(fe, "name", in.Name, MaxName, true)
	}
	if p.Topic == FieldHidden {
		in.Topic = ""
		return 0
	}
	in.Topic = strings.TrimSpace(in.Topic)
	if in.Topic == "" {
		if p.Topic == FieldRequired {
			fe.Add("topic", "is required")
		}
		return 0
	}
	if len(p.Topics) == 0 {
		return 0
	}
	for _, t := range p.Topics {
		if strings.EqualFold(t.Label, strings.Join(strings.Fields(in.Topic), " ")) {
			in.Topic = t.Label
			return t.TeamID
		}
	}
	fe.Add("topic", "must be one of the topics")
	return 0
}
