// Package chat serves the agents' chat console: incoming chats offered to
// the agent (accept or decline before the offer times out), the agent's
// open chats side by side with the visitor's details (current page,
// referrer, pages visited, earlier tickets), a composer with macros,
// transfer to a colleague or team with a note, and live updates as a
// Server-Sent Events stream of the live hub's chat notices. It also serves
// the widget settings page for admins.
package chat

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	chatsvc "github.com/ombud/ombud/internal/chat"
	"github.com/ombud/ombud/internal/kb"
	"github.com/ombud/ombud/internal/live"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
)

//go:embed templates/*.html
var templateFS embed.FS

// UI serves the console and the settings page.
type UI struct {
	*ui.UI
	Chat *chatsvc.Service
	// KB backs the composer's knowledge articles (set before serving;
	// nil: none). BaseURL is the public address for article links ("":
	// the request's host).
	KB      *kb.Service
	BaseURL string
	pages   map[string]*template.Template
}

// New parses the pages with the shared layout.
func New(shared *ui.UI, svc *chatsvc.Service) (*UI, error) {
	pages, err := shared.Parse(templateFS, "console", "settings")
	if err != nil {
		return nil, err
	}
	return &UI{UI: shared, Chat: svc, pages: pages}, nil
}

// target is a colleague or team to transfer to.
type target struct {
	ID           int64
	Name         string
	Availability string
}

// Console answers GET /chat: the console page; the script fills it.
func (u *UI) Console(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	if _, err := u.Chat.ConsoleFor(ctx, actor); err != nil {
		return err
	}
	var agents, teams []target
	if as, err := u.Agents.ListAgents(ctx, actor, agentFilter()); err == nil {
		for _, a := range as.Data {
			if a.ID != actor.ID && a.Active && a.Role != "qa_reviewer" && a.Role != "collaborator" {
				agents = append(agents, target{ID: a.ID, Name: a.Name, Availability: a.Availability})
			}
		}
	}
	if ts, err := u.Agents.ListTeams(ctx, actor); err == nil {
		for _, t := range ts.Data {
			teams = append(teams, target{ID: t.ID, Name: t.Name})
		}
	}
	return u.Render(w, r, http.StatusOK, u.pages["console"], ui.PageData{Title: "Chats", Nav: "chat",
		Data: map[string]any{"Agents": agents, "Teams": teams}})
}

// State answers GET /chat/state: the agent's offers and chats (JSON).
func (u *UI) State(w http.ResponseWriter, r *http.Request) error {
	c, err := u.Chat.ConsoleFor(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, c)
}

// View answers GET /chat/conversations/{id}?after=: a chat's messages after
// a sequence, the visitor and their earlier tickets (JSON).
func (u *UI) View(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "conversation")
	if err != nil {
		return err
	}
	var after int64
	if v := r.URL.Query().Get("after"); v != "" {
		if after, err = strconv.ParseInt(v, 10, 64); err != nil || after < 0 {
			return apperr.InvalidField("after", "must be a message sequence number")
		}
	}
	v, err := u.Chat.View(r.Context(), httpx.Actor(r.Context()), id, after)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, v)
}

// Accept answers POST /chat/offers/{id}/accept.
func (u *UI) Accept(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "offer")
	if err != nil {
		return err
	}
	c, err := u.Chat.Accept(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, c)
}

// Decline answers POST /chat/offers/{id}/decline.
func (u *UI) Decline(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "offer")
	if err != nil {
		return err
	}
	if err := u.Chat.Decline(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// body is the console's JSON for the conversation calls.
type body struct {
	ClientID string `json:"client_id"`
	Body     string `json:"body"`
	Typing   bool   `json:"typing"`
	Seq      int64  `json:"seq"`
	ToAgent  int64  `json:"to_agent"`
	ToTeam   int64  `json:"to_team"`
	Note     string `json:"note"`
}

func (u *UI) conv(r *http.Request) (int64, body, error) {
	id, err := httpx.PathID(r, "id", "conversation")
	if err != nil {
		return 0, body{}, err
	}
	var b body
	if r.ContentLength != 0 {
		if err := httpx.DecodeJSON(r, &b); err != nil {
			return 0, body{}, err
		}
	}
	return id, b, nil
}

// Send answers POST /chat/conversations/{id}/messages: the stored message
// once committed.
func (u *UI) Send(w http.ResponseWriter, r *http.Request) error {
	id, b, err := u.conv(r)
	if err != nil {
		return err
	}
	m, err := u.Chat.AgentSend(r.Context(), httpx.Actor(r.Context()), id, b.ClientID, b.Body)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, m)
}

