package zendesk_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/dbtest"
)

// fixture makes five tickets from five customers and three organizations.
func fixture(t *testing.T, e *apptest.Env) (tickets []int64) {
	t.Helper()
	for i := range 5 {
		out := do(t, e, authz.Agent, "POST", "/api/v2/tickets.json", map[string]any{"ticket": map[string]any{
			"subject": fmt.Sprintf("Order %d", i), "comment": map[string]any{"body": "Where is my order?"}, "status": []string{"new", "open", "pending", "hold", "solved"}[i],
			"priority":  []string{"low", "normal", "high", "urgent", "normal"}[i],
			"requester": map[string]any{"email": fmt.Sprintf("c%d@example.no", i), "name": fmt.Sprintf("Customer %d", i)}}}, http.StatusCreated)
		tickets = append(tickets, num(out["ticket"].(map[string]any)["id"]))
	}
	for _, name := range []string{"Acme", "Globex", "Initech"} {
		if _, err := e.Sys.Customers.CreateOrganization(t.Context(), authz.System, customer.OrganizationInput{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	return tickets
}

// walkPages follows a list's next links (next_page or links.next) from
// path, returning the ids in order and every page.
func walkPages(t *testing.T, e *apptest.Env, path, key string) (ids []int64, pages []map[string]any) {
	t.Helper()
	for url := e.URL + path; url != ""; {
		out := do(t, e, authz.Agent, "GET", strings.TrimPrefix(url, e.URL), nil, http.StatusOK)
		pages = append(pages, out)
		for _, v := range out[key].([]any) {
			ids = append(ids, num(v.(map[string]any)["id"]))
		}
		url = ""
		if links, ok := out["links"].(map[string]any); ok {
			url, _ = links["next"].(string)
		} else {
			url, _ = out["next_page"].(string)
		}
		if len(pages) > 50 {
			t.Fatal("more than 50 pages")
		}
	}
	return ids, pages
}

// TestPagination pages through tickets, users and organizations both of
// Zendesk's ways, on both engines.
func TestPagination(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			tickets := fixture(t, e)
			agents := 0
			for range e.Agents {
				agents++
			}
			tests := []struct {
				name, path, key string
				want            int // rows in all
				pages           int
			}{
				{"tickets by offset", "/api/v2/tickets.json?per_page=2", "tickets", 5, 3},
				{"tickets by cursor", "/api/v2/tickets.json?page[size]=2", "tickets", 5, 3},
				{"users by offset", "/api/v2/users.json?per_page=4", "users", 5 + agents, 3},
				{"users by cursor", "/api/v2/users.json?page[size]=3", "users", 5 + agents, -1},
				{"end-users", "/api/v2/users.json?role=end-user&per_page=100", "users", 5, 1},
				{"admins", "/api/v2/users.json?role=admin", "users", 1, 1},
				{"agents", "/api/v2/users.json?role=agent&page[size]=2", "users", agents - 1, -1},
				{"organizations by offset", "/api/v2/organizations.json?per_page=2", "organizations", 3, 2},
				{"organizations by cursor", "/api/v2/organizations.json?page[size]=2", "organizations", 3, 2},
				{"user search", "/api/v2/users/search.json?query=example.no&per_page=2", "users", 5, 3},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					ids, pages := walkPages(t, e, tt.path, tt.key)
					if len(ids) != tt.want {
						t.Fatalf("%d rows, want %d: %v", len(ids), tt.want, ids)
					}
					seen := map[int64]bool{}
					for _, id := range ids {
						if seen[id] {
							t.Errorf("id %d twice", id)
						}
						seen[id] = true
					}
					if tt.pages > 0 && len(pages) != tt.pages {
						t.Errorf("%d pages, want %d", len(pages), tt.pages)
					}
					first, last := pages[0], pages[len(pages)-1]
					if strings.Contains(tt.path, "page[size]") {
						meta := first["meta"].(map[string]any)
						if len(pages) > 1 && (meta["has_more"] != true || meta["after_cursor"] == nil) {
							t.Errorf("first cursor page meta %v", meta)
						}
						if m := last["meta"].(map[string]any); m["has_more"] != false || last["links"].(map[string]any)["next"] != nil {
							t.Errorf("last cursor page: meta %v links %v", m, last["links"])
						}
						return
					}
					for i, p := range pages {
						if num(p["count"]) != int64(tt.want) {
							t.Errorf("page %d count %v, want %d", i+1, p["count"], tt.want)
						}
						if (i == 0) != (p["previous_page"] == nil) {
							t.Errorf("page %d previous_page %v", i+1, p["previous_page"])
						}
					}
				})
			}
			// Tickets come by id, as Zendesk lists them.
			ids, _ := walkPages(t, e, "/api/v2/tickets.json?per_page=2", "tickets")
			if !slices.Equal(ids, tickets) {
				t.Errorf("ticket order %v, want %v", ids, tickets)
			}
			// Users: customers first, then agents (ids above AgentUserBase).
			ids, _ = walkPages(t, e, "/api/v2/users.json?page[size]=4", "users")
			for i, id := range ids {
				if (i < 5) != (id < 1_000_000_000_000) {
					t.Errorf("user %d at %d: customers come first", id, i)
				}
			}
		})
	}
}

