package tickets

import (
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/ticket"
)

// This file turns admin-defined custom fields into form controls and the
// submitted strings back into typed values, for every form that edits them.

// customFieldControls builds one control per active field, in the field's
// own kind: a select for a dropdown, a date picker, a number box, a
// checkbox or a text box. Names are "custom_fields.<key>", the service's
// field names, so its refusals land beside the right control.
func customFieldControls(f form, defs []ticket.Field) []formField {
	var out []formField
	for _, d := range defs {
		if !d.Active {
			continue
		}
		name := "custom_fields." + d.Key
		// One hint per control: the rule that blocks solving matters more
		// than the admin's description.
		hint := d.Description
		if d.Required {
			hint = "Required to solve the ticket."
		}
		var c formField
		switch d.Type {
		case "dropdown":
			opts := []option{{Value: "", Label: "—"}}
			for _, o := range d.Options {
				opts = append(opts, option{Value: o, Label: o})
			}
			c = f.choice(name, d.Label, opts, hint)
		case "date":
			c = f.field(name, d.Label, "date", false, hint)
		case "number":
			c = f.field(name, d.Label, "number", false, hint)
		case "checkbox":
			c = f.field(name, d.Label, "checkbox", false, hint)
		default:
			c = f.field(name, d.Label, "text", false, hint)
		}
		out = append(out, c)
	}
	return out
}

// customFieldValues reads the controls of customFieldControls back into
// typed values; an empty control sets nothing. A number that does not parse
// is marked on the form and left out.
func customFieldValues(f form, defs []ticket.Field) map[string]any {
	out := map[string]any{}
	for _, d := range defs {
		if !d.Active {
			continue
		}
		name := "custom_fields." + d.Key
		v := f.v(name)
		switch d.Type {
		case "checkbox":
			if v != "" {
				out[d.Key] = true
			}
		case "number":
			if v == "" {
				continue
			}
			n, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", "."), 64)
			if err != nil {
				f.Errs[name] = "must be a number"
				continue
			}
			out[d.Key] = n
		default:
			if v != "" {
				out[d.Key] = v
			}
		}
	}
	return out
}
