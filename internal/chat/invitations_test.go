package chat_test

import (
	"context"
	"testing"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/chat"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
)

// TestInvitations: rules are validated, written by admins only (audited),
// sent to the widget in the visitor's language, and count what visitors
// did with them.
func TestInvitations(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		admin := authz.Actor{Kind: authz.KindAgent, ID: e.a.ID, Role: authz.Admin, Name: "Ingrid"}
		for name, in := range map[string]chat.InvitationInput{
			"no name":      {Messages: map[string]string{"en": "Hi"}},
			"no message":   {Name: "Cart"},
			"bad language": {Name: "Cart", Language: "de", Messages: map[string]string{"en": "Hi"}},
			"lang missing": {Name: "Cart", Language: "nb", Messages: map[string]string{"en": "Hi"}},
			"seconds":      {Name: "Cart", MinSeconds: -1, Messages: map[string]string{"en": "Hi"}},
			"cart":         {Name: "Cart", MinCart: -5, Messages: map[string]string{"en": "Hi"}},
			"pattern":      {Name: "Cart", URLPattern: "/a b", Messages: map[string]string{"en": "Hi"}},
		} {
			if _, err := e.svc.CreateInvitation(ctx, admin, in); !apperr.Is(err, apperr.CodeInvalid) {
				t.Fatalf("%s: %v", name, err)
			}
		}
		in := chat.InvitationInput{Name: "Big carts", MinSeconds: 5, URLPattern: "/checkout*", MinCart: 100,
			Messages: map[string]string{"en": "Need help with your order?", "nb": "Trenger du hjelp med bestillingen?"}}
		if _, err := e.svc.CreateInvitation(ctx, e.a, in); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("agent created a rule: %v", err)
		}
		v, err := e.svc.CreateInvitation(ctx, admin, in)
		if err != nil {
			t.Fatal(err)
		}
		sv, err := e.svc.CreateInvitation(ctx, admin, chat.InvitationInput{Name: "Swedish", Language: "sv", Messages: map[string]string{"sv": "Hej!"}})
		if err != nil {
			t.Fatal(err)
		}
		for lang, want := range map[string]string{"nb": "Trenger du hjelp med bestillingen?", "da": "Need help with your order?"} {
			ws, err := e.svc.WidgetInvitations(ctx, lang)
			if err != nil {
				t.Fatal(err)
			}
			if len(ws) != 1 || ws[0].Message != want || ws[0].MinCart != 100 || ws[0].URLPattern != "/checkout*" {
				t.Fatalf("%s: %+v", lang, ws)
			}
		}
		if ws, _ := e.svc.WidgetInvitations(ctx, "sv"); len(ws) != 2 {
			t.Fatalf("sv: %+v", ws)
		}
		for _, ev := range []string{"shown", "shown", "dismissed", "accepted"} {
			if err := e.svc.CountInvitation(ctx, v.ID, ev); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.svc.CountInvitation(ctx, v.ID, "clicked"); !apperr.Is(err, apperr.CodeInvalid) {
			t.Fatalf("bad event: %v", err)
		}
		off := false
		if _, err := e.svc.UpdateInvitation(ctx, admin, sv.ID, chat.InvitationPatch{Enabled: &off}); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.CountInvitation(ctx, sv.ID, "shown"); !apperr.Is(err, apperr.CodeNotFound) {
			t.Fatalf("count on a disabled rule: %v", err)
		}
		if ws, _ := e.svc.WidgetInvitations(ctx, "sv"); len(ws) != 1 {
			t.Fatalf("disabled rule sent: %+v", ws)
		}
		got, err := e.svc.Invitation(ctx, admin, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Shown != 2 || got.Dismissed != 1 || got.Accepted != 1 {
			t.Fatalf("counts %+v", got)
		}
		if err := e.svc.DeleteInvitation(ctx, admin, v.ID); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action LIKE 'chat_invitation.%'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 4 {
			t.Fatalf("%d audit rows, want 4", n)
		}
	})
}

