package journey_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/ombud/ombud/internal/dbtest"
)

// headerRow is JavaScript that describes how the header lays out: "ok" when
// every item of it sits on the brand's row, else which item wrapped.
const headerRow = `(() => {
	const top = document.querySelector("header.top"), brand = top.querySelector(".brand").getBoundingClientRect();
	const items = [...top.querySelectorAll(":scope > *, .top-nav > a, .admin-menu > summary, .me > *")]
		.filter(el => el.offsetParent !== null && !el.matches("details"));
	for (const el of items) {
		const r = el.getBoundingClientRect();
		if (r.top >= brand.bottom || r.bottom <= brand.top) return "wrapped: " + (el.className || el.tagName) + " " + el.textContent.trim().slice(0, 40) + " at " + Math.round(r.top);
	}
	const search = top.querySelector(".search input").getBoundingClientRect().width;
	if (search < 140) return "search box only " + Math.round(search) + " px wide";
	const h = top.getBoundingClientRect().height;
	return h > 64 ? "header " + Math.round(h) + " px high" : "ok";
})()`

// pageScroll is JavaScript that says whether the page scrolls sideways.
const pageScroll = `(() => {
	const w = document.documentElement.scrollWidth, v = window.innerWidth;
	if (w <= v) return "ok";
	const over = el => el.getBoundingClientRect().right > v + 1;
	const wide = [...document.querySelectorAll("body *")].filter(el => over(el) && !over(el.parentElement))
		.map(el => el.tagName + "." + el.className + " (" + Math.round(el.getBoundingClientRect().width) + " px)").slice(0, 6);
	return "scrollWidth " + w + " > " + v + ": " + wide.join(", ");
})()`

