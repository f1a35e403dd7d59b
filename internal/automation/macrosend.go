package automation

import (
	"context"
	"fmt"
	"slices"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/ticket"
)

// MacroChangeKeys are the field changes of a macro an agent may keep or
// drop one by one when sending its text edited (the keys of
// MacroPreview.Changes). The status is not among them: it rides on the
// comment, as the composer's "Submit as".
var MacroChangeKeys = []string{"priority", "type", "team_id", "assignee_id", "add_tags", "remove_tags", "follower_ids"}

// keepChanges is p with only the changes named in keep (status dropped).
func keepChanges(p ticket.Patch, keep []string) ticket.Patch {
	var out ticket.Patch
	has := func(k string) bool { return slices.Contains(keep, k) }
	if has("priority") {
		out.Priority = p.Priority
	}
	if has("type") {
		out.Type = p.Type
	}
	if has("team_id") {
		out.TeamID = p.TeamID
	}
	if has("assignee_id") {
		out.AssigneeID = p.AssigneeID
	}
	if has("add_tags") {
		out.AddTags = p.AddTags
	}
	if has("remove_tags") {
		out.RemoveTags = p.RemoveTags
	}
	if has("follower_ids") {
		out.FollowerIDs = p.FollowerIDs
	}
	return out
}

// SendWithMacro posts the agent's own comment in place of a macro's first
// reply (its text as the agent edited it) together with the macro's field
// changes named in keep, and counts the macro's use once. As in
// ApplyMacro, the status rides on the comment (in.Status, the composer's
// "Submit as") and the other changes go first through the ticket service's
// Update, which checks the actor's right to each: a refused change adds no
// comment. The macro's further replies and notes follow the comment.
func (s *Service) SendWithMacro(ctx context.Context, actor authz.Actor, ticketID, macroID int64, keep []string, in ticket.CommentInput) (MacroResult, error) {
	_, t, pl, err := s.planMacro(ctx, actor, ticketID, macroID)
	if err != nil {
		return MacroResult{}, err
	}
	patch := keepChanges(pl.patch, keep)
	if !patch.Empty() {
		if t, err = s.tickets.Update(ctx, actor, ticketID, patch); err != nil {
			return MacroResult{}, err
		}
	}
	res := MacroResult{Ticket: t, Comments: []ticket.Comment{}}
	cm, err := s.tickets.AddComment(ctx, actor, ticketID, in)
	if err != nil {
		return MacroResult{}, err
	}
	res.Comments = append(res.Comments, cm)
	extra := pl.comments
	if len(extra) > 0 {
		extra = extra[1:] // the first is the one the agent edited and sent
	}
	for _, c := range extra {
		public := c.Public
		cm, err := s.tickets.AddComment(ctx, actor, ticketID, ticket.CommentInput{Body: c.Body, Public: &public})
		if err != nil {
			return MacroResult{}, err
		}
		res.Comments = append(res.Comments, cm)
	}
	if res.Ticket, err = s.tickets.Get(ctx, actor, ticketID); err != nil {
		return MacroResult{}, err
	}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE macros SET usage_count = usage_count + 1 WHERE id = ?`, macroID)
		return err
	})
	if err != nil {
		return MacroResult{}, fmt.Errorf("automation: count macro %d use: %w", macroID, err)
	}
	return res, nil
}
