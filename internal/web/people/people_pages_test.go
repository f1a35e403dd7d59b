package people_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/web/webtest"
)

func customerByEmail(t *testing.T, e *apptest.Env, email string) customer.Customer {
	t.Helper()
	list, err := e.Sys.Customers.List(t.Context(), authz.System, customer.Filter{Query: email, Page: page.Request{Limit: page.MaxLimit}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list.Data {
		if c.Email == email {
			return c
		}
	}
	t.Fatalf("no customer with %s", email)
	return customer.Customer{}
}

func orgByName(t *testing.T, e *apptest.Env, name string) customer.Organization {
	t.Helper()
	list, err := e.Sys.Customers.ListOrganizations(t.Context(), authz.System, customer.OrgFilter{Query: name, Page: page.Request{Limit: page.MaxLimit}})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range list.Data {
		if o.Name == name {
			return o
		}
	}
	t.Fatalf("no organization %s", name)
	return customer.Organization{}
}

// TestCustomerPages drives the customer and organization pages through
// real sign-ins and forms, per role.
func TestCustomerPages(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			ctx := t.Context()
			agent, collab := webtest.SignIn(t, e, authz.Agent), webtest.SignIn(t, e, authz.Collaborator)
			tid := webtest.CreateTicket(t, e, "Late order")
			ola := customerByEmail(t, e, "ola@example.no")
			op := fmt.Sprintf("/customers/%d", ola.ID)

			webtest.RunPages(t, []webtest.PageCase{
				{Name: "organization with domains", Who: agent, Method: "POST", Path: "/organizations",
					Form: webtest.Vals("name", "Acme", "domains", "acme.example, @Acme.Example.org", "notes", "Key account"), Status: 303, Location: "/organizations/"},
				{Name: "organization with a bad domain keeps the form", Who: agent, Method: "POST", Path: "/organizations",
					Form: webtest.Vals("name", "Typed Org", "domains", "not a domain", "notes", "typed notes"), Status: 400,
					Want: []string{"must be a domain name", `value="Typed Org"`, `value="not a domain"`, "typed notes", `id="e-domains"`, "Please correct the following"}},
				{Name: "organization name taken", Who: agent, Method: "POST", Path: "/organizations", Form: webtest.Vals("name", "Acme"), Status: 409,
					Want: []string{"an organization with this name exists", `value="Acme"`}},
				{Name: "collaborator may not add an organization", Who: collab, Method: "POST", Path: "/organizations", Form: webtest.Vals("name", "Nope"), Status: 403},
				{Name: "organization list", Who: collab, Method: "GET", Path: "/organizations", Status: 200,
					Want: []string{"Acme", "acme.example, acme.example.org", `aria-current="page"`}, NotWant: []string{"Add an organization"}},
				{Name: "customer created", Who: agent, Method: "POST", Path: "/customers",
					Form: webtest.Vals("name", "Kari", "emails", "Kari@Acme.example", "phones", "+47 22 33 44 55", "locale", "nb"), Status: 303, Location: "/customers/"},
				{Name: "bad customer keeps the form", Who: agent, Method: "POST", Path: "/customers",
					Form: webtest.Vals("name", "Typed Kari", "emails", "kari-at-nowhere", "notes", "typed note"), Status: 400,
					Want: []string{"must be an email address", `value="Typed Kari"`, `value="kari-at-nowhere"`, "typed note", `aria-invalid="true"`}},
				{Name: "customer email taken", Who: agent, Method: "POST", Path: "/customers", Form: webtest.Vals("emails", "ola@example.no"), Status: 409,
					Want: []string{"belongs to another customer", `value="ola@example.no"`}},
				{Name: "collaborator may not add a customer", Who: collab, Method: "POST", Path: "/customers", Form: webtest.Vals("name", "Nope"), Status: 403},
				{Name: "customer list", Who: collab, Method: "GET", Path: "/customers", Status: 200,
					Want: []string{"Ola", "Kari", "kari@acme.example", "Acme", `href="/customers"`, `href="/organizations"`}, NotWant: []string{"Add a customer"}},
				{Name: "customer search", Who: agent, Method: "GET", Path: "/customers?q=kari", Status: 200,
					Want: []string{"kari@acme.example", "Add a customer", `id="filter-q" name="q" type="search" value="kari"`}, NotWant: []string{"ola@example.no"}},
				{Name: "anonymous is sent to sign in", Who: webtest.Anonymous(e), Method: "GET", Path: "/customers", Status: 303, Location: "/login"},
			})
			// A ticket from the organization's domain is the organization's.
			if st, body := e.Do(t, authz.Agent, "POST", "/api/v1/tickets", map[string]any{"subject": "Acme invoice", "description": "Where is it?",
				"requester": map[string]any{"email": "pat@acme.example", "name": "Pat"}, "channel": "web"}); st != http.StatusCreated {
				t.Fatalf("create: %d %v", st, body["_raw"])
			}
			kari := customerByEmail(t, e, "kari@acme.example")
			acme := orgByName(t, e, "Acme")
			if kari.OrganizationID == nil || *kari.OrganizationID != acme.ID {
				t.Fatalf("Kari should join Acme by her email domain: %+v", kari)
			}
			kp := fmt.Sprintf("/customers/%d", kari.ID)
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "organization filter", Who: agent, Method: "GET", Path: fmt.Sprintf("/customers?organization_id=%d", acme.ID), Status: 200,
					Want: []string{"kari@acme.example"}, NotWant: []string{"ola@example.no"}},
				{Name: "profile with tickets", Who: agent, Method: "GET", Path: op, Status: 200,
					Want: []string{"ola@example.no", "Late order", fmt.Sprintf(`href="/tickets/%d"`, tid), "Email", "New", "Add identity", "Save customer", "Review merge"}},
				{Name: "collaborator reads the profile", Who: collab, Method: "GET", Path: op, Status: 200,
					Want: []string{"ola@example.no", "Late order", " disabled>"}, NotWant: []string{"Save customer", "Add identity", "Review merge"}},
				{Name: "unknown customer", Who: agent, Method: "GET", Path: "/customers/4242", Status: 404},
				{Name: "edit", Who: agent, Method: "POST", Path: op,
					Form: webtest.Vals("name", "Ola Nordmann", "locale", "nb", "notes", "Prefers email.", "organization_id", ""), Status: 303, Location: op + "?saved=1"},
				{Name: "refused edit keeps the form", Who: agent, Method: "POST", Path: op,
					Form: webtest.Vals("name", "", "locale", "not a locale", "notes", "keep this note"), Status: 400,
					Want: []string{"must be 1 to 200 characters", "must be a language tag", `value="not a locale"`, "keep this note"}},
				{Name: "collaborator may not edit", Who: collab, Method: "POST", Path: op, Form: webtest.Vals("name", "X"), Status: 403},
				{Name: "add a phone", Who: agent, Method: "POST", Path: op + "/identities", Form: webtest.Vals("type", "phone", "value", "+47 99 88 77 66"), Status: 303},
				{Name: "add a bad email", Who: agent, Method: "POST", Path: op + "/identities", Form: webtest.Vals("type", "email", "value", "nope"), Status: 400,
					Want: []string{"must be an email address", `value="nope"`}},
				{Name: "add a taken email", Who: agent, Method: "POST", Path: op + "/identities", Form: webtest.Vals("type", "email", "value", "kari@acme.example"), Status: 409,
					Want: []string{"belongs to another customer"}},
				{Name: "collaborator may not add an identity", Who: collab, Method: "POST", Path: op + "/identities", Form: webtest.Vals("type", "chat", "value", "ola"), Status: 403},
			})
			got, err := e.Sys.Customers.Get(ctx, authz.System, ola.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != "Ola Nordmann" || got.Notes != "Prefers email." || got.Locale != "nb" || len(got.Identities) != 2 {
				t.Fatalf("after edit: %+v", got)
			}
			phone := got.Identities[1]
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "profile shows the phone", Who: agent, Method: "GET", Path: op, Status: 200, Want: []string{"&#43;4799887766", "Prefers email.", `value="Ola Nordmann"`}},
				{Name: "collaborator may not remove", Who: collab, Method: "POST", Path: fmt.Sprintf("%s/identities/%d/delete", op, phone.ID), Status: 403},
				{Name: "remove the phone", Who: agent, Method: "POST", Path: fmt.Sprintf("%s/identities/%d/delete", op, phone.ID), Status: 303},
				{Name: "the last identity stays", Who: agent, Method: "POST", Path: fmt.Sprintf("%s/identities/%d/delete", op, got.Identities[0].ID), Status: 422,
					Want: []string{"a customer keeps at least one identity"}},
				{Name: "merge needs someone", Who: agent, Method: "POST", Path: op + "/merge", Form: webtest.Vals("other", ""), Status: 400, Want: []string{"is required", `id="e-other"`}},
				{Name: "merge with itself", Who: agent, Method: "POST", Path: op + "/merge", Form: webtest.Vals("other", fmt.Sprint(ola.ID)), Status: 400, Want: []string{"is this customer"}},
				{Name: "merge an unknown email", Who: agent, Method: "POST", Path: op + "/merge", Form: webtest.Vals("other", "nobody@nowhere.example"), Status: 400,
					Want: []string{"no customer has the email", `value="nobody@nowhere.example"`}},
				{Name: "merge asks first", Who: agent, Method: "POST", Path: op + "/merge", Form: webtest.Vals("other", "KARI@acme.example"), Status: 200,
					Want: []string{"Merge Kari into Ola Nordmann?", `name="confirm" value="yes"`, fmt.Sprintf(`name="merge_id" value="%d"`, kari.ID), "cannot be undone"}},
				{Name: "collaborator may not merge", Who: collab, Method: "POST", Path: op + "/merge", Form: webtest.Vals("merge_id", fmt.Sprint(kari.ID), "confirm", "yes"), Status: 403},
			})
			if _, err := e.Sys.Customers.Get(ctx, authz.System, kari.ID); err != nil {
				t.Fatalf("the review step must not merge: %v", err)
			}
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "merge confirmed", Who: agent, Method: "POST", Path: op + "/merge", Form: webtest.Vals("merge_id", fmt.Sprint(kari.ID), "confirm", "yes"), Status: 303, Location: op + "?merged=1"},
				{Name: "merged customer is gone", Who: agent, Method: "GET", Path: kp, Status: 404},
				{Name: "profile after merge", Who: agent, Method: "GET", Path: op + "?merged=1", Status: 200, Want: []string{"Customers merged", "kari@acme.example", "Acme"}},
			})
			orgPath := fmt.Sprintf("/organizations/%d", acme.ID)
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "organization page", Who: collab, Method: "GET", Path: orgPath, Status: 200,
					Want: []string{"Acme", "Key account", "Ola Nordmann", "Pat", "Acme invoice", "Web form"}, NotWant: []string{"Delete this organization"}},
				{Name: "organization edit", Who: agent, Method: "POST", Path: orgPath, Form: webtest.Vals("name", "Acme Inc", "domains", "acme.example", "notes", "Renewed"), Status: 303, Location: orgPath},
				{Name: "organization edit refused", Who: agent, Method: "POST", Path: orgPath, Form: webtest.Vals("name", "Acme Inc", "domains", "acme.example, -bad-", "notes", "n"), Status: 400,
					Want: []string{"must be a domain name", `value="acme.example, -bad-"`}},
				{Name: "organization with tickets stays", Who: agent, Method: "POST", Path: orgPath + "/delete", Status: 409, Want: []string{"cannot be deleted"}},
				{Name: "collaborator may not delete", Who: collab, Method: "POST", Path: orgPath + "/delete", Status: 403},
				{Name: "empty organization", Who: agent, Method: "POST", Path: "/organizations", Form: webtest.Vals("name", "Empty Co"), Status: 303},
			})
			empty := orgByName(t, e, "Empty Co")
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "delete an organization", Who: agent, Method: "POST", Path: fmt.Sprintf("/organizations/%d/delete", empty.ID), Status: 303, Location: "/organizations?deleted=1"},
			})
			if o, err := e.Sys.Customers.GetOrganization(ctx, authz.System, acme.ID); err != nil || o.Name != "Acme Inc" || !slices.Equal(o.Domains, []string{"acme.example"}) {
				t.Fatalf("after organization edit: %+v %v", o, err)
			}
		})
	}
}

