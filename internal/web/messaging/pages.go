package messaging

import (
	"net/http"
	"strconv"

	msgsvc "github.com/ombud/ombud/internal/channel/messaging"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
)

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

// providerNames are the provider kinds in words (catalog keys).
var providerNames = map[string]string{
	msgsvc.ProviderTelegram: "Telegram", msgsvc.ProviderWhatsApp: "WhatsApp", msgsvc.ProviderMessenger: "Messenger",
	msgsvc.ProviderInstagram: "Instagram", msgsvc.ProviderOther: "Other provider",
}

func providers() []ui.Option {
	out := make([]ui.Option, len(msgsvc.Providers))
	for i, p := range msgsvc.Providers {
		out[i] = ui.Option{Value: p, Label: providerNames[p]}
	}
	return out
}

type row struct {
	msgsvc.Integration
	ProviderName, Hook string
}

// List answers GET /admin/messaging: the integrations and the form to add one.
func (u *UI) List(w http.ResponseWriter, r *http.Request) error {
	flash := ui.FlashOf(r, map[string]string{"deleted": "Messaging integration deleted."})
	return u.list(w, r, http.StatusOK, flash, "", ui.NewForm(map[string]string{"active": "on", "provider": msgsvc.ProviderTelegram}))
}

func (u *UI) list(w http.ResponseWriter, r *http.Request, status int, flash, problem string, f ui.Form) error {
	its, err := u.Messaging.List(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	rows := make([]row, len(its))
	for i, it := range its {
		rows[i] = row{Integration: it, ProviderName: providerNames[it.Provider], Hook: HookPath(it)}
	}
	return u.render(w, r, status, "integrations", ui.PageData{Title: "Messaging", Flash: flash, Error: problem,
		Data: map[string]any{"Rows": rows, "Form": f, "Teams": u.teams(r), "Providers": providers()}})
}

func input(f ui.Form) msgsvc.Input {
	team, _ := strconv.ParseInt(f.V("team_id"), 10, 64)
	active := f.V("active") != ""
	in := msgsvc.Input{Name: f.V("name"), Provider: f.V("provider"), ReplyURL: f.V("reply_url"), ReplyToken: f.V("reply_token"), TeamID: team, Active: &active}
	if v := f.V("reply_window_hours"); v != "" {
		h, err := strconv.Atoi(v)
		if err != nil {
			h = -1 // refused by the service, naming the field
		}
		in.ReplyWindowHours = &h
	}
	return in
}

// Create answers POST /admin/messaging (form: name, provider, reply_url,
// reply_token, reply_window_hours, team_id, active): the secret shows on
// the answer only.
func (u *UI) Create(w http.ResponseWriter, r *http.Request) error {
	f, err := ui.ReadForm(r)
	if err != nil {
		return err
	}
	it, err := u.Messaging.Create(r.Context(), httpx.Actor(r.Context()), input(f))
	if err != nil {
		if _, msg, ok := ui.Refused(err, f); ok {
			return u.list(w, r, http.StatusUnprocessableEntity, "", or(msg, "Check the messaging integration."), f)
		}
		return err
	}
	return u.secret(w, r, it, "Messaging integration added.")
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (u *UI) secret(w http.ResponseWriter, r *http.Request, it msgsvc.Integration, flash string) error {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	neutral := scheme + "://" + r.Host + "/api/v1/messaging/integrations/" + strconv.FormatInt(it.ID, 10) + "/events"
	return u.render(w, r, http.StatusOK, "secret", ui.PageData{Title: "Secret", Flash: flash, Data: map[string]any{
		"It": it, "Hook": webhookURL(r, it), "Neutral": neutral, "Telegram": it.Provider == msgsvc.ProviderTelegram, "Docs": DocsURL}})
}

// Page answers GET /admin/messaging/{id}: an integration's settings.
func (u *UI) Page(w http.ResponseWriter, r *http.Request) error {
	id, err := integrationID(r)
	if err != nil {
		return err
	}
	it, err := u.Messaging.Get(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	vals := map[string]string{"name": it.Name, "provider": it.Provider, "reply_url": it.ReplyURL, "reply_window_hours": strconv.Itoa(it.ReplyWindowHours)}
	if it.Active {
		vals["active"] = "on"
	}
	if it.TeamID != nil {
		vals["team_id"] = strconv.FormatInt(*it.TeamID, 10)
	}
	return u.page(w, r, http.StatusOK, it, ui.FlashOf(r, map[string]string{"saved": "Saved."}), "", ui.NewForm(vals))
}

func (u *UI) page(w http.ResponseWriter, r *http.Request, status int, it msgsvc.Integration, flash, problem string, f ui.Form) error {
	return u.render(w, r, status, "integration", ui.PageData{Title: it.Name, Flash: flash, Error: problem,
		Data: map[string]any{"It": it, "Form": f, "Teams": u.teams(r), "Providers": providers(), "Hook": webhookURL(r, it)}})
}

// Update answers POST /admin/messaging/{id} (the form of Create; an empty
// reply token keeps the stored one).
func (u *UI) Update(w http.ResponseWriter, r *http.Request) error {
	id, err := integrationID(r)
	if err != nil {
		return err
	}
	ctx, actor := r.Context(), httpx.Actor(r.Context())
	f, err := ui.ReadForm(r)
	if err != nil {
		return err
	}
	if _, err := u.Messaging.Update(ctx, actor, id, input(f)); err != nil {
		if _, msg, ok := ui.Refused(err, f); ok {
			it, gerr := u.Messaging.Get(ctx, actor, id)
			if gerr != nil {
				return gerr
			}
			return u.page(w, r, http.StatusUnprocessableEntity, it, "", or(msg, "Check the messaging integration."), f)
		}
		return err
	}
	http.Redirect(w, r, "/admin/messaging/"+strconv.FormatInt(id, 10)+"?saved=1", http.StatusSeeOther)
	return nil
}

// Rotate answers POST /admin/messaging/{id}/secret: a new secret, shown once.
func (u *UI) Rotate(w http.ResponseWriter, r *http.Request) error {
	id, err := integrationID(r)
	if err != nil {
		return err
	}
	it, err := u.Messaging.RotateSecret(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return u.secret(w, r, it, "The integration has a new secret; the old one no longer works.")
}

// Delete answers POST /admin/messaging/{id}/delete.
func (u *UI) Delete(w http.ResponseWriter, r *http.Request) error {
	id, err := integrationID(r)
	if err != nil {
		return err
	}
	if err := u.Messaging.Delete(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/messaging?deleted=1", http.StatusSeeOther)
	return nil
}
