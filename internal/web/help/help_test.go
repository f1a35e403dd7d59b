package help_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// fixture is a small knowledge base: one public article in English and
// Norwegian, and beside it a draft, an internal, an organization-only and
// an archived article whose titles share its words, plus a section with
// internal articles only and a file on the internal article.
type fixture struct {
	pub, draft, internal, org, archived int64
	cat, sec, hiddenSec                 int64
	file, pubFile                       int64
}

func num(t *testing.T, m map[string]any, k string) int64 {
	t.Helper()
	v, ok := m[k].(float64)
	if !ok {
		t.Fatalf("no %s in %v", k, m)
	}
	return int64(v)
}

func setup(t *testing.T, e *apptest.Env) fixture {
	t.Helper()
	var f fixture
	do := func(method, path string, body any, want int) map[string]any {
		t.Helper()
		st, out := e.Do(t, authz.Admin, method, path, body)
		if st != want {
			t.Fatalf("%s %s: %d %v", method, path, st, out["_raw"])
		}
		return out
	}
	names := func(en, nb string) map[string]any {
		return map[string]any{"names": []map[string]string{{"language": "en", "name": en}, {"language": "nb", "name": nb}}}
	}
	f.cat = num(t, do("POST", "/api/v1/kb/categories", names("Orders", "Bestillinger"), 201), "id")
	f.sec = num(t, do("POST", fmt.Sprintf("/api/v1/kb/categories/%d/sections", f.cat), names("Returns", "Retur"), 201), "id")
	f.hiddenSec = num(t, do("POST", fmt.Sprintf("/api/v1/kb/categories/%d/sections", f.cat), names("Staff notes", "Internt"), 201), "id")
	org := num(t, do("POST", "/api/v1/organizations", map[string]any{"name": "Fjord AS"}, 201), "id")
	article := func(title, vis string, section int64, orgs []int64, state ...string) int64 {
		a := do("POST", "/api/v1/articles", map[string]any{"section_id": section, "language": "en", "title": title, "visibility": vis,
			"organization_ids": orgs, "summary": "How returns work.", "body": "Send the parcel back within **30 days**."}, 201)
		id := num(t, a, "id")
		for _, s := range state {
			do("POST", fmt.Sprintf("/api/v1/articles/%d/state", id), map[string]any{"state": s}, 200)
		}
		return id
	}
	f.pub = article("Returning a parcel", "public", f.sec, nil, "published")
	do("PUT", fmt.Sprintf("/api/v1/articles/%d/translations/nb", f.pub), map[string]any{"title": "Returnere en pakke", "body": "Send pakken tilbake innen **30 dager**."}, 200)
	f.draft = article("Returning a parcel draft", "public", f.sec, nil)
	f.internal = article("Returning a parcel secret override", "internal", f.hiddenSec, nil, "published")
	f.org = article("Returning a parcel Fjord contract", "orgs", f.sec, []int64{org}, "published")
	f.archived = article("Returning a parcel old rules", "public", f.sec, nil, "published", "archived")
	ctx := context.Background()
	file, err := e.Sys.KB.AddFile(ctx, authz.System, f.internal, "secret.png", strings.NewReader("PNGSECRET"))
	if err != nil {
		t.Fatal(err)
	}
	f.file = file.ID
	pf, err := e.Sys.KB.AddFile(ctx, authz.System, f.pub, "label.png", strings.NewReader("PNGLABEL"))
	if err != nil {
		t.Fatal(err)
	}
	f.pubFile = pf.ID
	return f
}

