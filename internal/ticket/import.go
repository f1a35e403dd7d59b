package ticket

import (
	"context"
	"fmt"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// ImportStep is one step of an imported history: a comment or a field change
// by an actor at a time.
type ImportStep struct {
	At      time.Time
	Actor   authz.Actor
	Comment *CommentInput
	Patch   *Patch
}

// ImportTicket is a ticket with its history, actors already resolved to ids.
// Create.Description is the first comment, written by Author at CreatedAt.
type ImportTicket struct {
	Create    CreateInput
	CreatedAt time.Time
	Creator   authz.Actor
	Steps     []ImportStep
}

// Validate runs the checks of ImportTx that need no database (fields,
// comment and change rules, time order), so that an importer can refuse a
// bad ticket before it writes the batch it belongs to. ImportTx runs them
// again; what only the database can tell (a transition, a custom field)
// still fails there.
func (in ImportTicket) Validate() error {
	c := in.Create
	status := c.Status
	c.Status = ""
	if err := c.validate(); err != nil {
		return err
	}
	if status != "" && status != StatusNew {
		return apperr.InvalidField("status", "imported tickets start as new; change status in the timeline")
	}
	last := in.CreatedAt
	for i, st := range in.Steps {
		field := fmt.Sprintf("timeline[%d]", i+1)
		if st.At.Before(last) {
			return apperr.InvalidField(field+".at", "steps must be in time order")
		}
		last = st.At
		switch {
		case st.Comment != nil:
			cm := *st.Comment
			cm.Exact = true
			if err := cm.validate(); err != nil {
				return prefix(field, err)
			}
		case st.Patch != nil:
			p := *st.Patch
			if err := p.validate(); err != nil {
				return prefix(field, err)
			}
		default:
			return apperr.InvalidField(field, "has nothing to do")
		}
	}
	return nil
}

// ImportTx writes an imported ticket inside tx, replaying its steps through
// the same code that writes live changes, so its events are the ones Ombud
// would have written. Errors name the step ("timeline[3].to").
func (s *Service) ImportTx(ctx context.Context, tx *db.Tx, in ImportTicket) (int64, error) {
	ctx = withoutHooks(ctx)
	status := in.Create.Status
	in.Create.Status = ""
	if err := in.Create.validate(); err != nil {
		return 0, err
	}
	if status != "" && status != StatusNew {
		return 0, apperr.InvalidField("status", "imported tickets start as new; change status in the timeline")
	}
	t, events, err := s.createTx(ctx, tx, in.Creator, in.CreatedAt, in.Create)
	if err != nil {
		return 0, err
	}
	last := in.CreatedAt
	for i, st := range in.Steps {
		field := fmt.Sprintf("timeline[%d]", i+1)
		if st.At.Before(last) {
			return 0, apperr.InvalidField(field+".at", "steps must be in time order")
		}
		last = st.At
		cur, err := loadForUpdate(ctx, tx, t.ID)
		if err != nil {
			return 0, err
		}
		if st.Actor.Kind == authz.KindCustomer && st.Actor.ID == 0 {
			st.Actor.ID = cur.RequesterID
		}
		log := &eventLog{ticketID: t.ID, actor: st.Actor, at: st.At, hooks: s.hooks}
		switch {
		case st.Comment != nil:
			c := *st.Comment
			c.Exact = true
			if err := c.validate(); err != nil {
				return 0, prefix(field, err)
			}
			public := c.Public == nil || *c.Public
			if _, err := s.commentTx(ctx, tx, log, &cur, st.Actor, c, public, st.At); err != nil {
				return 0, prefix(field, err)
			}
		case st.Patch != nil:
			p := *st.Patch
			if err := p.validate(); err != nil {
				return 0, prefix(field, err)
			}
			if err := s.applyPatch(ctx, tx, log, &cur, p); err != nil {
				return 0, prefix(field, err)
			}
		default:
			return 0, apperr.InvalidField(field, "has nothing to do")
		}
		if err := log.flush(ctx, tx); err != nil {
			return 0, err
		}
		events = append(events, log.events...)
	}
	// Hooks that count imported history hear the whole ticket once: one
	// report mark per ticket rather than one per replayed step.
	for _, h := range s.hooks {
		if ih, ok := h.(ImportHook); ok {
			if err := ih.TicketEvents(ctx, tx, t.ID, events); err != nil {
				return 0, fmt.Errorf("ticket: import hook for %d: %w", t.ID, err)
			}
		}
	}
	for _, h := range s.hooks {
		if f, ok := h.(ImportFinisher); ok {
			if err := f.ImportedTx(ctx, tx, t.ID); err != nil {
				return 0, fmt.Errorf("ticket: import hook for %d: %w", t.ID, err)
			}
		}
	}
	return t.ID, nil
}

// ImportFinisher is an EventHook that stays silent while an import replays
// a ticket's steps but wants one call once the ticket's whole history is
// written, in the import's transaction: SLA clocks are refreshed there once
// per imported ticket, as live changes refresh them, rather than at every
// replayed step.
type ImportFinisher interface {
	ImportedTx(ctx context.Context, tx *db.Tx, ticketID int64) error
}

// prefix renames an error's fields to sit under a timeline step.
func prefix(field string, err error) error {
	e := apperr.As(err)
	if e.Code == apperr.CodeInternal {
		return err
	}
	out := &apperr.Error{Code: e.Code, Message: e.Message, Fields: map[string]string{}}
	for k, v := range e.Fields {
		out.Fields[field+"."+k] = v
	}
	if len(out.Fields) == 0 {
		out.Fields[field] = e.Message
	}
	return out
}
