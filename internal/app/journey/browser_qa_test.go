package journey_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ombud/ombud/internal/dbtest"
)

// TestBrowserQA is the journey of quality assurance, on both engines: the
// lead builds a scorecard with a critical category and samples the
// agent's solved tickets, which are spread over two QA reviewers; one
// reviewer scores their ticket with a critical fail (0 %), the other
// passes theirs; both score the same ticket blind in a calibration
// session, the lead sees the spread, agrees a score and closes it; the
// agent disputes the failed review and the lead resolves it by adjusting
// the ratings (100 %).
func TestBrowserQA(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			env := map[string]string{"OMBUD_DATA": dbtest.MigratedSQLiteDir(t), "OMBUD_LOG_LEVEL": "warn"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewMigratedPostgresDatabase(t)
			}
			const pw = "browser-pass-7"
			for _, u := range [][]string{{"lead@ombud.test", "Lea Lead", "manager"}, {"ingrid@ombud.test", "Ingrid Haugen", "agent"},
				{"rita@ombud.test", "Rita Review", "qa_reviewer"}, {"rolf@ombud.test", "Rolf Review", "qa_reviewer"}} {
				if code, _, er := run(t, env, "user", "create", "--email", u[0], "--name", u[1], "--role", u[2], "--password", pw); code != 0 {
					t.Fatal(er)
				}
			}
			_, tok, _ := run(t, env, "token", "create", "--email", "lead@ombud.test")
			tok = strings.TrimSpace(tok)
			s := serve(t, env)
			_, agents := api(t, "GET", s.url+"/api/v1/agents?limit=100", tok, nil)
			var ingrid int64
			for _, a := range agents["data"].([]any) {
				if m := a.(map[string]any); m["email"] == "ingrid@ombud.test" {
					ingrid = int64(m["id"].(float64))
				}
			}
			var tickets []int64
			for _, subj := range []string{"Refund for order 1001", "Parcel never arrived"} {
				code, tk := api(t, "POST", s.url+"/api/v1/tickets", tok, map[string]any{
					"subject": subj, "description": "Hello, " + subj + "?", "channel": "email",
					"requester": map[string]string{"email": "kari@kunde.example", "name": "Kari Kunde"}, "assignee_id": ingrid,
				})
				if code != 201 {
					t.Fatalf("ticket: %d %v", code, tk)
				}
				id := int64(tk["id"].(float64))
				if code, body := api(t, "PATCH", fmt.Sprintf("%s/api/v1/tickets/%d", s.url, id), tok, map[string]any{"status": "solved"}); code != 200 {
					t.Fatalf("solve: %d %v", code, body)
				}
				tickets = append(tickets, id)
			}

			ctx := browserFor(t, 4*time.Minute)
			step := stepper(t, ctx)
			eval := func(js string) string {
				t.Helper()
				v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
				if err != nil {
					t.Fatalf("browser: %s: %v", js, err)
				}
				return v
			}
			text := func(sel string) string {
				t.Helper()
				return eval(`(document.querySelector(` + "`" + sel + "`" + `) || {textContent: "(none)"}).textContent.trim()`)
			}
			signOut := chromedp.Steps(chromedp.Click(chromedp.CSS("details.user-menu > summary")), chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.ID("email")))
			// rate picks, in the form's n-th scorecard category, the
			// radio button of value v.
			rate := func(form string, n int, v string) chromedp.Action[chromedp.Void] {
				return jsDo(fmt.Sprintf(`document.querySelectorAll('%s fieldset.qa-category')[%d].querySelector('input[value="%s"]').click()`, form, n, v))
			}

			step("the lead builds a scorecard", signIn(s.url+"/qa/scorecards", "lead@ombud.test", pw),
				chromedp.WaitVisible(chromedp.ID("c-name")),
				chromedp.SendKeys(chromedp.ID("c-name"), "Email quality"),
				chromedp.SendKeys(chromedp.CSS(`input[name="cat_name_0"]`), "Accuracy"),
				chromedp.SetValue(chromedp.CSS(`input[name="cat_weight_0"]`), "3"),
				chromedp.SendKeys(chromedp.CSS(`input[name="cat_name_1"]`), "Identity check"),
				chromedp.SetValue(chromedp.CSS(`select[name="cat_scale_1"]`), "binary"),
				chromedp.Click(chromedp.CSS(`input[name="cat_critical_1"]`)),
				chromedp.Submit(chromedp.ID("c-name")),
				chromedp.WaitVisible(chromedp.CSS("p.flash")))
			step("the lead samples this week's tickets", chromedp.Navigate(s.url+"/qa/sampling"),
				chromedp.WaitVisible(chromedp.ID("s-n")),
				chromedp.SetValue(chromedp.ID("s-n"), "2"),
				chromedp.Submit(chromedp.ID("s-n")),
				chromedp.WaitVisible(chromedp.CSS("p.flash")),
				// The run answers with a flash like the save before it: wait
				// for the new page itself (the old one is marked).
				chromedp.Evaluate[chromedp.Void](`window.__before = true`),
				chromedp.Click(chromedp.ID("sample-run")),
				newPage, chromedp.WaitVisible(chromedp.CSS("p.flash")))
			if got := eval(`[...document.querySelectorAll("table.workload")].pop().textContent`); !strings.Contains(got, "Rita Review") || !strings.Contains(got, "Rolf Review") {
				t.Fatalf("workload: %q", got)
			}
			screenshot(t, ctx, engine, "qa-sampling.png")

			// Each reviewer has one of the two tickets.
			review := func(who, identity string) string {
				t.Helper()
				step(who+" opens the assignment", signOut, signIn(s.url+"/qa/assignments", who, pw),
					chromedp.WaitVisible(chromedp.CSS("#assignments tbody tr")),
					chromedp.Click(chromedp.CSS("#assignments tbody tr button")),
					chromedp.WaitVisible(chromedp.ID("review-form")))
				if got := text(".qa-messages"); !strings.Contains(got, "Hello, ") {
					t.Fatalf("the conversation beside the scorecard: %q", got)
				}
				step(who+" scores", rate("#review-form", 0, "4"), rate("#review-form", 1, identity),
					chromedp.SendKeys(chromedp.ID("r-comment"), "Clear and friendly."),
					chromedp.Click(chromedp.ID("submit-review")),
					chromedp.WaitVisible(chromedp.ID("review-score")))
				return text("#review-score")
			}
			// Accuracy 4 of 5 (¾) × 3, identity failed: critical, 0 %.
			if got := review("rita@ombud.test", "0"); !strings.HasPrefix(got, "0 %") || !strings.Contains(got, "Critical fail") {
				t.Fatalf("Rita's score: %q", got)
			}
			screenshot(t, ctx, engine, "qa-review.png")
			// Identity passed: (3 × ¾ + 1 × 1) / 4 = 81.25 %.
			if got := review("rolf@ombud.test", "1"); !strings.HasPrefix(got, "81.25 %") {
				t.Fatalf("Rolf's score: %q", got)
			}

			step("the lead starts a calibration session", signOut, signIn(s.url+"/qa/calibrations", "lead@ombud.test", pw),
				chromedp.WaitVisible(chromedp.ID("k-name")),
				chromedp.SendKeys(chromedp.ID("k-name"), "March calibration"),
				chromedp.SendKeys(chromedp.ID("k-tickets"), fmt.Sprint(tickets[0])),
				jsDo(`[...document.querySelectorAll('input[name="reviewer_ids"]')].filter(i => i.parentElement.textContent.includes("Review")).forEach(i => i.click())`),
				chromedp.Submit(chromedp.ID("k-name")),
				chromedp.WaitVisible(chromedp.ID("session-state")))
			session := eval(`location.pathname`)
			blind := func(who, name, accuracy string) {
				t.Helper()
				step(who+" scores blind", signOut, signIn(s.url+session, who, pw),
					chromedp.WaitVisible(chromedp.ID("blind")),
					chromedp.Click(chromedp.ID(fmt.Sprintf("score-%d", tickets[0]))),
					chromedp.WaitVisible(chromedp.ID("review-form")),
					rate("#review-form", 0, accuracy), rate("#review-form", 1, "1"),
					chromedp.Click(chromedp.ID("submit-review")),
					chromedp.WaitVisible(chromedp.ID("review-score")),
					chromedp.Navigate(s.url+session), chromedp.WaitVisible(chromedp.ID("blind")))
				// Blind: only the reviewer's own score is listed.
				if got := text(".scores tbody"); strings.Count(got, "%") != 1 || !strings.Contains(got, name) {
					t.Fatalf("%s sees %q while the session is open", who, got)
				}
			}
			blind("rita@ombud.test", "Rita Review", "5")
			blind("rolf@ombud.test", "Rolf Review", "3")

			step("the lead sees the spread and agrees", signOut, signIn(s.url+session, "lead@ombud.test", pw),
				chromedp.WaitVisible(chromedp.CSS("table.spread")))
			if got := text("table.spread tbody tr.disagree"); !strings.Contains(got, "Accuracy") || !strings.Contains(got, "Rita Review 5") || !strings.Contains(got, "Rolf Review 3") {
				t.Fatalf("spread: %q", got)
			}
			screenshot(t, ctx, engine, "qa-calibration.png")
			step("agreed and closed", chromedp.Click(chromedp.CSS("details summary")),
				rate(".agree-form", 0, "4"), rate(".agree-form", 1, "1"),
				chromedp.Submit(chromedp.CSS(".agree-form textarea")),
				chromedp.WaitVisible(chromedp.CSS("p.agreed")),
				chromedp.Click(chromedp.CSS("#close-session button")),
				chromedp.WaitNotPresent(chromedp.ID("close-session")))
			if got := text("p.agreed"); !strings.Contains(got, "81.25") {
				t.Fatalf("agreed: %q", got)
			}
			step("after closing, a reviewer sees every score", signOut, signIn(s.url+session, "rita@ombud.test", pw),
				chromedp.WaitVisible(chromedp.CSS("table.spread")))
			if got := text(".scores tbody"); !strings.Contains(got, "Rita Review") || !strings.Contains(got, "Rolf Review") {
				t.Fatalf("scores after closing: %q", got)
			}

			step("the agent disputes the failed review", signOut, signIn(s.url+"/qa/mine", "ingrid@ombud.test", pw),
				chromedp.WaitVisible(chromedp.ID("reviews")),
				jsDo(`[...document.querySelectorAll("#reviews tbody tr")].find(tr => tr.textContent.includes("Critical")).querySelector("a").click()`),
				chromedp.WaitVisible(chromedp.ID("dispute-form")),
				chromedp.SendKeys(chromedp.ID("d-reason"), "The customer was already verified by phone."),
				chromedp.Click(chromedp.ID("dispute")),
				chromedp.WaitVisible(chromedp.ID("dispute-reason")))
			failed := eval(`location.pathname`)
			step("the lead resolves it", signOut, signIn(s.url+"/qa/disputes", "lead@ombud.test", pw),
				chromedp.WaitVisible(chromedp.ID("reviews")),
				chromedp.Click(chromedp.CSS("#reviews tbody a")),
				chromedp.WaitVisible(chromedp.ID("resolve-form")),
				chromedp.SetValue(chromedp.ID("res-kind"), "adjusted"),
				rate("#resolve-form", 0, "5"), rate("#resolve-form", 1, "1"),
				chromedp.SendKeys(chromedp.ID("res-note"), "Phone verification counts."),
				chromedp.Click(chromedp.ID("resolve-submit")),
				chromedp.WaitVisible(chromedp.ID("resolution")))
			if got := eval(`location.pathname`); got != failed {
				t.Fatalf("resolved %s, want %s", got, failed)
			}
			step("the agent sees the outcome", signOut, signIn(s.url+failed, "ingrid@ombud.test", pw), chromedp.WaitVisible(chromedp.ID("resolution")))
			if got := text("#review-score"); !strings.HasPrefix(got, "100 %") || !strings.Contains(got, "0 %") {
				t.Fatalf("adjusted score: %q", got)
			}
			if got := text("#resolution"); !strings.Contains(got, "Adjusted") || !strings.Contains(got, "Phone verification counts.") {
				t.Fatalf("resolution: %q", got)
			}
			screenshot(t, ctx, engine, "qa-dispute.png")
		})
	}
}

// jsDo runs a script for its effect (a click on a radio button the
// selectors cannot name without the category's id).
func jsDo(expr string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[bool]("("+expr+", true)")(ctx, t)
		return chromedp.Void{}, err
	}
}
