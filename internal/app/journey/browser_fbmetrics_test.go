package journey_test

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
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

// TestBrowserFeedbackTiles is the journey of NPS and IQS as report facts,
// on both engines. Three customers answer an NPS survey from the mail
// captured at the test relay: 10, 9 and 5 (two promoters, one detractor of
// three: NPS 100 × (2 − 1) ÷ 3 = 33.3). The lead reviews two of Ingrid's
// tickets: one passes everything (100 %), one fails the critical category
// (0 %): IQS 50 %. The manager adds the NPS and IQS tiles to the reports
// overview with the key-figure picker, sees 33.3 and 50 %, and opens each
// tile's explanation: the three answers with their scores, and the two
// reviews with links to them, one a critical fail.
func TestBrowserFeedbackTiles(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			env := map[string]string{"OMBUD_DATA": dbtest.MigratedSQLiteDir(t), "OMBUD_LOG_LEVEL": "warn"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewMigratedPostgresDatabase(t)
			}
			const pw = "browser-pass-5"
			for _, u := range [][]string{{"admin@ombud.test", "Ada Admin", "admin"}, {"lea@ombud.test", "Lea Lead", "manager"}, {"ingrid@ombud.test", "Ingrid", "agent"}} {
				if code, _, er := run(t, env, "user", "create", "--email", u[0], "--name", u[1], "--role", u[2], "--password", pw); code != 0 {
					t.Fatal(er)
				}
			}
			_, tok, _ := run(t, env, "token", "create", "--email", "admin@ombud.test")
			tok = strings.TrimSpace(tok)
			s := serve(t, env)
			capture := mailtest.StartCapture(t)
			host, port, _ := net.SplitHostPort(capture.Addr())
			p, _ := strconv.Atoi(port)
			if code, mb := api(t, "POST", s.url+"/api/v1/mailboxes", tok, map[string]any{
				"address": "support@example.com", "name": "Support", "smtp": map[string]any{"host": host, "port": p, "security": "none"},
			}); code != 201 {
				t.Fatalf("mailbox: %d %v", code, mb)
			}
			_, agents := api(t, "GET", s.url+"/api/v1/agents?limit=100", tok, nil)
			var ingrid float64
			for _, a := range agents["data"].([]any) {
				if m := a.(map[string]any); m["email"] == "ingrid@ombud.test" {
					ingrid = m["id"].(float64)
				}
			}
			var tickets []float64
			for _, who := range []string{"kari", "ola", "per"} {
				code, tk := api(t, "POST", s.url+"/api/v1/tickets", tok, map[string]any{
					"subject": "Order for " + who, "description": "Where is my order?", "channel": "email", "language": "nb", "assignee_id": ingrid,
					"requester": map[string]string{"email": who + "@kunde.example", "name": who},
				})
				if code != 201 {
					t.Fatalf("ticket: %d %v", code, tk)
				}
				tickets = append(tickets, tk["id"].(float64))
			}

			// NPS: the campaign sends now; each customer clicks a score.
			// (Norwegian customers: the English survey mail has a line the
			// test relay refuses as too long, a fault of its own.)
			code, camp := api(t, "POST", s.url+"/api/v1/nps/campaigns", tok, map[string]any{"name": "Spring NPS", "repeat_days": 90})
			if code != 201 {
				t.Fatalf("campaign: %d %v", code, camp)
			}
			if code, c := api(t, "POST", fmt.Sprintf("%s/api/v1/nps/campaigns/%v/run", s.url, camp["id"]), tok, nil); code != 202 {
				t.Fatalf("run: %d %v", code, c)
			}
			scoreRE := regexp.MustCompile(`http://[^/\s]+/nps/[0-9]+\.([0-9]+)\.[0-9]+\.[A-Za-z0-9_-]+`)
			for who, score := range map[string]string{"kari": "10", "ola": "9", "per": "5"} {
				mail := webtest.WaitMail(t, capture, "the NPS mail to "+who, func(env *enmime.Envelope, _ mailtest.Captured) bool {
					return strings.Contains(env.GetHeader("To"), who+"@kunde.example") && scoreRE.MatchString(env.Text)
				})
				link := ""
				for _, m := range scoreRE.FindAllStringSubmatch(mail.Text, -1) {
					if m[1] == score {
						link = m[0]
					}
				}
				// The page's script sends the clicked score: the same form post.
				resp, err := http.PostForm(link, url.Values{"score": {score}})
				if err != nil || resp.StatusCode >= 400 {
					t.Fatalf("%s answers %s at %q: %v %v", who, score, link, err, resp)
				}
				resp.Body.Close()
			}

			// QA: the admin reviews two of Ingrid's tickets.
			var card map[string]any
			code, card = api(t, "POST", s.url+"/api/v1/qa/scorecards", tok, map[string]any{"name": "Email quality", "categories": []map[string]any{
				{"name": "Accuracy", "weight": 3, "scale": "five"}, {"name": "Compliance", "weight": 1, "scale": "binary", "critical": true}}})
			if code != 201 {
				t.Fatalf("scorecard: %d %v", code, card)
			}
			cats := card["categories"].([]any)
			catID := func(i int) float64 { return cats[i].(map[string]any)["id"].(float64) }
			for i, r := range [][2]int{{5, 1}, {5, 0}} {
				code, rv := api(t, "POST", s.url+"/api/v1/qa/reviews", tok, map[string]any{"ticket_id": tickets[i], "scorecard_id": card["id"]})
				if code != 201 {
					t.Fatalf("start review: %d %v", code, rv)
				}
				if code, rv := api(t, "PATCH", fmt.Sprintf("%s/api/v1/qa/reviews/%v", s.url, rv["id"]), tok, map[string]any{"submit": true,
					"ratings": []map[string]any{{"category_id": catID(0), "rating": r[0]}, {"category_id": catID(1), "rating": r[1]}}}); code != 200 {
					t.Fatalf("submit review: %d %v", code, rv)
				}
			}

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
			step("the manager opens the reports and the key-figure picker", signIn(s.url+"/reports?range=today", "lea@ombud.test", pw),
				chromedp.WaitVisible(chromedp.CSS("details.tile-picker > summary")),
				chromedp.Click(chromedp.CSS("details.tile-picker > summary")),
				chromedp.WaitVisible(chromedp.CSS(`input[name=tiles][value=nps]`)))
			step("the manager adds the NPS and IQS tiles", chromedp.Click(chromedp.CSS(`input[name=tiles][value=nps]`)),
				chromedp.Click(chromedp.CSS(`input[name=tiles][value=iqs]`)),
				chromedp.Submit(chromedp.CSS(`input[name=tiles][value=iqs]`)),
				chromedp.WaitVisible(chromedp.CSS(`a.kpi-main[href*="kind=iqs"]`)))
			tileJS := `Array.from(document.querySelectorAll("li.kpi")).map(li => li.querySelector(".kpi-label").textContent + "=" + li.querySelector(".kpi-value").textContent).join("\n")`
			// The report job folds the answers and reviews in within seconds.
			var tiles string
			for deadline := time.Now().Add(40 * time.Second); time.Now().Before(deadline); {
				if tiles = eval(tileJS); strings.Contains(tiles, "Net Promoter Score (NPS)=33.3") && strings.Contains(tiles, "Internal Quality Score (IQS)=50") {
					break
				}
				time.Sleep(time.Second)
				step("reload the overview", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("li.kpi")))
			}
			if !strings.Contains(tiles, "Net Promoter Score (NPS)=33.3") || !strings.Contains(tiles, "Internal Quality Score (IQS)=50") || !strings.Contains(tiles, "Tickets created=3") {
				t.Fatalf("tiles:\n%s", tiles)
			}
			screenshot(t, ctx, engine, "reports-nps-iqs-tiles.png")

			rowsJS := `Array.from(document.querySelectorAll("main table tbody tr")).map(tr => Array.from(tr.children).map(c => c.textContent.trim()).join("|")).join("\n")`
			step("the manager opens the explanation of the NPS", chromedp.Click(chromedp.CSS(`a.kpi-main[href*="kind=nps&"]`)),
				chromedp.WaitVisible(chromedp.CSS("main table tbody tr")))
			rows := eval(rowsJS)
			for _, want := range []string{"Promoter (10)", "Promoter (9)", "Detractor (5)"} {
				if !strings.Contains(rows, want) {
					t.Errorf("NPS answers lack %q:\n%s", want, rows)
				}
			}
			if n := strings.Count(rows, "NPS survey"); n != 3 {
				t.Errorf("%d NPS answers listed, want 3:\n%s", n, rows)
			}
			screenshot(t, ctx, engine, "reports-nps-explained.png")
			step("and of the IQS", chromedp.NavigateBack(), chromedp.WaitVisible(chromedp.CSS(`a.kpi-main[href*="kind=iqs"]`)),
				chromedp.Click(chromedp.CSS(`a.kpi-main[href*="kind=iqs"]`)),
				chromedp.WaitVisible(chromedp.CSS(`main table tbody a[href^="/qa/reviews/"]`)))
			rows = eval(rowsJS)
			if n := strings.Count(rows, "Review "); n != 2 || !strings.Contains(rows, "critical fail") || !strings.Contains(rows, "Ingrid") {
				t.Errorf("IQS reviews:\n%s", rows)
			}
			step("a review opens from its fact", chromedp.Click(chromedp.CSS(`main table tbody a[href^="/qa/reviews/"]`)),
				chromedp.WaitVisible(chromedp.CSS("main h1")))
			if got := eval(`location.pathname`); !strings.HasPrefix(got, "/qa/reviews/") {
				t.Errorf("the review link led to %s", got)
			}
		})
	}
}
