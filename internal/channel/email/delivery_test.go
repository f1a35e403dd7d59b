package email_test

import (
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/channel/email"
	"github.com/ombud/ombud/internal/channel/email/message"
	"github.com/ombud/ombud/internal/dbtest"
)

// deliveries returns a ticket's reply delivery states by comment id.
func (e *mailEnv) deliveries(t *testing.T, ticketID int64) map[int64]map[string]any {
	t.Helper()
	st, body := e.Do(t, authz.Agent, "GET", fmt.Sprintf("/api/v1/tickets/%d/deliveries", ticketID), nil)
	if st != 200 {
		t.Fatalf("deliveries: %d %v", st, body["_raw"])
	}
	out := map[int64]map[string]any{}
	for _, x := range body["data"].([]any) {
		d := x.(map[string]any)
		out[num(d["comment_id"])] = d
	}
	return out
}

// waitState waits until a reply's delivery is in state.
func (e *mailEnv) waitState(t *testing.T, ticketID, commentID int64, state string, timeout time.Duration) map[string]any {
	t.Helper()
	var d map[string]any
	deadline := time.Now().Add(timeout)
	for {
		d = e.deliveries(t, ticketID)[commentID]
		if d != nil && d["state"] == state {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("reply %d: delivery %v, want state %s", commentID, d, state)
		}
		time.Sleep(30 * time.Millisecond)
	}
}

// searchIDs runs a ticket search and returns the ids found.
func (e *mailEnv) searchIDs(t *testing.T, q string) []int64 {
	t.Helper()
	st, body := e.Do(t, authz.Agent, "GET", "/api/v1/search?q="+strings.ReplaceAll(q, ":", "%3A"), nil)
	if st != 200 {
		t.Fatalf("search %q: %d %v", q, st, body["_raw"])
	}
	var ids []int64
	for _, x := range body["data"].([]any) {
		ids = append(ids, num(x.(map[string]any)["id"]))
	}
	return ids
}

