// Package phone serves the phone channel's pages and endpoints: the
// provider's signed call webhook (public; the signature is the
// credential), the incoming-call pop the agents' browsers fetch when the
// live stream announces a call, and the integrations under Administration
// (docs/phone.md).
package phone

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"io"
	"net/http"
	"strconv"

	"github.com/ombud/ombud/internal/apperr"
	phonesvc "github.com/ombud/ombud/internal/channel/phone"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
)

//go:embed templates/*.html partials/*.html
var templateFS embed.FS

// DocsURL is the integrator's guide the secret page links to.
const DocsURL = "https://github.com/ombud/ombud/blob/main/docs/phone.md"

// UI serves the phone pages.
type UI struct {
	*ui.UI
	Phone *phonesvc.Service
	pages map[string]*template.Template
	pop   *template.Template
}

// New parses the pages with the shared layout.
func New(shared *ui.UI, svc *phonesvc.Service) (*UI, error) {
	pages, err := shared.Parse(templateFS, "integrations", "integration", "secret")
	if err != nil {
		return nil, err
	}
	for _, name := range []string{"integrations", "integration"} { // the form's fields, shared
		if pages[name], err = pages[name].ParseFS(templateFS, "partials/fields.html"); err != nil {
			return nil, err
		}
	}
	pop, err := shared.ParsePage(templateFS, "pop")
	if err != nil {
		return nil, err
	}
	return &UI{UI: shared, Phone: svc, pages: pages, pop: pop}, nil
}

// Hook answers POST /api/v1/phone/integrations/{id}/events: one call event
// from the provider, signed with the integration's secret.
func (u *UI) Hook(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "phone integration")
	if err != nil {
		return err
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, phonesvc.MaxBody+1))
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return &apperr.Error{Code: apperr.CodeTooLarge, Message: "the body is too large"}
		}
		return apperr.InvalidField("body", "could not be read")
	}
	if len(body) > phonesvc.MaxBody {
		return &apperr.Error{Code: apperr.CodeTooLarge, Message: "the body is too large"}
	}
	h := r.Header
	res, err := u.Phone.Receive(r.Context(), id, phonesvc.Signature{ID: h.Get("webhook-id"), Timestamp: h.Get("webhook-timestamp"), Signature: h.Get("webhook-signature")}, body)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, res)
}