// TestSearch runs Zendesk queries against the fixture, on both engines.
func TestSearch(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			tk := fixture(t, e)
			tests := []struct {
				query string
				want  []int64 // ticket ids, any order
				kind  string
				n     int // results, for users and organizations
			}{
				{query: "type:ticket status:open", want: tk[1:2]},
				{query: "type:ticket status<solved", want: tk[0:4]},
				{query: "status:hold", want: tk[3:4]},
				{query: "priority>normal", want: tk[2:4]},
				{query: "type:ticket -status:solved priority:normal", want: tk[1:2]},
				{query: `"Order 2"`, want: tk[2:3]},
				{query: "requester:c4@example.no", want: tk[4:5]},
				{query: "type:user example.no", kind: "user", n: 5},
				{query: "type:organization ac", kind: "organization", n: 1},
			}
			for _, tt := range tests {
				t.Run(tt.query, func(t *testing.T) {
					out := do(t, e, authz.Agent, "GET", "/api/v2/search.json?query="+urlEncode(tt.query), nil, http.StatusOK)
					results := out["results"].([]any)
					kind := tt.kind
					if kind == "" {
						kind, tt.n = "ticket", len(tt.want)
					}
					if len(results) != tt.n || num(out["count"]) != int64(tt.n) {
						t.Fatalf("%d results (count %v), want %d: %v", len(results), out["count"], tt.n, out)
					}
					var got []int64
					for _, r := range results {
						m := r.(map[string]any)
						if m["result_type"] != kind {
							t.Errorf("result_type %v, want %s", m["result_type"], kind)
						}
						got = append(got, num(m["id"]))
					}
					if tt.want != nil {
						slices.Sort(got)
						if !slices.Equal(got, tt.want) {
							t.Errorf("ids %v, want %v", got, tt.want)
						}
					}
				})
			}
		})
	}
}

func urlEncode(s string) string {
	return strings.NewReplacer("%", "%25", " ", "%20", `"`, "%22", "<", "%3C", ">", "%3E", "&", "%26", "+", "%2B", "#", "%23").Replace(s)
}

// TestIncrementalExport exports tickets by time and by cursor, then polls
// the cursor again after a change, on both engines.
func TestIncrementalExport(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			tk := fixture(t, e)

			out := do(t, e, authz.Agent, "GET", "/api/v2/incremental/tickets.json?start_time=0", nil, http.StatusOK)
			if num(out["count"]) != 5 || out["end_of_stream"] != true || len(out["tickets"].([]any)) != 5 {
				t.Fatalf("time-based export: %v", out)
			}
			last := out["tickets"].([]any)[4].(map[string]any)
			end, _ := time.Parse(time.RFC3339, last["updated_at"].(string))
			if num(out["end_time"]) != end.Unix() || !strings.Contains(out["next_page"].(string), fmt.Sprintf("start_time=%d", end.Unix())) {
				t.Errorf("end_time %v next_page %v, want the last ticket's second %d", out["end_time"], out["next_page"], end.Unix())
			}
			future := time.Now().Add(time.Hour).Unix()
			out = do(t, e, authz.Agent, "GET", fmt.Sprintf("/api/v2/incremental/tickets.json?start_time=%d", future), nil, http.StatusOK)
			if num(out["count"]) != 0 || out["end_of_stream"] != true {
				t.Errorf("export from the future: %v", out)
			}

			// By cursor, two at a time: every ticket once, in change order.
			var ids []int64
			path := "/api/v2/incremental/tickets/cursor.json?start_time=0&per_page=2"
			var after string
			for i := 0; ; i++ {
				out := do(t, e, authz.Agent, "GET", path, nil, http.StatusOK)
				for _, v := range out["tickets"].([]any) {
					ids = append(ids, num(v.(map[string]any)["id"]))
				}
				after = out["after_cursor"].(string)
				path = strings.TrimPrefix(out["after_url"].(string), e.URL)
				if out["end_of_stream"] == true {
					break
				}
				if i > 5 {
					t.Fatal("no end of stream")
				}
			}
			if !slices.Equal(ids, tk) {
				t.Errorf("cursor export %v, want %v", ids, tk)
			}
			// Nothing changed: the next poll is empty and at the end.
			out = do(t, e, authz.Agent, "GET", "/api/v2/incremental/tickets/cursor.json?cursor="+after, nil, http.StatusOK)
			if len(out["tickets"].([]any)) != 0 || out["end_of_stream"] != true || out["after_cursor"] != after {
				t.Errorf("poll without changes: %v", out)
			}
			// A change brings that ticket back, alone.
			time.Sleep(5 * time.Millisecond)
			do(t, e, authz.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/%d.json", tk[1]), map[string]any{"ticket": map[string]any{"priority": "urgent"}}, http.StatusOK)
			out = do(t, e, authz.Agent, "GET", "/api/v2/incremental/tickets/cursor.json?cursor="+after, nil, http.StatusOK)
			got := out["tickets"].([]any)
			if len(got) != 1 || num(got[0].(map[string]any)["id"]) != tk[1] || got[0].(map[string]any)["priority"] != "urgent" {
				t.Errorf("poll after a change: %v", got)
			}
			if st, body, _ := send(t, e, bearer(e, authz.Agent), "GET", "/api/v2/incremental/tickets/cursor.json?cursor=abc", nil); st != 422 || body["error"] != "RecordInvalid" {
				t.Errorf("forged cursor: %d %v", st, body)
			}
		})
	}
}
