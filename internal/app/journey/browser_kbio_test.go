package journey_test

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ombud/ombud/internal/dbtest"
)

// TestBrowserKnowledgeImportReport is the import and report journey, on
// both engines: a knowledge manager uploads a zip of Markdown with an
// image and sees the articles; a visitor reads one in the help center,
// rates it, and searches for something no article answers; the manager
// finds that search in the knowledge report's searches without a result,
// with the article's views and helpfulness.
func TestBrowserKnowledgeImportReport(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			env := map[string]string{"OMBUD_DATA": dbtest.MigratedSQLiteDir(t), "OMBUD_LOG_LEVEL": "warn"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewMigratedPostgresDatabase(t)
			}
			if code, _, er := run(t, env, "user", "create", "--email", "mona@ombud.test", "--name", "Mona Manager", "--role", "manager", "--password", "browser-pass-9"); code != 0 {
				t.Fatal(er)
			}
			zipped := filepath.Join(t.TempDir(), "articles.zip")
			f, err := os.Create(zipped)
			if err != nil {
				t.Fatal(err)
			}
			zw := zip.NewWriter(f)
			for name, body := range map[string]string{
				"Orders/Returns/return-a-parcel.md": "---\ntitle: Return a parcel\ntags: [returns]\n---\nPrint the **return label** and drop the parcel at any post office.\n\n![The label](img/label.png)\n",
				"Orders/Returns/img/label.png":      "\x89PNG\r\n\x1a\nnot really an image",
				"Orders/Delivery/delivery-times.md": "# Delivery times\n\nParcels arrive within two working days.\n",
			} {
				w, _ := zw.Create(name)
				w.Write([]byte(body))
			}
			zw.Close()
			f.Close()
			s := serve(t, env)
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

			step("the manager signs in", signIn(s.url+"/knowledge", "mona@ombud.test", "browser-pass-9"),
				chromedp.WaitVisible(chromedp.CSS(`main a[href="/knowledge/transfer"]`)))
			step("and opens Import and export", chromedp.Click(chromedp.CSS(`main a[href="/knowledge/transfer"]`)),
				chromedp.WaitVisible(chromedp.ID("i-file")))
			step("and uploads the zip, published and public",
				chromedp.SetUploadFiles(chromedp.ID("i-file"), []string{zipped}),
				chromedp.SetValue(chromedp.ID("i-vis"), "public"),
				chromedp.Click(chromedp.CSS(`input[name="publish"]`)),
				chromedp.Submit(chromedp.ID("i-file")),
				chromedp.WaitVisible(chromedp.ID("import-result")))
			if got := eval(`document.getElementById("import-result").textContent`); !strings.Contains(got, "Created 2, updated 0, unchanged 0, with 0 problems.") ||
				!strings.Contains(got, "Return a parcel") || !strings.Contains(got, "Delivery times") {
				t.Fatalf("import result: %q", got)
			}
			step("she sees the articles", chromedp.Navigate(s.url+"/knowledge?q=label"), chromedp.WaitVisible(chromedp.ID("articles")),
				chromedp.Click(chromedp.CSS(`#articles a[href^="/knowledge/articles/"]`)),
				chromedp.WaitVisible(chromedp.ID("kb-state")))
			if got := eval(`document.querySelector("h1").textContent + " | " + (document.querySelector("main article img[src^='/knowledge/files/']") ? "image" : "no image")`); got != "Return a parcel | image" {
				t.Fatalf("imported article: %q", got)
			}

			step("a visitor reads it in the help center", signOut, chromedp.Navigate(s.url+"/help/en/search?q=return+label"),
				chromedp.WaitVisible(chromedp.CSS("ol.results a")),
				chromedp.Click(chromedp.CSS("ol.results a")),
				chromedp.WaitVisible(chromedp.ID("feedback")))
			if got := eval(`document.querySelector("main img") ? document.querySelector("main img").getAttribute("src") : ""`); !strings.HasPrefix(got, "/help-files/") {
				t.Fatalf("image in the help center: %q", got)
			}
			step("rates it", chromedp.Click(chromedp.CSS(`input[name="helpful"][value="yes"]`)),
				chromedp.Submit(chromedp.ID("fb-comment")),
				chromedp.WaitVisible(chromedp.CSS("#feedback p.notice")))
			step("and searches for something missing", chromedp.Navigate(s.url+"/help/en"), chromedp.WaitVisible(chromedp.ID("help-q")),
				chromedp.SendKeys(chromedp.ID("help-q"), "Gift cards?"), chromedp.Submit(chromedp.ID("help-q")),
				loadedWhere(`location.pathname === "/help/en/search"`))
			if got := eval(`String(document.querySelectorAll("ol.results a").length)`); got != "0" {
				t.Fatalf("gift cards found %s articles", got)
			}

			step("the manager signs in again", signIn(s.url+"/knowledge", "mona@ombud.test", "browser-pass-9"),
				chromedp.WaitVisible(chromedp.CSS(`main a[href="/knowledge/report"]`)))
			step("and opens the knowledge report", chromedp.Click(chromedp.CSS(`main a[href="/knowledge/report"]`)),
				chromedp.WaitVisible(chromedp.ID("kb-gaps")))
			if got := eval(`document.getElementById("kb-gaps").textContent`); !strings.Contains(got, "gift cards") {
				t.Fatalf("searches without a result: %q", got)
			}
			row := eval(`Array.from(document.querySelectorAll("#kb-articles tbody tr")).map(r => Array.from(r.cells).map(c => c.textContent.trim()).join("|")).join("\n")`)
			// The manager opened it once (agent), the visitor once (help
			// center): 2 views, 1 yes, 0 no, 100 % helpful.
			if !strings.Contains(row, "Return a parcel|1|0|1|2|1|0|100 %|0|0|0") {
				t.Fatalf("article figures:\n%s", row)
			}
			screenshot(t, ctx, engine, "knowledge-report.png")
		})
	}
}
