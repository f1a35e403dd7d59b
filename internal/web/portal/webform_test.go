package portal_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// post sends the web form from a site (origin "" for a server) and
// returns status, headers and the JSON answer.
func post(t *testing.T, e *apptest.Env, method, origin, ctype, body string) (int, http.Header, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, e.URL+"/forms/request", strings.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := map[string]any{}
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, resp.Header, out
}

// TestWebForm: the web form API on both engines — off until an admin turns
// it on in the browser, CORS for the named sites only, clear errors naming
// the field, the honeypot, return_to, and limits per sender.
func TestWebForm(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			shop := "https://shop.example.com"
			good := `{"name":"Per Hansen","email":"per@example.com","subject":"Where is order 9912?","message":"It has not come."}`
			if st, _, _ := post(t, e, "POST", shop, "application/json", good); st != 404 {
				t.Fatalf("while off: %d", st)
			}
			admin := webtest.SignIn(t, e, authz.Admin)
			if st, body, _ := admin.Do(t, "GET", "/admin/web-form", nil); st != 200 || !strings.Contains(body, `action="/admin/web-form"`) {
				t.Fatalf("settings page: %d", st)
			}
			if st, body, _ := admin.Do(t, "POST", "/admin/web-form", url.Values{"enabled": {"on"}, "allowed_origins": {"shop.example.com"}}); st != 422 ||
				!strings.Contains(body, "must be a site address") {
				t.Fatalf("a bad site: %d", st)
			}
			if st, _, loc := admin.Do(t, "POST", "/admin/web-form", url.Values{"enabled": {"on"}, "allowed_origins": {"https://Shop.example.com/\nhttp://localhost:3000"}}); st != 303 || loc != "/admin/web-form?saved=1" {
				t.Fatalf("save: %d %q", st, loc)
			}
			agent := webtest.SignIn(t, e, authz.Agent)
			if st, _, _ := agent.Do(t, "POST", "/admin/web-form", url.Values{"enabled": {"off"}}); st != 403 {
				t.Errorf("an agent changed the settings: %d", st)
			}

			st, h, out := post(t, e, "POST", shop, "application/json", good)
			if st != 201 || h.Get("Access-Control-Allow-Origin") != shop || out["status"] != "received" {
				t.Fatalf("from the shop: %d %v %v", st, h, out)
			}
			id := int64(out["ticket_id"].(float64))
			st, tk := e.Do(t, authz.Admin, "GET", fmt.Sprintf("/api/v1/tickets/%d", id), nil)
			req, _ := tk["requester"].(map[string]any)
			if st != 200 || tk["channel"] != "web" || tk["subject"] != "Where is order 9912?" || req == nil || req["email"] != "per@example.com" ||
				fmt.Sprint(tk["tags"]) != "[web_form]" {
				t.Errorf("the ticket: %d %v", st, tk)
			}
			if st, h, _ := post(t, e, "POST", "https://evil.example", "application/json", good); st != 403 || h.Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("from another site: %d %v", st, h)
			}
			if st, h, _ := post(t, e, "OPTIONS", shop, "", ""); st != 204 || h.Get("Access-Control-Allow-Origin") != shop || h.Get("Access-Control-Allow-Headers") != "Content-Type" {
				t.Errorf("preflight: %d %v", st, h)
			}
			if st, _, _ := post(t, e, "OPTIONS", "https://evil.example", "", ""); st != 403 {
				t.Errorf("preflight from another site: %d", st)
			}
			for _, c := range []struct{ body, field string }{
				{`{"email":"","subject":"a","message":"b"}`, "email"},
				{`{"email":"x","subject":"a","message":"b"}`, "email"},
				{`{"email":"a@b.example","subject":" ","message":"b"}`, "subject"},
				{`{"email":"a@b.example","subject":"a","message":""}`, "message"},
				{`{"email":"a@b.example","subject":"a","message":"` + strings.Repeat("x", 20001) + `"}`, "message"},
			} {
				st, _, out := post(t, e, "POST", "", "application/json", c.body)
				fields, _ := out["error"].(map[string]any)["fields"].(map[string]any)
				if st != 400 || fields[c.field] == nil {
					t.Errorf("%.60s: %d %v", c.body, st, out)
				}
			}
			if st, _, _ := post(t, e, "POST", "", "application/json", `{"email":`); st != 400 {
				t.Errorf("broken JSON: %d", st)
			}
			if st, _, _ := post(t, e, "POST", "", "text/plain", "hello"); st != 415 {
				t.Errorf("text: %d", st)
			}
			// The honeypot: the same answer, no ticket.
			var before, after int
			_ = e.Sys.DB.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM tickets`).Scan(&before)
			st, _, out = post(t, e, "POST", shop, "application/json", `{"email":"bot@spam.example","subject":"Buy","message":"now","website":"http://spam.example"}`)
			_ = e.Sys.DB.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM tickets`).Scan(&after)
			if st != 201 || out["status"] != "received" || out["ticket_id"] != nil || after != before {
				t.Errorf("honeypot: %d %v, tickets %d → %d", st, out, before, after)
			}
			// A plain form goes back to the shop's page.
			form := url.Values{"email": {"kim@example.com"}, "subject": {"Size"}, "message": {"Do you have XL?"}, "return_to": {shop + "/thanks?x=1"}}
			freq, _ := http.NewRequest("POST", e.URL+"/forms/request", strings.NewReader(form.Encode()))
			freq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			freq.Header.Set("Origin", shop)
			resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(freq)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if loc := resp.Header.Get("Location"); resp.StatusCode != 303 || !strings.HasPrefix(loc, shop+"/thanks?x=1&ombud_request=") {
				t.Errorf("form with return_to: %d %q", resp.StatusCode, loc)
			}
			form.Set("return_to", "https://evil.example/x")
			if st, _, out := post(t, e, "POST", shop, "application/x-www-form-urlencoded", form.Encode()); st != 400 || out["error"].(map[string]any)["fields"].(map[string]any)["return_to"] == nil {
				t.Errorf("return_to elsewhere: %d %v", st, out)
			}
			// Five a quarter-hour from one sender.
			one := `{"email":"flood@example.com","subject":"again","message":"again"}`
			for i := range 5 {
				if st, _, _ := post(t, e, "POST", "", "application/json", one); st != 201 {
					t.Fatalf("post %d: %d", i+1, st)
				}
			}
			if st, h, _ := post(t, e, "POST", "", "application/json", one); st != 429 || h.Get("Retry-After") == "" {
				t.Errorf("the sixth: %d %v", st, h)
			}
		})
	}
}
