package tickets_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/channel/email"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// lastComment returns the id of a ticket's newest comment.
func lastComment(t *testing.T, e *apptest.Env, ticketID int64) int64 {
	t.Helper()
	st, body := e.Do(t, authz.Agent, "GET", fmt.Sprintf("/api/v1/tickets/%d/comments?limit=100", ticketID), nil)
	if st != 200 {
		t.Fatalf("comments: %d", st)
	}
	data := body["data"].([]any)
	return int64(data[len(data)-1].(map[string]any)["id"].(float64))
}

// waitDelivery waits until a reply's delivery reaches state.
func waitDelivery(t *testing.T, e *apptest.Env, ticketID, commentID int64, state string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		_, body := e.Do(t, authz.Agent, "GET", fmt.Sprintf("/api/v1/tickets/%d/deliveries", ticketID), nil)
		var got any
		for _, x := range body["data"].([]any) {
			if d := x.(map[string]any); int64(d["comment_id"].(float64)) == commentID {
				got = d["state"]
			}
		}
		if got == state {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("reply %d: delivery state %v, want %s", commentID, got, state)
		}
		time.Sleep(30 * time.Millisecond)
	}
}

// TestDeliveryPages: a reply the relay refused is marked on its message
// with the reason in words, the relay's own reply in a details element and
// the Retry and Edit and resend buttons (for roles that may reply); the
// ticket list marks the ticket and links to delivery:failed; Edit and
// resend puts the text in the composer and marks the old reply replaced;
// Retry sends it again, and a second click changes nothing. In English and
// Slovenian.
func TestDeliveryPages(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			capture := webtest.StartOutbound(t, e)
			id := webtest.CreateTicket(t, e, "Delivery case")
			path := fmt.Sprintf("/tickets/%d", id)
			if st, b := e.Do(t, authz.Admin, "PATCH", fmt.Sprintf("/api/v1/agents/%d", e.Agents[authz.Manager].ID), map[string]any{"locale": "sl"}); st != 200 {
				t.Fatalf("locale: %d %v", st, b["_raw"])
			}
			agent, manager, collab := webtest.SignIn(t, e, authz.Agent), webtest.SignIn(t, e, authz.Manager), webtest.SignIn(t, e, authz.Collaborator)

			capture.FailNext(1, 554, "5.7.1 relay access denied")
			if st, _, loc := agent.Do(t, "POST", path+"/comments", url.Values{"body": {"Pakken kommer i morgen."}, "public": {"true"}}); st != http.StatusSeeOther {
				t.Fatalf("reply: %d %s", st, loc)
			}
			refused := lastComment(t, e, id)
			waitDelivery(t, e, id, refused, email.DeliveryFailed)
			retryForm := fmt.Sprintf(`action="/tickets/%d/comments/%d/retry-delivery"`, id, refused)
			resendForm := fmt.Sprintf(`action="/tickets/%d/comments/%d/resend"`, id, refused)

			webtest.RunPages(t, []webtest.PageCase{
				{Name: "the message says it was not delivered, why, and offers both buttons", Who: agent, Method: "GET", Path: path, Status: 200,
					Want: []string{`class="delivery delivery-failed" role="alert"`, "Not delivered", "to ola@example.no",
						"The mail server refused the message.", `<details class="delivery-detail"><summary>What the mail server said</summary>`,
						"relay access denied", retryForm, resendForm, ">Retry<", ">Edit and resend<",
						"could not deliver a reply: The mail server refused the message."}},
				{Name: "in Slovenian", Who: manager, Method: "GET", Path: path, Status: 200,
					Want: []string{"Ni dostavljeno", "Poštni strežnik je zavrnil sporočilo.", "Kaj je odgovoril poštni strežnik", "Uredi in pošlji znova",
						"ni mogel dostaviti odgovora: Poštni strežnik je zavrnil sporočilo."},
					NotWant: []string{">Not delivered<", "Edit and resend"}},
				{Name: "a role that may not reply sees the state, not the buttons", Who: collab, Method: "GET", Path: path, Status: 200,
					Want: []string{"delivery-failed", "The mail server refused the message."}, NotWant: []string{retryForm, resendForm}},
				{Name: "the list marks the ticket and links to the search", Who: agent, Method: "GET", Path: "/tickets?view=all", Status: 200,
					Want: []string{`class="undelivered-mark"`, `href="/tickets?q=delivery%3Afailed"`, "Tickets with a reply not delivered: 1"}},
				{Name: "delivery:failed finds it", Who: agent, Method: "GET", Path: "/tickets?q=delivery%3Afailed", Status: 200,
					Want: []string{fmt.Sprintf(`<a href="/tickets/%d">Delivery case</a>`, id), `class="undelivered-mark"`}},
				{Name: "a collaborator may not retry", Who: collab, Method: "POST", Path: fmt.Sprintf("%s/comments/%d/retry-delivery", path, refused), Status: 403},
				{Name: "edit and resend fills the composer", Who: agent, Method: "POST", Path: fmt.Sprintf("%s/comments/%d/resend", path, refused), Status: 200,
					Want: []string{"Pakken kommer i morgen.</textarea>", fmt.Sprintf(`<input type="hidden" name="supersedes" value="%d">`, refused),
						"You are resending a reply that was not delivered"}},
				{Name: "a refused resend keeps its place", Who: agent, Method: "POST", Path: path + "/comments", Status: 400,
					Form: url.Values{"body": {" "}, "public": {"true"}, "supersedes": {fmt.Sprint(refused)}},
					Want: []string{fmt.Sprintf(`<input type="hidden" name="supersedes" value="%d">`, refused)}},
				{Name: "sending the edited text replaces the old reply", Who: agent, Method: "POST", Path: path + "/comments", Status: 303,
					Form: url.Values{"body": {"Pakken kommer i morgen, beklager."}, "public": {"true"}, "supersedes": {fmt.Sprint(refused)}}, Location: path},
			})
			resent := lastComment(t, e, id)
			waitDelivery(t, e, id, resent, email.DeliverySent)
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "the old reply says it was replaced", Who: agent, Method: "GET", Path: path, Status: 200,
					Want: []string{"Not delivered: replaced by a new reply", fmt.Sprintf(`href="#c%d"`, resent), "delivery-sent",
						"replaced a reply that was not delivered with a new one"},
					NotWant: []string{retryForm, resendForm}},
				{Name: "and the list no longer marks the ticket", Who: agent, Method: "GET", Path: "/tickets?view=all", Status: 200,
					NotWant: []string{`class="undelivered-mark"`, "Tickets with a reply not delivered"}},
			})

			capture.FailNext(1, 554, "5.7.1 relay access denied")
			if st, _, _ := agent.Do(t, "POST", path+"/comments", url.Values{"body": {"Et nytt svar."}, "public": {"true"}}); st != http.StatusSeeOther {
				t.Fatalf("reply: %d", st)
			}
			again := lastComment(t, e, id)
			waitDelivery(t, e, id, again, email.DeliveryFailed)
			retry := fmt.Sprintf("%s/comments/%d/retry-delivery", path, again)
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "retry queues it again", Who: agent, Method: "POST", Path: retry, Status: 303, Location: fmt.Sprintf("%s#c%d", path, again)},
				{Name: "a second click changes nothing", Who: agent, Method: "POST", Path: retry, Status: 303, Location: fmt.Sprintf("%s#c%d", path, again)},
			})
			waitDelivery(t, e, id, again, email.DeliverySent)
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "the message says sent", Who: agent, Method: "GET", Path: path, Status: 200,
					Want:    []string{`class="delivery delivery-sent"`, ">Sent<", "sent a reply that was not delivered again"},
					NotWant: []string{fmt.Sprintf(`action="/tickets/%d/comments/%d/retry-delivery"`, id, again)}},
			})
			var retried int
			if err := e.Sys.DB.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM ticket_events WHERE ticket_id = ? AND type = ?`, id, email.EvDeliveryRetried).Scan(&retried); err != nil || retried != 1 {
				t.Fatalf("%d retry events (%v), want 1", retried, err)
			}
		})
	}
}
