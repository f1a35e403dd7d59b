package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/web"
	"github.com/ombud/ombud/internal/web/webtest"
)

// sameInEveryLanguage are page strings that are catalog keys and
// legitimately read the same in a translated page (product and technical
// names). Keep it short: anything else English on a translated page is a gap.
var sameInEveryLanguage = map[string]bool{
	"Ombud": true,
	"SLA":   true,
	// The rule editors' reference of condition fields: identifiers typed
	// into rules, not words (it only looks like "language %s").
	"language, requester.email": true,
}

// knownGaps are English strings still shown on translated pages, each to be
// translated and then removed from this list (it may only shrink).
var knownGaps = map[string]bool{}

// TestEveryPageInTheAgentsLanguage walks every GET page of the agent UI, as
// an admin of each non-English locale, over seeded data, and fails on any
// text or readable attribute that is still an English catalog string (or an
// English format string filled in, such as a history sentence) whose
// translation differs.
func TestEveryPageInTheAgentsLanguage(t *testing.T) {
	e := apptest.New(t, db.SQLite)
	tr, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	ids, seeded := seedUntranslated(t, e)

	englishIn := englishFinder(tr, seeded)

	var routes []web.Route
	for _, rt := range (&web.Server{}).Routes() {
		if rt.Access != web.UIAuth || rt.Method != "GET" || rt.Path == "/live" || rt.Path == "/chat/events" {
			continue // /live and /chat/events are event streams; their strings are checked in the JS below
		}
		routes = append(routes, rt)
	}
	for i, lang := range []string{"nb", "sv", "da", "sl"} {
		addr := fmt.Sprintf("admin-%s@ombud.test", lang)
		a, err := e.Sys.Agents.CreateAgent(t.Context(), authz.System, agent.AgentInput{
			Email: addr, Name: fmt.Sprintf("Admin %d", i), Role: authz.Admin, Locale: lang, Password: apptest.Password})
		if err != nil {
			t.Fatalf("create %s: %v", addr, err)
		}
		ids["agent"] = a.ID
		b := webtest.SignInEmail(t, e, addr)
		t.Run(lang, func(t *testing.T) {
			for _, rt := range routes {
				path := untranslatedPath(rt.Path, ids)
				st, body, _ := b.Do(t, "GET", path, nil)
				if st >= 500 {
					t.Errorf("GET %s: status %d", path, st)
					continue
				}
				seen := map[string]bool{}
				for _, s := range readableStrings(t, body) {
					if key, bad := englishIn(lang, s); bad && !seen[s] {
						seen[s] = true
						t.Errorf("GET %s (%s): English %q (key %q)", path, rt.Path, s, key)
					}
				}
			}
		})
	}
}

