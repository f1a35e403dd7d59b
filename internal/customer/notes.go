package customer

import (
	"context"
	"fmt"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/textcheck"
)

// maxNotes bounds a customer's notes, as Update does.
const maxNotes = 10000

// AppendNote adds a dated line to a customer's notes, signed by the agent
// (from the ticket page, while talking to them). It appends in one
// statement, so two agents adding notes at once both keep theirs.
func (s *Service) AppendNote(ctx context.Context, actor authz.Actor, id int64, text string) (Customer, error) {
	if err := authz.Check(actor, authz.CustomerWrite); err != nil {
		return Customer{}, err
	}
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return Customer{}, apperr.InvalidField("note", "is required")
	case len(text) > 2000:
		return Customer{}, apperr.InvalidField("note", "must be at most 2000 characters")
	}
	if msg := textcheck.Body(text); msg != "" {
		return Customer{}, apperr.InvalidField("note", msg)
	}
	line := fmt.Sprintf("%s %s: %s", s.now().UTC().Format("2006-01-02"), actor.Name, text)
	var c Customer
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE customers SET notes = CASE WHEN notes = '' THEN ? ELSE notes || ? END, updated_at = ?
			WHERE id = ? AND length(notes) + ? <= ?`, line, "\n"+line, db.Millis(s.now()), id, len(line)+1, maxNotes)
		if err != nil {
			return fmt.Errorf("customer: append note %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := get(ctx, tx, id); err != nil {
				return err
			}
			return apperr.InvalidField("note", "the customer's notes are full; shorten them on the customer page")
		}
		if c, err = get(ctx, tx, id); err != nil {
			return err
		}
		// The log says a note was added and how long the notes became;
		// the text stays with the customer, where an erasure finds it.
		before := c
		before.Notes = strings.TrimSuffix(strings.TrimSuffix(c.Notes, line), "\n")
		return s.auditCustomerChange(ctx, tx, actor, "customer.note_add", id, &before, &c)
	})
	return c, err
}
