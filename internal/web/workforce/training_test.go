package workforce_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestTrainingPages: the training pages per role on both engines: a lead
// adds a course and assigns it, the agent completes it from their page,
// the matrix shows the granted skill, a lead edits the matrix, an
// onboarding checklist is started and ticked, and the CSV export.
func TestTrainingPages(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			manager, agent := webtest.SignIn(t, e, authz.Manager), webtest.SignIn(t, e, authz.Agent)
			ag, lead := e.Agents[authz.Agent], e.Agents[authz.Manager]
			past := time.Now().UTC().AddDate(0, 0, -3).Format(time.DateOnly)
			soon := time.Now().UTC().AddDate(0, 0, 10).Format(time.DateOnly)
			id := func(n int64) string { return fmt.Sprint(n) }
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "empty", Who: manager, Method: "GET", Path: "/workforce/training", Status: 200, Want: []string{"Who is due for what", "Nobody is due for anything here.", "Add a course first."}},
				{Name: "a tab of the schedule", Who: manager, Method: "GET", Path: "/workforce/schedule", Status: 200, Want: []string{`href="/workforce/training"`}},
				{Name: "agents get their own tab", Who: agent, Method: "GET", Path: "/workforce/schedule", Status: 200, Want: []string{`href="/workforce/training/mine"`}},
				{Name: "from the profile", Who: agent, Method: "GET", Path: "/profile", Status: 200, Want: []string{`href="/workforce/training/mine"`}},
				{Name: "agents may not lead", Who: agent, Method: "GET", Path: "/workforce/training", Status: 403},
				{Name: "bad course", Who: manager, Method: "POST", Path: "/workforce/training/courses", Form: webtest.Vals("title", "", "skill", "Billing"), Status: 422, Want: []string{"Check the form.", "must look like kind:value"}},
				{Name: "course", Who: manager, Method: "POST", Path: "/workforce/training/courses", Form: webtest.Vals("title", "Billing basics", "link", "https://learn.example.org/b", "validity_months", "12", "skill", "product:billing"), Status: 303, Location: "/workforce/training?course=1"},
				{Name: "agents may not add courses", Who: agent, Method: "POST", Path: "/workforce/training/courses", Form: webtest.Vals("title", "x"), Status: 403},
				{Name: "assigned late", Who: manager, Method: "POST", Path: "/workforce/training/assignments", Form: webtest.Vals("course_id", "1", "agent_id", id(ag.ID), "due_on", past), Status: 303, Location: "/workforce/training?assigned=1"},
				{Name: "assigned twice", Who: manager, Method: "POST", Path: "/workforce/training/assignments", Form: webtest.Vals("course_id", "1", "agent_id", id(ag.ID), "due_on", soon), Status: 422, Want: []string{"The agent already has this course open."}},
				{Name: "assigned to the lead", Who: manager, Method: "POST", Path: "/workforce/training/assignments", Form: webtest.Vals("course_id", "1", "agent_id", id(lead.ID), "due_on", soon), Status: 303},
				{Name: "overdue first", Who: manager, Method: "GET", Path: "/workforce/training", Status: 200, Want: []string{`class="overdue"`, "Test agent", "overdue"}},
				{Name: "csv", Who: manager, Method: "GET", Path: "/workforce/training/export?status=open", Status: 200, Want: []string{"agent_id,agent,course_id", "Billing basics", "true"}},
				{Name: "the agent's page", Who: agent, Method: "GET", Path: "/workforce/training/mine", Status: 200, Want: []string{"Billing basics", "Mark completed"}, NotWant: []string{"Test manager"}},
				{Name: "not another's", Who: agent, Method: "POST", Path: "/workforce/training/assignments/2/status", Form: webtest.Vals("status", "completed"), Status: 404},
				{Name: "completed", Who: agent, Method: "POST", Path: "/workforce/training/assignments/1/status", Form: webtest.Vals("status", "completed"), Status: 303, Location: "/workforce/training/mine?completed=1"},
				{Name: "skill shown", Who: agent, Method: "GET", Path: "/workforce/training/mine?completed=1", Status: 200, Want: []string{"Course completed.", "product:billing"}},
				{Name: "matrix", Who: manager, Method: "GET", Path: "/workforce/training/matrix", Status: 200, Want: []string{`data-skill="product:billing" class="has"`}},
				{Name: "agents may not see the matrix", Who: agent, Method: "GET", Path: "/workforce/training/matrix", Status: 403},
				{Name: "matrix bad skill", Who: manager, Method: "POST", Path: "/workforce/training/matrix", Form: webtest.Vals("agent_id", id(ag.ID), "skill", "Swedish", "has", "1"), Status: 422, Want: []string{"must look like kind:value"}},
				{Name: "matrix edit", Who: manager, Method: "POST", Path: "/workforce/training/matrix", Form: webtest.Vals("agent_id", id(ag.ID), "skill", "lang:sv", "has", "1"), Status: 303, Location: "/workforce/training/matrix?saved=1"},
				{Name: "skill added", Who: agent, Method: "GET", Path: "/workforce/training/mine", Status: 200, Want: []string{"lang:sv"}},
				{Name: "onboarding", Who: manager, Method: "GET", Path: "/workforce/training/onboarding", Status: 200, Want: []string{"Add a checklist first.", `name="item0_title"`}},
				{Name: "checklist", Who: manager, Method: "POST", Path: "/workforce/training/checklists", Form: webtest.Vals("name", "New agent", "item0_title", "Laptop", "item0_owner", "agent:"+id(lead.ID), "item0_days", "0", "item1_title", "Style guide", "item1_owner", "role:new_hire", "item1_days", "3"), Status: 303, Location: "/workforce/training/onboarding?created=1"},
				{Name: "started", Who: manager, Method: "POST", Path: "/workforce/training/onboarding", Form: webtest.Vals("checklist_id", "1", "agent_id", id(ag.ID), "start", soon), Status: 303},
				{Name: "the hire's checklist", Who: agent, Method: "GET", Path: "/workforce/training/mine", Status: 200, Want: []string{"Laptop", "Style guide", `action="/workforce/training/tasks/2/tick"`}, NotWant: []string{`action="/workforce/training/tasks/1/tick"`}},
				{Name: "the hire may not tick the lead's", Who: agent, Method: "POST", Path: "/workforce/training/tasks/1/tick", Form: webtest.Vals(), Status: 403},
				{Name: "the hire ticks theirs", Who: agent, Method: "POST", Path: "/workforce/training/tasks/2/tick", Form: webtest.Vals(), Status: 303, Location: "/workforce/training/mine?ticked=1"},
				{Name: "the lead's own items", Who: manager, Method: "GET", Path: "/workforce/training/mine", Status: 200, Want: []string{"Onboarding items you own", "Laptop"}},
			})
		})
	}
}
