// Package reports serves the report pages: dashboards, drill-downs, goals and summary subscriptions.
package reports

import (
	"context"
	"embed"
	"html/template"
	"net/http"
	"time"

	agentsvc "github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/web/ui"
)

//go:embed templates/*.html
var templateFS embed.FS

// UI serves the report pages; the shared part (dependencies, layout,
// rendering, translation) is the embedded ui.UI.
type UI struct {
	*ui.UI
	pages map[string]*template.Template
	i18n  *i18n.Translator
}

// New parses the pages with the shared layout.
func New(shared *ui.UI) (*UI, error) {
	pages, err := shared.Parse(templateFS, "reportgoals", "reports")
	if err != nil {
		return nil, err
	}
	u := &UI{UI: shared, pages: pages, i18n: shared.I18n()}
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
)

var slaLabels = ui.SLALabels

func (u *UI) render(w http.ResponseWriter, r *http.Request, status int, name string, p pageData) error {
	return u.Render(w, r, status, u.pages[name], p)
}

func (u *UI) lang(r *http.Request) string                          { return u.Lang(r) }
func (u *UI) tr(r *http.Request, key string, args ...any) string   { return u.Tr(r, key, args...) }
func (u *UI) labelIn(lang string, s any) string                    { return u.LabelIn(lang, s) }
func when(lang string, t time.Time, loc *time.Location) string     { return ui.When(lang, t, loc) }
func location(r *http.Request) *time.Location                      { return ui.Location(r) }
func summary(sets []fieldset, errs map[string]string) []fieldError { return ui.Summary(sets, errs) }
func refusal(err error) (*apperr.Error, bool)                      { return ui.Refusal(err) }
func flashOf(r *http.Request, msgs map[string]string) string       { return ui.FlashOf(r, msgs) }

func (u *UI) teams(ctx context.Context, actor authz.Actor) ([]agentsvc.Team, error) {
	return u.Teams(ctx, actor)
}

func (u *UI) agentChoices(ctx context.Context, actor authz.Actor) ([]option, map[int64]string, error) {
	return u.AgentChoices(ctx, actor)
}

func (u *UI) orgOptions(ctx context.Context, actor authz.Actor, none string) ([]option, map[int64]string, error) {
	return u.OrgOptions(ctx, actor, none)
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
