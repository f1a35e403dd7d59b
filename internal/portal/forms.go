package portal

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/textcheck"
	"github.com/ombud/ombud/internal/ticket"
)

// Request forms (docs/portal.md): each asks, besides the subject and the
// description, for chosen ticket custom fields in its own order, with its
// own labels and help, and conditions between them ("ask for the item
// received when the reason is Wrong item"). The answers are stored as the
// ticket's custom field values and the form is recorded on the ticket.

// Limits of a form.
const (
	maxFormFields = 50
	maxForms      = 100
)

// Form is a request form.
type Form struct {
	ID          int64       `json:"id"`
	Name        string      `json:"name"`
	Description string      `json:"description"`
	Enabled     bool        `json:"enabled"`
	Position    int         `json:"position"`
	Fields      []FormField `json:"fields"`
	CreatedAt   time.Time   `json:"created_at"`
	UpdatedAt   time.Time   `json:"updated_at"`
}

// FormField is one custom field a form asks for.
type FormField struct {
	Key      string     `json:"key"`      // the custom field's key
	Required bool       `json:"required"` // when shown
	Label    string     `json:"label"`    // for customers; empty: the field's own label
	Help     string     `json:"help"`
	When     *Condition `json:"when"` // shown (and required) only when this holds; null: always
}

// Condition holds when an earlier field of the form has the value
// (a dropdown option, "true" or "false" for a checkbox, the text itself).
type Condition struct {
	Field  string `json:"field"`
	Equals string `json:"equals"`
}

// RequestFormInput creates a form.
type RequestFormInput struct {
	Name        string      `json:"name"`
	Description string      `json:"description"`
	Enabled     *bool       `json:"enabled"` // default true
	Position    int         `json:"position"`
	Fields      []FormField `json:"fields"`
}

// RequestFormPatch changes a form; Fields replaces the list.
type RequestFormPatch struct {
	Name        *string      `json:"name"`
	Description *string      `json:"description"`
	Enabled     *bool        `json:"enabled"`
	Position    *int         `json:"position"`
	Fields      *[]FormField `json:"fields"`
}

// Asked is a form's field as the customer sees it: with its definition.
type Asked struct {
	FormField
	Def ticket.Field
}

// checkForm validates a form against the active custom fields.
func (s *Service) checkForm(ctx context.Context, f *Form) error {
	fe := apperr.FieldErrors{}
	f.Name = strings.TrimSpace(f.Name)
	if f.Name == "" || utf8.RuneCountInString(f.Name) > 200 {
		fe.Add("name", "must be 1 to 200 characters")
	} else if m := textcheck.Line(f.Name); m != "" {
		fe.Add("name", m)
	}
	f.Description = strings.TrimSpace(f.Description)
	if utf8.RuneCountInString(f.Description) > 2000 {
		fe.Add("description", "must be at most 2000 characters")
	} else if m := textcheck.Body(f.Description); m != "" {
		fe.Add("description", m)
	}
	if f.Position < 0 || f.Position > 10000 {
		fe.Add("position", "must be 0 to 10000")
	}
	if fe.MaxItems("fields", len(f.Fields), maxFormFields) {
		return fe.Err()
	}
	defs, err := s.activeFields(ctx)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	if f.Fields == nil {
		f.Fields = []FormField{}
	}
	for i := range f.Fields {
		ff := &f.Fields[i]
		name := fmt.Sprintf("fields[%d]", i)
		_, ok := defs[ff.Key]
		switch {
		case !ok:
			fe.Add(name+".key", "is not an active custom field")
		case seen[ff.Key]:
			fe.Add(name+".key", "is repeated")
		}
		ff.Label, ff.Help = strings.TrimSpace(ff.Label), strings.TrimSpace(ff.Help)
		if utf8.RuneCountInString(ff.Label) > 200 {
			fe.Add(name+".label", "must be at most 200 characters")
		} else if m := textcheck.Line(ff.Label); m != "" {
			fe.Add(name+".label", m)
		}
		if utf8.RuneCountInString(ff.Help) > 500 {
			fe.Add(name+".help", "must be at most 500 characters")
		} else if m := textcheck.Line(ff.Help); m != "" {
			fe.Add(name+".help", m)
		}
		if c := ff.When; c != nil {
			c.Field, c.Equals = strings.TrimSpace(c.Field), strings.TrimSpace(c.Equals)
			on, ok := defs[c.Field]
			switch {
			case c.Field == "" && c.Equals == "":
				ff.When = nil
			case !ok || !seen[c.Field]:
				fe.Add(name+".when.field", "must be a field asked earlier in the form")
			case on.Type == "dropdown" && !slices.Contains(on.Options, c.Equals):
				fe.Add(name+".when.equals", "must be one of "+strings.Join(on.Options, ", "))
			case on.Type == "checkbox" && c.Equals != "true" && c.Equals != "false":
				fe.Add(name+".when.equals", "must be true or false")
			case c.Equals == "" || len(c.Equals) > 200:
				fe.Add(name+".when.equals", "must be 1 to 200 characters")
			}
		}
		seen[ff.Key] = true
	}
	return fe.Err()
}

