package journey_test

import (
	"archive/zip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/ombud/ombud/internal/dbtest"
)

// TestBrowserGDPR is an admin answering a customer's data requests, on both
// engines: from the customer's page they download the export (a zip with
// the profile and the ticket), then erase the customer by typing their
// email address; the customer and their ticket are gone.
func TestBrowserGDPR(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			env := map[string]string{"OMBUD_DATA": dbtest.MigratedSQLiteDir(t), "OMBUD_LOG_LEVEL": "warn"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewMigratedPostgresDatabase(t)
			}
			if code, _, er := run(t, env, "user", "create", "--email", "dpo@ombud.test", "--name", "Dina Vern", "--role", "admin", "--password", "browser-pass-9"); code != 0 {
				t.Fatal(er)
			}
			code, token, er := run(t, env, "token", "create", "--email", "dpo@ombud.test")
			if code != 0 {
				t.Fatal(er)
			}
			token = strings.TrimSpace(token)
			s := serve(t, env)
			st, tk := api(t, "POST", s.url+"/api/v1/tickets", token, map[string]any{
				"subject": "Slett dataene mine", "description": "Jeg vil ha alt dere har om meg.",
				"requester": map[string]any{"email": "maren.dahl@example.no", "name": "Maren Dahl"},
			})
			if st != 201 {
				t.Fatalf("ticket: %d %v", st, tk)
			}
			tid, cid := int64(tk["id"].(float64)), int64(tk["requester_id"].(float64))

			ctx := browser(t)
			dir := t.TempDir()
			if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
				Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir,
				BrowserContextID: chromedp.FromContext(ctx).BrowserContextID}); err != nil { // this test's browser context, not the shared browser's default one
				t.Fatal(err)
			}
			step := stepper(t, ctx)
			cust := fmt.Sprintf("%s/customers/%d", s.url, cid)
			step("sign in", signIn(cust, "dpo@ombud.test", "browser-pass-9"), chromedp.WaitVisible(chromedp.ID("export-data")))
			step("export", chromedp.Click(chromedp.ID("export-data")))
			zipPath := filepath.Join(dir, fmt.Sprintf("customer-%d.zip", cid))
			var z *zip.ReadCloser
			for i := 0; ; i++ {
				var err error
				if z, err = zip.OpenReader(zipPath); err == nil {
					break
				}
				if i > 200 {
					entries, _ := os.ReadDir(dir)
					t.Fatalf("no export downloaded: %v (%v)", err, entries)
				}
				time.Sleep(50 * time.Millisecond)
			}
			names := map[string]bool{}
			for _, f := range z.File {
				names[f.Name] = true
			}
			z.Close()
			if !names["customer.json"] || !names[fmt.Sprintf("tickets/%d.json", tid)] {
				t.Fatalf("export holds %v", names)
			}
			step("open erase", chromedp.Click(chromedp.CSS(`a[href$="/privacy"]`)), chromedp.WaitVisible(chromedp.ID("f-confirm")))
			step("erase with the wrong address",
				chromedp.Click(chromedp.ID("f-mode-delete")),
				chromedp.SendKeys(chromedp.ID("f-confirm"), "maren@example.no"),
				chromedp.Submit(chromedp.ID("f-confirm")),
				chromedp.WaitVisible(chromedp.CSS("p.error")))
			screenshot(t, ctx, engine, "customer-erase.png")
			step("erase",
				chromedp.Clear(chromedp.ID("f-confirm")),
				chromedp.SendKeys(chromedp.ID("f-confirm"), "maren.dahl@example.no"),
				chromedp.Submit(chromedp.ID("f-confirm")),
				chromedp.WaitVisible(chromedp.CSS("p.flash")))
			flash, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("p.flash")))
			if err != nil || !strings.Contains(flash, "1") {
				t.Fatalf("after erase: %q %v", flash, err)
			}
			if st, _ := api(t, "GET", fmt.Sprintf("%s/api/v1/tickets/%d", s.url, tid), token, nil); st != 404 {
				t.Errorf("ticket after erase: %d", st)
			}
			if st, _ := api(t, "GET", fmt.Sprintf("%s/api/v1/customers/%d", s.url, cid), token, nil); st != 404 {
				t.Errorf("customer after erase: %d", st)
			}
		})
	}
}
