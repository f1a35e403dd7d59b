package chat_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/chat"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/live"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/richtext"
	"github.com/ombud/ombud/internal/ticket"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type requesters struct{ c *customer.Service }

func (r requesters) ResolveRequester(ctx context.Context, tx *db.Tx, email, name string) (int64, int64, error) {
	return r.c.ResolveRequester(ctx, tx, email, name)
}

func (r requesters) Brief(ctx context.Context, ids []int64) (map[int64]ticket.CustomerBrief, error) {
	return map[int64]ticket.CustomerBrief{}, nil
}

// hub records what the service announces, and checks each announcement
// comes after the change is visible to another reader (after commit).
type hub struct {
	mu     sync.Mutex
	d      *db.DB
	events []live.Event
	early  []string
}

func (h *hub) Publish(e live.Event) {
	if e.Types[0] == "message" {
		var n int
		_ = h.d.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM chat_messages m JOIN chat_conversations c ON c.id = m.conversation_id
			WHERE c.ticket_id = ? AND m.seq = ?`, e.TicketID, e.Version).Scan(&n)
		if n != 1 {
			h.mu.Lock()
			h.early = append(h.early, fmt.Sprintf("ticket %d seq %d announced before commit", e.TicketID, e.Version))
			h.mu.Unlock()
		}
	}
	h.mu.Lock()
	h.events = append(h.events, e)
	h.mu.Unlock()
}

type env struct {
	d       *db.DB
	clk     *clock
	svc     *chat.Service
	tickets *ticket.Service
	hub     *hub
	a, b    authz.Actor // two agents
}

func setup(t *testing.T, d *db.DB) *env {
	t.Helper()
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	tickets := ticket.NewService(d, clk.now, requesters{customer.NewService(d, clk.now)}, richtext.New())
	h := &hub{d: d}
	svc := chat.NewService(d, clk.now, tickets, h, slog.New(slog.DiscardHandler))
	var a, b int64
	err := d.Write(ctx, func(tx *db.Tx) error {
		var err error
		if a, err = tx.InsertID(ctx, `INSERT INTO agents (email, name, role, availability, created_at, updated_at) VALUES ('ingrid@ombud.test', 'Ingrid', 'agent', 'online', 1, 1)`); err != nil {
			return err
		}
		b, err = tx.InsertID(ctx, `INSERT INTO agents (email, name, role, availability, created_at, updated_at) VALUES ('petter@ombud.test', 'Petter', 'agent', 'online', 1, 1)`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return &env{d: d, clk: clk, svc: svc, tickets: tickets, hub: h,
		a: authz.Actor{Kind: authz.KindAgent, ID: a, Role: authz.Agent, Name: "Ingrid"},
		b: authz.Actor{Kind: authz.KindAgent, ID: b, Role: authz.Agent, Name: "Petter"}}
}

func (e *env) start(t *testing.T, email string) chat.Started {
	t.Helper()
	s, err := e.svc.Start(context.Background(), chat.StartInput{Name: "Kari", Email: email, Topic: "Where is my parcel?", Language: "nb",
		Page: "https://shop.example/cart", Referrer: "https://search.example/"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// pending lists the agents a conversation is offered to right now.
func (e *env) pending(t *testing.T, convID int64) []int64 {
	t.Helper()
	rows, err := e.d.QueryContext(context.Background(), `SELECT agent_id FROM chat_offers WHERE conversation_id = ? AND state = 'pending' ORDER BY id`, convID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

func (e *env) offerID(t *testing.T, agent authz.Actor) int64 {
	t.Helper()
	c, err := e.svc.ConsoleFor(context.Background(), agent)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Offers) != 1 {
		t.Fatalf("%s has %d offers, want 1", agent.Name, len(c.Offers))
	}
	return c.Offers[0].ID
}

// TestSendResume: a message is acknowledged once stored; resending it with
// the same client id returns the stored one; resuming after any sequence
// returns exactly the messages after it; every text is a ticket comment.
func TestSendResume(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		s := e.start(t, "kari@kunde.example")
		m1, err := e.svc.VisitorSend(ctx, s.Token, "c-1", "Order 1234")
		if err != nil {
			t.Fatal(err)
		}
		again, err := e.svc.VisitorSend(ctx, s.Token, "c-1", "Order 1234")
		if err != nil {
			t.Fatal(err)
		}
		if again.Seq != m1.Seq || again.ClientID != "c-1" {
			t.Fatalf("resend: %+v, first %+v", again, m1)
		}
		offer := e.offerID(t, e.a)
		if _, err := e.svc.Accept(ctx, e.a, offer); err != nil {
			t.Fatal(err)
		}
		r, err := e.svc.AgentSend(ctx, e.a, s.Conversation.ID, "c-1", "Let me look")
		if err != nil {
			t.Fatal(err)
		}
		m2, err := e.svc.VisitorSend(ctx, s.Token, "c-2", "Thanks")
		if err != nil {
			t.Fatal(err)
		}
		_, all, err := e.svc.Resume(ctx, s.Token, 0)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range all {
			got = append(got, fmt.Sprintf("%d %s %s %s", m.Seq, m.Author, m.Kind, m.Body))
		}
		want := []string{"1 visitor text Where is my parcel?", "2 visitor text Order 1234", "3 system joined joined", "4 agent text Let me look", "5 visitor text Thanks"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("messages:\n%v\nwant\n%v", got, want)
		}
		if r.AgentName != "Ingrid" || r.ClientID != "c-1" || m2.Seq != 5 {
			t.Fatalf("agent reply %+v, visitor %+v", r, m2)
		}
		for after := int64(0); after <= 5; after++ {
			_, tail, err := e.svc.Resume(ctx, s.Token, after)
			if err != nil {
				t.Fatal(err)
			}
			if int64(len(tail)) != 5-after || (len(tail) > 0 && tail[0].Seq != after+1) {
				t.Fatalf("resume after %d: %d messages", after, len(tail))
			}
		}
		cs, err := e.tickets.ListComments(ctx, e.a, s.Conversation.TicketID, page.Request{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var bodies []string
		for _, c := range cs.Data {
			bodies = append(bodies, c.Body)
		}
		if fmt.Sprint(bodies) != "[Where is my parcel? Order 1234 Let me look Thanks]" {
			t.Fatalf("ticket comments %v", bodies)
		}
		tk, err := e.tickets.Get(ctx, e.a, s.Conversation.TicketID)
		if err != nil {
			t.Fatal(err)
		}
		if tk.Channel != "chat" || tk.AssigneeID == nil || *tk.AssigneeID != e.a.ID {
			t.Fatalf("ticket channel %q assignee %v", tk.Channel, tk.AssigneeID)
		}
		if len(e.hub.early) > 0 {
			t.Fatalf("announced before commit: %v", e.hub.early)
		}
	})
}

// TestAckAfterCommit: a refused message is neither stored nor announced,
// and every announced message is readable by another connection.
func TestAckAfterCommit(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		s := e.start(t, "kari@kunde.example")
		if err := e.svc.VisitorEnd(ctx, s.Token); err != nil {
			t.Fatal(err)
		}
		before := len(e.hub.events)
		if _, err := e.svc.VisitorSend(ctx, s.Token, "late", "Hello?"); !apperr.Is(err, apperr.CodeConflict) {
			t.Fatalf("send to an ended chat: %v", err)
		}
		if len(e.hub.events) != before {
			t.Fatalf("a refused message was announced: %v", e.hub.events[before:])
		}
		_, all, _ := e.svc.Resume(ctx, s.Token, 0)
		if len(all) != 2 || all[1].Kind != chat.KindEnded {
			t.Fatalf("messages %+v", all)
		}
		if len(e.hub.early) > 0 {
			t.Fatalf("announced before commit: %v", e.hub.early)
		}
	})
}

// TestTokenScoping: a visitor's token reaches their own conversation only;
// an agent cannot write in another agent's chat.
func TestTokenScoping(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		s1 := e.start(t, "kari@kunde.example")
		s2 := e.start(t, "ola@kunde.example")
		if s1.Token == s2.Token || s1.Conversation.ID == s2.Conversation.ID {
			t.Fatal("two visitors share a conversation")
		}
		if _, err := e.svc.VisitorSend(ctx, s2.Token, "x", "mine"); err != nil {
			t.Fatal(err)
		}
		c, ms, err := e.svc.Resume(ctx, s1.Token, 0)
		if err != nil {
			t.Fatal(err)
		}
		if c.ID != s1.Conversation.ID || len(ms) != 1 {
			t.Fatalf("visitor 1 sees conversation %d with %d messages", c.ID, len(ms))
		}
		for _, tok := range []string{"", "nope", s1.Token + "x", s1.Token[:10]} {
			if _, _, err := e.svc.Resume(ctx, tok, 0); !apperr.Is(err, apperr.CodeUnauthenticated) {
				t.Fatalf("token %q: %v", tok, err)
			}
			if _, err := e.svc.VisitorSend(ctx, tok, "y", "hi"); !apperr.Is(err, apperr.CodeUnauthenticated) {
				t.Fatalf("send with token %q: %v", tok, err)
			}
		}
		// Ingrid takes chat 1; Petter may not write in it.
		for _, id := range []int64{e.offerID(t, e.a)} {
			if _, err := e.svc.Accept(ctx, e.a, id); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.svc.AgentSend(ctx, e.b, s1.Conversation.ID, "z", "hijack"); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("another agent's chat: %v", err)
		}
		if _, err := e.svc.Accept(ctx, e.a, e.offerID(t, e.b)); !apperr.Is(err, apperr.CodeNotFound) {
			t.Fatalf("accepting another agent's offer: %v", err)
		}
	})
}

// TestOffers: a chat is offered to one agent at a time, never beyond an
// agent's capacity; a decline or timeout offers it to the next agent;
// concurrent sweeps never make a second pending offer.
func TestOffers(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		if _, err := e.svc.PutSettings(ctx, authz.Actor{Kind: authz.KindAgent, ID: e.a.ID, Role: authz.Admin}, chat.SettingsInput{
			Enabled: true, Color: "#112233", Position: "right", Languages: []string{"en", "nb"}, MaxChats: 1, OfferSeconds: 30}); err != nil {
			t.Fatal(err)
		}
		s1 := e.start(t, "kari@kunde.example")
		if got := e.pending(t, s1.Conversation.ID); len(got) != 1 || got[0] != e.a.ID {
			t.Fatalf("first offer to %v, want Ingrid %d", got, e.a.ID)
		}
		// Both agents hold one slot each now (Ingrid's pending offer counts).
		s2 := e.start(t, "ola@kunde.example")
		if got := e.pending(t, s2.Conversation.ID); len(got) != 1 || got[0] != e.b.ID {
			t.Fatalf("second chat offered to %v, want Petter %d", got, e.b.ID)
		}
		s3 := e.start(t, "siri@kunde.example")
		if got := e.pending(t, s3.Conversation.ID); len(got) != 0 {
			t.Fatalf("third chat offered to %v while everyone is full", got)
		}
		var wg sync.WaitGroup
		for range 6 {
			wg.Add(1)
			go func() { defer wg.Done(); _ = e.svc.Sweep(ctx, e.clk.now()) }()
		}
		wg.Wait()
		for _, s := range []chat.Started{s1, s2, s3} {
			if got := e.pending(t, s.Conversation.ID); len(got) > 1 {
				t.Fatalf("conversation %d offered to %v at once", s.Conversation.ID, got)
			}
		}
		// Ingrid declines chat 1: Petter is full, so it waits; Petter
		// lets his offer time out: chat 2 goes to Ingrid, chat 1 to Petter.
		if err := e.svc.Decline(ctx, e.a, e.offerID(t, e.a)); err != nil {
			t.Fatal(err)
		}
		if got := e.pending(t, s1.Conversation.ID); len(got) != 0 {
			t.Fatalf("declined chat offered to %v", got)
		}
		e.clk.add(31 * time.Second)
		if err := e.svc.Sweep(ctx, e.clk.now()); err != nil {
			t.Fatal(err)
		}
		if got := e.pending(t, s1.Conversation.ID); len(got) != 1 || got[0] != e.b.ID {
			t.Fatalf("after the timeout chat 1 is offered to %v, want Petter", got)
		}
		if got := e.pending(t, s2.Conversation.ID); len(got) != 1 || got[0] != e.a.ID {
			t.Fatalf("after the timeout chat 2 is offered to %v, want Ingrid", got)
		}
		if err := e.svc.Decline(ctx, e.b, e.offerID(t, e.b)); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Accept(ctx, e.a, e.offerID(t, e.a)); err != nil {
			t.Fatal(err)
		}
		// Ingrid is full with chat 2; Petter declined 1 lately: chat 1 and 3 wait,
		// chat 3 goes to Petter.
		if err := e.svc.Sweep(ctx, e.clk.now()); err != nil {
			t.Fatal(err)
		}
		if got := e.pending(t, s3.Conversation.ID); len(got) != 1 || got[0] != e.b.ID {
			t.Fatalf("chat 3 offered to %v, want Petter", got)
		}
		// An offer past its time cannot be accepted.
		e.clk.add(31 * time.Second)
		if _, err := e.svc.Accept(ctx, e.b, pendingOffer(t, e, s3.Conversation.ID)); !apperr.Is(err, apperr.CodeConflict) {
			t.Fatalf("late accept: %v", err)
		}
	})
}

func pendingOffer(t *testing.T, e *env, convID int64) int64 {
	t.Helper()
	var id int64
	if err := e.d.QueryRowContext(context.Background(), `SELECT id FROM chat_offers WHERE conversation_id = ? AND state = 'pending'`, convID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestTransfer: the agent hands the chat to a colleague with a note; it is
// offered to them, the note is an internal note on the ticket, and the
// ticket follows whoever accepts.
func TestTransfer(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		s := e.start(t, "kari@kunde.example")
		if _, err := e.svc.Accept(ctx, e.a, e.offerID(t, e.a)); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Transfer(ctx, e.a, s.Conversation.ID, e.a.ID, 0, ""); !apperr.Is(err, apperr.CodeInvalid) {
			t.Fatalf("transfer to oneself: %v", err)
		}
		if err := e.svc.Transfer(ctx, e.a, s.Conversation.ID, e.b.ID, 0, "Wants a refund: Petter knows the case"); err != nil {
			t.Fatal(err)
		}
		con, err := e.svc.ConsoleFor(ctx, e.b)
		if err != nil {
			t.Fatal(err)
		}
		if len(con.Offers) != 1 || con.Offers[0].Note != "Wants a refund: Petter knows the case" || con.Offers[0].From != "Ingrid" {
			t.Fatalf("Petter's offers %+v", con.Offers)
		}
		if _, err := e.svc.AgentSend(ctx, e.a, s.Conversation.ID, "late", "still here?"); err == nil {
			t.Fatal("the first agent still writes after the transfer")
		}
		c, err := e.svc.Accept(ctx, e.b, con.Offers[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.AgentID != e.b.ID || c.State != chat.StateActive {
			t.Fatalf("after the transfer %+v", c)
		}
		cs, err := e.tickets.ListComments(ctx, e.b, s.Conversation.TicketID, page.Request{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		last := cs.Data[len(cs.Data)-1]
		if last.Public || last.Body != "Wants a refund: Petter knows the case" {
			t.Fatalf("transfer note %+v", last)
		}
		tk, _ := e.tickets.Get(ctx, e.b, s.Conversation.TicketID)
		if tk.AssigneeID == nil || *tk.AssigneeID != e.b.ID {
			t.Fatalf("assignee %v", tk.AssigneeID)
		}
	})
}

// TestIdentityAndLeaveMessage: a signed identity is trusted, a bad one is
// refused; a message left outside hours is an email ticket.
func TestIdentityAndLeaveMessage(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		secret := "a-long-shared-secret-123"
		if _, err := e.svc.PutSettings(ctx, authz.Actor{Kind: authz.KindAgent, ID: e.a.ID, Role: authz.Admin}, chat.SettingsInput{
			Enabled: true, Color: "#112233", Position: "left", Languages: []string{"en"}, MaxChats: 3, OfferSeconds: 30, IdentitySecret: &secret,
			AllowedOrigins: []string{"https://Shop.example/"}}); err != nil {
			t.Fatal(err)
		}
		st, _ := e.svc.Settings(ctx)
		if !st.OriginAllowed("https://shop.example") || st.OriginAllowed("https://evil.example") {
			t.Fatalf("origins %v", st.AllowedOrigins)
		}
		in := chat.StartInput{Topic: "Account question", Identity: &chat.Identity{Email: "vip@kunde.example", Name: "Vera", Hash: chat.Sign(secret, "vip@kunde.example")}}
		s, err := e.svc.Start(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if !s.Conversation.Identified || s.Conversation.VisitorEmail != "vip@kunde.example" || s.Conversation.VisitorName != "Vera" {
			t.Fatalf("identified %+v", s.Conversation)
		}
		in.Identity.Email = "other@kunde.example"
		if _, err := e.svc.Start(ctx, in); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("forged identity: %v", err)
		}
		if _, err := e.svc.Start(ctx, chat.StartInput{Email: "not an address", Topic: ""}); !apperr.Is(err, apperr.CodeInvalid) {
			t.Fatalf("bad form: %v", err)
		}
		id, err := e.svc.LeaveMessage(ctx, chat.LeaveInput{Name: "Kari", Email: "kari@kunde.example", Message: "Call me back about order 77", Language: "nb"})
		if err != nil {
			t.Fatal(err)
		}
		tk, err := e.tickets.Get(ctx, e.a, id)
		if err != nil {
			t.Fatal(err)
		}
		if tk.Channel != "email" || tk.Language != "nb" || fmt.Sprint(tk.Tags) != "[chat chat-offline]" {
			t.Fatalf("left message ticket %+v", tk)
		}
	})
}

// TestVisitorText: the composer's knowledge suggestions read the topic
// and the visitor's last three messages, never the agent's.
func TestVisitorText(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		s := e.start(t, "kari@example.com")
		for i, b := range []string{"one", "two", "three", "four"} {
			if _, err := e.svc.VisitorSend(ctx, s.Token, fmt.Sprintf("c-%d", i), b); err != nil {
				t.Fatal(err)
			}
		}
		c, text, err := e.svc.VisitorText(ctx, e.a, s.Conversation.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := "Where is my parcel?\ntwo\nthree\nfour"; text != want || c.Language != "nb" {
			t.Fatalf("text %q (lang %s), want %q", text, c.Language, want)
		}
		if _, _, err := e.svc.VisitorText(ctx, authz.Actor{}, s.Conversation.ID); !apperr.Is(err, apperr.CodeUnauthenticated) && !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("anonymous: %v", err)
		}
		if _, _, err := e.svc.VisitorText(ctx, e.a, 9999); !apperr.Is(err, apperr.CodeNotFound) {
			t.Fatalf("unknown: %v", err)
		}
	})
}
