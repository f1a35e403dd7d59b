package ui

import (
	"context"

	"github.com/ombud/ombud/internal/authz"
	chatsvc "github.com/ombud/ombud/internal/chat"
)

// This file holds the chat dock: on every agent page an agent who may chat
// (ticket.reply) sees their chat offers and active chats in a corner while
// chat is switched on, and can answer a chat in a small panel without
// leaving the page (templates/dock.html, static/dock.js, docs/chat.md).
// The page renders the dock's state, so it shows at once after a
// navigation; the script then follows the chat stream (/chat/events).

// DockOf reads the signed-in agent's dock for a page (nil: no dock, which
// renders nothing). The chat console (nav "chat") shows the same things
// in full and has no dock.
func (u *UI) DockOf(ctx context.Context, actor authz.Actor, nav string) *chatsvc.Dock {
	if u.ChatDock == nil || nav == "chat" || !actor.IsAgent() || !authz.Can(actor, authz.TicketReply) {
		return nil
	}
	d, err := u.ChatDock.DockFor(ctx, actor)
	if err != nil {
		u.Log.Warn("chat dock", "err", err)
		return nil
	}
	if !d.Enabled {
		return nil
	}
	return &d
}

// DockSeconds is how long an offer of the dock may still be answered, in
// whole seconds, for the page.
func DockSeconds(d *chatsvc.Dock, o chatsvc.Offer) int64 {
	s := int64(o.ExpiresAt.Sub(d.Now).Seconds())
	return max(s, 0)
}
