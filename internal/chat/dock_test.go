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

// TestDock: the dock lists the agent's offer, then the accepted chat with
// the visitor's unread messages and whether they wait for an answer; a
// reply and a read mark clear both; roles without chat get forbidden; with
// chat switched off the dock is empty.
func TestDock(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		s := e.start(t, "kari@kunde.example")
		dock := func(a authz.Actor) chat.Dock {
			t.Helper()
			k, err := e.svc.DockFor(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			return k
		}
		k := dock(e.a)
		if !k.Enabled || len(k.Offers) != 1 || len(k.Chats) != 0 || k.Offers[0].VisitorName != "Kari" || !k.Active() {
			t.Fatalf("offered: %+v", k)
		}
		if k := dock(e.b); len(k.Offers) != 0 || k.Active() {
			t.Fatalf("the other agent: %+v", k)
		}
		if _, err := e.svc.Accept(ctx, e.a, k.Offers[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.VisitorSend(ctx, s.Token, "v-1", "Order 1234"); err != nil {
			t.Fatal(err)
		}
		k = dock(e.a)
		if len(k.Chats) != 1 || len(k.Offers) != 0 {
			t.Fatalf("accepted: %+v", k)
		}
		c := k.Chats[0]
		if c.ID != s.Conversation.ID || c.Unread != 2 || !c.Waiting || k.Unread() != 2 || c.VisitorName != "Kari" {
			t.Fatalf("chat: %+v", c)
		}
		m, err := e.svc.AgentSend(ctx, e.a, c.ID, "a-1", "Let me look")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.AgentRead(ctx, e.a, c.ID, m.Seq); err != nil {
			t.Fatal(err)
		}
		if c := dock(e.a).Chats[0]; c.Unread != 0 || c.Waiting || c.LastSeq != m.Seq {
			t.Fatalf("after reply: %+v", c)
		}
		for _, role := range []authz.Role{authz.QAReviewer, authz.Collaborator} {
			if _, err := e.svc.DockFor(ctx, authz.Actor{Kind: authz.KindAgent, ID: e.a.ID, Role: role}); !apperr.Is(err, apperr.CodeForbidden) {
				t.Fatalf("%s: %v", role, err)
			}
		}
		st, _ := e.svc.Settings(ctx)
		if _, err := e.svc.PutSettings(ctx, adminActor(), chat.SettingsInput{Enabled: false, Color: st.Color, Position: st.Position, Languages: st.Languages,
			MaxChats: st.MaxChats, OfferSeconds: st.OfferSeconds, UploadTypes: st.UploadTypes, UploadMaxMB: st.UploadMaxMB}); err != nil {
			t.Fatal(err)
		}
		if k := dock(e.a); k.Enabled || k.Active() {
			t.Fatalf("chat off: %+v", k)
		}
	})
}
