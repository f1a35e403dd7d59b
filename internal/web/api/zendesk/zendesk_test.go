package zendesk_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/api/zendesk"
)

// TestMain stops the throwaway PostgreSQL cluster the tests share.
func TestMain(m *testing.M) { dbtest.Main(m) }

// send makes a request with an Authorization header as given and returns
// the status, the decoded body and the headers.
func send(t *testing.T, e *apptest.Env, authorization, method, path string, body any) (int, map[string]any, http.Header) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = strings.NewReader(string(b))
	}
	req, err := http.NewRequest(method, e.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := e.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := map[string]any{}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s: not JSON: %q", method, path, raw)
		}
	}
	return resp.StatusCode, out, resp.Header
}

func bearer(e *apptest.Env, role authz.Role) string { return "Bearer " + e.Tokens[role] }

func basic(email, token string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(email+"/token:"+token))
}

// do is send as role with a bearer token, failing on an unexpected status.
func do(t *testing.T, e *apptest.Env, role authz.Role, method, path string, body any, want int) map[string]any {
	t.Helper()
	st, out, _ := send(t, e, bearer(e, role), method, path, body)
	if st != want {
		t.Fatalf("%s %s: status %d, want %d: %v", method, path, st, want, out)
	}
	return out
}

func num(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}

// TestTicketShapes creates tickets through /api/v2 and checks each field
// of Zendesk's ticket shape against what Ombud stored, on both engines.
func TestTicketShapes(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			ctx := t.Context()
			field, err := e.Sys.Tickets.CreateField(ctx, authz.System, ticket.FieldInput{Key: "order_no", Label: "Order number", Type: "text"})
			if err != nil {
				t.Fatal(err)
			}
			agentUser := zendesk.AgentUserID(e.Agents[authz.Agent].ID)
			tests := []struct {
				name  string
				in    map[string]any
				check map[string]any // expected top-level values (JSON-decoded)
			}{
				{
					name: "defaults",
					in:   map[string]any{"subject": "Parcel late", "comment": map[string]any{"body": "Where is it?"}, "requester": map[string]any{"email": "ola@example.no", "name": "Ola"}},
					check: map[string]any{"subject": "Parcel late", "raw_subject": "Parcel late", "description": "Where is it?", "status": "new",
						"priority": "normal", "type": "question", "is_public": true, "assignee_id": nil, "group_id": nil, "via": map[string]any{"channel": "api", "source": map[string]any{"from": map[string]any{}, "to": map[string]any{}, "rel": nil}}},
				},
				{
					name: "hold and urgent incident, assigned, tagged",
					in: map[string]any{"subject": "Outage", "comment": map[string]any{"body": "All down", "public": false}, "requester": map[string]any{"email": "kari@example.no"},
						"status": "hold", "priority": "urgent", "type": "incident", "assignee_id": agentUser, "tags": []string{"VIP", "outage"}, "external_id": "ext-1",
						"custom_fields": []map[string]any{{"id": field.ID, "value": "A-1234"}}},
					check: map[string]any{"status": "hold", "priority": "urgent", "type": "incident", "assignee_id": float64(agentUser), "tags": []any{"outage", "vip"},
						"external_id": "ext-1", "is_public": false, "custom_fields": []any{map[string]any{"id": float64(field.ID), "value": "A-1234"}}},
				},
				{
					name:  "no subject: the first line",
					in:    map[string]any{"comment": map[string]any{"body": "First line\nsecond"}, "requester": map[string]any{"email": "ola@example.no"}, "status": "pending", "priority": "low"},
					check: map[string]any{"subject": "First line", "status": "pending", "priority": "low", "custom_fields": []any{map[string]any{"id": float64(field.ID), "value": nil}}},
				},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					out := do(t, e, authz.Agent, "POST", "/api/v2/tickets.json", map[string]any{"ticket": tt.in}, http.StatusCreated)
					tk := out["ticket"].(map[string]any)
					id := num(tk["id"])
					if tk["url"] != fmt.Sprintf("%s/api/v2/tickets/%d.json", e.URL, id) {
						t.Errorf("url %v", tk["url"])
					}
					for k, want := range tt.check {
						if diff := cmp.Diff(want, tk[k]); diff != "" {
							t.Errorf("%s (-want +got):\n%s", k, diff)
						}
					}
					// The same ticket read back, with and without .json.
					stored, err := e.Sys.Tickets.Get(ctx, authz.System, id)
					if err != nil {
						t.Fatal(err)
					}
					if num(tk["requester_id"]) != stored.RequesterID {
						t.Errorf("requester_id %v, stored %d", tk["requester_id"], stored.RequesterID)
					}
					if stored.OrganizationID == nil && tk["organization_id"] != nil {
						t.Errorf("organization_id %v, stored none", tk["organization_id"])
					}
					for _, p := range []string{fmt.Sprintf("/api/v2/tickets/%d.json", id), fmt.Sprintf("/api/v2/tickets/%d", id)} {
						got := do(t, e, authz.Agent, "GET", p, nil, http.StatusOK)["ticket"]
						if diff := cmp.Diff(tk, got); diff != "" {
							t.Errorf("GET %s differs from the create answer:\n%s", p, diff)
						}
					}
					for _, k := range []string{"created_at", "updated_at"} {
						if s, _ := tk[k].(string); len(s) != len("2026-01-02T15:04:05Z") || !strings.HasSuffix(s, "Z") {
							t.Errorf("%s %q is not Zendesk's time format", k, tk[k])
						}
					}
				})
			}
		})
	}
}

