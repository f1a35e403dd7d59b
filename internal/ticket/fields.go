package ticket

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/textcheck"
)

// FieldTypes are the kinds of admin-defined ticket fields.
var FieldTypes = []string{"text", "number", "date", "dropdown", "checkbox"}

// Field is the definition of a custom ticket field.
type Field struct {
	ID          int64     `json:"id"`
	Key         string    `json:"key"`
	Label       string    `json:"label"`
	Type        string    `json:"type"`
	Options     []string  `json:"options"`  // dropdown values
	Required    bool      `json:"required"` // required to solve a ticket
	Active      bool      `json:"active"`
	Position    int       `json:"position"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// FieldInput creates a field.
type FieldInput struct {
	Key         string   `json:"key"`
	Label       string   `json:"label"`
	Type        string   `json:"type"`
	Options     []string `json:"options"`
	Required    bool     `json:"required"`
	Position    int      `json:"position"`
	Description string   `json:"description"`
}

// FieldPatch changes a field; the key and type never change, since stored
// values depend on them.
type FieldPatch struct {
	Label       *string   `json:"label"`
	Options     *[]string `json:"options"`
	Required    *bool     `json:"required"`
	Active      *bool     `json:"active"`
	Position    *int      `json:"position"`
	Description *string   `json:"description"`
}

var fieldKeyRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

func validateOptions(fe apperr.FieldErrors, typ string, opts []string) []string {
	if fe.MaxItems("options", len(opts), MaxFieldOptions) {
		return []string{}
	}
	if typ != "dropdown" {
		if len(opts) > 0 {
			fe.Add("options", "only dropdown fields have options")
		}
		return []string{}
	}
	if len(opts) == 0 {
		fe.Add("options", "a dropdown needs at least one option")
	}
	seen := map[string]bool{}
	out := make([]string, 0, len(opts))
	for i, o := range opts {
		o = strings.TrimSpace(o)
		switch {
		case o == "" || len(o) > 200:
			fe.Add(fmt.Sprintf("options[%d]", i), "must be 1 to 200 characters")
		case seen[o]:
			fe.Add(fmt.Sprintf("options[%d]", i), "is repeated")
		case textcheck.Line(o) != "":
			fe.Add(fmt.Sprintf("options[%d]", i), textcheck.Line(o))
		}
		seen[o] = true
		out = append(out, o)
	}
	return out
}

// CreateField defines a new custom field.
func (s *Service) CreateField(ctx context.Context, actor authz.Actor, in FieldInput) (Field, error) {
	if err := authz.Check(actor, authz.CustomFieldWrite); err != nil {
		return Field{}, err
	}
	fe := apperr.FieldErrors{}
	if !fieldKeyRE.MatchString(in.Key) {
		fe.Add("key", "must start with a letter and hold only a-z, 0-9 and _ (at most 63)")
	}
	in.Label = strings.TrimSpace(in.Label)
	if in.Label == "" || len(in.Label) > 200 {
		fe.Add("label", "is required (at most 200 characters)")
	} else if msg := textcheck.Line(in.Label); msg != "" {
		fe.Add("label", msg)
	}
	if !slices.Contains(FieldTypes, in.Type) {
		fe.Add("type", "must be one of "+strings.Join(FieldTypes, ", "))
	}
	in.Options = validateOptions(fe, in.Type, in.Options)
	if err := fe.Err(); err != nil {
		return Field{}, err
	}
	now := s.now()
	var f Field
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		id, err := tx.InsertID(ctx, `INSERT INTO custom_fields (key, label, type, options, required, position, description, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, in.Key, in.Label, in.Type, mustJSON(in.Options), in.Required, in.Position, in.Description, db.Millis(now), db.Millis(now))
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("key", "a field with this key exists")
		}
		if err != nil {
			return fmt.Errorf("ticket: create field: %w", err)
		}
		if f, err = getField(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, actor, "custom_field.create", in.Key, audit.Change(nil, f))
	})
	return f, err
}

