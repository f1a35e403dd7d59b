package automation

import (
	"slices"
	"sort"
	"strings"
)

// The catalog describes conditions and actions for editors that build rules
// from controls rather than JSON: which fields a kind of rule may test,
// their operators and the shape of their values.

// FieldInfo describes one condition field.
type FieldInfo struct {
	Name string
	// Value is the kind of control a value needs: "enum" (Options), "text",
	// "id" (a team, agent, customer or organization id), "tags", "bool",
	// "hours", "custom" (a custom field's own type) or "event".
	Value   string
	Options []string
	Ops     []string
}

var valueNames = map[valueType]string{vEnum: "enum", vString: "text", vText: "text", vID: "id", vTags: "tags",
	vBool: "bool", vHours: "hours", vCustom: "custom", vEvent: "event"}

// ConditionFields lists the built-in fields a rule of kind may test, in
// name order; custom.<key> fields come from the custom field definitions
// (CustomFieldInfo).
func ConditionFields(kind Kind) []FieldInfo {
	out := make([]FieldInfo, 0, len(fields))
	for name, f := range fields {
		if f.only != "" && f.only != kind {
			continue
		}
		out = append(out, info(name, f, kind))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// CustomFieldInfo describes custom.<key> for a rule of kind.
func CustomFieldInfo(key string, kind Kind) FieldInfo {
	name := "custom." + key
	f, _ := lookupField(name)
	return info(name, f, kind)
}

func info(name string, f fieldSpec, kind Kind) FieldInfo {
	ops := opsFor(name, f)
	if kind != KindTrigger {
		ops = slices.DeleteFunc(slices.Clone(ops), func(op string) bool { return slices.Contains(changeOps, op) })
	}
	fi := FieldInfo{Name: name, Value: valueNames[f.typ], Ops: ops, Options: f.options}
	if f.typ == vEvent {
		fi.Options = EventTypes
	}
	return fi
}

// EventTypes are the ticket events a trigger's "event" condition offers.
var EventTypes = []string{"created", "comment_added", "status_changed", "priority_changed", "type_changed",
	"assignee_changed", "team_changed", "tags_changed", "subject_changed", "requester_changed",
	"language_changed", "followers_changed", "field_changed", "merged", "merge_received",
	"csat_requested", "csat_rated", "csat_commented"}

// ActionTypes lists the action types for kind ("trigger", "automation" or
// "macro").
func ActionTypes(kind string) []string {
	if kind == "macro" {
		return slices.DeleteFunc(slices.Clone(actionTypes), usesURL)
	}
	return slices.Clone(actionTypes)
}

// Placeholders lists the {{placeholders}} message texts may use, besides
// custom.<key>.
func Placeholders() []string { return slices.Clone(placeholders) }

// MultiValue reports whether op takes a list of values.
func MultiValue(op string) bool { return multiOp(op) }

// NoValue reports whether op takes no value.
func NoValue(op string) bool { return op == "present" || op == "absent" || op == "changed" }

// IsMessage reports whether an action type writes a message (body, and for
// notify a subject) that may have texts per language.
func IsMessage(typ string) bool {
	return strings.Contains(" add_note send_reply notify slack ", " "+typ+" ")
}
