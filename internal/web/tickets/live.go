package tickets

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/live"
	"github.com/ombud/ombud/internal/web/httpx"
)

// LiveStream answers GET /live with Server-Sent Events: ticket changes for
// lists and, with ?ticket=ID, that ticket's changes and who else is there.
//
// The handler takes the connection over (HTTP/1.1) and hands it to the
// hub as a live.Stream, then returns: an idle stream keeps no goroutine,
// no net/http buffers and no timer (stream.go in internal/live). Where
// the connection cannot be taken over (HTTP/2) the handler's goroutine
// holds the same stream open.
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
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	agentID, name, hub := actor.ID, actor.Name, u.Live
	o := live.StreamOptions{AgentID: agentID, Kinds: []string{live.KindTicket, live.KindNotice},
		// Frame runs for every open stream on each change: the frames of
		// ticket changes and notices are the same bytes for every stream
		// ("event: ticket" / "event: notice", encoded once per change).
		Frame: func(d *live.Delivery) []byte {
			e := &d.Event
			switch {
			case e.Kind == live.KindTicket && (ticketID == 0 || e.TicketID == ticketID):
				return d.SSE()
			case e.Kind == live.KindNotice && e.AgentID == agentID:
				return d.SSE()
			case e.Kind == live.KindPresence && ticketID != 0 && e.TicketID == ticketID && e.AgentID != agentID:
				return viewersFrame(hub, ticketID, agentID)
			}
			return nil
		},
		// Events were dropped while the browser read too slowly: the page
		// reloads what it shows.
		Lost: []byte("event: resync\ndata: {}\n\n"),
	}
	if ticketID != 0 {
		o.Kinds = append(o.Kinds, live.KindPresence)
		// The heartbeat renews presence well inside live.PresenceTTL.
		o.Beat = func() { hub.Presence(ticketID, agentID, name, live.Viewing) }
		o.Closed = func() { hub.Presence(ticketID, agentID, name, live.Left) }
	}
	// The browser retries after 3 s if the stream drops; a ticket's page
	// starts with who else is there.
	opening := func() []byte {
		b := []byte("retry: 3000\n\n")
		if ticketID != 0 {
			b = append(b, viewersFrame(hub, ticketID, agentID)...)
		}
		return b
	}
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		_ = conn.SetDeadline(time.Time{})
		h.Set("Connection", "close") // the body ends with the connection
		var head bytes.Buffer
		head.WriteString("HTTP/1.1 200 OK\r\n")
		_ = h.Write(&head)
		head.WriteString("\r\n")
		o.Open = func() []byte { return append(head.Bytes(), opening()...) }
		hub.Stream(conn, o)
		if ticketID != 0 {
			hub.Presence(ticketID, agentID, name, live.Viewing)
		}
		return nil
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		return fmt.Errorf("agent ui: streaming unsupported")
	}
	o.Open = opening
	st := hub.Stream(flushWriter{w, fl}, o)
	if ticketID != 0 {
		hub.Presence(ticketID, agentID, name, live.Viewing)
	}
	select {
	case <-ctx.Done():
	case <-st.Done():
	}
	st.Close()
	return nil
}

func viewersFrame(hub *live.Hub, ticketID, agentID int64) []byte {
	b, err := json.Marshal(hub.Viewers(ticketID, agentID))
	if err != nil {
		return nil
	}
	return live.SSEFrame("viewers", b)
}

// flushWriter sends each write at once.
type flushWriter struct {
	w  http.ResponseWriter
	fl http.Flusher
}

func (f flushWriter) Write(b []byte) (int, error) {
	n, err := f.w.Write(b)
	if err == nil {
		f.fl.Flush()
	}
	return n, err
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