// UpdateField changes a field definition.
func (s *Service) UpdateField(ctx context.Context, actor authz.Actor, id int64, p FieldPatch) (Field, error) {
	if err := authz.Check(actor, authz.CustomFieldWrite); err != nil {
		return Field{}, err
	}
	if fe := (apperr.FieldErrors{}); p.Options != nil && fe.MaxItems("options", len(*p.Options), MaxFieldOptions) {
		return Field{}, fe.Err()
	}
	var f Field
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		cur, err := getField(ctx, tx, id)
		if err != nil {
			return err
		}
		before := cur
		fe := apperr.FieldErrors{}
		if p.Label != nil {
			cur.Label = strings.TrimSpace(*p.Label)
			if cur.Label == "" || len(cur.Label) > 200 {
				fe.Add("label", "is required (at most 200 characters)")
			} else if msg := textcheck.Line(cur.Label); msg != "" {
				fe.Add("label", msg)
			}
		}
		if p.Options != nil {
			cur.Options = validateOptions(fe, cur.Type, *p.Options)
		}
		if err := fe.Err(); err != nil {
			return err
		}
		if p.Required != nil {
			cur.Required = *p.Required
		}
		if p.Active != nil {
			cur.Active = *p.Active
		}
		if p.Position != nil {
			cur.Position = *p.Position
		}
		if p.Description != nil {
			cur.Description = *p.Description
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE custom_fields SET label = ?, options = ?, required = ?, active = ?, position = ?, description = ?, updated_at = ? WHERE id = ?`,
			cur.Label, mustJSON(cur.Options), cur.Required, cur.Active, cur.Position, cur.Description, db.Millis(now), id); err != nil {
			return fmt.Errorf("ticket: update field: %w", err)
		}
		if f, err = getField(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, actor, "custom_field.update", cur.Key, audit.Change(before, f))
	})
	return f, err
}

// DeleteField deactivates a field: stored values stay in history, the field
// is no longer offered or accepted.
func (s *Service) DeleteField(ctx context.Context, actor authz.Actor, id int64) error {
	active := false
	_, err := s.UpdateField(ctx, actor, id, FieldPatch{Active: &active})
	return err
}

// GetField reads one definition.
func (s *Service) GetField(ctx context.Context, actor authz.Actor, id int64) (Field, error) {
	if err := authz.Check(actor, authz.CustomFieldRead); err != nil {
		return Field{}, err
	}
	return getField(ctx, s.db, id)
}

// ListFields returns every definition ordered by position.
func (s *Service) ListFields(ctx context.Context, actor authz.Actor) ([]Field, error) {
	if err := authz.Check(actor, authz.CustomFieldRead); err != nil {
		return nil, err
	}
	return listFields(ctx, s.db)
}

const fieldCols = `id, key, label, type, options, required, active, position, description, created_at, updated_at`

func scanField(s scanner) (Field, error) {
	var f Field
	var opts string
	var c, u int64
	if err := s.Scan(&f.ID, &f.Key, &f.Label, &f.Type, &opts, &f.Required, &f.Active, &f.Position, &f.Description, &c, &u); err != nil {
		return f, err
	}
	f.Options = []string{}
	_ = json.Unmarshal([]byte(opts), &f.Options)
	f.CreatedAt, f.UpdatedAt = db.Time(c), db.Time(u)
	return f, nil
}

func getField(ctx context.Context, q db.Querier, id int64) (Field, error) {
	f, err := scanField(q.QueryRowContext(ctx, `SELECT `+fieldCols+` FROM custom_fields WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return f, apperr.NotFound("custom field", id)
	}
	if err != nil {
		return f, fmt.Errorf("ticket: get field: %w", err)
	}
	return f, nil
}

func listFields(ctx context.Context, q db.Querier) ([]Field, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+fieldCols+` FROM custom_fields ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("ticket: list fields: %w", err)
	}
	defer rows.Close()
	out := []Field{}
	for rows.Next() {
		f, err := scanField(rows)
		if err != nil {
			return nil, fmt.Errorf("ticket: scan field: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// applyFieldValues validates values against the active definitions and
// merges them into cur (nil value clears). It returns the changed keys with
// old and new values.
func applyFieldValues(ctx context.Context, tx *db.Tx, cur map[string]any, in map[string]any) ([]fieldChange, error) {
	if len(in) == 0 {
		return nil, nil
	}
	defs, err := listFields(ctx, tx)
	if err != nil {
		return nil, err
	}
	return applyFieldDefs(defs, cur, in)
}

// applyFieldDefs is applyFieldValues with the definitions already read.
func applyFieldDefs(defs []Field, cur map[string]any, in map[string]any) ([]fieldChange, error) {
	if len(in) == 0 {
		return nil, nil
	}
	byKey := map[string]Field{}
	for _, f := range defs {
		if f.Active {
			byKey[f.Key] = f
		}
	}
	fe := apperr.FieldErrors{}
	var changes []fieldChange
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := in[k]
		name := "custom_fields." + k
		def, ok := byKey[k]
		if !ok {
			fe.Add(name, "is not an active custom field")
			continue
		}
		norm, problem := normalizeFieldValue(def, v)
		if problem != "" {
			fe.Add(name, problem)
			continue
		}
		old, had := cur[k]
		if norm == nil {
			if had {
				delete(cur, k)
				changes = append(changes, fieldChange{k, old, nil})
			}
			continue
		}
		if had && fmt.Sprint(old) == fmt.Sprint(norm) {
			continue
		}
		cur[k] = norm
		changes = append(changes, fieldChange{k, old, norm})
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return changes, nil
}

type fieldChange struct {
	key      string
	from, to any
}

func normalizeFieldValue(def Field, v any) (any, string) {
	if v == nil {
		return nil, ""
	}
	switch def.Type {
	case "text":
		s, ok := v.(string)
		if !ok {
			return nil, "must be a string"
		}
		if len(s) > 10000 {
			return nil, "must be at most 10000 characters"
		}
		if s == "" {
			return nil, ""
		}
		return s, ""
	case "number":
		f, ok := v.(float64)
		if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, "must be a number"
		}
		return f, ""
	case "date":
		s, ok := v.(string)
		if !ok {
			return nil, "must be a date (YYYY-MM-DD)"
		}
		if _, err := time.Parse("2006-01-02", s); err != nil {
			return nil, "must be a date (YYYY-MM-DD)"
		}
		return s, ""
	case "dropdown":
		s, ok := v.(string)
		if !ok || !slices.Contains(def.Options, s) {
			return nil, "must be one of " + strings.Join(def.Options, ", ")
		}
		return s, ""
	case "checkbox":
		b, ok := v.(bool)
		if !ok {
			return nil, "must be true or false"
		}
		return b, ""
	}
	return nil, "has an unknown type"
}

// missingRequired lists required active fields without a value (checked on solve).
func missingRequired(ctx context.Context, tx *db.Tx, cur map[string]any) (apperr.FieldErrors, error) {
	defs, err := listFields(ctx, tx)
	if err != nil {
		return nil, err
	}
	fe := apperr.FieldErrors{}
	for _, f := range defs {
		if f.Active && f.Required {
			if _, ok := cur[f.Key]; !ok {
				fe.Add("custom_fields."+f.Key, "is required to solve the ticket")
			}
		}
	}
	return fe, nil
}
