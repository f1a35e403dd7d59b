package api

import (
	"net/http"

	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/sla"
	"github.com/ombud/ombud/internal/web/httpx"
)

// ListBusinessCalendars answers GET /api/v1/business-calendars. There are
// few calendars, so the list is one page.
func (a *API) ListBusinessCalendars(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r); err != nil {
		return err
	}
	cs, err := a.SLA.ListCalendars(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, page.All(cs))
}

// CreateBusinessCalendar answers POST /api/v1/business-calendars.
func (a *API) CreateBusinessCalendar(w http.ResponseWriter, r *http.Request) error {
	var in sla.CalendarInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := a.SLA.CreateCalendar(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, c)
}

// GetBusinessCalendar answers GET /api/v1/business-calendars/{id}.
func (a *API) GetBusinessCalendar(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "business calendar")
	if err != nil {
		return err
	}
	c, err := a.SLA.GetCalendar(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, c)
}

// UpdateBusinessCalendar answers PATCH /api/v1/business-calendars/{id}.
func (a *API) UpdateBusinessCalendar(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "business calendar")
	if err != nil {
		return err
	}
	var p sla.CalendarPatch
	if err := httpx.DecodeJSON(r, &p); err != nil {
		return err
	}
	c, err := a.SLA.UpdateCalendar(r.Context(), httpx.Actor(r.Context()), id, p)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, c)
}

// DeleteBusinessCalendar answers DELETE /api/v1/business-calendars/{id};
// a calendar an SLA policy uses is a conflict.
func (a *API) DeleteBusinessCalendar(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "business calendar")
	if err != nil {
		return err
	}
	if err := a.SLA.DeleteCalendar(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ListSLAPolicies answers GET /api/v1/sla-policies, in the order policies
// are tried.
func (a *API) ListSLAPolicies(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r); err != nil {
		return err
	}
	ps, err := a.SLA.ListPolicies(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, page.All(ps))
}

// CreateSLAPolicy answers POST /api/v1/sla-policies.
func (a *API) CreateSLAPolicy(w http.ResponseWriter, r *http.Request) error {
	var in sla.PolicyInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	p, err := a.SLA.CreatePolicy(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, p)
}

// GetSLAPolicy answers GET /api/v1/sla-policies/{id}.
func (a *API) GetSLAPolicy(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "SLA policy")
	if err != nil {
		return err
	}
	p, err := a.SLA.GetPolicy(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, p)
}

// UpdateSLAPolicy answers PATCH /api/v1/sla-policies/{id}.
func (a *API) UpdateSLAPolicy(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "SLA policy")
	if err != nil {
		return err
	}
	var p sla.PolicyPatch
	if err := httpx.DecodeJSON(r, &p); err != nil {
		return err
	}
	out, err := a.SLA.UpdatePolicy(r.Context(), httpx.Actor(r.Context()), id, p)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, out)
}

// DeleteSLAPolicy answers DELETE /api/v1/sla-policies/{id}.
func (a *API) DeleteSLAPolicy(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "SLA policy")
	if err != nil {
		return err
	}
	if err := a.SLA.DeletePolicy(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ReorderSLAPolicies answers POST /api/v1/sla-policies/reorder with the
// policies in their new order.
func (a *API) ReorderSLAPolicies(w http.ResponseWriter, r *http.Request) error {
	var in sla.ReorderInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	ps, err := a.SLA.ReorderPolicies(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, page.All(ps))
}

// GetTicketSLA answers GET /api/v1/tickets/{id}/sla: the ticket's SLA
// clocks computed from its history now.
func (a *API) GetTicketSLA(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "ticket")
	if err != nil {
		return err
	}
	st, err := a.SLA.TicketSLA(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, st)
}
