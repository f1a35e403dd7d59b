package web_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/web"
	"github.com/ombud/ombud/internal/web/ui"
	"github.com/ombud/ombud/internal/web/webtest"
)

// notInNav are the top-level GET pages the header does not link to, and why.
var notInNav = map[string]string{
	"/live":          "the live event stream, not a page",
	"/organizations": "a tab of the Customers page, which the header links (the header keeps one row at 1280 px)",
	"/returns":       "linked from the ticket views' side list and the returns report (the header keeps one row at 1280 px)",
}

// headerFixed are the header's links outside TopNav and AdminNav: the
// brand (ticket list), "New ticket", the Admin menu's index and the name
// (profile), with the permission each needs.
var headerFixed = map[string]authz.Perm{"/tickets": authz.TicketRead, "/tickets/new": authz.TicketCreate, "/profile": "", "/admin": ""}

// topLevel reports whether a GET route is a page of its own that the header
// must reach: one path segment, or one under /admin; not a form to add
// something (…/new) and not a page of one thing ({id}).
func topLevel(p string) bool {
	if strings.Contains(p, "{") || strings.HasSuffix(p, "/new") {
		return false
	}
	seg := strings.Split(strings.Trim(p, "/"), "/")
	return len(seg) == 1 || (len(seg) == 2 && seg[0] == "admin")
}

// TestNavLinksMatchRoutes holds the header's links to the route table: each
// link needs exactly its page's permission (so it shows exactly when the
// page answers), and every top-level page is linked.
func TestNavLinksMatchRoutes(t *testing.T) {
	routes := map[string]web.Route{}
	for _, rt := range (&web.Server{}).Routes() {
		if rt.Method == "GET" && rt.Access == web.UIAuth {
			routes[rt.Path] = rt
		}
	}
	linked := map[string]bool{}
	check := func(path string, perm authz.Perm) {
		t.Helper()
		linked[path] = true
		rt, ok := routes[path]
		switch {
		case !ok:
			t.Errorf("header links to %s, which is no agent page", path)
		case rt.Perm != perm:
			t.Errorf("header link %s needs %q, its route %q", path, perm, rt.Perm)
		}
	}
	for _, l := range ui.TopNav() {
		check(l.Path, l.Perm)
	}
	for _, g := range ui.AdminNav() {
		for _, l := range g.Links {
			check(l.Path, l.Perm)
		}
	}
	for p, perm := range headerFixed {
		check(p, perm)
	}
	for p := range routes {
		if topLevel(p) && !linked[p] && notInNav[p] == "" {
			t.Errorf("page %s is in no menu: link it in nav.go or say why in notInNav", p)
		}
	}
}

var (
	headerBlock = regexp.MustCompile(`(?s)<header class="top">.*?</header>`)
	mainBlock   = regexp.MustCompile(`(?s)<main id="main".*?</main>`)
	hrefAttr    = regexp.MustCompile(`href="(/[^"]*)"`)
)

