package webhooks_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/config"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/jobs"
	"github.com/ombud/ombud/internal/web/webtest"
	"github.com/ombud/ombud/internal/webhook"
)

// receiver counts the requests a test endpoint got and answers status.
type receiver struct {
	mu     sync.Mutex
	bodies []string
	status atomic.Int32
	srv    *httptest.Server
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	rc.status.Store(200)
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.bodies = append(rc.bodies, string(b))
		rc.mu.Unlock()
		w.WriteHeader(int(rc.status.Load()))
		_, _ = io.WriteString(w, "thanks <b>receiver</b>")
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) count() int { rc.mu.Lock(); defer rc.mu.Unlock(); return len(rc.bodies) }

// runJobs runs the delivery jobs with quick retries until the test ends.
func runJobs(t *testing.T, e *apptest.Env) {
	r := jobs.NewRunner(e.Sys.DB, jobs.Options{Poll: 20 * time.Millisecond, Backoff: func(int) time.Duration { return 10 * time.Millisecond }})
	e.Sys.Webhooks.Register(r)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = r.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// waitPage polls a page until it shows want.
func waitPage(t *testing.T, b *webtest.Browser, path, want string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		st, body, _ := b.Do(t, "GET", path, nil)
		if st == 200 && strings.Contains(body, want) {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: status %d, never showed %q\n%s", path, st, want, webtest.Excerpt(body))
		}
		time.Sleep(30 * time.Millisecond)
	}
}

var secretField = regexp.MustCompile(`id="webhook-secret"[^>]*value="(whsec_[^"]+)"`)

