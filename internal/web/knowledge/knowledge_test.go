package knowledge_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestKnowledgePages: an agent writes an article with a preview and sends
// it for review; only a manager publishes; a translation; versions and
// diff; the ticket page suggests it, inserting it fills the reply draft
// and records the use; permissions per role; on both engines.
func TestKnowledgePages(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			st, cat := e.Do(t, authz.Admin, "POST", "/api/v1/kb/categories", map[string]any{"names": []map[string]string{{"language": "en", "name": "Orders"}}})
			if st != 201 {
				t.Fatalf("category: %d %v", st, cat["_raw"])
			}
			st, sec := e.Do(t, authz.Admin, "POST", fmt.Sprintf("/api/v1/kb/categories/%v/sections", cat["id"]), map[string]any{"names": []map[string]string{{"language": "en", "name": "Delivery"}}})
			if st != 201 {
				t.Fatalf("section: %d %v", st, sec["_raw"])
			}
			section := fmt.Sprint(sec["id"])
			agent, manager, qa := webtest.SignIn(t, e, authz.Agent), webtest.SignIn(t, e, authz.Manager), webtest.SignIn(t, e, authz.QAReviewer)
			form := webtest.Vals("section_id", section, "language", "en", "visibility", "public", "title", "Where is my parcel",
				"body", "Track the parcel with the **tracking number** from the order mail.", "tags", "delivery, tracking")
			st, _, loc := agent.Do(t, "POST", "/knowledge/articles", form)
			if st != 303 || !strings.HasPrefix(loc, "/knowledge/articles/") {
				t.Fatalf("create: %d %s", st, loc)
			}
			var id int64
			fmt.Sscanf(strings.TrimPrefix(loc, "/knowledge/articles/"), "%d", &id)
			art := fmt.Sprintf("/knowledge/articles/%d", id)
			tid := webtest.CreateTicket(t, e, "Parcel tracking number does not work")
			tk := fmt.Sprintf("/tickets/%d", tid)
			preview := webtest.Vals("section_id", section, "language", "en", "title", "x", "body", "**bold** <script>alert(1)</script>", "preview", "1")
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "list", Who: agent, Method: "GET", Path: "/knowledge", Status: 200, Want: []string{"Where is my parcel", `href="/knowledge/new"`, "Draft"}},
				{Name: "in the header", Who: agent, Method: "GET", Path: "/tickets", Status: 200, Want: []string{`href="/knowledge"`}},
				{Name: "preview", Who: agent, Method: "POST", Path: "/knowledge/articles", Form: preview, Status: 200, Want: []string{"<strong>bold</strong>"}, NotWant: []string{"<script>alert"}},
				{Name: "refused", Who: agent, Method: "POST", Path: "/knowledge/articles", Form: webtest.Vals("section_id", section, "language", "en"), Status: 422, Want: []string{"Check the article."}},
				{Name: "article", Who: agent, Method: "GET", Path: art, Status: 200, Want: []string{"<strong>tracking number</strong>", "Send for review"}, NotWant: []string{`value="published"`}},
				{Name: "send for review", Who: agent, Method: "POST", Path: art + "/state", Form: webtest.Vals("state", "review"), Status: 303, Location: art + "?done=review"},
				{Name: "flash", Who: agent, Method: "GET", Path: art + "?done=review", Status: 200, Want: []string{"Sent for review."}},
				{Name: "agents do not publish", Who: agent, Method: "POST", Path: art + "/state", Form: webtest.Vals("state", "published"), Status: 403},
				{Name: "QA reviewers do not write", Who: qa, Method: "POST", Path: art + "/state", Form: webtest.Vals("state", "draft"), Status: 403},
				{Name: "manager sees publish", Who: manager, Method: "GET", Path: art, Status: 200, Want: []string{`value="published"`, "In review"}},
				{Name: "publish", Who: manager, Method: "POST", Path: art + "/state", Form: webtest.Vals("state", "published"), Status: 303},
				{Name: "agents do not edit published", Who: agent, Method: "POST", Path: art + "/text", Form: webtest.Vals("language", "en", "title", "x", "body", "y"), Status: 403},
				{Name: "translate", Who: manager, Method: "GET", Path: art + "/edit?lang=nb", Status: 200, Want: []string{"Source text", "Track the parcel"}},
				{Name: "save translation", Who: manager, Method: "POST", Path: art + "/text", Form: webtest.Vals("language", "nb", "title", "Hvor er pakken min", "body", "Spor pakken med sporingsnummeret."), Status: 303},
				{Name: "change source", Who: manager, Method: "POST", Path: art + "/text", Form: webtest.Vals("language", "en", "title", "Where is my parcel", "body", "Track the parcel with the **tracking number** from the order mail.\n\nAsk us after five days.", "note", "five days"), Status: 303},
				{Name: "translation out of date", Who: manager, Method: "GET", Path: art, Status: 200, Want: []string{"out of date", "Published"}},
				{Name: "versions and diff", Who: agent, Method: "GET", Path: art + "/versions?lang=en", Status: 200, Want: []string{"five days", `class="add"`, "Ask us after five days."}},
				{Name: "suggested on the ticket", Who: agent, Method: "GET", Path: tk, Status: 200, Want: []string{`id="kb-suggestions"`, "Where is my parcel", "Insert link", "Insert text"}},
				{Name: "panel search", Who: agent, Method: "GET", Path: tk + "?kbq=tracking", Status: 200, Want: []string{"Where is my parcel"}},
				{Name: "panel search with a typo", Who: agent, Method: "GET", Path: tk + "?kbq=parcle", Status: 200, Want: []string{"Did you mean:", "<strong>parcel</strong>", "Where is my parcel"}},
				{Name: "list search with a typo", Who: agent, Method: "GET", Path: "/knowledge?q=parcle&state=published", Status: 200,
					Want: []string{"Did you mean:", `href="/knowledge?q=parcel&amp;state=published"`, "Where is my parcel"}},
				{Name: "QA reviewers do not insert", Who: qa, Method: "POST", Path: art + "/insert", Form: webtest.Vals("ticket_id", fmt.Sprint(tid), "kind", "link"), Status: 403},
				{Name: "insert link", Who: agent, Method: "POST", Path: art + "/insert", Form: webtest.Vals("ticket_id", fmt.Sprint(tid), "kind", "link"), Status: 303, Location: tk + "#body"},
				{Name: "draft has the link", Who: agent, Method: "GET", Path: tk, Status: 200, Want: []string{"Where is my parcel: http://127.0.0.1"}},
				{Name: "used on the ticket", Who: agent, Method: "GET", Path: art, Status: 200, Want: []string{fmt.Sprintf(`href="/tickets/%d"`, tid)}},
				{Name: "restore", Who: manager, Method: "POST", Path: art + "/restore", Form: webtest.Vals("language", "en", "version", "1"), Status: 303},
				{Name: "settings", Who: manager, Method: "GET", Path: "/knowledge/settings", Status: 200, Want: []string{"Delivery", `action="/knowledge/categories"`}},
				{Name: "settings saved", Who: manager, Method: "POST", Path: "/knowledge/settings", Form: webtest.Vals("name", "Fjordhandel help", "color", "#123456", "accent", "#0b6bcb", "fallback_language", "en", "custom_css", ".help h1 { color: red; }"), Status: 303},
				{Name: "brand CSS", Who: webtest.Anonymous(e), Method: "GET", Path: "/help/brand.css", Status: 200, Want: []string{"--help-color: #123456", ".help h1 { color: red; }"}},
				{Name: "bad colour", Who: manager, Method: "POST", Path: "/knowledge/settings", Form: webtest.Vals("name", "x", "color", "red", "fallback_language", "en"), Status: 422},
				{Name: "agents do not manage categories", Who: agent, Method: "GET", Path: "/knowledge/settings", Status: 403},
			})
		})
	}
}
