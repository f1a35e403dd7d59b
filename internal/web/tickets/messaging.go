package tickets

import (
	"context"
	"net/http"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/channel/messaging"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/httpx"
)

// This file shows a messaging ticket's state on the ticket page
// (docs/messaging.md): each reply's delivery state through the provider,
// and above the composer whether the provider's reply window is open.

// Messaging is what the ticket page reads of the messaging channel.
type Messaging interface {
	WindowOf(ctx context.Context, actor authz.Actor, ticketID int64) (messaging.Window, error)
	Deliveries(ctx context.Context, actor authz.Actor, ticketID int64) ([]messaging.Delivery, error)
}

// socialView is how a reply sent through a messaging provider is doing.
type socialView struct {
	State, Label, Error string
}

// socialLabels are the states in words (catalog keys).
var socialLabels = map[string]string{
	messaging.StateQueued:    "Sending…",
	messaging.StateSent:      "Sent",
	messaging.StateDelivered: "Delivered",
	messaging.StateRead:      "Read",
	messaging.StateFailed:    "Not delivered",
}

// windowView is the composer's notice of a messaging ticket.
type windowView struct {
	Closed   bool
	ClosesAt string
}

// markMessaging puts each reply's delivery state on its message and
// returns the reply window's notice (nil for other tickets).
func (u *UI) markMessaging(r *http.Request, t ticket.Ticket, comments []commentView) (*windowView, error) {
	if u.Messaging == nil || t.Channel != messaging.Channel {
		return nil, nil
	}
	ctx, actor := r.Context(), httpx.Actor(r.Context())
	w, err := u.Messaging.WindowOf(ctx, actor, t.ID)
	if err != nil || !w.Messaging {
		return nil, err
	}
	ds, err := u.Messaging.Deliveries(ctx, actor, t.ID)
	if err != nil {
		return nil, err
	}
	lang := u.lang(r)
	by := make(map[int64]messaging.Delivery, len(ds))
	for _, d := range ds {
		by[d.CommentID] = d
	}
	for i := range comments {
		if d, ok := by[comments[i].ID]; ok {
			comments[i].Social = &socialView{State: d.State, Label: u.i18n.String(lang, socialLabels[d.State]), Error: d.Error}
		}
	}
	v := &windowView{Closed: w.Closed}
	if w.ClosesAt != nil {
		v.ClosesAt = when(lang, *w.ClosesAt, location(r))
	}
	return v, nil
}
