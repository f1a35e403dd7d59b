package journey_test

import (
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jhillyerd/enmime/v2"

	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/mailtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestBrowserPulse is the journey of a team pulse (eNPS) survey, on both
// engines: a manager creates a survey in the form for the night shift, a
// team of two, below the minimum of 5; the Norwegian agent's invitation
// arrives in Norwegian at the test relay, she follows its link, signs in
// and answers; her colleague answers too; the results page shows nothing
// but that too few have answered. A survey of the day shift (five agents)
// gets five answers and its page shows the eNPS, distribution and comments.
func TestBrowserPulse(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			env := map[string]string{"OMBUD_DATA": dbtest.MigratedSQLiteDir(t), "OMBUD_LOG_LEVEL": "warn"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewMigratedPostgresDatabase(t)
			}
			users := [][]string{{"admin@ombud.test", "Ada Admin", "admin"}, {"lea@ombud.test", "Lea Lead", "manager"}}
			for i := 1; i <= 5; i++ {
				users = append(users, []string{fmt.Sprintf("a%d@ombud.test", i), fmt.Sprintf("Agent %d", i), "agent"})
			}
			tokens := map[string]string{}
			for _, u := range users {
				if code, _, er := run(t, env, "user", "create", "--email", u[0], "--name", u[1], "--role", u[2], "--password", "browser-pass-9"); code != 0 {
					t.Fatal(er)
				}
				_, tok, _ := run(t, env, "token", "create", "--email", u[0])
				tokens[u[0]] = strings.TrimSpace(tok)
			}
			admin := tokens["admin@ombud.test"]
			s := serve(t, env)
			capture := mailtest.StartCapture(t)
			host, port, _ := net.SplitHostPort(capture.Addr())
			p, _ := strconv.Atoi(port)
			if code, mb := api(t, "POST", s.url+"/api/v1/mailboxes", admin, map[string]any{
				"address": "support@example.com", "name": "Support", "smtp": map[string]any{"host": host, "port": p, "security": "none"},
			}); code != 201 {
				t.Fatalf("mailbox: %d %v", code, mb)
			}
			code, list := api(t, "GET", s.url+"/api/v1/agents?limit=100", admin, nil)
			if code != 200 {
				t.Fatalf("agents: %d %v", code, list)
			}
			ids := map[string]float64{}
			for _, a := range list["data"].([]any) {
				m := a.(map[string]any)
				ids[m["email"].(string)] = m["id"].(float64)
			}
			if code, r := api(t, "PATCH", fmt.Sprintf("%s/api/v1/agents/%d", s.url, int64(ids["a1@ombud.test"])), admin, map[string]any{"locale": "nb"}); code != 200 {
				t.Fatalf("locale: %d %v", code, r)
			}
			team := func(name string, members ...string) float64 {
				var agentIDs []float64
				for _, m := range members {
					agentIDs = append(agentIDs, ids[m])
				}
				code, r := api(t, "POST", s.url+"/api/v1/teams", admin, map[string]any{"name": name, "agent_ids": agentIDs})
				if code != 201 {
					t.Fatalf("team %s: %d %v", name, code, r)
				}
				return r["id"].(float64)
			}
			night := team("Night shift", "a1@ombud.test", "a2@ombud.test")

			ctx := browserFor(t, 3*time.Minute)
			step := stepper(t, ctx)
			eval := func(js string) string {
				t.Helper()
				v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
				if err != nil {
					t.Fatalf("browser: %s: %v", js, err)
				}
				return v
			}
			signOut := chromedp.Steps(chromedp.Click(chromedp.CSS("details.user-menu > summary")), chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.ID("email")))

			step("the manager creates a survey of the night shift", signIn(s.url+"/feedback/pulse", "lea@ombud.test", "browser-pass-9"),
				chromedp.WaitVisible(chromedp.ID("new-pulse")),
				chromedp.Click(chromedp.ID("new-pulse")),
				chromedp.WaitVisible(chromedp.ID("pulse-form")),
				chromedp.SendKeys(chromedp.ID("p-title"), "Night pulse"),
				chromedp.SendKeys(chromedp.ID("p-questions"), "I have the tools I need"),
				chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name="team"][value="%d"]`, int64(night)))))
			screenshot(t, ctx, engine, "pulse-form.png")
			step("the survey is created", chromedp.Click(chromedp.ID("pulse-create")), chromedp.WaitVisible(chromedp.ID("enps-hidden")))
			survey := regexp.MustCompile(`/feedback/pulse/([0-9]+)`).FindStringSubmatch(eval(`location.pathname`))
			if survey == nil || !strings.Contains(eval(`document.getElementById("pulse-response").textContent`), "0 of 2") {
				t.Fatalf("after creating: %s %q", eval(`location.href`), eval(`document.body.innerText`))
			}

			mail := webtest.WaitMail(t, capture, "the Norwegian invitation", func(env *enmime.Envelope, c mailtest.Captured) bool {
				return len(c.To) == 1 && c.To[0] == "a1@ombud.test"
			})
			link := regexp.MustCompile(`http://[^/\s]+/feedback/pulse/[0-9]+/answer`).FindString(mail.Text)
			if !strings.HasPrefix(mail.GetHeader("Subject"), "Teampuls: Night pulse") || !strings.Contains(mail.Text, "anonymt") || link != s.url+"/feedback/pulse/"+survey[1]+"/answer" {
				t.Fatalf("invitation %q: %s", mail.GetHeader("Subject"), mail.Text)
			}

			step("the agent follows the link and answers", signOut, signIn(link, "a1@ombud.test", "browser-pass-9"),
				chromedp.WaitVisible(chromedp.ID("pulse-answer")),
				chromedp.Click(chromedp.CSS(`input[name="score"][value="9"]`)),
				chromedp.Click(chromedp.CSS(`input[name="rating_0"][value="4"]`)),
				chromedp.SendKeys(chromedp.ID("p-comment"), "Rolige netter"))
			screenshot(t, ctx, engine, "pulse-answer.png")
			step("she sends it", chromedp.Click(chromedp.ID("pulse-send")),
				chromedp.WaitVisible(chromedp.ID("pulse-invitations")))
			if got := eval(`document.documentElement.lang + " | " + document.getElementById("pulse-invitations").textContent`); !strings.HasPrefix(got, "nb |") || !strings.Contains(got, "Besvart") {
				t.Fatalf("after answering: %q", got)
			}
			step("her profile links the surveys", chromedp.Navigate(s.url+"/profile"), chromedp.WaitVisible(chromedp.ID("pulse-link")),
				chromedp.Click(chromedp.CSS("#pulse-link a")), chromedp.WaitVisible(chromedp.ID("pulse-invitations")))
			if code, r := api(t, "POST", s.url+"/api/v1/pulse/surveys/"+survey[1]+"/answers", tokens["a2@ombud.test"], map[string]any{"score": 3, "comment": "Too few of us at night"}); code != 204 {
				t.Fatalf("second answer: %d %v", code, r)
			}

			step("the manager sees nothing for a group below the minimum", signOut, signIn(s.url+"/feedback/pulse/"+survey[1], "lea@ombud.test", "browser-pass-9"),
				chromedp.WaitVisible(chromedp.ID("enps-hidden")))
			if got := eval(`document.getElementById("main").innerText`); !strings.Contains(got, "2 of 2") || strings.Contains(got, "Rolige netter") ||
				strings.Contains(got, "Too few of us") || eval(`String(document.getElementById("enps-score") === null && document.getElementById("enps-distribution") === null)`) != "true" {
				t.Fatalf("results below the minimum: %q", got)
			}
			screenshot(t, ctx, engine, "pulse-hidden.png")

			// The day shift: five agents, five answers.
			day := team("Day shift", "a1@ombud.test", "a2@ombud.test", "a3@ombud.test", "a4@ombud.test", "a5@ombud.test")
			code, sv := api(t, "POST", s.url+"/api/v1/pulse/surveys", tokens["lea@ombud.test"], map[string]any{"title": "Day pulse", "team_ids": []float64{day}})
			if code != 201 || sv["invited"] != float64(5) {
				t.Fatalf("day survey: %d %v", code, sv)
			}
			dayID := int64(sv["id"].(float64))
			for i, score := range []int{10, 9, 8, 6, 10} {
				if code, r := api(t, "POST", fmt.Sprintf("%s/api/v1/pulse/surveys/%d/answers", s.url, dayID), tokens[fmt.Sprintf("a%d@ombud.test", i+1)],
					map[string]any{"score": score, "comment": fmt.Sprintf("Day comment %d", i+1)}); code != 204 {
					t.Fatalf("day answer %d: %d %v", i+1, code, r)
				}
			}
			// 3 promoters, 1 detractor of 5: 60 − 20 = 40.
			step("with five answers the manager sees the eNPS", chromedp.Navigate(fmt.Sprintf("%s/feedback/pulse/%d", s.url, dayID)), chromedp.WaitVisible(chromedp.ID("enps-score")))
			if got := eval(`document.getElementById("enps-score").textContent + " | " + document.getElementById("pulse-comments").textContent`); !strings.Contains(got, "eNPS 40") ||
				!strings.Contains(got, "Day comment 4") {
				t.Fatalf("results: %q", got)
			}
			screenshot(t, ctx, engine, "pulse-results.png")
		})
	}
}
