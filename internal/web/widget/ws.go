package widget

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/chat"
	"github.com/ombud/ombud/internal/web/httpx"
)

// frame is one WebSocket message from the widget.
type frame struct {
	Type     string `json:"type"` // hello, send, typing, read, page, ping
	Token    string `json:"token"`
	After    int64  `json:"after"`
	ClientID string `json:"client_id"`
	Body     string `json:"body"`
	Typing   bool   `json:"typing"`
	Seq      int64  `json:"seq"`
	Page     string `json:"page"`
}

// tick re-reads the conversation now and then, so a notice dropped for a
// slow connection delays a message by at most this.
const tick = 20 * time.Second

// Socket answers GET /widget/ws: the widget's WebSocket. The first frame
// is hello with the token and the last sequence the widget has; the
// server sends every message after it, then each new one as it commits.
// A send frame is acknowledged ({"type":"ack","client_id":…}) after its
// transaction commits; resending a client id returns the same message.
func (u *UI) Socket(w http.ResponseWriter, r *http.Request) error {
	if u.Chat == nil {
		return apperr.NotFound("page", r.URL.Path)
	}
	st, err := u.Chat.Settings(r.Context())
	if err != nil {
		return err
	}
	if err := u.origin(w, r, st); err != nil {
		httpx.WriteError(w, r, err, u.log)
		return nil
	}
	if !u.ipAll.allow(httpx.RequestClientAddr(r), time.Now()) {
		httpx.WriteError(w, r, apperr.RateLimited("too many requests from your address: wait a minute"), u.log)
		return nil
	}
	// The origin was checked above against the widget settings (scheme
	// and host), which is stricter than the library's host patterns.
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return nil // Accept answered the client
	}
	c.SetReadLimit(16 << 10)
	s := &socket{u: u, c: c}
	err = s.run(context.WithoutCancel(r.Context()))
	var ce websocket.CloseError
	switch {
	case err == nil, errors.As(err, &ce), errors.Is(err, context.Canceled):
		_ = c.Close(websocket.StatusNormalClosure, "")
	default:
		status := websocket.StatusPolicyViolation
		if apperr.CodeOf(err) == apperr.CodeInternal {
			status = websocket.StatusInternalError
		}
		msg := err.Error()
		if len(msg) > 120 {
			msg = msg[:120]
		}
		_ = c.Close(status, msg)
	}
	return nil
}

type socket struct {
	u  *UI
	c  *websocket.Conn
	mu sync.Mutex // one writer at a time
	// sent is the highest sequence sent to the widget.
	sent int64
}

func (s *socket) write(ctx context.Context, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.c.Write(wctx, websocket.MessageText, b)
}

func (s *socket) read(ctx context.Context) (frame, error) {
	_, b, err := s.c.Read(ctx)
	if err != nil {
		return frame{}, err
	}
	var f frame
	if err := json.Unmarshal(b, &f); err != nil {
		return frame{}, apperr.InvalidField("frame", "must be a JSON object")
	}
	return f, nil
}

func (s *socket) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	hctx, hcancel := context.WithTimeout(ctx, 15*time.Second)
	hello, err := s.read(hctx)
	hcancel()
	if err != nil {
		return err
	}
	if hello.Type != "hello" {
		return apperr.InvalidField("type", "the first frame must be hello")
	}
	token := hello.Token
	conv, err := s.u.Chat.Conversation(ctx, token)
	if err != nil {
		_ = s.write(ctx, map[string]any{"type": "error", "error": errBody(err)})
		return err
	}
	ch, stop := s.u.bus.Listen(conv.TicketID)
	defer stop()
	s.sent = max(hello.After, 0)
	// Everything after what the widget has, then the live part.
	if err := s.catchUp(ctx, token); err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- s.readLoop(ctx, token) }()
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case err := <-errc:
			return err
		case <-t.C:
			if err := s.catchUp(ctx, token); err != nil {
				return err
			}
		case e := <-ch:
			if len(e.Types) > 0 && e.Types[0] == "typing" {
				if e.ActorType == chat.AuthorAgent {
					if err := s.write(ctx, map[string]any{"type": "typing", "typing": e.State == "typing"}); err != nil {
						return err
					}
				}
				continue
			}
			if err := s.catchUp(ctx, token); err != nil {
				return err
			}
		}
	}
}

// catchUp sends the conversation's state and the messages not sent yet.
func (s *socket) catchUp(ctx context.Context, token string) error {
	c, ms, err := s.u.Chat.Resume(ctx, token, s.sent)
	if err != nil {
		return err
	}
	up := stateOf(c)
	up.Messages = ms
	if len(ms) > 0 {
		s.sent = ms[len(ms)-1].Seq
	}
	return s.write(ctx, up)
}

func errBody(err error) any {
	e := apperr.As(err)
	if e == nil || e.Code == apperr.CodeInternal {
		return map[string]string{"code": "internal", "message": "internal error"}
	}
	return map[string]any{"code": e.Code, "message": e.Message, "fields": e.Fields}
}

// readLoop handles the widget's frames until the socket closes.
func (s *socket) readLoop(ctx context.Context, token string) error {
	for {
		f, err := s.read(ctx)
		if err != nil {
			return err
		}
		if err := s.u.limitToken(token); err != nil {
			if werr := s.write(ctx, map[string]any{"type": "error", "client_id": f.ClientID, "error": errBody(err)}); werr != nil {
				return werr
			}
			continue
		}
		var reply any
		switch f.Type {
		case "send":
			m, err := s.u.Chat.VisitorSend(ctx, token, f.ClientID, f.Body)
			if err != nil {
				reply = map[string]any{"type": "error", "client_id": f.ClientID, "error": errBody(err)}
			} else {
				reply = map[string]any{"type": "ack", "client_id": f.ClientID, "message": m}
			}
		case "typing":
			err = s.u.Chat.VisitorTyping(ctx, token, f.Typing)
		case "read":
			err = s.u.Chat.VisitorRead(ctx, token, f.Seq)
		case "page":
			err = s.u.Chat.VisitorPage(ctx, token, f.Page)
		case "ping":
			reply = map[string]string{"type": "pong"}
		default:
			err = apperr.InvalidField("type", "must be send, typing, read, page or ping")
		}
		if err != nil && reply == nil {
			reply = map[string]any{"type": "error", "error": errBody(err)}
		}
		if reply != nil {
			if err := s.write(ctx, reply); err != nil {
				return err
			}
		}
	}
}
