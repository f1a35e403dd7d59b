package people

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/opt"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/httpx"
)

// This file holds the customer and organization pages. Every form comes
// back with what was typed and a message beside each refused field; the
// customer service checks every permission and rule itself.

// ticketRows lists tickets of a filter, newest first, for a profile page.
func (u *UI) ticketRows(r *http.Request, f ticket.Filter) ([]row, bool, error) {
	ctx := r.Context()
	f.Sort = "created"
	list, err := u.Tickets.List(ctx, httpx.Actor(ctx), f, page.Request{Limit: page.MaxLimit})
	if err != nil {
		return nil, false, err
	}
	loc, lang := location(r), u.lang(r)
	rows := make([]row, 0, len(list.Data))
	for _, t := range list.Data {
		rows = append(rows, row{Ticket: t, Updated: when(lang, t.UpdatedAt, loc), Created: when(lang, t.CreatedAt, loc)})
	}
	return rows, list.NextCursor != nil, nil
}

// customerRow is a customer as the list shows it.
type customerRow struct {
	customer.Customer
	Organization string
	Created      string
}

// CustomerList lists customers: search, organization filter, cursor
// paging, and the form to add one.
func (u *UI) CustomerList(w http.ResponseWriter, r *http.Request) error {
	return u.customersPage(w, r, http.StatusOK, newForm(nil), "")
}

func customerFields(f form, orgs []option) []fieldset {
	return []fieldset{{Legend: "New customer", Fields: []formField{
		f.field("name", "Name", "text", false, "Empty: taken from the first email."),
		f.field("emails", "Emails", "text", false, "Separated by commas; the first is the primary address."),
		f.field("phones", "Phones", "text", false, "Separated by commas, like +47 22 33 44 55."),
		f.choice("organization_id", "Organization", orgs, "Empty: found from the email domain."),
		f.field("locale", "Language", "text", false, "A language tag such as en, nb or sl."),
	}}}
}

func (u *UI) customersPage(w http.ResponseWriter, r *http.Request, status int, f form, errMsg string) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	qs := r.URL.Query()
	q := strings.TrimSpace(qs.Get("q"))
	pr, err := page.Parse("50", qs.Get("cursor"))
	if err != nil {
		return err
	}
	org := qs.Get("organization_id")
	orgID, ok := optID(org)
	if !ok {
		return apperr.InvalidField("organization_id", "must be an organization")
	}
	filter := customer.Filter{Query: q, Page: pr}
	if orgID != nil {
		filter.OrganizationID = *orgID
	}
	list, err := u.Customers.List(ctx, actor, filter)
	if err != nil {
		return err
	}
	orgs, names, err := u.orgOptions(ctx, actor, "Any organization")
	if err != nil {
		return err
	}
	loc, lang := location(r), u.lang(r)
	rows := make([]customerRow, 0, len(list.Data))
	for _, c := range list.Data {
		cr := customerRow{Customer: c, Created: when(lang, c.CreatedAt, loc)}
		if c.OrganizationID != nil {
			cr.Organization = names[*c.OrganizationID]
		}
		rows = append(rows, cr)
	}
	next := ""
	if list.NextCursor != nil {
		v := url.Values{"cursor": {*list.NextCursor}}
		if q != "" {
			v.Set("q", q)
		}
		if org != "" {
			v.Set("organization_id", org)
		}
		next = "/customers?" + v.Encode()
	}
	filterOrgs := newForm(map[string]string{"organization_id": org}).choice("organization_id", "Organization", orgs, "").Options
	createOrgs := slices.Clone(orgs)
	createOrgs[0].Label = "From the email domain"
	sets := customerFields(f, createOrgs)
	return u.render(w, r, status, "customers", pageData{Title: "Customers", Nav: "customers", Error: errMsg, Data: map[string]any{
		"Rows": rows, "Q": q, "OrgFilter": filterOrgs, "Next": next, "Paged": pr.Cursor != nil,
		"Fieldsets": sets, "Errors": summary(sets, f.Errs), "Form": f, "CanWrite": authz.Can(actor, authz.CustomerWrite),
		"Filtered": q != "" || org != "",
	}})
}

