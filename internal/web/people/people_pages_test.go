package web_test

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
)

func vals(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

// noRedirect is a client without a session that shows redirects as they are.
func noRedirect() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

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
			agent, collab := signIn(t, e, authz.Agent), signIn(t, e, authz.Collaborator)
			tid := createTicket(t, e, "Late order")
			ola := customerByEmail(t, e, "ola@example.no")
			op := fmt.Sprintf("/customers/%d", ola.ID)

			runPages(t, []pageCase{
				{name: "organization with domains", who: agent, method: "POST", path: "/organizations",
					form: vals("name", "Acme", "domains", "acme.example, @Acme.Example.org", "notes", "Key account"), status: 303, location: "/organizations/"},
				{name: "organization with a bad domain keeps the form", who: agent, method: "POST", path: "/organizations",
					form: vals("name", "Typed Org", "domains", "not a domain", "notes", "typed notes"), status: 400,
					want: []string{"must be a domain name", `value="Typed Org"`, `value="not a domain"`, "typed notes", `id="e-domains"`, "Please correct the following"}},
				{name: "organization name taken", who: agent, method: "POST", path: "/organizations", form: vals("name", "Acme"), status: 409,
					want: []string{"an organization with this name exists", `value="Acme"`}},
				{name: "collaborator may not add an organization", who: collab, method: "POST", path: "/organizations", form: vals("name", "Nope"), status: 403},
				{name: "organization list", who: collab, method: "GET", path: "/organizations", status: 200,
					want: []string{"Acme", "acme.example, acme.example.org", `aria-current="page"`}, notWant: []string{"Add an organization"}},
				{name: "customer created", who: agent, method: "POST", path: "/customers",
					form: vals("name", "Kari", "emails", "Kari@Acme.example", "phones", "+47 22 33 44 55", "locale", "nb"), status: 303, location: "/customers/"},
				{name: "bad customer keeps the form", who: agent, method: "POST", path: "/customers",
					form: vals("name", "Typed Kari", "emails", "kari-at-nowhere", "notes", "typed note"), status: 400,
					want: []string{"must be an email address", `value="Typed Kari"`, `value="kari-at-nowhere"`, "typed note", `aria-invalid="true"`}},
				{name: "customer email taken", who: agent, method: "POST", path: "/customers", form: vals("emails", "ola@example.no"), status: 409,
					want: []string{"belongs to another customer", `value="ola@example.no"`}},
				{name: "collaborator may not add a customer", who: collab, method: "POST", path: "/customers", form: vals("name", "Nope"), status: 403},
				{name: "customer list", who: collab, method: "GET", path: "/customers", status: 200,
					want: []string{"Ola", "Kari", "kari@acme.example", "Acme", `href="/customers"`, `href="/organizations"`}, notWant: []string{"Add a customer"}},
				{name: "customer search", who: agent, method: "GET", path: "/customers?q=kari", status: 200,
					want: []string{"kari@acme.example", "Add a customer", `id="filter-q" name="q" type="search" value="kari"`}, notWant: []string{"ola@example.no"}},
				{name: "anonymous is sent to sign in", who: &browser{e: e, client: noRedirect()}, method: "GET", path: "/customers", status: 303, location: "/login"},
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
			runPages(t, []pageCase{
				{name: "organization filter", who: agent, method: "GET", path: fmt.Sprintf("/customers?organization_id=%d", acme.ID), status: 200,
					want: []string{"kari@acme.example"}, notWant: []string{"ola@example.no"}},
				{name: "profile with tickets", who: agent, method: "GET", path: op, status: 200,
					want: []string{"ola@example.no", "Late order", fmt.Sprintf(`href="/tickets/%d"`, tid), "Email", "New", "Add identity", "Save customer", "Review merge"}},
				{name: "collaborator reads the profile", who: collab, method: "GET", path: op, status: 200,
					want: []string{"ola@example.no", "Late order", " disabled>"}, notWant: []string{"Save customer", "Add identity", "Review merge"}},
				{name: "unknown customer", who: agent, method: "GET", path: "/customers/4242", status: 404},
				{name: "edit", who: agent, method: "POST", path: op,
					form: vals("name", "Ola Nordmann", "locale", "nb", "notes", "Prefers email.", "organization_id", ""), status: 303, location: op + "?saved=1"},
				{name: "refused edit keeps the form", who: agent, method: "POST", path: op,
					form: vals("name", "", "locale", "not a locale", "notes", "keep this note"), status: 400,
					want: []string{"must be 1 to 200 characters", "must be a language tag", `value="not a locale"`, "keep this note"}},
				{name: "collaborator may not edit", who: collab, method: "POST", path: op, form: vals("name", "X"), status: 403},
				{name: "add a phone", who: agent, method: "POST", path: op + "/identities", form: vals("type", "phone", "value", "+47 99 88 77 66"), status: 303},
				{name: "add a bad email", who: agent, method: "POST", path: op + "/identities", form: vals("type", "email", "value", "nope"), status: 400,
					want: []string{"must be an email address", `value="nope"`}},
				{name: "add a taken email", who: agent, method: "POST", path: op + "/identities", form: vals("type", "email", "value", "kari@acme.example"), status: 409,
					want: []string{"belongs to another customer"}},
				{name: "collaborator may not add an identity", who: collab, method: "POST", path: op + "/identities", form: vals("type", "chat", "value", "ola"), status: 403},
			})
			got, err := e.Sys.Customers.Get(ctx, authz.System, ola.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != "Ola Nordmann" || got.Notes != "Prefers email." || got.Locale != "nb" || len(got.Identities) != 2 {
				t.Fatalf("after edit: %+v", got)
			}
			phone := got.Identities[1]
			runPages(t, []pageCase{
				{name: "profile shows the phone", who: agent, method: "GET", path: op, status: 200, want: []string{"&#43;4799887766", "Prefers email.", `value="Ola Nordmann"`}},
				{name: "collaborator may not remove", who: collab, method: "POST", path: fmt.Sprintf("%s/identities/%d/delete", op, phone.ID), status: 403},
				{name: "remove the phone", who: agent, method: "POST", path: fmt.Sprintf("%s/identities/%d/delete", op, phone.ID), status: 303},
				{name: "the last identity stays", who: agent, method: "POST", path: fmt.Sprintf("%s/identities/%d/delete", op, got.Identities[0].ID), status: 422,
					want: []string{"a customer keeps at least one identity"}},
				{name: "merge needs someone", who: agent, method: "POST", path: op + "/merge", form: vals("other", ""), status: 400, want: []string{"is required", `id="e-other"`}},
				{name: "merge with itself", who: agent, method: "POST", path: op + "/merge", form: vals("other", fmt.Sprint(ola.ID)), status: 400, want: []string{"is this customer"}},
				{name: "merge an unknown email", who: agent, method: "POST", path: op + "/merge", form: vals("other", "nobody@nowhere.example"), status: 400,
					want: []string{"no customer has the email", `value="nobody@nowhere.example"`}},
				{name: "merge asks first", who: agent, method: "POST", path: op + "/merge", form: vals("other", "KARI@acme.example"), status: 200,
					want: []string{"Merge Kari into Ola Nordmann?", `name="confirm" value="yes"`, fmt.Sprintf(`name="merge_id" value="%d"`, kari.ID), "cannot be undone"}},
				{name: "collaborator may not merge", who: collab, method: "POST", path: op + "/merge", form: vals("merge_id", fmt.Sprint(kari.ID), "confirm", "yes"), status: 403},
			})
			if _, err := e.Sys.Customers.Get(ctx, authz.System, kari.ID); err != nil {
				t.Fatalf("the review step must not merge: %v", err)
			}
			runPages(t, []pageCase{
				{name: "merge confirmed", who: agent, method: "POST", path: op + "/merge", form: vals("merge_id", fmt.Sprint(kari.ID), "confirm", "yes"), status: 303, location: op + "?merged=1"},
				{name: "merged customer is gone", who: agent, method: "GET", path: kp, status: 404},
				{name: "profile after merge", who: agent, method: "GET", path: op + "?merged=1", status: 200, want: []string{"Customers merged", "kari@acme.example", "Acme"}},
			})
			orgPath := fmt.Sprintf("/organizations/%d", acme.ID)
			runPages(t, []pageCase{
				{name: "organization page", who: collab, method: "GET", path: orgPath, status: 200,
					want: []string{"Acme", "Key account", "Ola Nordmann", "Pat", "Acme invoice", "Web form"}, notWant: []string{"Delete this organization"}},
				{name: "organization edit", who: agent, method: "POST", path: orgPath, form: vals("name", "Acme Inc", "domains", "acme.example", "notes", "Renewed"), status: 303, location: orgPath},
				{name: "organization edit refused", who: agent, method: "POST", path: orgPath, form: vals("name", "Acme Inc", "domains", "acme.example, -bad-", "notes", "n"), status: 400,
					want: []string{"must be a domain name", `value="acme.example, -bad-"`}},
				{name: "organization with tickets stays", who: agent, method: "POST", path: orgPath + "/delete", status: 409, want: []string{"cannot be deleted"}},
				{name: "collaborator may not delete", who: collab, method: "POST", path: orgPath + "/delete", status: 403},
				{name: "empty organization", who: agent, method: "POST", path: "/organizations", form: vals("name", "Empty Co"), status: 303},
			})
			empty := orgByName(t, e, "Empty Co")
			runPages(t, []pageCase{
				{name: "delete an organization", who: agent, method: "POST", path: fmt.Sprintf("/organizations/%d/delete", empty.ID), status: 303, location: "/organizations?deleted=1"},
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
			createTicket(t, e, "Tagged")
			admin, manager, agent, collab := signIn(t, e, authz.Admin), signIn(t, e, authz.Manager), signIn(t, e, authz.Agent), signIn(t, e, authz.Collaborator)
			agentID := e.Agents[authz.Agent].ID

			runPages(t, []pageCase{
				{name: "team created", who: manager, method: "POST", path: "/admin/teams",
					form: vals("name", "Billing", "description", "Invoices", "agent_ids", fmt.Sprint(agentID)), status: 303, location: "/admin/teams/"},
				{name: "team name taken", who: manager, method: "POST", path: "/admin/teams", form: vals("name", "Billing", "description", "typed"), status: 409,
					want: []string{"a team with this name exists", `value="typed"`}},
				{name: "team without a name", who: admin, method: "POST", path: "/admin/teams", form: vals("name", "", "agent_ids", fmt.Sprint(agentID)), status: 400,
					want: []string{"must be 1 to 200 characters", "checked"}},
				{name: "agent may not add a team", who: agent, method: "POST", path: "/admin/teams", form: vals("name", "X"), status: 403},
				{name: "team list", who: collab, method: "GET", path: "/admin/teams", status: 200, want: []string{"Billing", "Test agent"}, notWant: []string{"Add a team"}},
			})
			teams, err := e.Sys.Agents.ListTeams(ctx, authz.System)
			if err != nil || len(teams.Data) != 1 || !slices.Equal(teams.Data[0].AgentIDs, []int64{agentID}) {
				t.Fatalf("teams: %+v %v", teams.Data, err)
			}
			team := teams.Data[0]
			tp := fmt.Sprintf("/admin/teams/%d", team.ID)
			invite := func(kv ...string) url.Values {
				v := vals("email", "new@ombud.test", "name", "New Person", "role", "manager", "team_ids", fmt.Sprint(team.ID),
					"skills", "lang:nb, product:billing", "locale", "nb", "time_zone", "Europe/Oslo", "password", "s3cret-pass-123")
				for i := 0; i+1 < len(kv); i += 2 {
					v.Set(kv[i], kv[i+1])
				}
				return v
			}
			runPages(t, []pageCase{
				{name: "team page", who: manager, method: "GET", path: tp, status: 200, want: []string{`value="Billing"`, "checked", "Delete this team"}},
				{name: "team edit", who: manager, method: "POST", path: tp, form: vals("name", "Billing EU", "description", "Invoices"), status: 303, location: tp},
				{name: "agent list for admins", who: admin, method: "GET", path: "/admin/agents", status: 200,
					want: []string{"Invite an agent", `<option value="admin"`, "Billing", `href="/admin/agents"`}},
				{name: "managers cannot offer admin", who: manager, method: "GET", path: "/admin/agents", status: 200,
					want: []string{"Invite an agent"}, notWant: []string{`<option value="admin"`}},
				{name: "collaborator reads the list", who: collab, method: "GET", path: "/admin/agents", status: 200,
					want: []string{"Test agent", `href="/admin/agents"`}, notWant: []string{"Invite an agent"}},
				{name: "agent may not invite", who: agent, method: "POST", path: "/admin/agents", form: invite(), status: 403},
				{name: "manager may not create an admin", who: manager, method: "POST", path: "/admin/agents", form: invite("role", "admin"), status: 403,
					want: []string{"your role may not give this role", `value="new@ombud.test"`, `value="New Person"`}},
				{name: "bad invite keeps the form", who: admin, method: "POST", path: "/admin/agents", form: invite("time_zone", "Mars/Base", "skills", "bad skill"), status: 400,
					want: []string{"must be an IANA time zone", "must look like kind:value", `value="Mars/Base"`, `value="bad skill"`, `value="new@ombud.test"`}},
				{name: "invite", who: admin, method: "POST", path: "/admin/agents", form: invite(), status: 303, location: "/admin/agents/"},
				{name: "email taken", who: admin, method: "POST", path: "/admin/agents", form: invite(), status: 409, want: []string{"an agent with this email exists"}},
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
			runPages(t, []pageCase{
				{name: "agent page", who: manager, method: "GET", path: ap, status: 200, want: []string{`value="New Person"`, `value="lang:nb, product:billing"`, "Save agent"}},
				{name: "manager sees an admin read-only", who: manager, method: "GET", path: adminPath, status: 200, notWant: []string{"Save agent"}},
				{name: "edit refused", who: manager, method: "POST", path: ap, form: vals("name", "", "role", "agent", "locale", "xx", "time_zone", "UTC"), status: 400,
					want: []string{"must be 1 to 200 characters", "must be one of en"}},
				{name: "manager may not promote to admin", who: manager, method: "POST", path: ap,
					form: vals("name", "New Person", "role", "admin", "locale", "en", "time_zone", "UTC", "active", "yes"), status: 403},
				{name: "edit role, teams, skills, status", who: manager, method: "POST", path: ap,
					form: vals("name", "Renamed", "role", "agent", "skills", "channel:chat", "locale", "en", "time_zone", "UTC", "active", "no"), status: 303, location: ap + "?saved=1"},
				{name: "agent may not edit", who: agent, method: "POST", path: ap, form: vals("name", "X"), status: 403},
			})
			if a, err := e.Sys.Agents.GetAgent(ctx, authz.System, invited.ID); err != nil || a.Name != "Renamed" || a.Role != authz.Agent || a.Active ||
				len(a.TeamIDs) != 0 || !slices.Equal(a.Skills, []string{"channel:chat"}) {
				t.Fatalf("after edit: %+v %v", a, err)
			}

			runPages(t, []pageCase{
				{name: "dropdown needs options", who: manager, method: "POST", path: "/admin/fields",
					form: vals("key", "plan", "label", "Plan", "type", "dropdown", "options", ""), status: 400,
					want: []string{"a dropdown needs at least one option", `id="e-options"`, `value="Plan"`, `value="plan"`, `<option value="dropdown" selected>`}},
				{name: "bad key", who: manager, method: "POST", path: "/admin/fields", form: vals("key", "Bad Key", "label", "X", "type", "text"), status: 400,
					want: []string{"must start with a letter", `value="Bad Key"`}},
				{name: "position must be a number", who: manager, method: "POST", path: "/admin/fields", form: vals("key", "x", "label", "X", "type", "text", "position", "first"), status: 400,
					want: []string{"must be a whole number", `value="first"`}},
				{name: "field created", who: manager, method: "POST", path: "/admin/fields",
					form: vals("key", "plan", "label", "Plan", "type", "dropdown", "options", "Free\nPro, yearly\n", "required", "on"), status: 303, location: "/admin/fields/"},
				{name: "agent may not define a field", who: agent, method: "POST", path: "/admin/fields", form: vals("key", "y", "label", "Y", "type", "text"), status: 403},
				{name: "field list", who: collab, method: "GET", path: "/admin/fields", status: 200, want: []string{"Plan", "Free, Pro, yearly"}, notWant: []string{"Add a field"}},
			})
			fields, err := e.Sys.Tickets.ListFields(ctx, authz.System)
			if err != nil || len(fields) != 1 || !slices.Equal(fields[0].Options, []string{"Free", "Pro, yearly"}) || !fields[0].Required {
				t.Fatalf("fields: %+v %v", fields, err)
			}
			fp := fmt.Sprintf("/admin/fields/%d", fields[0].ID)
			runPages(t, []pageCase{
				{name: "field page", who: manager, method: "GET", path: fp, status: 200, want: []string{`value="Plan"`, "Pro, yearly", "Deactivate Plan"}},
				{name: "field edit refused", who: manager, method: "POST", path: fp, form: vals("label", "", "options", "Free", "active", "yes"), status: 400,
					want: []string{"is required"}},
				{name: "field edit", who: manager, method: "POST", path: fp, form: vals("label", "Plan tier", "options", "Free\nPro\nEnterprise", "active", "yes", "position", "2"), status: 303},
				{name: "agent may not deactivate", who: agent, method: "POST", path: fp + "/deactivate", status: 403},
				{name: "deactivate", who: manager, method: "POST", path: fp + "/deactivate", status: 303, location: fp},
				{name: "tags", who: collab, method: "GET", path: "/admin/tags", status: 200, want: []string{"shipping", "<td class=\"num\">1</td>"}},
				{name: "tags by prefix", who: agent, method: "GET", path: "/admin/tags?q=zz", status: 200, want: []string{"No tags in use"}},
				{name: "delete a team", who: manager, method: "POST", path: tp + "/delete", status: 303, location: "/admin/teams?deleted=1"},
				{name: "agent may not delete a team", who: agent, method: "POST", path: tp + "/delete", status: 403},
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
