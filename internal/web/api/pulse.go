package api

import (
	"net/http"

	"github.com/ombud/ombud/internal/pulse"
	"github.com/ombud/ombud/internal/web/httpx"
)

// Team pulse surveys (docs/feedback.md); permissions are checked in the
// pulse service (pulse.manage for surveys and their aggregate results,
// pulse.answer for your own invitations and answers). No endpoint returns
// a single person's answer: results are aggregates of groups of at least
// the survey's minimum.

// ListPulseSurveys answers GET /api/v1/pulse/surveys.
func (a *API) ListPulseSurveys(w http.ResponseWriter, r *http.Request) error {
	list, err := a.Pulse.Surveys(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": list, "next_cursor": nil})
}

// CreatePulseSurvey answers POST /api/v1/pulse/surveys.
func (a *API) CreatePulseSurvey(w http.ResponseWriter, r *http.Request) error {
	var in pulse.SurveyInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	sv, err := a.Pulse.Create(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, sv)
}

// GetPulseSurvey answers GET /api/v1/pulse/surveys/{id}.
func (a *API) GetPulseSurvey(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "survey")
	if err != nil {
		return err
	}
	sv, err := a.Pulse.Survey(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, sv)
}

// ClosePulseSurvey answers POST /api/v1/pulse/surveys/{id}/close.
func (a *API) ClosePulseSurvey(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "survey")
	if err != nil {
		return err
	}
	sv, err := a.Pulse.Close(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, sv)
}

// PulseResults answers GET /api/v1/pulse/surveys/{id}/results.
func (a *API) PulseResults(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "survey")
	if err != nil {
		return err
	}
	res, err := a.Pulse.Results(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, res)
}

// ListPulseInvitations answers GET /api/v1/pulse/invitations.
func (a *API) ListPulseInvitations(w http.ResponseWriter, r *http.Request) error {
	list, err := a.Pulse.Invitations(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": list, "next_cursor": nil})
}

// AnswerPulseSurvey answers POST /api/v1/pulse/surveys/{id}/answers.
func (a *API) AnswerPulseSurvey(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "survey")
	if err != nil {
		return err
	}
	var in pulse.AnswerInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := a.Pulse.Answer(r.Context(), httpx.Actor(r.Context()), id, in); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
