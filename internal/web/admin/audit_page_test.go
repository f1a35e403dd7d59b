package admin_test

import (
	"fmt"
	"net/url"
	"regexp"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestAuditPages walks the audit log pages as an admin (list, filters,
// detail with its before/after, retention) and checks the others are
// refused.
func TestAuditPages(t *testing.T) {
	e := apptest.New(t, db.SQLite)
	st, pol := e.Do(t, authz.Admin, "POST", "/api/v1/sla-policies", map[string]any{"name": "Fjord SLA", "targets": map[string]any{"normal": map[string]any{"first_reply": "1h"}}})
	if st != 201 {
		t.Fatalf("policy: %d %v", st, pol["_raw"])
	}
	id := int64(pol["id"].(float64))
	if st, b := e.Do(t, authz.Admin, "PATCH", fmt.Sprintf("/api/v1/sla-policies/%d", id), map[string]any{"name": "Fjord SLA gold"}); st != 200 {
		t.Fatalf("patch: %d %v", st, b["_raw"])
	}
	_, list := e.Do(t, authz.Admin, "GET", "/api/v1/audit?action=sla.policy.update", nil)
	rowID := int64(list["data"].([]any)[0].(map[string]any)["id"].(float64))
	// A customer change: its fields read in the admin's language too.
	st, cust := e.Do(t, authz.Admin, "POST", "/api/v1/customers", map[string]any{"name": "Fjord Customer", "emails": []string{"fjord@example.com"}})
	if st != 201 {
		t.Fatalf("customer: %d %v", st, cust["_raw"])
	}
	if st, b := e.Do(t, authz.Admin, "PATCH", fmt.Sprintf("/api/v1/customers/%d", int64(cust["id"].(float64))), map[string]any{"notes": "Prefers phone"}); st != 200 {
		t.Fatalf("customer patch: %d %v", st, b["_raw"])
	}
	_, list = e.Do(t, authz.Admin, "GET", "/api/v1/audit?action=customer.update", nil)
	custRow := int64(list["data"].([]any)[0].(map[string]any)["id"].(float64))
	admin := webtest.SignIn(t, e, authz.Admin)
	adminID := e.Agents[authz.Admin].ID
	webtest.RunPages(t, []webtest.PageCase{
		{Name: "list", Who: admin, Method: "GET", Path: "/admin/audit", Status: 200,
			Want: []string{"Audit log", "sla.policy.update", "Fjord SLA gold", "auth.sign_in", "127.0.0.1", "/api/v1/audit/export?format=csv", "Keep audit entries for (days)", `value="365"`}},
		{Name: "filtered by action and actor", Who: admin, Method: "GET", Path: fmt.Sprintf("/admin/audit?action=sla.&actor=%d", adminID), Status: 200,
			Want: []string{"sla.policy.update", "sla.policy.create", fmt.Sprintf("/api/v1/audit/export?action=sla.&amp;actor=%d&amp;format=csv", adminID)}, NotWant: []string{"<code>auth.sign_in</code>"}},
		{Name: "no match", Who: admin, Method: "GET", Path: "/admin/audit?target=nothing-like-this", Status: 200, Want: []string{"No audit entries match."}},
		{Name: "bad filter names the field", Who: admin, Method: "GET", Path: "/admin/audit?ip=not-an-ip", Status: 400, Want: []string{"is not an IP address"}},
		{Name: "detail shows the change", Who: admin, Method: "GET", Path: fmt.Sprintf("/admin/audit/%d", rowID), Status: 200,
			Want: []string{"What changed", `<tr class="changed">`, "<del>Fjord SLA</del>", "<ins>Fjord SLA gold</ins>", "127.0.0.1"}},
		{Name: "unknown entry", Who: admin, Method: "GET", Path: "/admin/audit/999999", Status: 404},
		{Name: "retention refused", Who: admin, Method: "POST", Path: "/admin/audit/retention", Form: url.Values{"retention_days": {"-4"}}, Status: 400},
		{Name: "retention saved", Who: admin, Method: "POST", Path: "/admin/audit/retention", Form: url.Values{"retention_days": {"90"}}, Status: 303, Location: "/admin/audit?saved="},
		{Name: "retention shown and its change logged", Who: admin, Method: "GET", Path: "/admin/audit?saved=90", Status: 200, Want: []string{`value="90"`, "Audit retention saved.", "audit.retention"}},
		{Name: "manager refused", Who: webtest.SignIn(t, e, authz.Manager), Method: "GET", Path: "/admin/audit", Status: 403},
		{Name: "agent refused", Who: webtest.SignIn(t, e, authz.Agent), Method: "GET", Path: fmt.Sprintf("/admin/audit/%d", rowID), Status: 403},
		{Name: "collaborator refused retention", Who: webtest.SignIn(t, e, authz.Collaborator), Method: "POST", Path: "/admin/audit/retention", Form: url.Values{"retention_days": {"1"}}, Status: 403},
	})
	// In the admin's language.
	if st, b := e.Do(t, authz.Admin, "PATCH", fmt.Sprintf("/api/v1/agents/%d", adminID), map[string]any{"locale": "nb"}); st != 200 {
		t.Fatalf("locale: %d %v", st, b["_raw"])
	}
	webtest.RunPages(t, []webtest.PageCase{
		{Name: "in Norwegian", Who: admin, Method: "GET", Path: fmt.Sprintf("/admin/audit/%d", rowID), Status: 200, Want: []string{"Hva som ble endret", "Tilbake til revisjonsloggen"}},
		{Name: "a customer change in Norwegian", Who: admin, Method: "GET", Path: fmt.Sprintf("/admin/audit/%d", custRow), Status: 200,
			Want: []string{"Tegn i notatene", "<del>0</del>", "<ins>13</ins>"}, NotWant: []string{"Prefers phone", "notes chars"}},
		{Name: "list in Norwegian", Who: admin, Method: "GET", Path: "/admin/audit", Status: 200, Want: []string{"Revisjonslogg", "Behold oppføringer i (dager)"}},
	})
	// The menu offers the page to admins only.
	_, page, _ := admin.Do(t, "GET", "/admin", nil)
	if !regexp.MustCompile(`href="/admin/audit"`).MatchString(page) {
		t.Errorf("admin index lacks the audit log")
	}
	_, page, _ = webtest.SignIn(t, e, authz.Manager).Do(t, "GET", "/admin", nil)
	if regexp.MustCompile(`href="/admin/audit"`).MatchString(page) {
		t.Errorf("manager's admin index offers the audit log")
	}
}
