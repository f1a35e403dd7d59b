package widget_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/blob"
	"github.com/ombud/ombud/internal/chat"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/live"
	"github.com/ombud/ombud/internal/richtext"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/widget"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type requesters struct{ c *customer.Service }

func (r requesters) ResolveRequester(ctx context.Context, tx *db.Tx, email, name string) (int64, int64, error) {
	return r.c.ResolveRequester(ctx, tx, email, name)
}

func (r requesters) Brief(ctx context.Context, ids []int64) (map[int64]ticket.CustomerBrief, error) {
	return map[int64]ticket.CustomerBrief{}, nil
}

type env struct {
	srv   *httptest.Server
	svc   *chat.Service
	agent authz.Actor
	ui    *widget.UI
	hub   *live.Hub
}

// setup serves the widget's routes on loopback over a real database, with
// one online agent.
func setup(t *testing.T, d *db.DB) *env {
	t.Helper()
	hub := live.NewHub(time.Now, slog.New(slog.DiscardHandler))
	t.Cleanup(hub.Shutdown)
	e := instance(t, d, hub)
	e.agent = addAgent(t, d, "ingrid@ombud.test", "Ingrid")
	return e
}

func addAgent(t *testing.T, d *db.DB, email, name string) authz.Actor {
	t.Helper()
	ctx := context.Background()
	var id int64
	if err := d.Write(ctx, func(tx *db.Tx) error {
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO agents (email, name, role, availability, created_at, updated_at) VALUES (?, ?, 'agent', 'online', 1, 1)`, email, name)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return authz.Actor{Kind: authz.KindAgent, ID: id, Role: authz.Agent, Name: name}
}

// instance is one ombud process's widget side: its own hub, chat service
// and HTTP server over the shared database.
func instance(t *testing.T, d *db.DB, hub *live.Hub) *env {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	tickets := ticket.NewService(d, time.Now, requesters{customer.NewService(d, time.Now)}, richtext.New())
	svc := chat.NewService(d, time.Now, tickets, hub, log)
	blobs, err := blob.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	svc.SetBlobs(blobs)
	tickets.SetBlobs(blobs)
	tr, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	u := widget.New(svc, widget.NewBus(hub), tr, log)
	u.PollWait = 3 * time.Second
	mux := http.NewServeMux()
	for pattern, h := range map[string]httpx.HandlerFunc{
		"GET /widget.js": u.Script, "GET /widget/config": u.Config, "GET /widget/strings/{lang}": u.Strings, "GET /widget/ws": u.Socket,
		"POST /widget/start": u.Start, "POST /widget/messages": u.Send, "POST /widget/poll": u.Poll, "POST /widget/leave": u.Leave,
		"POST /widget/read": u.Read, "POST /widget/typing": u.Typing,
		"POST /widget/files": u.Upload, "POST /widget/files/{id}": u.File, "POST /widget/invitations/{id}": u.Invitation,
	} {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			if err := h(w, r); err != nil {
				httpx.WriteError(w, r, err, log)
			}
		})
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &env{srv: srv, svc: svc, ui: u, hub: hub}
}

// post sends a widget call the way the script does (JSON as text/plain).
func (e *env) post(t *testing.T, path, origin string, body any) (int, map[string]any, http.Header) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", e.srv.URL+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "text/plain")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return res.StatusCode, out, res.Header
}

func (e *env) start(t *testing.T, email string) string {
	t.Helper()
	code, out, _ := e.post(t, "/widget/start", "https://shop.example", map[string]any{"name": "Kari", "email": email, "topic": "Where is my parcel?", "language": "nb"})
	if code != 201 {
		t.Fatalf("start: %d %v", code, out)
	}
	return out["token"].(string)
}

func (e *env) accept(t *testing.T) chat.Conversation {
	t.Helper()
	c, err := e.svc.ConsoleFor(context.Background(), e.agent)
	if err != nil || len(c.Offers) != 1 {
		t.Fatalf("offers %v %v", c.Offers, err)
	}
	conv, err := e.svc.Accept(context.Background(), e.agent, c.Offers[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return conv
}

type wsClient struct {
	t *testing.T
	c *websocket.Conn
}

func (e *env) dial(t *testing.T, origin string) (*wsClient, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	c, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(e.srv.URL, "http")+"/widget/ws", &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		return nil, res, err
	}
	t.Cleanup(func() { _ = c.CloseNow() })
	return &wsClient{t: t, c: c}, res, nil
}

func (w *wsClient) send(v any) {
	w.t.Helper()
	b, _ := json.Marshal(v)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := w.c.Write(ctx, websocket.MessageText, b); err != nil {
		w.t.Fatal(err)
	}
}

type frame struct {
	Type     string         `json:"type"`
	State    string         `json:"state"`
	ClientID string         `json:"client_id"`
	Message  chat.Message   `json:"message"`
	Messages []chat.Message `json:"messages"`
	Typing   bool           `json:"typing"`
	Error    map[string]any `json:"error"`
}

// until reads frames until one satisfies ok, collecting every message seen.
func (w *wsClient) until(what string, seen map[int64]int, ok func(f frame) bool) frame {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		_, b, err := w.c.Read(ctx)
		if err != nil {
			w.t.Fatalf("waiting for %s: %v", what, err)
		}
		var f frame
		if err := json.Unmarshal(b, &f); err != nil {
			w.t.Fatal(err)
		}
		for _, m := range f.Messages {
			seen[m.Seq]++
		}
		if ok(f) {
			return f
		}
	}
}

// TestWebSocket: over a real WebSocket on loopback the widget gets the
// history after its sequence, its message is acknowledged once stored, a
// resend is not doubled, the agent's message and typing arrive live, and
// after a dropped connection the widget resumes from its last sequence
// with nothing lost and nothing twice.
func TestWebSocket(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		token := e.start(t, "kari@kunde.example")
		conv := e.accept(t)
		ws, _, err := e.dial(t, "https://shop.example")
		if err != nil {
			t.Fatal(err)
		}
		seen := map[int64]int{}
		ws.send(map[string]any{"type": "hello", "token": token, "after": 0})
		ws.until("the history", seen, func(f frame) bool { return f.Type == "state" && len(f.Messages) == 2 })
		ws.send(map[string]any{"type": "send", "client_id": "m1", "body": "Order 1234"})
		ack := ws.until("the ack", seen, func(f frame) bool { return f.Type == "ack" })
		if ack.ClientID != "m1" || ack.Message.Seq != 3 || ack.Message.Body != "Order 1234" {
			t.Fatalf("ack %+v", ack)
		}
		// The acknowledgement comes after commit: the message is there.
		_, ms, _ := e.svc.Resume(ctx, token, 2)
		if len(ms) != 1 || ms[0].Body != "Order 1234" {
			t.Fatalf("stored after ack: %+v", ms)
		}
		ws.send(map[string]any{"type": "send", "client_id": "m1", "body": "Order 1234"})
		again := ws.until("the second ack", seen, func(f frame) bool { return f.Type == "ack" })
		if again.Message.Seq != 3 {
			t.Fatalf("resend stored again: %+v", again)
		}
		if err := e.svc.AgentTyping(ctx, e.agent, conv.ID, true); err != nil {
			t.Fatal(err)
		}
		ws.until("the agent typing", seen, func(f frame) bool { return f.Type == "typing" && f.Typing })
		if _, err := e.svc.AgentSend(ctx, e.agent, conv.ID, "r1", "Let me look"); err != nil {
			t.Fatal(err)
		}
		ws.until("the agent's reply", seen, func(f frame) bool { return len(f.Messages) > 0 && f.Messages[len(f.Messages)-1].Body == "Let me look" })
		last := int64(4)

		// The network drops; meanwhile the agent writes twice.
		_ = ws.c.CloseNow()
		for i, body := range []string{"Found it", "It ships today"} {
			if _, err := e.svc.AgentSend(ctx, e.agent, conv.ID, fmt.Sprint("r", i+2), body); err != nil {
				t.Fatal(err)
			}
		}
		ws2, _, err := e.dial(t, "https://shop.example")
		if err != nil {
			t.Fatal(err)
		}
		ws2.send(map[string]any{"type": "hello", "token": token, "after": last})
		// A message sent before the drop whose ack was lost is resent.
		ws2.send(map[string]any{"type": "send", "client_id": "m1", "body": "Order 1234"})
		resumed := ws2.until("the resume", seen, func(f frame) bool { return f.Type == "state" })
		if len(resumed.Messages) != 2 || resumed.Messages[0].Seq != 5 || resumed.Messages[1].Body != "It ships today" {
			t.Fatalf("resumed with %+v", resumed.Messages)
		}
		ws2.until("the resend's ack", seen, func(f frame) bool { return f.Type == "ack" && f.Message.Seq == 3 })
		for seq := int64(1); seq <= 6; seq++ {
			if seen[seq] != 1 {
				t.Fatalf("message %d delivered %d times (all: %v)", seq, seen[seq], seen)
			}
		}
		_, all, _ := e.svc.Resume(ctx, token, 0)
		if len(all) != 6 {
			t.Fatalf("stored %d messages, want 6", len(all))
		}
	})
}

// TestSecurity: origins outside the settings are refused (HTTP and
// WebSocket); a token reaches only its own chat; a bad or missing token
// is unauthenticated; a flood from one token is rate limited.
func TestSecurity(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		admin := authz.Actor{Kind: authz.KindAgent, ID: e.agent.ID, Role: authz.Admin}
		if _, err := e.svc.PutSettings(ctx, admin, chat.SettingsInput{Enabled: true, Color: "#112233", Position: "right", Languages: []string{"en", "nb"},
			AllowedOrigins: []string{"https://shop.example"}, MaxChats: 3, OfferSeconds: 30}); err != nil {
			t.Fatal(err)
		}
		code, _, h := e.post(t, "/widget/start", "https://evil.example", map[string]any{"email": "x@kunde.example", "topic": "hi"})
		if code != 403 || h.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("foreign origin: %d %q", code, h.Get("Access-Control-Allow-Origin"))
		}
		if _, res, err := e.dial(t, "https://evil.example"); err == nil || res == nil || res.StatusCode != 403 {
			t.Fatalf("foreign origin WebSocket: %v", err)
		}
		t1 := e.start(t, "kari@kunde.example")
		t2 := e.start(t, "ola@kunde.example")
		code, out, h := e.post(t, "/widget/messages", "https://shop.example", map[string]any{"token": t2, "client_id": "a", "body": "secret of Ola"})
		if code != 200 || h.Get("Access-Control-Allow-Origin") != "https://shop.example" {
			t.Fatalf("send: %d %v", code, out)
		}
		code, out, _ = e.post(t, "/widget/poll", "https://shop.example", map[string]any{"token": t1, "after": 0})
		if code != 200 {
			t.Fatalf("poll: %d %v", code, out)
		}
		if b, _ := json.Marshal(out); strings.Contains(string(b), "secret of Ola") || len(out["messages"].([]any)) != 1 {
			t.Fatalf("visitor 1 sees %s", b)
		}
		for _, tok := range []string{"", "forged", t1[:20]} {
			if code, out, _ := e.post(t, "/widget/poll", "", map[string]any{"token": tok}); code != 401 {
				t.Fatalf("token %q: %d %v", tok, code, out)
			}
		}
		ws, _, err := e.dial(t, "https://shop.example")
		if err != nil {
			t.Fatal(err)
		}
		ws.send(map[string]any{"type": "hello", "token": "forged"})
		ws.until("the refusal", map[int64]int{}, func(f frame) bool { return f.Type == "error" && f.Error["code"] == "unauthenticated" })
		limited := 0
		for i := range 70 {
			code, _, _ := e.post(t, "/widget/typing", "https://shop.example", map[string]any{"token": t1, "typing": i%2 == 0})
			if code == 429 {
				limited++
			}
		}
		if limited == 0 {
			t.Fatal("70 calls in a row from one token were not limited")
		}
	})
}

// TestLongPoll: the fallback answers at once when there is news, waits for
// the agent's reply otherwise, and leaves a message when nobody is there.
func TestLongPoll(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		token := e.start(t, "kari@kunde.example")
		conv := e.accept(t)
		go func() {
			time.Sleep(300 * time.Millisecond)
			_, _ = e.svc.AgentSend(ctx, e.agent, conv.ID, "p1", "Hello from the console")
		}()
		start := time.Now()
		code, out, _ := e.post(t, "/widget/poll", "", map[string]any{"token": token, "after": 2})
		if code != 200 {
			t.Fatalf("poll: %d %v", code, out)
		}
		ms := out["messages"].([]any)
		if len(ms) != 1 || ms[0].(map[string]any)["body"] != "Hello from the console" || time.Since(start) > 2500*time.Millisecond {
			t.Fatalf("poll answered %v after %v", out, time.Since(start))
		}
		res, err := http.Get(e.srv.URL + "/widget/config?lang=sl")
		if err != nil {
			t.Fatal(err)
		}
		var cfg map[string]any
		_ = json.NewDecoder(res.Body).Decode(&cfg)
		res.Body.Close()
		if cfg["lang"] != "sl" || cfg["strings"].(map[string]any)["start"] != "Začni klepet" || cfg["can_chat"] != true {
			t.Fatalf("config %v", cfg)
		}
		code, out, _ = e.post(t, "/widget/leave", "", map[string]any{"name": "Kari", "email": "kari@kunde.example", "message": "Ring meg", "language": "nb"})
		if code != 201 || out["ticket_id"] == nil {
			t.Fatalf("leave: %d %v", code, out)
		}
	})
}

// TestTwoInstances: two instances share one PostgreSQL database and relay
// notices with LISTEN/NOTIFY. The visitor is connected to A, the agent
// works on B: each sees the other's messages live. Both instances
// sweeping at once never offer a chat to two agents, nor an agent more
// chats than their capacity.
// drain empties a subscriber's buffer of the events already delivered.
func drain(s *live.Sub) {
	for {
		select {
		case <-s.C:
		default:
			return
		}
	}
}

func TestTwoInstances(t *testing.T) {
	d := dbtest.Open(t, db.Postgres)
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	ha, hb := live.NewHub(time.Now, log), live.NewHub(time.Now, log)
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{}, 2)
	for _, h := range []*live.Hub{ha, hb} {
		go func() { _ = h.Connect(cctx, d); done <- struct{}{} }()
	}
	t.Cleanup(func() { cancel(); <-done; <-done; ha.Shutdown(); hb.Shutdown() })
	a, b := instance(t, d, ha), instance(t, d, hb)
	ingrid := addAgent(t, d, "ingrid@ombud.test", "Ingrid")
	a.agent, b.agent = ingrid, ingrid

	// The console on B listens to its own hub, for chat events as the
	// real console does (console.go): a subscriber's buffer holds 64
	// events, and the ticket events of a long warm-up below once filled it
	// under CI's load, so the hub dropped the event the test waits for.
	console := hb.SubscribeKinds(ingrid.ID, chat.KindChat)
	defer console.Close()
	token := a.start(t, "kari@kunde.example")
	conv := b.accept(t)
	ws, _, err := a.dial(t, "")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int64]int{}
	ws.send(map[string]any{"type": "hello", "token": token, "after": 0})
	ws.until("the history", seen, func(f frame) bool { return f.Type == "state" && len(f.Messages) == 2 })
	// Until both hubs listen, a notice may be lost: the agent writes until
	// the first reply arrives on A, then once more, which must arrive live.
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; ; i++ {
		if _, err := b.svc.AgentSend(ctx, ingrid, conv.ID, fmt.Sprint("warm", i), fmt.Sprint("warm-up ", i)); err != nil {
			t.Fatal(err)
		}
		rctx, rcancel := context.WithTimeout(ctx, 500*time.Millisecond)
		_, raw, err := ws.c.Read(rctx)
		rcancel()
		if err == nil && strings.Contains(string(raw), "warm-up") {
			break
		}
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatal("instance A never heard of B's messages")
		}
		drain(console)
		// A timed-out read closes a coder/websocket connection: dial again.
		ws, _, err = a.dial(t, "")
		if err != nil {
			t.Fatal(err)
		}
		ws.send(map[string]any{"type": "hello", "token": token, "after": 0})
	}
	drain(console)
	start := time.Now()
	if _, err := b.svc.AgentSend(ctx, ingrid, conv.ID, "live", "Svar fra instans B"); err != nil {
		t.Fatal(err)
	}
	ws.until("B's reply on A", seen, func(f frame) bool {
		for _, m := range f.Messages {
			if m.Body == "Svar fra instans B" {
				return true
			}
		}
		return false
	})
	t.Logf("B → A in %v", time.Since(start))
	ws.send(map[string]any{"type": "send", "client_id": "v1", "body": "Takk, A her"})
	ack := ws.until("the ack on A", seen, func(f frame) bool { return f.Type == "ack" })
	timeout := time.After(10 * time.Second)
	for {
		select {
		case e := <-console.C:
			if e.Kind == chat.KindChat && e.TicketID == conv.TicketID && e.Version == ack.Message.Seq {
				goto heard
			}
		case <-timeout:
			t.Fatal("the console on B never heard of the visitor's message on A")
		}
	}
heard:

	// Offers: three agents with one slot each, six chats, both instances
	// sweeping at once.
	admin := authz.Actor{Kind: authz.KindAgent, ID: ingrid.ID, Role: authz.Admin}
	if _, err := a.svc.PutSettings(ctx, admin, chat.SettingsInput{Enabled: true, Color: "#112233", Position: "right", Languages: []string{"en"},
		MaxChats: 2, OfferSeconds: 30}); err != nil {
		t.Fatal(err)
	}
	addAgent(t, d, "petter@ombud.test", "Petter")
	addAgent(t, d, "siri@ombud.test", "Siri")
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := a
			if i%2 == 1 {
				e = b
			}
			if _, err := e.svc.Start(ctx, chat.StartInput{Email: fmt.Sprintf("v%d@kunde.example", i), Topic: "Hjelp"}); err != nil {
				t.Error(err)
			}
		}()
	}
	for range 4 {
		wg.Add(2)
		go func() { defer wg.Done(); _ = a.svc.Sweep(ctx, time.Now()) }()
		go func() { defer wg.Done(); _ = b.svc.Sweep(ctx, time.Now()) }()
	}
	wg.Wait()
	var twice, over int
	if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT conversation_id FROM chat_offers WHERE state = 'pending' GROUP BY conversation_id HAVING COUNT(*) > 1) x`).Scan(&twice); err != nil {
		t.Fatal(err)
	}
	if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT a.id FROM agents a WHERE
		(SELECT COUNT(*) FROM chat_offers o WHERE o.agent_id = a.id AND o.state = 'pending') +
		(SELECT COUNT(*) FROM chat_conversations c WHERE c.agent_id = a.id AND c.state = 'active') > 2) x`).Scan(&over); err != nil {
		t.Fatal(err)
	}
	if twice != 0 || over != 0 {
		t.Fatalf("%d chats offered twice, %d agents over capacity", twice, over)
	}
}
