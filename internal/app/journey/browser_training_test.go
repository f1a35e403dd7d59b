package journey_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ombud/ombud/internal/dbtest"
)

// TestBrowserTraining is the journey of a lead keeping the team trained,
// on both engines: from the schedule's tabs the lead adds a certification
// that grants product:billing and assigns it to Ingrid with a due date
// already past, and the due view shows it overdue. Ingrid opens her
// training from her profile and completes it; the skill is hers as routing
// reads it (the agent's skills), and the lead's skills matrix shows it.
func TestBrowserTraining(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			env := map[string]string{"OMBUD_DATA": dbtest.MigratedSQLiteDir(t), "OMBUD_LOG_LEVEL": "warn"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewMigratedPostgresDatabase(t)
			}
			const pw = "browser-pass-9"
			for _, u := range [][]string{{"lead@ombud.test", "Lea Lead", "manager"}, {"ingrid@ombud.test", "Ingrid Haugen", "agent"}, {"admin@ombud.test", "Ada Admin", "admin"}} {
				if code, _, er := run(t, env, "user", "create", "--email", u[0], "--name", u[1], "--role", u[2], "--password", pw); code != 0 {
					t.Fatal(er)
				}
			}
			_, adminTok, _ := run(t, env, "token", "create", "--email", "admin@ombud.test")
			adminTok = strings.TrimSpace(adminTok)
			s := serve(t, env)
			_, agents := api(t, "GET", s.url+"/api/v1/agents?limit=100", adminTok, nil)
			var ingrid int64
			for _, a := range agents["data"].([]any) {
				if m := a.(map[string]any); m["email"] == "ingrid@ombud.test" {
					ingrid = int64(m["id"].(float64))
				}
			}
			skills := func() string {
				_, a := api(t, "GET", fmt.Sprintf("%s/api/v1/agents/%d", s.url, ingrid), adminTok, nil)
				return fmt.Sprint(a["skills"])
			}
			past := time.Now().UTC().AddDate(0, 0, -2).Format(time.DateOnly)

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

			step("the lead opens training from the schedule's tabs", signIn(s.url+"/workforce/schedule", "lead@ombud.test", pw),
				chromedp.WaitVisible(chromedp.ID("training-tab")),
				chromedp.Click(chromedp.ID("training-tab")),
				chromedp.WaitVisible(chromedp.ID("course-form")))
			step("and adds a certification that grants product:billing",
				chromedp.SendKeys(chromedp.ID("c-title"), "Billing basics"),
				chromedp.SendKeys(chromedp.ID("c-link"), "https://learn.example.org/billing"),
				chromedp.SetValue(chromedp.ID("c-months"), "12"),
				chromedp.SendKeys(chromedp.ID("c-skill"), "product:billing"),
				chromedp.Submit(chromedp.ID("c-title")),
				chromedp.WaitVisible(chromedp.ID("assign-form")))
			if got := eval(`document.querySelector("#courses").textContent`); !strings.Contains(got, "product:billing") {
				t.Fatalf("courses: %q", got)
			}
			step("assigns it to Ingrid, due two days ago",
				chromedp.SetValue(chromedp.ID("a-agent"), fmt.Sprint(ingrid)),
				chromedp.SetValue(chromedp.ID("a-due"), past),
				chromedp.Submit(chromedp.ID("a-due")),
				chromedp.WaitVisible(chromedp.CSS("#due tr.overdue")))
			if got := eval(`document.querySelector("#due tr.overdue").textContent`); !strings.Contains(got, "Ingrid Haugen") || !strings.Contains(got, "overdue") {
				t.Fatalf("the due view: %q", got)
			}
			screenshot(t, ctx, engine, "training-due.png")
			if strings.Contains(skills(), "product:billing") {
				t.Fatal("the skill before the course")
			}

			step("Ingrid opens her training from her profile", signOut, signIn(s.url+"/profile", "ingrid@ombud.test", pw),
				chromedp.WaitVisible(chromedp.ID("my-training-link")),
				chromedp.Click(chromedp.ID("my-training-link")),
				chromedp.WaitVisible(chromedp.ID("my-courses")))
			step("and completes the course", chromedp.Click(chromedp.CSS(`#my-courses button[value="completed"]`)),
				chromedp.WaitVisible(chromedp.CSS("p.flash")), chromedp.WaitVisible(chromedp.ID("my-skills")))
			if got := eval(`document.querySelector("#my-skills").textContent`); !strings.Contains(got, "product:billing") {
				t.Fatalf("Ingrid's skills on her page: %q", got)
			}
			if got := skills(); !strings.Contains(got, "product:billing") {
				t.Fatalf("Ingrid's skills as routing reads them: %s", got)
			}

			step("the lead's skills matrix", signOut, signIn(s.url+"/workforce/training/matrix", "lead@ombud.test", pw),
				chromedp.WaitVisible(chromedp.ID("matrix")))
			cell := fmt.Sprintf(`document.querySelector('#matrix tr[data-agent="%d"] td[data-skill="product:billing"]').className`, ingrid)
			if got := eval(cell); got != "has" {
				t.Fatalf("matrix cell: %q", got)
			}
			screenshot(t, ctx, engine, "training-matrix.png")
			step("nothing overdue any more", chromedp.Navigate(s.url+"/workforce/training"), chromedp.WaitVisible(chromedp.ID("no-due")))
		})
	}
}
