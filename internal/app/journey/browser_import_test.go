package journey_test

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ombud/ombud/internal/dbtest"
)

// zipDir writes the files of dir into a zip archive in the test's folder.
func zipDir(t *testing.T, dir string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "zendesk-export.zip")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create("export/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBrowserImport is an admin moving a team to Ombud, on both engines:
// from Administration they open Import, upload the Zendesk export as a
// zip and see what was imported; the imported ticket reads with its
// history; a second upload adds nothing; a Freshdesk CSV export names the
// row it could not import and imports the rest (issue 18, item 5).
func TestBrowserImport(t *testing.T) {
	zipped := zipDir(t, "../../importer/zendesk/testdata/export")
	csvFile, err := filepath.Abs("../../importer/freshdesk/testdata/csv/tickets.csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			env := map[string]string{"OMBUD_DATA": dbtest.MigratedSQLiteDir(t), "OMBUD_LOG_LEVEL": "warn"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewMigratedPostgresDatabase(t)
			}
			if code, _, er := run(t, env, "user", "create", "--email", "ada@ombud.test", "--name", "Ada", "--role", "admin", "--password", "browser-pass-9"); code != 0 {
				t.Fatal(er)
			}
			s := serve(t, env)
			ctx := browser(t)
			step := stepper(t, ctx)
			read := func(what string, a chromedp.Action[string]) string {
				t.Helper()
				v, err := chromedp.Run(ctx, a)
				if err != nil {
					t.Fatalf("browser: %s: %v", what, err)
				}
				return v
			}
			step("sign in", signIn(s.url+"/admin", "ada@ombud.test", "browser-pass-9"), chromedp.WaitVisible(chromedp.CSS(`main a[href="/admin/import"]`)))
			step("open Import", chromedp.Click(chromedp.CSS(`main a[href="/admin/import"]`)), chromedp.WaitVisible(chromedp.ID("import-file")))
			upload := func(what, format, file string) {
				t.Helper()
				step(what,
					chromedp.SetValue(chromedp.ID("import-format"), format),
					chromedp.SetUploadFiles(chromedp.ID("import-file"), []string{file}),
					chromedp.Submit(chromedp.ID("import-file")),
					chromedp.WaitVisible(chromedp.ID("import-result")))
			}
			upload("upload the Zendesk export", "zendesk", zipped)
			if got := read("read the result", chromedp.Text(chromedp.ID("import-result"))); !strings.Contains(got, "skipped 0") || !strings.Contains(got, "failed 0") {
				t.Fatalf("first import: %q", got)
			}
			step("find the imported ticket", chromedp.Navigate(s.url+"/tickets?q="+"Charged"), chromedp.WaitVisible(chromedp.CSS(`a[href^="/tickets/"]`)))
			step("open it", chromedp.Click(chromedp.CSS(`main a[href^="/tickets/"]`)), loadedWhere(`/^\/tickets\/[0-9]+$/.test(location.pathname)`))
			page := read("read the ticket", chromedp.Text(chromedp.CSS("main")))
			for _, want := range []string{"Charged twice for order 12345", "Hi, I was charged twice", "Checked the payment log", "refund-receipt.pdf", "Thanks, I see the refund now."} {
				if !strings.Contains(page, want) {
					t.Errorf("the imported ticket does not show %q:\n%.2000s", want, page)
				}
			}
			// The custom fields and tags as the agent's form holds them.
			fields := read("read the fields", chromedp.Evaluate[string](`[...document.querySelectorAll(".custom-fields select, .custom-fields input:not([type=hidden])")].map(e => e.type == "checkbox" ? String(e.checked) : e.tagName == "SELECT" ? e.options[e.selectedIndex].text : e.value).join("|") + " tags:" + document.querySelector("#f-tags").value`))
			for _, want := range []string{"Sourdough kit", "12345", "2026-03-05", "true", "tags:billing, vip"} {
				if !strings.Contains(fields, want) {
					t.Errorf("the ticket's fields %q lack %q", fields, want)
				}
			}
			step("back to Import", chromedp.Navigate(s.url+"/admin/import"), chromedp.WaitVisible(chromedp.ID("import-file")))
			upload("upload it again", "zendesk", zipped)
			if got := read("read the result", chromedp.Text(chromedp.ID("import-result"))); !strings.Contains(got, "skipped 5") {
				t.Fatalf("second import: %q", got)
			}
			upload("upload a Freshdesk CSV", "freshdesk", csvFile)
			if got := read("read the result", chromedp.Text(chromedp.ID("import-result"))); !strings.Contains(got, "Imported") || !strings.Contains(got, "skipped 0") || !strings.Contains(got, "failed 1") {
				t.Fatalf("csv import: %q", got)
			}
			if got := read("read the errors", chromedp.Text(chromedp.ID("import-errors"))); !strings.Contains(got, "row 5 (ticket 2103)") || !strings.Contains(got, "Enormous") {
				t.Fatalf("errors: %q", got)
			}
		})
	}
}
