package feedback_test

import (
	"bytes"
	csvpkg "encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestPulseAnswersStayAnonymous: a survey of a one-person team (minimum
// 3) and one of every agent (minimum 3, four answers). Every pulse route —
// API, pages, CSV — and the audit log, asked by every role, never shows
// the lone agent's answer, and the comments of the larger survey appear
// only on its aggregate results; nothing names who answered what. A second
// answer is refused; the pages' forms work. Both engines.
func TestPulseAnswersStayAnonymous(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			loner := e.Agents[authz.Agent]
			st, team := e.Do(t, authz.Manager, "POST", "/api/v1/teams", map[string]any{"name": "Night shift", "agent_ids": []int64{loner.ID}})
			if st != http.StatusCreated {
				t.Fatalf("team: %d %v", st, team["_raw"])
			}
			st, small := e.Do(t, authz.Manager, "POST", "/api/v1/pulse/surveys", map[string]any{"title": "Night pulse", "team_ids": []any{team["id"]}, "min_group": 3})
			if st != http.StatusCreated || small["invited"] != float64(1) {
				t.Fatalf("small survey: %d %v", st, small["_raw"])
			}
			smallID := int64(small["id"].(float64))
			const secret = "LONER-SECRET-COMMENT"
			if st, r := e.Do(t, authz.Agent, "POST", fmt.Sprintf("/api/v1/pulse/surveys/%d/answers", smallID), map[string]any{"score": 0, "comment": secret}); st != http.StatusNoContent {
				t.Fatalf("answer: %d %v", st, r["_raw"])
			}
			if st, r := e.Do(t, authz.Agent, "POST", fmt.Sprintf("/api/v1/pulse/surveys/%d/answers", smallID), map[string]any{"score": 10}); st != http.StatusConflict {
				t.Fatalf("second answer: %d %v", st, r["_raw"])
			}
			if st, r := e.Do(t, authz.Agent, "POST", fmt.Sprintf("/api/v1/pulse/surveys/%d/answers", smallID), `{"score":"ten"}`); st != http.StatusBadRequest {
				t.Fatalf("bad body: %d %v", st, r["_raw"])
			}

			st, big := e.Do(t, authz.Manager, "POST", "/api/v1/pulse/surveys", map[string]any{"title": "Everyone", "min_group": 3, "questions": []string{"Workload is fair"}})
			if st != http.StatusCreated || big["invited"] != float64(4) { // admin, manager, agent, QA reviewer; no collaborator
				t.Fatalf("big survey: %d %v", st, big["_raw"])
			}
			bigID := int64(big["id"].(float64))
			answerers := []authz.Role{authz.Admin, authz.Manager, authz.Agent, authz.QAReviewer}
			for i, role := range answerers {
				body := map[string]any{"score": 7 + i, "ratings": []int{i + 1}, "comment": "PULSE-MARK-" + string(role)}
				if st, r := e.Do(t, role, "POST", fmt.Sprintf("/api/v1/pulse/surveys/%d/answers", bigID), body); st != http.StatusNoContent {
					t.Fatalf("%s answers: %d %v", role, st, r["_raw"])
				}
			}
			if st, r := e.Do(t, authz.Collaborator, "POST", fmt.Sprintf("/api/v1/pulse/surveys/%d/answers", bigID), map[string]any{"score": 1}); st != http.StatusForbidden {
				t.Fatalf("collaborator answers: %d %v", st, r["_raw"])
			}

			// Every GET route of the pulse surface, and the audit log, as every role.
			var paths []string
			for _, rt := range (&web.Server{}).Routes() {
				if rt.Method == "GET" && (strings.Contains(rt.Path, "/pulse") || strings.HasPrefix(rt.Path, "/api/v1/audit")) {
					paths = append(paths, rt.Path)
				}
			}
			if len(paths) < 9 {
				t.Fatalf("only %d routes: %v", len(paths), paths)
			}
			aggregate := map[string]bool{"/api/v1/pulse/surveys/{id}/results": true, "/feedback/pulse/{id}": true}
			for _, role := range authz.Roles {
				b := webtest.SignIn(t, e, role)
				for _, p := range paths {
					for _, id := range []int64{smallID, bigID} {
						path := strings.ReplaceAll(p, "{id}", fmt.Sprint(id))
						var status int
						var body string
						if strings.HasPrefix(path, "/api/") {
							var r map[string]any
							status, r = e.Do(t, role, "GET", path, nil)
							body, _ = r["_raw"].(string)
						} else {
							status, body, _ = b.Do(t, "GET", path, nil)
						}
						if status >= 500 {
							t.Fatalf("%s %s: %d", role, path, status)
						}
						if strings.Contains(body, secret) {
							t.Errorf("%s %s shows the lone agent's comment", role, path)
						}
						if id == smallID && (strings.Contains(body, `"enps"`) || strings.Contains(body, `id="enps-score"`) || strings.Contains(body, `"distribution"`)) {
							t.Errorf("%s %s shows figures of a group of one", role, path)
						}
						if strings.Contains(body, "PULSE-MARK-") && (id != bigID || !aggregate[p]) {
							t.Errorf("%s %s shows a comment outside the aggregate results", role, path)
						}
						if aggregate[p] && status == http.StatusOK && (strings.Contains(body, "agent_id") || strings.Contains(body, loner.Email)) {
							t.Errorf("%s %s names an agent beside the answers", role, path)
						}
					}
				}
			}
			// The aggregates: 7, 8, 9, 10 → 2 promoters, 2 passives: eNPS 50.
			st, res := e.Do(t, authz.Manager, "GET", fmt.Sprintf("/api/v1/pulse/surveys/%d/results", bigID), nil)
			overall, _ := res["overall"].(map[string]any)
			if st != http.StatusOK || overall["enps"] != float64(50) || overall["answers"] != float64(4) {
				t.Fatalf("results: %d %v", st, res["_raw"])
			}
			if cs, _ := res["comments"].([]any); len(cs) != 4 {
				t.Fatalf("comments: %v", res["comments"])
			}
			manager, agent := webtest.SignIn(t, e, authz.Manager), webtest.SignIn(t, e, authz.Agent)
			st, raw := manager.Get(t, fmt.Sprintf("/feedback/pulse/%d/results.csv", smallID))
			csv, err := csvpkg.NewReader(bytes.NewReader(raw)).ReadAll()
			if st != http.StatusOK || err != nil || len(csv) != 3 || csv[1][0] != "all" || csv[1][2] != "false" || csv[1][3] != "" {
				t.Fatalf("csv of the small survey: %v", csv)
			}

			// The pages' forms.
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "agents may not list", Who: agent, Method: "GET", Path: "/feedback/pulse", Status: 403},
				{Name: "form", Who: manager, Method: "GET", Path: "/feedback/pulse/new", Status: 200, Want: []string{`id="pulse-form"`, "Night shift"}},
				{Name: "refused", Who: manager, Method: "POST", Path: "/feedback/pulse", Form: webtest.Vals("title", "Low", "min_group", "2"), Status: 422, Want: []string{"must be from 3 to 1000"}},
				{Name: "created", Who: manager, Method: "POST", Path: "/feedback/pulse", Form: webtest.Vals("title", "From the page", "min_group", "5", "comments", "on"), Status: 303, Location: "/feedback/pulse/"},
				{Name: "hidden", Who: manager, Method: "GET", Path: fmt.Sprintf("/feedback/pulse/%d", smallID), Status: 200, Want: []string{`id="enps-hidden"`}, NotWant: []string{`id="enps-score"`}},
				{Name: "shown", Who: manager, Method: "GET", Path: fmt.Sprintf("/feedback/pulse/%d", bigID), Status: 200, Want: []string{`id="enps-score"`, "eNPS 50", "PULSE-MARK-agent"}},
				{Name: "mine", Who: agent, Method: "GET", Path: "/feedback/pulse/mine", Status: 200, Want: []string{"From the page", "Night pulse"}},
				{Name: "answered already", Who: agent, Method: "GET", Path: fmt.Sprintf("/feedback/pulse/%d/answer", bigID), Status: 200, Want: []string{`id="pulse-answered"`}},
				{Name: "profile link", Who: agent, Method: "GET", Path: "/profile", Status: 200, Want: []string{`href="/feedback/pulse/mine"`}},
			})
		})
	}
}
