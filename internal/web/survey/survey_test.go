package survey_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/csat"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/mailtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

var linkRE = regexp.MustCompile(`/survey/([0-9]+)\.([0-9])\.([0-9]+)\.([A-Za-z0-9_-]+)`)

// surveyLinks solves a new Norwegian ticket, waits for its survey mail and
// returns the links' paths by score.
func surveyLinks(t *testing.T, e *apptest.Env, capture *mailtest.Capture) (int64, map[string]string) {
	t.Helper()
	st, body := e.Do(t, authz.Agent, "POST", "/api/v1/tickets", map[string]any{
		"subject": "Pakken kom ikke", "description": "Hei, hvor er pakken?", "channel": "email", "language": "nb",
		"requester": map[string]any{"email": "kari@example.no", "name": "Kari"},
	})
	if st != http.StatusCreated {
		t.Fatalf("create: %d %v", st, body["_raw"])
	}
	id := int64(body["id"].(float64))
	if st, body := e.Do(t, authz.Agent, "PATCH", fmt.Sprintf("/api/v1/tickets/%d", id), map[string]any{"status": "solved"}); st != http.StatusOK {
		t.Fatalf("solve: %d %v", st, body["_raw"])
	}
	env := webtest.WaitMail(t, capture, "survey mail", func(env *enmime.Envelope, _ mailtest.Captured) bool {
		return strings.Contains(env.GetHeader("Subject"), fmt.Sprintf("#%d", id))
	})
	out := map[string]string{}
	for _, m := range linkRE.FindAllStringSubmatch(env.Text, -1) {
		out[m[2]] = m[0]
	}
	if len(out) != 2 || !strings.Contains(env.HTML, "Bra, jeg er fornøyd") {
		t.Fatalf("survey mail links %v, html %s", out, env.HTML)
	}
	return id, out
}

func events(t *testing.T, e *apptest.Env, id int64, typ string) int {
	t.Helper()
	st, body := e.Do(t, authz.Agent, "GET", fmt.Sprintf("/api/v1/tickets/%d/events?limit=100", id), nil)
	if st != http.StatusOK {
		t.Fatalf("events: %d", st)
	}
	n := 0
	for _, ev := range body["data"].([]any) {
		if ev.(map[string]any)["type"] == typ {
			n++
		}
	}
	return n
}

