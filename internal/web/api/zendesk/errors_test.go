package zendesk_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
)

// TestErrorShapes checks that every refusal under /api/v2 has Zendesk's
// error shape and status, on both engines.
func TestErrorShapes(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			admin := e.Agents[authz.Admin]
			tests := []struct {
				name   string
				auth   string
				method string
				path   string
				body   any
				status int
				want   map[string]any
			}{
				{"no credentials", "", "GET", "/api/v2/tickets.json", nil, 401, map[string]any{"error": "Couldn't authenticate you"}},
				{"bad bearer token", "Bearer ombud_nope", "GET", "/api/v2/tickets.json", nil, 401, map[string]any{"error": "Couldn't authenticate you"}},
				{"basic with another agent's email", basic("agent@ombud.test", e.Tokens[authz.Admin]), "GET", "/api/v2/tickets.json", nil, 401, map[string]any{"error": "Couldn't authenticate you"}},
				{"basic with a password", "Basic " + base64.StdEncoding.EncodeToString([]byte(admin.Email+":"+apptest.Password)), "GET", "/api/v2/tickets.json", nil, 401, map[string]any{"error": "Couldn't authenticate you"}},
				{"ticket not found", bearer(e, authz.Agent), "GET", "/api/v2/tickets/999999.json", nil, 404, map[string]any{"error": "RecordNotFound", "description": "Not found"}},
				{"user not found", bearer(e, authz.Agent), "GET", "/api/v2/users/999999.json", nil, 404, map[string]any{"error": "RecordNotFound", "description": "Not found"}},
				{"organization not found", bearer(e, authz.Agent), "GET", "/api/v2/organizations/abc.json", nil, 404, map[string]any{"error": "RecordNotFound", "description": "Not found"}},
				{"unknown endpoint", bearer(e, authz.Agent), "GET", "/api/v2/macros.json", nil, 404, map[string]any{"error": "RecordNotFound", "description": "Not found"}},
				{"agents may not delete tickets", bearer(e, authz.Agent), "DELETE", "/api/v2/tickets/1.json", nil, 403, map[string]any{"error": "Forbidden", "description": "your role may not do this (ticket.delete)"}},
				{"no PATCH on a ticket", bearer(e, authz.Agent), "PATCH", "/api/v2/tickets/1.json", nil, 405, nil},
				{"create without ticket", bearer(e, authz.Agent), "POST", "/api/v2/tickets.json", map[string]any{}, 422, map[string]any{
					"error": "RecordInvalid", "description": "Record validation errors",
					"details": map[string]any{"ticket": []any{map[string]any{"description": `Ticket: is required: send {"ticket":{…}}`, "error": "InvalidValue"}}}}},
				{"create without subject or comment", bearer(e, authz.Agent), "POST", "/api/v2/tickets.json", map[string]any{"ticket": map[string]any{"requester": map[string]any{"email": "ola@example.no"}}}, 422, map[string]any{
					"error": "RecordInvalid", "description": "Record validation errors",
					"details": map[string]any{
						"comment": []any{map[string]any{"description": "Comment: is required", "error": "InvalidValue"}},
						"subject": []any{map[string]any{"description": "Subject: is required", "error": "InvalidValue"}},
					}}},
				{"bad priority", bearer(e, authz.Agent), "POST", "/api/v2/tickets.json", map[string]any{"ticket": map[string]any{"subject": "x", "comment": map[string]any{"body": "y"}, "priority": "asap"}}, 422, map[string]any{
					"error": "RecordInvalid", "description": "Record validation errors",
					"details": map[string]any{"priority": []any{map[string]any{"description": "Priority: must be one of low, normal, high, urgent", "error": "InvalidValue"}}}}},
				{"assignee who is not an agent", bearer(e, authz.Agent), "POST", "/api/v2/tickets.json", map[string]any{"ticket": map[string]any{"subject": "x", "comment": map[string]any{"body": "y"}, "assignee_id": 5}}, 422, map[string]any{
					"error": "RecordInvalid", "description": "Record validation errors",
					"details": map[string]any{"assignee_id": []any{map[string]any{"description": "Assignee id: must be the user id of an agent (role agent or admin)", "error": "InvalidValue"}}}}},
				{"role may not create", bearer(e, authz.Collaborator), "POST", "/api/v2/tickets.json", map[string]any{"ticket": map[string]any{"subject": "x"}}, 403, nil},
				{"bad per_page", bearer(e, authz.Agent), "GET", "/api/v2/tickets.json?per_page=1000", nil, 400, map[string]any{"error": "InvalidPaginationParameter", "description": "per_page must be a whole number from 1 to 100"}},
				{"offset past 10000", bearer(e, authz.Agent), "GET", "/api/v2/tickets.json?page=101", nil, 400, map[string]any{"error": "InvalidPaginationParameter", "description": "offset pagination stops at 10000 records; use cursor pagination (page[size], page[after])"}},
				{"forged cursor", bearer(e, authz.Agent), "GET", "/api/v2/tickets.json?page[after]=zzz", nil, 400, map[string]any{"error": "InvalidPaginationParameter", "description": "page[after] is not a cursor returned by this list"}},
				{"search without query", bearer(e, authz.Agent), "GET", "/api/v2/search.json", nil, 400, map[string]any{"error": "InvalidSearchQuery", "description": "query is required"}},
				{"search keyword Ombud lacks", bearer(e, authz.Agent), "GET", "/api/v2/search.json?query=brand:acme", nil, 400, map[string]any{"error": "InvalidSearchQuery", "description": "brand is not a search keyword Ombud knows"}},
				{"export without start_time", bearer(e, authz.Agent), "GET", "/api/v2/incremental/tickets.json", nil, 422, map[string]any{
					"error": "RecordInvalid", "description": "Record validation errors",
					"details": map[string]any{"start_time": []any{map[string]any{"description": "Start time: is required: a Unix time in seconds", "error": "InvalidValue"}}}}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					st, got, h := send(t, e, tt.auth, tt.method, tt.path, tt.body)
					if st != tt.status {
						t.Fatalf("status %d, want %d: %v", st, tt.status, got)
					}
					if _, ok := got["error"].(string); !ok {
						t.Fatalf("error is not a string (Zendesk's shape): %v", got)
					}
					if st == 403 && got["error"] != "Forbidden" {
						t.Errorf("403 error %v, want Forbidden", got["error"])
					}
					if st == 401 && h.Get("WWW-Authenticate") == "" {
						t.Error("401 without WWW-Authenticate")
					}
					if tt.want != nil {
						if diff := cmp.Diff(tt.want, got); diff != "" {
							t.Errorf("(-want +got):\n%s", diff)
						}
					}
				})
			}
		})
	}
}

