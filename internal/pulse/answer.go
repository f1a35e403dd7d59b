package pulse

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/textcheck"
)

// Invitation is a survey the signed-in agent was invited to: the
// questions, and whether they answered — never what.
type Invitation struct {
	SurveyID  int64     `json:"survey_id"`
	Title     string    `json:"title"`
	Question  string    `json:"question"`
	Questions []string  `json:"questions"`
	Comments  bool      `json:"comments"`
	OpensAt   time.Time `json:"opens_at"`
	ClosesAt  time.Time `json:"closes_at"`
	MinGroup  int       `json:"min_group"`
	State     string    `json:"state"`
	Answered  bool      `json:"answered"`
}

// AnswerInput is one anonymous answer: the eNPS score 0–10, a rating 1–5
// per extra question (0 or absent: skipped) and a comment.
type AnswerInput struct {
	Score   *int   `json:"score"`
	Ratings []int  `json:"ratings"`
	Comment string `json:"comment"`
}

// Invitations lists the surveys the actor was invited to that are open or
// opening later, soonest closing first.
func (s *Service) Invitations(ctx context.Context, actor authz.Actor) ([]Invitation, error) {
	if err := authz.Check(actor, authz.PulseAnswer); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+surveyCols+`, i.answered FROM pulse_surveys s JOIN pulse_invites i ON i.survey_id = s.id
		WHERE i.agent_id = ? AND s.closes_at > ? ORDER BY s.closes_at, s.id`, actor.ID, db.Millis(s.now()))
	if err != nil {
		return nil, fmt.Errorf("pulse: invitations: %w", err)
	}
	defer rows.Close()
	out := []Invitation{}
	for rows.Next() {
		var answered bool
		sv, err := s.scan(scanExtra{rows, []any{&answered}})
		if err != nil {
			return nil, fmt.Errorf("pulse: invitations: %w", err)
		}
		out = append(out, invitation(sv, answered))
	}
	return out, rows.Err()
}

// scanExtra scans a survey row with one more column after it.
type scanExtra struct {
	rows  interface{ Scan(...any) error }
	extra []any
}

func (e scanExtra) Scan(dest ...any) error { return e.rows.Scan(append(dest, e.extra...)...) }

func invitation(sv Survey, answered bool) Invitation {
	return Invitation{SurveyID: sv.ID, Title: sv.Title, Question: sv.Question, Questions: sv.Questions, Comments: sv.Comments,
		OpensAt: sv.OpensAt, ClosesAt: sv.ClosesAt, MinGroup: sv.MinGroup, State: sv.State, Answered: answered}
}

// Invitation returns one survey the actor was invited to (not found for
// anyone else, so the list of invitees cannot be probed).
func (s *Service) Invitation(ctx context.Context, actor authz.Actor, id int64) (Invitation, error) {
	if err := authz.Check(actor, authz.PulseAnswer); err != nil {
		return Invitation{}, err
	}
	var answered bool
	sv, err := s.scan(scanExtra{s.db.QueryRowContext(ctx, `SELECT `+surveyCols+`, i.answered FROM pulse_surveys s JOIN pulse_invites i ON i.survey_id = s.id
		WHERE s.id = ? AND i.agent_id = ?`, id, actor.ID), []any{&answered}})
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Invitation{}, apperr.NotFound("survey", id)
		}
		return Invitation{}, fmt.Errorf("pulse: invitation %d: %w", id, err)
	}
	return invitation(sv, answered), nil
}

// validAnswer checks an answer against its survey.
func validAnswer(sv Survey, in *AnswerInput) error {
	fe := apperr.FieldErrors{}
	if in.Score == nil {
		fe.Add("score", "is required")
	} else if *in.Score < 0 || *in.Score > 10 {
		fe.Add("score", "must be from 0 to 10")
	}
	if len(in.Ratings) > len(sv.Questions) {
		fe.Add("ratings", fmt.Sprintf("must have at most %d ratings, one per question", len(sv.Questions)))
	} else {
		for i, r := range in.Ratings {
			if r < 0 || r > 5 {
				fe.Add(fmt.Sprintf("ratings.%d", i), "must be from 1 to 5, or 0 to skip")
			}
		}
		for len(in.Ratings) < len(sv.Questions) {
			in.Ratings = append(in.Ratings, 0)
		}
	}
	in.Comment = strings.TrimSpace(in.Comment)
	switch {
	case in.Comment != "" && !sv.Comments:
		fe.Add("comment", "this survey asks for no comment")
	case utf8.RuneCountInString(in.Comment) > MaxComment:
		fe.Add("comment", fmt.Sprintf("must be at most %d characters", MaxComment))
	case textcheck.Body(in.Comment) != "":
		fe.Add("comment", textcheck.Body(in.Comment))
	}
	return fe.Err()
}

// randomID is a random positive 63-bit id: answer rows sort by it on both
// engines, so their order says nothing about when they came.
func randomID() int64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return int64(binary.BigEndian.Uint64(b[:])>>1) | 1
}

// Answer records the actor's answer once, while the survey is open. The
// invitation is marked answered and the answer stored without the agent,
// without a time, under a random id, in the same transaction.
func (s *Service) Answer(ctx context.Context, actor authz.Actor, id int64, in AnswerInput) error {
	if err := authz.Check(actor, authz.PulseAnswer); err != nil {
		return err
	}
	if len(in.Ratings) > MaxQuestions {
		return apperr.InvalidField("ratings", apperr.TooMany(MaxQuestions))
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		var answered bool
		var team int64
		sv, err := s.scan(scanExtra{tx.QueryRowContext(ctx, `SELECT `+surveyCols+`, i.answered, i.team_id FROM pulse_surveys s JOIN pulse_invites i ON i.survey_id = s.id
			WHERE s.id = ? AND i.agent_id = ?`, id, actor.ID), []any{&answered, &team}})
		if err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return apperr.NotFound("survey", id)
			}
			return fmt.Errorf("pulse: answer %d: %w", id, err)
		}
		switch {
		case answered:
			return apperr.Conflict("survey", "you have answered this survey already")
		case sv.State == StateScheduled:
			return apperr.Unprocessable("survey", "the survey is not open yet")
		case sv.State == StateClosed:
			return apperr.Unprocessable("survey", "the survey is closed")
		}
		if err := validAnswer(sv, &in); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE pulse_invites SET answered = TRUE WHERE survey_id = ? AND agent_id = ? AND NOT answered`, id, actor.ID)
		if err != nil {
			return fmt.Errorf("pulse: answer %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.Conflict("survey", "you have answered this survey already")
		}
		ratings, _ := json.Marshal(in.Ratings)
		if _, err := tx.ExecContext(ctx, `INSERT INTO pulse_answers (id, survey_id, team_id, score, ratings, comment) VALUES (?, ?, ?, ?, ?, ?)`,
			randomID(), id, team, *in.Score, string(ratings), in.Comment); err != nil {
			return fmt.Errorf("pulse: store answer %d: %w", id, err)
		}
		return nil
	})
}