// CreateCustomer adds a customer from the list page's form.
func (u *UI) CreateCustomer(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f, err := readForm(r)
	if err != nil {
		return err
	}
	in := customer.CustomerInput{Name: f.v("name"), Emails: splitList(f.v("emails")), Phones: splitList(f.v("phones")),
		Locale: f.v("locale"), Notes: f.v("notes")}
	org, ok := optID(f.v("organization_id"))
	if !ok {
		f.Errs["organization_id"] = "must be one of the organizations"
		return u.customersPage(w, r, http.StatusBadRequest, f, "")
	}
	in.OrganizationID = org
	c, err := u.Customers.Create(ctx, httpx.Actor(ctx), in)
	if err != nil {
		st, msg, ok := refused(err, f)
		if !ok {
			return err
		}
		return u.customersPage(w, r, st, f, msg)
	}
	http.Redirect(w, r, fmt.Sprintf("/customers/%d?saved=1", c.ID), http.StatusSeeOther)
	return nil
}

// identityTypes are the kinds of identity an agent adds by hand.
func identityOptions() []option {
	out := []option{}
	for _, t := range customer.IdentityTypes {
		l := label(t)
		if len(l) > 0 {
			l = strings.ToUpper(l[:1]) + l[1:]
		}
		out = append(out, option{Value: t, Label: l})
	}
	return out
}

// customerState is what a customer page shows besides the customer: the
// three forms as typed, and which one was refused.
type customerState struct {
	edit, ident, merge form
	flash, errMsg      string
}

// CustomerPage shows a customer's profile and their tickets on every channel.
func (u *UI) CustomerPage(w http.ResponseWriter, r *http.Request) error {
	c, err := u.getCustomer(r)
	if err != nil {
		return err
	}
	st := customerState{edit: customerEditForm(c), ident: newForm(map[string]string{"type": "email"}), merge: newForm(nil)}
	switch {
	case r.URL.Query().Get("saved") != "":
		st.flash = "Customer saved."
	case r.URL.Query().Get("merged") != "":
		st.flash = "Customers merged: identities, tickets and notes are now on this customer."
	}
	return u.customerPage(w, r, http.StatusOK, c, st)
}

func (u *UI) getCustomer(r *http.Request) (customer.Customer, error) {
	id, err := httpx.PathID(r, "id", "customer")
	if err != nil {
		return customer.Customer{}, err
	}
	return u.Customers.Get(r.Context(), httpx.Actor(r.Context()), id)
}

func customerEditForm(c customer.Customer) form {
	f := newForm(map[string]string{"name": c.Name, "locale": c.Locale, "time_zone": c.TimeZone, "notes": c.Notes})
	if c.OrganizationID != nil {
		f.Values["organization_id"] = strconv.FormatInt(*c.OrganizationID, 10)
	}
	f.Values["portal_org_view"] = orgViewValue(c.PortalOrgView)
	return f
}

func (u *UI) customerPage(w http.ResponseWriter, r *http.Request, status int, c customer.Customer, st customerState) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	orgs, names, err := u.orgOptions(ctx, actor, "No organization")
	if err != nil {
		return err
	}
	tickets, more, err := u.ticketRows(r, ticket.Filter{RequesterID: c.ID})
	if err != nil {
		return err
	}
	org := ""
	if c.OrganizationID != nil {
		org = names[*c.OrganizationID]
	}
	edit := []fieldset{{Legend: "Profile", Fields: []formField{
		st.edit.field("name", "Name", "text", true, ""),
		st.edit.choice("organization_id", "Organization", orgs, ""),
		st.edit.field("locale", "Language", "text", false, "A language tag such as en, nb or sl."),
		st.edit.field("time_zone", "Time zone", "text", false, "Like Europe/Oslo; shows their local time beside their tickets."),
		st.edit.choice("portal_org_view", "Organization's requests in the portal", orgViewOptions(), "Whether they see their colleagues' requests under My organization; overrides the organization's setting."),
	}}}
	ident := []fieldset{{Legend: "Add an identity", Fields: []formField{
		st.ident.choice("type", "Type", identityOptions(), ""),
		st.ident.field("value", "Value", "text", true, "An email address, phone number or handle."),
	}}}
	merge := []fieldset{{Legend: "Merge another customer into this one", Fields: []formField{
		st.merge.field("other", "Customer id or email", "text", true, "Their identities, tickets and notes move here; the other customer is removed."),
	}}}
	errs := summary(edit, st.edit.Errs)
	errs = append(errs, summary(ident, st.ident.Errs)...)
	errs = append(errs, summary(merge, st.merge.Errs)...)
	return u.render(w, r, status, "customer", pageData{Title: c.Name, Nav: "customers", Flash: st.flash, Error: st.errMsg, Data: map[string]any{
		"C": c, "Organization": org, "Tickets": tickets, "MoreTickets": more, "Edit": edit, "EditForm": st.edit,
		"Ident": ident, "Merge": merge, "Errors": errs, "CanWrite": authz.Can(actor, authz.CustomerWrite),
		"Created": when(u.lang(r), c.CreatedAt, location(r)), "CanRemove": len(c.Identities) > 1,
	}})
}

