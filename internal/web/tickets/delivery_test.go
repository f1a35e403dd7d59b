package web_test

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
			capture := startOutbound(t, e)
			id := createTicket(t, e, "Delivery case")
			path := fmt.Sprintf("/tickets/%d", id)
			if st, b := e.Do(t, authz.Admin, "PATCH", fmt.Sprintf("/api/v1/agents/%d", e.Agents[authz.Manager].ID), map[string]any{"locale": "sl"}); st != 200 {
				t.Fatalf("locale: %d %v", st, b["_raw"])
			}
			agent, manager, collab := signIn(t, e, authz.Agent), signIn(t, e, authz.Manager), signIn(t, e, authz.Collaborator)

			capture.FailNext(1, 554, "5.7.1 relay access denied")
			if st, _, loc := agent.do(t, "POST", path+"/comments", url.Values{"body": {"Pakken kommer i morgen."}, "public": {"true"}}); st != http.StatusSeeOther {
				t.Fatalf("reply: %d %s", st, loc)
			}
			refused := lastComment(t, e, id)
			waitDelivery(t, e, id, refused, email.DeliveryFailed)
			retryForm := fmt.Sprintf(`action="/tickets/%d/comments/%d/retry-delivery"`, id, refused)
			resendForm := fmt.Sprintf(`action="/tickets/%d/comments/%d/resend"`, id, refused)

			runPages(t, []pageCase{
				{name: "the message says it was not delivered, why, and offers both buttons", who: agent, method: "GET", path: path, status: 200,
					want: []string{`class="delivery delivery-failed" role="alert"`, "Not delivered", "to ola@example.no",
						"The mail server refused the message.", `<details class="delivery-detail"><summary>What the mail server said</summary>`,
						"relay access denied", retryForm, resendForm, ">Retry<", ">Edit and resend<",
						"could not deliver a reply: The mail server refused the message."}},
				{name: "in Slovenian", who: manager, method: "GET", path: path, status: 200,
					want: []string{"Ni dostavljeno", "Poštni strežnik je zavrnil sporočilo.", "Kaj je odgovoril poštni strežnik", "Uredi in pošlji znova",
						"ni mogel dostaviti odgovora: Poštni strežnik je zavrnil sporočilo."},
					notWant: []string{">Not delivered<", "Edit and resend"}},
				{name: "a role that may not reply sees the state, not the buttons", who: collab, method: "GET", path: path, status: 200,
					want: []string{"delivery-failed", "The mail server refused the message."}, notWant: []string{retryForm, resendForm}},
				{name: "the list marks the ticket and links to the search", who: agent, method: "GET", path: "/tickets?view=all", status: 200,
					want: []string{`class="undelivered-mark"`, `href="/tickets?q=delivery%3Afailed"`, "Tickets with a reply not delivered: 1"}},
				{name: "delivery:failed finds it", who: agent, method: "GET", path: "/tickets?q=delivery%3Afailed", status: 200,
					want: []string{fmt.Sprintf(`<a href="/tickets/%d">Delivery case</a>`, id), `class="undelivered-mark"`}},
				{name: "a collaborator may not retry", who: collab, method: "POST", path: fmt.Sprintf("%s/comments/%d/retry-delivery", path, refused), status: 403},
				{name: "edit and resend fills the composer", who: agent, method: "POST", path: fmt.Sprintf("%s/comments/%d/resend", path, refused), status: 200,
					want: []string{"Pakken kommer i morgen.</textarea>", fmt.Sprintf(`<input type="hidden" name="supersedes" value="%d">`, refused),
						"You are resending a reply that was not delivered"}},
				{name: "a refused resend keeps its place", who: agent, method: "POST", path: path + "/comments", status: 400,
					form: url.Values{"body": {" "}, "public": {"true"}, "supersedes": {fmt.Sprint(refused)}},
					want: []string{fmt.Sprintf(`<input type="hidden" name="supersedes" value="%d">`, refused)}},
				{name: "sending the edited text replaces the old reply", who: agent, method: "POST", path: path + "/comments", status: 303,
					form: url.Values{"body": {"Pakken kommer i morgen, beklager."}, "public": {"true"}, "supersedes": {fmt.Sprint(refused)}}, location: path},
			})
			resent := lastComment(t, e, id)
			waitDelivery(t, e, id, resent, email.DeliverySent)
			runPages(t, []pageCase{
				{name: "the old reply says it was replaced", who: agent, method: "GET", path: path, status: 200,
					want: []string{"Not delivered: replaced by a new reply", fmt.Sprintf(`href="#c%d"`, resent), "delivery-sent",
						"replaced a reply that was not delivered with a new one"},
					notWant: []string{retryForm, resendForm}},
				{name: "and the list no longer marks the ticket", who: agent, method: "GET", path: "/tickets?view=all", status: 200,
					notWant: []string{`class="undelivered-mark"`, "Tickets with a reply not delivered"}},
			})

			capture.FailNext(1, 554, "5.7.1 relay access denied")
			if st, _, _ := agent.do(t, "POST", path+"/comments", url.Values{"body": {"Et nytt svar."}, "public": {"true"}}); st != http.StatusSeeOther {
				t.Fatalf("reply: %d", st)
			}
			again := lastComment(t, e, id)
			waitDelivery(t, e, id, again, email.DeliveryFailed)
			retry := fmt.Sprintf("%s/comments/%d/retry-delivery", path, again)
			runPages(t, []pageCase{
				{name: "retry queues it again", who: agent, method: "POST", path: retry, status: 303, location: fmt.Sprintf("%s#c%d", path, again)},
				{name: "a second click changes nothing", who: agent, method: "POST", path: retry, status: 303, location: fmt.Sprintf("%s#c%d", path, again)},
			})
			waitDelivery(t, e, id, again, email.DeliverySent)
			runPages(t, []pageCase{
				{name: "the message says sent", who: agent, method: "GET", path: path, status: 200,
					want:    []string{`class="delivery delivery-sent"`, ">Sent<", "sent a reply that was not delivered again"},
					notWant: []string{fmt.Sprintf(`action="/tickets/%d/comments/%d/retry-delivery"`, id, again)}},
			})
			var retried int
			if err := e.Sys.DB.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM ticket_events WHERE ticket_id = ? AND type = ?`, id, email.EvDeliveryRetried).Scan(&retried); err != nil || retried != 1 {
				t.Fatalf("%d retry events (%v), want 1", retried, err)
			}
		})
	}
}
