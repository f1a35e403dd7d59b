package kb_test

import (
	"archive/zip"
	"bytes"
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/kb"
)

// png is a tiny image (its bytes need not decode for the import).
var png = []byte("\x89PNG\r\n\x1a\nimage")

func zipOf(t *testing.T, files map[string][]byte) *bytes.Reader {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(buf.Bytes())
}

// TestImportExportRoundTrip: a folder of Markdown and HTML with an image
// imports as articles (front matter or headings and folders); importing it
// again changes nothing; a changed file updates its article; the export
// re-imports to the same articles with nothing changed.
func TestImportExportRoundTrip(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		files := map[string][]byte{
			"Orders/Returns/return-a-parcel.md":    []byte("---\ntitle: Return a parcel\nvisibility: public\ntags: [returns, parcel]\n---\nPrint the label.\n\n![label](img/label.png)\n"),
			"Orders/Returns/return-a-parcel.nb.md": []byte("# Returnere en pakke\n\nSkriv ut etiketten.\n"),
			"Orders/Returns/img/label.png":         png,
			"Billing/invoices.html":                []byte("<html><head><title>Invoices</title></head><body><p>Find <strong>invoices</strong> under Account.</p><img src=\"../Orders/Returns/img/label.png\"></body></html>"),
			"faq.md":                               []byte("No heading here, just text.\n"),
			"broken.md":                            []byte("---\ntitle: x\nunknown_key: y\n---\nbody"),
		}
		b, err := kb.ReadZip(zipOf(t, files), int64(zipOf(t, files).Len()))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := e.svc.Import(ctx, e.outsider, b, kb.ImportOptions{})
		if !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("an agent imported: %v", err)
		}
		rep, err = e.svc.Import(ctx, e.admin, b, kb.ImportOptions{Publish: true})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Created != 4 || rep.Updated != 0 || rep.Skipped != 0 || len(rep.Errors) != 1 || rep.Errors[0].Path != "broken.md" {
			t.Fatalf("first import: %+v", rep)
		}
		byPath := map[string]kb.ImportResult{}
		for _, f := range rep.Files {
			byPath[f.Path] = f
		}
		ret, err := e.svc.Get(ctx, kb.Viewer{Actor: e.admin}, byPath["Orders/Returns/return-a-parcel.md"].ArticleID)
		if err != nil {
			t.Fatal(err)
		}
		if ret.ID != byPath["Orders/Returns/return-a-parcel.nb.md"].ArticleID || len(ret.Translations) != 2 || ret.State != kb.StatePublished ||
			ret.Visibility != kb.VisPublic || strings.Join(ret.Tags, ",") != "parcel,returns" || ret.SectionID != e.section {
			t.Fatalf("returns article: %+v", ret)
		}
		nb, _ := ret.In("nb", "nb")
		if nb.Title != "Returnere en pakke" || strings.Contains(nb.Body, "#") {
			t.Fatalf("title from the heading: %+v", nb)
		}
		en := ret.Source()
		fs, _ := e.svc.Files(ctx, kb.Viewer{Actor: e.admin}, ret.ID)
		if len(fs) != 1 || !strings.Contains(en.Body, "("+fs[0].URL()+")") || !strings.Contains(en.HTML, "<img") {
			t.Fatalf("image: %+v %q", fs, en.Body)
		}
		inv, _ := e.svc.Get(ctx, kb.Viewer{Actor: e.admin}, byPath["Billing/invoices.html"].ArticleID)
		if src := inv.Source(); src.Title != "Invoices" || !strings.Contains(src.Body, "**invoices**") || !strings.Contains(src.Body, "/help-files/") {
			t.Fatalf("HTML article: %+v", src)
		}
		faq, _ := e.svc.Get(ctx, kb.Viewer{Actor: e.admin}, byPath["faq.md"].ArticleID)
		if faq.Source().Title != "faq" {
			t.Fatalf("title from the file name: %q", faq.Source().Title)
		}

		// The same folder again: nothing changes.
		again, err := e.svc.Import(ctx, e.admin, b, kb.ImportOptions{Publish: true})
		if err != nil || again.Created != 0 || again.Updated != 0 || again.Skipped != 4 {
			t.Fatalf("second import: %+v %v", again, err)
		}
		// A changed file updates its article (a new version), by slug.
		b.Files["faq.md"] = []byte("---\nslug: faq\ntitle: Questions\n---\nNew text.\n")
		upd, err := e.svc.Import(ctx, e.admin, b, kb.ImportOptions{Publish: true})
		if err != nil || upd.Updated != 1 || upd.Skipped != 3 {
			t.Fatalf("changed file: %+v %v", upd, err)
		}
		faq, _ = e.svc.Get(ctx, kb.Viewer{Actor: e.admin}, faq.ID)
		if faq.Source().Title != "Questions" || faq.Source().Version != 2 {
			t.Fatalf("updated: %+v", faq.Source())
		}

		// An article written on the page exports too; the export re-imports
		// to the same articles with nothing changed.
		own := e.create(t, e.agent, kb.ArticleInput{Title: "Delivery times", Body: "Two days."})
		var out bytes.Buffer
		if err := e.svc.Export(ctx, e.agent, &out); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("an agent exported: %v", err)
		}
		if err := e.svc.Export(ctx, e.admin, &out); err != nil {
			t.Fatal(err)
		}
		exp, err := kb.ReadZip(bytes.NewReader(out.Bytes()), int64(out.Len()))
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"Billing/Billing/invoices.md", "Billing/Billing/img/invoices/label.png", "Orders/Returns/delivery-times.md",
			"Orders/Returns/return-a-parcel.md", "Orders/Returns/return-a-parcel.nb.md", "Orders/Returns/img/return-a-parcel/label.png", "General/General/faq.md"}
		for _, p := range want {
			if _, ok := exp.Files[p]; !ok {
				t.Errorf("export lacks %s; has %v", p, exp.Paths())
			}
		}
		if s := string(exp.Files["Orders/Returns/return-a-parcel.md"]); !strings.Contains(s, "](img/return-a-parcel/label.png)") || !strings.HasPrefix(s, "---\ntitle: \"Return a parcel\"") {
			t.Errorf("exported article:\n%s", s)
		}
		rt, err := e.svc.Import(ctx, e.admin, exp, kb.ImportOptions{})
		if err != nil || rt.Created != 0 || rt.Updated != 0 || rt.Skipped != 5 || len(rt.Errors) != 0 {
			t.Fatalf("round trip: %+v %v", rt, err)
		}
		after, _ := e.svc.Get(ctx, kb.Viewer{Actor: e.admin}, own.ID)
		if after.Source().Version != 1 || after.State != kb.StateDraft {
			t.Fatalf("round trip changed an article: %+v", after)
		}
	})
}

