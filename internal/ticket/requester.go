package ticket

import (
	"context"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// SolveByRequester marks a ticket solved at its requester's word (the
// customer portal's "this is solved"). Only the requester may, and only a
// ticket that is not solved, closed or merged; any other ticket is "not
// found", so a guessed id tells nothing. The event names the customer.
func (s *Service) SolveByRequester(ctx context.Context, customerID, ticketID int64) (Ticket, error) {
	actor := authz.Actor{Kind: authz.KindCustomer, ID: customerID}
	var t Ticket
	var events []Event
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var err error
		t, err = loadForUpdate(ctx, tx, ticketID)
		if apperr.Is(err, apperr.CodeNotFound) || (err == nil && t.RequesterID != customerID) {
			return apperr.NotFound("ticket", ticketID)
		}
		if err != nil {
			return err
		}
		if t.Status == StatusSolved || t.Status == StatusClosed || t.MergedIntoID != nil {
			return nil
		}
		log := &eventLog{ticketID: t.ID, actor: actor, at: s.now(), hooks: s.hooks}
		solved := StatusSolved
		if err := s.applyPatch(ctx, tx, log, &t, Patch{Status: &solved}); err != nil {
			return err
		}
		if err := log.flush(ctx, tx); err != nil {
			return err
		}
		events = log.events
		t, err = loadForUpdate(ctx, tx, ticketID)
		return err
	})
	if err != nil {
		return Ticket{}, err
	}
	s.changed(ticketID, events)
	return t, nil
}
