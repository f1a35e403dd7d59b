package zendesk

import (
	"net/http"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/web/httpx"
)

// ListOrganizations answers GET /api/v2/organizations.json.
func (a *API) ListOrganizations(w http.ResponseWriter, r *http.Request) error {
	ctx, actor, base := r.Context(), httpx.Actor(r.Context()), a.base(r)
	p, err := readPager(r, maxPageSize)
	if err != nil {
		return err
	}
	res, err := paginate(r, base, p, func(pr page.Request) (page.List[customer.Organization], error) {
		return a.Customers.ListOrganizations(ctx, actor, customer.OrgFilter{Page: pr})
	}, nil)
	if err != nil {
		return err
	}
	out := make([]Organization, 0, len(res.items))
	for _, o := range res.items {
		out = append(out, toOrganization(base, o))
	}
	return writeJSON(w, http.StatusOK, with(res.fields, "organizations", out))
}

// ShowOrganization answers GET /api/v2/organizations/{id}.json.
func (a *API) ShowOrganization(w http.ResponseWriter, r *http.Request) error {
	id, ok := pathID(r, "id")
	if !ok {
		return apperr.NotFound("organization", r.PathValue("id"))
	}
	o, err := a.Customers.GetOrganization(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"organization": toOrganization(a.base(r), o)})
}

// OrganizationIn is the organization object of a create or update body.
type OrganizationIn struct {
	Name        *string   `json:"name"`
	DomainNames *[]string `json:"domain_names"`
	Notes       *string   `json:"notes"`
	Details     *string   `json:"details"`
}

// OrganizationBody is the body of POST /organizations.json and PUT /organizations/{id}.json.
type OrganizationBody struct {
	Organization *OrganizationIn `json:"organization"`
}

func readOrganization(r *http.Request) (*OrganizationIn, error) {
	var body OrganizationBody
	if err := decode(r, &body); err != nil {
		return nil, err
	}
	if body.Organization == nil {
		return nil, apperr.InvalidField("organization", "is required: send {\"organization\":{…}}")
	}
	in := body.Organization
	if in.Notes == nil && in.Details != nil {
		// Ombud keeps one text about an organization: Zendesk's details
		// go there when no notes come with them.
		in.Notes = in.Details
	}
	return in, nil
}

// CreateOrganization answers POST /api/v2/organizations.json.
func (a *API) CreateOrganization(w http.ResponseWriter, r *http.Request) error {
	in, err := readOrganization(r)
	if err != nil {
		return err
	}
	ci := customer.OrganizationInput{Name: deref(in.Name), Notes: deref(in.Notes)}
	if in.DomainNames != nil {
		ci.Domains = *in.DomainNames
	}
	o, err := a.Customers.CreateOrganization(r.Context(), httpx.Actor(r.Context()), ci)
	if err != nil {
		return err
	}
	out := toOrganization(a.base(r), o)
	w.Header().Set("Location", out.URL)
	return writeJSON(w, http.StatusCreated, map[string]any{"organization": out})
}

// UpdateOrganization answers PUT /api/v2/organizations/{id}.json.
func (a *API) UpdateOrganization(w http.ResponseWriter, r *http.Request) error {
	id, ok := pathID(r, "id")
	if !ok {
		return apperr.NotFound("organization", r.PathValue("id"))
	}
	in, err := readOrganization(r)
	if err != nil {
		return err
	}
	o, err := a.Customers.UpdateOrganization(r.Context(), httpx.Actor(r.Context()), id, customer.OrganizationPatch{Name: in.Name, Domains: in.DomainNames, Notes: in.Notes})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"organization": toOrganization(a.base(r), o)})
}

// DeleteOrganization answers DELETE /api/v2/organizations/{id}.json with
// 204, as Zendesk does.
func (a *API) DeleteOrganization(w http.ResponseWriter, r *http.Request) error {
	id, ok := pathID(r, "id")
	if !ok {
		return apperr.NotFound("organization", r.PathValue("id"))
	}
	if err := a.Customers.DeleteOrganization(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
