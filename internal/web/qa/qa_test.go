package qa_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var reviewPath = regexp.MustCompile(`^/qa/reviews/(\d+)`)

// TestQAPages walks the quality pages as each role on both engines: a
// scorecard from the editor, sampling, a review with a critical fail
// beside the conversation, the agent's dispute, the lead's resolution,
// and who may open what.
func TestQAPages(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			agentID := e.Agents[authz.Agent].ID
			st, body := e.Do(t, authz.Agent, "POST", "/api/v1/tickets", map[string]any{
				"subject": "Parcel lost", "description": "Where is my parcel?", "channel": "email", "assignee_id": agentID,
				"requester": map[string]any{"email": "kari@example.org"},
			})
			if st != 201 {
				t.Fatalf("ticket: %d %v", st, body)
			}
			tid := int64(body["id"].(float64))
			if st, body := e.Do(t, authz.Agent, "PATCH", fmt.Sprintf("/api/v1/tickets/%d", tid), map[string]any{"status": "solved"}); st != 200 {
				t.Fatalf("solve: %d %v", st, body)
			}
			lead, agent, rev := webtest.SignIn(t, e, authz.Manager), webtest.SignIn(t, e, authz.Agent), webtest.SignIn(t, e, authz.QAReviewer)
			collab := webtest.SignIn(t, e, authz.Collaborator)
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "hub for the lead", Who: lead, Method: "GET", Path: "/qa", Status: 200, Want: []string{`href="/qa/scorecards"`, `href="/qa/iqs"`, `href="/qa/mine"`}},
				{Name: "hub for an agent", Who: agent, Method: "GET", Path: "/qa", Status: 200, Want: []string{`href="/qa/mine"`}, NotWant: []string{`href="/qa/scorecards"`}},
				{Name: "nav link", Who: rev, Method: "GET", Path: "/qa", Status: 200, Want: []string{`href="/qa/assignments"`, `href="/qa"`}},
				{Name: "collaborators have no quality pages", Who: collab, Method: "GET", Path: "/qa", Status: 403},
				{Name: "empty scorecard refused", Who: lead, Method: "POST", Path: "/qa/scorecards", Form: webtest.Vals("name", ""), Status: 422,
					Want: []string{"at least one category is required"}},
				{Name: "scorecard created", Who: lead, Method: "POST", Path: "/qa/scorecards", Form: webtest.Vals("name", "Email quality",
					"cat_name_0", "Accuracy", "cat_weight_0", "3", "cat_scale_0", "five",
					"cat_name_1", "Compliance", "cat_weight_1", "1", "cat_scale_1", "binary", "cat_critical_1", "on"), Status: 303, Location: "/qa/scorecards/"},
				{Name: "agents may not edit scorecards", Who: agent, Method: "GET", Path: "/qa/scorecards", Status: 403},
				{Name: "sampling saved", Who: lead, Method: "POST", Path: "/qa/sampling", Form: webtest.Vals("per_agent", "2"), Status: 303, Location: "/qa/sampling?done=saved"},
				{Name: "sampled", Who: lead, Method: "POST", Path: "/qa/sampling/run", Form: webtest.Vals("week", "this"), Status: 303, Location: "/qa/sampling?done=sampled"},
				{Name: "workload", Who: lead, Method: "GET", Path: "/qa/sampling", Status: 200, Want: []string{"Reviewer workload", "Parcel lost"}},
				{Name: "assignments", Who: rev, Method: "GET", Path: "/qa/assignments", Status: 200, Want: []string{"Parcel lost", "Random pick", `action="/qa/reviews"`}},
			})
			_, cards := e.Do(t, authz.Manager, "GET", "/api/v1/qa/scorecards", nil)
			card := cards["data"].([]any)[0].(map[string]any)
			cats := card["categories"].([]any)
			cat := func(i int) string { return fmt.Sprint(int64(cats[i].(map[string]any)["id"].(float64))) }
			st, _, loc := rev.Do(t, "POST", "/qa/reviews", webtest.Vals("ticket_id", fmt.Sprint(tid), "scorecard_id", fmt.Sprint(card["id"])))
			m := reviewPath.FindStringSubmatch(loc)
			if st != 303 || m == nil {
				t.Fatalf("start review: %d %s", st, loc)
			}
			rp := "/qa/reviews/" + m[1]
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "review page shows the conversation", Who: rev, Method: "GET", Path: rp, Status: 200,
					Want: []string{"Where is my parcel?", "<strong>kari</strong>", `id="review-form"`, `name="rating_` + cat(1) + `"`, "Critical"}},
				{Name: "the agent cannot see a draft", Who: agent, Method: "GET", Path: rp, Status: 404},
				{Name: "critical needs a rating", Who: rev, Method: "POST", Path: rp, Form: webtest.Vals("action", "submit", "rating_"+cat(0), "5"), Status: 422,
					Want: []string{"a critical category needs a rating"}},
				{Name: "submitted with a critical fail", Who: rev, Method: "POST", Path: rp, Form: webtest.Vals("action", "submit",
					"rating_"+cat(0), "5", "rating_"+cat(1), "0", "comment_"+cat(1), "No identity check"), Status: 303, Location: rp + "?done=submitted"},
				{Name: "scored 0", Who: rev, Method: "GET", Path: rp, Status: 200, Want: []string{`id="review-score">0 %`, "Critical fail", "No identity check"}},
				{Name: "the agent sees it", Who: agent, Method: "GET", Path: "/qa/mine", Status: 200, Want: []string{"Parcel lost", "Critical fail"}},
				{Name: "dispute needs a reason", Who: agent, Method: "POST", Path: rp + "/dispute", Form: webtest.Vals("reason", ""), Status: 422},
				{Name: "disputed", Who: agent, Method: "POST", Path: rp + "/dispute", Form: webtest.Vals("reason", "The customer was known"), Status: 303},
				{Name: "in the disputes", Who: lead, Method: "GET", Path: "/qa/disputes", Status: 200, Want: []string{"Parcel lost", "Disputed"}},
				{Name: "reviewers may not resolve", Who: rev, Method: "POST", Path: rp + "/resolve", Form: webtest.Vals("resolution", "upheld"), Status: 403},
				{Name: "resolved", Who: lead, Method: "POST", Path: rp + "/resolve", Form: webtest.Vals("resolution", "adjusted",
					"rating_"+cat(0), "5", "rating_"+cat(1), "1", "note", "Known customer"), Status: 303, Location: rp + "?done=resolved"},
				{Name: "adjusted to 100", Who: agent, Method: "GET", Path: rp, Status: 200, Want: []string{`id="review-score">100 %`, "Known customer", "Adjusted"}},
				{Name: "coaching", Who: lead, Method: "POST", Path: "/qa/coaching", Form: webtest.Vals("agent_id", fmt.Sprint(agentID), "review_id", m[1],
					"kind", "one_to_one", "body", "Identity checks", "follow_up", "2030-01-10"), Status: 303},
				{Name: "agent reads the agenda", Who: agent, Method: "GET", Path: "/qa/mine", Status: 200, Want: []string{"Identity checks", "2030-01-10"}},
				{Name: "the agent may not mark it done", Who: agent, Method: "POST", Path: "/qa/coaching/1/done", Form: webtest.Vals("review_id", m[1]), Status: 403},
				{Name: "marked done", Who: lead, Method: "POST", Path: "/qa/coaching/1/done", Form: webtest.Vals("review_id", m[1]), Status: 303, Location: rp},
				{Name: "done shows", Who: agent, Method: "GET", Path: "/qa/mine", Status: 200, Want: []string{"Identity checks", "(Done)"}},
				{Name: "IQS", Who: lead, Method: "GET", Path: "/qa/iqs", Status: 200, Want: []string{"Per agent", "Per team", "100"}},
				{Name: "agents see no IQS overview", Who: agent, Method: "GET", Path: "/qa/iqs", Status: 403},
				{Name: "calibration page", Who: lead, Method: "GET", Path: "/qa/calibrations", Status: 200, Want: []string{`id="calibration-form"`}},
				{Name: "reviewers see no session form", Who: rev, Method: "GET", Path: "/qa/calibrations", Status: 200, NotWant: []string{`id="calibration-form"`}},
			})
			// The API: the agent reads their own reviews and score, nobody else's.
			st, body = e.Do(t, authz.Agent, "GET", "/api/v1/qa/reviews", nil)
			if st != 200 || len(body["data"].([]any)) != 1 {
				t.Fatalf("agent's reviews: %d %v", st, body)
			}
			st, body = e.Do(t, authz.Agent, "GET", fmt.Sprintf("/api/v1/qa/iqs?agent_id=%d", e.Agents[authz.Manager].ID), nil)
			if st != 403 {
				t.Fatalf("another agent's IQS: %d %v", st, body)
			}
			st, body = e.Do(t, authz.Agent, "GET", "/api/v1/qa/iqs", nil)
			if st != 200 || !strings.Contains(fmt.Sprint(body["data"]), "iqs:100") {
				t.Fatalf("own IQS: %d %v", st, body)
			}
			st, body = e.Do(t, authz.Manager, "POST", "/api/v1/qa/scorecards", map[string]any{"name": "x", "categories": []any{map[string]any{"name": "a", "weight": 0, "scale": "ten"}}})
			if st != 400 && st != 422 || !strings.Contains(fmt.Sprint(body), "categories.0.weight") {
				t.Fatalf("invalid scorecard: %d %v", st, body)
			}
		})
	}
}
