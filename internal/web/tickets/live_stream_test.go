package tickets_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/live"
	"github.com/ombud/ombud/internal/web/webtest"
)

// The /live stream is handed to the hub once it answers: the middleware's
// headers are kept, an agent's notices reach only that agent, and a page
// closed without saying goodbye (no pagehide) leaves the other viewers'
// lists when its connection goes.
func TestLiveStreamHandedToTheHub(t *testing.T) {
	e := apptest.New(t, db.SQLite)
	id := webtest.CreateTicket(t, e, "Handed over")
	alice := webtest.SignIn(t, e, authz.Agent)
	bob := webtest.SignIn(t, e, authz.Manager)

	req, _ := http.NewRequest("GET", e.URL+"/live", nil)
	resp, err := alice.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, h := range []string{"Content-Type", "Cache-Control", "X-Content-Type-Options"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("no %s header on the stream", h)
		}
	}
	if st, _, _ := alice.Do(t, "GET", "/live?ticket=0", nil); st != http.StatusBadRequest {
		t.Fatalf("a bad ticket id: %d", st)
	}
	if st, _, _ := alice.Do(t, "GET", "/live?ticket=999999", nil); st != http.StatusNotFound {
		t.Fatalf("a missing ticket: %d", st)
	}

	aliceInfo, err := e.Sys.Auth.SignIn(t.Context(), "agent@ombud.test", apptest.Password, "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	aliceList := stream(t, alice, e.URL, "")
	bobList := stream(t, bob, e.URL, "")
	e.Sys.Live.Publish(live.Event{Kind: live.KindNotice, TicketID: id, AgentID: aliceInfo.AgentID + 1000, Types: []string{"delivery_failed"}})
	e.Sys.Live.Publish(live.Event{Kind: live.KindNotice, TicketID: id, AgentID: aliceInfo.AgentID, Types: []string{"delivery_failed"}})
	aliceList.next(t, "notice", fmt.Sprintf(`"agent_id":%d`, aliceInfo.AgentID))
	e.Sys.Live.TicketChanged(id, []string{"tagged"}, "agent", 1, 99)
	bobList.next(t, "ticket", `"tagged"`)
	select {
	case ev := <-bobList.events:
		t.Fatalf("bob's stream got %v", ev)
	case <-time.After(200 * time.Millisecond):
	}
	select {
	case ev := <-aliceList.events:
		if ev[0] == "notice" {
			t.Fatalf("alice got someone else's notice: %v", ev)
		}
	case <-time.After(200 * time.Millisecond):
	}

	page := stream(t, alice, e.URL, fmt.Sprintf("?ticket=%d", id))
	page.next(t, "viewers", "[]")
	bobPage := stream(t, bob, e.URL, fmt.Sprintf("?ticket=%d", id))
	page.next(t, "viewers", "Test manager")
	bobPage.cancel() // the tab is gone, no goodbye
	got := page.next(t, "viewers", "[")
	if strings.Contains(got, "Test manager") {
		got = page.next(t, "viewers", "[]")
	}
	if got != "[]" {
		t.Fatalf("viewers after bob's tab closed: %s", got)
	}
}
