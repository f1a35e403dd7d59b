package customer_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
)

func list(n int, format string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf(format, i)
	}
	return out
}

func handles(n int) []customer.Identity {
	out := make([]customer.Identity, n)
	for i := range out {
		out[i] = customer.Identity{Type: "chat", Value: fmt.Sprintf("h%d", i)}
	}
	return out
}

// TestListLimits: lists longer than a customer or organization may hold are
// refused naming the field, before the database is touched (the calls get
// an already cancelled context, so any database work would fail otherwise).
func TestListLimits(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		s := svc(d)
		done, cancel := context.WithCancel(context.Background())
		cancel()
		many := 400_000
		tests := []struct {
			name   string
			call   func() error
			fields map[string]string
		}{
			{"emails", func() error {
				_, err := s.Create(done, agent, customer.CustomerInput{Name: "A", Emails: list(many, "u%d@example.com")})
				return err
			}, map[string]string{"emails": "at most 50 items"}},
			{"phones", func() error {
				_, err := s.Create(done, agent, customer.CustomerInput{Phones: list(51, "+4790%06d")})
				return err
			}, map[string]string{"phones": "at most 50 items"}},
			{"handles", func() error {
				_, err := s.Create(done, agent, customer.CustomerInput{Handles: handles(51)})
				return err
			}, map[string]string{"handles": "at most 50 items"}},
			{"identities in all", func() error {
				_, err := s.Create(done, agent, customer.CustomerInput{Emails: list(30, "u%d@example.com"), Handles: handles(21)})
				return err
			}, map[string]string{"emails": customer.IdentitiesInAll, "handles": customer.IdentitiesInAll}},
			{"organization domains", func() error {
				_, err := s.CreateOrganization(done, agent, customer.OrganizationInput{Name: "Big", Domains: list(many, "d%d.example.com")})
				return err
			}, map[string]string{"domains": "at most 100 items"}},
			{"organization patch domains", func() error {
				ds := list(101, "d%d.example.com")
				_, err := s.UpdateOrganization(done, agent, 1, customer.OrganizationPatch{Domains: &ds})
				return err
			}, map[string]string{"domains": "at most 100 items"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := apperr.As(tt.call())
				if e.Code != apperr.CodeInvalid || len(e.Fields) != len(tt.fields) {
					t.Fatalf("got %v, want invalid %v", e, tt.fields)
				}
				for k, v := range tt.fields {
					if e.Fields[k] != v {
						t.Errorf("field %s: %q, want %q", k, e.Fields[k], v)
					}
				}
			})
		}

		ctx := context.Background()
		t.Run("exactly at the limits", func(t *testing.T) {
			c, err := s.Create(ctx, agent, customer.CustomerInput{Emails: list(customer.MaxIdentities, "full%d@example.com")})
			if err != nil || len(c.Identities) != customer.MaxIdentities {
				t.Fatalf("create with %d emails: %d identities, %v", customer.MaxIdentities, len(c.Identities), err)
			}
			if _, err := s.CreateOrganization(ctx, agent, customer.OrganizationInput{Name: "Full", Domains: list(customer.MaxDomains, "f%d.example.com")}); err != nil {
				t.Fatalf("create organization with %d domains: %v", customer.MaxDomains, err)
			}
			// One more identity on a full customer is refused.
			_, err = s.AddIdentity(ctx, agent, c.ID, customer.Identity{Type: "email", Value: "one-more@example.com"})
			if e := apperr.As(err); e.Code != apperr.CodeUnprocessable || e.Fields["value"] != customer.IdentitiesInAll {
				t.Fatalf("add to a full customer: %v", err)
			}
		})
	})
}