// TestWebhookPages: an admin adds, edits, switches, tests, inspects,
// replays and deletes a webhook in the pages; other roles are refused.
func TestWebhookPages(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.NewWith(t, engine, func(c *config.Config) { c.WebhookAllowPrivate = true })
			runJobs(t, e)
			rc := newReceiver(t)
			admin := webtest.SignIn(t, e, authz.Admin)
			manager, agent := webtest.SignIn(t, e, authz.Manager), webtest.SignIn(t, e, authz.Agent)
			hook := rc.srv.URL + "/hook"
			form := func(kv ...string) map[string][]string { return webtest.Vals(kv...) }
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "empty list", Who: admin, Method: "GET", Path: "/admin/webhooks", Status: 200,
					Want: []string{"No webhooks yet.", `value="ticket.created"`, "Satisfaction rating received", `id="f-active" name="active" value="on" checked`}},
				{Name: "in the admin menu", Who: admin, Method: "GET", Path: "/admin", Status: 200, Want: []string{`href="/admin/webhooks"`}},
				{Name: "not in a manager's menu", Who: manager, Method: "GET", Path: "/tickets", Status: 200, NotWant: []string{`href="/admin/webhooks"`}},
				{Name: "manager refused", Who: manager, Method: "GET", Path: "/admin/webhooks", Status: 403},
				{Name: "agent refused", Who: agent, Method: "GET", Path: "/admin/webhooks", Status: 403},
				{Name: "agent may not add", Who: agent, Method: "POST", Path: "/admin/webhooks", Form: form("name", "x", "url", hook, "events", "ticket.created"), Status: 403},
				{Name: "bad URL", Who: admin, Method: "POST", Path: "/admin/webhooks", Form: form("name", "CRM", "url", "ftp://example.com/", "events", "ticket.created"), Status: 422,
					Want: []string{`<p class="field-error" id="e-url">must be an http or https URL without credentials</p>`, `value="CRM"`, `value="ticket.created" checked`}},
				{Name: "no events", Who: admin, Method: "POST", Path: "/admin/webhooks", Form: form("name", "CRM", "url", hook), Status: 422,
					Want: []string{`<p class="field-error" id="e-events">choose at least one event type</p>`, `value="` + hook + `"`}},
			})
			st, body, _ := admin.Do(t, "POST", "/admin/webhooks", form("name", "CRM", "url", hook, "events", "ticket.created", "events", "comment.added", "active", "on"))
			m := secretField.FindStringSubmatch(body)
			if st != 200 || m == nil || !strings.Contains(body, "it will not be shown again") || !strings.Contains(body, "docs/webhooks.md") {
				t.Fatalf("create: %d, secret %v\n%s", st, m, webtest.Excerpt(body))
			}
			secret := m[1]
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "listed", Who: admin, Method: "GET", Path: "/admin/webhooks", Status: 200,
					Want: []string{`href="/admin/webhooks/1"`, hook, "Comment added, Ticket created", "Active"}, NotWant: []string{secret}},
				{Name: "page without the secret", Who: admin, Method: "GET", Path: "/admin/webhooks/1", Status: 200,
					Want: []string{"Send a test event", "Rotate secret", "No deliveries.", `value="comment.added" checked`}, NotWant: []string{secret, "whsec_"}},
				{Name: "manager may not open it", Who: manager, Method: "GET", Path: "/admin/webhooks/1", Status: 403},
				{Name: "edit refused", Who: admin, Method: "POST", Path: "/admin/webhooks/1", Form: form("name", "CRM", "url", "not a url"), Status: 422,
					Want: []string{`id="e-url"`, `id="e-events">choose at least one event type`}},
				{Name: "edit", Who: admin, Method: "POST", Path: "/admin/webhooks/1", Form: form("name", "CRM renamed", "url", hook, "events", "ticket.solved"), Status: 303, Location: "/admin/webhooks/1?saved=1"},
				{Name: "edited", Who: admin, Method: "GET", Path: "/admin/webhooks/1?saved=1", Status: 200,
					Want: []string{"Saved.", "CRM renamed", `value="ticket.solved" checked`}, NotWant: []string{`value="comment.added" checked`}},
				{Name: "switch off", Who: admin, Method: "POST", Path: "/admin/webhooks/1/switch", Form: form("active", "off"), Status: 303, Location: "/admin/webhooks/1?off=1"},
				{Name: "switched off", Who: admin, Method: "GET", Path: "/admin/webhooks/1", Status: 200, Want: []string{"Switched off", "Switch on again"}, NotWant: []string{"Send a test event"}},
				{Name: "no test while off", Who: admin, Method: "POST", Path: "/admin/webhooks/1/ping", Status: 422, Want: []string{"the subscription is switched off: switch it on first"}},
				{Name: "bad switch", Who: admin, Method: "POST", Path: "/admin/webhooks/1/switch", Form: form("active", "maybe"), Status: 400},
				{Name: "switch on", Who: admin, Method: "POST", Path: "/admin/webhooks/1/switch", Form: form("active", "on"), Status: 303, Location: "/admin/webhooks/1?on=1"},
				{Name: "ping", Who: admin, Method: "POST", Path: "/admin/webhooks/1/ping", Status: 303, Location: "/admin/webhooks/1?pinged=1"},
				{Name: "bad state filter", Who: admin, Method: "GET", Path: "/admin/webhooks/1?state=lost", Status: 400},
			})
			waitPage(t, admin, "/admin/webhooks/1?state=delivered", `href="/admin/webhooks/1/deliveries/1"`)
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "delivery page", Who: admin, Method: "GET", Path: "/admin/webhooks/1/deliveries/1", Status: 200,
					Want: []string{"Test event", "Delivered", "<pre class=\"payload\"", "&#34;type&#34;: &#34;ping&#34;", "<td>200</td>", "thanks &lt;b&gt;receiver&lt;/b&gt;", "whd_1"}},
				{Name: "not in the failed filter", Who: admin, Method: "GET", Path: "/admin/webhooks/1?state=failed", Status: 200, Want: []string{"No deliveries."}},
				{Name: "manager may not open a delivery", Who: manager, Method: "GET", Path: "/admin/webhooks/1/deliveries/1", Status: 403},
				{Name: "no such delivery", Who: admin, Method: "GET", Path: "/admin/webhooks/1/deliveries/99", Status: 404},
				{Name: "replay", Who: admin, Method: "POST", Path: "/admin/webhooks/1/deliveries/1/replay", Status: 303, Location: "/admin/webhooks/1/deliveries/2?replayed=1"},
				{Name: "manager may not replay", Who: manager, Method: "POST", Path: "/admin/webhooks/1/deliveries/1/replay", Status: 403},
			})
			waitPage(t, admin, "/admin/webhooks/1/deliveries/2?replayed=1", "Delivered")
			if n := rc.count(); n != 2 {
				t.Errorf("receiver got %d requests, want the ping and its replay", n)
			}
			// A receiver that keeps failing switches the webhook off; the page says why.
			rc.status.Store(500)
			for range webhook.FailureLimit/10 + 1 {
				if st, _, _ := admin.Do(t, "POST", "/admin/webhooks/1/ping", nil); st != 303 {
					break // switched off already
				}
				time.Sleep(300 * time.Millisecond)
			}
			body = waitPage(t, admin, "/admin/webhooks/1", "Switch on again")
			if !strings.Contains(body, "switched off after 20 failed attempts in a row") {
				t.Errorf("no reason shown\n%s", webtest.Excerpt(body))
			}
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "failed deliveries listed", Who: admin, Method: "GET", Path: "/admin/webhooks/1?state=failed", Status: 200, Want: []string{"Failed", "answered 500"}},
				{Name: "reason in the list", Who: admin, Method: "GET", Path: "/admin/webhooks", Status: 200, Want: []string{"Switched off", "switched off after"}},
				{Name: "rotate", Who: admin, Method: "POST", Path: "/admin/webhooks/1/secret", Status: 200, Want: []string{`id="webhook-secret"`, "whsec_"}, NotWant: []string{secret}},
				{Name: "delete asks", Who: admin, Method: "POST", Path: "/admin/webhooks/1/delete", Status: 200, Want: []string{"Delete the webhook CRM renamed?", `name="confirm" value="yes"`}},
				{Name: "manager may not delete", Who: manager, Method: "POST", Path: "/admin/webhooks/1/delete", Form: form("confirm", "yes"), Status: 403},
				{Name: "delete", Who: admin, Method: "POST", Path: "/admin/webhooks/1/delete", Form: form("confirm", "yes"), Status: 303, Location: "/admin/webhooks?deleted=1"},
				{Name: "deleted", Who: admin, Method: "GET", Path: "/admin/webhooks?deleted=1", Status: 200, Want: []string{"Webhook deleted.", "No webhooks yet."}},
				{Name: "gone", Who: admin, Method: "GET", Path: "/admin/webhooks/1", Status: 404},
			})
		})
	}
}
