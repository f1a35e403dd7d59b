package portal

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/ticket"
)

// TestAnswers: conditions (chained) decide which fields apply; applying
// required ones must be answered as their type wants; the rest are dropped.
func TestAnswers(t *testing.T) {
	fields := []Asked{
		{FormField: FormField{Key: "order", Required: true}, Def: ticket.Field{Type: "text"}},
		{FormField: FormField{Key: "reason", Required: true}, Def: ticket.Field{Type: "dropdown", Options: []string{"Too small", "Wrong item"}}},
		{FormField: FormField{Key: "item", Required: true, When: &Condition{Field: "reason", Equals: "Wrong item"}}, Def: ticket.Field{Type: "text"}},
		{FormField: FormField{Key: "photo", When: &Condition{Field: "item", Equals: "Scarf"}}, Def: ticket.Field{Type: "checkbox"}},
		{FormField: FormField{Key: "qty"}, Def: ticket.Field{Type: "number"}},
	}
	for _, tc := range []struct {
		name    string
		answers map[string]string
		want    map[string]any
		errs    []string
	}{
		{"nothing", map[string]string{}, map[string]any{}, []string{"custom_fields.order", "custom_fields.reason"}},
		{"too small drops the item", map[string]string{"order": " 5521 ", "reason": "Too small", "item": "Scarf", "photo": "on"},
			map[string]any{"order": "5521", "reason": "Too small"}, nil},
		{"wrong item needs the item", map[string]string{"order": "1", "reason": "Wrong item"}, map[string]any{"order": "1", "reason": "Wrong item"}, []string{"custom_fields.item"}},
		{"chained", map[string]string{"order": "1", "reason": "Wrong item", "item": "Scarf", "photo": "on", "qty": "2,5"},
			map[string]any{"order": "1", "reason": "Wrong item", "item": "Scarf", "photo": true, "qty": 2.5}, nil},
		{"bad values", map[string]string{"order": "1", "reason": "Nope", "qty": "many"}, map[string]any{"order": "1"}, []string{"custom_fields.qty", "custom_fields.reason"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fe := apperr.FieldErrors{}
			got := Answers(fields, tc.answers, fe)
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("values (-want +got):\n%s", d)
			}
			var names []string
			for k := range fe {
				names = append(names, k)
			}
			slices.Sort(names)
			if d := cmp.Diff(tc.errs, names); d != "" {
				t.Errorf("refused fields (-want +got):\n%s", d)
			}
		})
	}
}
