package gdpr_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestPrivacyPages: the customer data page, the typed confirmation, the
// erasure and the retention page, per role, on both engines.
func TestPrivacyPages(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			st, body := e.Do(t, authz.Agent, "POST", "/api/v1/tickets", map[string]any{
				"subject": "Erase me please", "description": "hello",
				"requester": map[string]any{"email": "gone@example.org", "name": "Gone Person"},
			})
			if st != 201 {
				t.Fatalf("ticket: %d %v", st, body)
			}
			tid := int64(body["id"].(float64))
			_, tk := e.Do(t, authz.Admin, "GET", fmt.Sprintf("/api/v1/tickets/%d", tid), nil)
			cid := int64(tk["requester_id"].(float64))
			admin, manager := webtest.SignIn(t, e, authz.Admin), webtest.SignIn(t, e, authz.Manager)
			cust := fmt.Sprintf("/customers/%d", cid)
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "customer page offers export to admin", Who: admin, Method: "GET", Path: cust, Status: 200,
					Want: []string{cust + "/export", cust + "/privacy"}},
				{Name: "not to a manager", Who: manager, Method: "GET", Path: cust, Status: 200, NotWant: []string{cust + "/export"}},
				{Name: "manager may not open the page", Who: manager, Method: "GET", Path: cust + "/privacy", Status: 403},
				{Name: "data page", Who: admin, Method: "GET", Path: cust + "/privacy", Status: 200,
					Want: []string{"Type gone@example.org to confirm", `value="anonymise" checked`}},
				{Name: "wrong confirmation", Who: admin, Method: "POST", Path: cust + "/erase",
					Form: webtest.Vals("mode", "delete", "confirm", "someone@example.org"), Status: 422,
					Want: []string{"Type the customer&#39;s email address exactly to confirm.", `value="delete" checked`}},
				{Name: "no mode", Who: admin, Method: "POST", Path: cust + "/erase",
					Form: webtest.Vals("confirm", "gone@example.org"), Status: 422, Want: []string{"Choose what happens to the tickets."}},
				{Name: "manager may not erase", Who: manager, Method: "POST", Path: cust + "/erase",
					Form: webtest.Vals("mode", "delete", "confirm", "gone@example.org"), Status: 403},
				{Name: "erase", Who: admin, Method: "POST", Path: cust + "/erase",
					Form: webtest.Vals("mode", "delete", "confirm", "GONE@example.org"), Status: 200, Want: []string{"Customer erased", "Tickets deleted: 1"}},
				{Name: "customer gone", Who: admin, Method: "GET", Path: cust, Status: 404},
				{Name: "retention page", Who: admin, Method: "GET", Path: "/admin/retention", Status: 200, Want: []string{"No retention rules"}},
				{Name: "retention in the admin menu", Who: admin, Method: "GET", Path: "/admin", Status: 200, Want: []string{`href="/admin/retention"`}},
				{Name: "not for a manager", Who: manager, Method: "GET", Path: "/admin/retention", Status: 403},
				{Name: "bad months", Who: admin, Method: "POST", Path: "/admin/retention",
					Form: webtest.Vals("action", "delete", "months", "zero"), Status: 422, Want: []string{"must be between 1 and 1200"}},
				{Name: "bad channel", Who: admin, Method: "POST", Path: "/admin/retention",
					Form: webtest.Vals("action", "delete", "months", "3", "channel", "fax"), Status: 422, Want: []string{"is not a channel"}},
				{Name: "add rule", Who: admin, Method: "POST", Path: "/admin/retention",
					Form: webtest.Vals("action", "anonymise", "months", "24", "channel", "email"), Status: 303, Location: "/admin/retention?done=added"},
				{Name: "rule listed with its dry run", Who: admin, Method: "GET", Path: "/admin/retention?done=added", Status: 200,
					Want: []string{"Rule added.", "Anonymise tickets", `<td class="due">0</td>`}},
				{Name: "delete rule", Who: admin, Method: "POST", Path: "/admin/retention/1/delete", Status: 303, Location: "/admin/retention?done=deleted"},
				{Name: "rule gone", Who: admin, Method: "POST", Path: "/admin/retention/1/delete", Status: 404},
			})
		})
	}
}

// TestPrivacyAPI: export downloads a zip, erase validates its mode, roles
// without privacy.manage are refused.
func TestPrivacyAPI(t *testing.T) {
	e := apptest.New(t, dbtest.Engines[0])
	st, body := e.Do(t, authz.Agent, "POST", "/api/v1/tickets", map[string]any{
		"subject": "Export me", "description": "hello export",
		"requester": map[string]any{"email": "exp@example.org"},
	})
	if st != 201 {
		t.Fatalf("ticket: %d %v", st, body)
	}
	tid := int64(body["id"].(float64))
	_, tk := e.Do(t, authz.Admin, "GET", fmt.Sprintf("/api/v1/tickets/%d", tid), nil)
	cid := int64(tk["requester_id"].(float64))
	base := fmt.Sprintf("/api/v1/customers/%d", cid)
	cases := []struct {
		name   string
		role   authz.Role
		method string
		path   string
		body   any
		status int
		field  string
	}{
		{"manager may not export", authz.Manager, "GET", base + "/export", nil, 403, ""},
		{"agent may not erase", authz.Agent, "POST", base + "/erase", map[string]any{"mode": "delete"}, 403, ""},
		{"unknown mode", authz.Admin, "POST", base + "/erase", map[string]any{"mode": "shred"}, 400, "mode"},
		{"no such customer", authz.Admin, "POST", "/api/v1/customers/99999/erase", map[string]any{"mode": "delete"}, 404, ""},
		{"rule months", authz.Admin, "POST", "/api/v1/retention-rules", map[string]any{"action": "delete", "months": 0}, 400, "months"},
		{"rule", authz.Admin, "POST", "/api/v1/retention-rules", map[string]any{"action": "delete", "months": 6}, 201, ""},
		{"rules", authz.Admin, "GET", "/api/v1/retention-rules", nil, 200, ""},
		{"rules for a manager", authz.Manager, "GET", "/api/v1/retention-rules", nil, 403, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, body := e.Do(t, tc.role, tc.method, tc.path, tc.body)
			if st != tc.status {
				t.Fatalf("status %d, want %d: %v", st, tc.status, body)
			}
			if tc.field != "" {
				errb, _ := body["error"].(map[string]any)
				fields, _ := errb["fields"].(map[string]any)
				if fields[tc.field] == nil {
					t.Errorf("no error on %s: %v", tc.field, body)
				}
			}
		})
	}
	req, _ := http.NewRequest("GET", e.URL+base+"/export", nil)
	req.Header.Set("Authorization", "Bearer "+e.Tokens[authz.Admin])
	resp, err := e.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/zip" ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), fmt.Sprintf("customer-%d.zip", cid)) {
		t.Fatalf("export: %d %v", resp.StatusCode, resp.Header)
	}
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range z.File {
		names[f.Name] = true
	}
	if !names["customer.json"] || !names[fmt.Sprintf("tickets/%d.json", tid)] {
		t.Errorf("archive holds %v", names)
	}
	st, body = e.Do(t, authz.Admin, "POST", base+"/erase", map[string]any{"mode": "anonymise"})
	if st != 200 || body["tickets"] != float64(1) || body["customer_deleted"] != false {
		t.Fatalf("erase: %d %v", st, body)
	}
	var n int
	if err := e.Sys.DB.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM audit_log WHERE action IN ('customer_exported', 'customer_erased')`).Scan(&n); err != nil || n != 2 {
		t.Errorf("audit rows: %d %v", n, err)
	}
}
