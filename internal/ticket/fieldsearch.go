package ticket

import (
	"context"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/search"
)

// This file turns field.<key> search terms into SQL over the tickets'
// custom_fields JSON column. What a term may say depends on the field's type:
//
//	text      field.order_no:A-1234       whole value, case-insensitive (ASCII letters on SQLite)
//	dropdown  field.plan:gold,silver      one of the options (named in any case)
//	number    field.seats>=10             :, >, >=, <, <=
//	date      field.renewal<2026-07-01    YYYY-MM-DD with :, >, >=, <, <=
//	checkbox  field.vip:true              true/false (yes/no); false matches unset
//	any       field.plan:*                has a value
//
// Every condition is two-valued (never NULL), so -field.plan:gold also finds
// tickets without a plan.

// searchFields loads the custom field definitions when q has field terms
// (nil otherwise: the common search costs no extra query).
func (s *Service) searchFields(ctx context.Context, q search.Query) (map[string]Field, error) {
	need := false
	for _, t := range q.Terms {
		if _, ok := search.IsCustom(t.Field); ok {
			need = true
			break
		}
	}
	if !need {
		return nil, nil
	}
	defs, err := listFields(ctx, s.db)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Field, len(defs))
	for _, f := range defs {
		// Deactivated fields stay searchable: their values are still stored.
		out[f.Key] = f
	}
	return out, nil
}

// customFieldCond adds the condition of one field.<key> term to w.
func customFieldCond(w *where, d db.Dialect, defs map[string]Field, t search.Term) error {
	key, _ := search.IsCustom(t.Field)
	def, ok := defs[key]
	if !ok {
		return search.Invalid("unknown custom field %q", key)
	}
	// The key is a checked identifier ([a-z][a-z0-9_]*, enforced when the
	// field was defined and again by the parser), so it may be spelled into
	// the SQL; the values always go as arguments.
	val := d.JSONText("t.custom_fields", key)
	jsonType := "json_type(t.custom_fields, '$." + key + "')"
	typeIs := func(sqlite, pg string) string {
		if d == db.Postgres {
			return "COALESCE(jsonb_typeof(t.custom_fields->'" + key + "'), '') = '" + pg + "'"
		}
		return "COALESCE(" + jsonType + ", '') IN (" + sqlite + ")"
	}
	if len(t.Values) == 1 && t.Values[0] == "*" && t.Op == search.OpIs {
		if d == db.Postgres {
			w.add("jsonb_typeof(t.custom_fields->'" + key + "') IS NOT NULL")
		} else {
			w.add(jsonType + " IS NOT NULL")
		}
		return nil
	}
	bad := func(format string, args ...any) error {
		return search.Invalid("%s: "+format, append([]any{t.Field}, args...)...)
	}
	op := string(t.Op)
	if t.Op == search.OpIs {
		op = "="
	}
	var ors []string
	var args []any
	switch def.Type {
	case "text":
		if t.Op != search.OpIs {
			return bad("a text field takes only ':'")
		}
		for _, v := range t.Values {
			ors = append(ors, "lower("+val+") = lower(?)")
			args = append(args, v)
		}
		w.add("("+typeIs("'text'", "string")+" AND ("+strings.Join(ors, " OR ")+"))", args...)
	case "dropdown":
		if t.Op != search.OpIs {
			return bad("a dropdown field takes only ':'")
		}
		for _, v := range t.Values {
			opt, ok := option(def.Options, v)
			if !ok {
				return bad("%q is not an option (want one of %s)", v, strings.Join(def.Options, ", "))
			}
			args = append(args, opt)
		}
		w.add("("+typeIs("'text'", "string")+" AND "+val+" IN ("+placeholders(len(args))+"))", args...)
	case "number":
		num := val
		if d == db.Postgres {
			// The CASE keeps the cast away from a value that is no number.
			num = "(CASE WHEN jsonb_typeof(t.custom_fields->'" + key + "') = 'number' THEN (" + val + ")::float8 END)"
		}
		for _, v := range t.Values {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				return bad("%q is not a number", v)
			}
			ors = append(ors, num+" "+op+" ?")
			args = append(args, f)
		}
		w.add("("+typeIs("'integer', 'real'", "number")+" AND ("+strings.Join(ors, " OR ")+"))", args...)
	case "date":
		for _, v := range t.Values {
			day, err := time.Parse("2006-01-02", v)
			if err != nil {
				return bad("%q is not a date (want YYYY-MM-DD)", v)
			}
			// Stored as YYYY-MM-DD, which sorts as it reads.
			ors = append(ors, val+" "+op+" ?")
			args = append(args, day.Format("2006-01-02"))
		}
		w.add("("+typeIs("'text'", "string")+" AND ("+strings.Join(ors, " OR ")+"))", args...)
	case "checkbox":
		if t.Op != search.OpIs || len(t.Values) != 1 {
			return bad("a checkbox takes one of true or false")
		}
		isTrue := typeIs("'true'", "boolean") + " AND " + val + " IN ('true', '1')"
		if d == db.SQLite {
			isTrue = "COALESCE(" + jsonType + ", '') = 'true'"
		}
		switch strings.ToLower(t.Values[0]) {
		case "true", "yes":
			w.add("(" + isTrue + ")")
		case "false", "no":
			w.add("NOT (" + isTrue + ")")
		default:
			return bad("%q is not true or false", t.Values[0])
		}
	default:
		return bad("fields of type %s cannot be searched", def.Type)
	}
	return nil
}

// option finds v among a dropdown's options, ignoring case.
func option(opts []string, v string) (string, bool) {
	for _, o := range opts {
		if strings.EqualFold(o, v) {
			return o, true
		}
	}
	return "", false
}
