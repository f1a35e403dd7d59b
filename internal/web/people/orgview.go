package people

import "github.com/ombud/ombud/internal/opt"

// The customer's say over the portal's organization view (docs/portal.md):
// "" follows the organization's setting, "on" grants the view, "off"
// withdraws it. The customer service checks the role and audits.

func orgViewOptions() []option {
	return []option{
		{Value: "", Label: "As the organization decides"},
		{Value: "on", Label: "Allowed for this customer"},
		{Value: "off", Label: "Withdrawn for this customer"},
	}
}

// orgViewValue is the form value of a customer's setting.
func orgViewValue(v *bool) string {
	switch {
	case v == nil:
		return ""
	case *v:
		return "on"
	}
	return "off"
}

// orgViewPatch turns a form value into the patch; ok is false for a value
// that is none of the choices.
func orgViewPatch(s string) (opt.Value[bool], bool) {
	switch s {
	case "":
		return opt.Null[bool](), true
	case "on":
		return opt.Of(true), true
	case "off":
		return opt.Of(false), true
	}
	return opt.Value[bool]{}, false
}
