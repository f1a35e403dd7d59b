package blocklist_test

import (
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/blocklist"
	"github.com/ombud/ombud/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func actor(e *apptest.Env, r authz.Role) authz.Actor {
	a := e.Agents[r]
	return authz.Actor{Kind: authz.KindAgent, ID: a.ID, Role: r, Name: a.Name}
}

// TestBlocklist: what may be blocked (addresses, domains; not agents),
// who may block, that a repeat keeps the entry, and what Blocked matches.
func TestBlocklist(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			ctx := t.Context()
			s := e.Sys.Blocklist
			admin := actor(e, authz.Admin)
			for _, c := range []struct {
				value string
				ok    bool
				kind  string
			}{
				{"spam@example.com", true, blocklist.KindAddress},
				{" Bulk@Mailer.example ", true, blocklist.KindAddress},
				{"@junk.example", true, blocklist.KindDomain},
				{"junk2.example", true, blocklist.KindDomain},
				{"", false, ""},
				{"localhost", false, ""},
				{"a b@example.com", false, ""},
				{"Name <x@example.com>", false, ""},
				{"@-bad.example", false, ""},
				{"x@", false, ""},
				{e.Agents[authz.Agent].Email, false, ""},
				{"@ombud.test", false, ""}, // every agent's domain here
			} {
				got, err := s.Add(ctx, admin, blocklist.Input{Value: c.value, Reason: "test"})
				if c.ok != (err == nil) {
					t.Errorf("%q: %v", c.value, err)
					continue
				}
				if !c.ok {
					if apperr.CodeOf(err) != apperr.CodeInvalid || apperr.As(err).Fields["value"] == "" {
						t.Errorf("%q: refused as %v, want an invalid value", c.value, err)
					}
					continue
				}
				if got.Kind != c.kind || got.CreatedBy == nil || *got.CreatedBy != admin.ID || got.ByName == "" {
					t.Errorf("%q: %+v", c.value, got)
				}
			}
			again, err := s.Add(ctx, admin, blocklist.Input{Value: "SPAM@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			list, err := s.List(ctx, admin)
			if err != nil || len(list) != 4 {
				t.Fatalf("list: %d %v", len(list), err)
			}
			if _, err := s.Add(ctx, actor(e, authz.Agent), blocklist.Input{Value: "x@example.org"}); apperr.CodeOf(err) != apperr.CodeForbidden {
				t.Errorf("an agent blocked a sender: %v", err)
			}
			if _, err := s.List(ctx, actor(e, authz.Agent)); apperr.CodeOf(err) != apperr.CodeForbidden {
				t.Errorf("an agent read the block list: %v", err)
			}
			for addr, want := range map[string]bool{
				"spam@example.com": true, "Spam@Example.com": true, "other@example.com": false,
				"anyone@junk.example": true, "anyone@sub.junk.example": false, "bulk@mailer.example": true, "": false, "not-an-address": false,
			} {
				if got, err := blocklist.Blocked(ctx, e.Sys.DB, addr); err != nil || got != want {
					t.Errorf("Blocked(%q) = %v, %v; want %v", addr, got, err, want)
				}
			}
			if err := s.Remove(ctx, actor(e, authz.Manager), again.ID); err != nil {
				t.Fatal(err)
			}
			if got, _ := blocklist.Blocked(ctx, e.Sys.DB, "spam@example.com"); got {
				t.Error("still blocked after removal")
			}
			if err := s.Remove(ctx, admin, again.ID); apperr.CodeOf(err) != apperr.CodeNotFound {
				t.Errorf("removing twice: %v", err)
			}
		})
	}
}
