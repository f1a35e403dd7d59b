package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/channel/phone"
	"github.com/ombud/ombud/internal/webhook"
)

// walkPhone posts signed call events to the phone webhook (a public route
// whose credential is the signature, not a token) and checks the answers,
// refusals included, against the document.
func (w *walk) walkPhone() {
	t := w.t
	admin := authz.Actor{Kind: authz.KindAgent, ID: w.e.Agents[authz.Admin].ID, Role: authz.Admin}
	it, err := w.e.Sys.Phone.Create(context.Background(), admin, phone.Input{Name: "Walk switchboard", DefaultCountry: "47"})
	if err != nil {
		t.Fatal(err)
	}
	const key = "POST /api/v1/phone/integrations/{id}/events"
	path := "/api/v1/phone/integrations/" + strconv.FormatInt(it.ID, 10) + "/events"
	post := func(body, secret string, want int) {
		t.Helper()
		w.covered[key] = true
		if err := w.doc.CheckRequest("POST", "/api/v1/phone/integrations/{id}/events", []byte(body)); err != nil && want < 400 {
			t.Errorf("phone request %s: %v", body, err)
		}
		req, _ := http.NewRequest("POST", w.e.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		now := time.Now()
		sig, err := webhook.Sign(secret, "msg_walk_"+strconv.Itoa(len(body)), now, []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("webhook-id", "msg_walk_"+strconv.Itoa(len(body)))
		req.Header.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
		req.Header.Set("webhook-signature", sig)
		resp, err := w.e.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Errorf("phone webhook %s: status %d, want %d: %s", body, resp.StatusCode, want, data)
		}
		if err := w.doc.CheckResponse("POST", "/api/v1/phone/integrations/{id}/events", resp.StatusCode, resp.Header, data); err != nil {
			t.Errorf("phone webhook: %v", err)
		}
	}
	post(`{"call_id":"walk-1","event":"started","from":"+47 912 34 567","to":"+4722000000","agent_email":"admin@ombud.test"}`, it.Secret, 200)
	post(`{"call_id":"walk-1","event":"ended","from":"+4791234567","duration_s":42,"recording_url":"https://rec.example/walk-1.mp3","started_at":"2026-01-02T15:04:05Z"}`, it.Secret, 200)
	post(`{"call_id":"walk-1","event":"ring","from":"+4791234567"}`, it.Secret, 400)
	post(`{"call_id":"walk-1","event":"started","from":"+4791234567"}`, "whsec_"+strings.Repeat("A", 32), 401)

	// The integrations over the JSON API.
	f := fmt.Sprintf
	w.do("GET /api/v1/phone/integrations", "", nil, 200)
	w.do("GET /api/v1/phone/integrations/{id}", f("/api/v1/phone/integrations/%d", it.ID), nil, 200)
	w.do("PUT /api/v1/phone/integrations/{id}", f("/api/v1/phone/integrations/%d", it.ID), `{"name":"Walk switchboard","default_country":"46","call_url":"https://pbx.example/call?to={number}","active":true}`, 200)
	w.do("PUT /api/v1/phone/integrations/{id}", f("/api/v1/phone/integrations/%d", it.ID), `{"name":"","default_country":"46"}`, 400)
	w.do("POST /api/v1/phone/integrations/{id}/secret", f("/api/v1/phone/integrations/%d/secret", it.ID), nil, 200)
	other := idOf(t, w.do("POST /api/v1/phone/integrations", "", `{"name":"Walk trunk","default_country":"47"}`, 201))
	w.do("POST /api/v1/phone/integrations", "", `{"name":"Bad","default_country":"x1"}`, 400)
	w.do("DELETE /api/v1/phone/integrations/{id}", f("/api/v1/phone/integrations/%d", other), nil, 204)
	w.do("GET /api/v1/phone/integrations/{id}", f("/api/v1/phone/integrations/%d", other), nil, 404)
}
