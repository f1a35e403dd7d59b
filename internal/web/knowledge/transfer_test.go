package knowledge_test

import (
	"archive/zip"
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

func zipBytes(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	zw.Close()
	return buf.Bytes()
}

// upload posts a zip to /knowledge/import as the page's form does.
func upload(t *testing.T, e *apptest.Env, b *webtest.Browser, data []byte, fields ...string) (int, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf_token", b.CSRF())
	for i := 0; i+1 < len(fields); i += 2 {
		_ = mw.WriteField(fields[i], fields[i+1])
	}
	w, _ := mw.CreateFormFile("file", "articles.zip")
	w.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", e.URL+"/knowledge/import", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := b.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// TestTransferAndReportPages: a manager imports a zip (and again,
// unchanged), a zip that leaves its folder is refused with a clear error,
// the export downloads, the knowledge report shows the figures; agents
// neither import nor export, and without report.read see no report.
func TestTransferAndReportPages(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			manager, agent := webtest.SignIn(t, e, authz.Manager), webtest.SignIn(t, e, authz.Agent)
			good := zipBytes(t, map[string]string{"Orders/Returns/return.md": "# Return a parcel\n\nPrint the label.\n"})
			st, body := upload(t, e, manager, good, "language", "en", "visibility", "public", "publish", "1")
			if st != 200 || !strings.Contains(body, "Created 1, updated 0, unchanged 0, with 0 problems.") || !strings.Contains(body, "Return a parcel") {
				t.Fatalf("import: %d %.3000s", st, body)
			}
			i := strings.Index(body, `href="/knowledge/articles/`)
			if i < 0 {
				t.Fatalf("no article link: %.3000s", body)
			}
			link := body[i+6 : i+6+strings.IndexByte(body[i+6:], '"')]
			if st, _ := manager.Get(t, link); st != 200 {
				t.Fatalf("article: %d", st)
			}
			if st, _ := webtest.Anonymous(e).Get(t, "/help/en/search?q=Zebra+stripes%3F"); st != 200 {
				t.Fatalf("search: %d", st)
			}
			// A portal customer opens it from the suggestions (?from=portal;
			// a redirect to the slug would keep the query).
			id := strings.TrimSuffix(strings.TrimPrefix(link, "/knowledge/articles/"), "?lang=en")
			if st, _ := webtest.Anonymous(e).Get(t, "/help/en/articles/"+id+"-return-a-parcel?from=portal"); st != 200 {
				t.Fatalf("portal view: %d", st)
			}
			st, rep := e.Do(t, authz.Manager, "GET", "/api/v1/reports/knowledge?language=en", nil)
			tot, _ := rep["totals"].(map[string]any)
			if st != 200 || tot["views"] != float64(2) || tot["portal_views"] != float64(1) || tot["agent_views"] != float64(1) || tot["help_views"] != float64(0) {
				t.Fatalf("report API: %d %v", st, rep)
			}
			if gaps, _ := rep["searches_without_result"].([]any); len(gaps) != 1 || gaps[0].(map[string]any)["query"] != "zebra stripes" {
				t.Fatalf("gaps: %v", rep["searches_without_result"])
			}
			if st, body = upload(t, e, manager, good); st != 200 || !strings.Contains(body, "Created 0, updated 0, unchanged 1") {
				t.Fatalf("again: %d %.3000s", st, body)
			}
			if st, body = upload(t, e, manager, zipBytes(t, map[string]string{"../x.md": "# x"})); st != 400 || !strings.Contains(body, "leaves the folder") {
				t.Fatalf("traversal: %d %.3000s", st, body)
			}
			if st, body = upload(t, e, manager, []byte("not a zip")); st != 400 || !strings.Contains(body, "is not a zip archive") {
				t.Fatalf("not a zip: %d %.3000s", st, body)
			}
			if st, _ = upload(t, e, agent, good); st != 403 {
				t.Fatalf("agent import: %d", st)
			}
			st, raw := manager.Get(t, "/knowledge/export")
			if st != 200 {
				t.Fatalf("export: %d", st)
			}
			zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
			if err != nil || len(zr.File) != 1 || zr.File[0].Name != "Orders/Returns/return.md" {
				t.Fatalf("export zip: %v %v", zr, err)
			}
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "transfer page", Who: manager, Method: "GET", Path: "/knowledge/transfer", Status: 200, Want: []string{`action="/knowledge/import"`, `href="/knowledge/export"`}},
				{Name: "links on the list", Who: manager, Method: "GET", Path: "/knowledge", Status: 200, Want: []string{`href="/knowledge/transfer"`, `href="/knowledge/report"`}},
				{Name: "agents do not import", Who: agent, Method: "GET", Path: "/knowledge/transfer", Status: 403},
				{Name: "agents do not export", Who: agent, Method: "GET", Path: "/knowledge/export", Status: 403},
				{Name: "report", Who: manager, Method: "GET", Path: "/knowledge/report?language=en", Status: 200, Want: []string{"Knowledge report", "Return a parcel", `id="kb-gaps"`, "zebra stripes", "/api/v1/reports/knowledge?"}},
				{Name: "report bad date", Who: manager, Method: "GET", Path: "/knowledge/report?from=yesterday", Status: 400, Want: []string{"must be a date"}},
				{Name: "reports tab", Who: manager, Method: "GET", Path: "/reports", Status: 200, Want: []string{`href="/knowledge/report`}},
				{Name: "agents see no report", Who: agent, Method: "GET", Path: "/knowledge/report", Status: 403},
			})
		})
	}
}