// englishFinder returns a test of a page string s shown in lang: the
// catalog key it is still English for, and whether it is. Seeded data
// texts are never reported.
func englishFinder(tr *i18n.Translator, seeded map[string]bool) func(lang, s string) (string, bool) {
	type pattern struct {
		key string
		re  *regexp.Regexp
	}
	space := regexp.MustCompile(`\s+`)
	verb := regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[sdvqfx%]`)
	// compile turns a format into a pattern its filled-in texts match.
	compile := func(f string) *regexp.Regexp {
		parts := verb.Split(f, -1)
		for i := range parts {
			parts[i] = regexp.QuoteMeta(space.ReplaceAllString(parts[i], " "))
		}
		return regexp.MustCompile(`^` + strings.Join(parts, `.+?`) + `$`)
	}
	plain := map[string]bool{}
	var formats []pattern
	for _, k := range i18n.EnglishKeys() {
		if !verb.MatchString(k) {
			plain[k] = true
			continue
		}
		literal := verb.ReplaceAllString(k, "")
		if countLetters(literal) < 4 {
			continue // "%s (%s)" and the like say nothing in any language
		}
		formats = append(formats, pattern{k, compile(k)})
	}
	// englishIn reports the catalog key s is still English for in lang.
	// translated holds every translation of each locale: a translation may
	// equal another English key (nb "Filters" is "Filter").
	translated := map[string]map[string]bool{}
	for _, lang := range []string{"nb", "sv", "da", "sl"} {
		translated[lang] = map[string]bool{}
		for _, k := range i18n.EnglishKeys() {
			if tl, ok := i18n.Translation(lang, k); ok {
				translated[lang][strings.Join(strings.Fields(tl), " ")] = true
			}
		}
	}
	englishIn := func(lang, s string) (string, bool) {
		if sameInEveryLanguage[s] || knownGaps[s] || seeded[s] || translated[lang][s] {
			return "", false
		}
		if plain[s] {
			return s, tr.String(lang, s) != s
		}
		for _, p := range formats {
			if !p.re.MatchString(s) || strings.Contains(s, "%") {
				continue
			}
			// Filled in, the translation may read like the English
			// ("Agent: %s"); only a text that fits the English and not
			// the translation is left untranslated.
			if tl, ok := i18n.Translation(lang, p.key); ok && compile(tl).MatchString(s) {
				continue
			}
			return p.key, true
		}
		return "", false
	}

	return englishIn
}

// untranslatedPath fills a route's path parameters with seeded rows.
func untranslatedPath(p string, ids map[string]int64) string {
	id := ids["ticket"]
	switch {
	case p == "/{$}":
		return "/"
	case strings.HasPrefix(p, "/views/"):
		id = ids["view"]
	case strings.HasPrefix(p, "/customers/"):
		id = ids["customer"]
	case strings.HasPrefix(p, "/organizations/"):
		id = ids["organization"]
	case strings.HasPrefix(p, "/admin/agents/"):
		id = ids["agent"]
	case strings.HasPrefix(p, "/admin/teams/"), strings.HasPrefix(p, "/admin/routing/"):
		id = ids["team"]
	case strings.HasPrefix(p, "/admin/fields/"):
		id = ids["field"]
	case strings.HasPrefix(p, "/admin/calendars/"):
		id = ids["calendar"]
	case strings.HasPrefix(p, "/admin/sla-policies/"):
		id = ids["sla"]
	case strings.HasPrefix(p, "/admin/triggers/"):
		id = ids["trigger"]
	case strings.HasPrefix(p, "/admin/automations/"):
		id = ids["automation"]
	case strings.HasPrefix(p, "/admin/macros/"):
		id = ids["macro"]
	case strings.HasPrefix(p, "/feedback/campaigns/"):
		id = ids["nps_campaign"]
	case strings.HasPrefix(p, "/admin/mailboxes/"):
		id = ids["mailbox"]
	}
	p = strings.ReplaceAll(p, "{comment_id}", fmt.Sprint(ids["comment"]))
	p = param.ReplaceAllString(p, fmt.Sprint(id))
	switch p {
	case "/search/suggest", "/agents/mentions":
		p += "?q=Fjord"
	}
	return p
}

// seedUntranslated creates one of everything the pages show and returns
// the ids by kind and the seeded texts (data, not interface strings).
func seedUntranslated(t *testing.T, e *apptest.Env) (map[string]int64, map[string]bool) {
	t.Helper()
	ids := map[string]int64{}
	seeded := map[string]bool{}
	create := func(kind, path string, body map[string]any, texts ...string) {
		t.Helper()
		st, got := e.Do(t, authz.Admin, "POST", path, body)
		if st != http.StatusCreated && st != http.StatusOK {
			t.Fatalf("seed %s: %d %v", kind, st, got["_raw"])
		}
		if id, ok := got["id"].(float64); ok {
			ids[kind] = int64(id)
		}
		if id, ok := got["requester_id"].(float64); ok {
			ids["customer"] = int64(id)
		}
		for _, s := range texts {
			seeded[s] = true
		}
	}
	create("team", "/api/v1/teams", map[string]any{"name": "Fjordteam"}, "Fjordteam")
	create("organization", "/api/v1/organizations", map[string]any{"name": "Fjord AS", "domains": []string{"fjord.example"}}, "Fjord AS")
	create("field", "/api/v1/custom-fields", map[string]any{"key": "order_no", "label": "Fjord order", "type": "text"}, "Fjord order")
	create("ticket", "/api/v1/tickets", map[string]any{
		"subject": "Fjord parcel lost", "description": "Where is my Fjord parcel?", "channel": "web", "priority": "urgent",
		"requester": map[string]any{"email": "per@fjord.example", "name": "Per Fjord"},
	}, "Fjord parcel lost", "Where is my Fjord parcel?", "Per Fjord")
	tp := fmt.Sprintf("/api/v1/tickets/%d", ids["ticket"])
	if st, got := e.Do(t, authz.Admin, "PATCH", tp, map[string]any{"status": "pending", "tags": []string{"fjord"}, "team_id": ids["team"]}); st != http.StatusOK {
		t.Fatalf("seed ticket change: %d %v", st, got["_raw"])
	}
	create("comment", tp+"/comments", map[string]any{"body": "Fjord note", "public": false}, "Fjord note")
	create("macro", "/api/v1/macros", map[string]any{"name": "Fjord thanks", "body": "Thanks from Fjord"}, "Fjord thanks", "Thanks from Fjord")
	create("trigger", "/api/v1/triggers", map[string]any{"name": "Fjord urgent",
		"conditions": map[string]any{"all": []map[string]any{{"field": "status", "op": "is", "value": "new"}}},
		"actions":    []map[string]any{{"type": "set_priority", "value": "high"}}}, "Fjord urgent")
	create("automation", "/api/v1/automations", map[string]any{"name": "Fjord nudge",
		"conditions": map[string]any{"all": []map[string]any{{"field": "status", "op": "is", "value": "pending"}, {"field": "hours_since_updated", "op": "gt", "value": 48}}},
		"actions":    []map[string]any{{"type": "set_priority", "value": "high"}}}, "Fjord nudge")
	create("nps_campaign", "/api/v1/nps/campaigns", map[string]any{"name": "Fjord NPS", "start_at": "2099-01-01T00:00:00Z",
		"questions": map[string]any{"nb": "Fjord question?"}}, "Fjord NPS", "Fjord question?")
	create("calendar", "/api/v1/business-calendars", map[string]any{"name": "Fjord hours", "time_zone": "UTC",
		"schedule": map[string]any{"mon": []map[string]any{{"start": "08:00", "end": "16:00"}}}}, "Fjord hours")
	create("sla", "/api/v1/sla-policies", map[string]any{"name": "Fjord SLA",
		"targets": map[string]any{"urgent": map[string]any{"first_reply": "1h"}}}, "Fjord SLA")
	create("view", "/api/v1/views", map[string]any{"name": "Fjord view", "query": "status:open"}, "Fjord view")
	create("mailbox", "/api/v1/mailboxes", map[string]any{"address": "support@fjord.example", "name": "Fjord support",
		"smtp": map[string]any{"host": "127.0.0.1", "port": 2525, "security": "none"}}, "Fjord support")
	return ids, seeded
}

// readableStrings returns a page's text nodes and the attribute values a
// person reads (or that scripts show), whitespace collapsed; for JSON
// answers, every string value.
func readableStrings(t *testing.T, body string) []string {
	t.Helper()
	var out []string
	add := func(s string) {
		s = strings.Join(strings.Fields(s), " ")
		if countLetters(s) > 0 {
			out = append(out, s)
		}
	}
	if trimmed := strings.TrimSpace(body); strings.HasPrefix(trimmed, "{") || strings.HasPrefix(trimmed, "[") {
		var v any
		if json.Unmarshal([]byte(trimmed), &v) == nil {
			var walk func(any)
			walk = func(v any) {
				switch v := v.(type) {
				case string:
					add(v)
				case []any:
					for _, x := range v {
						walk(x)
					}
				case map[string]any:
					for _, x := range v {
						walk(x)
					}
				}
			}
			walk(v)
			return out
		}
	}
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse page: %v", err)
	}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			add(n.Data)
		case html.ElementNode:
			if n.Data == "script" || n.Data == "style" {
				return
			}
			button := n.Data == "button" || n.Data == "input"
			for _, a := range n.Attr {
				switch {
				case a.Key == "title", a.Key == "placeholder", a.Key == "aria-label", a.Key == "alt",
					a.Key == "value" && button, strings.HasPrefix(a.Key, "data-"):
					add(a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

func countLetters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

// TestStaticJSHasNoEnglish: the agent UI's scripts put no text of their own
// into the page; every readable string comes from a data-* attribute the
// server rendered in the agent's language.
func TestStaticJSHasNoEnglish(t *testing.T) {
	files, err := filepath.Glob("ui/static/*.js")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts found: %v", err)
	}
	lit := `(?:"[^"\n]*[A-Za-z]{2}[^"\n]*"|'[^'\n]*[A-Za-z]{2}[^'\n]*'|` + "`[^`\\n]*[A-Za-z]{2}[^`\\n]*`)"
	sinks := []*regexp.Regexp{
		// Text and readable attributes set from a literal (or a sum with one).
		regexp.MustCompile(`\.(textContent|innerText|innerHTML|title|placeholder|alt|ariaLabel)\s*\+?=\s*[^;]*?` + lit),
		regexp.MustCompile(`setAttribute\(\s*["'](aria-label|title|placeholder|alt)["']\s*,\s*[^;]*?` + lit),
		regexp.MustCompile(`(alert|confirm|prompt|createTextNode)\(\s*[^;]*?` + lit),
		// Functions that build text to show return it.
		regexp.MustCompile(`return\s+` + lit + `\s*\+`),
	}
	// Template literals that only join data (`${f.name} (${size})`) or
	// build selectors and URLs are fine: only words outside ${} count.
	words := regexp.MustCompile(`[A-Za-z]{2,}`)
	// Template literals that build a sentence around data: `${name} is typing`.
	sentence := regexp.MustCompile("`[^`\\n]*\\$\\{[^`\\n]*`")
	twoWords := regexp.MustCompile(`[A-Za-z]{2,} [A-Za-z]{2,}`)
	interp := regexp.MustCompile(`\$\{[^}]*\}`)
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			for _, m := range sentence.FindAllString(line, -1) {
				if rest := interp.ReplaceAllString(m, ""); twoWords.MatchString(rest) && !strings.ContainsAny(rest, "[]=") {
					t.Errorf("%s:%d: English sentence in script (render it into a data-* attribute): %s", f, i+1, strings.TrimSpace(line))
					break
				}
			}
			for _, re := range sinks {
				m := re.FindString(line)
				if m == "" {
					continue
				}
				if !englishLiteral(m, words) {
					continue
				}
				t.Errorf("%s:%d: English text in script (render it into a data-* attribute): %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}

// englishLiteral reports whether a matched statement has a string literal
// with words outside ${…} interpolations, selectors and URLs.
func englishLiteral(stmt string, words *regexp.Regexp) bool {
	strs := regexp.MustCompile(`"[^"\n]*"|'[^'\n]*'|`+"`[^`\\n]*`").FindAllString(stmt, -1)
	interp := regexp.MustCompile(`\$\{[^}]*\}`)
	for _, s := range strs {
		s = interp.ReplaceAllString(s[1:len(s)-1], "")
		if strings.HasPrefix(s, "/") || strings.ContainsAny(s, "[]#=") {
			continue // a URL or a selector
		}
		if len(words.FindAllString(s, -1)) > 0 {
			return true
		}
	}
	return false
}
