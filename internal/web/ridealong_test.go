package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestRideAlongMatrix extends the route × role matrix to the changes that
// ride along with another request: a status sent with a comment (API and
// composer form), a bulk update and a merge. Every role either may make the
// change on its own (PATCH) and succeeds, or gets 403 and leaves the ticket
// exactly as it was.
func TestRideAlongMatrix(t *testing.T) {
	e := apptest.New(t, db.SQLite)
	type request struct {
		name string
		do   func(t *testing.T, role authz.Role, id int64) int
		ok   int
	}
	requests := []request{
		{"API note with status", func(t *testing.T, role authz.Role, id int64) int {
			st, _ := e.Do(t, role, "POST", fmt.Sprintf("/api/v1/tickets/%d/comments", id), `{"body":"note","public":false,"status":"solved"}`)
			return st
		}, http.StatusCreated},
		{"composer note with status", func(t *testing.T, role authz.Role, id int64) int {
			return webtest.PostForm(t, e, role, fmt.Sprintf("/tickets/%d/comments", id), url.Values{"public": {"false"}, "body": {"note"}, "status": {"solved"}})
		}, http.StatusSeeOther},
		{"API bulk", func(t *testing.T, role authz.Role, id int64) int {
			st, _ := e.Do(t, role, "POST", "/api/v1/tickets/bulk", map[string]any{"ids": []int64{id}, "patch": map[string]any{"status": "solved"}})
			return st
		}, http.StatusOK},
		{"API merge", func(t *testing.T, role authz.Role, id int64) int {
			other := webtest.CreateTicket(t, e, "Merge target")
			st, _ := e.Do(t, role, "POST", fmt.Sprintf("/api/v1/tickets/%d/merge", other), map[string]any{"source_id": id})
			return st
		}, http.StatusOK},
	}
	for _, rq := range requests {
		for _, role := range authz.Roles {
			t.Run(rq.name+"/"+string(role), func(t *testing.T) {
				id := webtest.CreateTicket(t, e, "Ride-along "+rq.name)
				_, before := e.Do(t, authz.Admin, "GET", fmt.Sprintf("/api/v1/tickets/%d", id), nil)
				st := rq.do(t, role, id)
				_, after := e.Do(t, authz.Admin, "GET", fmt.Sprintf("/api/v1/tickets/%d", id), nil)
				if authz.Can(authz.Actor{Kind: authz.KindAgent, ID: 1, Role: role}, authz.TicketUpdate) {
					if st != rq.ok {
						t.Fatalf("status %d, want %d", st, rq.ok)
					}
					return
				}
				if st != http.StatusForbidden {
					t.Errorf("status %d, want 403", st)
				}
				for _, k := range []string{"status", "assignee_id", "version", "merged_into_id"} {
					if fmt.Sprint(before[k]) != fmt.Sprint(after[k]) {
						t.Errorf("%s changed from %v to %v", k, before[k], after[k])
					}
				}
			})
		}
	}
}

// TestNoteOnlyTicketPage checks that the ticket page offers a note-only role
// what it may do and nothing else: a notes composer without "Submit as" and
// a read-only details panel.
func TestNoteOnlyTicketPage(t *testing.T) {
	e := apptest.New(t, db.SQLite)
	id := webtest.CreateTicket(t, e, "Read-only panel")
	for _, role := range authz.Roles {
		t.Run(string(role), func(t *testing.T) {
			page := webtest.GetPage(t, e, role, fmt.Sprintf("/tickets/%d", id))
			actor := authz.Actor{Kind: authz.KindAgent, ID: 1, Role: role}
			checks := []struct {
				marker string
				want   bool
			}{
				{`id="submit-status"`, authz.Can(actor, authz.TicketUpdate)},
				{`id="f-status"`, authz.Can(actor, authz.TicketUpdate)},
				{`class="fields-readonly"`, !authz.Can(actor, authz.TicketUpdate)},
				{`name="public" value="true"`, authz.Can(actor, authz.TicketReply)},
				{`name="public" value="false"`, true},
			}
			for _, c := range checks {
				if strings.Contains(page, c.marker) != c.want {
					t.Errorf("%s on the page: %v, want %v", c.marker, !c.want, c.want)
				}
			}
		})
	}
}
