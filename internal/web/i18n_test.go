package web_test

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/i18n"
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
						`<h2 id="requester-h">Innsender</h2>`, ">Send</button>", "via Nettskjema", "Parcel never arrived"},
					notWant: []string{"Update ticket", "Public reply", "via Web form"}},
				{name: "sl list", who: sl, method: "GET", path: "/tickets", status: http.StatusOK,
					want:    []string{`<html lang="sl">`, "<h2>Pogledi</h2>", "Odjava</button>", "<legend>Spremeni izbrane zahtevke</legend>", ">Nujna</span>"},
					notWant: []string{"Sign out"}},
				{name: "sl missing ticket", who: sl, method: "GET", path: "/tickets/99999", status: http.StatusNotFound,
					want: []string{`<html lang="sl">`, "<h1>Ni najdeno</h1>", "Nazaj na zahtevke"}},
				{name: "sl ticket", who: sl, method: "GET", path: ticketPath, status: http.StatusOK,
					want:    []string{`<html lang="sl">`, "← Zahtevki", "Javni odgovor", "Posodobi zahtevek</button>", "Podrobnosti zahtevka"},
					notWant: []string{"Update ticket"}},
				{name: "sl new ticket", who: sl, method: "GET", path: "/tickets/new", status: http.StatusOK,
					want: []string{`<html lang="sl">`, "<h1>Nov zahtevek</h1>", "Prvo sporočilo", "Ustvari zahtevek</button>", "Interna opomba (zapis klica",
						"Ločeno z vejicami.", ">Telefon<", "+ Nov zahtevek"},
					notWant: []string{"First message", "Create ticket", "Internal note (a call", "Separated by commas", ">Phone<"}},
				{name: "nb new ticket", who: nb, method: "GET", path: "/tickets/new", status: http.StatusOK,
					want:    []string{`<html lang="nb">`, "<h1>Ny sak</h1>", "Første melding", "Opprett sak</button>"},
					notWant: []string{"First message", "Create ticket"}},
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

