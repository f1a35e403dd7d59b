package knowledge

import (
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/kb"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
)

var pageAll = page.Request{Limit: page.MaxLimit}

// Edit answers GET /knowledge/articles/{id}/edit?lang=: the editor of one
// translation (a new one when the article has none in lang yet, started
// from the source text).
func (u *UI) Edit(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "article")
	if err != nil {
		return err
	}
	a, err := u.KB.Get(r.Context(), kb.Viewer{Actor: httpx.Actor(r.Context())}, id)
	if err != nil {
		return err
	}
	lang := r.URL.Query().Get("lang")
	if !kb.ValidLanguage(lang) {
		lang = a.SourceLanguage
	}
	t, _ := a.In(lang, a.SourceLanguage)
	v := url.Values{"language": {lang}, "title": {t.Title}, "summary": {t.Summary}, "body": {t.Body}}
	if !a.Has(lang) {
		v.Set("title", "")
		v.Set("summary", "")
	}
	return u.editPage(w, r, http.StatusOK, a, v, map[string]string{}, "")
}

func (u *UI) editPage(w http.ResponseWriter, r *http.Request, status int, a kb.Article, v url.Values, errs map[string]string, msg string) error {
	d := editorData{Values: v, Errs: errs, Langs: langOptions(v.Get("language"))}
	if v.Get("preview") != "" {
		d.Preview = template.HTML(agentHTML(u.KB.Render(v.Get("body")))) // sanitised by kb
	}
	src := a.Source()
	lang := v.Get("language")
	var outdated bool
	for _, t := range a.Translations {
		if t.Language == lang {
			outdated = t.Outdated
		}
	}
	return u.Render(w, r, status, u.pages["edit"], pageData("Edit article", msg, map[string]any{
		"A": a, "Form": d, "Source": src, "IsSource": lang == a.SourceLanguage, "Outdated": outdated, "New": false,
	}))
}

// SaveText answers POST /knowledge/articles/{id}/text (form: language,
// title, summary, body, note; preview=1 shows the preview instead).
func (u *UI) SaveText(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "article")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	actor := httpx.Actor(r.Context())
	v := r.PostForm
	in := kb.TextInput{Language: v.Get("language"), Title: v.Get("title"), Summary: v.Get("summary"), Body: v.Get("body"), Note: v.Get("note")}
	if v.Get("preview") != "" {
		a, err := u.KB.Get(r.Context(), kb.Viewer{Actor: actor}, id)
		if err != nil {
			return err
		}
		return u.editPage(w, r, http.StatusOK, a, v, map[string]string{}, "")
	}
	if _, err := u.KB.SaveText(r.Context(), actor, id, in); err != nil {
		e, ok := ui.Refusal(err)
		if !ok {
			return err
		}
		a, gerr := u.KB.Get(r.Context(), kb.Viewer{Actor: actor}, id)
		if gerr != nil {
			return gerr
		}
		return u.editPage(w, r, http.StatusUnprocessableEntity, a, v, u.ErrIn(r, e).Fields, u.Tr(r, "Check the article."))
	}
	http.Redirect(w, r, fmt.Sprintf("/knowledge/articles/%d?lang=%s&done=saved", id, url.QueryEscape(in.Language)), http.StatusSeeOther)
	return nil
}

// versionRow is one version in the list.
type versionRow struct {
	kb.Version
	When string
}

// Versions answers GET /knowledge/articles/{id}/versions?lang=&from=&to=:
// the versions of one translation and the diff between two (by default the
// newest and the one before).
func (u *UI) Versions(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "article")
	if err != nil {
		return err
	}
	actor := httpx.Actor(r.Context())
	a, err := u.KB.Get(r.Context(), kb.Viewer{Actor: actor}, id)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	lang := q.Get("lang")
	if !a.Has(lang) {
		lang = a.SourceLanguage
	}
	vs, err := u.KB.Versions(r.Context(), actor, id, lang)
	if err != nil {
		return err
	}
	to, _ := strconv.Atoi(q.Get("to"))
	from, _ := strconv.Atoi(q.Get("from"))
	if to == 0 && len(vs) > 0 {
		to = vs[0].Version
	}
	if from == 0 {
		from = to - 1
	}
	var older, newer *kb.Version
	rows := make([]versionRow, 0, len(vs))
	ulang := u.Lang(r)
	for i := range vs {
		rows = append(rows, versionRow{Version: vs[i], When: ui.When(ulang, time.UnixMilli(vs[i].CreatedAt), ui.Location(r))})
		switch vs[i].Version {
		case from:
			older = &vs[i]
		case to:
			newer = &vs[i]
		}
	}
	var diff []kb.DiffLine
	if older != nil && newer != nil {
		diff = kb.Diff(older.Title+"\n\n"+older.Body, newer.Title+"\n\n"+newer.Body)
	}
	t, _ := a.In(lang, a.SourceLanguage)
	return u.Render(w, r, http.StatusOK, u.pages["versions"], pageData(t.Title, "", map[string]any{
		"A": a, "Lang": lang, "Rows": rows, "From": from, "To": to, "Diff": diff, "HasDiff": older != nil && newer != nil,
	}))
}

// Restore answers POST /knowledge/articles/{id}/restore (form: language, version).
func (u *UI) Restore(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "article")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	n, _ := strconv.Atoi(r.PostForm.Get("version"))
	lang := r.PostForm.Get("language")
	if _, err := u.KB.Restore(r.Context(), httpx.Actor(r.Context()), id, lang, n); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/knowledge/articles/%d?lang=%s&done=restored", id, url.QueryEscape(lang)), http.StatusSeeOther)
	return nil
}

// AddFile answers POST /knowledge/articles/{id}/files (multipart: file).
func (u *UI) AddFile(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "article")
	if err != nil {
		return err
	}
	actor := httpx.Actor(r.Context())
	if _, err := u.KB.Get(r.Context(), kb.Viewer{Actor: actor}, id); err != nil {
		return err
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return apperr.InvalidField("file", "is required")
	}
	defer f.Close()
	if _, err := u.KB.AddFile(r.Context(), actor, id, hdr.Filename, f); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/knowledge/articles/%d?done=file#files", id), http.StatusSeeOther)
	return nil
}

// File answers GET /knowledge/files/{id}/{name}: an article's file for
// agents who may read the article.
func (u *UI) File(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "file")
	if err != nil {
		return err
	}
	f, rc, err := u.KB.OpenFile(r.Context(), kb.Viewer{Actor: httpx.Actor(r.Context())}, id)
	if err != nil {
		return err
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	disp := "attachment"
	if strings.HasPrefix(f.ContentType, "image/") {
		disp = "inline"
	}
	h.Set("Content-Disposition", disp+"; filename*=UTF-8''"+url.PathEscape(f.Filename))
	http.ServeContent(w, r, "", time.Time{}, rc.(io.ReadSeeker))
	return nil
}

func pageData(title, msg string, data map[string]any) ui.PageData {
	return ui.PageData{Title: title, Nav: "knowledge", Error: msg, Data: data}
}
