// Package help serves the public help center at /help: categories,
// sections and articles in the visitor's language (the path's language,
// first chosen from Accept-Language, with a switcher), search, "was this
// helpful?", related articles, a sitemap, canonical and hreflang links and
// the brand from the knowledge base settings. Visitors are anonymous here:
// every read goes through kb.Anonymous, so only published public articles
// exist for this surface, whatever id or query is tried. No JavaScript.
package help

import (
	"bytes"
	"embed"
	"encoding/xml"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/kb"
	"github.com/ombud/ombud/internal/web/ui"
)

//go:embed templates/*.html
var templateFS embed.FS

// UI serves the help center.
type UI struct {
	KB      *kb.Service
	shared  *ui.UI
	tr      *i18n.Translator
	tmpl    *template.Template
	baseURL string // absolute links (canonical, hreflang, sitemap); "" takes the request's host
}

// New parses the pages. baseURL is the public address of Ombud.
func New(shared *ui.UI, svc *kb.Service, baseURL string) (*UI, error) {
	u := &UI{KB: svc, shared: shared, tr: shared.I18n(), baseURL: strings.TrimRight(baseURL, "/")}
	t, err := template.New("help").Funcs(template.FuncMap{
		"t":     func(lang, key string, args ...any) string { return u.tr.T(lang, key, args...) },
		"html":  func(s string) template.HTML { return template.HTML(s) }, // only kb's sanitised article HTML
		"asset": shared.AssetURL,
	}).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("help: parse: %w", err)
	}
	u.tmpl = t
	return u, nil
}

// link is a language switcher entry or an hreflang alternate.
type link struct {
	Lang, Name, URL string
	Current         bool
}

// crumb is one step of the breadcrumb.
type crumb struct{ Name, URL string }

// view is what every page gets.
type view struct {
	Lang        string
	Title       string
	Description string
	Canonical   string
	Alternates  []link // hreflang
	Langs       []link // the switcher
	Brand       kb.Settings
	BrandCSS    string
	Style       string
	Home        string
	Query       string
	Crumbs      []crumb
	Data        any
}

func validLang(l string) bool { return kb.ValidLanguage(l) }