// TestSurveyPages: the admin turns surveys on; a solved ticket's customer
// gets the mail in Norwegian; opening a link records nothing until its
// form is sent; the answer changes with a comment; the agent sees it on
// the ticket; altered, unknown and expired links are refused; a closed
// ticket's page is read-only.
func TestSurveyPages(t *testing.T) {
	clk := &webtest.Clock{}
	e := apptest.NewWithClock(t, db.SQLite, clk.Now, nil)
	capture := webtest.StartOutbound(t, e)
	if st := webtest.PostForm(t, e, authz.Admin, "/admin/satisfaction", webtest.Vals("enabled", "on", "delay_minutes", "0",
		"scale", "good_bad", "channel", "email", "throttle_days", "0")); st != http.StatusSeeOther {
		t.Fatalf("save settings: %d", st)
	}
	if st := webtest.PostForm(t, e, authz.Agent, "/admin/satisfaction", webtest.Vals("enabled", "")); st != http.StatusForbidden {
		t.Fatalf("an agent saved the survey settings: %d", st)
	}
	admin := webtest.GetPage(t, e, authz.Admin, "/admin/satisfaction")
	for _, want := range []string{"Hvordan gjorde vi det?", "Hur gick det?", "Kako smo se odrezali?", `name="enabled" value="on" checked`} {
		if !strings.Contains(admin, want) {
			t.Errorf("settings page lacks %q", want)
		}
	}
	id, links := surveyLinks(t, e, capture)
	anon := webtest.Anonymous(e)

	// The link shows the answer ready to send, in Norwegian; nothing is recorded.
	st, page, _ := anon.Do(t, "GET", links["1"], nil)
	if st != http.StatusOK || !strings.Contains(page, "data-autosubmit") || !strings.Contains(page, "Dårlig, jeg er misfornøyd") || !strings.Contains(page, `lang="nb"`) {
		t.Fatalf("bad link page: %d %s", st, page)
	}
	if n := events(t, e, id, csat.EvRated); n != 0 {
		t.Fatalf("opening a link recorded %d ratings", n)
	}
	// The switcher: the same page in Swedish.
	st, page, _ = anon.Do(t, "GET", links["1"]+"?lang=sv", nil)
	if st != http.StatusOK || !strings.Contains(page, "Skicka mitt svar") {
		t.Fatalf("Swedish page: %d %s", st, webtest.Excerpt(page))
	}
	// Sending it records bad, and shows the page to change it.
	st, _, loc := anon.Do(t, "POST", links["1"], webtest.Vals("score", "1", "lang", "nb"))
	if st != http.StatusSeeOther || !strings.Contains(loc, "saved=1") {
		t.Fatalf("answer bad: %d %s", st, loc)
	}
	st, page, _ = anon.Do(t, "GET", loc, nil)
	if st != http.StatusOK || !strings.Contains(page, "Takk! Svaret ditt er lagret.") || strings.Contains(page, "data-autosubmit") {
		t.Fatalf("after answering: %d %s", st, webtest.Excerpt(page))
	}
	// The same link again changes nothing.
	if st, _, _ := anon.Do(t, "POST", links["1"], webtest.Vals("score", "1")); st != http.StatusSeeOther {
		t.Fatalf("again: %d", st)
	}
	if n := events(t, e, id, csat.EvRated); n != 1 {
		t.Fatalf("%d ratings after the same answer twice, want 1", n)
	}
	// Changed to good with a comment on the page.
	pagePath := strings.SplitN(loc, "?", 2)[0]
	if st, _, _ := anon.Do(t, "POST", pagePath, webtest.Vals("score", "5", "comment", "Rask og hyggelig hjelp", "lang", "nb")); st != http.StatusSeeOther {
		t.Fatalf("change to good: %d", st)
	}
	if n := events(t, e, id, csat.EvRated); n != 2 {
		t.Fatalf("%d ratings after the change, want 2", n)
	}
	for _, bad := range []url.Values{webtest.Vals("score", "3"), webtest.Vals("score", "x"), webtest.Vals("score", "5", "comment", strings.Repeat("a", csat.MaxComment+1))} {
		if st, body, _ := anon.Do(t, "POST", pagePath, bad); st != http.StatusBadRequest {
			t.Fatalf("answer %v: %d %s", bad, st, webtest.Excerpt(body))
		}
	}
	tp := webtest.GetPage(t, e, authz.Agent, fmt.Sprintf("/tickets/%d", id))
	for _, want := range []string{"Satisfaction", "Good, I&#39;m satisfied", "Rask og hyggelig hjelp", "changed the satisfaction rating from Bad, I&#39;m unsatisfied to Good, I&#39;m satisfied", "sent a satisfaction survey to kari@example.no"} {
		if !strings.Contains(tp, want) {
			t.Errorf("ticket page lacks %q", want)
		}
	}

	// Refused links.
	m := linkRE.FindStringSubmatch(links["5"])
	exp := time.Unix(mustInt(t, m[3]), 0)
	refused := []struct {
		name   string
		path   string
		status int
	}{
		{"score altered", fmt.Sprintf("/survey/%s.1.%s.%s", m[1], m[3], m[4]), http.StatusBadRequest},
		{"expiry altered", fmt.Sprintf("/survey/%s.5.%d.%s", m[1], exp.Unix()+3600, m[4]), http.StatusBadRequest},
		{"garbage", "/survey/hello", http.StatusBadRequest},
		{"no such survey", "/survey/" + e.Sys.CSAT.Sign(4242, 5, exp), http.StatusNotFound},
	}
	for _, r := range refused {
		for _, method := range []string{"GET", "POST"} {
			st, body, _ := anon.Do(t, method, r.path, webtest.Vals("score", "5"))
			if st != r.status || !strings.Contains(body, `role="alert"`) {
				t.Errorf("%s %s: %d, want %d: %s", method, r.name, st, r.status, webtest.Excerpt(body))
			}
		}
	}

	// Closed: read-only.
	if st, body := e.Do(t, authz.Agent, "PATCH", fmt.Sprintf("/api/v1/tickets/%d", id), map[string]any{"status": "closed"}); st != http.StatusOK {
		t.Fatalf("close: %d %v", st, body["_raw"])
	}
	st, page, _ = anon.Do(t, "GET", links["1"], nil)
	if st != http.StatusOK || !strings.Contains(page, "Denne henvendelsen er lukket") || strings.Contains(page, "<form") || !strings.Contains(page, "Rask og hyggelig hjelp") {
		t.Fatalf("closed page: %d %s", st, webtest.Excerpt(page))
	}
	if st, body, _ := anon.Do(t, "POST", links["1"], webtest.Vals("score", "1")); st != http.StatusConflict || !strings.Contains(body, "Denne henvendelsen er lukket") {
		t.Fatalf("answer on a closed ticket: %d %s", st, webtest.Excerpt(body))
	}

	// Expired.
	clk.Add(csat.LinkTTL + time.Hour)
	if st, body, _ := anon.Do(t, "GET", links["5"], nil); st != http.StatusGone || !strings.Contains(body, "expired") {
		t.Fatalf("expired link: %d %s", st, webtest.Excerpt(body))
	}
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}
