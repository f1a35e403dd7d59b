package messaging_test

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	msgsvc "github.com/ombud/ombud/internal/channel/messaging"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
	"github.com/ombud/ombud/internal/webhook"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// TestReplyWindowOnTheTicketPage: a WhatsApp conversation's ticket shows
// until when the reply window is open; a day later the composer says it
// has closed, and a public reply sent from the page is refused with that
// sentence while the text typed stays in the composer.
func TestReplyWindowOnTheTicketPage(t *testing.T) {
	var mu sync.Mutex
	now := time.Now().UTC() // session cookies expire by the real clock
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	e := apptest.NewWithClock(t, db.SQLite, clock, nil)
	ctx := context.Background()
	admin := authz.Actor{Kind: authz.KindAgent, ID: e.Agents[authz.Admin].ID, Role: authz.Admin}
	it, err := e.Sys.Messaging.Create(ctx, admin, msgsvc.Input{Name: "WhatsApp", Provider: "whatsapp", ReplyURL: "https://provider.example/replies"})
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"type":"message","message_id":"wamid.1","conversation_id":"4791234567","sender":{"handle":"4791234567","name":"Ola Hansen"},"text":"Is my order on its way?"}`)
	sig, err := webhook.Sign(it.Secret, "evt-1", clock(), body)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Sys.Messaging.Receive(ctx, it.ID, msgsvc.Signature{ID: "evt-1", Timestamp: strconv.FormatInt(clock().Unix(), 10), Signature: sig}, body)
	if err != nil {
		t.Fatal(err)
	}
	b := webtest.SignIn(t, e, authz.Agent)
	page := fmt.Sprintf("/tickets/%d", res.TicketID)
	st, html, _ := b.Do(t, "GET", page, nil)
	if st != 200 || !strings.Contains(html, "reply window is open until") || !strings.Contains(html, "WhatsApp message from Ola Hansen") {
		t.Fatalf("open window: %d %s", st, html)
	}
	mu.Lock()
	now = now.Add(25 * time.Hour)
	mu.Unlock()
	b = webtest.SignIn(t, e, authz.Agent) // a day later, a fresh session
	st, html, _ = b.Do(t, "GET", page, nil)
	if st != 200 || !strings.Contains(html, `id="reply-window"`) || !strings.Contains(html, "reply window has closed") {
		t.Fatalf("closed window: %d %s", st, html)
	}
	st, html, _ = b.Do(t, "POST", page+"/comments", url.Values{"body": {"Yes, tomorrow."}, "public": {"true"}})
	if st != 422 || !strings.Contains(html, "The reply window of this conversation has closed") || !strings.Contains(html, "Yes, tomorrow.") {
		t.Fatalf("reply outside the window: %d %s", st, html)
	}
}
