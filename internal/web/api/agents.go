package api

import (
	"net/http"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/auth"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/web/httpx"
)

// GetMe answers GET /api/v1/me.
func (a *API) GetMe(w http.ResponseWriter, r *http.Request) error {
	actor := httpx.Actor(r.Context())
	me, err := a.Agents.GetAgent(r.Context(), actor, actor.ID)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, me)
}

// ListAgents answers GET /api/v1/agents.
func (a *API) ListAgents(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r, "team_id", "role", "q", "limit", "cursor"); err != nil {
		return err
	}
	team, err := httpx.QueryInt64(r, "team_id")
	if err != nil {
		return err
	}
	role := authz.Role(r.URL.Query().Get("role"))
	if role != "" && !role.Valid() {
		return apperr.InvalidField("role", "must be one of admin, manager, agent, qa_reviewer, collaborator")
	}
	pr, err := page.Parse(r.URL.Query().Get("limit"), r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	l, err := a.Agents.ListAgents(r.Context(), httpx.Actor(r.Context()), agent.Filter{TeamID: team, Role: role, Query: r.URL.Query().Get("q"), Page: pr})
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, l)
}

// CreateAgent answers POST /api/v1/agents.
func (a *API) CreateAgent(w http.ResponseWriter, r *http.Request) error {
	var in agent.AgentInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	ag, err := a.Agents.CreateAgent(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, ag)
}

// GetAgent answers GET /api/v1/agents/{id}.
func (a *API) GetAgent(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "agent")
	if err != nil {
		return err
	}
	ag, err := a.Agents.GetAgent(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, ag)
}

// UpdateAgent answers PATCH /api/v1/agents/{id}.
func (a *API) UpdateAgent(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "agent")
	if err != nil {
		return err
	}
	var p agent.AgentPatch
	if err := httpx.DecodeJSON(r, &p); err != nil {
		return err
	}
	ag, err := a.Agents.UpdateAgent(r.Context(), httpx.Actor(r.Context()), id, p)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, ag)
}

// DeactivateAgent answers DELETE /api/v1/agents/{id}.
func (a *API) DeactivateAgent(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "agent")
	if err != nil {
		return err
	}
	if err := a.Agents.DeactivateAgent(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ListTeams answers GET /api/v1/teams.
func (a *API) ListTeams(w http.ResponseWriter, r *http.Request) error {
	l, err := a.Agents.ListTeams(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, l)
}

// CreateTeam answers POST /api/v1/teams.
func (a *API) CreateTeam(w http.ResponseWriter, r *http.Request) error {
	var in agent.TeamInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	t, err := a.Agents.CreateTeam(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, t)
}

// GetTeam answers GET /api/v1/teams/{id}.
func (a *API) GetTeam(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "team")
	if err != nil {
		return err
	}
	t, err := a.Agents.GetTeam(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, t)
}

// UpdateTeam answers PATCH /api/v1/teams/{id}.
func (a *API) UpdateTeam(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "team")
	if err != nil {
		return err
	}
	var p agent.TeamPatch
	if err := httpx.DecodeJSON(r, &p); err != nil {
		return err
	}
	t, err := a.Agents.UpdateTeam(r.Context(), httpx.Actor(r.Context()), id, p)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, t)
}

// DeleteTeam answers DELETE /api/v1/teams/{id}.
func (a *API) DeleteTeam(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "team")
	if err != nil {
		return err
	}
	if err := a.Agents.DeleteTeam(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ListTokens answers GET /api/v1/tokens (the caller's; ?agent_id= for admins).
func (a *API) ListTokens(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r, "agent_id"); err != nil {
		return err
	}
	actor := httpx.Actor(r.Context())
	id, err := httpx.QueryInt64(r, "agent_id")
	if err != nil {
		return err
	}
	if id == 0 {
		id = actor.ID
	}
	ts, err := a.Auth.ListTokens(r.Context(), actor, id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, page.All(ts))
}

// CreateToken answers POST /api/v1/tokens; the secret is in the reply only.
func (a *API) CreateToken(w http.ResponseWriter, r *http.Request) error {
	var in auth.CreateTokenInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	actor := httpx.Actor(r.Context())
	if in.AgentID == 0 {
		in.AgentID = actor.ID
	}
	raw, t, err := a.Auth.CreateToken(r.Context(), actor, in.AgentID, in.Name)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, auth.NewToken{Token: t, Secret: raw})
}

// RevokeToken answers DELETE /api/v1/tokens/{id}.
func (a *API) RevokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "token")
	if err != nil {
		return err
	}
	if err := a.Auth.RevokeToken(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
