package web_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/webhook"
)

// walkMessaging manages messaging integrations through the API, posts a
// signed neutral message and a Telegram update to the public webhooks
// (whose credentials are the signature and the secret token) and reads
// the ticket's reply window, checking every answer against the document.
func (w *walk) walkMessaging() {
	t := w.t
	f := fmt.Sprintf
	w.do("GET /api/v1/messaging/integrations", "", nil, 200)
	neutral := w.do("POST /api/v1/messaging/integrations", "", `{"name":"Walk WhatsApp","provider":"whatsapp","reply_url":"https://provider.example/replies","reply_token":"tok","reply_window_hours":24}`, 201)
	id := int64(neutral["id"].(float64))
	w.do("POST /api/v1/messaging/integrations", "", `{"name":"Walk bot without token","provider":"telegram"}`, 400)
	w.do("GET /api/v1/messaging/integrations/{id}", f("/api/v1/messaging/integrations/%d", id), nil, 200)
	w.do("PUT /api/v1/messaging/integrations/{id}", f("/api/v1/messaging/integrations/%d", id), `{"name":"Walk WhatsApp","provider":"whatsapp","reply_url":"https://provider.example/replies","team_id":0,"active":true}`, 200)
	secret := w.do("POST /api/v1/messaging/integrations/{id}/secret", f("/api/v1/messaging/integrations/%d/secret", id), nil, 200)["secret"].(string)
	tg := w.do("POST /api/v1/messaging/integrations", "", `{"name":"Walk bot","provider":"telegram","reply_token":"123:walk"}`, 201)
	tgID, tgSecret := int64(tg["id"].(float64)), tg["secret"].(string)

	post := func(key, path, body string, header func(h http.Header), want int) map[string]any {
		t.Helper()
		w.covered[key] = true
		_, pattern, _ := strings.Cut(key, " ")
		if err := w.doc.CheckRequest("POST", pattern, []byte(body)); err != nil && want < 400 {
			t.Errorf("messaging request %s: %v", body, err)
		}
		req, _ := http.NewRequest("POST", w.e.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		header(req.Header)
		resp, err := w.e.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Errorf("%s %s: status %d, want %d: %s", key, body, resp.StatusCode, want, data)
		}
		if err := w.doc.CheckResponse("POST", pattern, resp.StatusCode, resp.Header, data); err != nil {
			t.Errorf("%s: %v", key, err)
		}
		var out map[string]any
		_ = json.Unmarshal(data, &out)
		return out
	}
	signed := func(sec, body string) func(http.Header) {
		return func(h http.Header) {
			now := time.Now()
			id := "msg_walk_" + strconv.Itoa(len(body))
			sig, err := webhook.Sign(sec, id, now, []byte(body))
			if err != nil {
				t.Fatal(err)
			}
			h.Set("webhook-id", id)
			h.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
			h.Set("webhook-signature", sig)
		}
	}
	const hook = "POST /api/v1/messaging/integrations/{id}/events"
	hookPath := f("/api/v1/messaging/integrations/%d/events", id)
	msg := `{"type":"message","message_id":"wamid.walk","conversation_id":"4790000001","sender":{"handle":"4790000001","name":"Walk Customer","phone":"+4790000001"},"text":"Hello from the walk","sent_at":"2026-01-02T15:04:05Z"}`
	res := post(hook, hookPath, msg, signed(secret, msg), 200)
	ticketID, _ := res["ticket_id"].(float64)
	post(hook, hookPath, `{"type":"status","message_id":"unknown","status":"delivered"}`, signed(secret, `{"type":"status","message_id":"unknown","status":"delivered"}`), 200)
	post(hook, hookPath, `{"type":"message","message_id":"x"}`, signed(secret, `{"type":"message","message_id":"x"}`), 400)
	post(hook, hookPath, msg, signed("whsec_"+strings.Repeat("A", 32), msg), 401)
	w.do("GET /api/v1/tickets/{id}/messaging", f("/api/v1/tickets/%d/messaging", int64(ticketID)), nil, 200)

	const tgKey = "POST /api/v1/messaging/telegram/{id}"
	tgPath := f("/api/v1/messaging/telegram/%d", tgID)
	upd := `{"update_id":1,"message":{"message_id":7,"date":1767366245,"chat":{"id":99,"type":"private"},"from":{"id":99,"is_bot":false,"first_name":"Walk","username":"walker"},"text":"Hi bot"}}`
	withToken := func(tok string) func(http.Header) {
		return func(h http.Header) { h.Set("X-Telegram-Bot-Api-Secret-Token", tok) }
	}
	post(tgKey, tgPath, upd, withToken(tgSecret), 200)
	post(tgKey, tgPath, `{"update_id":2,"edited_message":{"message_id":7}}`, withToken(tgSecret), 200)
	post(tgKey, tgPath, `{"message":{}}`, withToken(tgSecret), 400)
	post(tgKey, tgPath, upd, withToken("wrong"), 401)
	w.do("DELETE /api/v1/messaging/integrations/{id}", f("/api/v1/messaging/integrations/%d", tgID), nil, 204)
}
