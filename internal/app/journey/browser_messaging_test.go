package journey_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/webhook"
)

// tgServer is a fake Telegram Bot API server on loopback, built from the
// public API's shape: it records sendMessage calls and answers them with
// a message id, as Telegram does.
type tgServer struct {
	*httptest.Server
	mu   sync.Mutex
	sent []map[string]any
}

func newTGServer(t *testing.T, token string) *tgServer {
	s := &tgServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path != "/bot"+token+"/sendMessage" {
			w.WriteHeader(404)
			fmt.Fprint(w, `{"ok":false,"error_code":404,"description":"Not Found"}`)
			return
		}
		var p map[string]any
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &p); err != nil {
			w.WriteHeader(400)
			fmt.Fprint(w, `{"ok":false,"error_code":400,"description":"Bad Request"}`)
			return
		}
		s.mu.Lock()
		s.sent = append(s.sent, p)
		id := 500 + len(s.sent)
		s.mu.Unlock()
		fmt.Fprintf(w, `{"ok":true,"result":{"message_id":%d,"date":1,"chat":{"id":%v,"type":"private"},"text":%q}}`, id, p["chat_id"], p["text"])
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *tgServer) messages() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]map[string]any(nil), s.sent...)
}

// TestBrowserMessaging is a Telegram conversation, on both engines: an
// admin adds a Telegram integration in the browser; the customer's message
// arrives as Telegram posts it; the agent finds the ticket in the inbox
// under the customer's handle and replies in the browser; the fake Bot API
// receives sendMessage with the text; a delivery state marks the reply
// delivered on the ticket page.
func TestBrowserMessaging(t *testing.T) {
	const botToken = "777000:journey-bot"
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			// The fake Bot API listens on loopback: the server may reach it.
			env := map[string]string{"OMBUD_DATA": dbtest.MigratedSQLiteDir(t), "OMBUD_LOG_LEVEL": "warn", "OMBUD_WEBHOOK_ALLOW_PRIVATE": "true"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewMigratedPostgresDatabase(t)
			}
			for _, u := range [][3]string{{"ivar@ombud.test", "Ivar Aasen", "admin"}, {"siri@ombud.test", "Siri Moe", "agent"}} {
				if code, _, er := run(t, env, "user", "create", "--email", u[0], "--name", u[1], "--role", u[2], "--password", "browser-pass-9"); code != 0 {
					t.Fatal(er)
				}
			}
			tg := newTGServer(t, botToken)
			s := serve(t, env)

			ctx := browser(t)
			step := stepper(t, ctx)
			read := func(what string, a chromedp.Action[string]) string {
				t.Helper()
				v, err := chromedp.Run(ctx, a)
				if err != nil {
					t.Fatalf("browser: %s: %v", what, err)
				}
				return v
			}
			step("sign in", signIn(s.url+"/admin/messaging", "ivar@ombud.test", "browser-pass-9"), chromedp.WaitVisible(chromedp.ID("f-name")))
			step("add a Telegram integration",
				chromedp.SendKeys(chromedp.ID("f-name"), "Support bot"),
				chromedp.SetValue(chromedp.ID("f-provider"), "telegram"),
				chromedp.SendKeys(chromedp.ID("f-replyurl"), tg.URL),
				chromedp.SendKeys(chromedp.ID("f-replytoken"), botToken),
				chromedp.Submit(chromedp.ID("f-name")),
				chromedp.WaitVisible(chromedp.ID("messaging-secret")))
			secret := read("copy the secret", chromedp.Value(chromedp.ID("messaging-secret")))
			hook := read("copy the URL", chromedp.Value(chromedp.ID("messaging-hook")))
			if !strings.HasPrefix(secret, "whsec_") || !strings.Contains(hook, "/api/v1/messaging/telegram/") {
				t.Fatalf("secret %q, hook %q", secret, hook)
			}
			hook = s.url + hook[strings.Index(hook, "/api/"):]
			id := hook[strings.LastIndex(hook, "/")+1:]

			// Telegram posts the customer's message.
			update := `{"update_id":90001,"message":{"message_id":41,"date":1767366245,"chat":{"id":5550001,"type":"private"},` +
				`"from":{"id":5550001,"is_bot":false,"first_name":"Kari","last_name":"Nordmann","username":"kari_n"},"text":"Hei! Pakken min har ikke kommet."}}`
			req, _ := http.NewRequest("POST", hook, strings.NewReader(update))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var res map[string]any
			_ = json.Unmarshal(b, &res)
			if resp.StatusCode != 200 || res["ticket_id"] == nil {
				t.Fatalf("update: %d %s", resp.StatusCode, b)
			}
			ticketID := int64(res["ticket_id"].(float64))

			step("sign out", chromedp.Click(chromedp.CSS("details.user-menu > summary")), chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.ID("email")))
			step("the agent opens the inbox", signIn(s.url+"/tickets", "siri@ombud.test", "browser-pass-9"),
				loadedWhere(`location.pathname === "/tickets" && !document.getElementById("email")`))
			row := fmt.Sprintf(`a[href="/tickets/%d"]`, ticketID)
			step("the ticket is in the inbox", chromedp.WaitVisible(chromedp.CSS(row)))
			if got := read("read the row", chromedp.Text(chromedp.CSS(row))); !strings.Contains(got, "@kari_n") {
				t.Fatalf("inbox row %q", got)
			}
			step("open the ticket", chromedp.Click(chromedp.CSS(row)), chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`main[data-ticket="%d"]`, ticketID))))
			if got := read("read the message", chromedp.Text(chromedp.CSS(".thread"))); !strings.Contains(got, "Pakken min har ikke kommet") {
				t.Fatalf("thread %q", got)
			}
			step("reply", chromedp.SetValue(chromedp.ID("body"), "Hei Kari, den er på vei og kommer i morgen."),
				chromedp.Click(chromedp.CSS(`form.composer .actions button.primary`)),
				chromedp.WaitVisible(chromedp.CSS(`[data-social-state]`)))

			var sent []map[string]any
			for i := 0; len(sent) == 0; i++ {
				if i > 300 {
					t.Fatal("the fake Bot API never heard sendMessage")
				}
				time.Sleep(100 * time.Millisecond)
				sent = tg.messages()
			}
			if fmt.Sprint(sent[0]["chat_id"]) != "5550001" || sent[0]["text"] != "Hei Kari, den er på vei og kommer i morgen." {
				t.Fatalf("sendMessage %v", sent)
			}

			// A delivery state for Telegram's message id, signed with the secret.
			body := []byte(`{"type":"status","message_id":"5550001:501","status":"delivered"}`)
			now := time.Now()
			sig, err := webhook.Sign(secret, "msg_status_1", now, body)
			if err != nil {
				t.Fatal(err)
			}
			sreq, _ := http.NewRequest("POST", s.url+"/api/v1/messaging/integrations/"+id+"/events", bytes.NewReader(body))
			sreq.Header.Set("Content-Type", "application/json")
			sreq.Header.Set("webhook-id", "msg_status_1")
			sreq.Header.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
			sreq.Header.Set("webhook-signature", sig)
			for i := 0; ; i++ {
				resp, err := http.DefaultClient.Do(sreq.Clone(sreq.Context()))
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 200 && strings.Contains(string(b), `"state":"delivered"`) {
					break
				}
				if i > 100 {
					t.Fatalf("status: %d %s", resp.StatusCode, b)
				}
				time.Sleep(100 * time.Millisecond) // the job records the sent id after Telegram answered
				sreq.Body = io.NopCloser(bytes.NewReader(body))
			}
			for i := 0; ; i++ {
				step("reload the ticket", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`[data-social-state]`)))
				if st := read("read the state", chromedp.Text(chromedp.CSS(`[data-social-state]`))); st == "Delivered" {
					break
				} else if i > 50 {
					t.Fatalf("the reply's state reads %q", st)
				}
				time.Sleep(100 * time.Millisecond)
			}
		})
	}
}
