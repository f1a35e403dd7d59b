package journey_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/chromedp/chromedp"

	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/i18n"
)

// TestBrowserSlovenianDay is an agent working a whole day in Slovenian, on
// both engines: sign in, availability, the list and a view, a ticket, a
// reply, a note, a macro, a custom field, solving, searching by number and
// name, a phone call as a new ticket, a merge, a customer page and the
// reports (as a manager). On every page, and after a live notice, no text
// a person reads (text, title, placeholder, aria-label) is an English
// interface string whose Slovenian differs.
func TestBrowserSlovenianDay(t *testing.T) {
	english := englishUIChecker(t, "sl")
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			env := map[string]string{"OMBUD_DATA": dbtest.MigratedSQLiteDir(t), "OMBUD_LOG_LEVEL": "warn"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewMigratedPostgresDatabase(t)
			}
			for _, u := range [][]string{{"mojca@ombud.test", "Mojca Novak", "manager"}, {"sef@ombud.test", "Boštjan Šef", "admin"}} {
				if code, _, er := run(t, env, "user", "create", "--email", u[0], "--name", u[1], "--role", u[2], "--password", "browser-pass-9"); code != 0 {
					t.Fatal(er)
				}
			}
			_, tok, _ := run(t, env, "token", "create", "--email", "sef@ombud.test")
			tok = strings.TrimSpace(tok)
			s := serve(t, env)
			must := func(want int, what, method, path string, in any) map[string]any {
				t.Helper()
				code, body := api(t, method, s.url+path, tok, in)
				if code != want {
					t.Fatalf("%s: %d %v", what, code, body)
				}
				return body
			}
			id := func(m map[string]any) int64 { return int64(m["id"].(float64)) }
			_, agents := api(t, "GET", s.url+"/api/v1/agents?limit=100", tok, nil)
			var mojca int64
			for _, a := range agents["data"].([]any) {
				if m := a.(map[string]any); m["email"] == "mojca@ombud.test" {
					mojca = id(m)
				}
			}
			must(200, "locale", "PATCH", fmt.Sprintf("/api/v1/agents/%d", mojca), map[string]any{"locale": "sl", "time_zone": "Europe/Ljubljana"})
			must(201, "field", "POST", "/api/v1/custom-fields", map[string]any{"key": "narocilo", "label": "Številka naročila", "type": "text"})
			must(201, "macro", "POST", "/api/v1/macros", map[string]any{"name": "Zahvala", "scope": "shared", "body": "Hvala za potrpežljivost.",
				"actions": []map[string]any{{"type": "set_priority", "value": "high"}}})
			view := id(must(201, "view", "POST", "/api/v1/views", map[string]any{"name": "Odprti zahtevki", "query": "status:open", "shared": true}))
			mk := func(subject string) int64 {
				return id(must(201, "ticket", "POST", "/api/v1/tickets", map[string]any{"subject": subject, "description": "Paket s številko 7781 še ni prispel.",
					"requester": map[string]string{"email": "janez@primer.si", "name": "Janez Kranjc", "phone": "+386 1 234 5678"}}))
			}
			first, dup := mk("Paket 7781 ni prispel"), mk("Paket 7781 še vedno ni prispel")
			_, tk := api(t, "GET", fmt.Sprintf("%s/api/v1/tickets/%d", s.url, first), tok, nil)
			customer := int64(tk["requester_id"].(float64))

			ctx := browserFor(t, 4*time.Minute) // a whole working day: many pages
			// A whole day takes longer than browser's minute: the same
			// browser, with a deadline of its own.
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 4*time.Minute)
			defer cancel()
			step := stepper(t, ctx)
			pages := 0
			check := func(where string) {
				t.Helper()
				strs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](readableJS))
				if err != nil {
					t.Fatalf("%s: read the page: %v", where, err)
				}
				if len(strs) < 20 || !contains(strs, "Moj profil") {
					t.Fatalf("%s: the page reads as %d strings without the Slovenian profile menu: %q", where, len(strs), strs)
				}
				pages++
				for _, bad := range english(strs) {
					t.Errorf("%s: English %q", where, bad)
				}
			}
			open := func(what, path string) {
				t.Helper()
				step(what, chromedp.Navigate(s.url+path), chromedp.WaitVisible(chromedp.CSS("main")))
				check(what)
			}
			ticket := fmt.Sprintf("/tickets/%d", first)
			// submitJS submits a form and waits for the page it leads to.
			submitJS := func(sel string) chromedp.Action[chromedp.Void] {
				return chromedp.Steps(
					chromedp.Evaluate[chromedp.Void](`window.__before = true; document.querySelector(`+fmt.Sprintf("%q", sel)+`).requestSubmit()`),
					newPage)
			}

			step("sign in", signIn(s.url+"/tickets", "mojca@ombud.test", "browser-pass-9"), chromedp.WaitVisible(chromedp.CSS("form.availability")))
			check("ticket list")
			// choose picks a value in the header's switch as a person does
			// (its change event submits it).
			choose := func(value string) chromedp.Action[chromedp.Void] {
				return chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById("availability");
					s.value = "` + value + `"; s.dispatchEvent(new Event("change")); })()`)
			}
			step("go away", chromedp.Navigate(s.url+"/profile"), chromedp.WaitVisible(chromedp.CSS("form.availability")),
				choose("away"), chromedp.WaitVisible(chromedp.CSS("form.availability.a-away")))
			check("profile, away")
			step("back online", choose("online"), chromedp.WaitVisible(chromedp.CSS("form.availability.a-online")))
			open("ticket list", "/tickets")
			// A live notice: a ticket arrives while the list is open.
			mk("Nov klic stranke")
			step("live notice", chromedp.WaitVisible(chromedp.CSS("#live-notice:not([hidden])")))
			check("ticket list with a live notice")
			open("view", fmt.Sprintf("/views/%d", view))
			open("ticket", ticket)
			step("reply", chromedp.Click(chromedp.CSS(`input[name="public"][value="true"]`)),
				chromedp.SetValue(chromedp.ID("body"), "Pozdravljeni, paket smo poslali znova."),
				submitJS("form.composer"), chromedp.WaitVisible(chromedp.ID("body")))
			check("after the reply")
			step("note", chromedp.Click(chromedp.CSS(`input[name="public"][value="false"]`)),
				chromedp.SetValue(chromedp.ID("body"), "Preveril sem pri dostavni službi."),
				submitJS("form.composer"), chromedp.WaitVisible(chromedp.ID("body")))
			check("after the note")
			step("macro preview", chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById("macro-id");
					window.__before = true; s.value = [...s.options].find((o) => o.text === "Zahvala").value; s.form.requestSubmit(); })()`),
				chromedp.WaitVisible(chromedp.CSS("section.macro-preview")))
			check("macro preview")
			step("apply the macro", submitJS(`form[action$="/macros/apply"]`), chromedp.WaitVisible(chromedp.ID("body")))
			check("after the macro")
			step("custom field and solve", chromedp.SetValue(chromedp.CSS(`[id="f-custom_fields.narocilo"]`), "N-7781"),
				chromedp.SetValue(chromedp.ID("f-status"), "solved"), chromedp.Submit(chromedp.ID("f-status")),
				chromedp.WaitVisible(chromedp.CSS(".meta .status.s-solved")))
			check("solved ticket")
			open("search by number", fmt.Sprintf("/tickets?q=%%23%d", dup))
			open("search by name", "/tickets?q=Janez")
			step("new ticket: a phone call", chromedp.Navigate(s.url+"/tickets"), chromedp.WaitVisible(chromedp.CSS("a.new-ticket-link")),
				chromedp.Click(chromedp.CSS("a.new-ticket-link")), chromedp.WaitVisible(chromedp.ID("new-ticket")))
			check("new ticket form")
			step("log the call",
				chromedp.SendKeys(chromedp.ID("f-subject"), "Klic glede računa 4411"),
				chromedp.Click(chromedp.CSS(`input[name="kind"][value="note"]`)),
				chromedp.SendKeys(chromedp.ID("f-description"), "Stranka je klicala ob 10.05."),
				chromedp.SendKeys(chromedp.CSS(`[id="f-requester.phone"]`), "+386 1 234 5678"),
				chromedp.SetValue(chromedp.ID("f-channel"), "phone"),
				chromedp.Submit(chromedp.ID("f-subject")),
				chromedp.WaitVisible(chromedp.ID("body")))
			check("the phone call's ticket")
			step("merge", chromedp.Navigate(fmt.Sprintf("%s/tickets/%d/merge?target=%d", s.url, dup, first)), chromedp.WaitVisible(chromedp.CSS(".merge-sides")))
			check("merge confirmation")
			step("confirm the merge", chromedp.Submit(chromedp.ID("f-note")), loadedWhere(`!location.pathname.endsWith("/merge")`))
			check("after the merge")
			open("customer", fmt.Sprintf("/customers/%d", customer))
			open("reports", "/reports")
			if pages < 15 {
				t.Errorf("checked %d pages", pages)
			}
		})
	}
}

