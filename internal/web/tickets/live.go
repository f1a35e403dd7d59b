package tickets

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/live"
	"github.com/ombud/ombud/internal/web/httpx"
)

// heartbeat keeps proxies from closing an idle stream and renews presence
// well inside live.PresenceTTL.
const heartbeat = 20 * time.Second

// LiveStream answers GET /live with Server-Sent Events: ticket changes for
// lists and, with ?ticket=ID, that ticket's changes and who else is there.
func (u *UI) LiveStream(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	var ticketID int64
	if v := r.URL.Query().Get("ticket"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return apperr.InvalidField("ticket", "must be a ticket id")
		}
		if _, err := u.Tickets.Get(ctx, actor, id); err != nil {
			return err
		}
		ticketID = id
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		return fmt.Errorf("agent ui: streaming unsupported")
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	sub := u.Live.Subscribe(actor.ID)
	defer sub.Close()
	if ticketID != 0 {
		u.Live.Presence(ticketID, actor.ID, actor.Name, live.Viewing)
		defer u.Live.Presence(ticketID, actor.ID, actor.Name, live.Left)
	}
	send := func(kind string, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", kind, b); err != nil {
			return err
		}
		fl.Flush()
		return nil
	}
	// The browser retries after 3 s if the stream drops.
	if _, err := fmt.Fprint(w, "retry: 3000\n\n"); err != nil {
		return nil
	}
	if ticketID != 0 {
		if err := send("viewers", u.Live.Viewers(ticketID, actor.ID)); err != nil {
			return nil
		}
	} else {
		fl.Flush()
	}
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-u.Live.Done():
			return nil
		case <-tick.C:
			if ticketID != 0 {
				u.Live.Presence(ticketID, actor.ID, actor.Name, live.Viewing)
			}
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil {
				return nil
			}
			fl.Flush()
		case e := <-sub.C:
			switch {
			case e.Kind == live.KindTicket && (ticketID == 0 || e.TicketID == ticketID):
				if err := send("ticket", e); err != nil {
					return nil
				}
			case e.Kind == live.KindNotice && e.AgentID == actor.ID:
				if err := send("notice", e); err != nil {
					return nil
				}
			case e.Kind == live.KindPresence && e.TicketID == ticketID && ticketID != 0 && e.AgentID != actor.ID:
				if err := send("viewers", u.Live.Viewers(ticketID, actor.ID)); err != nil {
					return nil
				}
			}
		}
	}
}

// SetPresence answers POST /tickets/{id}/presence (state=viewing|typing|left).
func (u *UI) SetPresence(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	id, err := httpx.PathID(r, "id", "ticket")
	if err != nil {
		return err
	}
	state := r.PostFormValue("state")
	switch state {
	case live.Viewing, live.Typing, live.Left:
	default:
		return apperr.InvalidField("state", "must be viewing, typing or left")
	}
	if _, err := u.Tickets.Get(ctx, actor, id); err != nil {
		return err
	}
	u.Live.Presence(id, actor.ID, actor.Name, state)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
