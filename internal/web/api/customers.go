package api

import (
	"net/http"

	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/web/httpx"
)

// ListCustomers answers GET /api/v1/customers.
func (a *API) ListCustomers(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r, "q", "organization_id", "limit", "cursor"); err != nil {
		return err
	}
	org, err := httpx.QueryInt64(r, "organization_id")
	if err != nil {
		return err
	}
	pr, err := page.Parse(r.URL.Query().Get("limit"), r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	l, err := a.Customers.List(r.Context(), httpx.Actor(r.Context()), customer.Filter{Query: r.URL.Query().Get("q"), OrganizationID: org, Page: pr})
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, l)
}

// CreateCustomer answers POST /api/v1/customers.
func (a *API) CreateCustomer(w http.ResponseWriter, r *http.Request) error {
	var in customer.CustomerInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := a.Customers.Create(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, c)
}

// GetCustomer answers GET /api/v1/customers/{id}.
func (a *API) GetCustomer(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "customer")
	if err != nil {
		return err
	}
	c, err := a.Customers.Get(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, c)
}

// UpdateCustomer answers PATCH /api/v1/customers/{id}.
func (a *API) UpdateCustomer(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "customer")
	if err != nil {
		return err
	}
	var p customer.CustomerPatch
	if err := httpx.DecodeJSON(r, &p); err != nil {
		return err
	}
	c, err := a.Customers.Update(r.Context(), httpx.Actor(r.Context()), id, p)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, c)
}

// DeleteCustomer answers DELETE /api/v1/customers/{id}.
func (a *API) DeleteCustomer(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "customer")
	if err != nil {
		return err
	}
	if err := a.Customers.Delete(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// AddCustomerIdentity answers POST /api/v1/customers/{id}/identities.
func (a *API) AddCustomerIdentity(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "customer")
	if err != nil {
		return err
	}
	var in customer.Identity
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	ident, err := a.Customers.AddIdentity(r.Context(), httpx.Actor(r.Context()), id, in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, ident)
}

// RemoveCustomerIdentity answers DELETE /api/v1/customers/{id}/identities/{identity_id}.
func (a *API) RemoveCustomerIdentity(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "customer")
	if err != nil {
		return err
	}
	iid, err := httpx.PathID(r, "identity_id", "identity")
	if err != nil {
		return err
	}
	if err := a.Customers.RemoveIdentity(r.Context(), httpx.Actor(r.Context()), id, iid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// MergeCustomer answers POST /api/v1/customers/{id}/merge.
func (a *API) MergeCustomer(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "customer")
	if err != nil {
		return err
	}
	var in customer.MergeInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := a.Customers.Merge(r.Context(), httpx.Actor(r.Context()), id, in.MergeID)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, c)
}

// ListOrganizations answers GET /api/v1/organizations.
func (a *API) ListOrganizations(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r, "q", "limit", "cursor"); err != nil {
		return err
	}
	pr, err := page.Parse(r.URL.Query().Get("limit"), r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	l, err := a.Customers.ListOrganizations(r.Context(), httpx.Actor(r.Context()), customer.OrgFilter{Query: r.URL.Query().Get("q"), Page: pr})
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, l)
}

// CreateOrganization answers POST /api/v1/organizations.
func (a *API) CreateOrganization(w http.ResponseWriter, r *http.Request) error {
	var in customer.OrganizationInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	o, err := a.Customers.CreateOrganization(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, o)
}

// GetOrganization answers GET /api/v1/organizations/{id}.
func (a *API) GetOrganization(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "organization")
	if err != nil {
		return err
	}
	o, err := a.Customers.GetOrganization(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, o)
}

// UpdateOrganization answers PATCH /api/v1/organizations/{id}.
func (a *API) UpdateOrganization(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "organization")
	if err != nil {
		return err
	}
	var p customer.OrganizationPatch
	if err := httpx.DecodeJSON(r, &p); err != nil {
		return err
	}
	o, err := a.Customers.UpdateOrganization(r.Context(), httpx.Actor(r.Context()), id, p)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, o)
}

// DeleteOrganization answers DELETE /api/v1/organizations/{id}.
func (a *API) DeleteOrganization(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "organization")
	if err != nil {
		return err
	}
	if err := a.Customers.DeleteOrganization(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