// TestI18nAdminCustomerHistory: an nb and an sl agent see the admin pages,
// the customer pages, the ticket's history sentences and its dates in
// their language and time zone.
func TestI18nAdminCustomerHistory(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			for _, in := range []agent.AgentInput{
				{Email: "nora@ombud.test", Name: "Nora", Role: authz.Admin, Locale: "nb", TimeZone: "Europe/Oslo", Password: apptest.Password},
				{Email: "spela@ombud.test", Name: "Špela", Role: authz.Manager, Locale: "sl", TimeZone: "Asia/Tokyo", Password: apptest.Password},
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
			id := int64(body["id"].(float64))
			created, err := time.Parse(time.RFC3339Nano, body["created_at"].(string))
			if err != nil {
				t.Fatal(err)
			}
			ticketPath := fmt.Sprintf("/tickets/%d", id)
			customerPath := fmt.Sprintf("/customers/%d", int64(body["requester_id"].(float64)))
			if st, body := e.Do(t, authz.Agent, "PATCH", "/api/v1"+ticketPath, map[string]any{"status": "pending", "tags": []string{"parcel", "late"}}); st != http.StatusOK {
				t.Fatalf("update ticket: %d %v", st, body["_raw"])
			}
			// The date as each agent's zone and language write it.
			at := func(lang, zone string) string {
				loc, err := time.LoadLocation(zone)
				if err != nil {
					t.Fatal(err)
				}
				return html.EscapeString(i18n.FormatNear(lang, created.In(loc), time.Now()))
			}
			nb := signInEmail(t, e, "nora@ombud.test")
			sl := signInEmail(t, e, "spela@ombud.test")
			en := signIn(t, e, authz.Admin)
			runPages(t, []pageCase{
				{name: "nb agents", who: nb, method: "GET", path: "/admin/agents", status: http.StatusOK,
					want: []string{`<html lang="nb">`, "<h1>Agenter</h1>", ">Tidssone</th>", "Inviter en agent", "<legend>Ny agent</legend>",
						`<option value="sl">Slovenščina</option>`, `<option value="nb">Norsk bokmål</option>`, ">Administrator</option>", ">Aktiv<", "(påkrevd)"},
					notWant: []string{"Invite an agent", ">Time zone<", "New agent", "(required)"}},
				{name: "nb admin sets a bad zone", who: nb, method: "POST", path: "/admin/agents/3", status: http.StatusBadRequest,
					form:    url.Values{"name": {"Test agent"}, "role": {"agent"}, "locale": {"da"}, "time_zone": {"Mars/Base"}, "active": {"yes"}},
					want:    []string{"må være en IANA-tidssone som Europe/Oslo", `<option value="da" selected>Dansk</option>`, "Rett opp følgende"},
					notWant: []string{"Please correct the following"}},
				{name: "nb admin sets a language", who: nb, method: "POST", path: "/admin/agents/3", status: http.StatusSeeOther, location: "/admin/agents/3?saved=1",
					form: url.Values{"name": {"Test agent"}, "role": {"agent"}, "locale": {"da"}, "time_zone": {"Europe/Copenhagen"}, "active": {"yes"}}},
				{name: "nb mailbox form", who: nb, method: "GET", path: "/admin/mailboxes", status: http.StatusOK,
					want:    []string{"<h1>Postbokser</h1>", "Legg til en postboks", "Utgående e-post (SMTP-relé)", ">Ingen team</option>", ">Vert</label>"},
					notWant: []string{"Add a mailbox", "Outgoing mail"}},
				{name: "nb sla policies", who: nb, method: "GET", path: "/admin/sla-policies/new", status: http.StatusOK,
					want: []string{"<h1>Ny SLA-policy</h1>", "<legend>Betingelser</legend>", "Første svar (Lav)", ">Haster<"}},
				{name: "nb customer", who: nb, method: "GET", path: customerPath, status: http.StatusOK,
					want: []string{"← Kunder", "<h2 id=\"ids-title\">Identiteter</h2>", "Saker i alle kanaler", "Lagre kunde", "lagt til " + at("nb", "Europe/Oslo"),
						">Venter</span>", ">Nettskjema</td>"},
					notWant: []string{"Save customer", "Tickets on every channel"}},
				{name: "nb customers", who: nb, method: "GET", path: "/customers", status: http.StatusOK,
					want: []string{"<h1>Kunder</h1>", "Legg til en kunde", ">Lagt til</th>", "<td>" + at("nb", "Europe/Oslo") + "</td>"}},
				{name: "nb history and dates", who: nb, method: "GET", path: ticketPath, status: http.StatusOK,
					want: []string{"opprettet saken (Nettskjema, Haster)", "endret status fra Ny til Venter", "stikkord: la til ", ", fjernet —",
						"åpnet " + at("nb", "Europe/Oslo"), "<time>" + at("nb", "Europe/Oslo") + "</time>"},
					notWant: []string{"created the ticket", "changed status"}},
				{name: "sl teams", who: sl, method: "GET", path: "/admin/teams", status: http.StatusOK,
					want:    []string{`<html lang="sl">`, "<h1>Ekipe</h1>", "Dodaj ekipo", "<legend>Nova ekipa</legend>", `<label for="f-name">Ime `},
					notWant: []string{"Add a team"}},
				{name: "sl customer", who: sl, method: "GET", path: customerPath, status: http.StatusOK,
					want: []string{"← Stranke", "Identitete", "Zahtevki v vseh kanalih", "Shrani stranko", "dodano " + at("sl", "Asia/Tokyo")}},
				{name: "sl history and dates", who: sl, method: "GET", path: ticketPath, status: http.StatusOK,
					want: []string{"je ustvaril(a) zahtevek (Spletni obrazec, Nujna)", "je spremenil(a) stanje iz Nov v V čakanju",
						"<time>" + at("sl", "Asia/Tokyo") + "</time>"},
					notWant: []string{"created the ticket"}},
				{name: "en stays English", who: en, method: "GET", path: ticketPath, status: http.StatusOK,
					want: []string{"created the ticket (Web form, Urgent)", "changed status from New to Pending", "<time>" + at("en", "UTC") + "</time>"}},
				{name: "en admin stays English", who: en, method: "GET", path: "/admin/agents", status: http.StatusOK,
					want: []string{"<h1>Agents</h1>", "Invite an agent", ">Time zone</th>"}},
			})
		})
	}
}

