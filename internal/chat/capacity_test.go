package chat_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/chat"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
)

func admin(e *env) authz.Actor {
	return authz.Actor{Kind: authz.KindAgent, ID: e.a.ID, Role: authz.Admin}
}

// chatEvents lists a ticket's chat events as "type agent".
func chatEvents(t *testing.T, e *env, ticketID int64) []string {
	t.Helper()
	rows, err := e.d.QueryContext(context.Background(), `SELECT type, data FROM ticket_events WHERE ticket_id = ? AND type LIKE 'chat_%' ORDER BY seq`, ticketID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var typ, data string
		if err := rows.Scan(&typ, &data); err != nil {
			t.Fatal(err)
		}
		out = append(out, typ)
	}
	return out
}

// TestAgentCapacity: an agent's own limit overrides the default; an agent
// at their limit is not offered another chat; one chat is never offered to
// two agents at once; a timeout re-offers to the next agent; every step is
// an event in the ticket's log.
func TestAgentCapacity(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		st, err := e.svc.PutSettings(ctx, admin(e), chat.SettingsInput{Enabled: true, Color: "#112233", Position: "right",
			Languages: []string{"en", "nb"}, MaxChats: 3, OfferSeconds: 30, AgentLimits: map[int64]int{e.a.ID: 1}})
		if err != nil {
			t.Fatal(err)
		}
		if st.MaxFor(e.a.ID) != 1 || st.MaxFor(e.b.ID) != 3 {
			t.Fatalf("limits %v", st.AgentLimits)
		}
		var data string
		if err := d.QueryRowContext(ctx, `SELECT data FROM audit_log WHERE action = 'chat.settings' ORDER BY id DESC LIMIT 1`).Scan(&data); err != nil ||
			!strings.Contains(data, fmt.Sprintf(`"agent_limits":{"%d":1}`, e.a.ID)) {
			t.Fatalf("audit row %q, %v", data, err)
		}
		if _, err := e.svc.PutSettings(ctx, admin(e), chat.SettingsInput{Enabled: true, Color: "#112233", Position: "right",
			Languages: []string{"en"}, MaxChats: 3, OfferSeconds: 30, AgentLimits: map[int64]int{e.a.ID: 21}}); err == nil {
			t.Fatal("a limit of 21 was accepted")
		}
		// Ingrid takes chat 1 and is full (limit 1): chats 2 to 4 go to
		// Petter (default 3), chat 5 waits.
		s1 := e.start(t, "c1@kunde.example")
		if _, err := e.svc.Accept(ctx, e.a, e.offerID(t, e.a)); err != nil {
			t.Fatal(err)
		}
		var rest []chat.Started
		for i := 2; i <= 5; i++ {
			s := e.start(t, fmt.Sprintf("c%d@kunde.example", i))
			rest = append(rest, s)
			got := e.pending(t, s.Conversation.ID)
			if i <= 4 && (len(got) != 1 || got[0] != e.b.ID) {
				t.Fatalf("chat %d offered to %v, want Petter", i, got)
			}
			if i == 5 && len(got) != 0 {
				t.Fatalf("chat 5 offered to %v while both agents are full", got)
			}
		}
		c, err := e.svc.ConsoleFor(ctx, e.a)
		if err != nil || c.Max != 1 {
			t.Fatalf("console max %d, %v", c.Max, err)
		}
		// Ingrid ends chat 1; Petter lets chat 2's offer time out: the sweep
		// records the miss and offers chat 2 to Ingrid, never to two at once.
		if err := e.svc.AgentEnd(ctx, e.a, s1.Conversation.ID); err != nil {
			t.Fatal(err)
		}
		e.clk.add(31 * time.Second)
		if err := e.svc.Sweep(ctx, e.clk.now()); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM chat_offers WHERE state = 'pending' GROUP BY conversation_id ORDER BY COUNT(*) DESC LIMIT 1`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("most pending offers of one chat: %d, %v", n, err)
		}
		if got := e.pending(t, rest[0].Conversation.ID); len(got) != 1 || got[0] != e.a.ID {
			t.Fatalf("after the timeout chat 2 is offered to %v, want Ingrid", got)
		}
		if got := chatEvents(t, e, s1.Conversation.TicketID); fmt.Sprint(got) != "[chat_offered chat_accepted chat_ended]" {
			t.Fatalf("chat 1 events %v", got)
		}
		if got := chatEvents(t, e, rest[0].Conversation.TicketID); fmt.Sprint(got) != "[chat_offered chat_missed chat_offered]" {
			t.Fatalf("chat 2 events %v", got)
		}
		if err := e.svc.Decline(ctx, e.a, e.offerID(t, e.a)); err != nil {
			t.Fatal(err)
		}
		if got := chatEvents(t, e, rest[0].Conversation.TicketID); fmt.Sprint(got) != "[chat_offered chat_missed chat_offered chat_declined]" {
			t.Fatalf("chat 2 events after decline %v", got)
		}
	})
}

// TestSkillMatching: with skills matched, chats go only to agents with the
// channel:chat skill who speak the chat's language.
func TestSkillMatching(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		if _, err := e.svc.PutSettings(ctx, admin(e), chat.SettingsInput{Enabled: true, Color: "#112233", Position: "right",
			Languages: []string{"en", "nb"}, MaxChats: 3, OfferSeconds: 30, MatchSkills: true}); err != nil {
			t.Fatal(err)
		}
		// Nobody has the chat skill: nothing is offered.
		s1 := e.start(t, "c1@kunde.example")
		if got := e.pending(t, s1.Conversation.ID); len(got) != 0 {
			t.Fatalf("offered to %v without the chat skill", got)
		}
		// Ingrid chats in English only, Petter in any language: a
		// Norwegian chat goes to Petter even though Ingrid is less loaded.
		if err := d.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO agent_skills (agent_id, skill) VALUES (?, 'channel:chat'), (?, 'language:en'), (?, 'channel:chat')`,
				e.a.ID, e.a.ID, e.b.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Sweep(ctx, e.clk.now()); err != nil {
			t.Fatal(err)
		}
		if got := e.pending(t, s1.Conversation.ID); len(got) != 1 || got[0] != e.b.ID {
			t.Fatalf("Norwegian chat offered to %v, want Petter", got)
		}
		s2, err := e.svc.Start(ctx, chat.StartInput{Name: "Sam", Email: "sam@kunde.example", Topic: "Hello", Language: "en"})
		if err != nil {
			t.Fatal(err)
		}
		if got := e.pending(t, s2.Conversation.ID); len(got) != 1 || got[0] != e.a.ID {
			t.Fatalf("English chat offered to %v, want Ingrid", got)
		}
	})
}
