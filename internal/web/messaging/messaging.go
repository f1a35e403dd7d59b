// Package messaging serves the messaging and social channel's endpoints
// and pages: the provider-neutral webhook and the Telegram webhook (public;
// the signature or secret token is the credential), the integrations'
// JSON API, a ticket's reply window and delivery states, and the
// integrations under Administration (docs/messaging.md).
package messaging

import (
	"embed"
	"errors"
	"html/template"
	"io"
	"net/http"
	"strconv"

	"github.com/ombud/ombud/internal/apperr"
	msgsvc "github.com/ombud/ombud/internal/channel/messaging"
	"github.com/ombud/ombud/internal/web/api"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
)

//go:embed templates/*.html partials/*.html
var templateFS embed.FS

// DocsURL is the integrator's guide the secret page links to.
const DocsURL = "https://github.com/ombud/ombud/blob/main/docs/messaging.md"

// UI serves the messaging pages and endpoints.
type UI struct {
	*ui.UI
	Messaging *msgsvc.Service
	pages     map[string]*template.Template
}

// New parses the pages with the shared layout.
func New(shared *ui.UI, svc *msgsvc.Service) (*UI, error) {
	pages, err := shared.Parse(templateFS, "integrations", "integration", "secret")
	if err != nil {
		return nil, err
	}
	for _, name := range []string{"integrations", "integration"} {
		if pages[name], err = pages[name].ParseFS(templateFS, "partials/fields.html"); err != nil {
			return nil, err
		}
	}
	return &UI{UI: shared, Messaging: svc, pages: pages}, nil
}

func readBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, msgsvc.MaxBody+1))
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return nil, &apperr.Error{Code: apperr.CodeTooLarge, Message: "the body is too large"}
		}
		return nil, apperr.InvalidField("body", "could not be read")
	}
	if len(body) > msgsvc.MaxBody {
		return nil, &apperr.Error{Code: apperr.CodeTooLarge, Message: "the body is too large"}
	}
	return body, nil
}

// Hook answers POST /api/v1/messaging/integrations/{id}/events: a message
// or a delivery state in the provider-neutral shape, signed with the
// integration's secret.
func (u *UI) Hook(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "messaging integration")
	if err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	h := r.Header
	res, err := u.Messaging.Receive(r.Context(), id, msgsvc.Signature{ID: h.Get("webhook-id"), Timestamp: h.Get("webhook-timestamp"), Signature: h.Get("webhook-signature")}, body)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, res)
}

// Telegram answers POST /api/v1/messaging/telegram/{id}: a Bot API Update,
// with the integration's secret in X-Telegram-Bot-Api-Secret-Token.
func (u *UI) Telegram(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "messaging integration")
	if err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	res, err := u.Messaging.ReceiveTelegram(r.Context(), id, r.Header.Get(msgsvc.TelegramSecretHeader), body)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, res)
}

// Thread is a ticket's messaging state: its reply window and how each
// reply sent through the provider is doing.
type Thread struct {
	Window     msgsvc.Window     `json:"window"`
	Deliveries []msgsvc.Delivery `json:"deliveries"`
}

// TicketThread answers GET /api/v1/tickets/{id}/messaging.
func (u *UI) TicketThread(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "ticket")
	if err != nil {
		return err
	}
	ctx, actor := r.Context(), httpx.Actor(r.Context())
	if _, err := u.Tickets.Get(ctx, actor, id); err != nil {
		return err
	}
	win, err := u.Messaging.WindowOf(ctx, actor, id)
	if err != nil {
		return err
	}
	ds, err := u.Messaging.Deliveries(ctx, actor, id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, Thread{Window: win, Deliveries: ds})
}

func integrationID(r *http.Request) (int64, error) {
	return httpx.PathID(r, "id", "messaging integration")
}

// APIList answers GET /api/v1/messaging/integrations.
func (u *UI) APIList(w http.ResponseWriter, r *http.Request) error {
	its, err := u.Messaging.List(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, api.DataOf(its))
}

// APICreate answers POST /api/v1/messaging/integrations (the answer shows
// the secret once).
func (u *UI) APICreate(w http.ResponseWriter, r *http.Request) error {
	var in msgsvc.Input
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	it, err := u.Messaging.Create(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, it)
}

// APIGet answers GET /api/v1/messaging/integrations/{id}.
func (u *UI) APIGet(w http.ResponseWriter, r *http.Request) error {
	id, err := integrationID(r)
	if err != nil {
		return err
	}
	it, err := u.Messaging.Get(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, it)
}

// APIUpdate answers PUT /api/v1/messaging/integrations/{id}: every setting
// as for a new one (an empty reply_token keeps the stored one).
func (u *UI) APIUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := integrationID(r)
	if err != nil {
		return err
	}
	var in msgsvc.Input
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	it, err := u.Messaging.Update(r.Context(), httpx.Actor(r.Context()), id, in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, it)
}

// APIRotate answers POST /api/v1/messaging/integrations/{id}/secret.
func (u *UI) APIRotate(w http.ResponseWriter, r *http.Request) error {
	id, err := integrationID(r)
	if err != nil {
		return err
	}
	it, err := u.Messaging.RotateSecret(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, it)
}

// APIDelete answers DELETE /api/v1/messaging/integrations/{id}.
func (u *UI) APIDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := integrationID(r)
	if err != nil {
		return err
	}
	if err := u.Messaging.Delete(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// webhookURL is where the provider posts: the Telegram route for a
// Telegram integration (given to setWebhook), the neutral one otherwise.
func webhookURL(r *http.Request, it msgsvc.Integration) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + HookPath(it)
}

// HookPath is an integration's webhook path.
func HookPath(it msgsvc.Integration) string {
	if it.Provider == msgsvc.ProviderTelegram {
		return "/api/v1/messaging/telegram/" + strconv.FormatInt(it.ID, 10)
	}
	return "/api/v1/messaging/integrations/" + strconv.FormatInt(it.ID, 10) + "/events"
}