// UpdateCustomer saves the profile form.
func (u *UI) UpdateCustomer(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	c, err := u.getCustomer(r)
	if err != nil {
		return err
	}
	f, err := readForm(r)
	if err != nil {
		return err
	}
	name, locale, tz, notes := f.v("name"), f.v("locale"), f.v("time_zone"), f.Values["notes"]
	p := customer.CustomerPatch{Name: &name, Locale: &locale, TimeZone: &tz, Notes: &notes}
	org, ok := optID(f.v("organization_id"))
	switch {
	case !ok:
		f.Errs["organization_id"] = "must be one of the organizations"
	case org == nil:
		p.OrganizationID = opt.Null[int64]()
	default:
		p.OrganizationID = opt.Of(*org)
	}
	if view, ok := orgViewPatch(f.v("portal_org_view")); ok {
		p.PortalOrgView = view
	} else {
		f.Errs["portal_org_view"] = "must be one of the choices"
	}
	st := customerState{edit: f, ident: newForm(map[string]string{"type": "email"}), merge: newForm(nil)}
	if len(f.Errs) > 0 {
		return u.customerPage(w, r, http.StatusBadRequest, c, st)
	}
	if _, err := u.Customers.Update(ctx, httpx.Actor(ctx), c.ID, p); err != nil {
		status, msg, ok := refused(err, f)
		if !ok {
			return err
		}
		st.errMsg = msg
		return u.customerPage(w, r, status, c, st)
	}
	http.Redirect(w, r, fmt.Sprintf("/customers/%d?saved=1", c.ID), http.StatusSeeOther)
	return nil
}

// AddIdentity attaches an email, phone or handle to a customer.
func (u *UI) AddIdentity(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	c, err := u.getCustomer(r)
	if err != nil {
		return err
	}
	f, err := readForm(r)
	if err != nil {
		return err
	}
	if _, err := u.Customers.AddIdentity(ctx, httpx.Actor(ctx), c.ID, customer.Identity{Type: f.v("type"), Value: f.v("value")}); err != nil {
		status, msg, ok := refused(err, f)
		if !ok {
			return err
		}
		return u.customerPage(w, r, status, c, customerState{edit: customerEditForm(c), ident: f, merge: newForm(nil), errMsg: msg})
	}
	http.Redirect(w, r, fmt.Sprintf("/customers/%d?saved=1#identities", c.ID), http.StatusSeeOther)
	return nil
}

// RemoveIdentity detaches an identity; the last one stays.
func (u *UI) RemoveIdentity(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	c, err := u.getCustomer(r)
	if err != nil {
		return err
	}
	iid, err := httpx.PathID(r, "identity_id", "identity")
	if err != nil {
		return err
	}
	if err := u.Customers.RemoveIdentity(ctx, httpx.Actor(ctx), c.ID, iid); err != nil {
		e, ok := refusal(err)
		if !ok {
			return err
		}
		st := customerState{edit: customerEditForm(c), ident: newForm(map[string]string{"type": "email"}), merge: newForm(nil), errMsg: e.Message}
		if m := e.Fields["identity_id"]; m != "" {
			st.errMsg = u.tr(r, "The identity was not removed: %s.", m)
		}
		return u.customerPage(w, r, httpx.Status(e.Code), c, st)
	}
	http.Redirect(w, r, fmt.Sprintf("/customers/%d?saved=1#identities", c.ID), http.StatusSeeOther)
	return nil
}

// findCustomer resolves "id or email" typed into the merge form.
func (u *UI) findCustomer(ctx context.Context, actor authz.Actor, s string) (customer.Customer, error) {
	if n, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64); err == nil && n > 0 {
		c, err := u.Customers.Get(ctx, actor, n)
		if apperr.Is(err, apperr.CodeNotFound) {
			return c, apperr.InvalidField("other", fmt.Sprintf("no customer has id %d", n))
		}
		return c, err
	}
	addr, err := customer.NormalizeIdentity("email", s)
	if err != nil {
		return customer.Customer{}, apperr.InvalidField("other", "must be a customer id or an email address")
	}
	list, err := u.Customers.List(ctx, actor, customer.Filter{Query: addr, Page: page.Request{Limit: page.MaxLimit}})
	if err != nil {
		return customer.Customer{}, err
	}
	for _, c := range list.Data {
		for _, i := range c.Identities {
			if i.Type == "email" && i.Value == addr {
				return c, nil
			}
		}
	}
	return customer.Customer{}, apperr.InvalidField("other", "no customer has the email "+addr)
}

