package phone_test

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/web/webtest"
	"github.com/ombud/ombud/internal/webhook"
)

var secretRE = regexp.MustCompile(`id="phone-secret"[^>]*value="(whsec_[^"]+)"`)

// post sends a call event signed with secret (or unsigned when "").
func post(t *testing.T, e *apptest.Env, path, secret, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", e.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		now := time.Now()
		id := fmt.Sprintf("msg_%d", len(body))
		sig, err := webhook.Sign(secret, id, now, []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("webhook-id", id)
		req.Header.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
		req.Header.Set("webhook-signature", sig)
	}
	resp, err := e.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestPhonePages: an admin adds an integration in the form and sees its
// secret once; a manager may look but not change; the webhook signed with
// the secret opens a ticket whose page, pop and history show the call.
func TestPhonePages(t *testing.T) {
	e := apptest.New(t, db.SQLite)
	admin := webtest.SignIn(t, e, authz.Admin)

	st, body, _ := admin.Do(t, "POST", "/admin/phone", url.Values{"name": {""}, "default_country": {"0047"}, "call_url": {"ftp://x"}})
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, "must be a country calling code") || !strings.Contains(body, "{number}") {
		t.Fatalf("bad form: %d %.2000s", st, body)
	}
	st, body, _ = admin.Do(t, "POST", "/admin/phone", url.Values{"name": {"Switchboard"}, "default_country": {"47"}, "call_url": {"https://provider.example/call?to={number}"}, "active": {"on"}})
	m := secretRE.FindStringSubmatch(body)
	if st != http.StatusOK || m == nil {
		t.Fatalf("create: %d %.2000s", st, body)
	}
	secret := html.UnescapeString(m[1])
	its, err := e.Sys.Phone.List(t.Context(), authz.System)
	if err != nil || len(its) != 1 {
		t.Fatalf("integrations %v %v", its, err)
	}
	id := its[0].ID
	if _, page, _ := admin.Do(t, "GET", "/admin/phone", nil); strings.Contains(page, "whsec_") || !strings.Contains(page, "Switchboard") {
		t.Errorf("the list shows the secret or lacks the integration")
	}
	manager := webtest.SignIn(t, e, authz.Manager)
	if st, page, _ := manager.Do(t, "GET", fmt.Sprintf("/admin/phone/%d", id), nil); st != 200 || strings.Contains(page, `action="/admin/phone/`) {
		t.Errorf("manager page: %d, with forms %v", st, strings.Contains(page, `action="/admin/phone/`))
	}
	if st, _, _ := manager.Do(t, "POST", fmt.Sprintf("/admin/phone/%d", id), url.Values{"name": {"X"}}); st != http.StatusForbidden {
		t.Errorf("manager update: %d", st)
	}

	hook := fmt.Sprintf("/api/v1/phone/integrations/%d/events", id)
	if st, b := post(t, e, hook, "", `{}`); st != 401 || !strings.Contains(b, `"unauthenticated"`) {
		t.Errorf("unsigned: %d %s", st, b)
	}
	big := `{"call_id":"x","event":"started","from":"+4791234567","to":"` + strings.Repeat("1", 70<<10) + `"}`
	if st, b := post(t, e, hook, secret, big); st != 413 {
		t.Errorf("oversize: %d %.200s", st, b)
	}
	if st, b := post(t, e, hook, secret, `{"call_id":"x","event":"started","from":"nobody"}`); st != 400 || !strings.Contains(b, `"from"`) {
		t.Errorf("bad from: %d %s", st, b)
	}
	if st, b := post(t, e, hook, secret, `{"call_id":"c1","event":"started","from":"912 34 567","agent_email":"`+e.Agents[authz.Agent].Email+`"}`); st != 200 || !strings.Contains(b, `"ticket_id"`) {
		t.Fatalf("started: %d %s", st, b)
	}
	if st, b := post(t, e, hook, secret, `{"call_id":"c1","event":"ended","from":"912 34 567","duration_s":3725,"recording_url":"https://rec.example/c1.mp3"}`); st != 200 {
		t.Fatalf("ended: %d %s", st, b)
	}
	var ticketID, customerID int64
	if err := e.Sys.DB.QueryRowContext(t.Context(), `SELECT ticket_id, customer_id FROM phone_calls WHERE call_id = 'c1'`).Scan(&ticketID, &customerID); err != nil {
		t.Fatal(err)
	}

	agent := webtest.SignIn(t, e, authz.Agent)
	st, pop := agent.Get(t, fmt.Sprintf("/phone/pop/%d", ticketID))
	if st != 200 || !bytes.Contains(pop, []byte("Incoming call from +4791234567")) || !bytes.Contains(pop, []byte(`href="tel:&#43;4791234567"`)) && !bytes.Contains(pop, []byte(`href="tel:+4791234567"`)) {
		t.Errorf("pop: %d %s", st, pop)
	}
	other := webtest.CreateTicket(t, e, "No call here")
	if st, _ := agent.Get(t, fmt.Sprintf("/phone/pop/%d", other)); st != 404 {
		t.Errorf("pop of a ticket without a call: %d", st)
	}
	_, page, _ := agent.Do(t, "GET", fmt.Sprintf("/tickets/%d", ticketID), nil)
	for _, want := range []string{"incoming call from +4791234567", "call from +4791234567 ended after 1:02:05", `href="https://rec.example/c1.mp3"`, `class="call-link" href="https://provider.example/call?to=%2b4791234567"`} {
		if !strings.Contains(strings.ToLower(html.UnescapeString(page)), strings.ToLower(want)) {
			t.Errorf("ticket page lacks %q", want)
		}
	}
	_, cust, _ := agent.Do(t, "GET", fmt.Sprintf("/customers/%d", customerID), nil)
	if !strings.Contains(cust, `href="tel:`) {
		t.Errorf("customer page has no tel: link")
	}

	// Rotation and deletion.
	st, body, _ = admin.Do(t, "POST", fmt.Sprintf("/admin/phone/%d/secret", id), nil)
	if m2 := secretRE.FindStringSubmatch(body); st != 200 || m2 == nil || html.UnescapeString(m2[1]) == secret {
		t.Fatalf("rotate: %d", st)
	}
	if st, _ := post(t, e, hook, secret, `{"call_id":"c2","event":"started","from":"+4791234567"}`); st != 401 {
		t.Errorf("old secret after rotation: %d", st)
	}
	if st, _, loc := admin.Do(t, "POST", fmt.Sprintf("/admin/phone/%d/delete", id), nil); st != 303 || loc != "/admin/phone?deleted=1" {
		t.Errorf("delete: %d %s", st, loc)
	}
}
