// Package tickets serves the ticket pages: lists and saved views, the ticket page with its composer, panels, macros and delivery state, new ticket, merge, search box, print view and live updates.
package tickets

import (
	"context"
	"embed"
	"html/template"
	"net/http"
	"sync"
	"time"

	agentsvc "github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/web/ui"
)

//go:embed templates/*.html
var templateFS embed.FS

// UI serves the ticket, list, print, new ticket, merge, search and live pages; the shared part (dependencies, layout,
// rendering, translation) is the embedded ui.UI.
type UI struct {
	*ui.UI
	counts countCache // view counts by agent and view, valid for one ticket stamp
	pages  map[string]*template.Template
	i18n   *i18n.Translator
	// Knowledge is the ticket page's knowledge panel (nil: none); set
	// before serving.
	Knowledge Knowledge
	// Messaging shows messaging tickets' reply windows and delivery
	// states (nil: none); set before serving.
	Messaging Messaging
	// Forms names the portal request form a ticket was filed with (nil:
	// none shown); set before serving.
	Forms interface {
		FormOfTicket(ctx context.Context, ticketID int64) (string, error)
	}
	// Orders is the ticket page's orders and returns panel (nil: none);
	// set before serving (orderspanel.go).
	Orders Orders
	// Deleter deletes tickets and marks them as spam (deleteticket.go);
	// set before serving.
	Deleter Deleter
}

// New parses the pages with the shared layout.
func New(shared *ui.UI) (*UI, error) {
	pages, err := shared.Parse(templateFS, "deleteticket", "list", "mergeticket", "newticket", "original", "ticket", "viewedit")
	if err != nil {
		return nil, err
	}
	u := &UI{UI: shared, pages: pages, i18n: shared.I18n()}
	// The print view is a page of its own: no navigation, no composer.
	if u.pages["print"], err = shared.ParsePage(templateFS, "print"); err != nil {
		return nil, err
	}
	return u, nil
}

// The names below let this package's handlers use the shared helpers as
// they did when every page lived in one package.

type (
	pageData  = ui.PageData
	option    = ui.Option
	formField = ui.FormField
	fieldset  = ui.Fieldset
	row       = ui.Row
)

var slaLabels = ui.SLALabels

func (u *UI) render(w http.ResponseWriter, r *http.Request, status int, name string, p pageData) error {
	if m, ok := p.Data.(map[string]any); ok {
		if lang := u.lang(r); lang != i18n.Fallback {
			for k, v := range m {
				m[k] = u.localizeOwn(lang, v)
			}
		}
	}
	return u.Render(w, r, status, u.pages[name], p)
}

// localizeOwn translates the fixed texts of this package's own page types;
// Render translates the shared ones (ui.UI.LocalizeValue).
func (u *UI) localizeOwn(lang string, v any) any {
	if x, ok := v.(panel); ok {
		x.CustomFields = u.LocalizeValue(lang, x.CustomFields).([]formField)
		errs := make(map[string]string, len(x.Errs))
		for k, v := range x.Errs {
			errs[k] = u.MsgIn(lang, v) // ui/errlang.go
		}
		x.Errs = errs
		return x
	}
	return v
}

func (u *UI) lang(r *http.Request) string                             { return u.Lang(r) }
func (u *UI) tr(r *http.Request, key string, args ...any) string      { return u.Tr(r, key, args...) }
func (u *UI) labelIn(lang string, s any) string                       { return u.LabelIn(lang, s) }
func when(lang string, t time.Time, loc *time.Location) string        { return ui.When(lang, t, loc) }
func location(r *http.Request) *time.Location                         { return ui.Location(r) }
func label(s any) string                                              { return ui.Label(s) }
func pageCSP(remoteImages bool) string                                { return ui.PageCSP(remoteImages) }
func safeNext(next string) string                                     { return ui.SafeNext(next) }
func summary(sets []fieldset, errs map[string]string) []ui.FieldError { return ui.Summary(sets, errs) }
func optID(s string) (*int64, bool)                                   { return ui.OptID(s) }
func splitList(s string) []string                                     { return ui.SplitList(s) }

func (u *UI) teams(ctx context.Context, actor authz.Actor) ([]agentsvc.Team, error) {
	return u.Teams(ctx, actor)
}

// form is ui.Form with the short method names the handlers use.
type form struct{ ui.Form }

func newForm(values map[string]string) form { return form{ui.NewForm(values)} }

func readForm(r *http.Request) (form, error) {
	f, err := ui.ReadForm(r)
	return form{f}, err
}

func refused(err error, f form) (status int, msg string, ok bool) { return ui.Refused(err, f.Form) }

func (f form) v(k string) string { return f.V(k) }
func (f form) field(name, label, typ string, required bool, hint string) formField {
	return f.Field(name, label, typ, required, hint)
}
func (f form) choice(name, label string, opts []option, hint string) formField {
	return f.Choice(name, label, opts, hint)
}
func (f form) ids(name string) ([]int64, bool) { return f.IDs(name) }

type countEntry struct {
	stamp string
	n     int
}

type countCache struct {
	mu sync.Mutex
	m  map[string]countEntry
}
