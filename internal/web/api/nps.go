package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/nps"
	"github.com/ombud/ombud/internal/web/httpx"
)

// NPS campaigns and results (docs/feedback.md); permissions are checked in
// the nps service (feedback.read to read, feedback.manage to change).

// NPSResultParams are the query parameters of GET /api/v1/nps/results.
func NPSResultParams() []string {
	return []string{"from", "to", "campaign_id", "organization_id", "language", "bucket"}
}

// ListNPSCampaigns answers GET /api/v1/nps/campaigns.
func (a *API) ListNPSCampaigns(w http.ResponseWriter, r *http.Request) error {
	list, err := a.NPS.Campaigns(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": list, "next_cursor": nil})
}

// CreateNPSCampaign answers POST /api/v1/nps/campaigns.
func (a *API) CreateNPSCampaign(w http.ResponseWriter, r *http.Request) error {
	var in nps.CampaignInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := a.NPS.CreateCampaign(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, c)
}

// GetNPSCampaign answers GET /api/v1/nps/campaigns/{id}.
func (a *API) GetNPSCampaign(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "campaign")
	if err != nil {
		return err
	}
	c, err := a.NPS.Campaign(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, c)
}

// UpdateNPSCampaign answers PATCH /api/v1/nps/campaigns/{id}.
func (a *API) UpdateNPSCampaign(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "campaign")
	if err != nil {
		return err
	}
	var p nps.CampaignPatch
	if err := httpx.DecodeJSON(r, &p); err != nil {
		return err
	}
	c, err := a.NPS.UpdateCampaign(r.Context(), httpx.Actor(r.Context()), id, p)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, c)
}

// RunNPSCampaign answers POST /api/v1/nps/campaigns/{id}/run: send now.
func (a *API) RunNPSCampaign(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "campaign")
	if err != nil {
		return err
	}
	c, err := a.NPS.RunNow(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusAccepted, c)
}

// GetNPSSettings answers GET /api/v1/nps/settings.
func (a *API) GetNPSSettings(w http.ResponseWriter, r *http.Request) error {
	st, err := a.NPS.Settings(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, st)
}

// PutNPSSettings answers PUT /api/v1/nps/settings.
func (a *API) PutNPSSettings(w http.ResponseWriter, r *http.Request) error {
	var in nps.Settings
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	st, err := a.NPS.SaveSettings(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, st)
}

// NPSResults answers GET /api/v1/nps/results: NPS, trend, split,
// segments and verbatims of the answers given from … to.
func (a *API) NPSResults(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	fe := apperr.FieldErrors{}
	f := nps.Filter{Language: q.Get("language"), Bucket: q.Get("bucket")}
	parseTime := func(k string) time.Time {
		s := q.Get(k)
		if s == "" {
			return time.Time{}
		}
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t
		}
		if t, err := time.Parse(time.DateOnly, s); err == nil {
			return t
		}
		fe.Add(k, "must be an RFC 3339 time or a date (YYYY-MM-DD)")
		return time.Time{}
	}
	parseID := func(k string) int64 {
		s := q.Get(k)
		if s == "" {
			return 0
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			fe.Add(k, "must be a positive id")
		}
		return n
	}
	f.From, f.To = parseTime("from"), parseTime("to")
	f.CampaignID, f.OrganizationID = parseID("campaign_id"), parseID("organization_id")
	if err := fe.Err(); err != nil {
		return err
	}
	res, err := a.NPS.Results(r.Context(), httpx.Actor(r.Context()), f)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, res)
}
