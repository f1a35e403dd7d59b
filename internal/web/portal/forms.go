package portal

import (
	"net/http"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/portal"
)

// askedField is one custom field of a request form on the page.
type askedField struct {
	portal.Asked
	Name      string // the refusal's field name (portal.FieldName)
	Input     string // the control's name: "cf_" + key
	Value     string
	Checked   bool
	When      string // the control the condition names, "" for none
	Equals    string
	WhenLabel string // the label of the field the condition names
	Error     string
}

// chooseForm fills in the form to show: the one asked for (id), else the
// only one enabled; with more than one and none chosen, the list to choose
// from. answers are the values typed so far (nil on a fresh page).
func (u *UI) chooseForm(r *http.Request, v *view, d *newData, id int64, answers map[string]string) error {
	forms, err := u.Portal.EnabledForms(r.Context())
	if err != nil {
		return err
	}
	if id == 0 {
		switch len(forms) {
		case 0:
			return nil
		case 1:
			id = forms[0].ID
		default:
			d.Forms = forms
			return nil
		}
	}
	f, asked, err := u.Portal.OpenForm(r.Context(), id)
	if apperr.Is(err, apperr.CodeInvalid) {
		d.Forms = forms // a form since turned off: choose again
		v.Error = u.tr.String(v.Lang, "That form is no longer available; choose another.")
		return nil
	}
	if err != nil {
		return err
	}
	d.Form = &f
	v.Title = f.Name
	labels := map[string]string{}
	for _, a := range asked {
		labels[a.Key] = a.Label
	}
	for _, a := range asked {
		af := askedField{Asked: a, Name: portal.FieldName(a.Key), Input: "cf_" + a.Key, Value: answers[a.Key]}
		if a.Def.Type == "checkbox" {
			af.Checked = strings.TrimSpace(answers[a.Key]) == "on"
		}
		if a.When != nil {
			af.When, af.Equals, af.WhenLabel = "cf_"+a.When.Field, a.When.Equals, labels[a.When.Field]
		}
		d.Fields = append(d.Fields, af)
	}
	return nil
}
