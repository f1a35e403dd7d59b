package ui

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	agentsvc "github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/sla"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/httpx"
)

// This file holds what the surfaces' forms share: a submitted form, the
// generated fields and fieldsets the layout's partials render, a service
// refusal turned into messages beside the fields, and the choices (teams,
// agents, organizations) many forms offer.

// Option is one choice of a select.
type Option struct {
	Value, Label string
	Selected     bool
}

// FormField is one labelled control of a generated form. The "field"
// template in layout.html renders it with its hint and error message tied
// to the control for screen readers.
type FormField struct {
	Name         string // Form name; the control's id is "f-" + Name
	Label        string
	Type         string // text, email, number, password, select, checkbox
	Value        string
	Checked      bool
	Options      []Option
	Hint         string
	Error        string
	Required     bool
	Autocomplete string
	Min, Max     string // bounds of a number
	// RequiredText marks a required field's label ("(required)", in the
	// page's language; filled in by the page's localize pass).
	RequiredText string
}

// DescribedBy lists the ids of the field's hint and error for aria-describedby.
func (f FormField) DescribedBy() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, "h-"+f.Name)
	}
	if f.Error != "" {
		ids = append(ids, "e-"+f.Name)
	}
	return strings.Join(ids, " ")
}

// Fieldset groups fields under a legend.
type Fieldset struct {
	Legend string
	Short  string // prefix naming its fields in the error summary ("SMTP host")
	Hint   string
	Fields []FormField
}

// FieldError is one entry of the error summary above a form.
type FieldError struct {
	Name, Label, Message string
	// Title heads the error summary (in the page's language; the
	// localize pass fills it in; the summary reads the first entry's).
	Title string
}

