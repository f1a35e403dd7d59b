package api

import (
	"net/http"

	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/web/httpx"
)

// Triggers and automations share one set of handlers; the kind comes from
// the route.

func (a *API) listRules(w http.ResponseWriter, r *http.Request, kind automation.Kind) error {
	if err := httpx.CheckQuery(r); err != nil {
		return err
	}
	l, err := a.Automation.ListRules(r.Context(), httpx.Actor(r.Context()), kind)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, l)
}

func (a *API) createRule(w http.ResponseWriter, r *http.Request, kind automation.Kind) error {
	var in automation.RuleInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	rule, err := a.Automation.CreateRule(r.Context(), httpx.Actor(r.Context()), kind, in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, rule)
}

func (a *API) getRule(w http.ResponseWriter, r *http.Request, kind automation.Kind) error {
	id, err := httpx.PathID(r, "id", string(kind))
	if err != nil {
		return err
	}
	rule, err := a.Automation.GetRule(r.Context(), httpx.Actor(r.Context()), kind, id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, rule)
}

func (a *API) updateRule(w http.ResponseWriter, r *http.Request, kind automation.Kind) error {
	id, err := httpx.PathID(r, "id", string(kind))
	if err != nil {
		return err
	}
	var p automation.RulePatch
	if err := httpx.DecodeJSON(r, &p); err != nil {
		return err
	}
	rule, err := a.Automation.UpdateRule(r.Context(), httpx.Actor(r.Context()), kind, id, p)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, rule)
}

func (a *API) deleteRule(w http.ResponseWriter, r *http.Request, kind automation.Kind) error {
	id, err := httpx.PathID(r, "id", string(kind))
	if err != nil {
		return err
	}
	if err := a.Automation.DeleteRule(r.Context(), httpx.Actor(r.Context()), kind, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) listRuns(w http.ResponseWriter, r *http.Request, kind automation.Kind) error {
	if err := httpx.CheckQuery(r, "limit", "cursor"); err != nil {
		return err
	}
	id, err := httpx.PathID(r, "id", string(kind))
	if err != nil {
		return err
	}
	pr, err := page.Parse(r.URL.Query().Get("limit"), r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	l, err := a.Automation.ListRuns(r.Context(), httpx.Actor(r.Context()), kind, id, pr)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, l)
}

// ListTriggers answers GET /api/v1/triggers (in evaluation order).
func (a *API) ListTriggers(w http.ResponseWriter, r *http.Request) error {
	return a.listRules(w, r, automation.KindTrigger)
}

// CreateTrigger answers POST /api/v1/triggers.
func (a *API) CreateTrigger(w http.ResponseWriter, r *http.Request) error {
	return a.createRule(w, r, automation.KindTrigger)
}

// GetTrigger answers GET /api/v1/triggers/{id}.
func (a *API) GetTrigger(w http.ResponseWriter, r *http.Request) error {
	return a.getRule(w, r, automation.KindTrigger)
}

// UpdateTrigger answers PATCH /api/v1/triggers/{id}.
func (a *API) UpdateTrigger(w http.ResponseWriter, r *http.Request) error {
	return a.updateRule(w, r, automation.KindTrigger)
}

// DeleteTrigger answers DELETE /api/v1/triggers/{id}.
func (a *API) DeleteTrigger(w http.ResponseWriter, r *http.Request) error {
	return a.deleteRule(w, r, automation.KindTrigger)
}

// ListTriggerRuns answers GET /api/v1/triggers/{id}/runs.
func (a *API) ListTriggerRuns(w http.ResponseWriter, r *http.Request) error {
	return a.listRuns(w, r, automation.KindTrigger)
}

// ReorderInput lists every trigger id in the new evaluation order.
type ReorderInput struct {
	IDs []int64 `json:"ids"`
}

// ReorderTriggers answers POST /api/v1/triggers/reorder.
func (a *API) ReorderTriggers(w http.ResponseWriter, r *http.Request) error {
	var in ReorderInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	l, err := a.Automation.ReorderRules(r.Context(), httpx.Actor(r.Context()), automation.KindTrigger, in.IDs)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, l)
}

