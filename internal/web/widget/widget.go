// Package widget serves the chat widget that any website embeds with one
// script tag, and the public endpoints it talks to: settings and strings,
// starting a chat, messages over a WebSocket (long polling when a
// WebSocket cannot be had), typing and read marks, the transcript, and
// leaving a message when nobody can chat.
//
// Every endpoint is public: the visitor's token (from starting a chat) is
// the credential, and it reaches that visitor's conversation only. Pages
// on other sites call in, so answers carry CORS headers for the origins
// the widget settings allow, and requests from other origins are refused.
// Bodies are JSON sent as text/plain, which browsers send without a
// preflight request. Requests are rate limited per client address and per
// visitor token. docs/chat.md describes the protocol.
package widget

import (
	"context"
	_ "embed"
	"net/http"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/chat"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/web/httpx"

	"log/slog"
)

//go:embed static/widget.js
var script []byte

// UI serves the widget.
type UI struct {
	Chat *chat.Service
	bus  *Bus
	tr   *i18n.Translator
	log  *slog.Logger

	// Per client address: every call; starting chats and leaving
	// messages; per visitor token: messages and other writes.
	ipAll, ipStart, token *limiter
	// ipInvite counts invitation reports per client address.
	ipInvite *limiter
	// PollWait is how long a long poll waits for news (tests shorten it).
	PollWait time.Duration
}

// New returns the widget's handlers. svc may be nil (chat not wired): the
// endpoints answer not found.
func New(svc *chat.Service, bus *Bus, tr *i18n.Translator, log *slog.Logger) *UI {
	return &UI{Chat: svc, bus: bus, tr: tr, log: log,
		ipAll: newLimiter(600, time.Minute), ipStart: newLimiter(10, 10*time.Minute), token: newLimiter(60, time.Minute),
		ipInvite: newLimiter(120, 10*time.Minute),
		PollWait: 25 * time.Second}
}

// Script answers GET /widget.js.
func (u *UI) Script(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	_, err := w.Write(script)
	return err
}

// serve runs a widget endpoint: origin check and CORS headers, the
// per-address limit, and JSON answers and errors (the widget reads both).
func (u *UI) serve(w http.ResponseWriter, r *http.Request, write bool, fn func(st chat.Settings) (int, any, error)) error {
	status, v, err := u.run(w, r, write, fn)
	if err != nil {
		httpx.WriteError(w, r, err, u.log)
		return nil
	}
	if v == nil {
		w.WriteHeader(status)
		return nil
	}
	return httpx.WriteJSON(w, status, v)
}

func (u *UI) run(w http.ResponseWriter, r *http.Request, write bool, fn func(st chat.Settings) (int, any, error)) (int, any, error) {
	if u.Chat == nil {
		return 0, nil, apperr.NotFound("page", r.URL.Path)
	}
	st, err := u.Chat.Settings(r.Context())
	if err != nil {
		return 0, nil, err
	}
	if err := u.origin(w, r, st); err != nil {
		return 0, nil, err
	}
	if !u.ipAll.allow(httpx.RequestClientAddr(r), time.Now()) {
		return 0, nil, apperr.RateLimited("too many requests from your address: wait a minute")
	}
	if write && !st.Enabled {
		return 0, nil, apperr.Conflict("chat", "chat is switched off")
	}
	return fn(st)
}

// origin checks the calling page's origin against the settings and sets
// the CORS headers for an allowed one. A request without Origin is not
// from another site's page (a same-site fetch or a program), which the
// token alone governs.
func (u *UI) origin(w http.ResponseWriter, r *http.Request, st chat.Settings) error {
	o := r.Header.Get("Origin")
	w.Header().Add("Vary", "Origin")
	if o == "" {
		return nil
	}
	if !st.OriginAllowed(o) {
		return apperr.Forbidden("this site may not use the chat widget")
	}
	w.Header().Set("Access-Control-Allow-Origin", o)
	return nil
}

// decode reads a JSON body (sent as text/plain to spare a preflight).
func decode(r *http.Request, dst any) error {
	return httpx.DecodeJSONReader(r.Body, dst)
}

// limitToken counts one write for a visitor token.
func (u *UI) limitToken(token string) error {
	if !u.token.allow(token, time.Now()) {
		return apperr.RateLimited("too many messages: wait a minute")
	}
	return nil
}

