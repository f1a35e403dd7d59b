package workforce_test

import (
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestForecastPages: the staffing forecast per role and channel, its
// validation, and adding an adjustment, on both engines.
func TestForecastPages(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			st, body := e.Do(t, authz.Agent, "POST", "/api/v1/tickets", map[string]any{
				"subject": "Call me", "description": "hello", "channel": "phone",
				"requester": map[string]any{"email": "caller@example.org"},
			})
			if st != 201 {
				t.Fatalf("ticket: %d %v", st, body)
			}
			manager, agent, qa := webtest.SignIn(t, e, authz.Manager), webtest.SignIn(t, e, authz.Agent), webtest.SignIn(t, e, authz.QAReviewer)
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "phone forecast", Who: manager, Method: "GET", Path: "/workforce/forecast", Status: 200,
					Want: []string{"Staffing forecast", `id="forecast-days"`, "How far to trust it", "Peak required agents", `action="/workforce/adjustments"`}},
				{Name: "in the admin menu", Who: manager, Method: "GET", Path: "/reports", Status: 200, Want: []string{`href="/workforce/forecast"`}},
				{Name: "email with its SLA", Who: manager, Method: "GET", Path: "/workforce/forecast?channel=email&weeks=1&sla_hours=4&aht=600", Status: 200,
					Want: []string{`<option value="email" selected>`}},
				{Name: "chat", Who: manager, Method: "GET", Path: "/workforce/forecast?channel=chat&concurrency=3", Status: 200},
				{Name: "bad weeks", Who: manager, Method: "GET", Path: "/workforce/forecast?weeks=9", Status: 422, Want: []string{"Check the plan&#39;s settings.", "must be between 1 and 6"}},
				{Name: "bad number", Who: manager, Method: "GET", Path: "/workforce/forecast?aht=soon", Status: 422, Want: []string{"must be between 1 and 86400 seconds"}},
				{Name: "agents may not", Who: agent, Method: "GET", Path: "/workforce/forecast", Status: 403},
				{Name: "QA reviewers read without the form", Who: qa, Method: "GET", Path: "/workforce/forecast", Status: 200, NotWant: []string{`action="/workforce/adjustments"`}},
				{Name: "QA reviewers may not adjust", Who: qa, Method: "POST", Path: "/workforce/adjustments",
					Form: webtest.Vals("channel", "phone", "from", "2030-01-01", "to", "2030-01-02", "percent", "20"), Status: 403},
				{Name: "adjustment refused", Who: manager, Method: "POST", Path: "/workforce/adjustments",
					Form: webtest.Vals("channel", "phone", "from", "2030-01-05", "to", "2030-01-02", "percent", "20"), Status: 422,
					Want: []string{"must be on or after the start, within a year", `value="2030-01-05"`}},
				{Name: "adjustment added", Who: manager, Method: "POST", Path: "/workforce/adjustments",
					Form: webtest.Vals("channel", "phone", "from", "2030-01-01", "to", "2030-01-02", "percent", "25", "note", "Launch"), Status: 303,
					Location: "/workforce/forecast?channel=phone&done=added"},
				{Name: "listed", Who: manager, Method: "GET", Path: "/workforce/forecast?channel=phone&done=added", Status: 200,
					Want: []string{"Adjustment added.", "2030-01-01 – 2030-01-02: 25 % Launch"}},
			})
		})
	}
}
