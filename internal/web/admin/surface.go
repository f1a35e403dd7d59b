// Package admin serves the admin settings pages: mailboxes and the mail log, custom fields, tags, background jobs, the audit log, business calendars and SLA policies, triggers, automations, macros and routing.
package admin

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"time"

	agentsvc "github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/blocklist"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/web/ui"
)

//go:embed templates/*.html
var templateFS embed.FS

// UI serves the admin settings pages; the shared part (dependencies, layout,
// rendering, translation) is the embedded ui.UI.
type UI struct {
	*ui.UI
	// Jobs lets admins see and retry background work.
	Jobs JobsAdmin
	// Audit reads the audit log and keeps its retention (set before serving).
	Audit *audit.Service
	// ImportFile imports an uploaded export (set before serving).
	ImportFile ImportFunc
	// Blocklist keeps the blocked senders (set before serving).
	Blocklist *blocklist.Service
	pages     map[string]*template.Template
	i18n      *i18n.Translator
}

// New parses the pages with the shared layout.
func New(shared *ui.UI, jobs JobsAdmin) (*UI, error) {
	pages, err := shared.Parse(templateFS, "adminindex", "audit", "blocked", "auditentry", "calendar", "calendars", "field", "fields", "import", "jobs", "macro", "macros", "mailbox", "mailboxes", "maillog", "routing", "routingteam", "rule", "csatsettings", "rules", "slapolicies", "slapolicy", "tags")
	if err != nil {
		return nil, err
	}
	for _, name := range []string{"rule", "macro"} { // the rule builder's rows
		if _, err := pages[name].ParseFS(templateFS, "templates/rulebuilder.html"); err != nil {
			return nil, fmt.Errorf("admin ui: parse rulebuilder for %s: %w", name, err)
		}
	}
	u := &UI{UI: shared, Jobs: jobs, pages: pages, i18n: shared.I18n()}
	return u, nil
}

// The names below let this package's handlers use the shared helpers as
// they did when every page lived in one package.

type (
	pageData   = ui.PageData
	option     = ui.Option
	formField  = ui.FormField
	fieldset   = ui.Fieldset
	fieldError = ui.FieldError
	checks     = ui.Checks
)

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
	s := func(x string) string { return u.i18n.String(lang, x) }
	switch x := v.(type) {
	case []dayRow:
		out := slices.Clone(x)
		for i := range out {
			out[i].Label, out[i].Error = s(out[i].Label), u.MsgIn(lang, out[i].Error)
		}
		return out
	case []targetRow:
		out := slices.Clone(x)
		for i := range out {
			out[i].Label, out[i].Error = s(out[i].Label), u.MsgIn(lang, out[i].Error)
			out[i].Cells = u.LocalizeValue(lang, out[i].Cells).([]formField)
			out[i].BusinessHours = u.LocalizeValue(lang, out[i].BusinessHours).(formField)
			out[i].Calendar = u.LocalizeValue(lang, out[i].Calendar).(formField)
		}
		return out
	}
	return v
}

func (u *UI) lang(r *http.Request) string                          { return u.Lang(r) }
func (u *UI) tr(r *http.Request, key string, args ...any) string   { return u.Tr(r, key, args...) }
func (u *UI) labelIn(lang string, s any) string                    { return u.LabelIn(lang, s) }
func when(lang string, t time.Time, loc *time.Location) string     { return ui.When(lang, t, loc) }
func location(r *http.Request) *time.Location                      { return ui.Location(r) }
func label(s any) string                                           { return ui.Label(s) }
func summary(sets []fieldset, errs map[string]string) []fieldError { return ui.Summary(sets, errs) }
func splitList(s string) []string                                  { return ui.SplitList(s) }
func splitLines(s string) []string                                 { return ui.SplitLines(s) }
func refusal(err error) (*apperr.Error, bool)                      { return ui.Refusal(err) }
func flashOf(r *http.Request, msgs map[string]string) string       { return ui.FlashOf(r, msgs) }
func teamChoices(teams []agentsvc.Team) []option                   { return ui.TeamChoices(teams) }

func (u *UI) teams(ctx context.Context, actor authz.Actor) ([]agentsvc.Team, error) {
	return u.Teams(ctx, actor)
}

func (u *UI) teamNames(r *http.Request) ([]agentsvc.Team, map[int64]string, error) {
	return u.TeamNames(r)
}

func (u *UI) agentChoices(ctx context.Context, actor authz.Actor) ([]option, map[int64]string, error) {
	return u.AgentChoices(ctx, actor)
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
func (f form) checks(name, legend, hint string, opts []option) checks {
	return f.Checks(name, legend, hint, opts)
}