// config is what the widget loads first.
type config struct {
	Lang      string            `json:"lang"`
	Color     string            `json:"color"`
	Position  string            `json:"position"`
	Greeting  string            `json:"greeting"`
	Languages []string          `json:"languages"`
	Status    chat.Status       `json:"status"`
	CanChat   bool              `json:"can_chat"`
	Strings   map[string]string `json:"strings"`
	// Uploads are the kinds of file a visitor may send and the largest size.
	UploadTypes []string `json:"upload_types"`
	UploadMaxMB int      `json:"upload_max_mb"`
	// Invitations are the proactive invitation rules the widget evaluates
	// on the page, only while a chat would reach someone.
	Invitations []chat.WidgetInvitation `json:"invitations"`
	// ShowOn and HideOn are the pages the widget appears on (URL
	// patterns); the script checks the page before showing its button.
	ShowOn []string `json:"show_on"`
	HideOn []string `json:"hide_on"`
	// Prechat is how the pre-chat form asks for each field.
	Prechat chat.Prechat `json:"prechat"`
}

// Config answers GET /widget/config?lang=: appearance, whether a chat can
// start now, and the words in the visitor's language.
func (u *UI) Config(w http.ResponseWriter, r *http.Request) error {
	return u.serve(w, r, false, func(st chat.Settings) (int, any, error) {
		l := lang(st, r.URL.Query().Get("lang"))
		status, err := u.Chat.Status(r.Context())
		if err != nil {
			return 0, nil, err
		}
		invs := []chat.WidgetInvitation{}
		if status.CanChat() {
			if invs, err = u.Chat.WidgetInvitations(r.Context(), l); err != nil {
				return 0, nil, err
			}
		}
		pages, err := u.Chat.PageRules(r.Context())
		if err != nil {
			return 0, nil, err
		}
		form, err := u.Chat.Prechat(r.Context())
		if err != nil {
			return 0, nil, err
		}
		for i := range form.Topics {
			form.Topics[i].TeamID = 0 // the routing is not the visitor's business
		}
		w.Header().Set("Cache-Control", "no-store")
		return http.StatusOK, config{Lang: l, Color: st.Color, Position: st.Position, Greeting: st.Greeting, Languages: st.Languages,
			Status: status, CanChat: status.CanChat(), Strings: u.strings(l), UploadTypes: st.UploadTypes, UploadMaxMB: st.UploadMaxMB,
			Invitations: invs, ShowOn: pages.ShowOn, HideOn: pages.HideOn, Prechat: form}, nil
	})
}

// Start answers POST /widget/start (the pre-chat form): the visitor's token.
func (u *UI) Start(w http.ResponseWriter, r *http.Request) error {
	return u.serve(w, r, true, func(st chat.Settings) (int, any, error) {
		var in chat.StartInput
		if err := decode(r, &in); err != nil {
			return 0, nil, err
		}
		if !u.ipStart.allow(httpx.RequestClientAddr(r), time.Now()) {
			return 0, nil, apperr.RateLimited("too many chats started from your address: wait a few minutes")
		}
		s, err := u.Chat.Start(r.Context(), in)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, s, nil
	})
}

// tokenBody is every visitor call's body.
type tokenBody struct {
	Token    string `json:"token"`
	ClientID string `json:"client_id"`
	Body     string `json:"body"`
	After    int64  `json:"after"`
	Seq      int64  `json:"seq"`
	Typing   bool   `json:"typing"`
	Page     string `json:"page"`
}

// visitor runs a visitor call with its token's limit.
func (u *UI) visitor(w http.ResponseWriter, r *http.Request, fn func(ctx context.Context, b tokenBody) (int, any, error)) error {
	return u.serve(w, r, false, func(chat.Settings) (int, any, error) {
		var b tokenBody
		if err := decode(r, &b); err != nil {
			return 0, nil, err
		}
		if b.Token == "" {
			return 0, nil, apperr.Unauthenticated("start a chat first: the visitor token is missing or unknown")
		}
		if err := u.limitToken(b.Token); err != nil {
			return 0, nil, err
		}
		return fn(r.Context(), b)
	})
}

// Send answers POST /widget/messages: the acknowledgement, once stored.
func (u *UI) Send(w http.ResponseWriter, r *http.Request) error {
	return u.visitor(w, r, func(ctx context.Context, b tokenBody) (int, any, error) {
		m, err := u.Chat.VisitorSend(ctx, b.Token, b.ClientID, b.Body)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, map[string]any{"type": "ack", "client_id": b.ClientID, "message": m}, nil
	})
}

