package people_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestAvailabilitySwitch checks the header's switch: an agent sets their own
// availability, a bad value is refused, and colleagues see it beside the
// agent's name when assigning.
func TestAvailabilitySwitch(t *testing.T) {
	e := apptest.New(t, db.SQLite)
	id := webtest.CreateTicket(t, e, "Who is around")
	if !strings.Contains(webtest.GetPage(t, e, authz.Agent, "/tickets"), `action="/availability"`) {
		t.Fatal("header lacks the availability switch")
	}
	if st := webtest.PostForm(t, e, authz.Agent, "/availability", url.Values{"availability": {"away"}}); st != http.StatusSeeOther {
		t.Fatalf("set away: %d", st)
	}
	if st := webtest.PostForm(t, e, authz.Agent, "/availability", url.Values{"availability": {"sleeping"}}); st != http.StatusBadRequest {
		t.Errorf("bad value: %d", st)
	}
	_, me := e.Do(t, authz.Agent, "GET", fmt.Sprintf("/api/v1/agents/%d", e.Agents[authz.Agent].ID), nil)
	if me["availability"] != "away" {
		t.Errorf("availability %v", me["availability"])
	}
	page := webtest.GetPage(t, e, authz.Manager, fmt.Sprintf("/tickets/%d", id))
	if !strings.Contains(page, e.Agents[authz.Agent].Name+" (Away)") {
		t.Error("a colleague does not see the agent as away")
	}
	if !strings.Contains(webtest.GetPage(t, e, authz.Agent, "/tickets"), `class="availability a-away"`) {
		t.Error("the header does not show the agent as away")
	}
}
