package portal

import (
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/portal"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
)

// The request forms' admin pages: /admin/portal-forms lists the forms
// with an editor for a new one; /admin/portal-forms/{id} edits one.

// editRow is one custom field in the form editor.
type editRow struct {
	Key, FieldLabel, Type string
	Options               []string
	Ask, Required         bool
	Pos                   int
	Label, Help           string
	When, Equals          string
}

type formsPage struct {
	Forms    []portal.Form
	Form     portal.Form // the one edited (ID 0: a new one)
	Rows     []editRow
	Keys     []string
	CanWrite bool
	Errs     map[string]string
}

func (u *UI) adminTemplate() *template.Template { return u.admin["portalforms"] }

// FormsPage answers GET /admin/portal-forms.
func (u *UI) FormsPage(w http.ResponseWriter, r *http.Request) error {
	flash := ""
	if r.URL.Query().Get("deleted") == "1" {
		flash = "Form deleted."
	}
	return u.formsPage(w, r, http.StatusOK, portal.Form{Enabled: true}, flash, "", nil)
}

// FormPage answers GET /admin/portal-forms/{id}.
func (u *UI) FormPage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "form")
	if err != nil {
		return err
	}
	f, err := u.Portal.Form(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	flash := ""
	if r.URL.Query().Get("saved") == "1" {
		flash = "Form saved."
	}
	return u.formsPage(w, r, http.StatusOK, f, flash, "", nil)
}

func (u *UI) formsPage(w http.ResponseWriter, r *http.Request, status int, f portal.Form, flash, problem string, errs map[string]string) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	forms, err := u.Portal.Forms(ctx, actor)
	if err != nil {
		return err
	}
	defs, err := u.Portal.ActiveFields(ctx)
	if err != nil {
		return err
	}
	p := formsPage{Forms: forms, Form: f, CanWrite: authz.Can(actor, authz.ChannelWrite), Errs: errs}
	if p.Errs == nil {
		p.Errs = map[string]string{}
	}
	asked := map[string]int{}
	for i, ff := range f.Fields {
		asked[ff.Key] = i
	}
	for _, d := range defs {
		row := editRow{Key: d.Key, FieldLabel: d.Label, Type: d.Type, Options: d.Options, Pos: len(f.Fields) + len(p.Rows) + 1}
		if i, ok := asked[d.Key]; ok {
			ff := f.Fields[i]
			row.Ask, row.Required, row.Pos, row.Label, row.Help = true, ff.Required, i+1, ff.Label, ff.Help
			if ff.When != nil {
				row.When, row.Equals = ff.When.Field, ff.When.Equals
			}
		}
		p.Rows = append(p.Rows, row)
		p.Keys = append(p.Keys, d.Key)
	}
	slices.SortStableFunc(p.Rows, func(a, b editRow) int { return a.Pos - b.Pos })
	title := "Request forms"
	return u.shared.Render(w, r, status, u.adminTemplate(), ui.PageData{Title: title, Nav: "admin", Flash: flash, Error: problem, Data: p})
}

// readFormEditor reads the editor: the form's settings and, per custom
// field, whether it is asked and how.
func readFormEditor(r *http.Request) (portal.Form, error) {
	if err := r.ParseForm(); err != nil {
		return portal.Form{}, apperr.InvalidField("body", "is not a form")
	}
	pf := r.PostForm
	f := portal.Form{Name: pf.Get("name"), Description: pf.Get("description"), Enabled: pf.Get("enabled") != ""}
	f.Position, _ = strconv.Atoi(strings.TrimSpace(pf.Get("position")))
	type posField struct {
		pos int
		f   portal.FormField
	}
	var fs []posField
	for _, key := range pf["key"] {
		if pf.Get("ask_"+key) == "" {
			continue
		}
		pos, err := strconv.Atoi(strings.TrimSpace(pf.Get("pos_" + key)))
		if err != nil {
			pos = 1 << 20
		}
		ff := portal.FormField{Key: key, Required: pf.Get("req_"+key) != "", Label: pf.Get("label_" + key), Help: pf.Get("help_" + key)}
		if w := strings.TrimSpace(pf.Get("when_" + key)); w != "" {
			ff.When = &portal.Condition{Field: w, Equals: pf.Get("eq_" + key)}
		}
		fs = append(fs, posField{pos, ff})
	}
	slices.SortStableFunc(fs, func(a, b posField) int { return a.pos - b.pos })
	f.Fields = []portal.FormField{}
	for _, p := range fs {
		f.Fields = append(f.Fields, p.f)
	}
	return f, nil
}

// refusedForm shows the editor again with the service's refusal.
func (u *UI) refusedForm(w http.ResponseWriter, r *http.Request, f portal.Form, err error) error {
	if _, ok := ui.Refusal(err); !ok {
		return err
	}
	errs := map[string]string{}
	fields := u.shared.ErrIn(r, err).Fields
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		name := k
		// fields[2].when.field names the third asked field: say its key.
		if i, rest, ok := strings.Cut(strings.TrimPrefix(k, "fields["), "]"); ok && strings.HasPrefix(k, "fields[") {
			if n, err := strconv.Atoi(i); err == nil && n < len(f.Fields) {
				name = f.Fields[n].Key + rest
			}
		}
		errs[name] = fields[k]
	}
	return u.formsPage(w, r, http.StatusUnprocessableEntity, f, "", "Check the form.", errs)
}

// CreateFormPage answers POST /admin/portal-forms.
func (u *UI) CreateFormPage(w http.ResponseWriter, r *http.Request) error {
	f, err := readFormEditor(r)
	if err != nil {
		return err
	}
	en := f.Enabled
	out, err := u.Portal.CreateForm(r.Context(), httpx.Actor(r.Context()), portal.RequestFormInput{Name: f.Name, Description: f.Description, Enabled: &en, Position: f.Position, Fields: f.Fields})
	if err != nil {
		return u.refusedForm(w, r, f, err)
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/portal-forms/%d?saved=1", out.ID), http.StatusSeeOther)
	return nil
}

// SaveFormPage answers POST /admin/portal-forms/{id}.
func (u *UI) SaveFormPage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "form")
	if err != nil {
		return err
	}
	f, err := readFormEditor(r)
	if err != nil {
		return err
	}
	f.ID = id
	_, err = u.Portal.UpdateForm(r.Context(), httpx.Actor(r.Context()), id, portal.RequestFormPatch{Name: &f.Name, Description: &f.Description, Enabled: &f.Enabled, Position: &f.Position, Fields: &f.Fields})
	if err != nil {
		return u.refusedForm(w, r, f, err)
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/portal-forms/%d?saved=1", id), http.StatusSeeOther)
	return nil
}

// DeleteFormPage answers POST /admin/portal-forms/{id}/delete.
func (u *UI) DeleteFormPage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "form")
	if err != nil {
		return err
	}
	if err := u.Portal.DeleteForm(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/portal-forms?deleted=1", http.StatusSeeOther)
	return nil
}