func hrefs(html string) []string {
	var out []string
	for _, m := range hrefAttr.FindAllStringSubmatch(html, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	slices.Sort(out)
	return out
}

// TestHeaderPerRole signs in as each role and checks the header shows
// exactly the pages the role may open, each of which answers 200, and that
// /admin lists the same settings pages as the Admin menu.
func TestHeaderPerRole(t *testing.T) {
	e := apptest.New(t, db.SQLite)
	// Spot checks written out, beside the derived sets below.
	spot := map[authz.Role]struct{ has, hasNot []string }{
		authz.Admin:        {has: []string{"/admin/jobs", "/admin/triggers", "/reports", "/tickets/new"}},
		authz.Manager:      {has: []string{"/admin/mailboxes", "/reports"}, hasNot: []string{"/admin/jobs"}},
		authz.Agent:        {has: []string{"/admin/macros", "/tickets/new", "/customers"}, hasNot: []string{"/reports", "/admin/mailboxes", "/admin/jobs"}},
		authz.QAReviewer:   {has: []string{"/reports", "/admin/tags"}, hasNot: []string{"/tickets/new", "/admin/triggers", "/admin/macros"}},
		authz.Collaborator: {has: []string{"/admin/agents", "/customers"}, hasNot: []string{"/reports", "/tickets/new", "/admin/triggers", "/admin/calendars"}},
	}
	for _, role := range authz.Roles {
		t.Run(string(role), func(t *testing.T) {
			actor := authz.Actor{Kind: authz.KindAgent, ID: 1, Role: role}
			var want, wantAdmin []string
			for p, perm := range headerFixed {
				if p != "/admin" && (perm == "" || authz.Can(actor, perm)) {
					want = append(want, p)
				}
			}
			for _, l := range ui.TopNav() {
				if authz.Can(actor, l.Perm) {
					want = append(want, l.Path)
				}
			}
			for _, g := range ui.AdminNav() {
				for _, l := range g.Links {
					if authz.Can(actor, l.Perm) {
						wantAdmin = append(wantAdmin, l.Path)
					}
				}
			}
			if len(wantAdmin) > 0 {
				want = append(want, "/admin")
				want = append(want, wantAdmin...)
			}
			slices.Sort(want)
			slices.Sort(wantAdmin)

			b := webtest.SignIn(t, e, role)
			st, page, _ := b.Do(t, "GET", "/tickets", nil)
			if st != 200 {
				t.Fatalf("ticket list: %d", st)
			}
			got := hrefs(headerBlock.FindString(page))
			if !slices.Equal(got, want) {
				t.Errorf("header links\n got %v\nwant %v", got, want)
			}
			for _, p := range spot[role].has {
				if !slices.Contains(got, p) {
					t.Errorf("header lacks %s", p)
				}
			}
			for _, p := range spot[role].hasNot {
				if slices.Contains(got, p) {
					t.Errorf("header shows %s", p)
				}
			}
			for _, p := range got {
				if st, body, _ := b.Do(t, "GET", p, nil); st != 200 {
					t.Errorf("header link %s: status %d\n%s", p, st, webtest.Excerpt(body))
				}
			}
			st, index, _ := b.Do(t, "GET", "/admin", nil)
			if st != 200 {
				t.Fatalf("/admin: %d", st)
			}
			if got := hrefs(mainBlock.FindString(index)); !slices.Equal(got, wantAdmin) {
				t.Errorf("/admin links\n got %v\nwant %v", got, wantAdmin)
			}
		})
	}
}

// TestHeaderCurrentPage: the page shown is marked in the header, and the
// Admin menu's button too when the page is one of its settings pages.
func TestHeaderCurrentPage(t *testing.T) {
	e := apptest.New(t, db.SQLite)
	b := webtest.SignIn(t, e, authz.Admin)
	for _, tc := range []struct {
		path, current string
		inAdmin       bool
	}{
		{"/admin/triggers", "/admin/triggers", true},
		{"/admin/calendars", "/admin/calendars", true},
		{"/admin", "/admin", true},
		{"/customers", "/customers", false},
		{"/reports", "/reports", false},
	} {
		t.Run(tc.path, func(t *testing.T) {
			st, page, _ := b.Do(t, "GET", tc.path, nil)
			if st != 200 {
				t.Fatalf("status %d", st)
			}
			h := headerBlock.FindString(page)
			cur := regexp.MustCompile(`href="([^"]*)" aria-current="page"`).FindAllStringSubmatch(h, -1)
			if len(cur) != 1 || cur[0][1] != tc.current {
				t.Errorf("current links %v, want only %s", cur, tc.current)
			}
			if got := strings.Contains(h, `class="admin-menu current"`); got != tc.inAdmin {
				t.Errorf("Admin menu marked current: %v, want %v", got, tc.inAdmin)
			}
		})
	}
}
