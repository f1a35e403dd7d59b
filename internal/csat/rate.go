package csat

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/ticket"
)

// Page is what the public survey page shows for a link.
type Page struct {
	Survey  Survey
	Subject string
	// Open: the ticket is not closed (nor merged away), so the answer can
	// still change.
	Open bool
	// Chosen is the score the link was for (0 for the page link).
	Chosen int
	// PageToken is the signed link of the page itself (score 0), for the
	// form that changes the answer.
	PageToken string
	Expires   time.Time
}

// Open verifies a link and returns its survey page. Errors: invalid
// (tampered, malformed or expired: IsExpired), not_found (no such survey).
func (s *Service) Open(ctx context.Context, token string) (Page, error) {
	tok, err := s.Verify(token)
	if err != nil {
		return Page{}, err
	}
	v, err := surveyWhere(ctx, s.db, `id = ?`, tok.SurveyID)
	if err != nil {
		return Page{}, err
	}
	var subject, status string
	var merged *int64
	if err := s.db.QueryRowContext(ctx, `SELECT subject, status, merged_into_id FROM tickets WHERE id = ?`, v.TicketID).Scan(&subject, &status, &merged); err != nil {
		return Page{}, apperr.NotFound("survey", tok.SurveyID)
	}
	if tok.Score != 0 && !validScore(v.Scale, tok.Score) {
		return Page{}, apperr.InvalidField("token", "is not a valid survey link")
	}
	return Page{Survey: v, Subject: subject, Open: ticket.Status(status) != ticket.StatusClosed && merged == nil,
		Chosen: tok.Score, PageToken: s.Sign(v.ID, 0, tok.Expires), Expires: tok.Expires}, nil
}

// Answer is a customer's rating from the survey page.
type Answer struct {
	Score   int
	Comment string
	// KeepComment leaves the stored comment as it is (the one-click
	// confirmation has no comment box).
	KeepComment bool
}

// Rate records an answer given through a link of the survey. The same
// answer again changes nothing; a changed score is a csat_rated event, a
// changed comment alone a csat_commented one. A closed ticket's survey is
// read-only (unprocessable).
func (s *Service) Rate(ctx context.Context, token string, a Answer) (Page, error) {
	p, err := s.Open(ctx, token)
	if err != nil {
		return Page{}, err
	}
	if !validScore(p.Survey.Scale, a.Score) {
		return Page{}, apperr.InvalidField("score", "is not an answer of this survey")
	}
	a.Comment = strings.TrimSpace(strings.ReplaceAll(a.Comment, "\r\n", "\n"))
	if utf8.RuneCountInString(a.Comment) > MaxComment {
		return Page{}, apperr.InvalidField("comment", "must be at most 2000 characters")
	}
	if !utf8.ValidString(a.Comment) {
		return Page{}, apperr.InvalidField("comment", "is not valid text")
	}
	if a.KeepComment {
		a.Comment = p.Survey.Comment
	}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		t, err := s.tickets.GetTx(ctx, tx, p.Survey.TicketID) // locks the ticket: answers apply one at a time
		if err != nil {
			return err
		}
		if t.Status == ticket.StatusClosed || t.MergedIntoID != nil {
			return apperr.Unprocessable("score", "The request is closed: the answer can no longer change.")
		}
		cur, err := surveyWhere(ctx, tx, `id = ?`, p.Survey.ID)
		if err != nil {
			return err
		}
		if cur.Score == a.Score && cur.Comment == a.Comment {
			return nil
		}
		var agent int64
		if t.AssigneeID != nil {
			agent = *t.AssigneeID
		}
		if cur.Score == a.Score {
			agent = cur.AgentID // a comment alone keeps the rating's attribution
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE csat_surveys SET score = ?, comment = ?, rated_at = ?, agent_id = ? WHERE id = ?`,
			a.Score, a.Comment, db.Millis(now), agent, cur.ID); err != nil {
			return err
		}
		actor := authz.Actor{Kind: authz.KindCustomer, ID: cur.CustomerID}
		if cur.Score == a.Score {
			return s.tickets.RecordTx(ctx, tx, actor, t.ID, EvCommented, map[string]any{
				"survey_id": cur.ID, "score": a.Score, "comment": a.Comment})
		}
		return s.tickets.RecordTx(ctx, tx, actor, t.ID, EvRated, map[string]any{
			"survey_id": cur.ID, "channel": cur.Channel, "scale": cur.Scale,
			"score": a.Score, "previous_score": cur.Score, "rating": Rating(a.Score), "previous_rating": Rating(cur.Score),
			"agent_id": agent, "comment": a.Comment})
	})
	if err != nil {
		return Page{}, err
	}
	return s.Open(ctx, token)
}
