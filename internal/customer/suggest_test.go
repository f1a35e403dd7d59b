package customer_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
)

// TestSuggest: what an agent has typed so far — part of a name, of an
// email, of a phone number in any format — offers the customers it fits.
func TestSuggest(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		s := svc(d)
		ctx := context.Background()
		mk := func(in customer.CustomerInput) int64 {
			c, err := s.Create(ctx, agent, in)
			if err != nil {
				t.Fatal(err)
			}
			return c.ID
		}
		kari := mk(customer.CustomerInput{Name: "Kari Bakken", Emails: []string{"kari.bakken@fjordkraft.no"}, Phones: []string{"+47 912 34 567"}})
		karl := mk(customer.CustomerInput{Name: "Karl Bakke", Emails: []string{"karl@example.se"}})
		per := mk(customer.CustomerInput{Name: "Per Lund", Phones: []string{"+46 70 123 45 67"}})
		for i := range 8 {
			mk(customer.CustomerInput{Name: fmt.Sprintf("Kunde %d", i), Emails: []string{fmt.Sprintf("kunde%d@example.no", i)}})
		}
		tests := []struct {
			text string
			want []int64
		}{
			{"Kari Bak", []int64{kari}},
			{"bakk", []int64{karl, kari}}, // newest first
			{"kar", []int64{kari, karl}},  // email prefixes first
			{"kari.bakken@fjordkraft.no", []int64{kari}},
			{"KARL@", []int64{karl}},
			{"+47 912", []int64{kari}},
			{"+47 912 34 567", []int64{kari}},
			{"912 34 567", []int64{kari}},     // without country code
			{"070-123 45 67", []int64{per}},   // national format with trunk zero
			{"kunde", []int64{4, 5, 6, 7, 8}}, // email prefixes in order, then stop at 5
			{"k", nil},                        // too short to ask
			{"", nil},
			{"nobody", nil},
			{`"; DROP TABLE customers; --`, nil},
		}
		for _, tt := range tests {
			t.Run(tt.text, func(t *testing.T) {
				got, err := s.Suggest(ctx, agent, tt.text, 5)
				if err != nil {
					t.Fatal(err)
				}
				var ids []int64
				for _, g := range got {
					ids = append(ids, g.ID)
				}
				if diff := cmp.Diff(tt.want, ids); diff != "" {
					t.Fatalf("Suggest(%q) (-want +got):\n%s", tt.text, diff)
				}
			})
		}
		got, err := s.Suggest(ctx, agent, "Kari", 5)
		if err != nil || len(got) == 0 || got[0] != (customer.Suggestion{ID: kari, Name: "Kari Bakken", Email: "kari.bakken@fjordkraft.no", Phone: "+4791234567"}) {
			t.Fatalf("suggestion %+v %v", got, err)
		}
	})
}