// MergeCustomer merges another customer into this one in two steps, both
// plain forms: the first names the other customer and shows a confirmation
// page; the second, from that page, carries confirm=yes and merges.
func (u *UI) MergeCustomer(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	c, err := u.getCustomer(r)
	if err != nil {
		return err
	}
	f, err := readForm(r)
	if err != nil {
		return err
	}
	if err := authz.Check(actor, authz.CustomerWrite); err != nil {
		return err
	}
	back := func(err error) error {
		status, msg, ok := refused(err, f)
		if !ok {
			return err
		}
		if m := f.Errs["merge_id"]; m != "" {
			f.Errs["other"] = m
			delete(f.Errs, "merge_id")
		}
		return u.customerPage(w, r, status, c, customerState{edit: customerEditForm(c), ident: newForm(map[string]string{"type": "email"}), merge: f, errMsg: msg})
	}
	other := f.v("other")
	if other == "" {
		other = f.v("merge_id")
	}
	if other == "" {
		return back(apperr.InvalidField("other", "is required"))
	}
	o, err := u.findCustomer(ctx, actor, other)
	if err != nil {
		return back(err)
	}
	if o.ID == c.ID {
		return back(apperr.InvalidField("other", "is this customer; name another one"))
	}
	if f.v("confirm") != "yes" {
		tickets, more, err := u.ticketRows(r, ticket.Filter{RequesterID: o.ID})
		if err != nil {
			return err
		}
		return u.render(w, r, http.StatusOK, "merge", pageData{Title: "Merge customers", Nav: "customers", Data: map[string]any{
			"Keep": c, "Other": o, "Tickets": len(tickets), "More": more,
		}})
	}
	if _, err := u.Customers.Merge(ctx, actor, c.ID, o.ID); err != nil {
		return back(err)
	}
	http.Redirect(w, r, fmt.Sprintf("/customers/%d?merged=1", c.ID), http.StatusSeeOther)
	return nil
}

// orgRow is an organization as the list shows it.
type orgRow struct {
	customer.Organization
	Created string
}

func orgFields(f form, legend string) []fieldset {
	return []fieldset{{Legend: legend, Fields: []formField{
		f.field("name", "Name", "text", true, ""),
		f.field("domains", "Email domains", "text", false, "Separated by commas, like example.com. New customers with these domains join the organization."),
		f.field("portal_shared", "Members see all the organization's requests in the portal", "checkbox", false, "They can read and answer their colleagues' requests under My organization."),
	}}}
}

// Organizations lists organizations with the form to add one.
func (u *UI) Organizations(w http.ResponseWriter, r *http.Request) error {
	flash := ""
	if r.URL.Query().Get("deleted") != "" {
		flash = "Organization deleted."
	}
	return u.organizationsPage(w, r, http.StatusOK, newForm(nil), "", flash)
}

func (u *UI) organizationsPage(w http.ResponseWriter, r *http.Request, status int, f form, errMsg, flash string) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	qs := r.URL.Query()
	q := strings.TrimSpace(qs.Get("q"))
	pr, err := page.Parse("50", qs.Get("cursor"))
	if err != nil {
		return err
	}
	list, err := u.Customers.ListOrganizations(ctx, actor, customer.OrgFilter{Query: q, Page: pr})
	if err != nil {
		return err
	}
	loc, lang := location(r), u.lang(r)
	rows := make([]orgRow, 0, len(list.Data))
	for _, o := range list.Data {
		rows = append(rows, orgRow{Organization: o, Created: when(lang, o.CreatedAt, loc)})
	}
	next := ""
	if list.NextCursor != nil {
		v := url.Values{"cursor": {*list.NextCursor}}
		if q != "" {
			v.Set("q", q)
		}
		next = "/organizations?" + v.Encode()
	}
	sets := orgFields(f, "New organization")
	return u.render(w, r, status, "organizations", pageData{Title: "Organizations", Nav: "customers", Flash: flash, Error: errMsg, Data: map[string]any{
		"Rows": rows, "Q": q, "Next": next, "Paged": pr.Cursor != nil, "Fieldsets": sets, "Errors": summary(sets, f.Errs),
		"Form": f, "CanWrite": authz.Can(actor, authz.CustomerWrite),
	}})
}