// base is the absolute prefix of links.
func (u *UI) base(r *http.Request) string {
	if u.baseURL != "" {
		return u.baseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// newView fills the parts every page has. alt gives the page's URL in
// another language ("" when the page does not exist in it).
func (u *UI) newView(r *http.Request, lang, title string, alt func(lang string) string) (view, error) {
	st, err := u.KB.Settings(r.Context())
	if err != nil {
		return view{}, err
	}
	if st.Name == "" {
		st.Name = u.tr.T(lang, "Help center")
	}
	v := view{Lang: lang, Title: title, Brand: st, Style: u.shared.AssetURL("help.css"), BrandCSS: "/help/brand.css?v=" + strconv.FormatInt(st.UpdatedAt.UnixMilli(), 10),
		Home: "/help/" + lang, Query: r.URL.Query().Get("q")}
	base := u.base(r)
	for _, l := range i18n.Locales {
		p := alt(l.Code)
		if p == "" {
			continue
		}
		v.Langs = append(v.Langs, link{Lang: l.Code, Name: l.Native, URL: p, Current: l.Code == lang})
		v.Alternates = append(v.Alternates, link{Lang: l.Code, URL: base + p})
		if l.Code == lang {
			v.Canonical = base + p
		}
	}
	if p := alt(st.FallbackLanguage); p != "" {
		v.Alternates = append(v.Alternates, link{Lang: "x-default", URL: base + p})
	}
	return v, nil
}

func (u *UI) render(w http.ResponseWriter, status int, page string, v view) error {
	var buf bytes.Buffer
	if err := u.tmpl.ExecuteTemplate(&buf, page, v); err != nil {
		return fmt.Errorf("help: render %s: %w", page, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	// Article images are served by this site (help-files); logos may
	// be on an https address the brand settings name.
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'none'; frame-ancestors 'none'; form-action 'self'")
	h.Set("Content-Language", v.Lang)
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}

// notFound renders the help center's own "not found" page: the same for
// an id that does not exist and one the visitor may not read.
func (u *UI) notFound(w http.ResponseWriter, r *http.Request, lang string) error {
	if !validLang(lang) {
		lang = u.tr.MatchAcceptLanguage(r.Header.Get("Accept-Language"))
	}
	v, err := u.newView(r, lang, u.tr.T(lang, "Page not found"), func(l string) string { return "/help/" + l })
	if err != nil {
		return err
	}
	v.Canonical, v.Alternates = "", nil
	return u.render(w, http.StatusNotFound, "notfound", v)
}

// Root answers GET /help: to the visitor's language.
func (u *UI) Root(w http.ResponseWriter, r *http.Request) error {
	lang := u.tr.MatchAcceptLanguage(r.Header.Get("Accept-Language"))
	w.Header().Set("Vary", "Accept-Language")
	http.Redirect(w, r, "/help/"+lang, http.StatusFound)
	return nil
}

// homeCategory is a category on the home page.
type homeCategory struct {
	Name, Description, URL string
	Sections               []crumb
}

// Home answers GET /help/{lang}: the categories and their sections that
// have articles for the visitor.
func (u *UI) Home(w http.ResponseWriter, r *http.Request) error {
	lang := r.PathValue("lang")
	if !validLang(lang) {
		return u.notFound(w, r, "")
	}
	tree, err := u.KB.Tree(r.Context(), kb.Anonymous)
	if err != nil {
		return err
	}
	st, err := u.KB.Settings(r.Context())
	if err != nil {
		return err
	}
	var cats []homeCategory
	for _, c := range tree {
		if c.Articles == 0 {
			continue
		}
		n := kb.In(c.Names, lang, st.FallbackLanguage)
		hc := homeCategory{Name: n.Name, Description: n.Description, URL: fmt.Sprintf("/help/%s/categories/%d-%s", lang, c.ID, n.Slug)}
		for _, s := range c.Sections {
			if s.Articles == 0 {
				continue
			}
			sn := kb.In(s.Names, lang, st.FallbackLanguage)
			hc.Sections = append(hc.Sections, crumb{Name: sn.Name, URL: fmt.Sprintf("/help/%s/sections/%d-%s", lang, s.ID, sn.Slug)})
		}
		cats = append(cats, hc)
	}
	v, err := u.newView(r, lang, "", func(l string) string { return "/help/" + l })
	if err != nil {
		return err
	}
	v.Title = v.Brand.Name
	v.Description = u.tr.T(lang, "Answers to common questions about %s.", v.Brand.Name)
	v.Data = cats
	return u.render(w, http.StatusOK, "home", v)
}

// refID reads the id at the start of a "12-some-slug" path part.
func refID(ref string) (int64, bool) {
	digits, _, _ := strings.Cut(ref, "-")
	id, err := strconv.ParseInt(digits, 10, 64)
	return id, err == nil && id > 0
}

// listItem is an article in a list.
type listItem struct {
	Title, URL, Snippet string
}

func articleURL(lang string, id int64, slug string) string {
	return fmt.Sprintf("/help/%s/articles/%d-%s", lang, id, slug)
}

// Category answers GET /help/{lang}/categories/{ref}.
func (u *UI) Category(w http.ResponseWriter, r *http.Request) error {
	return u.group(w, r, "category")
}

// Section answers GET /help/{lang}/sections/{ref}.
func (u *UI) Section(w http.ResponseWriter, r *http.Request) error {
	return u.group(w, r, "section")
}

// groupSection is a section with its articles on a group page.
type groupSection struct {
	Name, URL string
	Articles  []listItem
}

func (u *UI) group(w http.ResponseWriter, r *http.Request, kind string) error {
	lang := r.PathValue("lang")
	id, ok := refID(r.PathValue("ref"))
	if !validLang(lang) || !ok {
		return u.notFound(w, r, lang)
	}
	st, err := u.KB.Settings(r.Context())
	if err != nil {
		return err
	}
	tree, err := u.KB.Tree(r.Context(), kb.Anonymous)
	if err != nil {
		return err
	}
	var cat *kb.Category
	var secs []kb.Section
	for i, c := range tree {
		if kind == "category" && c.ID == id {
			cat, secs = &tree[i], c.Sections
		}
		for _, s := range c.Sections {
			if kind == "section" && s.ID == id {
				cat, secs = &tree[i], []kb.Section{s}
			}
		}
	}
	if cat == nil || cat.Articles == 0 || (kind == "section" && secs[0].Articles == 0) {
		return u.notFound(w, r, lang)
	}
	cn := kb.In(cat.Names, lang, st.FallbackLanguage)
	catURL := func(l string) string {
		return fmt.Sprintf("/help/%s/categories/%d-%s", l, cat.ID, kb.In(cat.Names, l, st.FallbackLanguage).Slug)
	}
	var groups []groupSection
	for _, s := range secs {
		if s.Articles == 0 {
			continue
		}
		hits, err := u.articlesIn(r, s.ID, lang, st.FallbackLanguage)
		if err != nil {
			return err
		}
		sn := kb.In(s.Names, lang, st.FallbackLanguage)
		groups = append(groups, groupSection{Name: sn.Name, URL: fmt.Sprintf("/help/%s/sections/%d-%s", lang, s.ID, sn.Slug), Articles: hits})
	}
	title, alt := cn.Name, catURL
	crumbs := []crumb{{Name: brandName(u, st, lang), URL: "/help/" + lang}}
	if kind == "section" {
		s := secs[0]
		title = kb.In(s.Names, lang, st.FallbackLanguage).Name
		crumbs = append(crumbs, crumb{Name: cn.Name, URL: catURL(lang)})
		alt = func(l string) string {
			return fmt.Sprintf("/help/%s/sections/%d-%s", l, s.ID, kb.In(s.Names, l, st.FallbackLanguage).Slug)
		}
	}
	if want := alt(lang); r.URL.Path != want {
		http.Redirect(w, r, want, http.StatusMovedPermanently) // the slug changed or was left out
		return nil
	}
	v, err := u.newView(r, lang, title, alt)
	if err != nil {
		return err
	}
	v.Description = cn.Description
	v.Crumbs = crumbs
	v.Data = groups
	return u.render(w, http.StatusOK, "group", v)
}

// articlesIn lists a section's public articles in lang (else the fallback).
func (u *UI) articlesIn(r *http.Request, section int64, lang, fallback string) ([]listItem, error) {
	hits, err := u.KB.Search(r.Context(), kb.Anonymous, kb.Filter{SectionID: section, Limit: 100})
	if err != nil {
		return nil, err
	}
	var out []listItem
	for _, h := range hits {
		a, err := u.KB.Get(r.Context(), kb.Anonymous, h.ArticleID)
		if err != nil {
			continue // unpublished meanwhile
		}
		t, _ := a.In(lang, fallback)
		out = append(out, listItem{Title: t.Title, URL: articleURL(lang, a.ID, t.Slug)})
	}
	slices.SortStableFunc(out, func(a, b listItem) int { return strings.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title)) })
	return out, nil
}

// articleView is the article page's data.
type articleView struct {
	ID        int64
	Title     string
	HTML      template.HTML
	Language  string // of the text shown
	Fallback  bool   // not in the visitor's language
	Updated   string
	Related   []listItem
	Action    string
	Thanks    bool
	MaxLength int
}

// Article answers GET /help/{lang}/articles/{ref}.
func (u *UI) Article(w http.ResponseWriter, r *http.Request) error {
	lang := r.PathValue("lang")
	id, ok := refID(r.PathValue("ref"))
	if !validLang(lang) || !ok {
		return u.notFound(w, r, lang)
	}
	a, err := u.KB.Get(r.Context(), kb.Anonymous, id)
	if apperr.Is(err, apperr.CodeNotFound) {
		return u.notFound(w, r, lang)
	}
	if err != nil {
		return err
	}
	st, err := u.KB.Settings(r.Context())
	if err != nil {
		return err
	}
	t, _ := a.In(lang, st.FallbackLanguage)
	if want := articleURL(lang, a.ID, t.Slug); r.URL.Path != want {
		target := want
		if q := r.URL.RawQuery; q != "" {
			target += "?" + q
		}
		http.Redirect(w, r, target, http.StatusMovedPermanently)
		return nil
	}
	if r.URL.Query().Get("thanks") == "" {
		channel := kb.ChannelHelp
		if r.URL.Query().Get("from") == "portal" {
			channel = kb.ChannelPortal
		}
		u.KB.CountView(r.Context(), a.ID, t.Language, channel)
	}
	v, err := u.newView(r, lang, t.Title, func(l string) string {
		// Only languages the article is written in are alternates; the
		// switcher's other languages would show the fallback text.
		if !a.Has(l) {
			return ""
		}
		lt, _ := a.In(l, l)
		return articleURL(l, a.ID, lt.Slug)
	})
	if err != nil {
		return err
	}
	if !a.Has(lang) {
		// Shown in the fallback: the canonical page is the fallback's.
		fb, _ := a.In(st.FallbackLanguage, st.FallbackLanguage)
		v.Canonical = u.base(r) + articleURL(fb.Language, a.ID, fb.Slug)
	}
	// The switcher offers every language; the article's own are linked to
	// their translation.
	v.Langs = nil
	for _, l := range i18n.Locales {
		lt, _ := a.In(l.Code, st.FallbackLanguage)
		v.Langs = append(v.Langs, link{Lang: l.Code, Name: l.Native, URL: articleURL(l.Code, a.ID, lt.Slug), Current: l.Code == lang})
	}
	v.Description = kbSummary(t)
	if tree, err := u.KB.Tree(r.Context(), kb.Anonymous); err == nil {
		for _, c := range tree {
			for _, s := range c.Sections {
				if s.ID == a.SectionID {
					cn, sn := kb.In(c.Names, lang, st.FallbackLanguage), kb.In(s.Names, lang, st.FallbackLanguage)
					v.Crumbs = []crumb{{brandName(u, st, lang), "/help/" + lang}, {cn.Name, fmt.Sprintf("/help/%s/categories/%d-%s", lang, c.ID, cn.Slug)},
						{sn.Name, fmt.Sprintf("/help/%s/sections/%d-%s", lang, s.ID, sn.Slug)}}
				}
			}
		}
	}
	related, err := u.related(r, a, t, lang, st.FallbackLanguage)
	if err != nil {
		return err
	}
	v.Data = articleView{ID: a.ID, Title: t.Title, HTML: template.HTML(t.HTML), Language: t.Language, Fallback: t.Language != lang,
		Updated: i18n.FormatDay(lang, t.UpdatedAt, true), Related: related, Action: articleURL(lang, a.ID, t.Slug) + "/feedback",
		Thanks: r.URL.Query().Get("thanks") == "1", MaxLength: kb.MaxComment}
	return u.render(w, http.StatusOK, "article", v)
}

func kbSummary(t kb.Translation) string {
	if t.Summary != "" {
		return t.Summary
	}
	r := []rune(t.Text)
	if len(r) > 160 {
		return strings.TrimSpace(string(r[:157])) + "…"
	}
	return t.Text
}

// related are up to five other public articles: those sharing words of
// the title, then the same section's.
func (u *UI) related(r *http.Request, a kb.Article, t kb.Translation, lang, fallback string) ([]listItem, error) {
	var out []listItem
	seen := map[int64]bool{a.ID: true}
	add := func(hits []kb.Hit) {
		for _, h := range hits {
			if seen[h.ArticleID] || len(out) == 5 {
				continue
			}
			seen[h.ArticleID] = true
			other, err := u.KB.Get(r.Context(), kb.Anonymous, h.ArticleID)
			if err != nil {
				continue
			}
			ot, _ := other.In(lang, fallback)
			out = append(out, listItem{Title: ot.Title, URL: articleURL(lang, other.ID, ot.Slug)})
		}
	}
	sug, err := u.KB.Suggest(r.Context(), kb.Viewer{Actor: authz.System}, t.Title+" "+strings.Join(a.Tags, " "), t.Language, 10)
	if err != nil {
		return nil, err
	}
	// Suggest reads as the system; keep only what the visitor may read
	// (Get above refuses the rest).
	add(sug)
	same, err := u.KB.Search(r.Context(), kb.Anonymous, kb.Filter{SectionID: a.SectionID, Limit: 10})
	if err != nil {
		return nil, err
	}
	add(same)
	return out, nil
}

// Search answers GET /help/{lang}/search?q=.
func (u *UI) Search(w http.ResponseWriter, r *http.Request) error {
	lang := r.PathValue("lang")
	if !validLang(lang) {
		return u.notFound(w, r, "")
	}
	st, err := u.KB.Settings(r.Context())
	if err != nil {
		return err
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if len(q) > 200 {
		q = q[:200]
	}
	var items []listItem
	var corrected *suggestion
	if q != "" {
		res, err := u.KB.Find(r.Context(), kb.Anonymous, kb.Filter{Query: q, Language: lang, Limit: 20})
		if err != nil {
			return err
		}
		if len(res.Hits) == 0 && st.FallbackLanguage != lang {
			if res, err = u.KB.Find(r.Context(), kb.Anonymous, kb.Filter{Query: q, Language: st.FallbackLanguage, Limit: 20}); err != nil {
				return err
			}
		}
		if res.DidYouMean != "" {
			corrected = &suggestion{Query: res.DidYouMean, URL: "/help/" + lang + "/search?q=" + url.QueryEscape(res.DidYouMean)}
		}
		for _, h := range res.Hits {
			items = append(items, listItem{Title: h.Title, URL: articleURL(lang, h.ArticleID, h.Slug), Snippet: h.Snippet})
		}
		u.KB.CountSearch(r.Context(), q, lang, kb.ChannelHelp, len(res.Hits))
	}
	v, err := u.newView(r, lang, u.tr.T(lang, "Search"), func(l string) string { return "/help/" + l + "/search?q=" + url.QueryEscape(q) })
	if err != nil {
		return err
	}
	v.Canonical, v.Alternates = "", nil // search pages are not for indexing
	v.Query = q
	v.Crumbs = []crumb{{brandName(u, st, lang), "/help/" + lang}}
	v.Data = searchData{Items: items, DidYouMean: corrected}
	return u.render(w, http.StatusOK, "search", v)
}

// suggestion is a typo-corrected query whose results a search page shows
// ("Did you mean …").
type suggestion struct {
	Query string
	URL   string
}

// searchData is the search page's content.
type searchData struct {
	Items      []listItem
	DidYouMean *suggestion
}

// Feedback answers POST /help/{lang}/articles/{ref}/feedback (form:
// helpful yes|no, comment): the answer is recorded and the visitor sees
// the article again with thanks.
func (u *UI) Feedback(w http.ResponseWriter, r *http.Request) error {
	lang := r.PathValue("lang")
	id, ok := refID(r.PathValue("ref"))
	if !validLang(lang) || !ok {
		return u.notFound(w, r, lang)
	}
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("form", "could not be read")
	}
	helpful := r.PostForm.Get("helpful")
	if helpful != "yes" && helpful != "no" {
		return apperr.InvalidField("helpful", "must be yes or no")
	}
	err := u.KB.Rate(r.Context(), kb.Anonymous, id, lang, helpful == "yes", r.PostForm.Get("comment"))
	if apperr.Is(err, apperr.CodeNotFound) {
		return u.notFound(w, r, lang)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/help/%s/articles/%s?thanks=1#feedback", lang, r.PathValue("ref")), http.StatusSeeOther)
	return nil
}

// BrandCSS answers GET /help/brand.css: the brand colours and the custom
// CSS, a stylesheet of this site so the page's CSP still rules.
func (u *UI) BrandCSS(w http.ResponseWriter, r *http.Request) error {
	st, err := u.KB.Settings(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	fmt.Fprintf(w, ":root { --help-color: %s; --help-accent: %s; }\n", st.Color, st.Accent)
	_, err = io.WriteString(w, st.CustomCSS)
	return err
}

// File answers GET /help-files/{id}/{name}: a file of a public article.
func (u *UI) File(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return u.notFound(w, r, "")
	}
	f, rc, err := u.KB.OpenFile(r.Context(), kb.Anonymous, id)
	if apperr.Is(err, apperr.CodeNotFound) {
		return u.notFound(w, r, "")
	}
	if err != nil {
		return err
	}
	defer rc.Close()
	serveFile(w, r, f, rc)
	return nil
}

// serveFile writes an article file: images inline, the rest as a download.
func serveFile(w http.ResponseWriter, r *http.Request, f kb.File, rc io.ReadSeeker) {
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	disp := "attachment"
	if strings.HasPrefix(f.ContentType, "image/") {
		disp = "inline"
	}
	h.Set("Content-Disposition", disp+"; filename*=UTF-8''"+url.PathEscape(f.Filename))
	http.ServeContent(w, r, "", time.Time{}, rc)
}

// Sitemap answers GET /help/sitemap.xml: each language's home page and
// every public article in each of its languages.
func (u *UI) Sitemap(w http.ResponseWriter, r *http.Request) error {
	entries, err := u.KB.SitemapEntries(r.Context())
	if err != nil {
		return err
	}
	base := u.base(r)
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	loc := func(p, mod string) {
		b.WriteString("<url><loc>")
		_ = xmlEscape(&b, base+p)
		b.WriteString("</loc>")
		if mod != "" {
			b.WriteString("<lastmod>" + mod + "</lastmod>")
		}
		b.WriteString("</url>\n")
	}
	for _, l := range i18n.Locales {
		loc("/help/"+l.Code, "")
	}
	for _, e := range entries {
		loc(articleURL(e.Language, e.ArticleID, e.Slug), e.Updated.Format(time.DateOnly))
	}
	b.WriteString("</urlset>\n")
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=600")
	_, err = b.WriteTo(w)
	return err
}

func xmlEscape(w io.Writer, s string) error { return xml.EscapeText(w, []byte(s)) }

// brandName is the help center's name, or "Help center" in lang.
func brandName(u *UI, st kb.Settings, lang string) string {
	if st.Name != "" {
		return st.Name
	}
	return u.tr.T(lang, "Help center")
}
