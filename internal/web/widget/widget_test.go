package widget_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/ombud/ombud/internal/authz"
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
}

// setup serves the widget's routes on loopback over a real database, with
// one online agent.
func setup(t *testing.T, d *db.DB) *env {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	tickets := ticket.NewService(d, time.Now, requesters{customer.NewService(d, time.Now)}, richtext.New())
	hub := live.NewHub(time.Now, log)
	t.Cleanup(hub.Shutdown)
	svc := chat.NewService(d, time.Now, tickets, hub, log)
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
	} {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			if err := h(w, r); err != nil {
				httpx.WriteError(w, r, err, log)
			}
		})
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	var id int64
	if err := d.Write(ctx, func(tx *db.Tx) error {
		id, err = tx.InsertID(ctx, `INSERT INTO agents (email, name, role, availability, created_at, updated_at) VALUES ('ingrid@ombud.test', 'Ingrid', 'agent', 'online', 1, 1)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return &env{srv: srv, svc: svc, ui: u, agent: authz.Actor{Kind: authz.KindAgent, ID: id, Role: authz.Agent, Name: "Ingrid"}}
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
