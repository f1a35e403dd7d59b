package customer_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/opt"
	"github.com/ombud/ombud/internal/page"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var (
	agent  = authz.Actor{Kind: authz.KindAgent, ID: 1, Role: authz.Agent}
	collab = authz.Actor{Kind: authz.KindAgent, ID: 2, Role: authz.Collaborator}
)

func svc(d *db.DB) *customer.Service {
	return customer.NewService(d, func() time.Time { return time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC) })
}

func TestNormalizeIdentity(t *testing.T) {
	tests := []struct {
		typ, in, want string
		ok            bool
	}{
		{"email", " Ola@Example.NO ", "ola@example.no", true},
		{"email", "Ola <ola@example.no>", "", false},
		{"email", "nope", "", false},
		{"phone", "+47 912 34 567", "+4791234567", true},
		{"phone", "0047 (912) 34-567", "+4791234567", true},
		{"phone", "12", "", false},
		{"twitter", " @ola ", "@ola", true},
		{"fax", "123", "", false},
		{"chat", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.typ+" "+tt.in, func(t *testing.T) {
			got, err := customer.NormalizeIdentity(tt.typ, tt.in)
			if (err == nil) != tt.ok || got != tt.want {
				t.Fatalf("NormalizeIdentity(%q, %q) = %q, %v", tt.typ, tt.in, got, err)
			}
		})
	}
}

func FuzzNormalizeIdentity(f *testing.F) {
	for _, s := range []string{"a@b.no", "+47 1234567", "@x", "", "\x00", "Ola <a@b>"} {
		f.Add("email", s)
		f.Add("phone", s)
		f.Add("chat", s)
	}
	f.Fuzz(func(t *testing.T, typ, v string) {
		n, err := customer.NormalizeIdentity(typ, v)
		if err != nil {
			return
		}
		again, err := customer.NormalizeIdentity(typ, n)
		if err != nil || again != n {
			t.Fatalf("not idempotent: %q → %q → %q (%v)", v, n, again, err)
		}
	})
}