// TestUpdateAndComments updates a ticket as Zendesk clients do (fields and
// a comment in one PUT) and reads the comments back, on both engines.
func TestUpdateAndComments(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			team, err := e.Sys.Agents.CreateTeam(t.Context(), authz.System, agent.TeamInput{Name: "Billing"})
			if err != nil {
				t.Fatal(err)
			}
			out := do(t, e, authz.Agent, "POST", "/api/v2/tickets.json", map[string]any{"ticket": map[string]any{
				"subject": "Refund", "comment": map[string]any{"body": "Please refund"}, "requester": map[string]any{"email": "ola@example.no", "name": "Ola"}}}, http.StatusCreated)
			id := num(out["ticket"].(map[string]any)["id"])
			path := fmt.Sprintf("/api/v2/tickets/%d.json", id)
			tk := do(t, e, authz.Agent, "PUT", path, map[string]any{"ticket": map[string]any{
				"status": "pending", "group_id": team.ID, "additional_tags": []string{"refund"},
				"comment": map[string]any{"body": "Refunded, **check** your bank", "public": true}}}, http.StatusOK)["ticket"].(map[string]any)
			if tk["status"] != "pending" || num(tk["group_id"]) != team.ID || fmt.Sprint(tk["tags"]) != "[refund]" {
				t.Errorf("after update: status %v group %v tags %v", tk["status"], tk["group_id"], tk["tags"])
			}
			do(t, e, authz.Agent, "PUT", path, map[string]any{"ticket": map[string]any{"comment": map[string]any{"body": "internal only", "public": false}}}, http.StatusOK)
			cs := do(t, e, authz.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/comments.json", id), nil, http.StatusOK)
			list := cs["comments"].([]any)
			if len(list) != 3 || cs["count"] != float64(3) || cs["next_page"] != nil {
				t.Fatalf("comments: %v", cs)
			}
			want := []struct {
				body   string
				public bool
				author int64
			}{
				{"Please refund", true, num(tk["requester_id"])},
				{"Refunded, **check** your bank", true, zendesk.AgentUserID(e.Agents[authz.Agent].ID)},
				{"internal only", false, zendesk.AgentUserID(e.Agents[authz.Agent].ID)},
			}
			for i, w := range want {
				c := list[i].(map[string]any)
				if c["body"] != w.body || c["public"] != w.public || num(c["author_id"]) != w.author || c["type"] != "Comment" {
					t.Errorf("comment %d: %v", i, c)
				}
			}
			// The requester's and the assignee's lists; an end-user is
			// assigned nothing.
			requester := num(tk["requester_id"])
			do(t, e, authz.Agent, "PUT", path, map[string]any{"ticket": map[string]any{"assignee_id": zendesk.AgentUserID(e.Agents[authz.Agent].ID)}}, http.StatusOK)
			for p, want := range map[string]int{
				fmt.Sprintf("/api/v2/users/%d/tickets/requested.json", requester):                                    1,
				fmt.Sprintf("/api/v2/users/%d/tickets/assigned.json", zendesk.AgentUserID(e.Agents[authz.Agent].ID)): 1,
				fmt.Sprintf("/api/v2/users/%d/tickets/assigned.json", requester):                                     0,
				fmt.Sprintf("/api/v2/users/%d/tickets/assigned.json?page[size]=10", requester):                       0,
			} {
				out := do(t, e, authz.Agent, "GET", p, nil, http.StatusOK)
				if list := out["tickets"].([]any); len(list) != want || (want == 1 && num(list[0].(map[string]any)["id"]) != id) {
					t.Errorf("%s: %v, want %d", p, out["tickets"], want)
				}
			}
			do(t, e, authz.Agent, "GET", "/api/v2/users/999999/tickets/requested.json", nil, http.StatusNotFound)

			// A collaborator may add an internal note but not change fields.
			do(t, e, authz.Collaborator, "PUT", path, map[string]any{"ticket": map[string]any{"comment": map[string]any{"body": "seen", "public": false}}}, http.StatusOK)
			do(t, e, authz.Collaborator, "PUT", path, map[string]any{"ticket": map[string]any{"priority": "high"}}, http.StatusForbidden)
		})
	}
}
