package app

import (
	"context"
	"fmt"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/portal"
	"github.com/ombud/ombud/internal/ticket"
)

// demoForms adds the portal's request forms: "Return or exchange" asks
// for the order number (the demo's own field), a reason and, when the
// reason is "Wrong item", the item received; "Question" asks for nothing
// more than the subject and the description.
func (s *System) demoForms(ctx context.Context) error {
	for i, f := range []ticket.FieldInput{
		{Key: "return_reason", Label: "Return reason", Type: "dropdown", Options: []string{"Too small or too big", "Wrong item", "Damaged", "Changed my mind"}},
		{Key: "item_received", Label: "Item received", Type: "text"},
	} {
		f.Position = 10 + i
		if _, err := s.Tickets.CreateField(ctx, authz.System, f); err != nil {
			return fmt.Errorf("demo field %s: %w", f.Key, err)
		}
	}
	for _, f := range []portal.RequestFormInput{
		{Name: "Return or exchange", Description: "Send back or swap something you bought from us.", Fields: []portal.FormField{
			{Key: "order_number", Required: true, Label: "Order number", Help: "The six digits in your order confirmation."},
			{Key: "return_reason", Required: true, Label: "Why are you sending it back?"},
			{Key: "item_received", Required: true, Label: "Which item did you receive?", Help: "The name on the label.",
				When: &portal.Condition{Field: "return_reason", Equals: "Wrong item"}},
		}},
		{Name: "Question", Description: "Anything else: delivery, billing, your account.", Position: 1},
	} {
		if _, err := s.Portal.CreateForm(ctx, authz.System, f); err != nil {
			return fmt.Errorf("demo form %s: %w", f.Name, err)
		}
	}
	return nil
}
