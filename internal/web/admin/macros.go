package admin

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/web/httpx"
)

// Macros: the admin pages (the action rows come from rulebuilder.go).

// macroRow is a macro as the list shows it.
type macroRow struct {
	automation.Macro
	Scope string
}

func (u *UI) scopeText(lang string, m automation.Macro, names map[int64]string) string {
	if m.Scope == automation.ScopePersonal {
		return u.i18n.String(lang, "Personal")
	}
	if m.TeamID != nil {
		return u.i18n.T(lang, "Shared with %s", names[*m.TeamID])
	}
	return u.i18n.String(lang, "Shared with everyone")
}

// Macros lists the macros the agent may use: their own and the shared ones.
func (u *UI) Macros(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	list, err := u.Automation.ListMacros(ctx, httpx.Actor(ctx), page.Request{Limit: page.MaxLimit})
	if err != nil {
		return err
	}
	_, names, err := u.teamNames(r)
	if err != nil {
		return err
	}
	rows := make([]macroRow, 0, len(list.Data))
	for _, m := range list.Data {
		rows = append(rows, macroRow{Macro: m, Scope: u.scopeText(u.lang(r), m, names)})
	}
	return u.render(w, r, http.StatusOK, "macros", pageData{Title: "Macros", Nav: "macros",
		Flash: flashOf(r, map[string]string{"deleted": "Macro deleted."}), Data: map[string]any{"Rows": rows, "More": list.NextCursor != nil}})
}

func macroForm(m automation.Macro) form {
	f := newForm(map[string]string{"name": m.Name, "body": m.Body, "reply": "internal"})
	if m.Public {
		f.Values["reply"] = "public"
	}
	if m.Active {
		f.Values["active"] = "on"
	}
	if m.Scope == automation.ScopeShared {
		f.Values["shared"] = "on"
	}
	if m.TeamID != nil {
		f.Values["team_id"] = strconv.FormatInt(*m.TeamID, 10)
	}
	actionsForm(f, m.Actions)
	return f
}

// NewMacroPage shows the empty macro form.
func (u *UI) NewMacroPage(w http.ResponseWriter, r *http.Request) error {
	f := newForm(map[string]string{"active": "on", "reply": "public"})
	return u.macroPage(w, r, http.StatusOK, nil, f, "", "")
}

func (u *UI) macroPage(w http.ResponseWriter, r *http.Request, status int, m *automation.Macro, f form, flash, errMsg string) error {
	actor := httpx.Actor(r.Context())
	teams, names, err := u.teamNames(r)
	if err != nil {
		return err
	}
	title, scope := "New macro", ""
	canWrite := true
	if m != nil {
		title, scope = m.Name, u.scopeText(u.lang(r), *m, names)
		canWrite = m.Scope == automation.ScopePersonal || authz.Can(actor, authz.AutomationWrite)
	}
	fields := []formField{f.field("name", "Name", "text", true, "")}
	if m == nil && authz.Can(actor, authz.AutomationWrite) {
		fields = append(fields, f.field("shared", "Shared", "checkbox", false, "Shared macros are for everyone, or one team; personal ones only for you."))
	}
	if authz.Can(actor, authz.AutomationWrite) && (m == nil || m.Scope == automation.ScopeShared) {
		fields = append(fields, f.choice("team_id", "Team", teamOptions(teams, "Everyone"), "Only for shared macros: limit it to one team."))
	}
	fields = append(fields, f.field("active", "Active", "checkbox", false, ""))
	sets := []fieldset{{Legend: "Macro", Fields: fields}}
	errs := summary(sets, nil)
	for _, n := range []string{"body", "reply", "scope"} {
		if msg := f.Errs[n]; msg != "" {
			errs = append(errs, fieldError{Name: n, Label: capital(label(n)), Message: msg})
		}
	}
	data := map[string]any{"M": m, "F": f, "Scope": scope, "Fieldsets": sets, "CanWrite": canWrite}
	if err := u.builderData(r, "macro", f, data); err != nil {
		return err
	}
	data["Errors"] = append(errs, data["BuilderErrors"].([]fieldError)...)
	return u.render(w, r, status, "macro", pageData{Title: title, Nav: "macros", Flash: flash, Error: errMsg, Data: data})
}

