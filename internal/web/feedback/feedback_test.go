package feedback_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/jhillyerd/enmime/v2"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/mailtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

var linkRE = regexp.MustCompile(`/nps/([0-9]+)\.([0-9]+)\.([0-9]+)\.([A-Za-z0-9_-]+)`)
var shareRE = regexp.MustCompile(`/insights/[0-9]+\.[0-9]+\.[A-Za-z0-9_-]+`)

// TestFeedbackPages: a manager creates a campaign in the editor (refused
// first), the Norwegian customer's mail arrives with eleven links, opening
// one records nothing until its form is sent, the answer and reason are
// saved; a topic rule tags the reason; results, insights, CSV and a share
// link show it; the link is revoked. Roles and the API's validation too.
// Both engines.
func TestFeedbackPages(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			capture := webtest.StartOutbound(t, e)
			st, tk := e.Do(t, authz.Agent, "POST", "/api/v1/tickets", map[string]any{
				"subject": "Pakken", "description": "Hvor er pakken?", "channel": "email", "language": "nb",
				"requester": map[string]any{"email": "kari@example.no", "name": "Kari"},
			})
			if st != http.StatusCreated {
				t.Fatalf("ticket: %d %v", st, tk["_raw"])
			}
			ticketID := int64(tk["id"].(float64))
			var loc string
			manager, agent, collab := webtest.SignIn(t, e, authz.Manager), webtest.SignIn(t, e, authz.Agent), webtest.SignIn(t, e, authz.Collaborator)
			anon := webtest.Anonymous(e)
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "agents may not", Who: agent, Method: "GET", Path: "/feedback/campaigns", Status: 403},
				{Name: "editor", Who: manager, Method: "GET", Path: "/feedback/campaigns/new", Status: 200, Want: []string{`id="campaign-form"`, `name="question_sl"`, "Any organization"}},
				{Name: "refused", Who: manager, Method: "POST", Path: "/feedback/campaigns", Form: webtest.Vals("name", "", "repeat_days", "x", "active", "on"), Status: 422,
					Want: []string{"must be a whole number"}},
				{Name: "refused by the service", Who: manager, Method: "POST", Path: "/feedback/campaigns", Form: webtest.Vals("name", "", "active", "on"), Status: 422,
					Want: []string{"is required", "Check the highlighted fields."}},
				{Name: "created", Who: manager, Method: "POST", Path: "/feedback/campaigns", Form: webtest.Vals("name", "Spring NPS", "active", "on", "repeat_days", "90",
					"question_nb", "Vil du anbefale Fjord til en venn?"), Status: 303, Location: "/feedback/campaigns/"},
				{Name: "listed", Who: manager, Method: "GET", Path: "/feedback/campaigns", Status: 200, Want: []string{"Spring NPS", "Every 90 days"}},
			})
			// A paused campaign cannot be sent now.
			st, _, loc = manager.Do(t, "POST", "/feedback/campaigns", webtest.Vals("name", "Paused one"))
			paused, _, _ := strings.Cut(loc, "?")
			if st != http.StatusSeeOther || !strings.HasPrefix(paused, "/feedback/campaigns/") {
				t.Fatalf("paused campaign: %d %q", st, loc)
			}
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "paused one", Who: manager, Method: "GET", Path: paused, Status: 200, Want: []string{"Paused one", `id="campaign-form"`}, NotWant: []string{`id="run-now"`}},
				{Name: "not sent now", Who: manager, Method: "POST", Path: paused + "/run", Status: 409, Want: []string{"The campaign is paused: switch it on first."}},
			})
			env := webtest.WaitMail(t, capture, "NPS mail", func(env *enmime.Envelope, m mailtest.Captured) bool {
				return strings.Contains(env.GetHeader("Subject"), "Et raskt spørsmål")
			})
			links := map[string]string{}
			for _, m := range linkRE.FindAllStringSubmatch(env.Text, -1) {
				links[m[2]] = m[0]
			}
			if len(links) != 11 || !strings.Contains(env.Text, "Vil du anbefale Fjord til en venn?") || !strings.Contains(env.HTML, links["10"]) {
				t.Fatalf("mail links %v\n%s", links, env.Text)
			}
			nine := links["9"]
			altered := strings.Replace(nine, ".9.", ".10.", 1)
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "link opened", Who: anon, Method: "GET", Path: nine, Status: 200, Want: []string{`lang="nb"`, "Din poengsum: 9", "data-autosubmit", "Vil du anbefale Fjord"}},
				{Name: "nothing recorded yet", Who: manager, Method: "GET", Path: "/feedback", Status: 200, Want: []string{"No answers in this period."}},
				{Name: "altered link", Who: anon, Method: "GET", Path: altered, Status: 400},
				{Name: "bad score", Who: anon, Method: "POST", Path: nine, Form: webtest.Vals("score", "11", "reason", "x"), Status: 400, Want: []string{"Velg et tall fra 0 til 10."}},
				{Name: "answered", Who: anon, Method: "POST", Path: nine, Form: webtest.Vals("score", "9", "lang", "nb"), Status: 303, Location: "/nps/"},
				{Name: "reason given", Who: anon, Method: "POST", Path: nine, Form: webtest.Vals("score", "9", "reason", "Leveringen var rask", "lang", "nb"), Status: 303, Location: "/nps/"},
				{Name: "rule", Who: manager, Method: "POST", Path: "/feedback/rules", Form: webtest.Vals("topic", "Delivery", "keywords_nb", "levering, frakt"), Status: 303, Location: "/feedback/insights?saved=rule"},
				{Name: "rule refused", Who: manager, Method: "POST", Path: "/feedback/rules", Form: webtest.Vals("topic", "Empty"), Status: 422, Want: []string{"give at least one keyword"}},
				{Name: "collaborators may not add rules", Who: collab, Method: "POST", Path: "/feedback/rules", Form: webtest.Vals("topic", "x", "keywords_en", "x"), Status: 403},
				{Name: "results", Who: manager, Method: "GET", Path: "/feedback", Status: 200, Want: []string{"NPS 100", "Leveringen var rask", `class="topic">delivery`}},
				{Name: "insights", Who: collab, Method: "GET", Path: "/feedback/insights", Status: 200, Want: []string{"Leveringen var rask", "delivery"}, NotWant: []string{`id="rule-form"`, `id="share-form"`}},
				{Name: "hand tag", Who: manager, Method: "POST", Path: "/feedback/tags", Form: webtest.Vals("source", "nps", "id", linkID(nine), "topic", "Speed"), Status: 303},
				{Name: "share", Who: manager, Method: "POST", Path: "/feedback/shares", Form: webtest.Vals("label", "Product team", "days", "7"), Status: 303, Location: "/feedback/insights?saved=shared"},
			})
			// A CSAT comment is tagged by the same rule when the rating
			// arrives (the ticket hook).
			if st := webtest.PostForm(t, e, authz.Admin, "/admin/satisfaction", webtest.Vals("enabled", "on", "delay_minutes", "0",
				"scale", "good_bad", "channel", "email", "throttle_days", "0")); st != http.StatusSeeOther {
				t.Fatalf("csat settings: %d", st)
			}
			if st, body := e.Do(t, authz.Agent, "PATCH", fmt.Sprintf("/api/v1/tickets/%d", ticketID), map[string]any{"status": "solved"}); st != http.StatusOK {
				t.Fatalf("solve: %d %v", st, body["_raw"])
			}
			survey := webtest.WaitMail(t, capture, "CSAT mail", func(env *enmime.Envelope, m mailtest.Captured) bool {
				return strings.Contains(env.GetHeader("Subject"), fmt.Sprintf("#%d", ticketID))
			})
			bad := regexp.MustCompile(`/survey/[0-9]+\.1\.[0-9]+\.[A-Za-z0-9_-]+`).FindString(survey.Text)
			if st, _, _ := anon.Do(t, "POST", bad, webtest.Vals("score", "1", "comment", "Frakten tok to uker")); st != http.StatusSeeOther {
				t.Fatalf("csat answer: %d", st)
			}
			_, page, _ := manager.Do(t, "GET", "/feedback/insights", nil)
			if !strings.Contains(page, "Frakten tok to uker") || !strings.Contains(page, `id="comment-csat-`) {
				t.Fatalf("the CSAT comment is not on the insights page\n%s", webtest.Excerpt(page))
			}
			_, raw, _ := manager.Do(t, "GET", "/feedback/insights.csv", nil)
			rows, err := csv.NewReader(strings.NewReader(raw)).ReadAll()
			if err != nil {
				t.Fatalf("csv: %v", err)
			}
			var csatTopics string
			for _, row := range rows {
				if row[0] == "csat" {
					csatTopics = row[6]
				}
			}
			if csatTopics != "delivery" {
				t.Errorf("the CSAT comment's topics = %q, want delivery (rule keyword frakt)", csatTopics)
			}
			share := shareRE.FindString(page)
			if share == "" || !strings.Contains(page, "speed") {
				t.Fatalf("no share link or hand tag on the insights page\n%s", webtest.Excerpt(page))
			}
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "shared page", Who: anon, Method: "GET", Path: share, Status: 200, Want: []string{"Leveringen var rask", "delivery", `id="read-only"`}, NotWant: []string{"kari@example.no", "csrf_token"}},
				{Name: "csv", Who: manager, Method: "GET", Path: "/feedback/insights.csv", Status: 200, Want: []string{"source,id,date,language,score,rating,topics,comment", "delivery;speed,Leveringen var rask"}},
				{Name: "shared csv", Who: anon, Method: "GET", Path: share + "?format=csv", Status: 200, Want: []string{"Leveringen var rask"}},
			})
			var shareID string
			if m := regexp.MustCompile(`/feedback/shares/([0-9]+)/revoke`).FindStringSubmatch(page); m != nil {
				shareID = m[1]
			}
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "revoked", Who: manager, Method: "POST", Path: "/feedback/shares/" + shareID + "/revoke", Status: 303},
				{Name: "gone", Who: anon, Method: "GET", Path: share, Status: 410},
			})
			// The API: validation names the field; results as JSON.
			for _, tc := range []struct {
				method, path string
				body         any
				status       int
				field        string
			}{
				{"POST", "/api/v1/nps/campaigns", map[string]any{"name": "x", "segment": map[string]any{"language": "de"}}, 400, "segment.language"},
				{"POST", "/api/v1/nps/campaigns", map[string]any{"name": "x", "questions": map[string]any{"fr": "?"}}, 400, "questions.fr"},
				{"GET", "/api/v1/nps/results?from=yesterday", nil, 400, "from"},
				{"GET", "/api/v1/nps/results?bucket=day", nil, 400, "bucket"},
				{"PUT", "/api/v1/nps/settings", map[string]any{"throttle_days": -1}, 400, "throttle_days"},
			} {
				st, body := e.Do(t, authz.Manager, tc.method, tc.path, tc.body)
				fields, _ := body["error"].(map[string]any)["fields"].(map[string]any)
				if st != tc.status || fields[tc.field] == nil {
					t.Errorf("%s %s: %d %v, want %d naming %s", tc.method, tc.path, st, body, tc.status, tc.field)
				}
			}
			st, body := e.Do(t, authz.Collaborator, "GET", "/api/v1/nps/results", nil)
			sum, _ := body["summary"].(map[string]any)
			if st != 200 || sum["nps"] != float64(100) || sum["responses"] != float64(1) || body["response_rate"] != float64(100) {
				t.Errorf("results: %d %v", st, body)
			}
			if st, _ := e.Do(t, authz.Agent, "GET", "/api/v1/nps/results", nil); st != 403 {
				t.Errorf("agent results: %d", st)
			}
		})
	}
}

func linkID(path string) string { return fmt.Sprint(linkRE.FindStringSubmatch(path)[1]) }
