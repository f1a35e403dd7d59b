package chat

import (
	"net/http"
	"strconv"
	"strings"

	agentsvc "github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/apperr"
	chatsvc "github.com/ombud/ombud/internal/chat"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
)

func agentFilter() agentsvc.Filter { return agentsvc.Filter{Page: page.Request{Limit: 100}} }

// SettingsPage answers GET /admin/chat: the widget settings and the
// snippet to paste into a site.
func (u *UI) SettingsPage(w http.ResponseWriter, r *http.Request) error {
	st, err := u.Chat.SettingsFor(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	flash := ""
	switch {
	case r.URL.Query().Get("saved") == "1":
		flash = "Settings saved."
	case r.URL.Query().Get("invitation") == "added":
		flash = "Invitation added."
	case r.URL.Query().Get("invitation") == "deleted":
		flash = "Invitation deleted."
	case r.URL.Query().Get("invitation") == "saved":
		flash = "Invitation saved."
	case r.URL.Query().Get("invitation") == "moved":
		flash = "Invitation moved."
	}
	var forms []invitationForm
	if v := r.URL.Query().Get("edit"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return apperr.InvalidField("edit", "must be an invitation id")
		}
		inv, err := u.Chat.Invitation(r.Context(), httpx.Actor(r.Context()), id)
		if err != nil {
			return err
		}
		on := inv.Enabled
		forms = append(forms, invitationForm{EditID: id, In: chatsvc.InvitationInput{Name: inv.Name, Enabled: &on, MinSeconds: inv.MinSeconds,
			URLPattern: inv.URLPattern, ReturningOnly: inv.ReturningOnly, MinCart: inv.MinCart, Language: inv.Language, Messages: inv.Messages}})
	}
	return u.settings(w, r, http.StatusOK, st, flash, "", nil, forms...)
}

// uploadKinds are the kinds of file on the settings page, worded.
var uploadKinds = []struct{ Kind, Label string }{
	{chatsvc.UploadImage, "Images (PNG, JPEG, GIF, WebP)"}, {chatsvc.UploadPDF, "PDF documents"}, {chatsvc.UploadText, "Text files"}}

// fieldModes are the ways the pre-chat form asks for a field, worded.
var fieldModes = []struct{ Mode, Label string }{
	{chatsvc.FieldHidden, "Not asked"}, {chatsvc.FieldOptional, "Optional"}, {chatsvc.FieldRequired, "Required"}}

// invitationForm is the add-an-invitation form again after a refusal.
type invitationForm struct {
	In     chatsvc.InvitationInput
	EditID int64 // the rule being changed; 0: a new one
	Errs   map[string]string
}

func (u *UI) settings(w http.ResponseWriter, r *http.Request, status int, st chatsvc.Settings, flash, problem string, errs map[string]string, inv ...invitationForm) error {
	return u.settingsWith(w, r, status, st, flash, problem, errs, widgetForms{}, inv...)
}

