// Package pulse runs team pulse surveys: anonymous employee surveys of the
// support team with the eNPS question ("How likely are you to recommend
// working here…", 0–10), optional 1–5 questions and a comment. A manager
// creates a survey for all agents or chosen teams, with open and close
// dates and a minimum group size (default 5, never below 3); the invited
// agents get an email in their language and answer once.
//
// Anonymity is by design, not by policy: pulse_invites records who was
// asked and whether they answered — only to refuse a second answer, with
// no time of answering — and pulse_answers holds the answers with no agent,
// no time and a random id, so no join and no row order ties an answer to
// a person. Results (results.go) are aggregates of groups of at least the
// minimum; smaller groups show nothing. docs/feedback.md describes the
// behaviour, docs/metrics.md the eNPS.
package pulse

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/textcheck"
)

// Limits and defaults.
const (
	MaxTitle        = 200
	MaxQuestion     = 300
	MaxQuestions    = 10
	MaxTeams        = 100
	MaxComment      = 2000
	MaxDays         = 366
	DefaultMinGroup = 5
	MinMinGroup     = 3 // below three, an aggregate is too close to a person
	DefaultDays     = 14
)

// Question is the catalog key of the eNPS question every survey asks.
const Question = "How likely are you to recommend working here to a friend?"

// Survey states, from the clock and the dates.
const (
	StateScheduled = "scheduled"
	StateOpen      = "open"
	StateClosed    = "closed"
)

// Survey is one pulse survey.
type Survey struct {
	ID        int64     `json:"id"`
	Title     string    `json:"title"`
	Question  string    `json:"question"`  // the eNPS question (0–10), in English
	Questions []string  `json:"questions"` // extra questions, each rated 1–5
	Comments  bool      `json:"comments"`  // ask for a free-text comment
	TeamIDs   []int64   `json:"team_ids"`  // the audience; empty: every agent
	OpensAt   time.Time `json:"opens_at"`
	ClosesAt  time.Time `json:"closes_at"`
	MinGroup  int       `json:"min_group"`
	State     string    `json:"state"`
	Invited   int       `json:"invited"`
	Answered  int       `json:"answered"`
	CreatedAt time.Time `json:"created_at"`
}

// SurveyInput creates a survey. OpensAt zero means now; ClosesAt zero
// means 14 days after opening; MinGroup zero means 5.
type SurveyInput struct {
	Title     string    `json:"title"`
	Questions []string  `json:"questions"`
	Comments  *bool     `json:"comments"` // default true
	TeamIDs   []int64   `json:"team_ids"`
	OpensAt   time.Time `json:"opens_at"`
	ClosesAt  time.Time `json:"closes_at"`
	MinGroup  int       `json:"min_group"`
}

// Mail is one invitation for the outbound mail path.
type Mail struct {
	To      string
	Subject string
	Body    string
	Key     string // idempotency key
}

// Mailer queues an invitation inside the transaction that creates the survey.
type Mailer interface {
	QueuePulse(ctx context.Context, tx *db.Tx, m Mail) error
}

// Service runs pulse surveys.
type Service struct {
	db      *db.DB
	now     func() time.Time
	tr      *i18n.Translator
	log     *slog.Logger
	baseURL string
	mailer  Mailer
}

// NewService returns the service; baseURL is where agents reach Ombud.
func NewService(d *db.DB, now func() time.Time, baseURL string, log *slog.Logger) (*Service, error) {
	tr, err := i18n.New()
	if err != nil {
		return nil, fmt.Errorf("pulse: %w", err)
	}
	return &Service{db: d, now: now, tr: tr, log: log, baseURL: strings.TrimRight(baseURL, "/")}, nil
}

// SetMailer sets the outbound path of invitations (nil: none are sent).
func (s *Service) SetMailer(m Mailer) { s.mailer = m }

func (s *Service) state(sv Survey) string {
	now := s.now()
	switch {
	case now.Before(sv.OpensAt):
		return StateScheduled
	case now.Before(sv.ClosesAt):
		return StateOpen
	}
	return StateClosed
}

