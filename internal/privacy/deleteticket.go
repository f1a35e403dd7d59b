package privacy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/blocklist"
	"github.com/ombud/ombud/internal/db"
)

// This file deletes single tickets: "Delete ticket" for one opened by
// mistake or holding what must not be kept, and "Mark as spam", which also
// blocks the sender so their next mail is kept in the mail log instead of
// opening a ticket. Both remove the ticket as the retention rules' delete
// does (comments, events, mail, files, drafts, queued work, report facts);
// the audit log keeps who deleted which ticket number and why.

// Deleted is what a deletion removed.
type Deleted struct {
	TicketID int64    `json:"ticket_id"`
	Comments int      `json:"comments"`
	Files    int      `json:"files"`
	Blocked  []string `json:"blocked"` // the senders a spam mark blocked
}

// DeleteTicket deletes a ticket for good.
func (s *Service) DeleteTicket(ctx context.Context, actor authz.Actor, id int64) (Deleted, error) {
	if err := authz.Check(actor, authz.TicketDelete); err != nil {
		return Deleted{}, err
	}
	return s.deleteTicket(ctx, actor, id, false)
}

// MarkSpam blocks the addresses of the ticket's requester and deletes the
// ticket. A requester who is also an agent is not blocked (AddTx refuses
// them), and the mark is refused rather than half done.
func (s *Service) MarkSpam(ctx context.Context, actor authz.Actor, id int64) (Deleted, error) {
	if err := authz.Check(actor, authz.TicketSpam); err != nil {
		return Deleted{}, err
	}
	return s.deleteTicket(ctx, actor, id, true)
}

func (s *Service) deleteTicket(ctx context.Context, actor authz.Actor, id int64, spam bool) (Deleted, error) {
	out := Deleted{TicketID: id, Blocked: []string{}}
	var sums []string
	outbound := map[int64]bool{}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var subject string
		var requester int64
		err := tx.QueryRowContext(ctx, `SELECT subject, requester_id FROM tickets WHERE id = ?`, id).Scan(&subject, &requester)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("ticket", id)
		}
		if err != nil {
			return fmt.Errorf("privacy: ticket %d: %w", id, err)
		}
		if spam {
			emails, err := requesterEmails(ctx, tx, requester)
			if err != nil {
				return err
			}
			for _, e := range emails {
				if _, err := blocklist.AddTx(ctx, tx, s.now(), actor, blocklist.Input{Value: e, Reason: fmt.Sprintf("spam: ticket %d", id)}); err != nil {
					return err
				}
				out.Blocked = append(out.Blocked, e)
			}
		}
		res, bs, err := s.eraseTickets(ctx, tx, []int64{id}, Delete, needles{}, outbound)
		if err != nil {
			return err
		}
		sums, out.Comments, out.Files = bs, res.Comments, res.Attachments
		action := "ticket_deleted"
		if spam {
			action = "ticket_marked_spam"
		}
		return audit.Record(ctx, tx, s.now(), actor, action, fmt.Sprintf("ticket:%d", id), map[string]any{
			"subject": subject, "requester_id": requester, "comments": res.Comments, "blocked": out.Blocked})
	})
	if err != nil {
		return Deleted{}, err
	}
	s.removeBlobs(ctx, sums)
	if _, err := s.sweepJobs(ctx, map[int64]bool{id: true}, outbound, needles{}); err != nil {
		s.log.Warn("privacy: jobs of a deleted ticket", "ticket", id, "err", err)
	}
	s.refreshReports(ctx)
	s.log.Info("ticket deleted", "ticket", id, "spam", spam, "by", actor.ID)
	return out, nil
}

// requesterEmails lists a customer's email addresses.
func requesterEmails(ctx context.Context, tx *db.Tx, customer int64) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT value FROM customer_identities WHERE customer_id = ? AND type = 'email' ORDER BY id`, customer)
	if err != nil {
		return nil, fmt.Errorf("privacy: requester emails: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("privacy: requester emails: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
