package portal_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/config"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/portal"
	"github.com/ombud/ombud/internal/web/webtest"
)

// solve finds the nonce of a puzzle, as the snippet's script does.
func solve(challenge string, bits int) string {
	for n := 0; ; n++ {
		if portal.LeadingZeroBits(challenge, strconv.Itoa(n)) >= bits {
			return strconv.Itoa(n)
		}
	}
}

func fieldOf(out map[string]any) string {
	e, _ := out["error"].(map[string]any)
	f, _ := e["fields"].(map[string]any)
	for k := range f {
		return k
	}
	return ""
}

// TestWebFormGuards: an admin turns on the proof-of-work puzzle and a
// CAPTCHA provider on the settings page; posts without a solution, with a
// wrong, forged, spent or expired one, or without the provider's approval
// are refused naming the field; solved ones file requests. Both engines.
func TestWebFormGuards(t *testing.T) {
	var calls atomic.Int32
	var down atomic.Bool
	verify := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if down.Load() {
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		_ = r.ParseForm()
		ok := r.PostForm.Get("secret") == "s3cret" && r.PostForm.Get("response") == "good-token" && r.PostForm.Get("remoteip") != ""
		_ = json.NewEncoder(w).Encode(map[string]any{"success": ok})
	}))
	defer verify.Close()
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.NewWith(t, engine, func(c *config.Config) { c.WebhookAllowPrivate = true })
			admin := webtest.SignIn(t, e, authz.Admin)
			save := func(v url.Values) (int, string) {
				t.Helper()
				v.Set("enabled", "on")
				v.Set("allowed_origins", "https://shop.example.com")
				st, body, _ := admin.Do(t, "POST", "/admin/web-form", v)
				return st, body
			}
			if st, body := save(url.Values{"proof_of_work": {"4"}}); st != 422 || !strings.Contains(body, "must be 0 (off) or from 10 to 26") {
				t.Fatalf("too easy a puzzle: %d", st)
			}
			if st, _ := save(url.Values{"proof_of_work": {"12"}}); st != 303 {
				t.Fatalf("save the puzzle: %d", st)
			}
			if _, body, _ := admin.Do(t, "GET", "/admin/web-form", nil); !strings.Contains(body, "crypto.subtle.digest") || !strings.Contains(body, "/forms/challenge") {
				t.Errorf("the snippet lacks the solver")
			}

			msg := map[string]string{"email": "ida@example.com", "subject": "Parcel", "message": "Where is it?"}
			send := func(extra map[string]string) (int, map[string]any) {
				t.Helper()
				m := map[string]string{}
				for k, v := range msg {
					m[k] = v
				}
				for k, v := range extra {
					m[k] = v
				}
				b, _ := json.Marshal(m)
				st, _, out := post(t, e, "POST", "", "application/json", string(b))
				return st, out
			}
			challenge := func() string {
				t.Helper()
				resp, err := http.Get(e.URL + "/forms/challenge")
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var c portal.Challenge
				if err := json.NewDecoder(resp.Body).Decode(&c); err != nil || resp.StatusCode != 200 || c.Difficulty != 12 || c.Algorithm != "sha256" {
					t.Fatalf("challenge: %d %v %+v", resp.StatusCode, err, c)
				}
				return c.Challenge
			}
			c := challenge()
			nonce := solve(c, 12)
			wrong := nonce + "x"
			for portal.LeadingZeroBits(c, wrong) >= 12 {
				wrong += "x"
			}
			forged := "AAAA" + c[4:]
			for _, tc := range []struct {
				name  string
				extra map[string]string
				field string
			}{
				{"no solution", nil, "pow_challenge"},
				{"no nonce", map[string]string{"pow_challenge": c}, "pow_nonce"},
				{"wrong nonce", map[string]string{"pow_challenge": c, "pow_nonce": wrong}, "pow_nonce"},
				{"forged challenge", map[string]string{"pow_challenge": forged, "pow_nonce": solve(forged, 12)}, "pow_challenge"},
			} {
				if st, out := send(tc.extra); st != 400 || fieldOf(out) != tc.field {
					t.Errorf("%s: %d %v", tc.name, st, out)
				}
			}
			if st, out := send(map[string]string{"pow_challenge": c, "pow_nonce": nonce}); st != 201 || out["ticket_id"] == nil {
				t.Fatalf("solved: %d %v", st, out)
			}
			if st, out := send(map[string]string{"pow_challenge": c, "pow_nonce": nonce}); st != 400 || fieldOf(out) != "pow_challenge" {
				t.Errorf("spent twice: %d %v", st, out)
			}
			// A puzzle solved too late: the same key, eleven minutes on.
			late := portal.New(e.Sys.DB, func() time.Time { return time.Now().Add(11 * time.Minute) }, e.Sys.Tickets)
			late.UseGuards(e.Sys.Secrets, nil)
			c2 := challenge()
			if _, err := late.SubmitForm(t.Context(), portal.FormInput{Email: "ida@example.com", Subject: "x", Message: "y", PowChallenge: c2, PowNonce: solve(c2, 12)}, "192.0.2.1"); err == nil ||
				!strings.Contains(err.Error(), "expired") {
				t.Errorf("an expired puzzle: %v", err)
			}

			// A CAPTCHA provider instead of the puzzle.
			if st, body := save(url.Values{"proof_of_work": {"0"}, "captcha_verify_url": {verify.URL + "/siteverify"}}); st != 422 || !strings.Contains(body, "is required with a verification address") {
				t.Fatalf("a provider without its secret: %d", st)
			}
			if st, _ := save(url.Values{"proof_of_work": {"0"}, "captcha_verify_url": {verify.URL + "/siteverify"}, "captcha_secret": {"s3cret"}}); st != 303 {
				t.Fatalf("save the provider: %d", st)
			}
			st, got := e.Do(t, authz.Admin, "GET", "/api/v1/web-form", nil)
			if raw, _ := json.Marshal(got); st != 200 || got["captcha_secret_set"] != true || strings.Contains(string(raw), "s3cret") {
				t.Errorf("settings over the API: %d %s", st, raw)
			}
			// A PUT without the secret keeps it.
			if st, _ := e.Do(t, authz.Admin, "PUT", "/api/v1/web-form", map[string]any{"enabled": true, "allowed_origins": []string{}, "captcha_verify_url": verify.URL + "/siteverify"}); st != 200 {
				t.Fatalf("put without the secret: %d", st)
			}
			if st, out := send(nil); st != 400 || fieldOf(out) != "captcha_response" {
				t.Errorf("no token: %d %v", st, out)
			}
			if st, out := send(map[string]string{"captcha_response": "bad-token"}); st != 400 || fieldOf(out) != "captcha_response" {
				t.Errorf("a refused token: %d %v", st, out)
			}
			if st, out := send(map[string]string{"captcha_response": "good-token"}); st != 201 {
				t.Errorf("a good token: %d %v", st, out)
			}
			// The widget's own field name, from a plain form.
			form := url.Values{"email": {"ole@example.com"}, "subject": {"Size"}, "message": {"XL?"}, "h-captcha-response": {"good-token"}}
			if st, _, out := post(t, e, "POST", "", "application/x-www-form-urlencoded", form.Encode()); st != 201 {
				t.Errorf("a form with the widget's token: %d %v", st, out)
			}
			down.Store(true)
			if st, out := send(map[string]string{"captcha_response": "good-token"}); st != 422 || fieldOf(out) != "captcha_response" {
				t.Errorf("provider down: %d %v", st, out)
			}
			down.Store(false)
			if calls.Load() == 0 {
				t.Error("the provider was never asked")
			}
			agent := webtest.SignIn(t, e, authz.Agent)
			if st, _, _ := agent.Do(t, "POST", "/admin/web-form", url.Values{"captcha_verify_url": {""}}); st != 403 {
				t.Errorf("an agent changed the guards: %d", st)
			}
		})
	}
}