// validate checks and normalises a new survey in place.
func validate(ctx context.Context, q db.Querier, in *SurveyInput) error {
	fe := apperr.FieldErrors{}
	in.Title = strings.TrimSpace(in.Title)
	switch {
	case in.Title == "":
		fe.Add("title", "is required")
	case utf8.RuneCountInString(in.Title) > MaxTitle:
		fe.Add("title", fmt.Sprintf("must be at most %d characters", MaxTitle))
	case textcheck.Line(in.Title) != "":
		fe.Add("title", textcheck.Line(in.Title))
	}
	if !fe.MaxItems("questions", len(in.Questions), MaxQuestions) {
		qs := []string{}
		for i, text := range in.Questions {
			text = strings.TrimSpace(text)
			field := fmt.Sprintf("questions.%d", i)
			switch {
			case text == "":
				continue
			case utf8.RuneCountInString(text) > MaxQuestion:
				fe.Add(field, fmt.Sprintf("must be at most %d characters", MaxQuestion))
			case textcheck.Line(text) != "":
				fe.Add(field, textcheck.Line(text))
			}
			qs = append(qs, text)
		}
		in.Questions = qs
	}
	if in.MinGroup < MinMinGroup || in.MinGroup > 1000 {
		fe.Add("min_group", fmt.Sprintf("must be from %d to 1000", MinMinGroup))
	}
	if !in.ClosesAt.After(in.OpensAt) {
		fe.Add("closes_at", "must be after opens_at")
	} else if in.ClosesAt.Sub(in.OpensAt) > MaxDays*24*time.Hour {
		fe.Add("closes_at", fmt.Sprintf("must be at most %d days after opens_at", MaxDays))
	}
	if !fe.MaxItems("team_ids", len(in.TeamIDs), MaxTeams) {
		slices.Sort(in.TeamIDs)
		in.TeamIDs = slices.Compact(in.TeamIDs)
		for _, id := range in.TeamIDs {
			var n int
			if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM teams WHERE id = ?`, id).Scan(&n); err != nil {
				return fmt.Errorf("pulse: team %d: %w", id, err)
			}
			if n == 0 {
				fe.Add("team_ids", fmt.Sprintf("no such team: %d", id))
			}
		}
	}
	return fe.Err()
}

const surveyCols = `s.id, s.title, s.questions, s.comments, s.team_ids, s.opens_at, s.closes_at, s.min_group, s.created_at,
	(SELECT COUNT(*) FROM pulse_invites i WHERE i.survey_id = s.id),
	(SELECT COUNT(*) FROM pulse_invites i WHERE i.survey_id = s.id AND i.answered)`

func (s *Service) scan(sc interface{ Scan(...any) error }) (Survey, error) {
	var sv Survey
	var qs, teams string
	var opens, closes, created int64
	if err := sc.Scan(&sv.ID, &sv.Title, &qs, &sv.Comments, &teams, &opens, &closes, &sv.MinGroup, &created, &sv.Invited, &sv.Answered); err != nil {
		return Survey{}, err
	}
	sv.Question = Question
	sv.OpensAt, sv.ClosesAt, sv.CreatedAt = db.Time(opens), db.Time(closes), db.Time(created)
	if err := json.Unmarshal([]byte(qs), &sv.Questions); err != nil {
		return Survey{}, fmt.Errorf("pulse: survey %d questions: %w", sv.ID, err)
	}
	if err := json.Unmarshal([]byte(teams), &sv.TeamIDs); err != nil {
		return Survey{}, fmt.Errorf("pulse: survey %d teams: %w", sv.ID, err)
	}
	sv.State = s.state(sv)
	return sv, nil
}

func (s *Service) get(ctx context.Context, q db.Querier, id int64) (Survey, error) {
	sv, err := s.scan(q.QueryRowContext(ctx, `SELECT `+surveyCols+` FROM pulse_surveys s WHERE s.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Survey{}, apperr.NotFound("survey", id)
	}
	if err != nil {
		return Survey{}, fmt.Errorf("pulse: survey %d: %w", id, err)
	}
	return sv, nil
}

// Surveys lists every survey, newest first.
func (s *Service) Surveys(ctx context.Context, actor authz.Actor) ([]Survey, error) {
	if err := authz.Check(actor, authz.PulseManage); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+surveyCols+` FROM pulse_surveys s ORDER BY s.id DESC`)
	if err != nil {
		return nil, fmt.Errorf("pulse: surveys: %w", err)
	}
	defer rows.Close()
	out := []Survey{}
	for rows.Next() {
		sv, err := s.scan(rows)
		if err != nil {
			return nil, fmt.Errorf("pulse: surveys: %w", err)
		}
		out = append(out, sv)
	}
	return out, rows.Err()
}

// Survey returns one survey.
func (s *Service) Survey(ctx context.Context, actor authz.Actor, id int64) (Survey, error) {
	if err := authz.Check(actor, authz.PulseManage); err != nil {
		return Survey{}, err
	}
	return s.get(ctx, s.db, id)
}

// invitee is an agent asked to answer, with the group their answer counts in.
type invitee struct {
	id                  int64
	email, locale, zone string
	team                int64
}

