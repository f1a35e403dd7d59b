package api

import (
	"net/http"

	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/webhook"
)

// Webhook subscriptions (docs/webhooks.md); every call is admin-only in the
// webhook service.

// WebhookEvents answers GET /api/v1/webhooks/events: the event types.
func (a *API) WebhookEvents(w http.ResponseWriter, r *http.Request) error {
	return httpx.WriteJSON(w, http.StatusOK, DataOf(webhook.EventTypes))
}

// ListWebhooks answers GET /api/v1/webhooks.
func (a *API) ListWebhooks(w http.ResponseWriter, r *http.Request) error {
	subs, err := a.Webhooks.List(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	if subs == nil {
		subs = []webhook.Subscription{}
	}
	return httpx.WriteJSON(w, http.StatusOK, DataOf(subs))
}

// CreateWebhook answers POST /api/v1/webhooks; the reply carries the
// signing secret, the only time it is shown.
func (a *API) CreateWebhook(w http.ResponseWriter, r *http.Request) error {
	var in webhook.Input
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	sub, err := a.Webhooks.Create(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, sub)
}

func (a *API) webhookID(r *http.Request) (int64, error) { return httpx.PathID(r, "id", "webhook") }

// GetWebhook answers GET /api/v1/webhooks/{id}.
func (a *API) GetWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := a.webhookID(r)
	if err != nil {
		return err
	}
	sub, err := a.Webhooks.Get(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, sub)
}

// UpdateWebhook answers PATCH /api/v1/webhooks/{id}.
func (a *API) UpdateWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := a.webhookID(r)
	if err != nil {
		return err
	}
	var p webhook.Patch
	if err := httpx.DecodeJSON(r, &p); err != nil {
		return err
	}
	sub, err := a.Webhooks.Update(r.Context(), httpx.Actor(r.Context()), id, p)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, sub)
}

// DeleteWebhook answers DELETE /api/v1/webhooks/{id}.
func (a *API) DeleteWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := a.webhookID(r)
	if err != nil {
		return err
	}
	if err := a.Webhooks.Delete(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// RotateWebhookSecret answers POST /api/v1/webhooks/{id}/secret.
func (a *API) RotateWebhookSecret(w http.ResponseWriter, r *http.Request) error {
	id, err := a.webhookID(r)
	if err != nil {
		return err
	}
	sub, err := a.Webhooks.RotateSecret(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, sub)
}

// PingWebhook answers POST /api/v1/webhooks/{id}/ping.
func (a *API) PingWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := a.webhookID(r)
	if err != nil {
		return err
	}
	d, err := a.Webhooks.Ping(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusAccepted, d)
}

// ListWebhookDeliveries answers GET /api/v1/webhooks/{id}/deliveries.
func (a *API) ListWebhookDeliveries(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r, "limit", "cursor", "state"); err != nil {
		return err
	}
	id, err := a.webhookID(r)
	if err != nil {
		return err
	}
	pr, err := page.Parse(r.URL.Query().Get("limit"), r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	l, err := a.Webhooks.Deliveries(r.Context(), httpx.Actor(r.Context()), id, r.URL.Query().Get("state"), pr)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, l)
}

func (a *API) deliveryIDs(r *http.Request) (int64, int64, error) {
	id, err := a.webhookID(r)
	if err != nil {
		return 0, 0, err
	}
	did, err := httpx.PathID(r, "delivery_id", "delivery")
	return id, did, err
}

// GetWebhookDelivery answers GET /api/v1/webhooks/{id}/deliveries/{delivery_id}.
func (a *API) GetWebhookDelivery(w http.ResponseWriter, r *http.Request) error {
	id, did, err := a.deliveryIDs(r)
	if err != nil {
		return err
	}
	d, err := a.Webhooks.Delivery(r.Context(), httpx.Actor(r.Context()), id, did)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, d)
}

// ReplayWebhookDelivery answers POST /api/v1/webhooks/{id}/deliveries/{delivery_id}/replay.
func (a *API) ReplayWebhookDelivery(w http.ResponseWriter, r *http.Request) error {
	id, did, err := a.deliveryIDs(r)
	if err != nil {
		return err
	}
	d, err := a.Webhooks.Replay(r.Context(), httpx.Actor(r.Context()), id, did)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusAccepted, d)
}
