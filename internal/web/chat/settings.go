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
	if r.URL.Query().Get("saved") == "1" {
		flash = "Settings saved."
	}
	return u.settings(w, r, http.StatusOK, st, flash, "", nil)
}

func (u *UI) settings(w http.ResponseWriter, r *http.Request, status int, st chatsvc.Settings, flash, problem string, errs map[string]string) error {
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
	return u.Render(w, r, status, u.pages["settings"], ui.PageData{Title: "Chat widget", Nav: "admin", Flash: flash, Error: problem,
		Data: map[string]any{"S": st, "Origins": strings.Join(st.AllowedOrigins, "\n"), "Langs": langs, "AllLangs": chatsvc.Languages,
			"Positions": chatsvc.Positions, "Teams": teams, "Snippet": snippet, "Errs": errs, "Limits": limits}})
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
				MatchSkills: in.MatchSkills, AgentLimits: in.AgentLimits}
			return u.settings(w, r, http.StatusUnprocessableEntity, st, "", "Check the settings.", u.ErrIn(r, err).Fields)
		}
		return err
	}
	http.Redirect(w, r, "/admin/chat?saved=1", http.StatusSeeOther)
	return nil
}