// audience is every active agent whose role may answer, in the chosen
// teams (all agents when none); an agent's group is their lowest-numbered
// team among the chosen ones (0: no team).
func audience(ctx context.Context, q db.Querier, teams []int64) ([]invitee, error) {
	rows, err := q.QueryContext(ctx, `SELECT a.id, a.email, a.role, a.locale, a.time_zone, m.team_id
		FROM agents a LEFT JOIN team_members m ON m.agent_id = a.id WHERE a.active ORDER BY a.id, m.team_id`)
	if err != nil {
		return nil, fmt.Errorf("pulse: audience: %w", err)
	}
	defer rows.Close()
	var out []invitee
	for rows.Next() {
		var in invitee
		var role string
		var team sql.NullInt64
		if err := rows.Scan(&in.id, &in.email, &role, &in.locale, &in.zone, &team); err != nil {
			return nil, fmt.Errorf("pulse: audience: %w", err)
		}
		if !authz.Can(authz.Actor{Kind: authz.KindAgent, ID: in.id, Role: authz.Role(role)}, authz.PulseAnswer) {
			continue
		}
		in.team = team.Int64
		if len(teams) > 0 && !slices.Contains(teams, in.team) {
			continue
		}
		if len(out) > 0 && out[len(out)-1].id == in.id {
			continue // already in through a lower-numbered team
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// Create validates and stores a survey, invites its audience and queues
// each invitation email, in one transaction.
func (s *Service) Create(ctx context.Context, actor authz.Actor, in SurveyInput) (Survey, error) {
	if err := authz.Check(actor, authz.PulseManage); err != nil {
		return Survey{}, err
	}
	now := s.now()
	if in.OpensAt.IsZero() {
		in.OpensAt = now
	}
	if in.ClosesAt.IsZero() {
		in.ClosesAt = in.OpensAt.Add(DefaultDays * 24 * time.Hour)
	}
	if in.MinGroup == 0 {
		in.MinGroup = DefaultMinGroup
	}
	if in.TeamIDs == nil {
		in.TeamIDs = []int64{}
	}
	var id int64
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		if err := validate(ctx, tx, &in); err != nil {
			return err
		}
		people, err := audience(ctx, tx, in.TeamIDs)
		if err != nil {
			return err
		}
		if len(people) == 0 {
			return apperr.Unprocessable("team_ids", "nobody in this audience can answer a survey")
		}
		qs, _ := json.Marshal(in.Questions)
		teams, _ := json.Marshal(in.TeamIDs)
		comments := in.Comments == nil || *in.Comments
		id, err = tx.InsertID(ctx, `INSERT INTO pulse_surveys (title, questions, comments, team_ids, opens_at, closes_at, min_group, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, in.Title, string(qs), comments, string(teams),
			db.Millis(in.OpensAt), db.Millis(in.ClosesAt), in.MinGroup, actor.ID, db.Millis(now), db.Millis(now))
		if err != nil {
			return fmt.Errorf("pulse: create survey: %w", err)
		}
		for _, p := range people {
			if _, err := tx.ExecContext(ctx, `INSERT INTO pulse_invites (survey_id, agent_id, team_id) VALUES (?, ?, ?)`, id, p.id, p.team); err != nil {
				return fmt.Errorf("pulse: invite agent %d: %w", p.id, err)
			}
			if err := s.invite(ctx, tx, id, in, p); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, now, actor, "pulse.survey.create", fmt.Sprintf("pulse_survey:%d", id),
			map[string]any{"title": in.Title, "team_ids": in.TeamIDs, "min_group": in.MinGroup, "invited": len(people)})
	})
	if err != nil {
		return Survey{}, err
	}
	return s.get(ctx, s.db, id)
}

// invite queues one invitation in the agent's language and time zone.
func (s *Service) invite(ctx context.Context, tx *db.Tx, id int64, in SurveyInput, p invitee) error {
	if s.mailer == nil {
		return nil
	}
	loc, err := time.LoadLocation(p.zone)
	if err != nil {
		loc = time.UTC
	}
	l := s.tr.Match(p.locale)
	body := strings.Join([]string{
		s.tr.T(l, "You are invited to answer the team pulse survey %s.", in.Title),
		s.tr.T(l, "Your answer is anonymous: nobody can see what you answered, and results show only for groups of at least %d people.", in.MinGroup),
		s.tr.T(l, "The survey is open from %s to %s.", i18n.FormatDay(l, in.OpensAt.In(loc), true), i18n.FormatDay(l, in.ClosesAt.In(loc), true)),
		s.tr.T(l, "Answer here: %s", fmt.Sprintf("%s/feedback/pulse/%d/answer", s.baseURL, id)),
	}, "\n\n")
	return s.mailer.QueuePulse(ctx, tx, Mail{To: p.email, Subject: s.tr.T(l, "Team pulse: %s", in.Title), Body: body + "\n",
		Key: fmt.Sprintf("pulse:%d:%d", id, p.id)})
}

// Close ends an open or scheduled survey now.
func (s *Service) Close(ctx context.Context, actor authz.Actor, id int64) (Survey, error) {
	if err := authz.Check(actor, authz.PulseManage); err != nil {
		return Survey{}, err
	}
	now := s.now()
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		sv, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		if sv.State == StateClosed {
			return apperr.Conflict("state", "the survey is closed already")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE pulse_surveys SET closes_at = ?, opens_at = CASE WHEN opens_at > ? THEN ? ELSE opens_at END, updated_at = ? WHERE id = ?`,
			db.Millis(now), db.Millis(now), db.Millis(now), db.Millis(now), id); err != nil {
			return fmt.Errorf("pulse: close survey %d: %w", id, err)
		}
		return audit.Record(ctx, tx, now, actor, "pulse.survey.close", fmt.Sprintf("pulse_survey:%d", id), nil)
	})
	if err != nil {
		return Survey{}, err
	}
	return s.get(ctx, s.db, id)
}
