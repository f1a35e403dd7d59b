// Package agent serves the agent web UI: server-rendered pages that work
// without JavaScript, with a small vanilla script for keyboard use. Assets
// are embedded and served under content-hashed URLs.
package agent

import (
	"bytes"
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
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	agentsvc "github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/auth"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/channel/email"
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
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// SessionCookie is the browser session cookie (the router reads it too).
const SessionCookie = "ombud_session"

type asset struct {
	body  []byte
	ctype string
	hash  string
}

// UI holds the agent UI's dependencies and parsed templates.
type UI struct {
	Tickets      *ticket.Service
	Agents       *agentsvc.Service
	Auth         *auth.Service
	Email        *email.Service
	Log          *slog.Logger
	SecureCookie bool
	// Live carries ticket changes and presence to open pages (set before serving).
	Live *live.Hub
	// Jobs lets admins see and retry background work (set before serving).
	Jobs JobsAdmin
	// Customers backs the customer and organization pages (set before serving).
	Customers *customer.Service
	// SLA, Automation and Routing back the business-rule admin pages
	// (set before serving).
	SLA        *sla.Service
	Automation *automation.Service
	Routing    *routing.Service
	// Reports backs the manager dashboards (set before serving).
	Reports *report.Service
	// MaxUploadBytes is the request body limit, which bounds a composer
	// message with its attachments (set before serving).
	MaxUploadBytes int64

	counts countCache // view counts by agent and view, valid for one ticket stamp

	pages  map[string]*template.Template
	assets map[string]asset // by file name
	i18n   *i18n.Translator
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
		"label": label,
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
		"can": func(a authz.Actor, p string) bool { return authz.Can(a, authz.Perm(p)) },
		"nav": navFor,
	}
	u.pages = map[string]*template.Template{}
	for _, name := range []string{"jobs", "login", "list", "ticket", "error", "mailboxes", "mailbox", "maillog", "original",
		"customers", "customer", "merge", "organizations", "organization", "agents", "agentedit", "teams", "team", "fields", "field", "tags",
		"calendars", "calendar", "slapolicies", "slapolicy", "rules", "rule", "routing", "routingteam", "macros", "macro", "profile", "passwordforgot", "passwordreset", "viewedit", "reports", "reportgoals", "newticket", "mergeticket", "adminindex"} {
		files := []string{"templates/layout.html", "templates/" + name + ".html"}
		if name == "rule" || name == "macro" {
			files = append(files, "templates/rulebuilder.html") // the rule builder's rows
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, files...)
		if err != nil {
			return nil, fmt.Errorf("agent ui: parse %s: %w", name, err)
		}
		u.pages[name] = t
	}
	// The print view is a page of its own: no navigation, no composer.
	if u.pages["print"], err = template.New("print.html").Funcs(funcs).ParseFS(templateFS, "templates/print.html"); err != nil {
		return nil, fmt.Errorf("agent ui: parse print: %w", err)
	}
	return u, nil
}

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

// pageData is what every template gets.
type pageData struct {
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
}

func (u *UI) render(w http.ResponseWriter, r *http.Request, status int, name string, p pageData) error {
	if s := httpx.SessionFrom(r.Context()); s != nil {
		p.User = s
		p.CSRF = s.CSRF
		p.Actor = httpx.Actor(r.Context())
		p.Lang = u.i18n.Match(s.Locale)
		p.Availability = u.availabilityOf(r.Context(), p.Actor)
	} else {
		p.Lang = u.i18n.MatchAcceptLanguage(r.Header.Get("Accept-Language"))
	}
	u.localize(p.Lang, &p)
	var buf bytes.Buffer
	if err := u.pages[name].Execute(&buf, p); err != nil {
		return fmt.Errorf("agent ui: render %s: %w", name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	if h.Get("Content-Security-Policy") == "" { // a page showing remote images set its own (remoteimages.go)
		h.Set("Content-Security-Policy", pageCSP(false))
	}
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}

// Error renders an error page with the status its code maps to.
func (u *UI) Error(w http.ResponseWriter, r *http.Request, err error) {
	status, body := httpx.Describe(r, err, u.Log)
	p := pageData{Title: http.StatusText(status), Error: body.Error.Message, Data: map[string]any{"Status": status, "Fields": body.Error.Fields, "RequestID": body.Error.RequestID}}
	if rerr := u.render(w, r, status, "error", p); rerr != nil {
		u.Log.Error("render error page", "err", rerr)
		http.Error(w, http.StatusText(status), status)
	}
}

// location returns the signed-in agent's time zone.
func location(r *http.Request) *time.Location {
	if s := httpx.SessionFrom(r.Context()); s != nil && s.TimeZone != "" {
		if loc, err := time.LoadLocation(s.TimeZone); err == nil {
			return loc
		}
	}
	return time.UTC
}

var labels = map[string]string{
	"new": "New", "open": "Open", "pending": "Pending", "on_hold": "On hold", "solved": "Solved", "closed": "Closed",
	"low": "Low", "normal": "Normal", "high": "High", "urgent": "Urgent",
	"question": "Question", "incident": "Incident", "problem": "Problem", "task": "Task", "complaint": "Complaint", "return": "Return",
	"email": "Email", "chat": "Chat", "web": "Web form", "phone": "Phone", "social": "Social", "api": "API",
	"online": "Online", "away": "Away", "offline": "Offline",
}

func label(s any) string {
	k := fmt.Sprint(s)
	if l, ok := labels[k]; ok {
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
		esc[i] = template.HTMLEscapeString(fmt.Sprint(a))
	}
	if !u.i18n.Has(key) {
		return u.i18n.T(lang, key, args...)
	}
	return template.HTML(u.i18n.T(lang, key, esc...))
}

// translateLabel is the template func tl: label(s) in lang.
func (u *UI) translateLabel(lang string, s any) any {
	k := label(s)
	if !u.i18n.Has(k) {
		return k
	}
	return template.HTML(u.i18n.String(lang, k))
}

// safeNext keeps post-sign-in redirects on this site: next must be a path
// on this host that no browser can read as another one. Browsers drop tab,
// CR and LF from URLs and read a backslash as a slash, so "/\t/evil" and
// "/\\evil" lead to //evil; a path with white space, a control or format
// character or a backslash is refused, also percent-encoded in the path,
// as are "//" and anything with a scheme.
func safeNext(next string) string {
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

type countEntry struct {
	stamp string
	n     int
}

type countCache struct {
	mu sync.Mutex
	m  map[string]countEntry
}
