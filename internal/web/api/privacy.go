package api

import (
	"net/http"

	"github.com/ombud/ombud/internal/privacy"
	"github.com/ombud/ombud/internal/web/httpx"
)

// EraseInput is the body of a customer erasure.
type EraseInput struct {
	Mode privacy.Mode `json:"mode"` // "anonymise" or "delete"
}

// ExportCustomer answers GET /api/v1/customers/{id}/export: a zip of
// everything stored about the customer (docs/privacy.md).
func (a *API) ExportCustomer(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "customer")
	if err != nil {
		return err
	}
	arc, err := a.Privacy.Export(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	WriteArchive(w, r, arc, a.Log)
	return nil
}

// WriteArchive streams an export archive as a download. Once streaming
// has begun an error can only be logged (and the archive is cut short,
// which the client sees as a broken zip).
func WriteArchive(w http.ResponseWriter, r *http.Request, arc *privacy.Archive, log interface {
	Error(msg string, args ...any)
}) {
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", `attachment; filename="`+arc.Name+`"`)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if err := arc.WriteTo(r.Context(), w); err != nil {
		log.Error("customer export", "err", err)
	}
}

// EraseCustomer answers POST /api/v1/customers/{id}/erase.
func (a *API) EraseCustomer(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "customer")
	if err != nil {
		return err
	}
	var in EraseInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	res, err := a.Privacy.Erase(r.Context(), httpx.Actor(r.Context()), id, in.Mode)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, res)
}

// ListRetentionRules answers GET /api/v1/retention-rules.
func (a *API) ListRetentionRules(w http.ResponseWriter, r *http.Request) error {
	rules, err := a.Privacy.Rules(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, DataOf(rules))
}

// CreateRetentionRule answers POST /api/v1/retention-rules.
func (a *API) CreateRetentionRule(w http.ResponseWriter, r *http.Request) error {
	var in privacy.RuleInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	rule, err := a.Privacy.CreateRule(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, rule)
}

// DeleteRetentionRule answers DELETE /api/v1/retention-rules/{id}.
func (a *API) DeleteRetentionRule(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "retention rule")
	if err != nil {
		return err
	}
	if err := a.Privacy.DeleteRule(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
