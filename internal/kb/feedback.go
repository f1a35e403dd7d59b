package kb

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// Feedback is what readers said about an article.
type Feedback struct {
	Helpful    int       `json:"helpful"`
	NotHelpful int       `json:"not_helpful"`
	Comments   []Comment `json:"comments"`
}

// Comment is one reader's comment.
type Comment struct {
	Language  string    `json:"language"`
	Helpful   bool      `json:"helpful"`
	Comment   string    `json:"comment"`
	CreatedAt time.Time `json:"created_at"`
}

// Rate records a "was this helpful?" answer for a published article the
// viewer may read; a comment is mailed to the article's owner.
func (s *Service) Rate(ctx context.Context, v Viewer, id int64, lang string, helpful bool, comment string) error {
	comment = strings.TrimSpace(comment)
	if len([]rune(comment)) > MaxComment {
		return apperr.InvalidField("comment", fmt.Sprintf("is at most %d characters", MaxComment))
	}
	a, err := s.Get(ctx, v, id)
	if err != nil {
		return err
	}
	if a.State != StatePublished {
		return notFound(id)
	}
	if !a.Has(lang) {
		lang = a.SourceLanguage
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		fid, err := tx.InsertID(ctx, `INSERT INTO kb_feedback (article_id, language, helpful, comment, created_at) VALUES (?, ?, ?, ?, ?)`,
			id, lang, helpful, comment, db.Millis(s.now()))
		if err != nil {
			return fmt.Errorf("kb: feedback: %w", err)
		}
		if comment == "" || s.mailer == nil {
			return nil
		}
		name, email, olang, err := ownerOf(ctx, tx, a.OwnerID)
		if err != nil || email == "" {
			return err
		}
		t, _ := a.In(olang, a.SourceLanguage)
		answer := s.tr.T(olang, "Not helpful")
		if helpful {
			answer = s.tr.T(olang, "Helpful")
		}
		body := s.tr.T(olang, "Hello %s,", name) + "\n\n" +
			s.tr.T(olang, "A reader commented on your article “%s”:", t.Title) + "\n\n" + answer + "\n\n" + comment + "\n\n" +
			fmt.Sprintf("%s/knowledge/articles/%d", s.baseURL, id) + "\n"
		return s.mailer.QueueKBNotice(ctx, tx, Notice{To: []string{email}, Subject: s.tr.T(olang, "Comment on “%s”", t.Title), Body: body,
			Key: fmt.Sprintf("kb.feedback.%d", fid)})
	})
}

// ownerOf returns an agent's name, address and language.
func ownerOf(ctx context.Context, q db.Querier, id int64) (name, email, lang string, err error) {
	if id == 0 {
		return "", "", "en", nil
	}
	err = q.QueryRowContext(ctx, `SELECT name, email, locale FROM agents WHERE id = ? AND active`, id).Scan(&name, &email, &lang)
	if isNoRows(err) {
		return "", "", "en", nil
	}
	if err != nil {
		return "", "", "", fmt.Errorf("kb: owner %d: %w", id, err)
	}
	if !ValidLanguage(lang) {
		lang = "en"
	}
	return name, email, lang, nil
}

// Feedback returns an article's ratings and comments, newest first.
func (s *Service) Feedback(ctx context.Context, actor authz.Actor, id int64) (Feedback, error) {
	if err := authz.Check(actor, authz.KBRead); err != nil {
		return Feedback{}, err
	}
	if _, err := s.Get(ctx, Viewer{Actor: actor}, id); err != nil {
		return Feedback{}, err
	}
	fb := Feedback{Comments: []Comment{}}
	err := s.eachRow(ctx, `SELECT language, helpful, comment, created_at FROM kb_feedback WHERE article_id = ? ORDER BY id DESC`, []any{id}, func(sc func(...any) error) error {
		var c Comment
		var at int64
		if err := sc(&c.Language, &c.Helpful, &c.Comment, &at); err != nil {
			return err
		}
		if c.Helpful {
			fb.Helpful++
		} else {
			fb.NotHelpful++
		}
		if c.Comment != "" && len(fb.Comments) < 50 {
			c.CreatedAt = db.Time(at)
			fb.Comments = append(fb.Comments, c)
		}
		return nil
	})
	return fb, err
}

// Use is an article inserted into a reply on a ticket.
type Use struct {
	TicketID  int64     `json:"ticket_id"`
	Subject   string    `json:"subject"`
	Kind      string    `json:"kind"` // link or text
	AgentName string    `json:"agent_name"`
	At        time.Time `json:"at"`
}

