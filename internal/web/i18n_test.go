package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
)

// signInEmail is signIn for any agent: the real sign-in form, then the
// CSRF token from the ticket list.
func signInEmail(t *testing.T, e *apptest.Env, addr string) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{e: e, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	resp, err := b.client.PostForm(e.URL+"/login", url.Values{"email": {addr}, "password": {apptest.Password}, "next": {"/tickets"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/tickets" {
		t.Fatalf("sign in as %s: status %d, location %q", addr, resp.StatusCode, resp.Header.Get("Location"))
	}
	st, body, _ := b.do(t, "GET", "/tickets", nil)
	m := csrfField.FindStringSubmatch(body)
	if st != http.StatusOK || m == nil {
		t.Fatalf("ticket list after sign-in: status %d, no CSRF token in the page", st)
	}
	b.csrf = m[1]
	return b
}

// TestAgentUILocale: each agent sees the agent UI in the locale stored for
// them; the sign-in page follows Accept-Language.
func TestAgentUILocale(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			for _, in := range []agent.AgentInput{
				{Email: "nora@ombud.test", Name: "Nora", Role: authz.Agent, Locale: "nb", Password: apptest.Password},
				{Email: "spela@ombud.test", Name: "Špela", Role: authz.Agent, Locale: "sl", Password: apptest.Password},
			} {
				if _, err := e.Sys.Agents.CreateAgent(t.Context(), authz.System, in); err != nil {
					t.Fatalf("create %s: %v", in.Email, err)
				}
			}
			st, body := e.Do(t, authz.Agent, "POST", "/api/v1/tickets", map[string]any{
				"subject": "Parcel never arrived", "description": "Where is my parcel?", "channel": "web", "priority": "urgent",
				"requester": map[string]any{"email": "per@example.no", "name": "Per"},
			})
			if st != http.StatusCreated {
				t.Fatalf("create ticket: %d %v", st, body["_raw"])
			}
			ticketPath := fmt.Sprintf("/tickets/%d", int64(body["id"].(float64)))

			nb := signInEmail(t, e, "nora@ombud.test")
			sl := signInEmail(t, e, "spela@ombud.test")
			en := signIn(t, e, authz.Agent)
			runPages(t, []pageCase{
				{name: "nb list", who: nb, method: "GET", path: "/tickets", status: http.StatusOK,
					want: []string{`<html lang="nb">`, "<h2>Visninger</h2>", ">Alle uløste <", "<h1>Alle uløste</h1>", "Logg ut</button>",
						"<legend>Endre valgte saker</legend>", ">Emne</th>", ">Haster</span>", ">Ny</span>", "<button>Bruk</button>",
						`aria-label="Velg sak `, "Hurtigtaster", "Parcel never arrived"},
					notWant: []string{"Sign out", "Change selected tickets", `lang="en"`}},
				{name: "nb ticket", who: nb, method: "GET", path: ticketPath, status: http.StatusOK,
					want: []string{`<html lang="nb">`, "← Saker", "Offentlig svar", "Internt notat", "Oppdater saken</button>",
						"<h2>Innsender</h2>", ">Send</button>", "via Nettskjema", "Parcel never arrived"},
					notWant: []string{"Update ticket", "Public reply", "via Web form"}},
				{name: "sl list", who: sl, method: "GET", path: "/tickets", status: http.StatusOK,
					want:    []string{`<html lang="sl">`, "<h2>Pogledi</h2>", "Odjava</button>", "<legend>Spremeni izbrane zahtevke</legend>", ">Nujna</span>"},
					notWant: []string{"Sign out"}},
				{name: "sl missing ticket", who: sl, method: "GET", path: "/tickets/99999", status: http.StatusNotFound,
					want: []string{`<html lang="sl">`, "<h1>Ni najdeno</h1>", "Nazaj na zahtevke"}},
				{name: "sl ticket", who: sl, method: "GET", path: ticketPath, status: http.StatusOK,
					want:    []string{`<html lang="sl">`, "← Zahtevki", "Javni odgovor", "Posodobi zahtevek</button>", "Podrobnosti zahtevka"},
					notWant: []string{"Update ticket"}},
				{name: "en list stays English", who: en, method: "GET", path: "/tickets", status: http.StatusOK,
					want: []string{`<html lang="en">`, "<h2>Views</h2>", "Sign out</button>", "<legend>Change selected tickets</legend>", ">Urgent</span>"}},
				{name: "en ticket stays English", who: en, method: "GET", path: ticketPath, status: http.StatusOK,
					want: []string{`<html lang="en">`, "← Tickets", "Public reply", "Update ticket</button>", "via Web form"}},
			})

			for _, tc := range []struct{ header, lang, heading string }{
				{"", "en", "Sign in to Ombud"},
				{"nb-NO,nb;q=0.9,en;q=0.5", "nb", "Logg inn på Ombud"},
				{"sv-SE,sv;q=0.9", "sv", "Logga in på Ombud"},
				{"fr-FR,da;q=0.8", "da", "Log ind på Ombud"},
				{"sl", "sl", "Prijava v Ombud"},
				{"de-DE,de;q=0.9", "en", "Sign in to Ombud"},
			} {
				t.Run("login "+tc.lang+" "+tc.header, func(t *testing.T) {
					req, err := http.NewRequest("GET", e.URL+"/login", nil)
					if err != nil {
						t.Fatal(err)
					}
					if tc.header != "" {
						req.Header.Set("Accept-Language", tc.header)
					}
					resp, err := e.Client.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					defer resp.Body.Close()
					raw, err := io.ReadAll(resp.Body)
					if err != nil {
						t.Fatal(err)
					}
					page := string(raw)
					if resp.StatusCode != http.StatusOK {
						t.Fatalf("status %d", resp.StatusCode)
					}
					for _, want := range []string{`<html lang="` + tc.lang + `">`, "<h1>" + tc.heading + "</h1>"} {
						if !strings.Contains(page, want) {
							t.Errorf("login page for %q lacks %q", tc.header, want)
						}
					}
				})
			}
		})
	}
}
