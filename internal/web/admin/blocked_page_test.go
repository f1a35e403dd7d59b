package admin_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestBlockedSendersPage: a bad value is refused on the page with the
// field's error in the admin's language and nothing stored; a good one is
// listed; agents may not change the list.
func TestBlockedSendersPage(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			if st, b := e.Do(t, authz.Admin, "PATCH", fmt.Sprintf("/api/v1/agents/%d", e.Agents[authz.Admin].ID), map[string]any{"locale": "nb"}); st != 200 {
				t.Fatalf("locale: %d %v", st, b["_raw"])
			}
			admin := webtest.SignIn(t, e, authz.Admin)
			st, page, _ := admin.Do(t, "POST", "/admin/blocked-senders", url.Values{"value": {"not a domain"}})
			if st != 400 || !strings.Contains(page, "må være en e-postadresse eller et domene") || !strings.Contains(page, `value="not a domain"`) {
				t.Fatalf("bad value: %d %s", st, webtest.Excerpt(page))
			}
			if st, page, _ := admin.Do(t, "GET", "/admin/blocked-senders", nil); st != 200 || !strings.Contains(page, "Ingen avsendere er blokkert.") {
				t.Fatalf("after a refusal: %d %s", st, webtest.Excerpt(page))
			}
			if st, _, loc := admin.Do(t, "POST", "/admin/blocked-senders", url.Values{"value": {"@bulk.example"}, "reason": {"newsletters"}}); st != 303 || !strings.Contains(loc, "added=bulk.example") {
				t.Fatalf("block a domain: %d %s", st, loc)
			}
			if st, page, _ := admin.Do(t, "GET", "/admin/blocked-senders?added=bulk.example", nil); st != 200 || !strings.Contains(page, "@bulk.example") || !strings.Contains(page, "newsletters") {
				t.Fatalf("list: %d %s", st, webtest.Excerpt(page))
			}
			agent := webtest.SignIn(t, e, authz.Agent)
			if st, _, _ := agent.Do(t, "POST", "/admin/blocked-senders", url.Values{"value": {"x@example.org"}}); st != 403 {
				t.Fatalf("an agent blocked a sender: %d", st)
			}
		})
	}
}