// TestMoveInvitation: rules keep the order an admin sets (the widget tries
// them in it); moving past either end changes nothing; agents may not.
func TestMoveInvitation(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		admin := authz.Actor{Kind: authz.KindAgent, ID: e.a.ID, Role: authz.Admin, Name: "Ingrid"}
		var ids []int64
		for _, n := range []string{"A", "B", "C"} {
			v, err := e.svc.CreateInvitation(ctx, admin, chat.InvitationInput{Name: n, Messages: map[string]string{"en": "Hi " + n}})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, v.ID)
		}
		order := func() string {
			vs, err := e.svc.Invitations(ctx, admin)
			if err != nil {
				t.Fatal(err)
			}
			s := ""
			for _, v := range vs {
				s += v.Name
			}
			ws, err := e.svc.WidgetInvitations(ctx, "en")
			if err != nil {
				t.Fatal(err)
			}
			w := ""
			for _, v := range ws {
				w += v.Message[len(v.Message)-1:]
			}
			if w != s {
				t.Fatalf("widget order %s, settings order %s", w, s)
			}
			return s
		}
		steps := []struct {
			id  int64
			dir string
			ok  bool
			out string
		}{
			{ids[2], "up", true, "ACB"}, {ids[2], "up", true, "CAB"}, {ids[2], "up", true, "CAB"},
			{ids[0], "down", true, "CBA"}, {ids[0], "down", true, "CBA"}, {ids[1], "sideways", false, "CBA"},
		}
		for _, s := range steps {
			err := e.svc.MoveInvitation(ctx, admin, s.id, s.dir)
			if (err == nil) != s.ok {
				t.Fatalf("move %d %s: %v", s.id, s.dir, err)
			}
			if got := order(); got != s.out {
				t.Fatalf("move %d %s: %s, want %s", s.id, s.dir, got, s.out)
			}
		}
		if err := e.svc.MoveInvitation(ctx, e.a, ids[0], "up"); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("agent moved a rule: %v", err)
		}
		if err := e.svc.MoveInvitation(ctx, admin, 9999, "up"); !apperr.Is(err, apperr.CodeNotFound) {
			t.Fatalf("unknown rule: %v", err)
		}
		var n int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'chat_invitation.move'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 3 {
			t.Fatalf("%d move audit rows, want 3 (moves that changed the order)", n)
		}
	})
}

// TestReorderInvitations: an admin sets the whole order at once (the JSON
// API); the list must name every rule once, a refused list changes
// nothing, agents may not, and a change is audited.
func TestReorderInvitations(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		admin := authz.Actor{Kind: authz.KindAgent, ID: e.a.ID, Role: authz.Admin, Name: "Ingrid"}
		var ids []int64
		for _, n := range []string{"A", "B", "C"} {
			v, err := e.svc.CreateInvitation(ctx, admin, chat.InvitationInput{Name: n, Messages: map[string]string{"en": "Hi " + n}})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, v.ID)
		}
		a, b, c := ids[0], ids[1], ids[2]
		names := func(vs []chat.Invitation) string {
			s := ""
			for _, v := range vs {
				s += v.Name
			}
			return s
		}
		widget := func() string {
			ws, err := e.svc.WidgetInvitations(ctx, "en")
			if err != nil {
				t.Fatal(err)
			}
			s := ""
			for _, w := range ws {
				s += w.Message[len(w.Message)-1:]
			}
			return s
		}
		tests := []struct {
			name  string
			actor authz.Actor
			ids   []int64
			code  apperr.Code // "" = ok
			want  string      // the order afterwards
		}{
			{"reversed", admin, []int64{c, b, a}, "", "CBA"},
			{"same again", admin, []int64{c, b, a}, "", "CBA"},
			{"empty", admin, nil, apperr.CodeInvalid, "CBA"},
			{"missing one", admin, []int64{a, b}, apperr.CodeInvalid, "CBA"},
			{"twice", admin, []int64{a, b, b}, apperr.CodeInvalid, "CBA"},
			{"unknown", admin, []int64{a, b, c, 9999}, apperr.CodeInvalid, "CBA"},
			{"agent", e.a, []int64{a, b, c}, apperr.CodeForbidden, "CBA"},
			{"back", admin, []int64{a, c, b}, "", "ACB"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := e.svc.ReorderInvitations(ctx, tt.actor, chat.InvitationOrder{IDs: tt.ids})
				if tt.code == "" {
					if err != nil {
						t.Fatal(err)
					}
					if names(got) != tt.want {
						t.Fatalf("returned %s, want %s", names(got), tt.want)
					}
				} else {
					if !apperr.Is(err, tt.code) {
						t.Fatalf("err %v, want %s", err, tt.code)
					}
					if tt.code == apperr.CodeInvalid {
						if fe := apperr.As(err); fe == nil || fe.Fields["ids"] == "" {
							t.Fatalf("the error does not name the field ids: %v", err)
						}
					}
				}
				all, err := e.svc.Invitations(ctx, admin)
				if err != nil {
					t.Fatal(err)
				}
				if names(all) != tt.want || widget() != tt.want {
					t.Fatalf("order %s, widget %s, want %s", names(all), widget(), tt.want)
				}
				for k, v := range all {
					if v.Position != k+1 {
						t.Fatalf("positions not 1…n: %+v", all)
					}
				}
			})
		}
		var n int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'chat_invitation.reorder'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Fatalf("%d reorder audit rows, want 2 (the changes)", n)
		}
	})
}