// ActiveFields lists the active custom fields a form may ask, in order.
func (s *Service) ActiveFields(ctx context.Context) ([]ticket.Field, error) {
	all, err := s.tickets.ListFields(ctx, authz.System)
	if err != nil {
		return nil, err
	}
	out := []ticket.Field{}
	for _, f := range all {
		if f.Active {
			out = append(out, f)
		}
	}
	return out, nil
}

func (s *Service) activeFields(ctx context.Context) (map[string]ticket.Field, error) {
	all, err := s.tickets.ListFields(ctx, authz.System)
	if err != nil {
		return nil, err
	}
	out := map[string]ticket.Field{}
	for _, f := range all {
		if f.Active {
			out[f.Key] = f
		}
	}
	return out, nil
}

// Forms lists every form (channel.read).
func (s *Service) Forms(ctx context.Context, actor authz.Actor) ([]Form, error) {
	if err := authz.Check(actor, authz.ChannelRead); err != nil {
		return nil, err
	}
	return listForms(ctx, s.db, false)
}

// Form reads one form (channel.read).
func (s *Service) Form(ctx context.Context, actor authz.Actor, id int64) (Form, error) {
	if err := authz.Check(actor, authz.ChannelRead); err != nil {
		return Form{}, err
	}
	return getForm(ctx, s.db, id)
}

// CreateForm adds a form (channel.write); audited.
func (s *Service) CreateForm(ctx context.Context, actor authz.Actor, in RequestFormInput) (Form, error) {
	if err := authz.Check(actor, authz.ChannelWrite); err != nil {
		return Form{}, err
	}
	f := Form{Name: in.Name, Description: in.Description, Enabled: in.Enabled == nil || *in.Enabled, Position: in.Position, Fields: in.Fields}
	if err := s.checkForm(ctx, &f); err != nil {
		return Form{}, err
	}
	now := s.now()
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM portal_forms`).Scan(&n); err != nil {
			return fmt.Errorf("portal: count forms: %w", err)
		}
		if n >= maxForms {
			return apperr.Unprocessable("name", fmt.Sprintf("at most %d forms", maxForms))
		}
		id, err := tx.InsertID(ctx, `INSERT INTO portal_forms (name, description, enabled, position, fields, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			f.Name, f.Description, f.Enabled, f.Position, fieldsJSON(f.Fields), db.Millis(now), db.Millis(now))
		if err != nil {
			return fmt.Errorf("portal: create form: %w", err)
		}
		f.ID, f.CreatedAt, f.UpdatedAt = id, db.Time(db.Millis(now)), db.Time(db.Millis(now))
		return audit.Record(ctx, tx, now, actor, "portal_form.create", fmt.Sprint(id), audit.Change(nil, f))
	})
	return f, err
}

