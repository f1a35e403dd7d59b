package portal_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/web/webtest"
)

// testOrgViewOverride: an agent withdraws the organization view from one
// customer of a sharing organization (the customer page's form) and grants
// it to a customer of an organization that does not share (the API); the
// portal follows; a role that may not edit customers is refused; every
// change is in the audit log.
func testOrgViewOverride(t *testing.T, e *apptest.Env, w world) {
	do := func(role authz.Role, method, path string, body any, want int) map[string]any {
		t.Helper()
		st, out := e.Do(t, role, method, path, body)
		if st != want {
			t.Fatalf("%s %s: %d %v", method, path, st, out["_raw"])
		}
		return out
	}
	id := func(m map[string]any) int64 { return int64(m["id"].(float64)) }
	shared := id(do(authz.Admin, "POST", "/api/v1/organizations", map[string]any{"name": "Vik AS", "portal_shared": true}, 201))
	closed := id(do(authz.Admin, "POST", "/api/v1/organizations", map[string]any{"name": "Lund AB"}, 201))
	eva := id(do(authz.Admin, "POST", "/api/v1/customers", map[string]any{"name": "Eva Vik", "emails": []string{"eva@vik.example"}, "organization_id": shared}, 201))
	finn := id(do(authz.Admin, "POST", "/api/v1/customers", map[string]any{"name": "Finn Vik", "emails": []string{"finn@vik.example"}, "organization_id": shared}, 201))
	gro := id(do(authz.Admin, "POST", "/api/v1/customers", map[string]any{"name": "Gro Lund", "emails": []string{"gro@lund.example"}, "organization_id": closed}, 201))
	hans := id(do(authz.Admin, "POST", "/api/v1/customers", map[string]any{"name": "Hans Lund", "emails": []string{"hans@lund.example"}, "organization_id": closed}, 201))
	vik := id(do(authz.Admin, "POST", "/api/v1/tickets", map[string]any{"subject": "Vik pallet count", "description": "Finn asks.", "requester_id": finn}, 201))
	lund := id(do(authz.Admin, "POST", "/api/v1/tickets", map[string]any{"subject": "Lund contract renewal", "description": "Hans asks.", "requester_id": hans}, 201))
	if c := do(authz.Admin, "GET", fmt.Sprintf("/api/v1/customers/%d", eva), nil, 200); c["portal_org_view"] != nil {
		t.Errorf("a new customer's portal_org_view: %v", c["portal_org_view"])
	}
	sees := func(c *client, who, subject string, tk int64, want bool) {
		t.Helper()
		st, body, _ := c.do(t, "GET", "/portal/organization", nil)
		if got := st == 200 && strings.Contains(body, subject); got != want {
			t.Errorf("%s: organization view %d, shows %q: %v, want %v", who, st, subject, got, want)
		}
		st, body, _ = c.do(t, "GET", fmt.Sprintf("/portal/requests/%d", tk), nil)
		if got := st == 200 && strings.Contains(body, subject); got != want {
			t.Errorf("%s: the colleague's request %d, shown: %v, want %v", who, st, got, want)
		}
	}
	evaC := signIn(t, e, w, "eva@vik.example")
	sees(evaC, "Eva, shared organization", "Vik pallet count", vik, true)

	// An agent withdraws Eva's view on her customer page.
	agent := webtest.SignIn(t, e, authz.Agent)
	page := fmt.Sprintf("/customers/%d", eva)
	if st, body, _ := agent.Do(t, "GET", page, nil); st != 200 || !strings.Contains(body, `name="portal_org_view"`) || !strings.Contains(body, "As the organization decides") {
		t.Fatalf("the customer page's control: %d", st)
	}
	form := url.Values{"name": {"Eva Vik"}, "organization_id": {fmt.Sprint(shared)}, "locale": {""}, "time_zone": {""}, "notes": {""}}
	form.Set("portal_org_view", "sometimes")
	if st, body, _ := agent.Do(t, "POST", page, form); st != 400 || !strings.Contains(body, "must be one of the choices") {
		t.Errorf("a value outside the choices: %d", st)
	}
	form.Set("portal_org_view", "off")
	if st, _, loc := agent.Do(t, "POST", page, form); st != 303 || !strings.Contains(loc, "saved=1") {
		t.Fatalf("withdraw: %d %q", st, loc)
	}
	if _, body, _ := agent.Do(t, "GET", page, nil); !strings.Contains(body, `<option value="off" selected`) {
		t.Errorf("the page does not show the withdrawn view")
	}
	if c := do(authz.Admin, "GET", fmt.Sprintf("/api/v1/customers/%d", eva), nil, 200); c["portal_org_view"] != false {
		t.Errorf("portal_org_view after withdrawing: %v", c["portal_org_view"])
	}
	sees(evaC, "Eva, withdrawn", "Vik pallet count", vik, false)
	if st, body, _ := evaC.do(t, "GET", "/portal/requests", nil); st != 200 || strings.Contains(body, `href="/portal/organization"`) {
		t.Errorf("Eva's own requests still link the organization view: %d", st)
	}
	sees(signIn(t, e, w, "finn@vik.example"), "Finn, shared organization", "Vik pallet count", vik, true)

	// Granted to Gro through the API although Lund AB does not share.
	gC := signIn(t, e, w, "gro@lund.example")
	sees(gC, "Gro, not shared", "Lund contract renewal", lund, false)
	do(authz.Collaborator, "PATCH", fmt.Sprintf("/api/v1/customers/%d", gro), map[string]any{"portal_org_view": true}, 403)
	if out := do(authz.Agent, "PATCH", fmt.Sprintf("/api/v1/customers/%d", gro), map[string]any{"portal_org_view": "yes"}, 400); !strings.Contains(fmt.Sprint(out["_raw"]), "portal_org_view") {
		t.Errorf("a string for portal_org_view: %v", out["_raw"])
	}
	if c := do(authz.Agent, "PATCH", fmt.Sprintf("/api/v1/customers/%d", gro), map[string]any{"portal_org_view": true}, 200); c["portal_org_view"] != true {
		t.Errorf("portal_org_view after granting: %v", c["portal_org_view"])
	}
	sees(gC, "Gro, granted", "Lund contract renewal", lund, true)
	sees(signIn(t, e, w, "hans@lund.example"), "Hans, not shared", "Vik pallet count", vik, false)

	// Back to the organization's say.
	do(authz.Agent, "PATCH", fmt.Sprintf("/api/v1/customers/%d", gro), map[string]any{"portal_org_view": nil}, 200)
	sees(gC, "Gro, following Lund AB again", "Lund contract renewal", lund, false)

	// The audit log has both changes with the setting before and after.
	log := do(authz.Admin, "GET", fmt.Sprintf("/api/v1/audit?target=customer:%d", eva), nil, 200)
	if s := fmt.Sprint(log["data"]); !strings.Contains(s, "customer.update") || !strings.Contains(s, "portal_org_view") {
		t.Errorf("Eva's audit log: %.600s", s)
	}
	log = do(authz.Admin, "GET", fmt.Sprintf("/api/v1/audit?target=customer:%d", gro), nil, 200)
	if s := fmt.Sprint(log["data"]); !strings.Contains(s, "portal_org_view:true") {
		t.Errorf("Gro's audit log: %.600s", s)
	}
}
