package chat_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	chatsvc "github.com/ombud/ombud/internal/chat"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/kb"
	"github.com/ombud/ombud/internal/web/webtest"
)

// jsonCall sends a console call as the signed-in browser does.
func jsonCall(t *testing.T, b *webtest.Browser, base, method, path, body string) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-CSRF-Token", b.CSRF())
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := b.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(out)
}

// TestComposerKnowledge: the console suggests articles from what the
// visitor wrote, searches, and hands an article's link (public published
// articles only) or text to the composer, recording the use on the chat's
// ticket; on both engines.
func TestComposerKnowledge(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			ctx := context.Background()
			ad := e.Agents[authz.Admin]
			admin := authz.Actor{Kind: authz.KindAgent, ID: ad.ID, Role: authz.Admin, Name: ad.Name}
			cat, err := e.Sys.KB.CreateCategory(ctx, admin, kb.GroupInput{Names: []kb.Name{{Language: "en", Name: "Orders"}}})
			if err != nil {
				t.Fatal(err)
			}
			sec, err := e.Sys.KB.CreateSection(ctx, admin, cat.ID, kb.GroupInput{Names: []kb.Name{{Language: "en", Name: "Delivery"}}})
			if err != nil {
				t.Fatal(err)
			}
			pub, err := e.Sys.KB.Create(ctx, admin, kb.ArticleInput{SectionID: sec.ID, Language: "en", Title: "Tracking your parcel",
				Body: "Open the **tracking** page to follow your parcel delivery.", Visibility: kb.VisPublic})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.Sys.KB.Transition(ctx, admin, pub.ID, kb.StatePublished); err != nil {
				t.Fatal(err)
			}
			internal, err := e.Sys.KB.Create(ctx, admin, kb.ArticleInput{SectionID: sec.ID, Language: "en", Title: "Refund desk notes",
				Body: "Refunds for a lost parcel go through the carrier claim first.", Visibility: kb.VisInternal})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.Sys.KB.Transition(ctx, admin, internal.ID, kb.StatePublished); err != nil {
				t.Fatal(err)
			}
			s, err := e.Sys.Chat.Start(ctx, chatsvc.StartInput{Name: "Kari", Email: "kari@example.com", Topic: "Hello", Language: "en"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.Sys.Chat.VisitorSend(ctx, s.Token, "c-1", "Where is my parcel? I want tracking."); err != nil {
				t.Fatal(err)
			}
			agent := webtest.SignIn(t, e, authz.Agent)
			conv := itoa(s.Conversation.ID)
			type list struct {
				Suggested bool
				Articles  []struct {
					ID     int64
					Title  string
					Public bool
				}
			}
			get := func(path string) list {
				t.Helper()
				st, body := jsonCall(t, agent, e.URL, "GET", path, "")
				if st != 200 {
					t.Fatalf("%s: %d %s", path, st, body)
				}
				var l list
				if err := json.Unmarshal([]byte(body), &l); err != nil {
					t.Fatal(err)
				}
				return l
			}
			l := get("/chat/knowledge?conversation=" + conv)
			if !l.Suggested || len(l.Articles) == 0 || l.Articles[0].ID != pub.ID || !l.Articles[0].Public {
				t.Fatalf("suggestions %+v", l)
			}
			l = get("/chat/knowledge?conversation=" + conv + "&q=refund")
			if l.Suggested || len(l.Articles) != 1 || l.Articles[0].ID != internal.ID || l.Articles[0].Public {
				t.Fatalf("search %+v", l)
			}
			for _, c := range []struct {
				name, method, path, body string
				status                   int
				want                     string
			}{
				{"no conversation", "GET", "/chat/knowledge", "", 400, ""},
				{"unknown conversation", "GET", "/chat/knowledge?conversation=9999", "", 404, ""},
				{"link", "POST", "/chat/knowledge/" + itoa(pub.ID) + "/insert", `{"conversation":` + conv + `,"kind":"link"}`, 200,
					"Tracking your parcel: " + e.URL + "/help/en/articles/" + itoa(pub.ID) + "-"},
				{"text", "POST", "/chat/knowledge/" + itoa(pub.ID) + "/insert", `{"conversation":` + conv + `,"kind":"text"}`, 200,
					"Open the tracking page to follow your parcel delivery."},
				{"no link to an internal article", "POST", "/chat/knowledge/" + itoa(internal.ID) + "/insert", `{"conversation":` + conv + `,"kind":"link"}`, 400, ""},
				{"a bad kind", "POST", "/chat/knowledge/" + itoa(pub.ID) + "/insert", `{"conversation":` + conv + `,"kind":"pdf"}`, 400, ""},
				{"no conversation to insert in", "POST", "/chat/knowledge/" + itoa(pub.ID) + "/insert", `{"kind":"text"}`, 400, ""},
			} {
				st, body := jsonCall(t, agent, e.URL, c.method, c.path, c.body)
				if st != c.status || !strings.Contains(body, c.want) {
					t.Fatalf("%s: %d %s", c.name, st, webtest.Excerpt(body))
				}
			}
			var uses int
			if err := e.Sys.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM kb_usage WHERE ticket_id = ?`, s.Conversation.TicketID).Scan(&uses); err != nil {
				t.Fatal(err)
			}
			if uses != 2 {
				t.Fatalf("%d uses recorded, want 2", uses)
			}
			page := webtest.GetPage(t, e, authz.Agent, "/chat")
			for _, w := range []string{`data-s-knowledge="Knowledge"`, `data-s-insert-link="Insert link"`} {
				if !strings.Contains(page, w) {
					t.Fatalf("console lacks %s", w)
				}
			}
		})
	}
}