// TestImportRefusals: path traversal, links, zip bombs and folders with
// nothing to import are refused with a clear error, before anything is
// written.
func TestImportRefusals(t *testing.T) {
	for name, files := range map[string]map[string][]byte{
		"dot dot":   {"../etc/passwd.md": []byte("x")},
		"absolute":  {"/etc/passwd.md": []byte("x")},
		"backslash": {`a\..\..\x.md`: []byte("x")},
	} {
		z := zipOf(t, files)
		if _, err := kb.ReadZip(z, int64(z.Len())); !apperr.Is(err, apperr.CodeInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	bomb := zipOf(t, map[string][]byte{"bomb.md": bytes.Repeat([]byte("a"), 50<<20)})
	_, err := kb.ReadZip(bomb, int64(bomb.Len()))
	if e := apperr.As(err); e.Code != apperr.CodeInvalid || !strings.Contains(e.Fields["file"], "zip bomb") {
		t.Errorf("zip bomb: %v", err)
	}
	if _, err := kb.ReadZip(strings.NewReader("not a zip"), 9); !apperr.Is(err, apperr.CodeInvalid) {
		t.Errorf("not a zip: %v", err)
	}
	b, err := kb.ReadFS(fstest.MapFS{"a/b.md": {Data: []byte("# B")}, ".git/config": {Data: []byte("x")}})
	if err != nil || len(b.Files) != 1 {
		t.Errorf("folder: %v %v", b, err)
	}
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		_, err := e.svc.Import(context.Background(), e.admin, &kb.Bundle{Files: map[string][]byte{"x.png": png}}, kb.ImportOptions{})
		if !apperr.Is(err, apperr.CodeInvalid) {
			t.Errorf("nothing to import: %v", err)
		}
	})
}

// FuzzFrontMatter: the parser never panics, and what it reads formats
// and reads back the same.
func FuzzFrontMatter(f *testing.F) {
	for _, s := range []string{"---\ntitle: A\ntags: [a, \"b c\"]\n---\nbody", "---\ntitle: 'it''s'\n---\n", "---\n", "no front matter", "---\r\ntitle: x\r\n---\r\n", "---\nbad line\n---\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		fm, _, ok, err := kb.ParseFrontMatter(src)
		if err != nil || !ok || len(fm.Unknown) > 0 {
			return
		}
		for _, v := range append([]string{fm.Title, fm.Summary, fm.Category, fm.Section, fm.Language, fm.SourceLanguage, fm.Visibility, fm.State, fm.Slug}, fm.Tags...) {
			if strings.ContainsAny(v, "\n\r") || strings.TrimSpace(v) != v {
				return // values with line breaks or edge spaces are quoted on the way out; the fuzz checks plain ones
			}
		}
		again, rest, ok2, err := kb.ParseFrontMatter(fm.Format() + "body")
		if err != nil || !ok2 || rest != "body" {
			t.Fatalf("re-read %q: %v %v %q", fm.Format(), ok2, err, rest)
		}
		if again.Title != fm.Title || again.Slug != fm.Slug || strings.Join(again.Tags, "\x00") != strings.Join(fm.Tags, "\x00") || again.Summary != fm.Summary {
			t.Fatalf("round trip %+v → %+v", fm, again)
		}
	})
}