// count runs a COUNT(*) query on the test's database.
func (e *mailEnv) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := e.Sys.DB.QueryRowContext(t.Context(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// noticesTo returns the notices the relay received for an address.
func (e *mailEnv) noticesTo(addr string) []*message.Message {
	var out []*message.Message
	for _, c := range e.capture.Messages() {
		if slices.Contains(c.To, addr) {
			m, _ := message.Parse(c.Data)
			out = append(out, m)
		}
	}
	return out
}

// TestDeliveryStates follows a reply's delivery state through a real SMTP
// relay on both engines: queued → sent; refused with a 5xx → failed, with
// the reason, an event, the ticket found by delivery:failed and one notice
// to the assignee in her language; retried (twice: the second click does
// nothing) with the same Message-ID → sent; returned by a DSN → bounced;
// replaced by an edited reply → superseded; confirmed by a DSN →
// delivered; no mailbox → failed until one exists; a temporary refusal
// → still sending, with the reason, then sent.
func TestDeliveryStates(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := startMail(t, engine)
			e.mustSend(t, "ola@example.no", fixture(t, "new_ticket.eml"))
			id := num(e.inbound(t, "")[0]["ticket_id"])
			// The ticket is the admin's, who reads Norwegian; the agent replies.
			admin := e.Agents[authz.Admin]
			if st, b := e.Do(t, authz.Admin, "PATCH", fmt.Sprintf("/api/v1/agents/%d", admin.ID), map[string]any{"locale": "nb"}); st != 200 {
				t.Fatalf("locale: %d %v", st, b["_raw"])
			}
			if st, b := e.Do(t, authz.Admin, "PATCH", fmt.Sprintf("/api/v1/tickets/%d", id), map[string]any{"assignee_id": admin.ID}); st != 200 {
				t.Fatalf("assign: %d %v", st, b["_raw"])
			}
			noticeKeys := func(commentID int64) int {
				return e.count(t, `SELECT COUNT(*) FROM jobs WHERE kind = ? AND idem_key LIKE ?`, email.JobNotice, fmt.Sprintf("delivery-failed:%d:%%", commentID))
			}

			first := e.reply(t, id, "Vi sender en ny stol i dag.")
			t.Run("queued, then sent once the relay accepts it", func(t *testing.T) {
				d := e.waitState(t, id, first, email.DeliverySent, 15*time.Second)
				if d["sent_at"] == nil || d["reason"] != nil || !slices.Contains(d["recipients"].([]any), any("ola@example.no")) {
					t.Fatalf("sent delivery: %v", d)
				}
				if got := e.searchIDs(t, "delivery:failed"); slices.Contains(got, id) {
					t.Fatalf("delivery:failed found a ticket whose reply went out: %v", got)
				}
			})

			var refused int64
			var msgID string
			t.Run("a 5xx from the relay fails it, in words, and tells the assignee once", func(t *testing.T) {
				e.capture.FailNext(1, 550, "5.1.1 mailbox unavailable")
				refused = e.reply(t, id, "Her er sporingsnummeret.")
				d := e.waitState(t, id, refused, email.DeliveryFailed, 15*time.Second)
				if d["reason"] != email.ReasonRecipient || !strings.Contains(d["error"].(string), "mailbox unavailable") || d["failed_at"] == nil {
					t.Fatalf("failed delivery: %v", d)
				}
				msgID = d["message_id"].(string)
				if !slices.Contains(e.eventTypes(t, id), email.EvDeliveryFailed) {
					t.Fatalf("no %s event", email.EvDeliveryFailed)
				}
				if got := e.searchIDs(t, "delivery:failed"); !slices.Equal(got, []int64{id}) {
					t.Fatalf("delivery:failed: %v, want [%d]", got, id)
				}
				if got := e.searchIDs(t, "-delivery:failed"); slices.Contains(got, id) {
					t.Fatalf("-delivery:failed found the ticket: %v", got)
				}
				var notices []*message.Message
				waitFor(t, "the assignee's notice", 15*time.Second, func() bool {
					notices = e.noticesTo(admin.Email)
					return len(notices) > 0
				})
				n := notices[0]
				if want := fmt.Sprintf("[#%d] Et svar ble ikke levert:", id); !strings.HasPrefix(n.Subject, want) || !n.AutoSubmitted {
					t.Fatalf("notice subject %q (auto %v), want %q…", n.Subject, n.AutoSubmitted, want)
				}
				for _, want := range []string{"Årsak: E-postserveren avviste mottakerens adresse.", "mailbox unavailable", "ola@example.no", "Test agent"} {
					if !strings.Contains(n.Text, want) {
						t.Errorf("notice lacks %q:\n%s", want, n.Text)
					}
				}
				if k := noticeKeys(refused); k != 1 {
					t.Fatalf("%d notices queued, want 1", k)
				}
			})

			t.Run("retry sends the same message again; a second click does nothing", func(t *testing.T) {
				sent := len(e.capture.Messages())
				path := fmt.Sprintf("/api/v1/tickets/%d/comments/%d/retry-delivery", id, refused)
				st, d := e.Do(t, authz.Agent, "POST", path, nil)
				if st != 200 || (d["state"] != email.DeliverySending && d["state"] != email.DeliverySent) || num(d["resends"]) != 1 {
					t.Fatalf("retry: %d %v", st, d)
				}
				st, d = e.Do(t, authz.Agent, "POST", path, nil)
				if st != 200 || num(d["resends"]) != 1 {
					t.Fatalf("second retry: %d %v", st, d)
				}
				e.waitState(t, id, refused, email.DeliverySent, 15*time.Second)
				jobsFor := e.count(t, `SELECT COUNT(*) FROM jobs WHERE kind = ? AND (idem_key = ? OR idem_key LIKE ?)`,
					email.JobSend, fmt.Sprintf("comment:%d", refused), fmt.Sprintf("comment:%d:%%", refused))
				if jobsFor != 2 {
					t.Fatalf("%d send jobs for the reply, want the first and one retry", jobsFor)
				}
				var got *message.Message
				for _, c := range e.capture.Messages()[sent:] {
					if slices.Contains(c.To, "ola@example.no") {
						got, _ = message.Parse(c.Data)
					}
				}
				if got == nil || got.MessageID != msgID {
					t.Fatalf("resent message %v, want Message-ID %s", got, msgID)
				}
				if n := strings.Count(strings.Join(e.eventTypes(t, id), " "), email.EvDeliveryRetried); n != 1 {
					t.Fatalf("%d retry events, want 1", n)
				}
				if got := e.searchIDs(t, "delivery:failed"); len(got) != 0 {
					t.Fatalf("delivery:failed after the retry: %v", got)
				}
				// A reply that went out is not retried.
				if st, d := e.Do(t, authz.Agent, "POST", path, nil); st != 200 || d["state"] != email.DeliverySent {
					t.Fatalf("retry of a sent reply: %d %v", st, d)
				}
			})

			t.Run("a bounce marks it bounced and tells the assignee again, once", func(t *testing.T) {
				for i, bounceID := range []string{"<bounce-a@mx.example.no>", "<bounce-b@mx.example.no>"} {
					e.mustSend(t, "", []byte(strings.Replace(string(fixture(t, "bounce.eml", "TICKET", fmt.Sprint(id), "OUTBOUND", msgID)),
						"<bounce-1@mx.example.no>", bounceID, 1)))
					d := e.waitState(t, id, refused, email.DeliveryBounced, 5*time.Second)
					if d["reason"] != email.ReasonBounced || !strings.Contains(d["error"].(string), "5.1.1") {
						t.Fatalf("bounce %d: %v", i, d)
					}
				}
				if k := noticeKeys(refused); k != 2 {
					t.Fatalf("%d notices queued for the reply, want one per failure (2)", k)
				}
				if got := e.searchIDs(t, "delivery:failed"); !slices.Equal(got, []int64{id}) {
					t.Fatalf("delivery:failed after the bounce: %v", got)
				}
			})

			var resent int64
			t.Run("edit and resend replaces it", func(t *testing.T) {
				st, c := e.Do(t, authz.Agent, "POST", fmt.Sprintf("/api/v1/tickets/%d/comments", id),
					map[string]any{"body": "Her er sporingsnummeret (rettet adresse).", "supersedes": refused})
				if st != 201 {
					t.Fatalf("resend: %d %v", st, c["_raw"])
				}
				resent = num(c["id"])
				old := e.deliveries(t, id)[refused]
				if old["state"] != email.DeliverySuperseded || num(old["superseded_by"]) != resent {
					t.Fatalf("replaced reply: %v", old)
				}
				e.waitState(t, id, resent, email.DeliverySent, 15*time.Second)
				if got := e.searchIDs(t, "delivery:failed"); len(got) != 0 {
					t.Fatalf("delivery:failed after the resend: %v", got)
				}
				for _, tc := range []struct {
					name   string
					body   map[string]any
					status int
				}{
					{"a reply that went out", map[string]any{"body": "x", "supersedes": first}, 409},
					{"the one already replaced", map[string]any{"body": "x", "supersedes": refused}, 409},
					{"with a note", map[string]any{"body": "x", "public": false, "supersedes": refused}, 400},
					{"a comment of no ticket", map[string]any{"body": "x", "supersedes": 999999}, 400},
				} {
					if st, b := e.Do(t, authz.Agent, "POST", fmt.Sprintf("/api/v1/tickets/%d/comments", id), tc.body); st != tc.status {
						t.Errorf("supersedes %s: %d %v, want %d", tc.name, st, b["_raw"], tc.status)
					}
				}
				if st, b := e.Do(t, authz.Agent, "POST", fmt.Sprintf("/api/v1/tickets/%d/comments/%d/retry-delivery", id, refused), nil); st != 409 {
					t.Fatalf("retry of a replaced reply: %d %v", st, b["_raw"])
				}
			})

			t.Run("a delivery report marks it delivered", func(t *testing.T) {
				d := e.deliveries(t, id)[resent]
				bounces := strings.Count(strings.Join(e.eventTypes(t, id), " "), email.EvBounced)
				raw := strings.NewReplacer("Action: failed", "Action: delivered", "Status: 5.1.1", "Status: 2.0.0",
					"Diagnostic-Code: smtp; 550 5.1.1 <kari@example.no>: Recipient address rejected: User unknown", "Diagnostic-Code: smtp; 250 2.0.0 Ok",
					"<bounce-1@mx.example.no>", "<delivered-1@mx.example.no>").Replace(string(fixture(t, "bounce.eml", "TICKET", fmt.Sprint(id), "OUTBOUND", d["message_id"].(string))))
				e.mustSend(t, "", []byte(raw))
				e.waitState(t, id, resent, email.DeliveryDelivered, 5*time.Second)
				if n := strings.Count(strings.Join(e.eventTypes(t, id), " "), email.EvBounced); n != bounces {
					t.Fatalf("a success report was recorded as a bounce")
				}
			})

			t.Run("without a mailbox it fails at once, and goes out when one is back", func(t *testing.T) {
				if st, b := e.Do(t, authz.Admin, "DELETE", fmt.Sprintf("/api/v1/mailboxes/%d", e.mailboxID), nil); st != 204 {
					t.Fatalf("delete mailbox: %d %v", st, b["_raw"])
				}
				c := e.reply(t, id, "Et svar uten postboks.")
				d := e.deliveries(t, id)[c]
				if d["state"] != email.DeliveryFailed || d["reason"] != email.ReasonNoMailbox {
					t.Fatalf("without a mailbox: %v", d)
				}
				if got := e.searchIDs(t, "delivery:failed"); !slices.Equal(got, []int64{id}) {
					t.Fatalf("delivery:failed without a mailbox: %v", got)
				}
				host, port, _ := net.SplitHostPort(e.capture.Addr())
				if st, b := e.Do(t, authz.Admin, "POST", "/api/v1/mailboxes", map[string]any{
					"address": "support@example.com", "name": "Support", "smtp": map[string]any{"host": host, "port": atoi(port), "security": "none"},
				}); st != 201 {
					t.Fatalf("mailbox again: %d %v", st, b["_raw"])
				}
				if st, b := e.Do(t, authz.Agent, "POST", fmt.Sprintf("/api/v1/tickets/%d/comments/%d/retry-delivery", id, c), nil); st != 200 {
					t.Fatalf("retry: %d %v", st, b["_raw"])
				}
				e.waitState(t, id, c, email.DeliverySent, 15*time.Second)
			})

			t.Run("a temporary refusal keeps it sending, with the reason", func(t *testing.T) {
				e.capture.FailNext(1, 451, "4.3.0 try again later")
				c := e.reply(t, id, "Et svar som må vente.")
				waitFor(t, "the first attempt", 15*time.Second, func() bool {
					d := e.deliveries(t, id)[c]
					return d["reason"] == email.ReasonTemporary
				})
				if d := e.deliveries(t, id)[c]; d["state"] != email.DeliverySending || num(d["attempts"]) != 1 {
					t.Fatalf("after a temporary refusal: %v", d)
				}
				e.waitState(t, id, c, email.DeliverySent, 30*time.Second)
			})
		})
	}
}
