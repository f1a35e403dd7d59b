package tickets_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/webtest"
)

func TestListCountsAndBulk(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			a := webtest.CreateTicket(t, e, "First")
			b := webtest.CreateTicket(t, e, "Second")
			c := webtest.CreateTicket(t, e, "Third")
			ag := webtest.SignIn(t, e, authz.Agent)
			qa := webtest.SignIn(t, e, authz.QAReviewer)

			_, page, _ := ag.Do(t, "GET", "/tickets?view=open", nil)
			if !strings.Contains(page, `aria-label="3 tickets"`) {
				t.Fatalf("the All unsolved count should be 3: %s", webtest.Excerpt(page))
			}
			form := url.Values{"ids": {fmt.Sprint(a), fmt.Sprint(b)}, "status": {"pending"}, "assignee_id": {"me"}, "add_tag": {"bulk"}, "back": {"/tickets?view=open"}}
			st, _, loc := ag.Do(t, "POST", "/tickets/bulk", form)
			if st != 303 || !strings.HasPrefix(loc, "/tickets?view=open&") || !strings.Contains(loc, "updated=2") {
				t.Fatalf("bulk: %d %s", st, loc)
			}
			for _, id := range []int64{a, b} {
				_, tk := e.Do(t, authz.Agent, "GET", fmt.Sprintf("/api/v1/tickets/%d", id), nil)
				if tk["status"] != "pending" || num(tk["assignee_id"]) != e.Agents[authz.Agent].ID || !strings.Contains(fmt.Sprint(tk["tags"]), "bulk") {
					t.Fatalf("ticket %d after bulk: %v", id, tk["_raw"])
				}
			}
			_, page, _ = ag.Do(t, "GET", loc, nil)
			if !strings.Contains(page, "2 tickets updated.") || !strings.Contains(page, `aria-label="2 tickets"`) {
				t.Fatalf("after bulk: %s", webtest.Excerpt(page))
			}
			// Per ticket all or nothing: closing is not allowed from pending/new.
			st, _, loc = ag.Do(t, "POST", "/tickets/bulk", url.Values{"ids": {fmt.Sprint(a), fmt.Sprint(c)}, "status": {"closed"}})
			if st != 303 || !strings.Contains(loc, "updated=0") || !strings.Contains(loc, "failed=2") {
				t.Fatalf("refused bulk: %d %s", st, loc)
			}
			// Nothing selected: back to the list with a message (lists_test.go).
			if st, _, loc := ag.Do(t, "POST", "/tickets/bulk", url.Values{"status": {"open"}}); st != 303 || loc != "/tickets?bulk=none" {
				t.Fatalf("no selection: %d %s", st, loc)
			}
			if st, page, _ := ag.Do(t, "POST", fmt.Sprintf("/tickets/%d/draft", a), url.Values{"body": {"a\x00b"}}); st != 400 || !strings.Contains(page, "NUL") {
				t.Fatalf("NUL in a form: %d %s", st, webtest.Excerpt(page))
			}
			if st, _, _ := ag.Do(t, "POST", "/tickets/bulk", url.Values{"ids": {"abc"}}); st != 400 {
				t.Fatalf("bad id: %d", st)
			}
			if st, _, _ := qa.Do(t, "POST", "/tickets/bulk", url.Values{"ids": {fmt.Sprint(a)}, "status": {"open"}}); st != 403 {
				t.Fatalf("qa reviewer bulk: %d", st)
			}
			// Merge: b and c go into a, the oldest selected.
			st, _, loc = ag.Do(t, "POST", "/tickets/bulk", url.Values{"ids": {fmt.Sprint(c), fmt.Sprint(a), fmt.Sprint(b)}, "action": {"merge"}, "back": {"/tickets?view=open"}})
			if st != 303 || !strings.Contains(loc, "updated=2") || !strings.Contains(loc, fmt.Sprintf("merged_into=%d", a)) {
				t.Fatalf("bulk merge: %d %s", st, loc)
			}
			for _, id := range []int64{b, c} {
				_, tk := e.Do(t, authz.Agent, "GET", fmt.Sprintf("/api/v1/tickets/%d", id), nil)
				if tk["status"] != "closed" || num(tk["merged_into_id"]) != a {
					t.Fatalf("ticket %d after merge: %v", id, tk["_raw"])
				}
			}
			if _, page, _ := ag.Do(t, "GET", loc, nil); !strings.Contains(page, fmt.Sprintf("2 tickets merged into #%d.", a)) {
				t.Fatalf("after merge: %s", webtest.Excerpt(page))
			}
			if st, _, loc := ag.Do(t, "POST", "/tickets/bulk", url.Values{"ids": {fmt.Sprint(a)}, "action": {"merge"}}); st != 303 || loc != "/tickets?bulk=merge" {
				t.Fatalf("merge one: %d %s", st, loc)
			}
			if st, _, _ := qa.Do(t, "POST", "/tickets/bulk", url.Values{"ids": {fmt.Sprint(a), fmt.Sprint(b)}, "action": {"merge"}}); st != 403 {
				t.Fatalf("qa reviewer merge: %d", st)
			}
		})
	}
}

func num(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}

// TestCopiedCustomerNamed: a comment by a customer other than the
// requester (someone copied on the mail) carries that customer's name.
func TestCopiedCustomerNamed(t *testing.T) {
	e := apptest.New(t, dbtest.Engines[0])
	id := webtest.CreateTicket(t, e, "Copied")
	st, kari := e.Do(t, authz.Agent, "POST", "/api/v1/customers", map[string]any{"name": "Kari Copied", "emails": []string{"kari@example.no"}})
	if st != 201 {
		t.Fatalf("customer: %d %v", st, kari["_raw"])
	}
	if _, err := e.Sys.Tickets.AddComment(context.Background(), authz.System, id, ticket.CommentInput{Body: "I am copied.", CustomerID: num(kari["id"])}); err != nil {
		t.Fatal(err)
	}
	_, page, _ := webtest.SignIn(t, e, authz.Agent).Do(t, "GET", fmt.Sprintf("/tickets/%d", id), nil)
	if !strings.Contains(page, "<strong>Kari Copied</strong>") || !strings.Contains(page, "<strong>Ola</strong>") {
		t.Fatalf("authors: %s", webtest.Excerpt(page))
	}
}
