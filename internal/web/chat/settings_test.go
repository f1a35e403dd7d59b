package chat_test

import (
	"context"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	chatsvc "github.com/ombud/ombud/internal/chat"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestInvitationEditing: an admin changes an invitation rule in the page
// (validated, shown again with what is wrong), switches it off, moves it
// up and down and deletes it; every change is audited; agents may not.
func TestInvitationEditing(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			ctx := context.Background()
			ad := e.Agents[authz.Admin]
			actor := authz.Actor{Kind: authz.KindAgent, ID: ad.ID, Role: authz.Admin, Name: ad.Name}
			a, err := e.Sys.Chat.CreateInvitation(ctx, actor, chatsvc.InvitationInput{Name: "Checkout", URLPattern: "/checkout*", Messages: map[string]string{"en": "Need help?"}})
			if err != nil {
				t.Fatal(err)
			}
			b, err := e.Sys.Chat.CreateInvitation(ctx, actor, chatsvc.InvitationInput{Name: "Big carts", MinCart: 100, Messages: map[string]string{"en": "Questions?"}})
			if err != nil {
				t.Fatal(err)
			}
			admin, agent := webtest.SignIn(t, e, authz.Admin), webtest.SignIn(t, e, authz.Agent)
			ida, idb := itoa(a.ID), itoa(b.ID)
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "the list has change, move and delete", Who: admin, Method: "GET", Path: "/admin/chat", Status: 200,
					Want: []string{`href="/admin/chat?edit=` + ida + `#invitation-form"`, `action="/admin/chat/invitations/` + idb + `/move"`, "Add an invitation",
						"Rules are tried from the top"}},
				{Name: "the edit form", Who: admin, Method: "GET", Path: "/admin/chat?edit=" + ida, Status: 200,
					Want: []string{"Change the invitation", `action="/admin/chat/invitations/` + ida + `"`, `value="/checkout*"`, `value="Need help?"`,
						`id="i-enabled" name="enabled" checked`, `id="invitation-save"`}},
				{Name: "an unknown rule", Who: admin, Method: "GET", Path: "/admin/chat?edit=9999", Status: 404},
				{Name: "a bad id", Who: admin, Method: "GET", Path: "/admin/chat?edit=x", Status: 400},
				{Name: "refused", Who: admin, Method: "POST", Path: "/admin/chat/invitations/" + ida,
					Form: webtest.Vals("edit_form", "1", "enabled", "on", "name", "Checkout", "min_seconds", "99999", "language", "nb", "message_en", "Need help?"), Status: 422,
					Want: []string{"Check the invitation.", "must be 0 to 3600 seconds", "Change the invitation", `value="99999"`, "is required for the rule&#39;s language"}},
				{Name: "agents may not", Who: agent, Method: "POST", Path: "/admin/chat/invitations/" + ida,
					Form: webtest.Vals("edit_form", "1", "name", "X", "message_en", "Hi"), Status: 403},
				{Name: "changed and off", Who: admin, Method: "POST", Path: "/admin/chat/invitations/" + ida,
					Form:   webtest.Vals("edit_form", "1", "name", "Checkout help", "min_seconds", "30", "url_pattern", "/pay*", "message_en", "Help with paying?", "message_nb", "Hjelp med betalingen?"),
					Status: 303, Location: "/admin/chat?invitation=saved"},
				{Name: "as changed", Who: admin, Method: "GET", Path: "/admin/chat?invitation=saved", Status: 200,
					Want: []string{"Invitation saved.", "Checkout help", "30 s on the page", "Page: /pay*"}},
				{Name: "moved down", Who: admin, Method: "POST", Path: "/admin/chat/invitations/" + ida + "/move", Form: webtest.Vals("direction", "down"), Status: 303,
					Location: "/admin/chat?invitation=moved"},
				{Name: "a bad direction", Who: admin, Method: "POST", Path: "/admin/chat/invitations/" + ida + "/move", Form: webtest.Vals("direction", "left"), Status: 400},
				{Name: "agents may not move", Who: agent, Method: "POST", Path: "/admin/chat/invitations/" + ida + "/move", Form: webtest.Vals("direction", "up"), Status: 403},
				{Name: "deleted", Who: admin, Method: "POST", Path: "/admin/chat/invitations/" + idb + "/delete", Status: 303},
			})
			got, err := e.Sys.Chat.Invitation(ctx, actor, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Enabled || got.MinSeconds != 30 || got.URLPattern != "/pay*" || got.Messages["nb"] != "Hjelp med betalingen?" {
				t.Fatalf("saved %+v", got)
			}
			var n int
			if err := e.Sys.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action IN ('chat_invitation.update', 'chat_invitation.move', 'chat_invitation.delete')`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 3 {
				t.Fatalf("%d audit rows, want 3", n)
			}
		})
	}
}
