package workforce_test

import (
	"fmt"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestBudgetPages: the budget page per role on both engines: a lead saves
// rates (a bad currency and rate are refused on the form), an agent and a
// QA reviewer see no pay, the what-if and headcount forms refuse bad
// numbers, and the headcount plan downloads as CSV.
func TestBudgetPages(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			manager, agent, qa := webtest.SignIn(t, e, authz.Manager), webtest.SignIn(t, e, authz.Agent), webtest.SignIn(t, e, authz.QAReviewer)
			ag := fmt.Sprintf("agent_%d", e.Agents[authz.Agent].ID)
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "the page", Who: manager, Method: "GET", Path: "/workforce/budget", Status: 200,
					Want: []string{"Budget and headcount", `id="projection"`, `id="what-if"`, `id="headcount"`, `id="actual"`, `action="/workforce/budget/rates"`}},
				{Name: "in the admin menu", Who: manager, Method: "GET", Path: "/reports", Status: 200, Want: []string{`href="/workforce/budget"`}},
				{Name: "agents see no pay", Who: agent, Method: "GET", Path: "/workforce/budget", Status: 403},
				{Name: "QA reviewers neither", Who: qa, Method: "GET", Path: "/workforce/budget", Status: 403},
				{Name: "agents may not set rates", Who: agent, Method: "POST", Path: "/workforce/budget/rates", Form: webtest.Vals("role_agent", "1"), Status: 403},
				{Name: "bad rates", Who: manager, Method: "POST", Path: "/workforce/budget/rates", Form: webtest.Vals("currency", "kroner", "role_agent", "-5", ag, "999999"), Status: 422,
					Want: []string{"must be a three-letter currency code (ISO 4217)", "must be between 0 and 100000", `value="kroner"`, `value="999999"><p class="field-error">must be between 0 and 100000`}},
				{Name: "not a number", Who: manager, Method: "POST", Path: "/workforce/budget/rates", Form: webtest.Vals("aht_phone", "soon"), Status: 422,
					Want: []string{"must be a number", `value="soon"`}},
				{Name: "rates saved", Who: manager, Method: "POST", Path: "/workforce/budget/rates", Form: webtest.Vals("currency", "sek", "role_agent", "210,50", "role_manager", "300", ag, "250", "aht_email", "540"), Status: 303,
					Location: "/workforce/budget?saved=1"},
				{Name: "shown", Who: manager, Method: "GET", Path: "/workforce/budget?saved=1", Status: 200,
					Want: []string{"Rates saved.", `value="SEK"`, `value="210.50"`, `value="250.00"`, `value="540"`}},
				{Name: "bad what-if", Who: manager, Method: "GET", Path: "/workforce/budget?what_if_level=150&volume_change=900&months=99", Status: 422,
					Want: []string{"must be between -90 and 500", "must be between 1 and 24", `id="projection"`}},
				{Name: "headcount CSV", Who: manager, Method: "GET", Path: "/workforce/budget/headcount.csv?months=3&headcount=4", Status: 200,
					Want: []string{"month,required_fte,headcount_without_hiring"}},
			})

			// The JSON API: leads only, each bad field named, never a 500.
			for _, c := range []struct {
				role   authz.Role
				method string
				path   string
				body   any
				status int
				field  string
			}{
				{authz.Agent, "GET", "/api/v1/budget/rates", nil, 403, ""},
				{authz.QAReviewer, "GET", "/api/v1/budget/projection", nil, 403, ""},
				{authz.Agent, "PUT", "/api/v1/budget/rates", map[string]any{"roles": map[string]any{"agent": 1}}, 403, ""},
				{authz.Manager, "PUT", "/api/v1/budget/rates", map[string]any{"currency": "euro"}, 400, "currency"},
				{authz.Manager, "PUT", "/api/v1/budget/rates", map[string]any{"agents": []any{map[string]any{"agent_id": 999999, "hourly_rate": 10}}}, 400, "agents.0.agent_id"},
				{authz.Manager, "PUT", "/api/v1/budget/rates", map[string]any{"roles": map[string]any{"agent": 99.5}}, 200, ""},
				{authz.Manager, "GET", "/api/v1/budget/projection?days=soon", nil, 400, "days"},
				{authz.Manager, "GET", "/api/v1/budget/projection?days=99", nil, 400, "days"},
				{authz.Manager, "GET", "/api/v1/budget/projection?from=tomorrow", nil, 400, "from"},
				{authz.Manager, "GET", "/api/v1/budget/projection?bogus=1", nil, 400, "bogus"},
				{authz.Manager, "GET", "/api/v1/budget/what-if?volume_change=900", nil, 400, "volume_change"},
				{authz.Manager, "GET", "/api/v1/budget/what-if?what_if_seconds=0", nil, 400, "what_if_seconds"},
				{authz.Manager, "GET", "/api/v1/budget/what-if?what_if_level=95", nil, 200, ""},
				{authz.Manager, "GET", "/api/v1/budget/headcount?lead_weeks=99&attrition=x", nil, 400, "attrition"},
				{authz.Manager, "GET", "/api/v1/budget/headcount?lead_weeks=99", nil, 400, "lead_weeks"},
				{authz.Manager, "GET", "/api/v1/budget/headcount?months=3&headcount=5", nil, 200, ""},
				{authz.Manager, "GET", "/api/v1/budget/actual?month=June", nil, 400, "month"},
				{authz.Manager, "GET", "/api/v1/budget/actual?format=xml", nil, 400, "format"},
				{authz.Manager, "GET", "/api/v1/budget/actual", nil, 200, ""},
			} {
				st, body := e.Do(t, c.role, c.method, c.path, c.body)
				if st != c.status {
					t.Errorf("%s %s as %s: %d %v, want %d", c.method, c.path, c.role, st, body, c.status)
					continue
				}
				if c.field != "" {
					fields, _ := body["error"].(map[string]any)["fields"].(map[string]any)
					if fields[c.field] == nil {
						t.Errorf("%s %s: fields %v lack %s", c.method, c.path, fields, c.field)
					}
				}
			}
			_, hc := e.Do(t, authz.Manager, "GET", "/api/v1/budget/headcount?months=3&headcount=5", nil)
			if m, _ := hc["months"].([]any); len(m) != 3 || hc["headcount"] != float64(5) {
				t.Errorf("headcount: %v", hc)
			}
		})
	}
}