// CreateOrganization adds an organization from the list page's form.
func (u *UI) CreateOrganization(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f, err := readForm(r)
	if err != nil {
		return err
	}
	in := customer.OrganizationInput{Name: f.v("name"), Domains: splitList(f.v("domains")), Notes: f.Values["notes"], PortalShared: f.v("portal_shared") != ""}
	o, err := u.Customers.CreateOrganization(ctx, httpx.Actor(ctx), in)
	if err != nil {
		st, msg, ok := refused(err, f)
		if !ok {
			return err
		}
		return u.organizationsPage(w, r, st, f, msg, "")
	}
	http.Redirect(w, r, fmt.Sprintf("/organizations/%d?saved=1", o.ID), http.StatusSeeOther)
	return nil
}

func (u *UI) getOrganization(r *http.Request) (customer.Organization, error) {
	id, err := httpx.PathID(r, "id", "organization")
	if err != nil {
		return customer.Organization{}, err
	}
	return u.Customers.GetOrganization(r.Context(), httpx.Actor(r.Context()), id)
}

func orgForm(o customer.Organization) form {
	shared := ""
	if o.PortalShared {
		shared = "on"
	}
	return newForm(map[string]string{"name": o.Name, "domains": strings.Join(o.Domains, ", "), "notes": o.Notes, "portal_shared": shared})
}

// OrganizationPage shows an organization: its settings, members and tickets.
func (u *UI) OrganizationPage(w http.ResponseWriter, r *http.Request) error {
	o, err := u.getOrganization(r)
	if err != nil {
		return err
	}
	flash := ""
	if r.URL.Query().Get("saved") != "" {
		flash = "Organization saved."
	}
	return u.organizationPage(w, r, http.StatusOK, o, orgForm(o), flash, "")
}

func (u *UI) organizationPage(w http.ResponseWriter, r *http.Request, status int, o customer.Organization, f form, flash, errMsg string) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	members, err := u.Customers.List(ctx, actor, customer.Filter{OrganizationID: o.ID, Page: page.Request{Limit: page.MaxLimit}})
	if err != nil {
		return err
	}
	tickets, more, err := u.ticketRows(r, ticket.Filter{OrganizationID: o.ID})
	if err != nil {
		return err
	}
	sets := orgFields(f, "Settings")
	return u.render(w, r, status, "organization", pageData{Title: o.Name, Nav: "customers", Flash: flash, Error: errMsg, Data: map[string]any{
		"O": o, "Members": members.Data, "MoreMembers": members.NextCursor != nil, "Tickets": tickets, "MoreTickets": more,
		"Fieldsets": sets, "Errors": summary(sets, f.Errs), "Form": f, "CanWrite": authz.Can(actor, authz.CustomerWrite),
		"Created": when(u.lang(r), o.CreatedAt, location(r)),
	}})
}

// UpdateOrganization saves the settings form.
func (u *UI) UpdateOrganization(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	o, err := u.getOrganization(r)
	if err != nil {
		return err
	}
	f, err := readForm(r)
	if err != nil {
		return err
	}
	name, notes, domains, shared := f.v("name"), f.Values["notes"], splitList(f.v("domains")), f.v("portal_shared") != ""
	if _, err := u.Customers.UpdateOrganization(ctx, httpx.Actor(ctx), o.ID, customer.OrganizationPatch{Name: &name, Notes: &notes, Domains: &domains, PortalShared: &shared}); err != nil {
		st, msg, ok := refused(err, f)
		if !ok {
			return err
		}
		return u.organizationPage(w, r, st, o, f, "", msg)
	}
	http.Redirect(w, r, fmt.Sprintf("/organizations/%d?saved=1", o.ID), http.StatusSeeOther)
	return nil
}

// DeleteOrganization removes an organization without tickets.
func (u *UI) DeleteOrganization(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	o, err := u.getOrganization(r)
	if err != nil {
		return err
	}
	if err := u.Customers.DeleteOrganization(ctx, httpx.Actor(ctx), o.ID); err != nil {
		e, ok := refusal(err)
		if !ok {
			return err
		}
		return u.organizationPage(w, r, httpx.Status(e.Code), o, orgForm(o), "", u.tr(r, "The organization was not deleted: %s.", e.Message))
	}
	http.Redirect(w, r, "/organizations?deleted=1", http.StatusSeeOther)
	return nil
}
