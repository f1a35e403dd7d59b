package customer_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
)

// TestResolveRequesterBrief: the brief a resolution answers inside its
// transaction is the one Brief reads after the commit — for a new
// customer (name trimmed, or made from the address when empty; the
// organization its domain names), for a known one whatever name the
// caller gave, and for one found by a secondary email (Brief names the
// primary).
func TestResolveRequesterBrief(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := svc(d)
		org, err := s.CreateOrganization(ctx, agent, customer.OrganizationInput{Name: "Fjord Kraft AS", Domains: []string{"fjord.example"}})
		if err != nil {
			t.Fatal(err)
		}
		two, err := s.Create(ctx, agent, customer.CustomerInput{Name: "Kari Two", Emails: []string{"kari@home.example", "kari@work.example"}})
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct{ name, email, given string }{
			{"new", "ny@example.no", "  Ny Kunde  "},
			{"new without a name", "noname@example.no", ""},
			{"new in an organization's domain", "per@fjord.example", "Per"},
			{"known, another name given", "ny@example.no", "Someone Else"},
			{"known by a secondary email", "kari@work.example", "K"},
			{"known, address in another case", "Kari@Home.Example", ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var got customer.Brief
				err := d.Write(ctx, func(tx *db.Tx) error {
					var err error
					got, err = s.ResolveRequesterBrief(ctx, tx, c.email, c.given)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				read, err := s.Brief(ctx, []int64{got.ID})
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(read[got.ID], got); diff != "" {
					t.Errorf("resolution answered (+) what Brief reads (-):\n%s", diff)
				}
			})
		}
		b, err := s.Brief(ctx, []int64{two.ID})
		if err != nil {
			t.Fatal(err)
		}
		if b[two.ID].Email != "kari@home.example" {
			t.Errorf("Brief names %q for Kari, want the primary email", b[two.ID].Email)
		}
		var per customer.Brief
		_ = d.Write(ctx, func(tx *db.Tx) error {
			per, err = s.ResolveRequesterBrief(ctx, tx, "per@fjord.example", "")
			return err
		})
		if per.OrganizationID != org.ID {
			t.Errorf("per's organization %d, want %d", per.OrganizationID, org.ID)
		}
	})
}