// RecordUse notes that an agent inserted an article (a link or its text)
// into a reply on a ticket.
func (s *Service) RecordUse(ctx context.Context, actor authz.Actor, id, ticketID int64, kind string) error {
	if err := authz.Check(actor, authz.TicketReply); err != nil {
		return err
	}
	if kind != "link" && kind != "text" {
		return apperr.InvalidField("kind", "must be link or text")
	}
	if _, err := s.Get(ctx, Viewer{Actor: actor}, id); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM tickets WHERE id = ?`, ticketID).Scan(&one); err != nil {
			if isNoRows(err) {
				return apperr.InvalidField("ticket_id", "no such ticket")
			}
			return fmt.Errorf("kb: use: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO kb_usage (article_id, ticket_id, agent_id, kind, created_at) VALUES (?, ?, ?, ?, ?)`,
			id, ticketID, actor.ID, kind, db.Millis(s.now())); err != nil {
			return fmt.Errorf("kb: use: %w", err)
		}
		return nil
	})
}

// Usage lists the tickets an article was used on, newest first (at most 100).
func (s *Service) Usage(ctx context.Context, actor authz.Actor, id int64) ([]Use, error) {
	if err := authz.Check(actor, authz.KBRead); err != nil {
		return nil, err
	}
	if _, err := s.Get(ctx, Viewer{Actor: actor}, id); err != nil {
		return nil, err
	}
	out := []Use{}
	err := s.eachRow(ctx, `SELECT u.ticket_id, t.subject, u.kind, COALESCE(ag.name, ''), u.created_at FROM kb_usage u
		JOIN tickets t ON t.id = u.ticket_id LEFT JOIN agents ag ON ag.id = u.agent_id
		WHERE u.article_id = ? ORDER BY u.id DESC LIMIT 100`, []any{id}, func(sc func(...any) error) error {
		var u Use
		var at int64
		if err := sc(&u.TicketID, &u.Subject, &u.Kind, &u.AgentName, &at); err != nil {
			return err
		}
		u.At = db.Time(at)
		out = append(out, u)
		return nil
	})
	return out, err
}

// RemindOwners mails the owner of each published article whose verify-by
// date has come, once per date (the hourly job; jobs.Every).
func (s *Service) RemindOwners(ctx context.Context, now time.Time) error {
	if s.mailer == nil {
		return nil
	}
	type due struct {
		id, owner int64
		verify    int64
	}
	var list []due
	err := s.eachRow(ctx, `SELECT id, owner_id, verify_by FROM kb_articles WHERE verify_by IS NOT NULL AND verify_by <= ? AND reminded_at IS NULL
		AND state = 'published' AND owner_id <> 0 ORDER BY id LIMIT 500`, []any{db.Millis(now)}, func(sc func(...any) error) error {
		var d due
		if err := sc(&d.id, &d.owner, &d.verify); err != nil {
			return err
		}
		list = append(list, d)
		return nil
	})
	if err != nil {
		return err
	}
	for _, d := range list {
		a, err := s.Get(ctx, Viewer{Actor: authz.System}, d.id)
		if err != nil {
			return err
		}
		err = s.db.Write(ctx, func(tx *db.Tx) error {
			if _, err := tx.ExecContext(ctx, `UPDATE kb_articles SET reminded_at = ? WHERE id = ?`, db.Millis(now), d.id); err != nil {
				return fmt.Errorf("kb: remind: %w", err)
			}
			name, email, lang, err := ownerOf(ctx, tx, d.owner)
			if err != nil || email == "" {
				return err
			}
			t, _ := a.In(lang, a.SourceLanguage)
			body := s.tr.T(lang, "Hello %s,", name) + "\n\n" +
				s.tr.T(lang, "Your article “%s” was due to be checked on %s. Please read it, correct what is out of date and set a new verify-by date.", t.Title, db.Time(d.verify).Format(time.DateOnly)) +
				"\n\n" + fmt.Sprintf("%s/knowledge/articles/%d", s.baseURL, d.id) + "\n"
			return s.mailer.QueueKBNotice(ctx, tx, Notice{To: []string{email}, Subject: s.tr.T(lang, "Please check “%s”", t.Title), Body: body,
				Key: fmt.Sprintf("kb.verify.%d.%d", d.id, d.verify)})
		})
		if err != nil {
			return err
		}
	}
	return nil
}
