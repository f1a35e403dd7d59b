package web_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/config"
	"github.com/ombud/ombud/internal/db"
)

// raw sends one request with headers and returns the response and its body.
func raw(t *testing.T, e *apptest.Env, method, path, body string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := e.Client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func bearer(e *apptest.Env, role authz.Role) map[string]string {
	return map[string]string{"Authorization": "Bearer " + e.Tokens[role]}
}

// TestMethodNotAllowed: a path that exists answers a wrong method with 405
// and the methods it has in Allow (it was a 404); a path that does not
// exist stays a 404 without Allow.
func TestMethodNotAllowed(t *testing.T) {
	e := apptest.New(t, db.SQLite)
	cases := []struct {
		method, path string
		status       int
		allow        string
	}{
		{"DELETE", "/api/v1/tickets", 405, "GET, HEAD, POST"},
		{"PUT", "/api/v1/tickets/1", 405, "DELETE, GET, HEAD, PATCH"},
		{"GET", "/api/v1/tickets/1/merge", 405, "POST"},
		{"PATCH", "/api/v1/tickets/1/comments", 405, "GET, HEAD, POST"},
		{"DELETE", "/api/v1/no-such-thing", 404, ""},
		{"GET", "/api/v1/no-such-thing", 404, ""},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			resp, body := raw(t, e, tc.method, tc.path, "", bearer(e, authz.Admin))
			if resp.StatusCode != tc.status || resp.Header.Get("Allow") != tc.allow {
				t.Fatalf("status %d Allow %q, want %d %q\n%s", resp.StatusCode, resp.Header.Get("Allow"), tc.status, tc.allow, body)
			}
			var out struct {
				Error struct{ Code, Message string }
			}
			if err := json.Unmarshal([]byte(body), &out); err != nil || out.Error.Code == "" {
				t.Fatalf("not a JSON error: %q", body)
			}
			if tc.status == 405 && (out.Error.Code != "method_not_allowed" || !strings.Contains(out.Error.Message, tc.allow)) {
				t.Errorf("error %+v", out.Error)
			}
		})
	}
	// The agent UI answers a wrong method with its error page, also 405.
	resp, _ := raw(t, e, "DELETE", "/login", "", nil)
	if resp.StatusCode != 405 || !strings.Contains(resp.Header.Get("Allow"), "GET") {
		t.Errorf("DELETE /login: %d Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
}

// TestWWWAuthenticate: an API 401 names the scheme (RFC 9110 §11.6.1).
func TestWWWAuthenticate(t *testing.T) {
	e := apptest.New(t, db.SQLite)
	for _, hdr := range []map[string]string{nil, {"Authorization": "Bearer nope"}, {"Authorization": "Basic eDp5"}} {
		resp, body := raw(t, e, "GET", "/api/v1/tickets", "", hdr)
		if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != `Bearer realm="ombud"` {
			t.Errorf("%v: %d %q %s", hdr, resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body)
		}
	}
}

// TestRateLimits: every API answer carries the RateLimit fields; past the
// limit a token gets 429 with Retry-After, without costing another token
// its quota, until the address's own limit is reached.
func TestRateLimits(t *testing.T) {
	e := apptest.NewWith(t, db.SQLite, func(c *config.Config) { c.APIRateLimit, c.APIIPRateLimit = 5, 8 })
	get := func(role authz.Role) *http.Response {
		resp, _ := raw(t, e, "GET", "/api/v1/me", "", bearer(e, role))
		return resp
	}
	// apptest.New already used the address for setting up, on its own
	// server; the limits start afresh here per token but not per address,
	// so count what is left for the address from the first answer.
	for i := 4; i >= 0; i-- {
		resp := get(authz.Agent)
		if resp.StatusCode != 200 {
			t.Fatalf("request %d: %d", 5-i, resp.StatusCode)
		}
		if resp.Header.Get("RateLimit-Limit") == "" || resp.Header.Get("RateLimit-Policy") == "" || resp.Header.Get("RateLimit-Reset") == "" {
			t.Fatalf("no RateLimit fields: %v", resp.Header)
		}
		if got := resp.Header.Get("RateLimit-Remaining"); got != strconv.Itoa(min(i, 8-(5-i))) {
			t.Fatalf("request %d: remaining %s, want %d", 5-i, got, min(i, 8-(5-i)))
		}
	}
	resp, body := raw(t, e, "GET", "/api/v1/me", "", bearer(e, authz.Agent))
	ra, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
	if resp.StatusCode != 429 || ra < 1 || ra > 12 || !strings.Contains(body, "rate_limited") || !strings.Contains(body, "token") {
		t.Fatalf("6th request: %d Retry-After %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	// Another token has its own quota, the address has 2 left.
	for i := 0; i < 2; i++ {
		if resp := get(authz.Admin); resp.StatusCode != 200 {
			t.Fatalf("admin request %d: %d", i, resp.StatusCode)
		}
	}
	resp, body = raw(t, e, "GET", "/api/v1/me", "", bearer(e, authz.Admin))
	if resp.StatusCode != 429 || !strings.Contains(body, "address") {
		t.Fatalf("over the address limit: %d %s", resp.StatusCode, body)
	}
	// Pages of the agent UI are not API requests.
	if resp, _ := raw(t, e, "GET", "/login", "", nil); resp.StatusCode != 200 || resp.Header.Get("RateLimit-Limit") != "" {
		t.Errorf("/login: %d %v", resp.StatusCode, resp.Header)
	}
}

// TestIdempotencyKey: a retried create with the same key returns the first
// ticket, not a second one, on both engines.
func TestIdempotencyKey(t *testing.T) {
	for _, engine := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			create := `{"subject":"Parcel %d","description":"Where is it?","requester":{"email":"idem@example.no"}}`
			post := func(role authz.Role, key, body string) (*http.Response, map[string]any) {
				h := bearer(e, role)
				if key != "" {
					h["Idempotency-Key"] = key
				}
				resp, b := raw(t, e, "POST", "/api/v1/tickets", body, h)
				out := map[string]any{}
				_ = json.Unmarshal([]byte(b), &out)
				return resp, out
			}
			count := func() int {
				var n int
				if err := e.Sys.DB.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM tickets WHERE subject LIKE 'Parcel %'`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			first, a := post(authz.Agent, "k-1", fmt.Sprintf(create, 1))
			again, b := post(authz.Agent, "k-1", fmt.Sprintf(create, 1))
			if first.StatusCode != 201 || again.StatusCode != 201 || a["id"] != b["id"] || a["id"] == nil {
				t.Fatalf("first %d %v, retry %d %v", first.StatusCode, a["id"], again.StatusCode, b["id"])
			}
			if again.Header.Get("Idempotent-Replayed") != "true" || first.Header.Get("Idempotent-Replayed") != "" {
				t.Errorf("Idempotent-Replayed: first %q, retry %q", first.Header.Get("Idempotent-Replayed"), again.Header.Get("Idempotent-Replayed"))
			}
			if first.Header.Get("Location") != again.Header.Get("Location") {
				t.Errorf("Location %q then %q", first.Header.Get("Location"), again.Header.Get("Location"))
			}
			if n := count(); n != 1 {
				t.Fatalf("%d tickets after a retried create, want 1", n)
			}
			cases := []struct {
				name   string
				role   authz.Role
				key    string
				body   string
				status int
				field  string
			}{
				{"same key, other request", authz.Agent, "k-1", fmt.Sprintf(create, 2), 422, "Idempotency-Key"},
				{"key too long", authz.Agent, strings.Repeat("k", 256), fmt.Sprintf(create, 3), 400, "Idempotency-Key"},
				{"key with a space", authz.Agent, "k 1", fmt.Sprintf(create, 3), 400, "Idempotency-Key"},
				{"bad body with a key", authz.Agent, "k-bad", `{"subject":""}`, 400, ""},
				{"bad body replayed", authz.Agent, "k-bad", `{"subject":""}`, 400, ""},
				{"another agent's own key", authz.Admin, "k-1", fmt.Sprintf(create, 4), 201, ""},
			}
			for _, tc := range cases {
				resp, out := post(tc.role, tc.key, tc.body)
				if resp.StatusCode != tc.status {
					t.Fatalf("%s: %d %v", tc.name, resp.StatusCode, out)
				}
				if tc.field != "" {
					fields, _ := out["error"].(map[string]any)["fields"].(map[string]any)
					if fields[tc.field] == nil {
						t.Errorf("%s: no %s in %v", tc.name, tc.field, out)
					}
				}
			}
			if n := count(); n != 2 {
				t.Fatalf("%d tickets, want 2", n)
			}
			// Eight clients retrying at once: one ticket; each gets it or
			// "still running".
			var wg sync.WaitGroup
			ids := make(chan any, 8)
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					resp, out := post(authz.Agent, "k-race", fmt.Sprintf(create, 5))
					switch resp.StatusCode {
					case 201:
						ids <- out["id"]
					case 409:
					default:
						t.Errorf("racing retry: %d %v", resp.StatusCode, out)
					}
				}()
			}
			wg.Wait()
			close(ids)
			var first5 any
			for id := range ids {
				if first5 != nil && id != first5 {
					t.Errorf("two tickets for one key: %v and %v", first5, id)
				}
				first5 = id
			}
			if n := count(); n != 3 {
				t.Fatalf("%d tickets after racing retries, want 3", n)
			}
		})
	}
}

// TestListSortsAsViews: the ticket list takes the sort values a view takes
// (it knew three before), pages in each, and keeps its older names.
func TestListSortsAsViews(t *testing.T) {
	e := apptest.New(t, db.SQLite)
	var ids []float64
	for _, p := range []string{"low", "urgent", "normal"} {
		st, body := e.Do(t, authz.Agent, "POST", "/api/v1/tickets", map[string]any{
			"subject": "Sort " + p, "description": "x", "priority": p, "requester": map[string]any{"email": "sort@example.no"}})
		if st != 201 {
			t.Fatalf("create: %d %v", st, body)
		}
		ids = append(ids, body["id"].(float64))
	}
	walk := func(sort string) []float64 {
		var got []float64
		path := "/api/v1/tickets?limit=1&sort=" + sort
		for range 5 {
			st, body := e.Do(t, authz.Agent, "GET", path, nil)
			if st != 200 {
				t.Fatalf("%s: %d %v", path, st, body)
			}
			for _, d := range body["data"].([]any) {
				got = append(got, d.(map[string]any)["id"].(float64))
			}
			next, _ := body["next_cursor"].(string)
			if next == "" {
				break
			}
			path = "/api/v1/tickets?limit=1&sort=" + sort + "&cursor=" + next
		}
		return got
	}
	cases := map[string][]float64{
		"priority":     {ids[1], ids[2], ids[0]},
		"id_asc":       {ids[0], ids[1], ids[2]},
		"id_desc":      {ids[2], ids[1], ids[0]},
		"created_asc":  {ids[0], ids[1], ids[2]},
		"created":      {ids[2], ids[1], ids[0]},
		"updated_desc": {ids[2], ids[1], ids[0]},
	}
	for sort, want := range cases {
		if got := walk(sort); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("sort=%s: %v, want %v", sort, got, want)
		}
	}
	st, body := e.Do(t, authz.Agent, "GET", "/api/v1/tickets?sort=relevance", nil)
	fields, _ := body["error"].(map[string]any)["fields"].(map[string]any)
	if st != 400 || !strings.Contains(fmt.Sprint(fields["sort"]), "updated_desc") {
		t.Errorf("unknown sort: %d %v", st, body)
	}
}
