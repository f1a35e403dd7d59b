package api

import (
	"net/http"

	"github.com/ombud/ombud/internal/routing"
	"github.com/ombud/ombud/internal/web/httpx"
)

// GetRoutingSettings answers GET /api/v1/routing/teams/{team_id}.
func (a *API) GetRoutingSettings(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "team_id", "team")
	if err != nil {
		return err
	}
	s, err := a.Routing.GetSettings(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, s)
}

// PutRoutingSettings answers PUT /api/v1/routing/teams/{team_id}: the body
// replaces the team's routing settings.
func (a *API) PutRoutingSettings(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "team_id", "team")
	if err != nil {
		return err
	}
	var in routing.SettingsInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	s, err := a.Routing.PutSettings(r.Context(), httpx.Actor(r.Context()), id, in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, s)
}

// SetAgentAvailability answers PUT /api/v1/agents/{id}/availability.
func (a *API) SetAgentAvailability(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "agent")
	if err != nil {
		return err
	}
	var in routing.AvailabilityInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	av, err := a.Routing.SetAvailability(r.Context(), httpx.Actor(r.Context()), id, in.Availability)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, av)
}
