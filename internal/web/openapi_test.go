package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/web"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestOpenAPIChecker: the validator the response tests lean on does
// refuse what the document does not allow, and allows what it does.
func TestOpenAPIChecker(t *testing.T) {
	raw, err := json.Marshal((&web.Server{}).OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	d := webtest.NewOpenAPI(t, raw)
	ticket := `{"id":12,"subject":"s","status":"open","priority":"high","type":"question","channel":"email","requester_id":3,
		"organization_id":null,"assignee_id":null,"team_id":null,"language":"en","tags":["a"],"follower_ids":[],"custom_fields":{},
		"merged_into_id":null,"comment_count":1,"version":2,"created_at":"2026-12-01T10:00:00Z","updated_at":"2026-12-01T10:00:00Z",
		"solved_at":null,"closed_at":null}`
	jsonCT := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	tests := []struct {
		name    string
		status  int
		header  http.Header
		body    string
		wantErr string
	}{
		{"valid", 200, jsonCT, ticket, ""},
		{"extra field allowed", 200, jsonCT, strings.Replace(ticket, `"id":12`, `"id":12,"new_field":true`, 1), ""},
		{"id as a string", 200, jsonCT, strings.Replace(ticket, `"id":12`, `"id":"12"`, 1), "id"},
		{"unknown status", 200, jsonCT, strings.Replace(ticket, `"open"`, `"maybe"`, 1), "status"},
		{"required field missing", 200, jsonCT, strings.Replace(ticket, `"subject":"s",`, ``, 1), "subject"},
		{"null where not nullable", 200, jsonCT, strings.Replace(ticket, `"language":"en"`, `"language":null`, 1), "language"},
		{"bad time", 200, jsonCT, strings.Replace(ticket, `"2026-12-01T10:00:00Z"`, `"yesterday"`, 1), "created_at"},
		{"error shape", 404, jsonCT, `{"error":{"code":"not_found","message":"ticket 9 not found"}}`, ""},
		{"error of another shape", 404, jsonCT, `{"message":"not found"}`, "error"},
		{"undocumented media type", 200, http.Header{"Content-Type": {"text/html"}}, "<p>", "served as text/html"},
		{"undocumented success status", 201, jsonCT, ticket, "not documented"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := d.CheckResponse("GET", "/api/v1/tickets/{id}", tt.status, tt.header, []byte(tt.body))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected: %v", err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("passed, want an error naming %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("error %v does not name %q", err, tt.wantErr)
			}
		})
	}
	n, err := d.CompileAll()
	if err != nil {
		t.Fatalf("a schema of the document does not compile: %v", err)
	}
	if n < 500 {
		t.Errorf("compiled %d schemas: the document lost most of them", n)
	}
	if err := d.CheckRequest("POST", "/api/v1/tickets", []byte(`{"subject":"x","colour":"red"}`)); err == nil {
		t.Error("a request body with an unknown field passed")
	}
	if err := d.CheckRequest("POST", "/api/v1/tickets", []byte(`{"subject":"x","priority":"meh"}`)); err == nil {
		t.Error("a request body with an unknown priority passed")
	}
}

// TestOpenAPIParams: every query parameter a route names is described
// (a name unknown to openapi_params.go would be documented as any string).
func TestOpenAPIParams(t *testing.T) {
	for _, rt := range (&web.Server{}).Routes() {
		if !web.Documented(rt) {
			continue
		}
		for _, q := range rt.Query {
			if !web.QueryParamKnown(rt, q) {
				t.Errorf("%s %s: query parameter %q is not described in openapi_params.go", rt.Method, rt.Path, q)
			}
		}
	}
}

// TestOpenAPIQueryParamsServed holds the documented query parameters to
// the ones the handlers read: a documented one must not be refused as
// unknown, and one the handler accepts must be documented. Handlers that
// take any name (they read none) are recognised by a probe name and left
// out of the second check.
func TestOpenAPIQueryParamsServed(t *testing.T) {
	e := apptest.New(t, db.SQLite)
	id := webtest.CreateTicket(t, e, "Params")
	unknown := func(path, name string) bool {
		st, reply := e.Do(t, authz.Admin, "GET", path+"?"+name+"=1", nil)
		errObj, _ := reply["error"].(map[string]any)
		fields, _ := errObj["fields"].(map[string]any)
		return st == 400 && fields[name] == "is not a known query parameter"
	}
	names := web.QueryParamNames()
	for _, rt := range (&web.Server{}).Routes() {
		if !web.Documented(rt) || rt.Method != "GET" || rt.Access != web.APIAuth {
			continue
		}
		path := param.ReplaceAllString(rt.Path, fmt.Sprint(id))
		for _, q := range rt.Query {
			if unknown(path, q) {
				t.Errorf("%s: documents %q, the handler refuses it as unknown", rt.Path, q)
			}
		}
		if !unknown(path, "zz_probe") {
			continue
		}
		for _, q := range names {
			if !slices.Contains(rt.Query, q) && !unknown(path, q) {
				t.Errorf("%s: the handler takes %q, the route table does not list it", rt.Path, q)
			}
		}
	}
}
