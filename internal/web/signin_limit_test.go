package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/config"
	"github.com/ombud/ombud/internal/dbtest"
)

// postSignIn posts the sign-in form as a browser behind xff would (no header
// when xff is empty) and returns the status and page.
func postSignIn(t *testing.T, e *apptest.Env, email, password, xff, lang string) (int, string) {
	t.Helper()
	form := url.Values{"email": {email}, "password": {password}, "next": {"/tickets"}}
	req, err := http.NewRequest("POST", e.URL+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	c := *e.Client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestSignInLimitsBehindProxy(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			t.Run("trusted proxy", func(t *testing.T) {
				e := apptest.NewWith(t, engine, func(c *config.Config) {
					c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
				})
				for i := 0; i < 10; i++ {
					if st, _ := postSignIn(t, e, "agent@ombud.test", "wrong-password", "198.51.100.99, 203.0.113.1", ""); st != http.StatusUnauthorized {
						t.Fatalf("wrong password %d from client A: %d", i, st)
					}
				}
				st, page := postSignIn(t, e, "agent@ombud.test", apptest.Password, "203.0.113.1", "")
				if st != http.StatusTooManyRequests || !strings.Contains(page, `role="alert">Too many sign-in attempts`) || !strings.Contains(page, `<a href="/password/forgot">Reset your password by email</a>`) {
					t.Fatalf("client A after 10 wrong passwords: %d, want 429 with a reset link\n%s", st, page)
				}
				// The Norwegian page says so in Norwegian.
				if _, page := postSignIn(t, e, "agent@ombud.test", apptest.Password, "203.0.113.1", "nb"); !strings.Contains(page, "For mange innloggingsforsøk") || !strings.Contains(page, "Tilbakestill passordet via e-post</a>") {
					t.Fatalf("Norwegian rate-limited page:\n%s", page)
				}
				// Client B behind the same proxy is another address.
				if st, page := postSignIn(t, e, "agent@ombud.test", apptest.Password, "203.0.113.2", ""); st != http.StatusSeeOther {
					t.Fatalf("client B: %d\n%s", st, page)
				}
				// The session and the audit log record the client, not the proxy.
				var ip string
				if err := e.Sys.DB.QueryRowContext(context.Background(), `SELECT ip FROM sessions ORDER BY created_at DESC LIMIT 1`).Scan(&ip); err != nil || ip != "203.0.113.2" {
					t.Fatalf("session ip %q %v", ip, err)
				}
				var data string
				if err := e.Sys.DB.QueryRowContext(context.Background(), `SELECT data FROM audit_log WHERE action = 'auth.sign_in' ORDER BY id DESC LIMIT 1`).Scan(&data); err != nil || !strings.Contains(data, "203.0.113.2") {
					t.Fatalf("audit data %q %v", data, err)
				}
			})
			t.Run("untrusted peer", func(t *testing.T) {
				e := apptest.New(t, engine)
				// Without trusted proxies the header is the client's own
				// words: a new one per guess buys no new tries.
				for i := 0; i < 10; i++ {
					if st, _ := postSignIn(t, e, "agent@ombud.test", "wrong-password", fmt.Sprintf("203.0.113.%d", i+1), ""); st != http.StatusUnauthorized {
						t.Fatalf("wrong password %d: %d", i, st)
					}
				}
				if st, _ := postSignIn(t, e, "agent@ombud.test", apptest.Password, "203.0.113.200", ""); st != http.StatusTooManyRequests {
					t.Fatalf("11th attempt with a fresh X-Forwarded-For: %d, want 429", st)
				}
			})
		})
	}
}
