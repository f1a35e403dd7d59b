// Package people serves the people pages: sign-in and passwords, profile, customers, organizations, agents and teams.
package people

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

// UI serves the people pages; the shared part (dependencies, layout,
// rendering, translation) is the embedded ui.UI.
type UI struct {
	*ui.UI
	pages map[string]*template.Template
	i18n  *i18n.Translator
}

// New parses the pages with the shared layout.
func New(shared *ui.UI) (*UI, error) {
	pages, err := shared.Parse(templateFS, "agentedit", "agents", "customer", "customers", "login", "merge", "organization", "organizations", "passwordforgot", "passwordreset", "profile", "team", "teams", "logincode", "twofactor", "twofactorroles")
	if err != nil {
		return nil, err
	}
	for _, name := range []string{"profile", "twofactor"} { // the add-a-passkey form (passkeys.go)
		if _, err := pages[name].ParseFS(templateFS, "templates/passkeyadd.html"); err != nil {
			return nil, err
		}
	}
	u := &UI{UI: shared, pages: pages, i18n: shared.I18n()}
	return u, nil
}

// The names below let this package's handlers use the shared helpers as
// they did when every page lived in one package.

type (
	pageData  = ui.PageData
	option    = ui.Option
	formField = ui.FormField
	fieldset  = ui.Fieldset
	checks    = ui.Checks
	row       = ui.Row
)

func (u *UI) render(w http.ResponseWriter, r *http.Request, status int, name string, p pageData) error {
	return u.Render(w, r, status, u.pages[name], p)
}

func (u *UI) lang(r *http.Request) string                             { return u.Lang(r) }
func (u *UI) tr(r *http.Request, key string, args ...any) string      { return u.Tr(r, key, args...) }
func when(lang string, t time.Time, loc *time.Location) string        { return ui.When(lang, t, loc) }
func location(r *http.Request) *time.Location                         { return ui.Location(r) }
func label(s any) string                                              { return ui.Label(s) }
func safeNext(next string) string                                     { return ui.SafeNext(next) }
func summary(sets []fieldset, errs map[string]string) []ui.FieldError { return ui.Summary(sets, errs) }
func optID(s string) (*int64, bool)                                   { return ui.OptID(s) }
func splitList(s string) []string                                     { return ui.SplitList(s) }
func refusal(err error) (*apperr.Error, bool)                         { return ui.Refusal(err) }
func teamChoices(teams []agentsvc.Team) []option                      { return ui.TeamChoices(teams) }

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
func (f form) checks(name, legend, hint string, opts []option) checks {
	return f.Checks(name, legend, hint, opts)
}
func (f form) ids(name string) ([]int64, bool) { return f.IDs(name) }
