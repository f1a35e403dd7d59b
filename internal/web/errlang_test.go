package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestRefusalsInTheAgentsLanguage provokes the services' refusals from the
// pages' forms (a duplicate name, a merge into itself, a bad time zone, a
// missing ticket…) as an admin of each non-English locale, and fails when
// the page shows the service's English message, or not its translation.
// The JSON API answers the same refusals in English with stable codes.
func TestRefusalsInTheAgentsLanguage(t *testing.T) {
	e := apptest.New(t, db.SQLite)
	tr, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	ids, seeded := seedUntranslated(t, e)
	englishIn := englishFinder(tr, seeded)
	tp := fmt.Sprintf("/tickets/%d", ids["ticket"])
	cases := []struct {
		name, method, path string
		form               url.Values
		msg                string // the service's English message, shown translated
	}{
		{"duplicate team", "POST", "/admin/teams", url.Values{"name": {"Fjordteam"}}, "a team with this name exists"},
		{"duplicate organization", "POST", "/organizations", url.Values{"name": {"Fjord AS"}}, "an organization with this name exists"},
		{"customer without anything", "POST", "/customers", url.Values{"name": {""}}, "a customer needs a name or at least one email, phone or handle"},
		{"merge into itself", "POST", tp + "/merge", url.Values{"target_id": {fmt.Sprint(ids["ticket"])}, "confirm": {"yes"}}, "cannot merge a ticket into itself"},
		{"field key", "POST", "/admin/fields", url.Values{"key": {"9 bad"}, "label": {"Fjord size"}, "type": {"text"}}, "must start with a letter and hold only a-z, 0-9 and _ (at most 63)"},
		{"time zone", "POST", "/admin/calendars", url.Values{"name": {"Fjord nights"}, "time_zone": {"Mars/Olympus"}}, "must be an IANA time zone such as Europe/Oslo or America/New_York"},
		{"missing ticket", "GET", "/tickets/987654", nil, "ticket 987654 not found"},
		{"missing customer", "GET", "/customers/987654", nil, "customer 987654 not found"},
		{"no such page", "GET", "/no-such-page", nil, "page /no-such-page not found"},
		{"wrong method", "DELETE", "/admin/teams", url.Values{}, "method DELETE is not allowed here; use GET, HEAD, POST"},
	}
	for i, lang := range []string{"nb", "sv", "da", "sl"} {
		addr := fmt.Sprintf("refused-%s@ombud.test", lang)
		if _, err := e.Sys.Agents.CreateAgent(t.Context(), authz.System, agent.AgentInput{
			Email: addr, Name: fmt.Sprintf("Refused %d", i), Role: authz.Admin, Locale: lang, Password: apptest.Password}); err != nil {
			t.Fatalf("create %s: %v", addr, err)
		}
		b := webtest.SignInEmail(t, e, addr)
		for _, tc := range cases {
			t.Run(lang+"/"+tc.name, func(t *testing.T) {
				st, body, loc := b.Do(t, tc.method, tc.path, tc.form)
				if st < 400 || st >= 500 {
					t.Fatalf("status %d (to %q), want a refusal\n%s", st, loc, webtest.Excerpt(body))
				}
				want := tr.Message(lang, tc.msg)
				if want == tc.msg {
					t.Fatalf("%q has no %s translation", tc.msg, lang)
				}
				strs := readableStrings(t, body)
				found := false
				for _, s := range strs {
					if strings.Contains(s, want) {
						found = true
					}
					if key, bad := englishIn(lang, s); bad {
						t.Errorf("English %q (key %q)", s, key)
					}
					if strings.Contains(s, tc.msg) {
						t.Errorf("the service's English message in %q", s)
					}
				}
				if !found {
					t.Errorf("page does not say %q\n%s", want, webtest.Excerpt(body))
				}
			})
		}
	}
}
