package web_test

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/web/webtest"
)

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

			nb := webtest.SignInEmail(t, e, "nora@ombud.test")
			sl := webtest.SignInEmail(t, e, "spela@ombud.test")
			en := webtest.SignIn(t, e, authz.Agent)
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "nb list", Who: nb, Method: "GET", Path: "/tickets", Status: http.StatusOK,
					Want: []string{`<html lang="nb">`, "<h2>Visninger</h2>", ">Alle uløste <", "<h1>Alle uløste</h1>", "Logg ut</button>",
						"<legend>Endre valgte saker</legend>", ">Emne</th>", ">Haster</span>", ">Ny</span>", "<button>Bruk</button>",
						`aria-label="Velg sak `, "Hurtigtaster", "Parcel never arrived"},
					NotWant: []string{"Sign out", "Change selected tickets", `lang="en"`}},
				{Name: "nb ticket", Who: nb, Method: "GET", Path: ticketPath, Status: http.StatusOK,
					Want: []string{`<html lang="nb">`, "← Saker", "Offentlig svar", "Internt notat", "Oppdater saken</button>",
						`<h2 id="requester-h">Innsender</h2>`, ">Send</button>", "via Nettskjema", "Parcel never arrived"},
					NotWant: []string{"Update ticket", "Public reply", "via Web form"}},
				{Name: "sl list", Who: sl, Method: "GET", Path: "/tickets", Status: http.StatusOK,
					Want:    []string{`<html lang="sl">`, "<h2>Pogledi</h2>", "Odjava</button>", "<legend>Spremeni izbrane zahtevke</legend>", ">Nujna</span>"},
					NotWant: []string{"Sign out"}},
				{Name: "sl missing ticket", Who: sl, Method: "GET", Path: "/tickets/99999", Status: http.StatusNotFound,
					Want: []string{`<html lang="sl">`, "<h1>Ni najdeno</h1>", "Nazaj na zahtevke"}},
				{Name: "sl ticket", Who: sl, Method: "GET", Path: ticketPath, Status: http.StatusOK,
					Want:    []string{`<html lang="sl">`, "← Zahtevki", "Javni odgovor", "Posodobi zahtevek</button>", "Podrobnosti zahtevka"},
					NotWant: []string{"Update ticket"}},
				{Name: "sl new ticket", Who: sl, Method: "GET", Path: "/tickets/new", Status: http.StatusOK,
					Want: []string{`<html lang="sl">`, "<h1>Nov zahtevek</h1>", "Prvo sporočilo", "Ustvari zahtevek</button>", "Interna opomba (zapis klica",
						"Ločeno z vejicami.", ">Telefon<", "+ Nov zahtevek"},
					NotWant: []string{"First message", "Create ticket", "Internal note (a call", "Separated by commas", ">Phone<"}},
				{Name: "nb new ticket", Who: nb, Method: "GET", Path: "/tickets/new", Status: http.StatusOK,
					Want:    []string{`<html lang="nb">`, "<h1>Ny sak</h1>", "Første melding", "Opprett sak</button>"},
					NotWant: []string{"First message", "Create ticket"}},
				{Name: "en list stays English", Who: en, Method: "GET", Path: "/tickets", Status: http.StatusOK,
					Want: []string{`<html lang="en">`, "<h2>Views</h2>", "Sign out</button>", "<legend>Change selected tickets</legend>", ">Urgent</span>"}},
				{Name: "en ticket stays English", Who: en, Method: "GET", Path: ticketPath, Status: http.StatusOK,
					Want: []string{`<html lang="en">`, "← Tickets", "Public reply", "Update ticket</button>", "via Web form"}},
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
			nb := webtest.SignInEmail(t, e, "nora@ombud.test")
			sl := webtest.SignInEmail(t, e, "spela@ombud.test")
			en := webtest.SignIn(t, e, authz.Admin)
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "nb agents", Who: nb, Method: "GET", Path: "/admin/agents", Status: http.StatusOK,
					Want: []string{`<html lang="nb">`, "<h1>Agenter</h1>", ">Tidssone</th>", "Inviter en agent", "<legend>Ny agent</legend>",
						`<option value="sl">Slovenščina</option>`, `<option value="nb">Norsk bokmål</option>`, ">Administrator</option>", ">Aktiv<", "(påkrevd)"},
					NotWant: []string{"Invite an agent", ">Time zone<", "New agent", "(required)"}},
				{Name: "nb admin sets a bad zone", Who: nb, Method: "POST", Path: "/admin/agents/3", Status: http.StatusBadRequest,
					Form:    url.Values{"name": {"Test agent"}, "role": {"agent"}, "locale": {"da"}, "time_zone": {"Mars/Base"}, "active": {"yes"}},
					Want:    []string{"må være en IANA-tidssone som Europe/Oslo", `<option value="da" selected>Dansk</option>`, "Rett opp følgende"},
					NotWant: []string{"Please correct the following"}},
				{Name: "nb admin sets a language", Who: nb, Method: "POST", Path: "/admin/agents/3", Status: http.StatusSeeOther, Location: "/admin/agents/3?saved=1",
					Form: url.Values{"name": {"Test agent"}, "role": {"agent"}, "locale": {"da"}, "time_zone": {"Europe/Copenhagen"}, "active": {"yes"}}},
				{Name: "nb mailbox form", Who: nb, Method: "GET", Path: "/admin/mailboxes", Status: http.StatusOK,
					Want:    []string{"<h1>Postbokser</h1>", "Legg til en postboks", "Utgående e-post (SMTP-relé)", ">Ingen team</option>", ">Vert</label>"},
					NotWant: []string{"Add a mailbox", "Outgoing mail"}},
				{Name: "nb sla policies", Who: nb, Method: "GET", Path: "/admin/sla-policies/new", Status: http.StatusOK,
					Want: []string{"<h1>Ny SLA-policy</h1>", "<legend>Betingelser</legend>", "Første svar (Lav)", ">Haster<"}},
				{Name: "nb customer", Who: nb, Method: "GET", Path: customerPath, Status: http.StatusOK,
					Want: []string{"← Kunder", "<h2 id=\"ids-title\">Identiteter</h2>", "Saker i alle kanaler", "Lagre kunde", "lagt til " + at("nb", "Europe/Oslo"),
						">Venter</span>", ">Nettskjema</td>"},
					NotWant: []string{"Save customer", "Tickets on every channel"}},
				{Name: "nb customers", Who: nb, Method: "GET", Path: "/customers", Status: http.StatusOK,
					Want: []string{"<h1>Kunder</h1>", "Legg til en kunde", ">Lagt til</th>", "<td>" + at("nb", "Europe/Oslo") + "</td>"}},
				{Name: "nb history and dates", Who: nb, Method: "GET", Path: ticketPath, Status: http.StatusOK,
					Want: []string{"opprettet saken (Nettskjema, Haster)", "endret status fra Ny til Venter", "stikkord: la til ", ", fjernet —",
						"åpnet " + at("nb", "Europe/Oslo"), "<time>" + at("nb", "Europe/Oslo") + "</time>"},
					NotWant: []string{"created the ticket", "changed status"}},
				{Name: "sl teams", Who: sl, Method: "GET", Path: "/admin/teams", Status: http.StatusOK,
					Want:    []string{`<html lang="sl">`, "<h1>Ekipe</h1>", "Dodaj ekipo", "<legend>Nova ekipa</legend>", `<label for="f-name">Ime `},
					NotWant: []string{"Add a team"}},
				{Name: "sl customer", Who: sl, Method: "GET", Path: customerPath, Status: http.StatusOK,
					Want: []string{"← Stranke", "Identitete", "Zahtevki v vseh kanalih", "Shrani stranko", "dodano " + at("sl", "Asia/Tokyo")}},
				{Name: "sl history and dates", Who: sl, Method: "GET", Path: ticketPath, Status: http.StatusOK,
					Want: []string{"je ustvaril(a) zahtevek (Spletni obrazec, Nujna)", "je spremenil(a) stanje iz Nov v V čakanju",
						"<time>" + at("sl", "Asia/Tokyo") + "</time>"},
					NotWant: []string{"created the ticket"}},
				{Name: "en stays English", Who: en, Method: "GET", Path: ticketPath, Status: http.StatusOK,
					Want: []string{"created the ticket (Web form, Urgent)", "changed status from New to Pending", "<time>" + at("en", "UTC") + "</time>"}},
				{Name: "en admin stays English", Who: en, Method: "GET", Path: "/admin/agents", Status: http.StatusOK,
					Want: []string{"<h1>Agents</h1>", "Invite an agent", ">Time zone</th>"}},
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
	nb := webtest.SignInEmail(t, e, "nora@ombud.test")
	collab := webtest.SignIn(t, e, authz.Collaborator)
	webtest.RunPages(t, []webtest.PageCase{
		{Name: "profile in nb", Who: nb, Method: "GET", Path: "/profile", Status: http.StatusOK,
			Want: []string{`<html lang="nb">`, "<h1>Min profil</h1>", `<option value="nb" selected>Norsk bokmål</option>`, `value="Europe/Oslo"`,
				`href="/profile"`, "Lagre profil"}},
		{Name: "collaborators have one too", Who: collab, Method: "GET", Path: "/profile", Status: http.StatusOK, Want: []string{"<h1>My profile</h1>"}},
		{Name: "bad zone", Who: nb, Method: "POST", Path: "/profile", Form: url.Values{"locale": {"nb"}, "time_zone": {"Mars/Base"}}, Status: http.StatusBadRequest,
			Want: []string{"må være en IANA-tidssone som Europe/Oslo", `aria-invalid="true"`, `value="Mars/Base"`}},
		{Name: "bad locale", Who: nb, Method: "POST", Path: "/profile", Form: url.Values{"locale": {"fr"}, "time_zone": {"UTC"}}, Status: http.StatusBadRequest,
			Want: []string{"må være et av språkene i listen"}},
		{Name: "switch to Swedish, nothing else", Who: nb, Method: "POST", Path: "/profile",
			Form:   url.Values{"locale": {"sv"}, "time_zone": {"Europe/Stockholm"}, "role": {"admin"}, "team_ids": {"1"}, "name": {"Hacker"}, "active": {"no"}},
			Status: http.StatusSeeOther, Location: "/profile?saved=1"},
		{Name: "saved, in Swedish", Who: nb, Method: "GET", Path: "/profile?saved=1", Status: http.StatusOK,
			Want: []string{`<html lang="sv">`, "<h1>Min profil</h1>", "Din profil har sparats.", `<option value="sv" selected>Svenska</option>`, `value="Europe/Stockholm"`}},
		{Name: "next page in Swedish", Who: nb, Method: "GET", Path: "/tickets", Status: http.StatusOK,
			Want: []string{`<html lang="sv">`, "<h2>Vyer</h2>", "Logga ut</button>"}, NotWant: []string{"Logg ut"}},
		{Name: "bad zone in Swedish", Who: nb, Method: "POST", Path: "/profile", Form: url.Values{"locale": {"sv"}, "time_zone": {"Local"}}, Status: http.StatusBadRequest,
			Want: []string{"måste vara en IANA-tidszon"}},
	})
	got, err := e.Sys.Agents.GetAgent(t.Context(), authz.System, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Locale != "sv" || got.TimeZone != "Europe/Stockholm" || got.Role != authz.Agent || got.Name != "Nora" || !got.Active || len(got.TeamIDs) != 0 {
		t.Errorf("after the profile form: %+v", got)
	}
}
