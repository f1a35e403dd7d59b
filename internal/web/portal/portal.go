// Package portal serves the customer portal at /portal (docs/portal.md):
// sign-in by a link mailed to the customer, their requests with the public
// conversation, replies with files, "mark as solved" and new requests with
// help-center suggestions. Customers have their own session cookie and
// CSRF token, apart from agent sessions; every read and write goes through
// the portal service, which scopes it to the signed-in customer. The pages
// work without JavaScript.
package portal

import (
	"bytes"
	"crypto/subtle"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/kb"
	"github.com/ombud/ombud/internal/portal"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
)

//go:embed templates/*.html
var templateFS embed.FS

// Cookie names: the session, and the language a visitor chose.
const (
	sessionCookie = "ombud_portal"
	langCookie    = "ombud_portal_lang"
)

// UI serves the portal.
type UI struct {
	Portal  *portal.Service
	KB      *kb.Service
	shared  *ui.UI
	tr      *i18n.Translator
	tmpl    *template.Template
	admin   map[string]*template.Template // the web form's settings page (agent layout)
	secure  bool
	proxies []netip.Prefix
}

// New parses the pages. secure marks the cookie Secure (https); proxies
// are the trusted reverse proxies (the client address for rate limits).
func New(shared *ui.UI, svc *portal.Service, kbs *kb.Service, secure bool, proxies []netip.Prefix) (*UI, error) {
	u := &UI{Portal: svc, KB: kbs, shared: shared, tr: shared.I18n(), secure: secure, proxies: proxies}
	t, err := template.New("portal").Funcs(template.FuncMap{
		"t":      func(lang, key string, args ...any) string { return u.tr.T(lang, key, args...) },
		"html":   func(s string) template.HTML { return template.HTML(s) }, // only the ticket service's sanitised comment HTML
		"asset":  shared.AssetURL,
		"status": func(lang string, s any) string { return u.tr.String(lang, ui.Label(s)) },
		"when":   func(lang string, at time.Time) string { return at.UTC().Format("2006-01-02 15:04") + " UTC" },
		"size":   humanSize,
		"askfield": func(lang string, f askedField) map[string]any {
			return map[string]any{"Lang": lang, "F": f}
		},
	}).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("portal: parse: %w", err)
	}
	u.tmpl = t
	if u.admin, err = adminPages(shared); err != nil {
		return nil, err
	}
	return u, nil
}

// view is what every page gets.
type view struct {
	Lang     string
	Title    string
	Customer *portal.Customer
	CSRF     string
	Langs    []langLink
	Path     string
	Notice   string
	Error    string
	Fields   map[string]string
	Data     any
}

type langLink struct {
	Code, Name string
	Current    bool
}

// session reads the signed-in customer, if any, and the session secret.
func (u *UI) session(r *http.Request) (*portal.Customer, string) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, ""
	}
	cust, err := u.Portal.Session(r.Context(), c.Value)
	if err != nil {
		return nil, ""
	}
	return &cust, c.Value
}

// lang is the page's language: a choice in the query or its cookie, else
// the customer's own, else the browser's.
func (u *UI) lang(r *http.Request, c *portal.Customer) string {
	if l := r.URL.Query().Get("lang"); l != "" && u.tr.Match(l) == l {
		return l
	}
	if ck, err := r.Cookie(langCookie); err == nil && u.tr.Match(ck.Value) == ck.Value {
		return ck.Value
	}
	if c != nil && c.Locale != "" {
		return u.tr.Match(c.Locale)
	}
	return u.tr.MatchAcceptLanguage(r.Header.Get("Accept-Language"))
}

func (u *UI) newView(w http.ResponseWriter, r *http.Request, c *portal.Customer, secret, title string) view {
	lang := u.lang(r, c)
	if l := r.URL.Query().Get("lang"); l == lang {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/portal", MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: u.secure, SameSite: http.SameSiteLaxMode})
	}
	v := view{Lang: lang, Title: u.tr.String(lang, title), Customer: c, Path: r.URL.Path}
	if secret != "" {
		v.CSRF = portal.CSRF(secret)
	}
	for _, l := range i18n.Locales {
		v.Langs = append(v.Langs, langLink{Code: l.Code, Name: l.Native, Current: l.Code == lang})
	}
	return v
}

func (u *UI) render(w http.ResponseWriter, status int, name string, v view) error {
	var buf bytes.Buffer
	if err := u.tmpl.ExecuteTemplate(&buf, name, v); err != nil {
		return fmt.Errorf("portal: render %s: %w", name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
	h.Set("Referrer-Policy", "no-referrer") // sign-in links carry a token in their query
	h.Set("Content-Language", v.Lang)
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}

// refuse shows a refusal on the page it came from, in the page's
// language: the problems of the fields the page shows (shown) beside them,
// any other problem in the message at the top.
func (u *UI) refuse(v *view, err error, shown ...string) (int, bool) {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return 0, false
	}
	status := httpx.Status(ae.Code)
	if status >= 500 {
		return 0, false
	}
	v.Error = u.shared.MsgIn(v.Lang, ae.Message)
	if len(ae.Fields) == 0 {
		return status, true
	}
	v.Fields = map[string]string{}
	var other []string
	for k, m := range ae.Fields {
		if slices.Contains(shown, k) {
			v.Fields[k] = u.shared.MsgIn(v.Lang, m)
		} else {
			other = append(other, u.shared.MsgIn(v.Lang, m))
		}
	}
	switch {
	case len(other) > 0:
		slices.Sort(other)
		v.Error = strings.Join(other, " ")
	case ae.Code == apperr.CodeInvalid:
		v.Error = u.tr.String(v.Lang, "Please check the fields marked below.")
	}
	return status, true
}

// notFound is the portal's own "not found" page: the same for an id that
// does not exist and one that is someone else's.
func (u *UI) notFound(w http.ResponseWriter, r *http.Request, c *portal.Customer, secret string) error {
	v := u.newView(w, r, c, secret, "Page not found")
	return u.render(w, http.StatusNotFound, "notfound", v)
}

// signedIn returns the customer, or sends a visitor to the sign-in page.
func (u *UI) signedIn(w http.ResponseWriter, r *http.Request) (*portal.Customer, string, bool) {
	c, secret := u.session(r)
	if c == nil {
		http.Redirect(w, r, "/portal", http.StatusSeeOther)
		return nil, "", false
	}
	return c, secret, true
}

// checkCSRF refuses a form without the session's token.
func checkCSRF(r *http.Request, secret, presented string) error {
	if secret == "" || presented == "" || subtle.ConstantTimeCompare([]byte(portal.CSRF(secret)), []byte(presented)) != 1 {
		return apperr.Forbidden("the form expired or came from elsewhere (CSRF check failed); reload the page")
	}
	return nil
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}