// TestBrowserNav is the journey of finding one's way as an admin: at
// 1280×800 the header is one row in each of the five languages with no
// sideways scrolling; the Admin menu opens with the keyboard, closes on
// Escape and outside clicks, and reaches Triggers; at 390×844 (a phone) the
// ticket list, a ticket and the reports overview do not scroll sideways and
// the menu still reaches the settings. The layout runs on SQLite; on
// PostgreSQL, the menu's way to Triggers.
func TestBrowserNav(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			env := map[string]string{"OMBUD_DATA": dbtest.MigratedSQLiteDir(t), "OMBUD_LOG_LEVEL": "warn"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewMigratedPostgresDatabase(t)
			}
			if code, _, er := run(t, env, "user", "create", "--email", "marit@ombud.test", "--name", "Marit Haugland-Berg", "--role", "admin", "--password", "browser-pass-7"); code != 0 {
				t.Fatal(er)
			}
			_, tok, _ := run(t, env, "token", "create", "--email", "marit@ombud.test")
			tok = strings.TrimSpace(tok)
			s := serve(t, env)
			var ticketID int64
			for i, subj := range []string{"Fakturaen for mars mangler mva-nummeret vårt", "Kan ikke logge inn i kundeportalen etter passordbytte", "Levering til feil adresse"} {
				code, tk := api(t, "POST", s.url+"/api/v1/tickets", tok, map[string]any{
					"subject": subj, "description": "Hei! Vi trenger hjelp med dette så snart som mulig. Ordrenummer 2024-118834.",
					"requester": map[string]string{"email": fmt.Sprintf("innkjop.avdeling%d@stor-bedrift-eksempel.no", i), "name": "Innkjøpsavdelingen Stor Bedrift AS"},
					"tags":      []string{"faktura", "prioritert-kunde"}, "priority": "high"})
				if code != 201 {
					t.Fatalf("ticket: %d %v", code, tk)
				}
				ticketID = int64(tk["id"].(float64))
			}
			_, me := api(t, "GET", s.url+"/api/v1/me", tok, nil)
			myID := int64(me["id"].(float64))

			ctx := browser(t)
			step := stepper(t, ctx)
			eval := func(what, js string) string {
				t.Helper()
				got, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				return got
			}
			shot := func(name string) { t.Helper(); screenshot(t, ctx, engine, name) }
			isOpen := func() bool {
				t.Helper()
				return eval("menu state", `String(document.querySelector("details.admin-menu").open)`) == "true"
			}
			viaMenuToTriggers := chromedp.Steps(
				chromedp.Click(chromedp.CSS("details.admin-menu > summary")),
				chromedp.WaitVisible(chromedp.CSS(`.admin-menu-panel a[href="/admin/triggers"]`)),
				chromedp.Click(chromedp.CSS(`.admin-menu-panel a[href="/admin/triggers"]`)),
				chromedp.WaitVisible(chromedp.CSS(`details.admin-menu.current`)),
				chromedp.WaitReady(chromedp.CSS(`.admin-menu-panel a[href="/admin/triggers"][aria-current="page"]`)))

			step("sign in", chromedp.EmulateViewport(1280, 800), signIn(s.url+"/tickets", "marit@ombud.test", "browser-pass-7"),
				chromedp.WaitVisible(chromedp.CSS("table.tickets")))
			if engine == "postgres" {
				step("admin menu to triggers", viaMenuToTriggers)
				return
			}

			for _, lang := range []string{"en", "nb", "sv", "da", "sl"} {
				if code, body := api(t, "PATCH", fmt.Sprintf("%s/api/v1/agents/%d", s.url, myID), tok, map[string]any{"locale": lang}); code != 200 {
					t.Fatalf("locale %s: %d %v", lang, code, body)
				}
				for _, p := range []string{"/tickets", "/admin/triggers"} {
					step(lang+" "+p, chromedp.Navigate(s.url+p), chromedp.WaitVisible(chromedp.CSS("details.admin-menu")))
					if got := eval("lang", `document.documentElement.lang`); got != lang {
						t.Fatalf("page language %q, want %q", got, lang)
					}
					if got := eval("header row", headerRow); got != "ok" {
						t.Errorf("%s %s at 1280 px: %s", lang, p, got)
					}
					if got := eval("page scroll", pageScroll); got != "ok" {
						t.Errorf("%s %s at 1280 px: %s", lang, p, got)
					}
				}
				if lang == "sl" {
					step("sl menu", chromedp.Click(chromedp.CSS("details.admin-menu > summary")), chromedp.WaitVisible(chromedp.CSS(".admin-menu-panel")))
					shot("nav-admin-menu.png")
				}
			}
			if code, body := api(t, "PATCH", fmt.Sprintf("%s/api/v1/agents/%d", s.url, myID), tok, map[string]any{"locale": "en"}); code != 200 {
				t.Fatalf("locale en: %d %v", code, body)
			}

			// The menu by keyboard: Enter opens it, Escape closes it and
			// gives the focus back; a click elsewhere closes it too.
			step("open by keyboard", chromedp.Navigate(s.url+"/tickets"), chromedp.WaitVisible(chromedp.CSS("table.tickets")),
				chromedp.Focus(chromedp.CSS("details.admin-menu > summary")), chromedp.KeyEvent(kb.Enter),
				chromedp.WaitVisible(chromedp.CSS(`.admin-menu-panel a[href="/admin/jobs"]`)))
			step("Escape", chromedp.KeyEvent(kb.Escape))
			if isOpen() {
				t.Error("the menu stayed open after Escape")
			}
			if got := eval("focus", `document.activeElement.tagName`); got != "SUMMARY" {
				t.Errorf("after Escape the focus is on %s, want the menu's button", got)
			}
			step("open by click", chromedp.Click(chromedp.CSS("details.admin-menu > summary")), chromedp.WaitVisible(chromedp.CSS(`.admin-menu-panel`)))
			// The panel hangs from the right edge and keeps 8 px from the
			// left one: the bottom-left corner is outside it however many
			// pages the menu lists.
			step("click outside", chromedp.MouseClickXY(2, 796))
			if isOpen() {
				t.Error("the menu stayed open after a click outside it")
			}
			step("admin menu to triggers", viaMenuToTriggers)
			step("admin index", chromedp.Navigate(s.url+"/admin"), chromedp.WaitVisible(chromedp.CSS(".admin-index-groups")))
			shot("nav-admin-index.png")

			// A phone.
			step("phone", chromedp.EmulateViewport(390, 844))
			for i := 0; ; i++ {
				step("reports", chromedp.Navigate(s.url+"/reports"), chromedp.WaitVisible(chromedp.CSS("main svg")))
				if eval("pending", `String(document.querySelector(".report-pending") !== null)`) == "false" {
					break
				}
				if i == 30 {
					t.Fatal("the report facts were not refreshed within 15 s")
				}
				time.Sleep(500 * time.Millisecond)
			}
			for _, p := range []string{"/tickets", fmt.Sprintf("/tickets/%d", ticketID), "/reports", "/admin"} {
				step("phone "+p, chromedp.Navigate(s.url+p), chromedp.WaitVisible(chromedp.CSS("main")))
				if got := eval("width", `String(window.innerWidth)`); got != "390" {
					t.Fatalf("viewport %s px wide, want 390", got)
				}
				if got := eval("page scroll", pageScroll); got != "ok" {
					t.Errorf("%s at 390 px: %s", p, got)
				}
				switch p {
				case "/tickets":
					shot("nav-phone-list.png")
				case "/reports":
					shot("nav-phone-reports.png")
				case fmt.Sprintf("/tickets/%d", ticketID):
					shot("nav-phone-ticket.png")
				}
			}
			step("phone menu", chromedp.Navigate(s.url+"/tickets"), chromedp.WaitVisible(chromedp.CSS("details.admin-menu > summary")),
				chromedp.Click(chromedp.CSS("details.admin-menu > summary")), chromedp.WaitVisible(chromedp.CSS(`.admin-menu-panel a[href="/admin/sla-policies"]`)))
			if got := eval("panel", `(() => { const r = document.querySelector(".admin-menu-panel").getBoundingClientRect();
				return r.left >= 0 && r.right <= window.innerWidth ? "ok" : "panel from " + r.left + " to " + r.right; })()`); got != "ok" {
				t.Errorf("the Admin menu on a phone: %s", got)
			}
			if got := eval("page scroll", pageScroll); got != "ok" {
				t.Errorf("menu open at 390 px: %s", got)
			}
			shot("nav-phone-menu.png")
			step("phone menu to SLA policies", chromedp.Click(chromedp.CSS(`.admin-menu-panel a[href="/admin/sla-policies"]`)),
				chromedp.WaitReady(chromedp.CSS(`.admin-menu-panel a[href="/admin/sla-policies"][aria-current="page"]`)))
			if got := eval("page scroll", pageScroll); got != "ok" {
				t.Errorf("/admin/sla-policies at 390 px: %s", got)
			}
		})
	}
}
