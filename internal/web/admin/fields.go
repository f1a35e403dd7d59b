package admin

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/httpx"
)

// This file holds the custom field and tag pages.

func fieldTypeOptions() []option {
	out := []option{}
	for _, t := range ticket.FieldTypes {
		out = append(out, option{Value: t, Label: strings.ToUpper(t[:1]) + t[1:]})
	}
	return out
}

// FieldList lists the custom ticket fields, with the form to define one.
func (u *UI) FieldList(w http.ResponseWriter, r *http.Request) error {
	return u.fieldsPage(w, r, http.StatusOK, newForm(map[string]string{"type": "text", "position": "0"}), "")
}

func (u *UI) fieldsPage(w http.ResponseWriter, r *http.Request, status int, f form, errMsg string) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	list, err := u.Tickets.ListFields(ctx, actor)
	if err != nil {
		return err
	}
	sets := []fieldset{{Legend: "New field", Fields: []formField{
		f.field("key", "Key", "text", true, "Used in the API and search: a-z, 0-9 and _, starting with a letter. It cannot change later."),
		f.field("label", "Label", "text", true, "What agents see."),
		f.choice("type", "Type", fieldTypeOptions(), "It cannot change later."),
		f.field("position", "Position", "number", false, "Fields are shown in this order."),
		f.field("description", "Description", "text", false, ""),
		f.field("required", "Required to solve a ticket", "checkbox", false, ""),
	}}}
	return u.render(w, r, status, "fields", pageData{Title: "Ticket fields", Nav: "fields", Error: errMsg, Data: map[string]any{
		"Rows": list, "Fieldsets": sets, "Form": f, "Errors": summary(sets, f.Errs), "CanWrite": authz.Can(actor, authz.CustomFieldWrite),
	}})
}

func formPosition(f form) (int, bool) {
	if f.v("position") == "" {
		return 0, true
	}
	n, err := strconv.Atoi(f.v("position"))
	if err != nil {
		f.Errs["position"] = "must be a whole number"
		return 0, false
	}
	return n, true
}

// CreateField defines a custom field from the list page's form.
func (u *UI) CreateField(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f, err := readForm(r)
	if err != nil {
		return err
	}
	pos, ok := formPosition(f)
	if !ok {
		return u.fieldsPage(w, r, http.StatusBadRequest, f, "")
	}
	in := ticket.FieldInput{Key: f.v("key"), Label: f.v("label"), Type: f.v("type"), Options: splitLines(f.Values["options"]),
		Required: f.v("required") != "", Position: pos, Description: f.v("description")}
	fd, err := u.Tickets.CreateField(ctx, httpx.Actor(ctx), in)
	if err != nil {
		st, msg, ok := refused(err, f)
		if !ok {
			return err
		}
		return u.fieldsPage(w, r, st, f, msg)
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/fields/%d?saved=1", fd.ID), http.StatusSeeOther)
	return nil
}

func (u *UI) getField(r *http.Request) (ticket.Field, error) {
	id, err := httpx.PathID(r, "id", "custom field")
	if err != nil {
		return ticket.Field{}, err
	}
	return u.Tickets.GetField(r.Context(), httpx.Actor(r.Context()), id)
}

func fieldForm(fd ticket.Field) form {
	f := newForm(map[string]string{"label": fd.Label, "options": strings.Join(fd.Options, "\n"), "position": strconv.Itoa(fd.Position),
		"description": fd.Description, "active": "no"})
	if fd.Required {
		f.Values["required"] = "on"
	}
	if fd.Active {
		f.Values["active"] = "yes"
	}
	return f
}

// FieldPage shows one custom field's settings.
func (u *UI) FieldPage(w http.ResponseWriter, r *http.Request) error {
	fd, err := u.getField(r)
	if err != nil {
		return err
	}
	flash := ""
	if r.URL.Query().Get("saved") != "" {
		flash = "Field saved."
	}
	return u.fieldPage(w, r, http.StatusOK, fd, fieldForm(fd), flash, "")
}

func (u *UI) fieldPage(w http.ResponseWriter, r *http.Request, status int, fd ticket.Field, f form, flash, errMsg string) error {
	actor := httpx.Actor(r.Context())
	sets := []fieldset{{Legend: "Settings", Fields: []formField{
		f.field("label", "Label", "text", true, ""),
		f.field("position", "Position", "number", false, ""),
		f.field("description", "Description", "text", false, ""),
		f.choice("active", "Status", []option{{Value: "yes", Label: "Active"}, {Value: "no", Label: "Deactivated"}},
			"A deactivated field is no longer offered; stored values stay in history."),
		f.field("required", "Required to solve a ticket", "checkbox", false, ""),
	}}}
	return u.render(w, r, status, "field", pageData{Title: fd.Label, Nav: "fields", Flash: flash, Error: errMsg, Data: map[string]any{
		"F": fd, "Fieldsets": sets, "Form": f, "Errors": summary(sets, f.Errs), "CanWrite": authz.Can(actor, authz.CustomFieldWrite),
	}})
}

// UpdateField saves a custom field's settings.
func (u *UI) UpdateField(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	fd, err := u.getField(r)
	if err != nil {
		return err
	}
	f, err := readForm(r)
	if err != nil {
		return err
	}
	pos, ok := formPosition(f)
	active := f.v("active") != "no"
	if v := f.v("active"); v != "" && v != "yes" && v != "no" {
		f.Errs["active"] = "must be Active or Deactivated"
		ok = false
	}
	if !ok {
		return u.fieldPage(w, r, http.StatusBadRequest, fd, f, "", "")
	}
	lbl, desc, req := f.v("label"), f.v("description"), f.v("required") != ""
	p := ticket.FieldPatch{Label: &lbl, Description: &desc, Required: &req, Position: &pos, Active: &active}
	if fd.Type == "dropdown" {
		opts := splitLines(f.Values["options"])
		p.Options = &opts
	}
	if _, err := u.Tickets.UpdateField(ctx, httpx.Actor(ctx), fd.ID, p); err != nil {
		st, msg, ok := refused(err, f)
		if !ok {
			return err
		}
		return u.fieldPage(w, r, st, fd, f, "", msg)
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/fields/%d?saved=1", fd.ID), http.StatusSeeOther)
	return nil
}

// DeactivateField turns a custom field off; stored values stay.
func (u *UI) DeactivateField(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	fd, err := u.getField(r)
	if err != nil {
		return err
	}
	if err := u.Tickets.DeleteField(ctx, httpx.Actor(ctx), fd.ID); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/fields/%d?saved=1", fd.ID), http.StatusSeeOther)
	return nil
}

// TagList lists the tags in use with how many tickets carry each.
func (u *UI) TagList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	tags, err := u.Tickets.Tags(ctx, httpx.Actor(ctx), q, 500)
	if err != nil {
		return err
	}
	return u.render(w, r, http.StatusOK, "tags", pageData{Title: "Tags", Nav: "tags", Data: map[string]any{
		"Tags": tags, "Prefix": q, "Full": len(tags) == 500,
	}})
}
