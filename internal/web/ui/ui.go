// Package ui is the shared part of the agent web UI, whose pages the
// surface packages (tickets, people, admin, reports) serve: server-rendered
// pages that work without JavaScript, with a small vanilla script for
// keyboard use. It parses each surface's templates with the layout, renders
// pages and error pages, translates, and serves the embedded assets under
// content-hashed URLs.
package ui

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	agentsvc "github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/auth"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/channel/email"
	chatsvc "github.com/ombud/ombud/internal/chat"
	"github.com/ombud/ombud/internal/csat"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/live"
	"github.com/ombud/ombud/internal/report"
	"github.com/ombud/ombud/internal/routing"
	"github.com/ombud/ombud/internal/sla"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/httpx"
)

//go:embed templates/*.html
var templateFS embed.FS // the layout (with its shared partials) and the error page

//go:embed static
var staticFS embed.FS

// SessionCookie is the browser session cookie (the router reads it too).
const SessionCookie = "ombud_session"

// ChallengeCookie carries the half-signed-in state between the password
// (or a single sign-on) and the two-factor code; only /login reads it.
const ChallengeCookie = "ombud_signin"

// SSOButton is one "Sign in with …" button of the sign-in page.
type SSOButton struct {
	Name string
	URL  string
}

type asset struct {
	body  []byte
	ctype string
	hash  string
}

// UI holds the agent UI's dependencies, the parsed layout and the assets;
// each surface embeds it.
type UI struct {
	Tickets      *ticket.Service
	Agents       *agentsvc.Service
	Auth         *auth.Service
	Email        *email.Service
	Log          *slog.Logger
	SecureCookie bool
	// Live carries ticket changes and presence to open pages (set before serving).
	Live *live.Hub
	// Customers backs the customer and organization pages (set before serving).
	Customers *customer.Service
	// SLA, Automation and Routing back the business-rule admin pages
	// (set before serving).
	SLA        *sla.Service
	Automation *automation.Service
	Routing    *routing.Service
	// Reports backs the manager dashboards (set before serving).
	Reports *report.Service
	// CSAT backs the satisfaction settings and the ticket page's rating
	// (set before serving; nil: no surveys).
	CSAT *csat.Service
	// MaxUploadBytes is the request body limit, which bounds a composer
	// message with its attachments (set before serving).
	MaxUploadBytes int64
	// SSOButtons lists the sign-in page's single sign-on buttons (set
	// before serving; nil: none).
	SSOButtons func(ctx context.Context) ([]SSOButton, error)
	// CallLink is a phone integration's click-to-call URL for a number, or
	// "" (set when wiring the phone channel; the calllink template func).
	CallLink func(number string) string
	// ChatDock backs the chat dock on every page (dock.go; set before
	// serving; nil: no dock).
	ChatDock *chatsvc.Service

	funcs  template.FuncMap
	layout *template.Template // layout.html with the chat dock, parsed once for every page
	pages  map[string]*template.Template
	// partials names the templates of templates/partials.html.
	partials []string
	assets   map[string]asset // by file name
	i18n     *i18n.Translator
}

// New parses the templates and hashes the static assets.
func New(tickets *ticket.Service, agents *agentsvc.Service, authSvc *auth.Service, emailSvc *email.Service, log *slog.Logger, secureCookie bool) (*UI, error) {
	u := &UI{Tickets: tickets, Agents: agents, Auth: authSvc, Email: emailSvc, Log: log, SecureCookie: secureCookie, assets: map[string]asset{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ct := mime.TypeByExtension(path.Ext(p))
		if ct == "" {
			ct = "application/octet-stream"
		}
		u.assets[path.Base(p)] = asset{body: b, ctype: ct, hash: hex.EncodeToString(sum[:6])}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("agent ui: assets: %w", err)
	}
	if u.i18n, err = i18n.New(); err != nil {
		return nil, fmt.Errorf("agent ui: %w", err)
	}
	funcs := template.FuncMap{
		"asset": u.AssetURL,
		"html":  func(s string) template.HTML { return template.HTML(s) }, // only for HTML the ticket service sanitised
		"label": Label,
		"t":     u.translate,
		"tl":    u.translateLabel,
		"join":  strings.Join,
		"deref": func(p *int64) int64 {
			if p == nil {
				return 0
			}
			return *p
		},
		// can only decides what to show; the services enforce the rules.
		"can":      func(a authz.Actor, p string) bool { return authz.Can(a, authz.Perm(p)) },
		"nav":      navFor,
		"dockleft": DockSeconds,
		"calllink": func(number string) string {
			if u.CallLink == nil {
				return ""
			}
			return u.CallLink(number)
		},
	}
	u.funcs = funcs
	if u.layout, err = template.New(layoutName).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/dock.html"); err != nil {
		return nil, fmt.Errorf("agent ui: parse layout: %w", err)
	}
	partials, err := template.New("partials").Funcs(funcs).ParseFS(templateFS, "templates/partials.html")
	if err != nil {
		return nil, fmt.Errorf("agent ui: parse partials: %w", err)
	}
	for _, p := range partials.Templates() {
		if p.Name() != "partials.html" && p.Name() != "partials" {
			u.partials = append(u.partials, p.Name())
		}
	}
	if u.pages, err = u.Parse(templateFS, "error"); err != nil {
		return nil, err
	}
	return u, nil
}