// Typing answers POST /chat/conversations/{id}/typing.
func (u *UI) Typing(w http.ResponseWriter, r *http.Request) error {
	id, b, err := u.conv(r)
	if err != nil {
		return err
	}
	if err := u.Chat.AgentTyping(r.Context(), httpx.Actor(r.Context()), id, b.Typing); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// Read answers POST /chat/conversations/{id}/read.
func (u *UI) Read(w http.ResponseWriter, r *http.Request) error {
	id, b, err := u.conv(r)
	if err != nil {
		return err
	}
	if err := u.Chat.AgentRead(r.Context(), httpx.Actor(r.Context()), id, b.Seq); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// Transfer answers POST /chat/conversations/{id}/transfer.
func (u *UI) Transfer(w http.ResponseWriter, r *http.Request) error {
	id, b, err := u.conv(r)
	if err != nil {
		return err
	}
	if err := u.Chat.Transfer(r.Context(), httpx.Actor(r.Context()), id, b.ToAgent, b.ToTeam, b.Note); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// End answers POST /chat/conversations/{id}/end.
func (u *UI) End(w http.ResponseWriter, r *http.Request) error {
	id, _, err := u.conv(r)
	if err != nil {
		return err
	}
	if err := u.Chat.AgentEnd(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// macro is a macro's reply text for the composer.
type macro struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Text string `json:"text,omitempty"`
}

// Macros answers GET /chat/macros?ticket=: the macros the agent may use,
// with their reply text filled in for the chat's ticket when one is named.
func (u *UI) Macros(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	out := []macro{}
	if u.Automation == nil {
		return httpx.WriteJSON(w, http.StatusOK, out)
	}
	ticketID, err := httpx.QueryInt64(r, "ticket")
	if err != nil {
		return err
	}
	ms, err := u.Automation.ListMacros(ctx, actor, page.Request{Limit: 100})
	if err != nil {
		return err
	}
	for _, m := range ms.Data {
		if !m.Active || !m.Public || m.Body == "" {
			continue
		}
		x := macro{ID: m.ID, Name: m.Name}
		if ticketID > 0 {
			if pv, err := u.Automation.PreviewMacro(ctx, actor, ticketID, m.ID); err == nil && len(pv.Comments) > 0 {
				x.Text = pv.Comments[0].Body
			}
		}
		out = append(out, x)
	}
	return httpx.WriteJSON(w, http.StatusOK, out)
}

// heartbeat keeps proxies from closing an idle stream.
const heartbeat = 20 * time.Second

// Events answers GET /chat/events: a Server-Sent Events stream of chat
// notices (offers, messages, typing, read marks); the script reloads what
// a notice names. Notices from other instances arrive through the hub.
func (u *UI) Events(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	if _, err := u.Chat.ConsoleFor(ctx, actor); err != nil {
		return err
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		return fmt.Errorf("chat console: streaming unsupported")
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	// Chat notices only: every chat message is also a ticket change, and
	// those would take room in the stream's buffer for nothing.
	sub := u.Live.SubscribeKinds(actor.ID, chatsvc.KindChat)
	defer sub.Close()
	if _, err := fmt.Fprint(w, "retry: 3000\n\n"); err != nil {
		return nil
	}
	fl.Flush()
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-u.Live.Done():
			return nil
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil {
				return nil
			}
			fl.Flush()
		case e := <-sub.C:
			if e.Kind != chatsvc.KindChat {
				continue
			}
			if err := send(w, e); err != nil {
				return nil
			}
			fl.Flush()
			if len(e.Types) > 0 && e.Types[0] == "message" && !e.At.IsZero() {
				u.Chat.Timings.Observe(chatsvc.StageStream, time.Since(e.At))
			}
		}
	}
}

func send(w http.ResponseWriter, e live.Event) error {
	b, err := json.Marshal(map[string]any{"ticket_id": e.TicketID, "type": e.Types, "seq": e.Version, "agent_id": e.AgentID,
		"actor": e.ActorType, "state": e.State})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "event: chat\ndata: %s\n\n", b)
	return err
}

// SendFile answers POST /chat/conversations/{id}/files (multipart:
// client_id, file): the agent sends a file, a public reply with it
// attached; the widget's upload rules apply.
func (u *UI) SendFile(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "conversation")
	if err != nil {
		return err
	}
	ctx := r.Context()
	st, err := u.Chat.Settings(ctx)
	if err != nil {
		return err
	}
	var m chatsvc.Message
	err = httpx.ReadUpload(r, int64(st.UploadMaxMB)<<20, func(f map[string]string, name string, body io.Reader) error {
		var err error
		m, err = u.Chat.AgentFile(ctx, httpx.Actor(ctx), id, chatsvc.FileInput{ClientID: f["client_id"], Name: name, Body: body})
		return err
	})
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, m)
}
