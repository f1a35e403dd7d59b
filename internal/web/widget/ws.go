package widget

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/chat"
	"github.com/ombud/ombud/internal/live"
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
//
// An idle connection costs one goroutine (the reader) and small buffers:
// the handler returns once the socket is open (freeing net/http's
// per-request buffers and its goroutine), notices arrive by callback
// rather than a goroutine waiting on a channel, the periodic catch-up is
// a timer, the read and write buffers are 256 and 512 bytes, and the
// socket keeps none of the request's context (docs/benchmarks.md).
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
	c, err := websocket.Accept(smallBuffers{w}, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return nil // Accept answered the client
	}
	c.SetReadLimit(16 << 10)
	// The socket's context carries only what its writes need (the client
	// address for audit rows), not the request's: that one holds the
	// request's logger, session and net/http's connection contexts, kept
	// for as long as the widget stays open.
	addr := httpx.RequestClientAddr(r)
	ctx, cancel := context.WithCancel(audit.WithRequest(httpx.WithClientAddr(context.Background(), addr), addr, r.UserAgent()))
	s := &socket{u: u, c: c, ctx: ctx, cancel: cancel}
	token, err := s.open()
	if err != nil {
		s.finish(err)
		return nil
	}
	go func() { s.finish(s.readLoop(ctx, token)) }()
	return nil
}

// finish closes the socket with a status that says why (once).
func (s *socket) finish(err error) {
	s.closeOnce.Do(func() {
		s.cancel()
		s.mu.Lock()
		if s.stop != nil {
			s.stop()
		}
		if s.timer != nil {
			s.timer.Stop()
		}
		s.mu.Unlock()
		var ce websocket.CloseError
		switch {
		case err == nil, errors.As(err, &ce), errors.Is(err, context.Canceled):
			_ = s.c.Close(websocket.StatusNormalClosure, "")
		default:
			status := websocket.StatusPolicyViolation
			if apperr.CodeOf(err) == apperr.CodeInternal {
				status = websocket.StatusInternalError
			}
			msg := err.Error()
			if len(msg) > 120 {
				msg = msg[:120]
			}
			_ = s.c.Close(status, msg)
		}
	})
}

// smallBuffers hands the WebSocket library small read and write buffers
// in place of net/http's 4 KB ones: with thousands of idle widgets the
// buffers were most of a connection's memory. A read of a frame's payload
// at least as long as the read buffer goes straight into the message
// (bufio reads past its buffer), so the read buffer only gathers frame
// headers and short frames; a frame longer than the write buffer goes out
// in two writes.
type smallBuffers struct{ http.ResponseWriter }

// wsBuffer and wsWriteBuffer are the sizes of each connection's read and
// write buffers.
const (
	wsBuffer      = 256
	wsWriteBuffer = 512
)

func (b smallBuffers) Unwrap() http.ResponseWriter { return b.ResponseWriter }

func (b smallBuffers) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(b.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	// Bytes the client sent after its request (often the hello frame)
	// must be in the new reader's buffer: the library takes what is
	// buffered and reads the rest from conn.
	n := brw.Reader.Buffered()
	if n == 0 {
		return conn, bufio.NewReadWriter(bufio.NewReaderSize(conn, wsBuffer), bufio.NewWriterSize(conn, wsWriteBuffer)), nil
	}
	early, _ := brw.Reader.Peek(n)
	br := bufio.NewReaderSize(io.MultiReader(bytes.NewReader(bytes.Clone(early)), conn), max(wsBuffer, n))
	if _, err := br.Peek(n); err != nil {
		return nil, nil, err
	}
	return conn, bufio.NewReadWriter(br, bufio.NewWriterSize(conn, wsWriteBuffer)), nil
}

type socket struct {
	u      *UI
	c      *websocket.Conn
	ctx    context.Context
	cancel context.CancelFunc

	closeOnce sync.Once
	mu        sync.Mutex // one writer at a time; guards stop and timer
	stop      func()     // ends the bus subscription
	timer     *time.Timer
	// catching serialises catch-ups; sent is the highest sequence sent to
	// the widget.
	catching sync.Mutex
	sent     int64
	token    string
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

// open reads the hello, sends what the widget lacks and subscribes to the
// conversation's notices; it returns the token.
func (s *socket) open() (string, error) {
	ctx := s.ctx
	hctx, hcancel := context.WithTimeout(ctx, 15*time.Second)
	hello, err := s.read(hctx)
	hcancel()
	if err != nil {
		return "", err
	}
	if hello.Type != "hello" {
		return "", apperr.InvalidField("type", "the first frame must be hello")
	}
	s.token = hello.Token
	conv, err := s.u.Chat.Conversation(ctx, s.token)
	if err != nil {
		_ = s.write(ctx, map[string]any{"type": "error", "error": errBody(err)})
		return "", err
	}
	s.sent = max(hello.After, 0)
	stop := s.u.bus.OnNotice(conv.TicketID, func(e live.Event) { go s.notice(e) })
	s.mu.Lock()
	s.stop = stop
	s.timer = time.AfterFunc(tick, s.tick)
	s.mu.Unlock()
	// Everything after what the widget has, then the live part.
	if err := s.catchUp(ctx, s.token); err != nil {
		return "", err
	}
	return s.token, nil
}

// notice handles a notice for the conversation (on a goroutine of its own).
func (s *socket) notice(e live.Event) {
	if s.ctx.Err() != nil {
		return
	}
	var err error
	switch {
	case len(e.Types) > 0 && e.Types[0] == "typing":
		if e.ActorType == chat.AuthorAgent {
			err = s.write(s.ctx, map[string]any{"type": "typing", "typing": e.State == "typing"})
		}
	default:
		err = s.catchUp(s.ctx, s.token)
	}
	if err != nil {
		s.finish(err)
	}
}

// tick re-reads the conversation, in case a notice was missed.
func (s *socket) tick() {
	if s.ctx.Err() != nil {
		return
	}
	if err := s.catchUp(s.ctx, s.token); err != nil {
		s.finish(err)
		return
	}
	s.mu.Lock()
	if s.ctx.Err() == nil {
		s.timer.Reset(tick)
	}
	s.mu.Unlock()
}

// catchUp sends the conversation's state and the messages not sent yet.
func (s *socket) catchUp(ctx context.Context, token string) error {
	s.catching.Lock()
	defer s.catching.Unlock()
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
	// The read itself waits without ctx: the library would register a
	// cancel callback on it for every read, kept while the widget idles.
	// finish, which cancels ctx, also closes the connection, which ends
	// the read.
	rctx := context.WithoutCancel(ctx)
	for {
		f, err := s.read(rctx)
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