func TestCustomersAndOrganizations(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := svc(d)
		org, err := s.CreateOrganization(ctx, agent, customer.OrganizationInput{Name: "Fjord Kraft AS", Domains: []string{"FJORD.example", "@fjord.example", "kraft.example"}})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"fjord.example", "kraft.example"}, org.Domains); diff != "" {
			t.Fatalf("domains (-want +got):\n%s", diff)
		}
		if _, err := s.CreateOrganization(ctx, agent, customer.OrganizationInput{Name: "Other", Domains: []string{"kraft.example"}}); apperr.As(err).Fields["domains[0]"] == "" {
			t.Fatalf("duplicate domain: %v", err)
		}
		if _, err := s.CreateOrganization(ctx, agent, customer.OrganizationInput{Name: "Fjord Kraft AS"}); !apperr.Is(err, apperr.CodeConflict) {
			t.Fatalf("duplicate name: %v", err)
		}
		// Auto-association by domain.
		c, err := s.Create(ctx, agent, customer.CustomerInput{Emails: []string{"Kari@Fjord.example"}, Phones: []string{"+47 900 00 001"}, Handles: []customer.Identity{{Type: "whatsapp", Value: "kari-w"}}})
		if err != nil {
			t.Fatal(err)
		}
		if c.Name != "kari" || c.Email != "kari@fjord.example" || c.OrganizationID == nil || *c.OrganizationID != org.ID || len(c.Identities) != 3 {
			t.Fatalf("customer %+v", c)
		}
		tests := []struct {
			name  string
			in    customer.CustomerInput
			field string
			code  apperr.Code
		}{
			{"nothing", customer.CustomerInput{}, "name", apperr.CodeInvalid},
			{"bad email", customer.CustomerInput{Emails: []string{"x"}}, "emails[0]", apperr.CodeInvalid},
			{"bad phone", customer.CustomerInput{Name: "A", Phones: []string{"12"}}, "phones[0]", apperr.CodeInvalid},
			{"taken email", customer.CustomerInput{Emails: []string{"kari@fjord.example"}}, "emails[0]", apperr.CodeConflict},
			{"bad handle type", customer.CustomerInput{Name: "A", Handles: []customer.Identity{{Type: "fax", Value: "1"}}}, "handles[0].value", apperr.CodeInvalid},
			{"unknown org", customer.CustomerInput{Name: "A", OrganizationID: ptr(int64(999))}, "organization_id", apperr.CodeInvalid},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := s.Create(ctx, agent, tt.in)
				e := apperr.As(err)
				if e.Code != tt.code || e.Fields[tt.field] == "" {
					t.Fatalf("err = %v, want %s on %s", err, tt.code, tt.field)
				}
			})
		}
		if _, err := s.Create(ctx, collab, customer.CustomerInput{Name: "X"}); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("collaborator create: %v", err)
		}
		if _, err := s.Create(ctx, authz.Actor{}, customer.CustomerInput{Name: "X"}); !apperr.Is(err, apperr.CodeUnauthenticated) {
			t.Fatalf("anonymous create: %v", err)
		}
		up, err := s.Update(ctx, agent, c.ID, customer.CustomerPatch{Name: ptr("Kari Nordmann"), OrganizationID: opt.Null[int64]()})
		if err != nil || up.Name != "Kari Nordmann" || up.OrganizationID != nil {
			t.Fatalf("update %+v %v", up, err)
		}
		// Identities: add, refuse duplicates, keep the last.
		id, err := s.AddIdentity(ctx, agent, c.ID, customer.Identity{Type: "email", Value: "kari2@mail.example"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddIdentity(ctx, agent, c.ID, customer.Identity{Type: "email", Value: "KARI2@mail.example"}); !apperr.Is(err, apperr.CodeConflict) {
			t.Fatalf("duplicate identity: %v", err)
		}
		if err := s.RemoveIdentity(ctx, agent, c.ID, id.ID); err != nil {
			t.Fatal(err)
		}
		// Merge moves identities and calls the ticket hook.
		other, err := s.Create(ctx, agent, customer.CustomerInput{Name: "Kari N.", Emails: []string{"kari@home.example"}, Notes: "prefers phone"})
		if err != nil {
			t.Fatal(err)
		}
		var moved [2]int64
		s.MoveTickets = func(ctx context.Context, tx *db.Tx, from, to int64) error { moved = [2]int64{from, to}; return nil }
		m, err := s.Merge(ctx, agent, c.ID, other.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Identities) != 4 || m.Notes != "prefers phone" || moved != [2]int64{other.ID, c.ID} {
			t.Fatalf("merged %+v moved %v", m, moved)
		}
		if _, err := s.Get(ctx, agent, other.ID); !apperr.Is(err, apperr.CodeNotFound) {
			t.Fatalf("merged customer still there: %v", err)
		}
		// Search and paging.
		l, err := s.List(ctx, agent, customer.Filter{Query: "home.example", Page: page.Request{Limit: 10}})
		if err != nil || len(l.Data) != 1 || l.Data[0].ID != c.ID {
			t.Fatalf("list %+v %v", l, err)
		}
		ol, err := s.ListOrganizations(ctx, agent, customer.OrgFilter{Query: "fjord", Page: page.Request{Limit: 10}})
		if err != nil || len(ol.Data) != 1 {
			t.Fatalf("orgs %+v %v", ol, err)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func TestResolveRequesterConcurrent(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := svc(d)
		var wg sync.WaitGroup
		ids := make([]int64, 20)
		errs := make([]error, 20)
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = d.Write(ctx, func(tx *db.Tx) error {
					var err error
					ids[i], _, err = s.ResolveRequester(ctx, tx, "Same@Example.com", fmt.Sprint("n", i))
					return err
				})
			}()
		}
		wg.Wait()
		for i := range ids {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			if ids[i] != ids[0] {
				t.Fatalf("resolved to %d and %d", ids[0], ids[i])
			}
		}
		var n int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM customers`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("customers = %d (%v)", n, err)
		}
		// Paging walks every row once.
		for i := range 7 {
			if _, err := s.Create(ctx, agent, customer.CustomerInput{Name: fmt.Sprint("P", i)}); err != nil {
				t.Fatal(err)
			}
		}
		seen := map[int64]bool{}
		pr := page.Request{Limit: 3}
		for {
			l, err := s.List(ctx, agent, customer.Filter{Page: pr})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range l.Data {
				if seen[c.ID] {
					t.Fatalf("customer %d twice", c.ID)
				}
				seen[c.ID] = true
			}
			if l.NextCursor == nil {
				break
			}
			pr.Cursor, _ = page.Decode(*l.NextCursor)
		}
		if len(seen) != 8 {
			t.Fatalf("paged %d customers", len(seen))
		}
	})
}
