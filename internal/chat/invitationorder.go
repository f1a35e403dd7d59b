package chat

import (
	"context"
	"fmt"
	"slices"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// InvitationOrder is the order the widget tries the rules in: every
// rule's id once, first tried first.
type InvitationOrder struct {
	IDs []int64 `json:"ids"`
}

// ReorderInvitations sets the order the widget tries the rules in
// (channel.write); audited when it changes. The ids must name every rule
// once: a list made before a colleague added or deleted one is refused
// rather than guessed at. It returns the rules in their new order.
func (s *Service) ReorderInvitations(ctx context.Context, actor authz.Actor, in InvitationOrder) ([]Invitation, error) {
	if err := authz.Check(actor, authz.ChannelWrite); err != nil {
		return nil, err
	}
	if len(in.IDs) == 0 {
		return nil, apperr.InvalidField("ids", "is required: every rule's id, in the order to try them")
	}
	if len(in.IDs) > MaxInvitations {
		return nil, apperr.InvalidField("ids", "at most 50 rules") // MaxInvitations
	}
	var out []Invitation
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		all, err := listInvitations(ctx, tx, false)
		if err != nil {
			return err
		}
		byID := make(map[int64]Invitation, len(all))
		for _, v := range all {
			byID[v.ID] = v
		}
		seen := make(map[int64]bool, len(in.IDs))
		next := make([]Invitation, 0, len(in.IDs))
		for _, id := range in.IDs {
			v, ok := byID[id]
			switch {
			case seen[id]:
				return apperr.InvalidField("ids", fmt.Sprintf("lists rule %d more than once", id))
			case !ok:
				return apperr.InvalidField("ids", fmt.Sprintf("rule %d does not exist", id))
			}
			seen[id] = true
			next = append(next, v)
		}
		if len(next) != len(all) {
			for _, v := range all {
				if !seen[v.ID] {
					return apperr.InvalidField("ids", fmt.Sprintf("must list every rule: %d is missing", v.ID))
				}
			}
		}
		ids := func(vs []Invitation) []int64 {
			out := make([]int64, len(vs))
			for k, v := range vs {
				out[k] = v.ID
			}
			return out
		}
		now := s.now()
		changed := !slices.Equal(ids(all), ids(next))
		// Renumbered 1…n, which also settles rules that shared a position.
		for k, v := range next {
			if v.Position == k+1 {
				continue
			}
			changed = true
			if _, err := tx.ExecContext(ctx, `UPDATE chat_invitations SET position = ?, updated_at = ? WHERE id = ?`, k+1, db.Millis(now), v.ID); err != nil {
				return fmt.Errorf("chat: reorder invitations: %w", err)
			}
		}
		if out, err = listInvitations(ctx, tx, false); err != nil {
			return err
		}
		if !changed {
			return nil
		}
		return audit.Record(ctx, tx, now, actor, "chat_invitation.reorder", "chat_invitations",
			audit.Change(map[string]any{"order": ids(all)}, map[string]any{"order": ids(next)}))
	})
	return out, err
}