// TestAdminPeoplePages drives the agent, team, custom field and tag pages.
func TestAdminPeoplePages(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			ctx := t.Context()
			webtest.CreateTicket(t, e, "Tagged")
			admin, manager, agent, collab := webtest.SignIn(t, e, authz.Admin), webtest.SignIn(t, e, authz.Manager), webtest.SignIn(t, e, authz.Agent), webtest.SignIn(t, e, authz.Collaborator)
			agentID := e.Agents[authz.Agent].ID

			webtest.RunPages(t, []webtest.PageCase{
				{Name: "team created", Who: manager, Method: "POST", Path: "/admin/teams",
					Form: webtest.Vals("name", "Billing", "description", "Invoices", "agent_ids", fmt.Sprint(agentID)), Status: 303, Location: "/admin/teams/"},
				{Name: "team name taken", Who: manager, Method: "POST", Path: "/admin/teams", Form: webtest.Vals("name", "Billing", "description", "typed"), Status: 409,
					Want: []string{"a team with this name exists", `value="typed"`}},
				{Name: "team without a name", Who: admin, Method: "POST", Path: "/admin/teams", Form: webtest.Vals("name", "", "agent_ids", fmt.Sprint(agentID)), Status: 400,
					Want: []string{"must be 1 to 200 characters", "checked"}},
				{Name: "agent may not add a team", Who: agent, Method: "POST", Path: "/admin/teams", Form: webtest.Vals("name", "X"), Status: 403},
				{Name: "team list", Who: collab, Method: "GET", Path: "/admin/teams", Status: 200, Want: []string{"Billing", "Test agent"}, NotWant: []string{"Add a team"}},
			})
			teams, err := e.Sys.Agents.ListTeams(ctx, authz.System)
			if err != nil || len(teams.Data) != 1 || !slices.Equal(teams.Data[0].AgentIDs, []int64{agentID}) {
				t.Fatalf("teams: %+v %v", teams.Data, err)
			}
			team := teams.Data[0]
			tp := fmt.Sprintf("/admin/teams/%d", team.ID)
			invite := func(kv ...string) url.Values {
				v := webtest.Vals("email", "new@ombud.test", "name", "New Person", "role", "manager", "team_ids", fmt.Sprint(team.ID),
					"skills", "lang:nb, product:billing", "locale", "nb", "time_zone", "Europe/Oslo", "password", "s3cret-pass-123")
				for i := 0; i+1 < len(kv); i += 2 {
					v.Set(kv[i], kv[i+1])
				}
				return v
			}
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "team page", Who: manager, Method: "GET", Path: tp, Status: 200, Want: []string{`value="Billing"`, "checked", "Delete this team"}},
				{Name: "team edit", Who: manager, Method: "POST", Path: tp, Form: webtest.Vals("name", "Billing EU", "description", "Invoices"), Status: 303, Location: tp},
				{Name: "agent list for admins", Who: admin, Method: "GET", Path: "/admin/agents", Status: 200,
					Want: []string{"Invite an agent", `<option value="admin"`, "Billing", `href="/admin/agents"`}},
				{Name: "managers cannot offer admin", Who: manager, Method: "GET", Path: "/admin/agents", Status: 200,
					Want: []string{"Invite an agent"}, NotWant: []string{`<option value="admin"`}},
				{Name: "collaborator reads the list", Who: collab, Method: "GET", Path: "/admin/agents", Status: 200,
					Want: []string{"Test agent", `href="/admin/agents"`}, NotWant: []string{"Invite an agent"}},
				{Name: "agent may not invite", Who: agent, Method: "POST", Path: "/admin/agents", Form: invite(), Status: 403},
				{Name: "manager may not create an admin", Who: manager, Method: "POST", Path: "/admin/agents", Form: invite("role", "admin"), Status: 403,
					Want: []string{"your role may not give this role", `value="new@ombud.test"`, `value="New Person"`}},
				{Name: "bad invite keeps the form", Who: admin, Method: "POST", Path: "/admin/agents", Form: invite("time_zone", "Mars/Base", "skills", "bad skill"), Status: 400,
					Want: []string{"must be an IANA time zone", "must look like kind:value", `value="Mars/Base"`, `value="bad skill"`, `value="new@ombud.test"`}},
				{Name: "invite", Who: admin, Method: "POST", Path: "/admin/agents", Form: invite(), Status: 303, Location: "/admin/agents/"},
				{Name: "email taken", Who: admin, Method: "POST", Path: "/admin/agents", Form: invite(), Status: 409, Want: []string{"an agent with this email exists"}},
			})
			invited, err := e.Sys.Agents.ByEmail(ctx, "new@ombud.test")
			if err != nil || invited.Role != authz.Manager || invited.TimeZone != "Europe/Oslo" || invited.Locale != "nb" ||
				!slices.Equal(invited.Skills, []string{"lang:nb", "product:billing"}) || !slices.Equal(invited.TeamIDs, []int64{team.ID}) {
				t.Fatalf("invited: %+v %v", invited, err)
			}
			if _, err := e.Sys.Auth.SignIn(ctx, "new@ombud.test", "s3cret-pass-123", "127.0.0.1", "test"); err != nil {
				t.Fatalf("the initial password must work: %v", err)
			}
			ap := fmt.Sprintf("/admin/agents/%d", invited.ID)
			adminPath := fmt.Sprintf("/admin/agents/%d", e.Agents[authz.Admin].ID)
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "agent page", Who: manager, Method: "GET", Path: ap, Status: 200, Want: []string{`value="New Person"`, `value="lang:nb, product:billing"`, "Save agent"}},
				{Name: "manager sees an admin read-only", Who: manager, Method: "GET", Path: adminPath, Status: 200, NotWant: []string{"Save agent"}},
				{Name: "edit refused", Who: manager, Method: "POST", Path: ap, Form: webtest.Vals("name", "", "role", "agent", "locale", "xx", "time_zone", "UTC"), Status: 400,
					Want: []string{"must be 1 to 200 characters", "must be one of en"}},
				{Name: "manager may not promote to admin", Who: manager, Method: "POST", Path: ap,
					Form: webtest.Vals("name", "New Person", "role", "admin", "locale", "en", "time_zone", "UTC", "active", "yes"), Status: 403},
				{Name: "edit role, teams, skills, status", Who: manager, Method: "POST", Path: ap,
					Form: webtest.Vals("name", "Renamed", "role", "agent", "skills", "channel:chat", "locale", "en", "time_zone", "UTC", "active", "no"), Status: 303, Location: ap + "?saved=1"},
				{Name: "agent may not edit", Who: agent, Method: "POST", Path: ap, Form: webtest.Vals("name", "X"), Status: 403},
			})
			if a, err := e.Sys.Agents.GetAgent(ctx, authz.System, invited.ID); err != nil || a.Name != "Renamed" || a.Role != authz.Agent || a.Active ||
				len(a.TeamIDs) != 0 || !slices.Equal(a.Skills, []string{"channel:chat"}) {
				t.Fatalf("after edit: %+v %v", a, err)
			}

			webtest.RunPages(t, []webtest.PageCase{
				{Name: "dropdown needs options", Who: manager, Method: "POST", Path: "/admin/fields",
					Form: webtest.Vals("key", "plan", "label", "Plan", "type", "dropdown", "options", ""), Status: 400,
					Want: []string{"a dropdown needs at least one option", `id="e-options"`, `value="Plan"`, `value="plan"`, `<option value="dropdown" selected>`}},
				{Name: "bad key", Who: manager, Method: "POST", Path: "/admin/fields", Form: webtest.Vals("key", "Bad Key", "label", "X", "type", "text"), Status: 400,
					Want: []string{"must start with a letter", `value="Bad Key"`}},
				{Name: "position must be a number", Who: manager, Method: "POST", Path: "/admin/fields", Form: webtest.Vals("key", "x", "label", "X", "type", "text", "position", "first"), Status: 400,
					Want: []string{"must be a whole number", `value="first"`}},
				{Name: "field created", Who: manager, Method: "POST", Path: "/admin/fields",
					Form: webtest.Vals("key", "plan", "label", "Plan", "type", "dropdown", "options", "Free\nPro, yearly\n", "required", "on"), Status: 303, Location: "/admin/fields/"},
				{Name: "agent may not define a field", Who: agent, Method: "POST", Path: "/admin/fields", Form: webtest.Vals("key", "y", "label", "Y", "type", "text"), Status: 403},
				{Name: "field list", Who: collab, Method: "GET", Path: "/admin/fields", Status: 200, Want: []string{"Plan", "Free, Pro, yearly"}, NotWant: []string{"Add a field"}},
			})
			fields, err := e.Sys.Tickets.ListFields(ctx, authz.System)
			if err != nil || len(fields) != 1 || !slices.Equal(fields[0].Options, []string{"Free", "Pro, yearly"}) || !fields[0].Required {
				t.Fatalf("fields: %+v %v", fields, err)
			}
			fp := fmt.Sprintf("/admin/fields/%d", fields[0].ID)
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "field page", Who: manager, Method: "GET", Path: fp, Status: 200, Want: []string{`value="Plan"`, "Pro, yearly", "Deactivate Plan"}},
				{Name: "field edit refused", Who: manager, Method: "POST", Path: fp, Form: webtest.Vals("label", "", "options", "Free", "active", "yes"), Status: 400,
					Want: []string{"is required"}},
				{Name: "field edit", Who: manager, Method: "POST", Path: fp, Form: webtest.Vals("label", "Plan tier", "options", "Free\nPro\nEnterprise", "active", "yes", "position", "2"), Status: 303},
				{Name: "agent may not deactivate", Who: agent, Method: "POST", Path: fp + "/deactivate", Status: 403},
				{Name: "deactivate", Who: manager, Method: "POST", Path: fp + "/deactivate", Status: 303, Location: fp},
				{Name: "tags", Who: collab, Method: "GET", Path: "/admin/tags", Status: 200, Want: []string{"shipping", "<td class=\"num\">1</td>"}},
				{Name: "tags by prefix", Who: agent, Method: "GET", Path: "/admin/tags?q=zz", Status: 200, Want: []string{"No tags in use"}},
				{Name: "delete a team", Who: manager, Method: "POST", Path: tp + "/delete", Status: 303, Location: "/admin/teams?deleted=1"},
				{Name: "agent may not delete a team", Who: agent, Method: "POST", Path: tp + "/delete", Status: 403},
			})
			f, err := e.Sys.Tickets.GetField(ctx, authz.System, fields[0].ID)
			if err != nil || f.Active || f.Label != "Plan tier" || f.Position != 2 || f.Required || len(f.Options) != 3 {
				t.Fatalf("field after edit and deactivate: %+v %v", f, err)
			}
			if _, err := e.Sys.Agents.GetTeam(ctx, authz.System, team.ID); err == nil {
				t.Fatal("team still there")
			}
		})
	}
}
