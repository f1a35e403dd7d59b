package tickets_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestRequesterContext checks the requester's side of the ticket page on
// both engines: links to the customer and organization, identities, local
// time, notes and a note added from the ticket, and their other open and
// recently solved tickets.
func TestRequesterContext(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			st, org := e.Do(t, authz.Admin, "POST", "/api/v1/organizations", `{"name":"Fjord AS","domains":["fjord.example"]}`)
			if st != 201 {
				t.Fatalf("org: %d %v", st, org["_raw"])
			}
			mk := func(subject string) int64 {
				st, tk := e.Do(t, authz.Agent, "POST", "/api/v1/tickets", map[string]any{"subject": subject, "description": "Hei",
					"requester": map[string]any{"email": "kari@fjord.example", "name": "Kari Fjord"}})
				if st != 201 {
					t.Fatalf("ticket: %d %v", st, tk["_raw"])
				}
				return int64(tk["id"].(float64))
			}
			id, other, done := mk("Current"), mk("Other open one"), mk("Old solved one")
			if st, _ := e.Do(t, authz.Agent, "PATCH", fmt.Sprintf("/api/v1/tickets/%d", done), `{"status":"solved"}`); st != 200 {
				t.Fatal("solve")
			}
			_, tk := e.Do(t, authz.Agent, "GET", fmt.Sprintf("/api/v1/tickets/%d", id), nil)
			cust := int64(tk["requester_id"].(float64))
			if st, body := e.Do(t, authz.Agent, "PATCH", fmt.Sprintf("/api/v1/customers/%d", cust), `{"time_zone":"Europe/Oslo"}`); st != 200 {
				t.Fatalf("time zone: %d %v", st, body["_raw"])
			}
			if st, _ := e.Do(t, authz.Agent, "PATCH", fmt.Sprintf("/api/v1/customers/%d", cust), `{"time_zone":"Mars/Olympus"}`); st != 400 {
				t.Errorf("bad time zone: %d", st)
			}
			path := fmt.Sprintf("/tickets/%d", id)
			if st, loc := webtest.PostFormLoc(t, e, authz.Agent, path+"/customer-note", url.Values{"note": {"Prefers phone calls after 15:00."}}); st != http.StatusSeeOther || !strings.HasSuffix(loc, "#requester") {
				t.Fatalf("note: %d %s", st, loc)
			}
			if st, body := webtest.PostFormBody(t, e, authz.Agent, path+"/customer-note", url.Values{"note": {"  "}}); st != http.StatusBadRequest || !strings.Contains(body, "Prefers phone calls") {
				t.Errorf("empty note: %d", st)
			}
			page := webtest.GetPage(t, e, authz.Agent, path)
			for _, want := range []string{fmt.Sprintf(`href="/customers/%d"`, cust), `href="/organizations/`, "Fjord AS", "kari@fjord.example",
				"Local time:", "(Europe/Oslo)", "Prefers phone calls after 15:00.", fmt.Sprintf(`href="/tickets/%d">#%d Other open one`, other, other),
				fmt.Sprintf(`href="/tickets/%d">#%d Old solved one`, done, done), `action="` + path + `/customer-note"`} {
				if !strings.Contains(page, want) {
					t.Errorf("ticket page lacks %s", want)
				}
			}
			if strings.Contains(page, fmt.Sprintf(`href="/tickets/%d">#%d Current`, id, id)) {
				t.Error("the ticket lists itself among the requester's others")
			}
			if strings.Contains(webtest.GetPage(t, e, authz.Collaborator, path), "/customer-note") {
				t.Error("a collaborator is offered the customer note form")
			}
			if st := webtest.PostForm(t, e, authz.Collaborator, path+"/customer-note", url.Values{"note": {"x"}}); st != http.StatusForbidden {
				t.Errorf("collaborator note: %d", st)
			}
		})
	}
}