// TestCredentials checks both ways a Zendesk client sends an Ombud API
// token: Basic {email}/token:{token} and Bearer {token}.
func TestCredentials(t *testing.T) {
	e := apptest.New(t, db.SQLite)
	for role, tok := range e.Tokens {
		email := e.Agents[role].Email
		for name, auth := range map[string]string{
			"basic": basic(email, tok), "basic, email in other case": basic(strings.ToUpper(email), tok), "bearer": "Bearer " + tok,
		} {
			st, got, _ := send(t, e, auth, "GET", "/api/v2/users/me.json", nil)
			if st != 200 {
				t.Errorf("%s %s: %d %v", role, name, st, got)
				continue
			}
			u := got["user"].(map[string]any)
			wantRole := "agent"
			if role == authz.Admin {
				wantRole = "admin"
			}
			if u["email"] != email || u["role"] != wantRole {
				t.Errorf("%s %s: me is %v", role, name, u)
			}
		}
	}
	// Under /api/v1 Basic stays refused: only Zendesk's surface takes it.
	if st, _, _ := send(t, e, basic(e.Agents[authz.Admin].Email, e.Tokens[authz.Admin]), "GET", "/api/v1/me", nil); st != 401 {
		t.Errorf("/api/v1 with Basic: %d, want 401", st)
	}
}

// TestForgedCursors: cursors travel through the client, so forged ones
// (keys at the edges of int64, another list's sort) must give a page or a
// 4xx in Zendesk's shape, never a database error, on both engines.
func TestForgedCursors(t *testing.T) {
	cursors := []string{
		`{"k":9223372036854775807,"i":9223372036854775807,"o":"view:id_asc"}`,
		`{"k":-9223372036854775808,"i":1,"o":"view:updated_asc"}`,
		`{"k":9223372036854775807,"i":2147483648,"o":"view:updated_asc"}`,
		`{"s":"a|zzz","i":1,"o":"zendesk:users"}`,
		`{"s":"c|eyJpIjo5MjIzMzcyMDM2ODU0Nzc1ODA3fQ","i":1,"o":"zendesk:users"}`,
		`{"k":0,"i":2147483648,"o":"updated"}`,
	}
	paths := []string{"/api/v2/tickets.json?page[after]=", "/api/v2/users.json?page[after]=", "/api/v2/organizations.json?page[after]=",
		"/api/v2/tickets/1/comments.json?page[after]=", "/api/v2/incremental/tickets/cursor.json?cursor="}
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			do(t, e, authz.Agent, "POST", "/api/v2/tickets.json", map[string]any{"ticket": map[string]any{"subject": "x", "comment": map[string]any{"body": "y"}}}, 201)
			for _, c := range cursors {
				cur := base64.RawURLEncoding.EncodeToString([]byte(c))
				for _, p := range paths {
					st, body, _ := send(t, e, bearer(e, authz.Admin), "GET", p+cur, nil)
					if _, isErr := body["error"].(string); st >= 500 || (st != 200 && !isErr) {
						t.Errorf("%s with %s: %d %v", p, c, st, body)
					}
				}
			}
		})
	}
}
