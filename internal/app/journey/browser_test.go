package journey_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowser drives the agent UI in Debian's Chromium: sign in, open the
// list, open a ticket, reply, change status, and save screenshots.
func TestBrowser(t *testing.T) {
	env := map[string]string{"OMBUD_DATA": t.TempDir(), "OMBUD_LOG_LEVEL": "warn"}
	if code, _, er := run(t, env, "user", "create", "--email", "ingrid@ombud.test", "--name", "Ingrid Haugen", "--role", "agent", "--password", "browser-pass-1"); code != 0 {
		t.Fatal(er)
	}
	if code, _, er := run(t, env, "user", "create", "--email", "erik@ombud.test", "--name", "Erik Lund", "--role", "agent", "--password", "browser-pass-2"); code != 0 {
		t.Fatal(er)
	}
	if code, _, er := run(t, env, "user", "create", "--email", "maria@ombud.test", "--name", "Maria Berg", "--role", "manager", "--password", "browser-pass-3"); code != 0 {
		t.Fatal(er)
	}
	_, tok, _ := run(t, env, "token", "create", "--email", "ingrid@ombud.test")
	tok = strings.TrimSpace(tok)
	s := serve(t, env)
	code, tk := api(t, "POST", s.url+"/api/v1/tickets", tok, map[string]any{
		"subject": "Pakken min er ikke kommet", "description": "Hei! Bestilling 123456 er fortsatt ikke levert.",
		"requester": map[string]string{"email": "kari@fjord.example", "name": "Kari Nordmann"}, "priority": "high", "tags": []string{"shipping"},
	})
	if code != 201 {
		t.Fatalf("create: %d %v", code, tk)
	}
	id := int64(tk["id"].(float64))

	ctx := browserFor(t, 90*time.Second)

	// Screenshots go to a temporary folder, so the suite leaves the working
	// tree as it found it; OMBUD_SCREENSHOTS=1 refreshes docs/screenshots.
	shots := t.TempDir()
	if os.Getenv("OMBUD_SCREENSHOTS") == "1" {
		shots = filepath.Join("..", "..", "..", "docs", "screenshots")
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	step := func(what string, acts ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, acts...); err != nil {
			t.Fatalf("browser: %s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("browser: text of %s: %v", sel, err)
		}
		return v
	}
	shot := func(name string) {
		t.Helper()
		b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("browser: screenshot: %v", err)
		}
		if err := os.WriteFile(filepath.Join(shots, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	step("open sign-in", chromedp.Navigate(s.url+"/tickets"), chromedp.WaitVisible(chromedp.ID("email")))
	shot("sign-in.png")
	step("sign in",
		chromedp.SendKeys(chromedp.ID("email"), "ingrid@ombud.test"),
		chromedp.SendKeys(chromedp.ID("password"), "browser-pass-1"),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS("table.tickets")))
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	listText := text("table.tickets")
	shot("ticket-list.png")
	// Keyboard only: j selects the first row, Enter opens it.
	step("keyboard open", chromedp.KeyEvent("j"), chromedp.KeyEvent("\r"), chromedp.WaitVisible(chromedp.ID("body")))
	step("reply",
		chromedp.SendKeys(chromedp.ID("body"), "Hei Kari, vi har purret på transportøren."),
		chromedp.SetValue(chromedp.ID("submit-status"), "pending"),
		chromedp.Submit(chromedp.ID("body")),
		chromedp.WaitVisible(chromedp.CSS("article.comment:nth-of-type(2)")))
	thread := text("section.thread")
	status := text(".meta .status")
	shot("ticket.png")
	if !strings.Contains(title, "Ombud") || !strings.Contains(listText, "Pakken min er ikke kommet") || !strings.Contains(listText, "Kari Nordmann") {
		t.Fatalf("list page: title %q text %q", title, listText)
	}
	if !strings.Contains(thread, "vi har purret") || !strings.Contains(thread, "Ingrid Haugen") || status != "Pending" {
		t.Fatalf("ticket page: status %q thread %q", status, thread)
	}
	// The reply went through the event log.
	code, ev := api(t, "GET", fmt.Sprintf("%s/api/v1/tickets/%d/events", s.url, id), tok, nil)
	if code != 200 || len(ev["data"].([]any)) < 4 {
		t.Fatalf("events %d %v", code, ev)
	}

	// A colleague in a second browser opens the same ticket: Ingrid sees
	// them arrive and type, and their reply appears on her page without a
	// reload, her own draft untouched.
	ctx2 := browserFor(t, 60*time.Second)
	step2 := func(what string, acts ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx2, acts...); err != nil {
			t.Fatalf("second browser: %s: %v", what, err)
		}
	}
	step("start a draft", chromedp.SendKeys(chromedp.ID("body"), "Utkast som ikke må forsvinne"))
	step2("erik signs in and opens the ticket",
		chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", s.url, id)), chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "erik@ombud.test"),
		chromedp.SendKeys(chromedp.ID("password"), "browser-pass-2"),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.ID("body")))
	waitText := func(sel, want string) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			if v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel))); err == nil && strings.Contains(v, want) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("browser: %s never showed %q", sel, want)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	waitText("#presence", "Erik Lund is viewing")
	step2("erik types", chromedp.SendKeys(chromedp.ID("body"), "Jeg tar denne."))
	waitText("#presence", "Erik Lund is typing")
	step2("erik replies", chromedp.Submit(chromedp.ID("body")), chromedp.WaitVisible(chromedp.CSS("article.comment:nth-of-type(3)")))
	waitText("section.thread", "Jeg tar denne.")
	waitText("#live-notice", "New message on this ticket")
	draft, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("body")))
	if err != nil || draft != "Utkast som ikke må forsvinne" {
		t.Fatalf("the draft changed: %q (%v)", draft, err)
	}
	shot("ticket-live.png")
	// The draft lives on the server: a reload brings it back.
	step("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("body")))
	draft, err = chromedp.Run(ctx, chromedp.Value(chromedp.ID("body")))
	if err != nil || draft != "Utkast som ikke må forsvinne" {
		t.Fatalf("the draft did not survive a reload: %q (%v)", draft, err)
	}

	// The composer: a file dropped on it and one chosen in the file input
	// are both listed and sent; typing "@Eri" offers Erik to mention.
	notat := filepath.Join(t.TempDir(), "notat.txt")
	if err := os.WriteFile(notat, []byte("Sporingsnummer 42"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
		const form = document.querySelector("form.composer");
		const dt = new DataTransfer();
		dt.items.add(new File(["fra skrivebordet"], "slippet.txt", { type: "text/plain" }));
		form.dispatchEvent(new DragEvent("dragover", { dataTransfer: dt, bubbles: true, cancelable: true }));
		form.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
		const b = document.getElementById("body");
		b.focus();
		b.setSelectionRange(b.value.length, b.value.length);
		return true;
	})()`)); err != nil {
		t.Fatalf("browser: drop a file: %v", err)
	}
	step("choose a file", chromedp.SetUploadFiles(chromedp.ID("attachments"), []string{notat}))
	waitText(".chosen-files", "slippet.txt")
	waitText(".chosen-files", "notat.txt")
	step("mention", chromedp.SendKeys(chromedp.ID("body"), " @Eri"), chromedp.WaitVisible(chromedp.CSS("#mention-list li")), chromedp.KeyEvent("\r"))
	if v, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("body"))); err != nil || !strings.Contains(v, "@Erik Lund ") {
		t.Fatalf("mention not chosen: %q (%v)", v, err)
	}
	step("send with files", chromedp.Submit(chromedp.ID("body")), chromedp.WaitVisible(chromedp.CSS("article.comment .mention")))
	thread = text("section.thread")
	for _, want := range []string{"slippet.txt", "notat.txt", "@Erik Lund"} {
		if !strings.Contains(thread, want) {
			t.Errorf("the sent message lacks %q: %q", want, thread)
		}
	}

	// An internal note, then "a" assigns the ticket to me from the keyboard.
	step("note",
		chromedp.Click(chromedp.CSS(`input[name="public"][value="false"]`)),
		chromedp.SendKeys(chromedp.ID("body"), "Intern: transportøren svarer innen fredag."),
		chromedp.Submit(chromedp.ID("body")),
		chromedp.WaitVisible(chromedp.CSS("article.comment.note")))
	if note := text("article.comment.note"); !strings.Contains(note, "transportøren svarer") {
		t.Errorf("the note is not shown as a note: %q", note)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.activeElement && document.activeElement.blur(), true)`)); err != nil {
		t.Fatal(err)
	}
	step("assign to me", chromedp.KeyEvent("a"))
	// The shortcut submits the side panel's form; wait for the server to
	// have it, and for the page it answers with.
	waitAPI := func(what, field string, want any) {
		t.Helper()
		for i := 0; ; i++ {
			code, tk := api(t, "GET", fmt.Sprintf("%s/api/v1/tickets/%d", s.url, id), tok, nil)
			if code == 200 && fmt.Sprint(tk[field]) == fmt.Sprint(want) {
				return
			}
			if i == 100 {
				t.Fatalf("%s: %s is %v, want %v", what, field, tk[field], want)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	var me float64
	if code, m := api(t, "GET", s.url+"/api/v1/me", tok, nil); code == 200 {
		me, _ = m["id"].(float64)
	}
	waitAPI("assign to me", "assignee_id", me)
	step("ticket page after assigning", chromedp.WaitReady(chromedp.ID("body")))
	// Bulk: select the ticket in the list and raise its priority.
	step("bulk update", chromedp.Navigate(s.url+"/tickets?view=open"), chromedp.WaitVisible(chromedp.CSS("table.tickets")),
		chromedp.Click(chromedp.CSS(`table.tickets input[name="ids"]`)),
		chromedp.SetValue(chromedp.ID("bulk-priority"), "urgent"),
		chromedp.Click(chromedp.CSS(`fieldset.bulk button:not([name])`)))
	waitAPI("bulk update", "priority", "urgent")
	waitText("p.flash", "tickets updated")

	// A personal view saved from a search, listed in the sidebar.
	step("new view", chromedp.Navigate(s.url+"/views/new?q=tag:shipping"), chromedp.WaitVisible(chromedp.ID("f-name")),
		chromedp.SendKeys(chromedp.ID("f-name"), "Frakt"), chromedp.Submit(chromedp.ID("f-name")),
		chromedp.WaitVisible(chromedp.CSS("table.tickets")))
	if nav := text("nav.views"); !strings.Contains(nav, "Frakt") {
		t.Errorf("the sidebar lacks the new view: %q", nav)
	}
	shot("view.png")

	// The manager's dashboards, once the report refresher (every 5 s) has
	// folded in this test's tickets.
	step("sign out", chromedp.Click(chromedp.CSS("details.user-menu > summary")), chromedp.Submit(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.ID("email")))
	step("manager signs in",
		chromedp.SendKeys(chromedp.ID("email"), "maria@ombud.test"),
		chromedp.SendKeys(chromedp.ID("password"), "browser-pass-3"),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS("table.tickets")))
	for i := 0; ; i++ {
		step("reports", chromedp.Navigate(s.url+"/reports"), chromedp.WaitVisible(chromedp.CSS("main svg")))
		pending, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector(".report-pending") !== null`))
		if err != nil {
			t.Fatal(err)
		}
		if !pending {
			break
		}
		if i == 30 {
			t.Fatal("the report facts were not refreshed within 15 s")
		}
		time.Sleep(500 * time.Millisecond)
	}
	if main := text("main"); !strings.Contains(main, "Tickets created") {
		t.Errorf("the overview lacks its figures: %q", main)
	}
	shot("reports.png")
	step("agent table", chromedp.Navigate(s.url+"/reports/agents"), chromedp.WaitVisible(chromedp.CSS("main table")))
	if main := text("main"); !strings.Contains(main, "Ingrid Haugen") {
		t.Errorf("the agent table lacks Ingrid: %q", main)
	}
	shot("reports-agents.png")
}