// UpdateForm changes a form (channel.write); audited.
func (s *Service) UpdateForm(ctx context.Context, actor authz.Actor, id int64, p RequestFormPatch) (Form, error) {
	if err := authz.Check(actor, authz.ChannelWrite); err != nil {
		return Form{}, err
	}
	if p.Name == nil && p.Description == nil && p.Enabled == nil && p.Position == nil && p.Fields == nil {
		return Form{}, apperr.InvalidField("body", "changes nothing; name at least one field")
	}
	cur, err := getForm(ctx, s.db, id)
	if err != nil {
		return Form{}, err
	}
	before := cur
	if p.Name != nil {
		cur.Name = *p.Name
	}
	if p.Description != nil {
		cur.Description = *p.Description
	}
	if p.Enabled != nil {
		cur.Enabled = *p.Enabled
	}
	if p.Position != nil {
		cur.Position = *p.Position
	}
	if p.Fields != nil {
		cur.Fields = *p.Fields
	}
	if err := s.checkForm(ctx, &cur); err != nil {
		return Form{}, err
	}
	now := s.now()
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE portal_forms SET name = ?, description = ?, enabled = ?, position = ?, fields = ?, updated_at = ? WHERE id = ?`,
			cur.Name, cur.Description, cur.Enabled, cur.Position, fieldsJSON(cur.Fields), db.Millis(now), id)
		if err != nil {
			return fmt.Errorf("portal: update form: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFound("form", id)
		}
		cur.UpdatedAt = db.Time(db.Millis(now))
		return audit.Record(ctx, tx, now, actor, "portal_form.update", fmt.Sprint(id), audit.Change(before, cur))
	})
	return cur, err
}

// DeleteForm removes a form (channel.write); tickets filed with it keep
// their values and no longer name it. Audited.
func (s *Service) DeleteForm(ctx context.Context, actor authz.Actor, id int64) error {
	if err := authz.Check(actor, authz.ChannelWrite); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		f, err := getForm(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM portal_form_tickets WHERE form_id = ?`, id); err != nil {
			return fmt.Errorf("portal: delete form: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM portal_forms WHERE id = ?`, id); err != nil {
			return fmt.Errorf("portal: delete form: %w", err)
		}
		return audit.Record(ctx, tx, s.now(), actor, "portal_form.delete", fmt.Sprint(id), audit.Change(f, nil))
	})
}

// EnabledForms lists the forms customers choose from, in order.
func (s *Service) EnabledForms(ctx context.Context) ([]Form, error) {
	return listForms(ctx, s.db, true)
}

// OpenForm returns an enabled form with its fields as customers see them
// (fields no longer active are left out).
func (s *Service) OpenForm(ctx context.Context, id int64) (Form, []Asked, error) {
	f, err := getForm(ctx, s.db, id)
	if err != nil || !f.Enabled {
		if err == nil || apperr.Is(err, apperr.CodeNotFound) {
			err = apperr.InvalidField("form", "is not a form you can use; choose another")
		}
		return Form{}, nil, err
	}
	defs, err := s.activeFields(ctx)
	if err != nil {
		return Form{}, nil, err
	}
	out := make([]Asked, 0, len(f.Fields))
	for _, ff := range f.Fields {
		def, ok := defs[ff.Key]
		if !ok {
			continue
		}
		if ff.Label == "" {
			ff.Label = def.Label
		}
		if ff.Help == "" {
			ff.Help = def.Description
		}
		out = append(out, Asked{FormField: ff, Def: def})
	}
	return f, out, nil
}

// FormOfTicket names the form a ticket was filed with ("" for none).
func (s *Service) FormOfTicket(ctx context.Context, ticketID int64) (string, error) {
	var name string
	err := s.db.QueryRowContext(ctx, `SELECT f.name FROM portal_form_tickets t JOIN portal_forms f ON f.id = t.form_id WHERE t.ticket_id = ?`, ticketID).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("portal: form of ticket %d: %w", ticketID, err)
	}
	return name, nil
}

const formCols = `id, name, description, enabled, position, fields, created_at, updated_at`

func scanForm(sc interface{ Scan(...any) error }) (Form, error) {
	var f Form
	var fields string
	var c, u int64
	if err := sc.Scan(&f.ID, &f.Name, &f.Description, &f.Enabled, &f.Position, &fields, &c, &u); err != nil {
		return f, err
	}
	f.Fields = []FormField{}
	_ = json.Unmarshal([]byte(fields), &f.Fields)
	f.CreatedAt, f.UpdatedAt = db.Time(c), db.Time(u)
	return f, nil
}

func getForm(ctx context.Context, q db.Querier, id int64) (Form, error) {
	f, err := scanForm(q.QueryRowContext(ctx, `SELECT `+formCols+` FROM portal_forms WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return f, apperr.NotFound("form", id)
	}
	if err != nil {
		return f, fmt.Errorf("portal: form %d: %w", id, err)
	}
	return f, nil
}

func listForms(ctx context.Context, q db.Querier, enabledOnly bool) ([]Form, error) {
	where := ""
	if enabledOnly {
		where = " WHERE enabled = TRUE"
	}
	rows, err := q.QueryContext(ctx, `SELECT `+formCols+` FROM portal_forms`+where+` ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("portal: forms: %w", err)
	}
	defer rows.Close()
	out := []Form{}
	for rows.Next() {
		f, err := scanForm(rows)
		if err != nil {
			return nil, fmt.Errorf("portal: forms: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

func fieldsJSON(fs []FormField) string {
	if fs == nil {
		fs = []FormField{}
	}
	b, _ := json.Marshal(fs)
	return string(b)
}