// Summary lists the form's errors in the order of the form; errors of
// fields the form does not show come last.
func Summary(sets []Fieldset, errs map[string]string) []FieldError {
	var out []FieldError
	seen := map[string]bool{}
	for _, s := range sets {
		for _, f := range s.Fields {
			if f.Error != "" {
				l := f.Label
				if s.Short != "" {
					l = s.Short + " " + strings.ToLower(l)
				}
				out = append(out, FieldError{Name: f.Name, Label: l, Message: f.Error})
				seen[f.Name] = true
			}
		}
	}
	keys := make([]string, 0, len(errs))
	for k := range errs {
		if !seen[k] {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		out = append(out, FieldError{Label: strings.ReplaceAll(k, "_", " "), Message: errs[k]})
	}
	return out
}

// Teams lists the teams the actor may see.
func (u *UI) Teams(ctx context.Context, actor authz.Actor) ([]agentsvc.Team, error) {
	ts, err := u.Agents.ListTeams(ctx, actor)
	if err != nil {
		return nil, err
	}
	return ts.Data, nil
}

// Refusal splits a service error into what the form shows (field problems,
// conflicts) and what the error page handles (everything else).
func Refusal(err error) (*apperr.Error, bool) {
	e := apperr.As(err)
	switch e.Code {
	case apperr.CodeInvalid, apperr.CodeConflict, apperr.CodeUnprocessable:
		return e, true
	}
	return nil, false
}

// Form is a submitted (or pre-filled) form: single values trimmed, lists
// (checkbox groups) as sent, and the messages of refused fields.
type Form struct {
	Values map[string]string
	Multi  map[string][]string
	Errs   map[string]string
}

func NewForm(values map[string]string) Form {
	if values == nil {
		values = map[string]string{}
	}
	return Form{Values: values, Multi: map[string][]string{}, Errs: map[string]string{}}
}

func ReadForm(r *http.Request) (Form, error) {
	if err := r.ParseForm(); err != nil {
		return Form{}, apperr.InvalidField("body", "is not a form") // a person may read it: a catalog key
	}
	f := NewForm(nil)
	for k, v := range r.PostForm {
		if k == "csrf_token" || len(v) == 0 {
			continue
		}
		f.Values[k] = strings.TrimSpace(v[0])
		f.Multi[k] = v
	}
	return f, nil
}

func (f Form) V(k string) string { return f.Values[k] }

// Field builds a FormField from the form's value and error.
func (f Form) Field(name, label, typ string, required bool, hint string) FormField {
	return FormField{Name: name, Label: label, Type: typ, Value: f.Values[name], Checked: f.Values[name] != "",
		Required: required, Hint: hint, Error: f.Errs[name], Autocomplete: "off"}
}

func (f Form) Choice(name, label string, opts []Option, hint string) FormField {
	out := slices.Clone(opts)
	for i := range out {
		out[i].Selected = out[i].Value == f.Values[name]
	}
	return FormField{Name: name, Label: label, Type: "select", Options: out, Hint: hint, Error: f.Errs[name]}
}

// Checks is a group of checkboxes sharing one name (teams, members).
type Checks struct {
	Name, Legend, Hint, Error string
	Options                   []Option
	Lang                      string // the page's language, set by localize
}

func (f Form) Checks(name, legend, hint string, opts []Option) Checks {
	out := slices.Clone(opts)
	for i := range out {
		out[i].Selected = slices.Contains(f.Multi[name], out[i].Value)
	}
	return Checks{Name: name, Legend: legend, Hint: hint, Error: f.Errs[name], Options: out}
}

// IDs parses a checkbox group of ids.
func (f Form) IDs(name string) ([]int64, bool) {
	out := []int64{}
	for _, s := range f.Multi[name] {
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || n <= 0 {
			f.Errs[name] = "must be chosen from the list"
			return nil, false
		}
		out = append(out, n)
	}
	return out, true
}

// SplitList splits a typed list on commas, semicolons and line breaks.
func SplitList(s string) []string {
	out := []string{}
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '\r' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// SplitLines splits on line breaks only (dropdown options may hold commas).
func SplitLines(s string) []string {
	out := []string{}
	for _, p := range strings.Split(s, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

var indexSuffix = regexp.MustCompile(`\[\d+\].*$`)

// Refused turns a service refusal into form messages: "emails[1]" becomes
// the "emails" field. A refusal without fields goes to the page's error.
// ok is false for errors the error page handles.
func Refused(err error, f Form) (status int, msg string, ok bool) {
	e, ok := Refusal(err)
	if !ok {
		if apperr.CodeOf(err) != apperr.CodeForbidden {
			return 0, "", false
		}
		// A role may not do this particular thing (a manager making an
		// admin): show it on the Form, which keeps what was typed.
		e = apperr.As(err)
	}
	for k, m := range e.Fields {
		name := indexSuffix.ReplaceAllString(k, "")
		if name == "" || name == "body" {
			msg = e.Message
			continue
		}
		if f.Errs[name] != "" {
			m = f.Errs[name] + "; " + m
		}
		f.Errs[name] = m
	}
	if len(e.Fields) == 0 {
		msg = e.Message
	}
	return httpx.Status(e.Code), msg, true
}

// OrgOptions lists organizations for a select; first is the "none" choice.
func (u *UI) OrgOptions(ctx context.Context, actor authz.Actor, none string) ([]Option, map[int64]string, error) {
	list, err := u.Customers.ListOrganizations(ctx, actor, customer.OrgFilter{Page: page.Request{Limit: page.MaxLimit}})
	if err != nil {
		return nil, nil, err
	}
	out := []Option{{Value: "", Label: none}}
	names := map[int64]string{}
	for _, o := range list.Data {
		out = append(out, Option{Value: strconv.FormatInt(o.ID, 10), Label: o.Name})
		names[o.ID] = o.Name
	}
	return out, names, nil
}

// Row is a ticket in a list, with its assignee's name and its times in words.
type Row struct {
	ticket.Ticket
	Assignee string
	Updated  string
	Created  string
}

// TeamChoices are teams as the choices of a select or checkbox group.
func TeamChoices(teams []agentsvc.Team) []Option {
	out := []Option{}
	for _, t := range teams {
		out = append(out, Option{Value: strconv.FormatInt(t.ID, 10), Label: t.Name})
	}
	return out
}

// AgentChoices are the agents as choices (deactivated ones marked), and
// their names by id.
func (u *UI) AgentChoices(ctx context.Context, actor authz.Actor) ([]Option, map[int64]string, error) {
	list, err := u.Agents.ListAgents(ctx, actor, agentsvc.Filter{Page: page.Request{Limit: page.MaxLimit}})
	if err != nil {
		return nil, nil, err
	}
	out := []Option{}
	names := map[int64]string{}
	for _, a := range list.Data {
		names[a.ID] = a.Name
		l := a.Name
		if !a.Active {
			l += " (deactivated)"
		}
		out = append(out, Option{Value: strconv.FormatInt(a.ID, 10), Label: l})
	}
	return out, names, nil
}

// FlashOf returns the message for a "?saved=1"-style query.
func FlashOf(r *http.Request, msgs map[string]string) string {
	q := r.URL.Query()
	for k, m := range msgs {
		if q.Get(k) != "" {
			return m
		}
	}
	return ""
}

// TeamNames lists the teams and their names by id.
func (u *UI) TeamNames(r *http.Request) ([]agentsvc.Team, map[int64]string, error) {
	teams, err := u.Teams(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return nil, nil, err
	}
	names := map[int64]string{}
	for _, t := range teams {
		names[t.ID] = t.Name
	}
	return teams, names, nil
}

// OptID reads an optional id: "" is none; anything but a positive id is refused.
func OptID(s string) (*int64, bool) {
	if s == "" {
		return nil, true
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return nil, false
	}
	return &n, true
}

// SLALabels are the words of the SLA metrics.
var SLALabels = map[string]string{
	sla.FirstReply: "First reply", sla.NextReply: "Next reply", sla.PeriodicUpdate: "Periodic update", sla.Resolution: "Resolution",
}
