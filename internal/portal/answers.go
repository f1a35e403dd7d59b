package portal

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ombud/ombud/internal/apperr"
)

// FieldName is the name of a form field's value in a refusal.
func FieldName(key string) string { return "custom_fields." + key }

// Shown reports which of a form's fields apply to the answers given: a
// field with a condition applies only when the field it names applies
// and has the value. Conditions name earlier fields only, so one pass in
// order settles them.
func Shown(fields []Asked, answers map[string]string) map[string]bool {
	shown := map[string]bool{}
	for _, f := range fields {
		c := f.When
		shown[f.Key] = c == nil || (shown[c.Field] && comparable(fields, c.Field, answers[c.Field]) == c.Equals)
	}
	return shown
}

// comparable is an answer as a condition compares it: a checkbox as
// "true" or "false", anything else trimmed.
func comparable(fields []Asked, key, raw string) string {
	for _, f := range fields {
		if f.Key == key && f.Def.Type == "checkbox" {
			return strconv.FormatBool(checked(raw))
		}
	}
	return strings.TrimSpace(raw)
}

func checked(raw string) bool {
	switch strings.ToLower(strings.TrimSpace(raw)) {
	case "on", "true", "1", "yes":
		return true
	}
	return false
}

// Answers turns a form's answers (as typed) into custom field values: the
// fields that apply are checked (required ones must be answered, each as
// its type wants), the others are dropped. Problems go into fe under
// FieldName(key).
func Answers(fields []Asked, answers map[string]string, fe apperr.FieldErrors) map[string]any {
	shown := Shown(fields, answers)
	out := map[string]any{}
	for _, f := range fields {
		if !shown[f.Key] {
			continue
		}
		name := FieldName(f.Key)
		raw := strings.TrimSpace(answers[f.Key])
		if f.Def.Type == "checkbox" {
			switch {
			case checked(raw):
				out[f.Key] = true
			case f.Required:
				fe.Add(name, "is required")
			}
			continue
		}
		if raw == "" {
			if f.Required {
				fe.Add(name, "is required")
			}
			continue
		}
		switch f.Def.Type {
		case "text":
			if utf8.RuneCountInString(raw) > 1000 {
				fe.Add(name, "must be at most 1000 characters")
				continue
			}
			out[f.Key] = raw
		case "number":
			n, err := strconv.ParseFloat(strings.ReplaceAll(raw, ",", "."), 64)
			if err != nil {
				fe.Add(name, "must be a number")
				continue
			}
			out[f.Key] = n
		case "date":
			if _, err := time.Parse("2006-01-02", raw); err != nil {
				fe.Add(name, "must be a date (YYYY-MM-DD)")
				continue
			}
			out[f.Key] = raw
		case "dropdown":
			if !slices.Contains(f.Def.Options, raw) {
				fe.Add(name, "choose one of the options")
				continue
			}
			out[f.Key] = raw
		}
	}
	return out
}