// ListAutomations answers GET /api/v1/automations.
func (a *API) ListAutomations(w http.ResponseWriter, r *http.Request) error {
	return a.listRules(w, r, automation.KindAutomation)
}

// CreateAutomation answers POST /api/v1/automations.
func (a *API) CreateAutomation(w http.ResponseWriter, r *http.Request) error {
	return a.createRule(w, r, automation.KindAutomation)
}

// GetAutomation answers GET /api/v1/automations/{id}.
func (a *API) GetAutomation(w http.ResponseWriter, r *http.Request) error {
	return a.getRule(w, r, automation.KindAutomation)
}

// UpdateAutomation answers PATCH /api/v1/automations/{id}.
func (a *API) UpdateAutomation(w http.ResponseWriter, r *http.Request) error {
	return a.updateRule(w, r, automation.KindAutomation)
}

// DeleteAutomation answers DELETE /api/v1/automations/{id}.
func (a *API) DeleteAutomation(w http.ResponseWriter, r *http.Request) error {
	return a.deleteRule(w, r, automation.KindAutomation)
}

// ListAutomationRuns answers GET /api/v1/automations/{id}/runs.
func (a *API) ListAutomationRuns(w http.ResponseWriter, r *http.Request) error {
	return a.listRuns(w, r, automation.KindAutomation)
}

// ListMacros answers GET /api/v1/macros: the caller's own macros and the
// shared ones they may use.
func (a *API) ListMacros(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r, "limit", "cursor"); err != nil {
		return err
	}
	pr, err := page.Parse(r.URL.Query().Get("limit"), r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	l, err := a.Automation.ListMacros(r.Context(), httpx.Actor(r.Context()), pr)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, l)
}

// CreateMacro answers POST /api/v1/macros.
func (a *API) CreateMacro(w http.ResponseWriter, r *http.Request) error {
	var in automation.MacroInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	m, err := a.Automation.CreateMacro(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, m)
}

// GetMacro answers GET /api/v1/macros/{id}.
func (a *API) GetMacro(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "macro")
	if err != nil {
		return err
	}
	m, err := a.Automation.GetMacro(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, m)
}

// UpdateMacro answers PATCH /api/v1/macros/{id}.
func (a *API) UpdateMacro(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "macro")
	if err != nil {
		return err
	}
	var p automation.MacroPatch
	if err := httpx.DecodeJSON(r, &p); err != nil {
		return err
	}
	m, err := a.Automation.UpdateMacro(r.Context(), httpx.Actor(r.Context()), id, p)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, m)
}

// DeleteMacro answers DELETE /api/v1/macros/{id}.
func (a *API) DeleteMacro(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "macro")
	if err != nil {
		return err
	}
	if err := a.Automation.DeleteMacro(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func macroPath(r *http.Request) (ticketID, macroID int64, err error) {
	if ticketID, err = httpx.PathID(r, "id", "ticket"); err != nil {
		return 0, 0, err
	}
	macroID, err = httpx.PathID(r, "macro_id", "macro")
	return ticketID, macroID, err
}

// PreviewMacro answers POST /api/v1/tickets/{id}/macros/{macro_id}/preview:
// the rendered comments and field changes, nothing applied.
func (a *API) PreviewMacro(w http.ResponseWriter, r *http.Request) error {
	tid, mid, err := macroPath(r)
	if err != nil {
		return err
	}
	pv, err := a.Automation.PreviewMacro(r.Context(), httpx.Actor(r.Context()), tid, mid)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, pv)
}

// ApplyMacro answers POST /api/v1/tickets/{id}/macros/{macro_id}/apply.
func (a *API) ApplyMacro(w http.ResponseWriter, r *http.Request) error {
	tid, mid, err := macroPath(r)
	if err != nil {
		return err
	}
	res, err := a.Automation.ApplyMacro(r.Context(), httpx.Actor(r.Context()), tid, mid)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, res)
}