// TestHelpCenter: what an anonymous visitor gets on every help center
// route, including guessed ids of articles that are not public, search,
// the sitemap and files, on both engines.
func TestHelpCenter(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			f := setup(t, e)
			anon := webtest.Anonymous(e)
			secret := []string{"secret override", "Fjord contract", "draft", "old rules", "Staff notes", "Internt"}
			var cases []webtest.PageCase
			cases = append(cases,
				webtest.PageCase{Name: "root goes to a language", Who: anon, Method: "GET", Path: "/help", Status: 302, Location: "/help/en"},
				webtest.PageCase{Name: "home in Norwegian", Who: anon, Method: "GET", Path: "/help/nb", Status: 200,
					Want: []string{`<html lang="nb">`, "Bestillinger", "Retur", "Hva kan vi hjelpe deg med?", `hreflang="sv"`}, NotWant: secret},
				webtest.PageCase{Name: "unknown language", Who: anon, Method: "GET", Path: "/help/xx", Status: 404},
				webtest.PageCase{Name: "article in Norwegian", Who: anon, Method: "GET", Path: fmt.Sprintf("/help/nb/articles/%d-returnere-en-pakke", f.pub), Status: 200,
					Want: []string{"Returnere en pakke", "<strong>30 dager</strong>", `rel="canonical" href="http://`, `hreflang="en" href="http://127.0.0.1`,
						`hreflang="x-default"`, `<meta name="description"`, "Var denne artikkelen nyttig?", "Bestillinger"}, NotWant: secret},
				webtest.PageCase{Name: "slug is fixed", Who: anon, Method: "GET", Path: fmt.Sprintf("/help/nb/articles/%d", f.pub), Status: 301,
					Location: fmt.Sprintf("/help/nb/articles/%d-returnere-en-pakke", f.pub)},
				webtest.PageCase{Name: "Swedish falls back to English", Who: anon, Method: "GET", Path: fmt.Sprintf("/help/sv/articles/%d-returning-a-parcel", f.pub), Status: 200,
					Want: []string{"Returning a parcel", "Den här artikeln finns inte på ditt språk ännu."}},
				webtest.PageCase{Name: "section", Who: anon, Method: "GET", Path: fmt.Sprintf("/help/nb/sections/%d-retur", f.sec), Status: 200,
					Want: []string{"Returnere en pakke"}, NotWant: secret},
				webtest.PageCase{Name: "category", Who: anon, Method: "GET", Path: fmt.Sprintf("/help/en/categories/%d-orders", f.cat), Status: 200,
					Want: []string{"Returning a parcel"}, NotWant: secret},
				webtest.PageCase{Name: "section with internal articles only", Who: anon, Method: "GET", Path: fmt.Sprintf("/help/en/sections/%d-staff-notes", f.hiddenSec), Status: 404, NotWant: secret},
				webtest.PageCase{Name: "search in Norwegian", Who: anon, Method: "GET", Path: "/help/nb/search?q=pakke", Status: 200, Want: []string{"Returnere en pakke"}, NotWant: secret},
				webtest.PageCase{Name: "search finds no hidden article", Who: anon, Method: "GET", Path: "/help/en/search?q=parcel", Status: 200, Want: []string{"Returning a parcel"}, NotWant: secret},
				webtest.PageCase{Name: "search for a hidden word", Who: anon, Method: "GET", Path: "/help/en/search?q=override", Status: 200, NotWant: secret},
				webtest.PageCase{Name: "search with a typo", Who: anon, Method: "GET", Path: "/help/en/search?q=parcle", Status: 200,
					Want: []string{`class="did-you-mean"`, "Did you mean:", `href="/help/en/search?q=parcel"`, "Returning a parcel", "No articles match parcle."}, NotWant: secret},
				webtest.PageCase{Name: "search with a typo in Norwegian", Who: anon, Method: "GET", Path: "/help/nb/search?q=pakek", Status: 200,
					Want: []string{"Mente du:", "<strong>pakke</strong>", "Returnere en pakke"}, NotWant: secret},
				webtest.PageCase{Name: "a typo of a hidden word", Who: anon, Method: "GET", Path: "/help/en/search?q=overide", Status: 200,
					NotWant: append([]string{"did-you-mean", "override"}, secret...)},
				webtest.PageCase{Name: "search with operators", Who: anon, Method: "GET", Path: "/help/en/search?q=%22a%22+OR+*+NEAR(", Status: 200},
				webtest.PageCase{Name: "sitemap", Who: anon, Method: "GET", Path: "/help/sitemap.xml", Status: 200,
					Want:    []string{fmt.Sprintf("/help/nb/articles/%d-returnere-en-pakke", f.pub), fmt.Sprintf("/help/en/articles/%d-returning-a-parcel", f.pub)},
					NotWant: []string{fmt.Sprintf("/articles/%d-", f.internal), fmt.Sprintf("/articles/%d-", f.draft), fmt.Sprintf("/articles/%d-", f.org), fmt.Sprintf("/articles/%d-", f.archived)}},
				webtest.PageCase{Name: "public file", Who: anon, Method: "GET", Path: fmt.Sprintf("/help-files/%d/label.png", f.pubFile), Status: 200, Want: []string{"PNGLABEL"}},
				webtest.PageCase{Name: "file of an internal article", Who: anon, Method: "GET", Path: fmt.Sprintf("/help-files/%d/secret.png", f.file), Status: 404, NotWant: []string{"PNGSECRET"}},
				webtest.PageCase{Name: "feedback", Who: anon, Method: "POST", Path: fmt.Sprintf("/help/nb/articles/%d-returnere-en-pakke/feedback", f.pub),
					Form: webtest.Vals("helpful", "no", "comment", "Fant ikke adressen"), Status: 303, Location: fmt.Sprintf("/help/nb/articles/%d-returnere-en-pakke?thanks=1", f.pub)},
				webtest.PageCase{Name: "thanks", Who: anon, Method: "GET", Path: fmt.Sprintf("/help/nb/articles/%d-returnere-en-pakke?thanks=1", f.pub), Status: 200, Want: []string{"Takk for tilbakemeldingen."}},
				webtest.PageCase{Name: "feedback needs an answer", Who: anon, Method: "POST", Path: fmt.Sprintf("/help/nb/articles/%d-x/feedback", f.pub), Form: webtest.Vals("helpful", "maybe"), Status: 400},
			)
			for _, id := range []int64{f.draft, f.internal, f.org, f.archived, 999999} {
				for _, lang := range []string{"en", "nb"} {
					cases = append(cases,
						webtest.PageCase{Name: fmt.Sprintf("guessed article %d %s", id, lang), Who: anon, Method: "GET", Path: fmt.Sprintf("/help/%s/articles/%d", lang, id), Status: 404, NotWant: secret},
						webtest.PageCase{Name: fmt.Sprintf("guessed article %d %s with slug", id, lang), Who: anon, Method: "GET", Path: fmt.Sprintf("/help/%s/articles/%d-returning-a-parcel", lang, id), Status: 404, NotWant: secret},
						webtest.PageCase{Name: fmt.Sprintf("feedback on %d %s", id, lang), Who: anon, Method: "POST", Path: fmt.Sprintf("/help/%s/articles/%d/feedback", lang, id), Form: webtest.Vals("helpful", "yes"), Status: 404},
					)
				}
			}
			webtest.RunPages(t, cases)
			fb, err := e.Sys.KB.Feedback(context.Background(), authz.System, f.pub)
			if err != nil || fb.NotHelpful != 1 || len(fb.Comments) != 1 {
				t.Fatalf("feedback: %+v %v", fb, err)
			}
			for _, id := range []int64{f.internal, f.draft, f.org, f.archived} {
				fb, err := e.Sys.KB.Feedback(context.Background(), authz.System, id)
				if err != nil || fb.Helpful+fb.NotHelpful != 0 {
					t.Errorf("feedback recorded on hidden article %d: %+v %v", id, fb, err)
				}
			}
		})
	}
}