// TestProfile: every agent changes their own language and time zone on
// /profile, and nothing else; a bad zone or language is refused with the
// field's message.
func TestProfile(t *testing.T) {
	e := apptest.New(t, dbtest.Engines[0])
	a, err := e.Sys.Agents.CreateAgent(t.Context(), authz.System, agent.AgentInput{
		Email: "nora@ombud.test", Name: "Nora", Role: authz.Agent, Locale: "nb", TimeZone: "Europe/Oslo", Password: apptest.Password})
	if err != nil {
		t.Fatal(err)
	}
	nb := signInEmail(t, e, "nora@ombud.test")
	collab := signIn(t, e, authz.Collaborator)
	runPages(t, []pageCase{
		{name: "profile in nb", who: nb, method: "GET", path: "/profile", status: http.StatusOK,
			want: []string{`<html lang="nb">`, "<h1>Min profil</h1>", `<option value="nb" selected>Norsk bokmål</option>`, `value="Europe/Oslo"`,
				`href="/profile"`, "Lagre profil"}},
		{name: "collaborators have one too", who: collab, method: "GET", path: "/profile", status: http.StatusOK, want: []string{"<h1>My profile</h1>"}},
		{name: "bad zone", who: nb, method: "POST", path: "/profile", form: url.Values{"locale": {"nb"}, "time_zone": {"Mars/Base"}}, status: http.StatusBadRequest,
			want: []string{"må være en IANA-tidssone som Europe/Oslo", `aria-invalid="true"`, `value="Mars/Base"`}},
		{name: "bad locale", who: nb, method: "POST", path: "/profile", form: url.Values{"locale": {"fr"}, "time_zone": {"UTC"}}, status: http.StatusBadRequest,
			want: []string{"må være et av språkene i listen"}},
		{name: "switch to Swedish, nothing else", who: nb, method: "POST", path: "/profile",
			form:   url.Values{"locale": {"sv"}, "time_zone": {"Europe/Stockholm"}, "role": {"admin"}, "team_ids": {"1"}, "name": {"Hacker"}, "active": {"no"}},
			status: http.StatusSeeOther, location: "/profile?saved=1"},
		{name: "saved, in Swedish", who: nb, method: "GET", path: "/profile?saved=1", status: http.StatusOK,
			want: []string{`<html lang="sv">`, "<h1>Min profil</h1>", "Din profil har sparats.", `<option value="sv" selected>Svenska</option>`, `value="Europe/Stockholm"`}},
		{name: "next page in Swedish", who: nb, method: "GET", path: "/tickets", status: http.StatusOK,
			want: []string{`<html lang="sv">`, "<h2>Vyer</h2>", "Logga ut</button>"}, notWant: []string{"Logg ut"}},
		{name: "bad zone in Swedish", who: nb, method: "POST", path: "/profile", form: url.Values{"locale": {"sv"}, "time_zone": {"Local"}}, status: http.StatusBadRequest,
			want: []string{"måste vara en IANA-tidszon"}},
	})
	got, err := e.Sys.Agents.GetAgent(t.Context(), authz.System, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Locale != "sv" || got.TimeZone != "Europe/Stockholm" || got.Role != authz.Agent || got.Name != "Nora" || !got.Active || len(got.TeamIDs) != 0 {
		t.Errorf("after the profile form: %+v", got)
	}
}