// Pop answers GET /phone/pop/{id}: the incoming-call notice for a ticket's
// latest call, an HTML fragment the page's script shows.
func (u *UI) Pop(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "ticket")
	if err != nil {
		return err
	}
	// The ticket service decides who may see the ticket (collaborators,
	// team-restricted roles); the pop shows no more than the ticket page.
	if _, err := u.Tickets.Get(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	p, err := u.Phone.PopFor(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := u.pop.Execute(&buf, map[string]any{"Lang": u.Lang(r), "P": p, "Call": u.Phone.CallLink(r.Context(), p.Number)}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, err = buf.WriteTo(w)
	return err
}

func (u *UI) render(w http.ResponseWriter, r *http.Request, status int, name string, p ui.PageData) error {
	p.Nav = "admin"
	return u.Render(w, r, status, u.pages[name], p)
}

func (u *UI) teams(r *http.Request) []ui.Option {
	teams, err := u.Teams(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return nil
	}
	return ui.TeamChoices(teams)
}

// List answers GET /admin/phone: the integrations and the form to add one.
func (u *UI) List(w http.ResponseWriter, r *http.Request) error {
	flash := ui.FlashOf(r, map[string]string{"deleted": "Phone integration deleted."})
	return u.list(w, r, http.StatusOK, flash, "", ui.NewForm(map[string]string{"active": "on"}))
}

func (u *UI) list(w http.ResponseWriter, r *http.Request, status int, flash, problem string, f ui.Form) error {
	its, err := u.Phone.List(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	return u.render(w, r, status, "integrations", ui.PageData{Title: "Phone", Flash: flash, Error: problem,
		Data: map[string]any{"Rows": its, "Form": f, "Teams": u.teams(r)}})
}

func input(f ui.Form) phonesvc.Input {
	team, _ := strconv.ParseInt(f.V("team_id"), 10, 64)
	active := f.V("active") != ""
	return phonesvc.Input{Name: f.V("name"), DefaultCountry: f.V("default_country"), CallURL: f.V("call_url"), TeamID: team, Active: &active}
}

// Create answers POST /admin/phone (form: name, default_country,
// call_url, team_id, active): the signing secret shows on the answer only.
func (u *UI) Create(w http.ResponseWriter, r *http.Request) error {
	f, err := ui.ReadForm(r)
	if err != nil {
		return err
	}
	it, err := u.Phone.Create(r.Context(), httpx.Actor(r.Context()), input(f))
	if err != nil {
		if _, msg, ok := ui.Refused(err, f); ok {
			return u.list(w, r, http.StatusUnprocessableEntity, "", or(msg, "Check the phone integration."), f)
		}
		return err
	}
	return u.secret(w, r, it, "Phone integration added.")
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (u *UI) secret(w http.ResponseWriter, r *http.Request, it phonesvc.Integration, flash string) error {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	hook := scheme + "://" + r.Host + "/api/v1/phone/integrations/" + strconv.FormatInt(it.ID, 10) + "/events"
	return u.render(w, r, http.StatusOK, "secret", ui.PageData{Title: "Signing secret", Flash: flash, Data: map[string]any{
		"It": it, "Hook": hook, "Docs": DocsURL}})
}

// Page answers GET /admin/phone/{id}: an integration's settings.
func (u *UI) Page(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "phone integration")
	if err != nil {
		return err
	}
	it, err := u.Phone.Get(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	vals := map[string]string{"name": it.Name, "default_country": it.DefaultCountry, "call_url": it.CallURL}
	if it.Active {
		vals["active"] = "on"
	}
	if it.TeamID != nil {
		vals["team_id"] = strconv.FormatInt(*it.TeamID, 10)
	}
	return u.page(w, r, http.StatusOK, it, ui.FlashOf(r, map[string]string{"saved": "Saved."}), "", ui.NewForm(vals))
}

func (u *UI) page(w http.ResponseWriter, r *http.Request, status int, it phonesvc.Integration, flash, problem string, f ui.Form) error {
	return u.render(w, r, status, "integration", ui.PageData{Title: it.Name, Flash: flash, Error: problem,
		Data: map[string]any{"It": it, "Form": f, "Teams": u.teams(r)}})
}

// Update answers POST /admin/phone/{id} (the form of Create).
func (u *UI) Update(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "phone integration")
	if err != nil {
		return err
	}
	ctx, actor := r.Context(), httpx.Actor(r.Context())
	f, err := ui.ReadForm(r)
	if err != nil {
		return err
	}
	if _, err := u.Phone.Update(ctx, actor, id, input(f)); err != nil {
		if _, msg, ok := ui.Refused(err, f); ok {
			it, gerr := u.Phone.Get(ctx, actor, id)
			if gerr != nil {
				return gerr
			}
			return u.page(w, r, http.StatusUnprocessableEntity, it, "", or(msg, "Check the phone integration."), f)
		}
		return err
	}
	http.Redirect(w, r, "/admin/phone/"+strconv.FormatInt(id, 10)+"?saved=1", http.StatusSeeOther)
	return nil
}

// Rotate answers POST /admin/phone/{id}/secret: a new secret, shown once.
func (u *UI) Rotate(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "phone integration")
	if err != nil {
		return err
	}
	it, err := u.Phone.RotateSecret(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return u.secret(w, r, it, "The integration has a new signing secret; the old one no longer works.")
}

// Delete answers POST /admin/phone/{id}/delete.
func (u *UI) Delete(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "phone integration")
	if err != nil {
		return err
	}
	if err := u.Phone.Delete(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/phone?deleted=1", http.StatusSeeOther)
	return nil
}
