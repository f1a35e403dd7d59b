package privacy_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/blocklist"
	"github.com/ombud/ombud/internal/dbtest"
)

// TestDeleteTicketAndMarkSpam: a deletion removes the ticket with its
// comments and leaves an audit row; a spam mark also blocks every address
// of the requester; agents may mark spam but not delete; a ticket whose
// requester is an agent cannot be marked (the block would be refused).
func TestDeleteTicketAndMarkSpam(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			ctx := t.Context()
			mk := func(email string) int64 {
				t.Helper()
				st, body := e.Do(t, authz.Agent, "POST", "/api/v1/tickets", map[string]any{
					"subject": "Cheap watches", "description": "Buy now", "requester": map[string]any{"email": email}})
				if st != 201 {
					t.Fatalf("create: %d %v", st, body)
				}
				id := int64(body["id"].(float64))
				if st, body := e.Do(t, authz.Agent, "POST", fmt.Sprintf("/api/v1/tickets/%d/comments", id), map[string]any{"body": "looks like spam", "public": false}); st != 201 {
					t.Fatalf("note: %d %v", st, body)
				}
				return id
			}
			count := func(q string, args ...any) int {
				t.Helper()
				var n int
				if err := e.Sys.DB.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}

			plain := mk("mistake@example.org")
			// A tag with a word finds it until it is deleted (the search's
			// tag test reads ticket_tags, whose rows go with the ticket).
			if st, body := e.Do(t, authz.Agent, "PATCH", fmt.Sprintf("/api/v1/tickets/%d", plain), map[string]any{"add_tags": []string{"deltag"}}); st != 200 {
				t.Fatalf("tag: %d %v", st, body)
			}
			found := func() int {
				t.Helper()
				st, body := e.Do(t, authz.Agent, "GET", "/api/v1/search?q=tag%3Adeltag+spam", nil)
				if st != 200 {
					t.Fatalf("search: %d %v", st, body)
				}
				return len(body["data"].([]any))
			}
			if n := found(); n != 1 {
				t.Fatalf("tag:deltag spam before the deletion: %d tickets", n)
			}
			// An address its comment mentions (no customer's) finds it
			// until it is deleted (SQLite reads the address index).
			if st, body := e.Do(t, authz.Agent, "POST", fmt.Sprintf("/api/v1/tickets/%d/comments", plain), map[string]any{"body": "see per.mention@example.org", "public": false}); st != 201 {
				t.Fatalf("note: %d %v", st, body)
			}
			if n := searchCount(t, e, "per.mention@example.org"); n != 1 {
				t.Fatalf("the address before the deletion: %d tickets", n)
			}
			if _, err := e.Sys.Privacy.DeleteTicket(ctx, actorOf(e, authz.Agent), plain); apperr.CodeOf(err) != apperr.CodeForbidden {
				t.Fatalf("an agent deleted a ticket: %v", err)
			}
			d, err := e.Sys.Privacy.DeleteTicket(ctx, actorOf(e, authz.Manager), plain)
			if err != nil {
				t.Fatal(err)
			}
			if d.Comments < 2 || len(d.Blocked) != 0 {
				t.Fatalf("deleted %+v", d)
			}
			if n := count(`SELECT COUNT(*) FROM tickets WHERE id = ?`, plain) + count(`SELECT COUNT(*) FROM comments WHERE ticket_id = ?`, plain); n != 0 {
				t.Fatalf("%d rows of the deleted ticket left", n)
			}
			if n := found(); n != 0 {
				t.Fatalf("tag:deltag spam after the deletion: %d tickets", n)
			}
			if n := searchCount(t, e, "per.mention@example.org"); n != 0 {
				t.Fatalf("the address after the deletion: %d tickets", n)
			}
			if n := count(`SELECT COUNT(*) FROM audit_log WHERE action = 'ticket_deleted' AND target = ?`, fmt.Sprintf("ticket:%d", plain)); n != 1 {
				t.Fatalf("audit rows: %d", n)
			}
			if _, err := e.Sys.Privacy.DeleteTicket(ctx, actorOf(e, authz.Manager), plain); apperr.CodeOf(err) != apperr.CodeNotFound {
				t.Fatalf("deleting it again: %v", err)
			}

			spam := mk("Spammer@Example.net")
			if _, err := e.Sys.Privacy.MarkSpam(ctx, actorOf(e, authz.Collaborator), spam); apperr.CodeOf(err) != apperr.CodeForbidden {
				t.Fatalf("a collaborator marked spam: %v", err)
			}
			d, err = e.Sys.Privacy.MarkSpam(ctx, actorOf(e, authz.Agent), spam)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(d.Blocked, []string{"spammer@example.net"}) {
				t.Fatalf("blocked %v", d.Blocked)
			}
			for addr, want := range map[string]bool{"spammer@example.net": true, "SPAMMER@example.net": true, "other@example.net": false, "mistake@example.org": false} {
				if got, err := blocklist.Blocked(ctx, e.Sys.DB, addr); err != nil || got != want {
					t.Errorf("blocked(%s) = %v, %v; want %v", addr, got, err, want)
				}
			}
			if n := count(`SELECT COUNT(*) FROM tickets WHERE id = ?`, spam); n != 0 {
				t.Fatal("the spam ticket is still there")
			}

			// A ticket an agent opened in their own name.
			agentEmail := e.Agents[authz.Agent].Email
			own := mk(agentEmail)
			_, err = e.Sys.Privacy.MarkSpam(ctx, actorOf(e, authz.Agent), own)
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Code != apperr.CodeInvalid {
				t.Fatalf("marking an agent's ticket as spam: %v", err)
			}
			if n := count(`SELECT COUNT(*) FROM tickets WHERE id = ?`, own); n != 1 {
				t.Fatal("a refused spam mark deleted the ticket")
			}
		})
	}
}
