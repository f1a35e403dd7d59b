package tickets_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// macroFixture makes a team "Billing" with an agent "Ingrid Haugen" and a
// macro that replies, sets the status to pending, the priority to high,
// moves the ticket to Billing, assigns it to Ingrid and tags it.
func macroFixture(t *testing.T, e *apptest.Env) (macroID string, ingrid, billing int64) {
	t.Helper()
	ctx := t.Context()
	a, err := e.Sys.Agents.CreateAgent(ctx, authz.System, agent.AgentInput{Email: "ingrid@ombud.test", Name: "Ingrid Haugen", Role: authz.Agent, Password: apptest.Password})
	if err != nil {
		t.Fatal(err)
	}
	tm, err := e.Sys.Agents.CreateTeam(ctx, authz.System, agent.TeamInput{Name: "Billing", AgentIDs: []int64{a.ID, e.Agents[authz.Agent].ID}})
	if err != nil {
		t.Fatal(err)
	}
	st, m := e.Do(t, authz.Admin, "POST", "/api/v1/macros", map[string]any{
		"name": "Billing handover", "scope": "shared", "body": "Hi {{requester.first_name}}, billing will take it from here.",
		"actions": []map[string]any{
			{"type": "set_status", "value": "pending"}, {"type": "set_priority", "value": "high"},
			{"type": "set_team", "value": tm.ID}, {"type": "set_assignee", "value": a.ID},
			{"type": "add_tags", "value": []string{"billing"}},
		},
	})
	if st != http.StatusCreated {
		t.Fatalf("create macro: %d %v", st, m["_raw"])
	}
	return fmt.Sprint(int64(m["id"].(float64))), a.ID, tm.ID
}

var changesList = regexp.MustCompile(`(?s)<ul class="macro-changes">(.*?)</ul>`)

func TestMacroPendingChanges(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			macroID, ingrid, billing := macroFixture(t, e)
			agentB := webtest.SignIn(t, e, authz.Agent)

			// The preview names the team and the agent, presets "Submit as",
			// and lists each change but the status as a pending change.
			id := slaTicket(t, e, "Invoice is wrong")
			page := fmt.Sprintf("/tickets/%d", id)
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "preview", Who: agentB, Method: "POST", Path: page + "/macros/preview", Form: url.Values{"macro_id": {macroID}}, Status: 200,
					Want: []string{"Assign to Ingrid Haugen", "Team: Billing", "Set priority to High", `<option value="pending" selected>`,
						`<input type="hidden" name="macro_id" value="` + macroID + `">`,
						`name="macro_change" value="assignee_id" checked`, `name="macro_change" value="team_id" checked`,
						`name="macro_change" value="priority" checked`, `name="macro_change" value="add_tags" checked`},
					NotWant: []string{`value="status" checked`, "Move to team"}},
			})
			_, body, _ := agentB.Do(t, "POST", page+"/macros/preview", url.Values{"macro_id": {macroID}})
			m := changesList.FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("no changes list in the preview")
			}
			if ids := regexp.MustCompile(`\b\d+\b`).FindAllString(m[1], -1); len(ids) > 0 {
				t.Errorf("changes list shows numbers %v: %s", ids, m[1])
			}

			send := func(id int64, keep ...string) {
				t.Helper()
				f := url.Values{"body": {"Hi Kari, I have edited this: billing takes over."}, "public": {"true"}, "status": {"pending"},
					"macro_id": {macroID}, "macro_change": keep}
				st, b, loc := agentB.Do(t, "POST", fmt.Sprintf("/tickets/%d/comments", id), f)
				if st != http.StatusSeeOther || !strings.HasPrefix(loc, fmt.Sprintf("/tickets/%d", id)) {
					t.Fatalf("send: %d %s %.300s", st, loc, b)
				}
			}
			ticketJSON := func(id int64) map[string]any {
				t.Helper()
				st, got := e.Do(t, authz.Agent, "GET", fmt.Sprintf("/api/v1/tickets/%d", id), nil)
				if st != http.StatusOK {
					t.Fatalf("get ticket: %d %v", st, got["_raw"])
				}
				return got
			}
			tags := func(m map[string]any) []string {
				var out []string
				for _, x := range m["tags"].([]any) {
					out = append(out, x.(string))
				}
				return out
			}

			// Edited and sent with every change kept: all of them are made.
			send(id, "priority", "team_id", "assignee_id", "add_tags")
			got := ticketJSON(id)
			if got["status"] != "pending" || got["priority"] != "high" || got["team_id"] != float64(billing) ||
				got["assignee_id"] != float64(ingrid) || !slices.Contains(tags(got), "billing") {
				t.Errorf("after send: %v", got)
			}
			st, cs := e.Do(t, authz.Agent, "GET", fmt.Sprintf("/api/v1/tickets/%d/comments", id), nil)
			if st != http.StatusOK || !strings.Contains(fmt.Sprint(cs["data"]), "I have edited this") || strings.Contains(fmt.Sprint(cs["data"]), "billing will take it from here") {
				t.Errorf("comments after send: %d %v", st, cs["data"])
			}

			// One change removed: only it is left out.
			id2 := slaTicket(t, e, "Refund please")
			send(id2, "priority", "team_id", "assignee_id")
			got = ticketJSON(id2)
			if got["status"] != "pending" || got["priority"] != "high" || got["team_id"] != float64(billing) ||
				got["assignee_id"] != float64(ingrid) || slices.Contains(tags(got), "billing") {
				t.Errorf("after send without the tag: %v", got)
			}

			// Without the macro the composer sends as before.
			id3 := slaTicket(t, e, "Plain question")
			st, _, _ = agentB.Do(t, "POST", fmt.Sprintf("/tickets/%d/comments", id3), url.Values{"body": {"Just a reply."}, "public": {"true"}})
			if got := ticketJSON(id3); st != http.StatusSeeOther || got["priority"] != "normal" || got["team_id"] != nil {
				t.Errorf("plain send: %d %v", st, got)
			}

			// A refused change (the assignee was deactivated since) adds no
			// comment and keeps the typed text and the pending changes.
			off := false
			if _, err := e.Sys.Agents.UpdateAgent(t.Context(), authz.System, ingrid, agent.AgentPatch{Active: &off}); err != nil {
				t.Fatal(err)
			}
			id4 := slaTicket(t, e, "Refused handover")
			st, b, _ := agentB.Do(t, "POST", fmt.Sprintf("/tickets/%d/comments", id4), url.Values{"body": {"My own careful words."}, "public": {"true"},
				"status": {"pending"}, "macro_id": {macroID}, "macro_change": {"priority", "assignee_id"}})
			if st != http.StatusBadRequest || !strings.Contains(b, "My own careful words.</textarea>") ||
				!strings.Contains(b, `name="macro_change" value="assignee_id" checked`) || strings.Contains(b, `value="add_tags" checked`) {
				t.Errorf("refused send: %d %.2000s", st, b)
			}
			if got := ticketJSON(id4); got["status"] != "new" || got["priority"] != "normal" {
				t.Errorf("after a refused send: %v", got)
			}

			// Each send counted the macro once.
			st, mj := e.Do(t, authz.Agent, "GET", "/api/v1/macros/"+macroID, nil)
			if st != http.StatusOK || mj["usage_count"] != float64(2) {
				t.Errorf("usage_count %v, want 2", mj["usage_count"])
			}
		})
	}
}
