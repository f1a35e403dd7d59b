package chat_test

import (
	"context"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	chatsvc "github.com/ombud/ombud/internal/chat"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestDock: the chat dock is rendered on agent pages with the agent's
// offers and chats (not on the console, not for roles without chat, not
// while chat is off); its state endpoint answers the same as JSON and
// refuses roles without chat.
func TestDock(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			ctx := context.Background()
			ag := e.Agents[authz.Agent]
			agent, collab, qa, admin := webtest.SignIn(t, e, authz.Agent), webtest.SignIn(t, e, authz.Collaborator), webtest.SignIn(t, e, authz.QAReviewer), webtest.SignIn(t, e, authz.Admin)
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "folded while nothing is active", Who: agent, Method: "GET", Path: "/tickets", Status: 200,
					Want: []string{`id="chat-dock" class="chat-dock collapsed"`, `aria-expanded="false"`, `href="/chat">Open the chat console`, "/dock.js"}},
				{Name: "the empty state", Who: agent, Method: "GET", Path: "/chat/dock", Status: 200, Want: []string{`"enabled":true`, `"offers":[]`, `"chats":[]`}},
				{Name: "not on the console", Who: agent, Method: "GET", Path: "/chat", Status: 200, NotWant: []string{`id="chat-dock"`}},
				{Name: "collaborators have no dock", Who: collab, Method: "GET", Path: "/tickets", Status: 200, NotWant: []string{`id="chat-dock"`, "dock.js"}},
				{Name: "nor its state", Who: collab, Method: "GET", Path: "/chat/dock", Status: 403, NotWant: []string{`"chats"`}},
				{Name: "QA reviewers neither", Who: qa, Method: "GET", Path: "/chat/dock", Status: 403},
				{Name: "QA reviewers' pages", Who: qa, Method: "GET", Path: "/tickets", Status: 200, NotWant: []string{`id="chat-dock"`}},
			})

			// Only the agent is online: the chat is offered to them.
			if err := e.Sys.DB.Write(ctx, func(tx *db.Tx) error {
				_, err := tx.ExecContext(ctx, `UPDATE agents SET availability = CASE WHEN id = ? THEN 'online' ELSE 'offline' END`, ag.ID)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			s, err := e.Sys.Chat.Start(ctx, chatsvc.StartInput{Name: "Kari Kunde", Email: "kari@kunde.example", Topic: "Where is my parcel?", Language: "en"})
			if err != nil {
				t.Fatal(err)
			}
			actor := authz.Actor{Kind: authz.KindAgent, ID: ag.ID, Role: authz.Agent, Name: ag.Name}
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "an offer on any page", Who: agent, Method: "GET", Path: "/tickets", Status: 200,
					Want: []string{`id="chat-dock" class="chat-dock"`, `aria-expanded="true"`, "Kari Kunde", "Where is my parcel?", `class="primary accept">Accept`, "Answer within"}},
			})
			d, err := e.Sys.Chat.DockFor(ctx, actor)
			if err != nil || len(d.Offers) != 1 {
				t.Fatalf("dock %+v %v", d, err)
			}
			if _, err := e.Sys.Chat.Accept(ctx, actor, d.Offers[0].ID); err != nil {
				t.Fatal(err)
			}
			if _, err := e.Sys.Chat.VisitorSend(ctx, s.Token, "v-1", "Order 1234"); err != nil {
				t.Fatal(err)
			}
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "the chat with its unread messages", Who: agent, Method: "GET", Path: "/tickets/" + itoa(s.Conversation.TicketID), Status: 200,
					Want: []string{`data-conv="` + itoa(s.Conversation.ID) + `"`, "Kari Kunde", "2 unread", "Waiting for your reply", `<span class="dock-count">1</span>`}},
				{Name: "the state", Who: agent, Method: "GET", Path: "/chat/dock", Status: 200,
					Want: []string{`"visitor_name":"Kari Kunde"`, `"unread":2`, `"waiting":true`, `"offers":[]`}},
				{Name: "someone else's chat is not in the admin's dock", Who: admin, Method: "GET", Path: "/chat/dock", Status: 200, Want: []string{`"chats":[]`}},
			})
			st, err := e.Sys.Chat.Settings(ctx)
			if err != nil {
				t.Fatal(err)
			}
			adm := e.Agents[authz.Admin]
			if _, err := e.Sys.Chat.PutSettings(ctx, authz.Actor{Kind: authz.KindAgent, ID: adm.ID, Role: authz.Admin}, chatsvc.SettingsInput{Enabled: false, Color: st.Color,
				Position: st.Position, Languages: st.Languages, MaxChats: st.MaxChats, OfferSeconds: st.OfferSeconds, UploadTypes: st.UploadTypes, UploadMaxMB: st.UploadMaxMB}); err != nil {
				t.Fatal(err)
			}
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "no dock while chat is off", Who: agent, Method: "GET", Path: "/tickets", Status: 200, NotWant: []string{`id="chat-dock"`}},
				{Name: "an empty state while chat is off", Who: agent, Method: "GET", Path: "/chat/dock", Status: 200, Want: []string{`"enabled":false`, `"chats":[]`}},
			})
		})
	}
}