func (u *UI) settingsWith(w http.ResponseWriter, r *http.Request, status int, st chatsvc.Settings, flash, problem string, errs map[string]string, wf widgetForms, inv ...invitationForm) error {
	if err := u.loadWidgetForms(r, &wf); err != nil {
		return err
	}
	var teams []target
	if ts, err := u.Agents.ListTeams(r.Context(), httpx.Actor(r.Context())); err == nil {
		for _, t := range ts.Data {
			teams = append(teams, target{ID: t.ID, Name: t.Name})
		}
	}
	// Each chatting agent with their own limit ("" for the default).
	type limitRow struct {
		ID          int64
		Name, Limit string
	}
	var limits []limitRow
	if as, err := u.Agents.ListAgents(r.Context(), httpx.Actor(r.Context()), agentFilter()); err == nil {
		for _, a := range as.Data {
			if a.Active && a.Role != "qa_reviewer" && a.Role != "collaborator" {
				l := ""
				if n, ok := st.AgentLimits[a.ID]; ok && n > 0 {
					l = strconv.Itoa(n)
				}
				limits = append(limits, limitRow{ID: a.ID, Name: a.Name, Limit: l})
			}
		}
	}
	langs := map[string]bool{}
	for _, l := range st.Languages {
		langs[l] = true
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	snippet := `<script src="` + scheme + `://` + r.Host + `/widget.js" async></script>`
	if errs == nil {
		errs = map[string]string{}
	}
	uploads := map[string]bool{}
	for _, k := range st.UploadTypes {
		uploads[k] = true
	}
	invs, err := u.Chat.Invitations(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	form := invitationForm{In: chatsvc.InvitationInput{Messages: map[string]string{}}, Errs: map[string]string{}}
	if len(inv) > 0 {
		form = inv[0]
		if form.Errs == nil {
			form.Errs = map[string]string{}
		}
	}
	rate := func(v chatsvc.Invitation) float64 { return 100 * float64(v.Accepted) / float64(max(v.Shown, 1)) }
	return u.Render(w, r, status, u.pages["settings"], ui.PageData{Title: "Chat widget", Nav: "admin", Flash: flash, Error: problem,
		Data: map[string]any{"S": st, "Origins": strings.Join(st.AllowedOrigins, "\n"), "Langs": langs, "AllLangs": chatsvc.Languages,
			"Positions": chatsvc.Positions, "Teams": teams, "Snippet": snippet, "Errs": errs, "Limits": limits, "UploadKinds": uploadKinds, "Uploads": uploads,
			"Invitations": invs, "InvIn": form.In, "InvErrs": form.Errs, "InvEdit": form.EditID, "InvOn": form.In.Enabled == nil || *form.In.Enabled, "Rate": rate,
			"Pages": wf.pages(), "PagesErrs": wf.PagesErrs, "Prechat": wf.Prechat, "PrechatErrs": wf.PrechatErrs, "TopicRows": wf.topicRows(),
			"FieldModes": fieldModes}})
}

// SaveSettings answers POST /admin/chat (form).
func (u *UI) SaveSettings(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	f := r.PostForm
	num := func(k string) int {
		n, err := strconv.Atoi(strings.TrimSpace(f.Get(k)))
		if err != nil {
			return -1
		}
		return n
	}
	team, _ := strconv.ParseInt(f.Get("team_id"), 10, 64)
	in := chatsvc.SettingsInput{Enabled: f.Get("enabled") == "on", Color: strings.TrimSpace(f.Get("color")), Position: f.Get("position"),
		Greeting: strings.TrimSpace(f.Get("greeting")), Languages: f["languages"], AllowedOrigins: strings.Fields(f.Get("allowed_origins")),
		TeamID: team, MaxChats: num("max_chats"), OfferSeconds: num("offer_seconds"), UseHours: f.Get("use_hours") == "on",
		MatchSkills: f.Get("match_skills") == "on", AgentLimits: map[int64]int{}}
	// limit_<agent id>: the agent's own max chats; empty keeps the default.
	for k, vs := range f {
		id, err := strconv.ParseInt(strings.TrimPrefix(k, "limit_"), 10, 64)
		if !strings.HasPrefix(k, "limit_") || err != nil || len(vs) == 0 || strings.TrimSpace(vs[0]) == "" {
			continue
		}
		in.AgentLimits[id] = num(k)
	}
	if f.Get("upload_form") == "1" {
		in.UploadTypes = append([]string{}, f["upload_types"]...)
		in.UploadMaxMB = num("upload_max_mb")
		if in.UploadMaxMB == 0 {
			in.UploadMaxMB = -1
		}
	}
	if s := f.Get("identity_secret"); s != "" {
		in.IdentitySecret = &s
	} else if f.Get("clear_secret") == "on" {
		empty := ""
		in.IdentitySecret = &empty
	}
	if _, err := u.Chat.PutSettings(r.Context(), httpx.Actor(r.Context()), in); err != nil {
		if e, ok := ui.Refusal(err); ok && e.Code == apperr.CodeInvalid {
			st := chatsvc.Settings{Enabled: in.Enabled, Color: in.Color, Position: in.Position, Greeting: in.Greeting, Languages: in.Languages,
				AllowedOrigins: in.AllowedOrigins, TeamID: in.TeamID, MaxChats: in.MaxChats, OfferSeconds: in.OfferSeconds, UseHours: in.UseHours,
				MatchSkills: in.MatchSkills, AgentLimits: in.AgentLimits, UploadTypes: in.UploadTypes, UploadMaxMB: in.UploadMaxMB}
			return u.settings(w, r, http.StatusUnprocessableEntity, st, "", "Check the settings.", u.ErrIn(r, err).Fields)
		}
		return err
	}
	http.Redirect(w, r, "/admin/chat?saved=1", http.StatusSeeOther)
	return nil
}

// invitationFromForm reads the invitation form (add and change).
func invitationFromForm(r *http.Request) (chatsvc.InvitationInput, error) {
	if err := r.ParseForm(); err != nil {
		return chatsvc.InvitationInput{}, apperr.InvalidField("body", "is not a form")
	}
	f := r.PostForm
	secs, err := strconv.Atoi(strings.TrimSpace(f.Get("min_seconds")))
	if err != nil && strings.TrimSpace(f.Get("min_seconds")) != "" {
		secs = -1
	}
	cart, err := strconv.ParseFloat(strings.TrimSpace(f.Get("min_cart")), 64)
	if err != nil && strings.TrimSpace(f.Get("min_cart")) != "" {
		cart = -1
	}
	in := chatsvc.InvitationInput{Name: f.Get("name"), MinSeconds: secs, URLPattern: f.Get("url_pattern"), ReturningOnly: f.Get("returning_only") == "on",
		MinCart: cart, Language: f.Get("language"), Messages: map[string]string{}}
	if f.Get("edit_form") == "1" {
		on := f.Get("enabled") == "on"
		in.Enabled = &on
	}
	for _, l := range chatsvc.Languages {
		if m := strings.TrimSpace(f.Get("message_" + l)); m != "" {
			in.Messages[l] = m
		}
	}
	return in, nil
}

// refuseInvitation shows the settings page again with the invitation
// form as sent and what is wrong with it, for a refusal the visitor can
// fix; other errors pass through.
func (u *UI) refuseInvitation(w http.ResponseWriter, r *http.Request, form invitationForm, err error) error {
	e, ok := ui.Refusal(err)
	if !ok || (e.Code != apperr.CodeInvalid && e.Code != apperr.CodeConflict) {
		return err
	}
	ctx := r.Context()
	st, serr := u.Chat.SettingsFor(ctx, httpx.Actor(ctx))
	if serr != nil {
		return serr
	}
	errs := u.ErrIn(r, err).Fields
	if errs == nil {
		errs = map[string]string{}
	}
	for k, v := range errs {
		if strings.HasPrefix(k, "messages.") {
			errs["messages"] = k[len("messages."):] + ": " + v
		}
	}
	form.Errs = errs
	return u.settings(w, r, http.StatusUnprocessableEntity, st, "", "Check the invitation.", nil, form)
}

// AddInvitation answers POST /admin/chat/invitations (form).
func (u *UI) AddInvitation(w http.ResponseWriter, r *http.Request) error {
	in, err := invitationFromForm(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	if _, err := u.Chat.CreateInvitation(ctx, httpx.Actor(ctx), in); err != nil {
		return u.refuseInvitation(w, r, invitationForm{In: in}, err)
	}
	http.Redirect(w, r, "/admin/chat?invitation=added#invitations", http.StatusSeeOther)
	return nil
}

// UpdateInvitation answers POST /admin/chat/invitations/{id} (form): the
// rule's conditions, messages and whether it is on, all replaced.
func (u *UI) UpdateInvitation(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "invitation")
	if err != nil {
		return err
	}
	in, err := invitationFromForm(r)
	if err != nil {
		return err
	}
	on := in.Enabled == nil || *in.Enabled
	msgs := map[string]string{}
	for _, l := range chatsvc.Languages {
		msgs[l] = in.Messages[l] // "" removes a language's message
	}
	p := chatsvc.InvitationPatch{Name: &in.Name, Enabled: &on, MinSeconds: &in.MinSeconds, URLPattern: &in.URLPattern, ReturningOnly: &in.ReturningOnly,
		MinCart: &in.MinCart, Language: &in.Language, Messages: msgs}
	ctx := r.Context()
	if _, err := u.Chat.UpdateInvitation(ctx, httpx.Actor(ctx), id, p); err != nil {
		in.Enabled = &on
		return u.refuseInvitation(w, r, invitationForm{In: in, EditID: id}, err)
	}
	http.Redirect(w, r, "/admin/chat?invitation=saved#invitations", http.StatusSeeOther)
	return nil
}

// DeleteInvitation answers POST /admin/chat/invitations/{id}/delete.
func (u *UI) DeleteInvitation(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "invitation")
	if err != nil {
		return err
	}
	if err := u.Chat.DeleteInvitation(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/chat?invitation=deleted#invitations", http.StatusSeeOther)
	return nil
}

// MoveInvitation answers POST /admin/chat/invitations/{id}/move (form:
// direction up|down): the rule one place earlier or later in the order
// the widget tries them.
func (u *UI) MoveInvitation(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "invitation")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	if err := u.Chat.MoveInvitation(r.Context(), httpx.Actor(r.Context()), id, r.PostForm.Get("direction")); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/chat?invitation=moved#invitations", http.StatusSeeOther)
	return nil
}
