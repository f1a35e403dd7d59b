package email_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/channel/email/message"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/ticket"
)

// TestTwoInstancesSendOnce runs a second Ombud on the same PostgreSQL
// database with its own job runner: every reply is mailed exactly once.
func TestTwoInstancesSendOnce(t *testing.T) {
	e := startMail(t, db.Postgres)
	ctx, cancel := context.WithCancel(context.Background())
	sys2, err := app.Open(ctx, e.Sys.Config, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = sys2.Jobs.Run(ctx) }()
	t.Cleanup(func() { cancel(); wg.Wait(); sys2.Close() })

	e.mustSend(t, "ola@example.no", fixture(t, "new_ticket.eml"))
	id := num(e.inbound(t, "")[0]["ticket_id"])
	const replies = 30
	agent := e.Agents[authz.Agent]
	actor := authz.Actor{Kind: authz.KindAgent, ID: agent.ID, Role: authz.Agent, Name: agent.Name}
	for i := range replies {
		body := "Svar nummer " + string(rune('A'+i))
		if i%2 == 0 {
			e.reply(t, id, body)
			continue
		}
		// Through the second instance: its runner is woken for these.
		if _, err := sys2.Tickets.AddComment(ctx, actor, id, ticket.CommentInput{Body: body}); err != nil {
			t.Fatal(err)
		}
	}
	e.capture.Wait(t, replies, 60*time.Second)
	time.Sleep(1500 * time.Millisecond) // a duplicate would arrive now
	if got := len(e.capture.Messages()); got != replies {
		t.Fatalf("%d messages delivered for %d replies", got, replies)
	}
	owners := func() int {
		var n int
		if err := e.Sys.DB.QueryRowContext(ctx, `SELECT COUNT(DISTINCT lease_owner) FROM jobs WHERE kind = 'email.send'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Both instances must have sent some, or the test proved nothing. Which
	// runner claims a job is a race (a runner claims up to its workers'
	// count at once), and on a loaded machine one runner could take all
	// thirty: then more replies go through the second instance, one at a
	// time, each waking its own runner, until it has sent one.
	sent := replies
	for extra := 0; owners() < 2 && extra < 10; extra++ {
		if _, err := sys2.Tickets.AddComment(ctx, actor, id, ticket.CommentInput{Body: "Ekstra svar " + string(rune('a'+extra))}); err != nil {
			t.Fatal(err)
		}
		sent++
		e.capture.Wait(t, sent, 60*time.Second)
	}
	if n := owners(); n != 2 {
		t.Errorf("both instances should have sent replies, %d did", n)
	}
	time.Sleep(1500 * time.Millisecond) // a duplicate would arrive now
	got := e.capture.Messages()
	if len(got) != sent {
		t.Fatalf("%d messages delivered for %d replies", len(got), sent)
	}
	seen := map[string]bool{}
	for _, c := range got {
		m, err := message.Parse(c.Data)
		if err != nil {
			t.Fatal(err)
		}
		if seen[m.MessageID] {
			t.Fatalf("Message-ID %s sent twice", m.MessageID)
		}
		seen[m.MessageID] = true
	}
}