// layoutName names the layout, and every page set of Parse: Render
// recognises a page by it.
const layoutName = "layout.html"

// pageRoot is the root of a page set: the page's body alone. Render
// writes it into the one shared layout (its {{.Body}}).
const pageRoot = `{{template "body" .}}`

// Parse parses a surface's pages, templates/<name>.html in fsys. A page
// set holds the page's own templates, not the layout: the layout is parsed
// once (New) and every page's body is rendered into it, where cloning the
// layout for every page held a copy of its parse trees per page (≈ 13 MiB
// of live heap for the ≈ 120 pages, docs/benchmarks.md). The shared
// partials (field, fieldsets, form-errors: templates/partials.html, ≈ 34
// KB of parse trees a copy) are parsed into the sets of the pages that
// call them; a surface file added to a set after Parse must not call them.
func (u *UI) Parse(fsys fs.FS, names ...string) (map[string]*template.Template, error) {
	pages := map[string]*template.Template{}
	for _, name := range names {
		file := "templates/" + name + ".html"
		src, err := fs.ReadFile(fsys, file)
		var t *template.Template
		if err == nil {
			t, err = template.New(layoutName).Funcs(u.funcs).Parse(pageRoot)
		}
		if err == nil && u.callsPartials(src) {
			t, err = t.ParseFS(templateFS, "templates/partials.html")
		}
		if err == nil {
			t, err = t.ParseFS(fsys, file)
		}
		if err != nil {
			return nil, fmt.Errorf("agent ui: parse %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// callsPartials reports whether a page's source calls one of the shared
// partials.
func (u *UI) callsPartials(src []byte) bool {
	for _, name := range u.partials {
		if bytes.Contains(src, []byte(`template "`+name+`"`)) {
			return true
		}
	}
	return false
}

// ParsePage parses templates/<name>.html in fsys as a page of its own,
// without the layout.
func (u *UI) ParsePage(fsys fs.FS, name string) (*template.Template, error) {
	t, err := template.New(name+".html").Funcs(u.funcs).ParseFS(fsys, "templates/"+name+".html")
	if err != nil {
		return nil, fmt.Errorf("agent ui: parse %s: %w", name, err)
	}
	return t, nil
}

// I18n is the translator of the pages.
func (u *UI) I18n() *i18n.Translator { return u.i18n }

// AssetURL is the content-hashed URL of a static file.
func (u *UI) AssetURL(name string) string {
	a, ok := u.assets[name]
	if !ok {
		return "/static/missing/" + name
	}
	return "/static/" + a.hash + "/" + name
}

// Static serves embedded assets; the hash in the URL makes them cacheable forever.
func (u *UI) Static(w http.ResponseWriter, r *http.Request) error {
	hash, name, ok := strings.Cut(r.PathValue("file"), "/")
	a, found := u.assets[name]
	if !ok || !found || a.hash != hash {
		http.NotFound(w, r)
		return nil
	}
	w.Header().Set("Content-Type", a.ctype)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	_, err := w.Write(a.body)
	return err
}

// PageData is what every template gets.
type PageData struct {
	Title   string
	User    *httpx.Session
	Actor   authz.Actor // the signed-in agent, for role-dependent links
	CSRF    string
	Flash   string
	Error   string
	Nav     string
	Data    any
	Version string
	Lang    string // the UI language: the agent's locale, or Accept-Language when signed out
	// Availability is the signed-in agent's online/away/offline, for the
	// header's switch (availability.go).
	Availability string
	// Dock is the signed-in agent's chat dock (dock.go; nil: none).
	Dock *chatsvc.Dock
	// Body is the page's rendered body, which Render writes into the
	// layout (set by Render).
	Body template.HTML
}

// Render writes page t (from Parse) with p, in the request's language.
func (u *UI) Render(w http.ResponseWriter, r *http.Request, status int, t *template.Template, p PageData) error {
	if s := httpx.SessionFrom(r.Context()); s != nil {
		p.User = s
		p.CSRF = s.CSRF
		p.Actor = httpx.Actor(r.Context())
		p.Lang = u.i18n.Match(s.Locale)
		p.Availability = u.AvailabilityOf(r.Context(), p.Actor)
		p.Dock = u.DockOf(r.Context(), p.Actor, p.Nav)
	} else {
		p.Lang = u.i18n.MatchAcceptLanguage(r.Header.Get("Accept-Language"))
	}
	u.localize(p.Lang, &p)
	var buf bytes.Buffer
	if t.Name() == layoutName { // a page of Parse: its body, then the layout around it
		if err := t.Execute(&buf, p); err != nil {
			return fmt.Errorf("agent ui: render %s: %w", t.Name(), err)
		}
		p.Body = template.HTML(buf.String()) // escaped by the page's own template
		buf.Reset()
		t = u.layout
	}
	if err := t.Execute(&buf, p); err != nil {
		return fmt.Errorf("agent ui: render %s: %w", t.Name(), err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	if h.Get("Content-Security-Policy") == "" { // a page showing remote images set its own (remoteimages.go)
		h.Set("Content-Security-Policy", PageCSP(false))
	}
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}

// Error renders an error page with the status its code maps to.
func (u *UI) Error(w http.ResponseWriter, r *http.Request, err error) {
	status, body := httpx.Describe(r, err, u.Log)
	lang := u.Lang(r) // the message in the agent's language (errlang.go)
	fields := make(map[string]string, len(body.Error.Fields))
	for k, v := range body.Error.Fields {
		fields[u.FieldName(lang, k)] = u.MsgIn(lang, v)
	}
	body.Error.Fields, body.Error.Message = fields, u.MsgIn(lang, body.Error.Message)
	p := PageData{Title: http.StatusText(status), Error: body.Error.Message, Data: map[string]any{"Status": status, "Fields": body.Error.Fields, "RequestID": body.Error.RequestID}}
	if rerr := u.Render(w, r, status, u.pages["error"], p); rerr != nil {
		u.Log.Error("render error page", "err", rerr)
		http.Error(w, http.StatusText(status), status)
	}
}

// Location returns the signed-in agent's time zone.
func Location(r *http.Request) *time.Location {
	if s := httpx.SessionFrom(r.Context()); s != nil && s.TimeZone != "" {
		if loc, err := time.LoadLocation(s.TimeZone); err == nil {
			return loc
		}
	}
	return time.UTC
}

// Labels are the words of enum values (statuses, priorities, channels…).
var Labels = map[string]string{
	"new": "New", "open": "Open", "pending": "Pending", "on_hold": "On hold", "solved": "Solved", "closed": "Closed",
	"low": "Low", "normal": "Normal", "high": "High", "urgent": "Urgent",
	"question": "Question", "incident": "Incident", "problem": "Problem", "task": "Task", "complaint": "Complaint", "return": "Return",
	"email": "Email", "chat": "Chat", "web": "Web form", "phone": "Phone", "social": "Social", "api": "API", "in_person": "In person",
	"online": "Online", "away": "Away", "offline": "Offline",
}

// Label is the English word of an enum value.
func Label(s any) string {
	k := fmt.Sprint(s)
	if l, ok := Labels[k]; ok {
		return l
	}
	return strings.ReplaceAll(k, "_", " ")
}

// translate is the template func t: key (an English string from a
// template, possibly a format) in lang. Catalog strings are trusted HTML
// text; the arguments and any string not in the catalog are escaped.
func (u *UI) translate(lang, key string, args ...any) any {
	esc := make([]any, len(args))
	for i, a := range args {
		// Numbers need no escaping and keep their type, so a catalog's %d
		// formats them (and %s still reads them as text); everything else
		// becomes escaped text.
		switch a.(type) {
		case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
			esc[i] = number{a}
		default:
			esc[i] = template.HTMLEscapeString(fmt.Sprint(a))
		}
	}
	if !u.i18n.Has(key) {
		return u.i18n.T(lang, key, args...)
	}
	return template.HTML(u.i18n.T(lang, key, esc...))
}

// number formats a template's numeric argument by the catalog's verb: %d
// and the other numeric verbs as numbers, %s and %v as plain text.
type number struct{ v any }

func (n number) Format(f fmt.State, verb rune) {
	if verb == 's' || verb == 'v' {
		fmt.Fprint(f, n.v)
		return
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), n.v)
}

// translateLabel is the template func tl: label(s) in lang.
func (u *UI) translateLabel(lang string, s any) any {
	k := Label(s)
	if !u.i18n.Has(k) {
		return k
	}
	return template.HTML(u.i18n.String(lang, k))
}

// SafeNext keeps post-sign-in redirects on this site: next must be a path
// on this host that no browser can read as another one. Browsers drop tab,
// CR and LF from URLs and read a backslash as a slash, so "/\t/evil" and
// "/\\evil" lead to //evil; a path with white space, a control or format
// character or a backslash is refused, also percent-encoded in the path,
// as are "//" and anything with a scheme.
func SafeNext(next string) string {
	const home = "/tickets"
	pathPart, _, _ := strings.Cut(next, "?")
	decoded, err := url.PathUnescape(pathPart)
	if err != nil || !onSitePath(next) || !onSitePath(decoded) {
		return home
	}
	return next
}

// onSitePath reports whether p starts with a single slash and holds no
// backslash, white space, control or format character.
func onSitePath(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || !utf8.ValidString(p) {
		return false
	}
	return !strings.ContainsFunc(p, func(r rune) bool {
		return r == '\\' || unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
	})
}

// PageCSP is the agent pages' Content-Security-Policy; remoteImages lets
// images come from any host (the agent asked to see a message's images).
func PageCSP(remoteImages bool) string {
	img := "img-src 'self' data:"
	if remoteImages {
		img += " https: http:"
	}
	return "default-src 'self'; " + img + "; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'"
}