// newPage waits until the page a submit leads to has loaded (the old one
// carries window.__before).
var newPage chromedp.Action[chromedp.Void] = func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
	for {
		done, err := chromedp.Evaluate[bool](`!window.__before && document.readyState === "complete"`)(ctx, tg)
		if err == nil && done {
			return chromedp.Void{}, nil
		}
		select {
		case <-ctx.Done():
			return chromedp.Void{}, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// readableJS collects what a person reads on the page: the text of every
// rendered element, document.body.innerText line by line, the title,
// placeholder and aria-label attributes, and the document's title.
const readableJS = `(() => {
  const out = [];
  const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n; (n = w.nextNode());) {
    const p = n.parentElement;
    if (!p || p.closest("script,style,template,[hidden]")) continue;
    if (p.checkVisibility && !p.checkVisibility()) continue;
    out.push(n.textContent);
  }
  out.push(...document.body.innerText.split("\n"));
  for (const el of document.querySelectorAll("[title],[placeholder],[aria-label]")) {
    if (el.closest("[hidden]")) continue;
    for (const a of ["title", "placeholder", "aria-label"]) { const v = el.getAttribute(a); if (v) out.push(v); }
  }
  out.push(document.title);
  return out.map((s) => s.replace(/\s+/g, " ").trim()).filter((s) => /\p{L}/u.test(s));
})()`

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// englishUIChecker returns a test of a page's strings for lang: the ones
// that are English catalog strings whose translation differs (plain, or a
// format filled in), leaving out any text that is also a translation (a
// Slovenian word may spell like an English key) and product names. Data
// (subjects, names) is never a whole catalog key and never fits a format
// whose literal words are English, so it is not flagged.
func englishUIChecker(t *testing.T, lang string) func([]string) []string {
	t.Helper()
	verb := regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[sdvqfx%]`)
	space := regexp.MustCompile(`\s+`)
	compile := func(f string) *regexp.Regexp {
		parts := verb.Split(f, -1)
		for i := range parts {
			parts[i] = regexp.QuoteMeta(space.ReplaceAllString(parts[i], " "))
		}
		return regexp.MustCompile(`^` + strings.Join(parts, `.+?`) + `$`)
	}
	same := map[string]bool{"Ombud": true, "SLA": true}
	translated := map[string]bool{}
	plain := map[string]bool{}
	type format struct {
		key    string
		re, tl *regexp.Regexp
	}
	var formats []format
	letters := func(s string) int {
		n := 0
		for _, r := range s {
			if unicode.IsLetter(r) {
				n++
			}
		}
		return n
	}
	for _, k := range i18n.EnglishKeys() {
		tl, ok := i18n.Translation(lang, k)
		if !ok {
			t.Fatalf("no %s translation of %q", lang, k)
		}
		translated[strings.Join(strings.Fields(tl), " ")] = true
		if tl == k || same[k] {
			continue
		}
		if !verb.MatchString(k) {
			plain[strings.Join(strings.Fields(k), " ")] = true
			continue
		}
		if letters(verb.ReplaceAllString(k, "")) < 4 {
			continue
		}
		formats = append(formats, format{k, compile(k), compile(tl)})
	}
	if len(plain) < 500 || len(formats) < 50 {
		t.Fatalf("the checker knows only %d strings and %d formats", len(plain), len(formats))
	}
	check := func(strs []string) []string {
		var bad []string
		seen := map[string]bool{}
		for _, s := range strs {
			if seen[s] || translated[s] {
				continue
			}
			seen[s] = true
			if plain[s] {
				bad = append(bad, s)
				continue
			}
			for _, f := range formats {
				if f.re.MatchString(s) && !f.tl.MatchString(s) {
					bad = append(bad, s+" (format "+f.key+")")
					break
				}
			}
		}
		return bad
	}
	// The checker itself: it finds English, and passes Slovenian.
	if got := check([]string{"Sign out", "Odjava", "Paket 7781 ni prispel", "merged this ticket into #12"}); len(got) != 2 {
		t.Fatalf("checker self-test: %q", got)
	}
	return check
}
