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
	got := e.capture.Messages()
	if len(got) != replies {
		t.Fatalf("%d messages delivered for %d replies", len(got), replies)
	}
	var owners int
	if err := e.Sys.DB.QueryRowContext(ctx, `SELECT COUNT(DISTINCT lease_owner) FROM jobs WHERE kind = 'email.send'`).Scan(&owners); err == nil {
		t.Logf("replies sent by %d instance(s)", owners)
		if owners != 2 {
			t.Errorf("both instances should have sent replies, %d did", owners)
		}
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