// macroInput reads the macro form; an incomplete action row is a form error.
func (u *UI) macroInput(r *http.Request, f form) (automation.MacroInput, *ruleState, bool, error) {
	public := f.v("reply") != "internal"
	active := f.v("active") != ""
	in := automation.MacroInput{Name: f.v("name"), Scope: automation.ScopePersonal, Body: f.Values["body"], Public: &public, Active: &active}
	if f.v("shared") != "" {
		in.Scope = automation.ScopeShared
	}
	ok := true
	if s := f.v("team_id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			f.Errs["team_id"] = "must be chosen from the list"
			ok = false
		}
		in.TeamID = &id
	}
	st, err := u.readRule(r, "macro", f)
	if err != nil {
		return in, nil, false, err
	}
	in.Actions = st.acts
	return in, st, ok && st.ok, nil
}

// macroButtons handles the builder's buttons on the macro form.
func (u *UI) macroButtons(w http.ResponseWriter, r *http.Request, m *automation.Macro, f form) (bool, error) {
	if editButtons(r, f) {
		return true, u.macroPage(w, r, http.StatusOK, m, f, "", "")
	}
	if r.PostFormValue("import") != "" {
		st := http.StatusOK
		if !importJSON(f, true) {
			st = http.StatusBadRequest
		}
		return true, u.macroPage(w, r, st, m, f, "", "")
	}
	return false, nil
}

// CreateMacro adds a macro from the form.
func (u *UI) CreateMacro(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f, err := readForm(r)
	if err != nil {
		return err
	}
	if done, err := u.macroButtons(w, r, nil, f); done {
		return err
	}
	in, rs, ok, err := u.macroInput(r, f)
	if err != nil {
		return err
	}
	if !ok {
		return u.macroPage(w, r, http.StatusBadRequest, nil, f, "", "")
	}
	m, err := u.Automation.CreateMacro(ctx, httpx.Actor(ctx), in)
	if err != nil {
		st, msg, ok := rs.refused(err, f)
		if !ok {
			return err
		}
		return u.macroPage(w, r, st, nil, f, "", msg)
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/macros/%d?saved=1", m.ID), http.StatusSeeOther)
	return nil
}

func (u *UI) getMacro(r *http.Request) (automation.Macro, error) {
	id, err := httpx.PathID(r, "id", "macro")
	if err != nil {
		return automation.Macro{}, err
	}
	return u.Automation.GetMacro(r.Context(), httpx.Actor(r.Context()), id)
}

// MacroPage shows a macro's edit form (read only for shared macros unless
// the agent may edit rules).
func (u *UI) MacroPage(w http.ResponseWriter, r *http.Request) error {
	m, err := u.getMacro(r)
	if err != nil {
		return err
	}
	return u.macroPage(w, r, http.StatusOK, &m, macroForm(m), flashOf(r, map[string]string{"saved": "Macro saved."}), "")
}

// UpdateMacro saves a macro; its scope stays.
func (u *UI) UpdateMacro(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	m, err := u.getMacro(r)
	if err != nil {
		return err
	}
	f, err := readForm(r)
	if err != nil {
		return err
	}
	if done, err := u.macroButtons(w, r, &m, f); done {
		return err
	}
	in, rs, ok, err := u.macroInput(r, f)
	if err != nil {
		return err
	}
	if !ok {
		return u.macroPage(w, r, http.StatusBadRequest, &m, f, "", "")
	}
	p := automation.MacroPatch{Name: &in.Name, Body: &in.Body, Public: in.Public, Actions: &in.Actions, Active: in.Active}
	if m.Scope == automation.ScopeShared {
		p.TeamID.Set = true
		if in.TeamID == nil {
			p.TeamID.Null = true
		} else {
			p.TeamID.V = *in.TeamID
		}
	}
	if _, err := u.Automation.UpdateMacro(ctx, httpx.Actor(ctx), m.ID, p); err != nil {
		st, msg, ok := rs.refused(err, f)
		if !ok {
			return err
		}
		return u.macroPage(w, r, st, &m, f, "", msg)
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/macros/%d?saved=1", m.ID), http.StatusSeeOther)
	return nil
}

// DeleteMacro removes a macro.
func (u *UI) DeleteMacro(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	m, err := u.getMacro(r)
	if err != nil {
		return err
	}
	if err := u.Automation.DeleteMacro(ctx, httpx.Actor(ctx), m.ID); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/macros?deleted=1", http.StatusSeeOther)
	return nil
}
