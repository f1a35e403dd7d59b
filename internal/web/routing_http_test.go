package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
)

func TestRoutingAPI(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			st, body := e.Do(t, authz.Admin, "POST", "/api/v1/teams", map[string]any{"name": "Support"})
			if st != 201 {
				t.Fatalf("team: %d %v", st, body["_raw"])
			}
			team := int64(body["id"].(float64))
			rp := fmt.Sprintf("/api/v1/routing/teams/%d", team)
			agentID := e.Agents[authz.Agent].ID
			tests := []scenario{
				{"get defaults", authz.Agent, "GET", rp, nil, 200, "method"},
				{"get unknown team", authz.Agent, "GET", "/api/v1/routing/teams/4242", nil, 404, ""},
				{"get as qa", authz.QAReviewer, "GET", rp, nil, 403, ""},
				{"put as agent", authz.Agent, "PUT", rp, `{"method":"round_robin"}`, 403, ""},
				{"put bad method", authz.Manager, "PUT", rp, `{"method":"random"}`, 400, "method"},
				{"put capacity zero", authz.Manager, "PUT", rp, `{"method":"least_load","capacity":0}`, 400, "capacity"},
				{"put unknown lead", authz.Manager, "PUT", rp, `{"method":"manual","escalate_after_minutes":30,"escalate_to":{"agent_id":4242}}`, 400, "escalate_to.agent_id"},
				{"put unknown field", authz.Manager, "PUT", rp, `{"method":"manual","colour":"red"}`, 400, "colour"},
				{"put", authz.Manager, "PUT", rp, fmt.Sprintf(`{"method":"round_robin","capacity":5,"agent_capacities":[{"agent_id":%d,"capacity":2}],"offline_policy":"return","escalate_after_minutes":30,"escalate_to":{"agent_id":%d}}`, agentID, e.Agents[authz.Manager].ID), 200, "escalate_to"},
				{"availability own", authz.Agent, "PUT", fmt.Sprintf("/api/v1/agents/%d/availability", agentID), `{"availability":"online"}`, 200, "availability"},
				{"availability bad", authz.Agent, "PUT", fmt.Sprintf("/api/v1/agents/%d/availability", agentID), `{"availability":"asleep"}`, 400, "availability"},
				{"availability of another", authz.Agent, "PUT", fmt.Sprintf("/api/v1/agents/%d/availability", e.Agents[authz.Admin].ID), `{"availability":"online"}`, 403, ""},
				{"availability by manager", authz.Manager, "PUT", fmt.Sprintf("/api/v1/agents/%d/availability", agentID), `{"availability":"away"}`, 200, "updated_at"},
				{"availability unknown agent", authz.Manager, "PUT", "/api/v1/agents/4242/availability", `{"availability":"away"}`, 404, ""},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					st, reply := e.Do(t, tt.role, tt.method, tt.path, tt.body)
					if st != tt.status {
						t.Fatalf("status %d, want %d: %v", st, tt.status, reply["_raw"])
					}
					if st >= 400 && tt.field != "" {
						fields, _ := reply["error"].(map[string]any)["fields"].(map[string]any)
						if _, ok := fields[tt.field]; !ok {
							t.Fatalf("error fields %v lack %q", fields, tt.field)
						}
					} else if tt.field != "" {
						if _, ok := reply[tt.field]; !ok {
							t.Fatalf("reply lacks %q: %v", tt.field, reply["_raw"])
						}
					}
					if tt.name == "put" && !strings.Contains(reply["_raw"].(string), `"capacity":5`) {
						t.Fatalf("put reply %v", reply["_raw"])
					}
				})
			}
		})
	}
}