// Typing answers POST /widget/typing.
func (u *UI) Typing(w http.ResponseWriter, r *http.Request) error {
	return u.visitor(w, r, func(ctx context.Context, b tokenBody) (int, any, error) {
		return http.StatusNoContent, nil, u.Chat.VisitorTyping(ctx, b.Token, b.Typing)
	})
}

// Read answers POST /widget/read (seq: the last message the visitor saw).
func (u *UI) Read(w http.ResponseWriter, r *http.Request) error {
	return u.visitor(w, r, func(ctx context.Context, b tokenBody) (int, any, error) {
		return http.StatusNoContent, nil, u.Chat.VisitorRead(ctx, b.Token, b.Seq)
	})
}

// Page answers POST /widget/page (the visitor opened another page).
func (u *UI) Page(w http.ResponseWriter, r *http.Request) error {
	return u.visitor(w, r, func(ctx context.Context, b tokenBody) (int, any, error) {
		return http.StatusNoContent, nil, u.Chat.VisitorPage(ctx, b.Token, b.Page)
	})
}

// End answers POST /widget/end.
func (u *UI) End(w http.ResponseWriter, r *http.Request) error {
	return u.visitor(w, r, func(ctx context.Context, b tokenBody) (int, any, error) {
		return http.StatusNoContent, nil, u.Chat.VisitorEnd(ctx, b.Token)
	})
}

// Transcript answers POST /widget/transcript: the conversation by email.
func (u *UI) Transcript(w http.ResponseWriter, r *http.Request) error {
	return u.visitor(w, r, func(ctx context.Context, b tokenBody) (int, any, error) {
		if err := u.Chat.Transcript(ctx, b.Token); err != nil {
			return 0, nil, err
		}
		return http.StatusAccepted, map[string]string{"status": "queued"}, nil
	})
}

// Leave answers POST /widget/leave: a message left while nobody can chat,
// answered by email.
func (u *UI) Leave(w http.ResponseWriter, r *http.Request) error {
	return u.serve(w, r, true, func(chat.Settings) (int, any, error) {
		var in chat.LeaveInput
		if err := decode(r, &in); err != nil {
			return 0, nil, err
		}
		if !u.ipStart.allow(httpx.RequestClientAddr(r), time.Now()) {
			return 0, nil, apperr.RateLimited("too many messages from your address: wait a few minutes")
		}
		id, err := u.Chat.LeaveMessage(r.Context(), in)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, map[string]int64{"ticket_id": id}, nil
	})
}

// update is what the widget hears: new messages, the conversation's
// state and read marks, and whether the agent is typing.
type update struct {
	Type     string         `json:"type"`
	State    string         `json:"state,omitempty"`
	Agent    string         `json:"agent_name,omitempty"`
	AgentRd  int64          `json:"agent_read_seq"`
	LastSeq  int64          `json:"last_seq"`
	Messages []chat.Message `json:"messages"`
	Typing   bool           `json:"typing"`
}

func stateOf(c chat.Conversation) update {
	return update{Type: "state", State: c.State, Agent: c.AgentName, AgentRd: c.AgentRead, LastSeq: c.LastSeq}
}

// Poll answers POST /widget/poll (after: the last sequence the widget
// has): the long-polling fallback. It answers at once when there are
// messages after it, else waits for news up to PollWait.
func (u *UI) Poll(w http.ResponseWriter, r *http.Request) error {
	return u.serve(w, r, false, func(chat.Settings) (int, any, error) {
		var b tokenBody
		if err := decode(r, &b); err != nil {
			return 0, nil, err
		}
		ctx := r.Context()
		c, err := u.Chat.Conversation(ctx, b.Token)
		if err != nil {
			return 0, nil, err
		}
		ch, cancel := u.bus.Listen(c.TicketID)
		defer cancel()
		typing := u.bus.AgentTyping(c.TicketID)
		if c.LastSeq <= b.After && !(b.Typing != typing) {
			t := time.NewTimer(u.PollWait)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return 0, nil, ctx.Err()
			case <-t.C:
			case <-ch:
			}
		}
		c, ms, err := u.Chat.Resume(ctx, b.Token, b.After)
		if err != nil {
			return 0, nil, err
		}
		out := stateOf(c)
		out.Type, out.Messages, out.Typing = "poll", ms, u.bus.AgentTyping(c.TicketID)
		return http.StatusOK, out, nil
	})
}
