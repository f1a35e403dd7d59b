package sso_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestAdminPages adds and changes a provider through the forms: refusals
// come back beside the fields, the secret is never shown, and every change
// leaves an audit row.
func TestAdminPages(t *testing.T) {
	e := apptest.New(t, db.SQLite)
	b := webtest.SignIn(t, e, authz.Admin)
	form := webtest.Vals("name", "Okta", "issuer", "https://example.okta.com", "client_id", "0oa1", "client_secret", "very-s3cret",
		"scopes", "openid email profile groups", "claim", "groups", "mappings", "leads = manager\nbilling = Nowhere", "default_role", "agent", "enabled", "on")
	st, body, _ := b.Do(t, "POST", "/admin/sso", form)
	if st != http.StatusBadRequest || !strings.Contains(body, "each line must be a claim value") || !strings.Contains(body, "leads = manager") {
		t.Fatalf("unknown team: %d %s", st, webtest.Excerpt(body))
	}
	form.Set("mappings", "leads = manager")
	form.Set("issuer", "http://example.okta.com")
	if st, body, _ = b.Do(t, "POST", "/admin/sso", form); st != http.StatusBadRequest || !strings.Contains(body, "https issuer URL") {
		t.Fatalf("plain http issuer: %d %s", st, webtest.Excerpt(body))
	}
	form.Set("issuer", "https://example.okta.com")
	st, _, loc := b.Do(t, "POST", "/admin/sso", form)
	if st != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/sso/") {
		t.Fatalf("create: %d %s", st, loc)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(loc, "/admin/sso/"), "?saved=1")
	st, body, _ = b.Do(t, "GET", "/admin/sso/"+id, nil)
	if st != 200 || strings.Contains(body, "very-s3cret") || !strings.Contains(body, "/login/sso/"+id+"/callback") || !strings.Contains(body, "A secret is stored") {
		t.Fatalf("provider page: %d %s", st, webtest.Excerpt(body))
	}
	form.Set("client_secret", "")
	form.Set("name", "Okta staff")
	if st, _, _ := b.Do(t, "POST", "/admin/sso/"+id, form); st != http.StatusSeeOther {
		t.Fatalf("update: %d", st)
	}
	p, err := e.Sys.SSO.Provider(context.Background(), authz.Actor{Kind: authz.KindAgent, ID: e.Agents[authz.Admin].ID, Role: authz.Admin}, mustID(t, id))
	if err != nil || !p.HasSecret || p.Name != "Okta staff" || len(p.Mappings) != 1 || p.Mappings[0].Role != authz.Manager {
		t.Fatalf("stored %+v %v", p, err)
	}
	if st, body, _ = b.Do(t, "POST", "/admin/sso/policy", webtest.Vals("role", "admin", "break_glass_id", "0")); st != http.StatusBadRequest || !strings.Contains(body, "break-glass admin") {
		t.Fatalf("admins without break-glass: %d %s", st, webtest.Excerpt(body))
	}
	if st, _, _ = b.Do(t, "POST", "/admin/sso/policy", webtest.Vals("role", "agent")); st != http.StatusSeeOther {
		t.Fatalf("policy: %d", st)
	}
	if st, _, _ = b.Do(t, "POST", "/admin/sso/policy", webtest.Vals()); st != http.StatusSeeOther {
		t.Fatalf("clear policy: %d", st)
	}
	if st, _, _ = b.Do(t, "POST", "/admin/sso/"+id+"/delete", nil); st != http.StatusSeeOther {
		t.Fatalf("delete: %d", st)
	}
	entries, err := audit.List(context.Background(), e.Sys.DB, 50)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, en := range entries {
		seen[en.Action]++
	}
	if seen["sso.provider_create"] != 1 || seen["sso.provider_update"] != 1 || seen["sso.policy"] != 2 || seen["sso.provider_delete"] != 1 {
		t.Fatalf("audit rows %v", seen)
	}
	// A manager sees neither the page nor its link.
	m := webtest.SignIn(t, e, authz.Manager)
	if st, _, _ := m.Do(t, "GET", "/admin/sso", nil); st != http.StatusForbidden {
		t.Fatalf("manager: %d", st)
	}
}

func mustID(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
