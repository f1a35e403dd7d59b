package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/config"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/jobs"
	"github.com/ombud/ombud/internal/webhook"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// received is one request the test receiver got.
type received struct {
	id, ts, sig string
	body        []byte
	typ         string
}

// receiver is an HTTP endpoint in the test answering with status.
type receiver struct {
	mu     sync.Mutex
	got    []received
	status atomic.Int32
	srv    *httptest.Server
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	rc.status.Store(200)
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var body webhook.Body
		_ = json.Unmarshal(b, &body)
		rc.mu.Lock()
		rc.got = append(rc.got, received{id: r.Header.Get("webhook-id"), ts: r.Header.Get("webhook-timestamp"), sig: r.Header.Get("webhook-signature"), body: b, typ: body.Type})
		rc.mu.Unlock()
		w.WriteHeader(int(rc.status.Load()))
		fmt.Fprintf(w, "answer %d", rc.status.Load())
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) wait(t *testing.T, n int) []received {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		rc.mu.Lock()
		got := append([]received(nil), rc.got...)
		rc.mu.Unlock()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			var types []string
			for _, g := range got {
				types = append(types, g.typ)
			}
			t.Fatalf("receiver got %d requests, want %d: %v", len(got), n, types)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// runJobs runs a job runner with quick retries until the test ends.
func runJobs(t *testing.T, e *apptest.Env) {
	r := jobs.NewRunner(e.Sys.DB, jobs.Options{Poll: 20 * time.Millisecond, Backoff: func(int) time.Duration { return 10 * time.Millisecond }})
	e.Sys.Webhooks.Register(r)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = r.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

func TestWebhookSubscriptions(t *testing.T) {
	for _, engine := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(engine.String(), func(t *testing.T) { subscriptionJourney(t, engine) })
	}
}

func subscriptionJourney(t *testing.T, engine db.Dialect) {
	e := apptest.NewWith(t, engine, func(c *config.Config) { c.WebhookAllowPrivate = true })
	runJobs(t, e)
	rc := newReceiver(t)

	// Bad subscriptions are refused field by field.
	for _, tc := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"name": "x", "url": "ftp://example.com/", "events": []string{"ticket.created"}}, "url"},
		{map[string]any{"name": "x", "url": rc.srv.URL, "events": []string{"ticket.exploded"}}, "events[0]"},
		{map[string]any{"name": "x", "url": rc.srv.URL, "events": []string{}}, "events"},
		{map[string]any{"name": "", "url": rc.srv.URL, "events": []string{"ticket.created"}}, "name"},
	} {
		st, body := e.Do(t, authz.Admin, "POST", "/api/v1/webhooks", tc.body)
		fields, _ := body["error"].(map[string]any)["fields"].(map[string]any)
		if st != 400 || fields[tc.field] == nil {
			t.Errorf("%v: %d %v, want 400 naming %s", tc.body, st, body, tc.field)
		}
	}
	if st, _ := e.Do(t, authz.Manager, "POST", "/api/v1/webhooks", map[string]any{"name": "x", "url": rc.srv.URL, "events": []string{"ticket.created"}}); st != 403 {
		t.Errorf("manager creates a subscription: %d", st)
	}

	st, sub := e.Do(t, authz.Admin, "POST", "/api/v1/webhooks", map[string]any{
		"name": "CRM", "url": rc.srv.URL + "/hook", "events": []string{"ticket.created", "comment.added", "ticket.updated", "ticket.solved", "customer.created"}})
	if st != 201 {
		t.Fatalf("create subscription: %d %v", st, sub)
	}
	secret, _ := sub["secret"].(string)
	subID := int64(sub["id"].(float64))
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret %q", secret)
	}
	if _, again := e.Do(t, authz.Admin, "GET", fmt.Sprintf("/api/v1/webhooks/%d", subID), nil); again["secret"] != nil || again["url"] != rc.srv.URL+"/hook" {
		t.Errorf("read back: %v (the secret is shown once; admins see the URL)", again)
	}
	// The stored row holds neither in plain text.
	var rawURL, rawSecret string
	if err := e.Sys.DB.QueryRowContext(t.Context(), `SELECT url, secret FROM webhook_subscriptions WHERE id = ?`, subID).Scan(&rawURL, &rawSecret); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(rawURL, "127.0.0.1") || strings.Contains(rawSecret, strings.TrimPrefix(secret, "whsec_")) {
		t.Errorf("stored in plain text: %q %q", rawURL, rawSecret)
	}

	// A ticket from a new customer, a reply, solved: five events.
	st, tk := e.Do(t, authz.Agent, "POST", "/api/v1/tickets", map[string]any{
		"subject": "Parcel lost", "description": "Order 1042 never came.", "requester": map[string]any{"email": "hook-" + engine.String() + "@example.no", "name": "Kari"}})
	if st != 201 {
		t.Fatalf("create ticket: %d %v", st, tk)
	}
	tid := int64(tk["id"].(float64))
	if st, c := e.Do(t, authz.Agent, "POST", fmt.Sprintf("/api/v1/tickets/%d/comments", tid), map[string]any{"body": "We are on it.", "public": true}); st != 201 {
		t.Fatalf("comment: %d %v", st, c)
	}
	if st, p := e.Do(t, authz.Agent, "PATCH", fmt.Sprintf("/api/v1/tickets/%d", tid), map[string]any{"status": "solved"}); st != 200 {
		t.Fatalf("solve: %d %v", st, p)
	}
	rc.wait(t, 6)
	time.Sleep(200 * time.Millisecond) // nothing more should come
	got := rc.wait(t, 6)
	types := map[string]int{}
	for _, g := range got {
		types[g.typ]++
		if err := webhook.Verify(secret, g.id, g.ts, g.sig, g.body, time.Now(), 5*time.Minute); err != nil {
			t.Errorf("%s: %v", g.typ, err)
		}
		// A receiver refuses tampering and replays.
		if webhook.Verify(secret, g.id, g.ts, g.sig, append(g.body, ' '), time.Now(), 5*time.Minute) == nil {
			t.Errorf("%s: a changed body verifies", g.typ)
		}
		if webhook.Verify(secret, g.id, g.ts, g.sig, g.body, time.Now().Add(10*time.Minute), 5*time.Minute) != webhook.ErrStale {
			t.Errorf("%s: a replay ten minutes later verifies", g.typ)
		}
		if g.typ != "customer.created" && !strings.Contains(string(g.body), fmt.Sprintf(`"id":%d`, tid)) {
			t.Errorf("%s carries no ticket %d: %s", g.typ, tid, g.body)
		}
	}
	// The reply opened the ticket (new → open) and solving changed it
	// again: two ticket.updated.
	for typ, n := range map[string]int{"customer.created": 1, "ticket.created": 1, "comment.added": 1, "ticket.updated": 2, "ticket.solved": 1} {
		if types[typ] != n {
			t.Errorf("%s delivered %d times, want %d (all: %v)", typ, types[typ], n, types)
		}
	}
	if len(got) != 6 {
		t.Errorf("%d deliveries, want 6", len(got))
	}

	// The receiver fails: retries, then every attempt used, then the
	// subscription switched off after FailureLimit failures in a row and
	// the admins told in their language.
	if _, err := e.Sys.Agents.CreateAgent(t.Context(), authz.System, agentInput("hook-admin-"+engine.String()+"@ombud.test")); err != nil {
		t.Fatal(err)
	}
	rc.status.Store(500)
	for i := range 3 {
		if st, c := e.Do(t, authz.Agent, "POST", fmt.Sprintf("/api/v1/tickets/%d/comments", tid), map[string]any{"body": fmt.Sprintf("Update %d", i), "public": true}); st != 201 {
			t.Fatalf("comment: %d %v", st, c)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, s := e.Do(t, authz.Admin, "GET", fmt.Sprintf("/api/v1/webhooks/%d", subID), nil)
		if s["active"] == false {
			if !strings.Contains(fmt.Sprint(s["disabled_reason"]), "500") {
				t.Errorf("disabled_reason %v", s["disabled_reason"])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not switched off: %v", s)
		}
		time.Sleep(50 * time.Millisecond)
	}
	var subject string
	if err := e.Sys.DB.QueryRowContext(t.Context(), `SELECT CAST(payload AS TEXT) FROM jobs WHERE kind = 'email.notice' AND CAST(payload AS TEXT) LIKE ?`, "%hook-admin-"+engine.String()+"%").Scan(&subject); err != nil {
		t.Fatalf("no notice to the Norwegian admin: %v", err)
	}
	if !strings.Contains(subject, "Webhooken CRM ble slått av") {
		t.Errorf("notice not in Norwegian: %s", subject)
	}
	// Deliveries still waiting when it was switched off are cancelled at
	// their next turn; each failed attempt is in the log.
	var did int64
	for deadline := time.Now().Add(10 * time.Second); did == 0; {
		_, log := e.Do(t, authz.Admin, "GET", fmt.Sprintf("/api/v1/webhooks/%d/deliveries", subID), nil)
		pending := 0
		for _, x := range log["data"].([]any) {
			d := x.(map[string]any)
			switch d["state"] {
			case "pending":
				pending++
			case "failed", "cancelled":
				did = int64(d["id"].(float64))
			}
		}
		if pending > 0 {
			did = 0
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries not settled: %v", log)
		}
		time.Sleep(50 * time.Millisecond)
	}
	_, d := e.Do(t, authz.Admin, "GET", fmt.Sprintf("/api/v1/webhooks/%d/deliveries/%d", subID, did), nil)
	attempts, _ := d["attempt_log"].([]any)
	if len(attempts) == 0 || attempts[0].(map[string]any)["status"] != float64(500) || !strings.Contains(fmt.Sprint(attempts[0].(map[string]any)["response"]), "answer 500") || d["attempts"] != float64(len(attempts)) {
		t.Errorf("attempt log of a failed delivery: %v", d)
	}
	var failures int
	if err := e.Sys.DB.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.subscription_id = ? AND a.status = 500`, subID).Scan(&failures); err != nil || failures < webhook.FailureLimit || failures > webhook.FailureLimit+4 {
		// Up to the runner's four workers' attempts were on their way when
		// the limit was reached.
		t.Errorf("%d failed attempts before switching off, want %d to %d (%v)", failures, webhook.FailureLimit, webhook.FailureLimit+4, err)
	}
	// Switched off, nothing is queued; replay refused until switched on.
	if st, _ := e.Do(t, authz.Admin, "POST", fmt.Sprintf("/api/v1/webhooks/%d/deliveries/%d/replay", subID, did), nil); st != 422 {
		t.Errorf("replay while off: %d", st)
	}
	rc.status.Store(200)
	if st, s := e.Do(t, authz.Admin, "PATCH", fmt.Sprintf("/api/v1/webhooks/%d", subID), map[string]any{"active": true}); st != 200 || s["failures"] != float64(0) || s["disabled_reason"] != "" {
		t.Fatalf("switch on: %d %v", st, s)
	}
	before := len(rc.wait(t, 0))
	st, rp := e.Do(t, authz.Admin, "POST", fmt.Sprintf("/api/v1/webhooks/%d/deliveries/%d/replay", subID, did), nil)
	if st != 202 || rp["replay_of"] != float64(did) {
		t.Fatalf("replay: %d %v", st, rp)
	}
	if st, p := e.Do(t, authz.Admin, "POST", fmt.Sprintf("/api/v1/webhooks/%d/ping", subID), nil); st != 202 || p["event_type"] != "ping" {
		t.Fatalf("ping: %d %v", st, p)
	}
	after := rc.wait(t, before+2)
	last := map[string]bool{}
	for _, g := range after[before:] {
		last[g.typ] = true
		if g.id == fmt.Sprintf("whd_%d", did) {
			t.Errorf("a replay reuses the delivery id %s", g.id)
		}
	}
	if !last["comment.added"] || !last["ping"] {
		t.Errorf("after switching on: %v", last)
	}
}

func agentInput(email string) agent.AgentInput {
	return agent.AgentInput{Email: email, Name: "Hook Admin", Role: authz.Admin, Locale: "nb", Password: apptest.Password}
}
