package people

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	agentsvc "github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/web/httpx"
)

// This file holds the administration pages for agents, teams, custom
// ticket fields and tags. The route table and the services check the
// actor's role; the pages only decide which forms to offer.

var roleLabels = map[authz.Role]string{
	authz.Admin: "Admin", authz.Manager: "Manager", authz.Agent: "Agent", authz.QAReviewer: "QA reviewer", authz.Collaborator: "Collaborator",
}

// roleOptions lists the roles the actor may give (managers cannot make admins).
func roleOptions(actor authz.Actor) []option {
	out := []option{}
	for _, r := range authz.Roles {
		if r == authz.Admin && !authz.Can(actor, authz.AgentAdminWrite) {
			continue
		}
		out = append(out, option{Value: string(r), Label: roleLabels[r]})
	}
	return out
}

// agentRow is an agent as the list shows it.
type agentRow struct {
	agentsvc.Agent
	RoleLabel string
	Teams     string
}

// AgentList lists the agents, with the form to invite one for those who may.
func (u *UI) AgentList(w http.ResponseWriter, r *http.Request) error {
	f := newForm(map[string]string{"role": string(authz.Agent), "locale": "en", "time_zone": "UTC"})
	return u.agentsPage(w, r, http.StatusOK, f, "")
}

func (u *UI) agentsPage(w http.ResponseWriter, r *http.Request, status int, f form, errMsg string) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	list, err := u.Agents.ListAgents(ctx, actor, agentsvc.Filter{Page: page.Request{Limit: page.MaxLimit}})
	if err != nil {
		return err
	}
	teams, err := u.teams(ctx, actor)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, t := range teams {
		names[t.ID] = t.Name
	}
	rows := make([]agentRow, 0, len(list.Data))
	for _, a := range list.Data {
		var ts []string
		for _, id := range a.TeamIDs {
			ts = append(ts, names[id])
		}
		rows = append(rows, agentRow{Agent: a, RoleLabel: roleLabels[a.Role], Teams: strings.Join(ts, ", ")})
	}
	sets := []fieldset{{Legend: "New agent", Fields: []formField{
		f.field("email", "Email", "email", true, ""),
		f.field("name", "Name", "text", true, ""),
		f.choice("role", "Role", roleOptions(actor), ""),
		f.field("skills", "Skills", "text", false, "Separated by commas, like lang:nb, product:billing."),
		f.choice("locale", "Language", localeOptions(), ""),
		f.field("time_zone", "Time zone", "text", false, "An IANA time zone such as Europe/Oslo."),
		f.field("password", "Initial password", "password", false, "Empty: the agent cannot sign in until a password is set."),
	}}}
	sets[0].Fields[6].Autocomplete = "new-password"
	return u.render(w, r, status, "agents", pageData{Title: "Agents", Nav: "agents", Error: errMsg, Data: map[string]any{
		"Rows": rows, "Fieldsets": sets, "Teams": f.checks("team_ids", "Teams", "", teamChoices(teams)),
		"Errors": summary(sets, f.Errs), "CanWrite": authz.Can(actor, authz.AgentWrite),
	}})
}

// CreateAgent invites an agent from the list page's form.
func (u *UI) CreateAgent(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f, err := readForm(r)
	if err != nil {
		return err
	}
	teams, ok := f.ids("team_ids")
	in := agentsvc.AgentInput{Email: f.v("email"), Name: f.v("name"), Role: authz.Role(f.v("role")), Locale: f.v("locale"),
		TimeZone: f.v("time_zone"), Skills: splitList(f.v("skills")), TeamIDs: teams, Password: r.PostFormValue("password")}
	// A refused form never carries the password back to the browser.
	delete(f.Values, "password")
	if !ok {
		return u.agentsPage(w, r, http.StatusBadRequest, f, "")
	}
	a, err := u.Agents.CreateAgent(ctx, httpx.Actor(ctx), in)
	if err != nil {
		st, msg, ok := refused(err, f)
		if !ok {
			return err
		}
		if st == http.StatusForbidden {
			f.Errs["role"] = "your role may not give this role"
			msg = ""
		}
		return u.agentsPage(w, r, st, f, msg)
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/agents/%d?saved=1", a.ID), http.StatusSeeOther)
	return nil
}

func agentForm(a agentsvc.Agent) form {
	f := newForm(map[string]string{"name": a.Name, "role": string(a.Role), "skills": strings.Join(a.Skills, ", "),
		"locale": a.Locale, "time_zone": a.TimeZone, "active": "no"})
	if a.Active {
		f.Values["active"] = "yes"
	}
	for _, t := range a.TeamIDs {
		f.Multi["team_ids"] = append(f.Multi["team_ids"], strconv.FormatInt(t, 10))
	}
	return f
}

func (u *UI) getAgent(r *http.Request) (agentsvc.Agent, error) {
	id, err := httpx.PathID(r, "id", "agent")
	if err != nil {
		return agentsvc.Agent{}, err
	}
	return u.Agents.GetAgent(r.Context(), httpx.Actor(r.Context()), id)
}

// AgentPage shows one agent's settings form.
func (u *UI) AgentPage(w http.ResponseWriter, r *http.Request) error {
	a, err := u.getAgent(r)
	if err != nil {
		return err
	}
	flash := ""
	switch q := r.URL.Query(); {
	case q.Get("saved") != "":
		flash = "Agent saved."
	case q.Get("reset") != "":
		flash = "Two-factor sign-in is reset. The agent signs in with the password alone and sets it up again."
	case q.Get("ended") != "":
		flash = "The session is signed out."
	}
	return u.agentPage(w, r, http.StatusOK, a, agentForm(a), flash, "")
}

func (u *UI) agentPage(w http.ResponseWriter, r *http.Request, status int, a agentsvc.Agent, f form, flash, errMsg string) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	teams, err := u.teams(ctx, actor)
	if err != nil {
		return err
	}
	roles := roleOptions(actor)
	if !slices.ContainsFunc(roles, func(o option) bool { return o.Value == string(a.Role) }) {
		roles = append([]option{{Value: string(a.Role), Label: roleLabels[a.Role]}}, roles...)
	}
	sets := []fieldset{{Legend: "Settings", Fields: []formField{
		f.field("name", "Name", "text", true, ""),
		f.choice("role", "Role", roles, ""),
		f.field("skills", "Skills", "text", false, "Separated by commas, like lang:nb, product:billing."),
		f.choice("locale", "Language", localeOptions(), ""),
		f.field("time_zone", "Time zone", "text", true, "An IANA time zone such as Europe/Oslo."),
		f.choice("active", "Status", []option{{Value: "yes", Label: "Active"}, {Value: "no", Label: "Deactivated"}},
			"A deactivated agent cannot sign in; their API tokens stop working. History stays."),
	}}}
	if a.ID != actor.ID { // one's own password changes on My profile, with the current one
		pw := f.field("password", "New password", "password", false, "Leave empty to keep the current one. A new password signs the agent out everywhere.")
		pw.Autocomplete = "new-password"
		sets[0].Fields = append(sets[0].Fields, pw)
	}
	canWrite := authz.Can(actor, authz.AgentWrite) && (a.Role != authz.Admin || authz.Can(actor, authz.AgentAdminWrite))
	security, err := u.agentSecurity(r, a, canWrite) // two-factor sign-in and sessions (twofactor.go)
	if err != nil {
		return err
	}
	return u.render(w, r, status, "agentedit", pageData{Title: a.Name, Nav: "agents", Flash: flash, Error: errMsg, Data: map[string]any{
		"Security": security, "Self": a.ID == actor.ID,
		"A": a, "RoleLabel": roleLabels[a.Role], "Fieldsets": sets, "Teams": f.checks("team_ids", "Teams", "", teamChoices(teams)),
		"Errors": summary(sets, f.Errs), "CanWrite": canWrite, "Created": when(u.lang(r), a.CreatedAt, location(r)),
	}})
}

// UpdateAgent saves an agent's settings form.
func (u *UI) UpdateAgent(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	a, err := u.getAgent(r)
	if err != nil {
		return err
	}
	f, err := readForm(r)
	if err != nil {
		return err
	}
	teams, ok := f.ids("team_ids")
	name, locale, zone, skills := f.v("name"), f.v("locale"), f.v("time_zone"), splitList(f.v("skills"))
	p := agentsvc.AgentPatch{Name: &name, Locale: &locale, TimeZone: &zone, Skills: &skills, TeamIDs: &teams}
	if pw := r.PostFormValue("password"); pw != "" && a.ID != actor.ID {
		p.Password = &pw // as typed: spaces belong to a password
	}
	if v := f.v("role"); v != "" && v != string(a.Role) {
		role := authz.Role(v)
		p.Role = &role
	}
	switch f.v("active") {
	case "yes", "no":
		active := f.v("active") == "yes"
		if active != a.Active {
			if !active && actor.ID == a.ID {
				f.Errs["active"] = "you cannot deactivate yourself"
			}
			p.Active = &active
		}
	case "":
	default:
		f.Errs["active"] = "must be Active or Deactivated"
	}
	if !ok || len(f.Errs) > 0 {
		return u.agentPage(w, r, http.StatusBadRequest, a, f, "", "")
	}
	if _, err := u.Agents.UpdateAgent(ctx, actor, a.ID, p); err != nil {
		st, msg, ok := refused(err, f)
		if !ok {
			return err
		}
		return u.agentPage(w, r, st, a, f, "", msg)
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/agents/%d?saved=1", a.ID), http.StatusSeeOther)
	return nil
}

// teamRow is a team as the list shows it.
type teamRow struct {
	agentsvc.Team
	Members string
}

// TeamList lists the teams, with the form to add one.
func (u *UI) TeamList(w http.ResponseWriter, r *http.Request) error {
	flash := ""
	if r.URL.Query().Get("deleted") != "" {
		flash = "Team deleted."
	}
	return u.teamsPage(w, r, http.StatusOK, newForm(nil), flash, "")
}

func teamFields(f form, legend string) []fieldset {
	return []fieldset{{Legend: legend, Fields: []formField{
		f.field("name", "Name", "text", true, ""),
		f.field("description", "Description", "text", false, ""),
	}}}
}

func (u *UI) teamsPage(w http.ResponseWriter, r *http.Request, status int, f form, flash, errMsg string) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	teams, err := u.teams(ctx, actor)
	if err != nil {
		return err
	}
	agents, names, err := u.agentChoices(ctx, actor)
	if err != nil {
		return err
	}
	rows := make([]teamRow, 0, len(teams))
	for _, t := range teams {
		var ms []string
		for _, id := range t.AgentIDs {
			ms = append(ms, names[id])
		}
		rows = append(rows, teamRow{Team: t, Members: strings.Join(ms, ", ")})
	}
	sets := teamFields(f, "New team")
	return u.render(w, r, status, "teams", pageData{Title: "Teams", Nav: "teams", Flash: flash, Error: errMsg, Data: map[string]any{
		"Rows": rows, "Fieldsets": sets, "Members": f.checks("agent_ids", "Members", "", agents),
		"Errors": summary(sets, f.Errs), "CanWrite": authz.Can(actor, authz.TeamWrite),
	}})
}

// CreateTeam adds a team from the list page's form.
func (u *UI) CreateTeam(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f, err := readForm(r)
	if err != nil {
		return err
	}
	members, ok := f.ids("agent_ids")
	if !ok {
		return u.teamsPage(w, r, http.StatusBadRequest, f, "", "")
	}
	t, err := u.Agents.CreateTeam(ctx, httpx.Actor(ctx), agentsvc.TeamInput{Name: f.v("name"), Description: f.v("description"), AgentIDs: members})
	if err != nil {
		st, msg, ok := refused(err, f)
		if !ok {
			return err
		}
		return u.teamsPage(w, r, st, f, "", msg)
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/teams/%d?saved=1", t.ID), http.StatusSeeOther)
	return nil
}

func (u *UI) getTeam(r *http.Request) (agentsvc.Team, error) {
	id, err := httpx.PathID(r, "id", "team")
	if err != nil {
		return agentsvc.Team{}, err
	}
	return u.Agents.GetTeam(r.Context(), httpx.Actor(r.Context()), id)
}

func teamForm(t agentsvc.Team) form {
	f := newForm(map[string]string{"name": t.Name, "description": t.Description})
	for _, a := range t.AgentIDs {
		f.Multi["agent_ids"] = append(f.Multi["agent_ids"], strconv.FormatInt(a, 10))
	}
	return f
}

// TeamPage shows a team's settings and members.
func (u *UI) TeamPage(w http.ResponseWriter, r *http.Request) error {
	t, err := u.getTeam(r)
	if err != nil {
		return err
	}
	flash := ""
	if r.URL.Query().Get("saved") != "" {
		flash = "Team saved."
	}
	return u.teamPage(w, r, http.StatusOK, t, teamForm(t), flash, "")
}

func (u *UI) teamPage(w http.ResponseWriter, r *http.Request, status int, t agentsvc.Team, f form, flash, errMsg string) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	agents, _, err := u.agentChoices(ctx, actor)
	if err != nil {
		return err
	}
	sets := teamFields(f, "Settings")
	return u.render(w, r, status, "team", pageData{Title: t.Name, Nav: "teams", Flash: flash, Error: errMsg, Data: map[string]any{
		"T": t, "Fieldsets": sets, "Members": f.checks("agent_ids", "Members", "", agents),
		"Errors": summary(sets, f.Errs), "CanWrite": authz.Can(actor, authz.TeamWrite),
	}})
}

// UpdateTeam saves a team's settings and members.
func (u *UI) UpdateTeam(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	t, err := u.getTeam(r)
	if err != nil {
		return err
	}
	f, err := readForm(r)
	if err != nil {
		return err
	}
	members, ok := f.ids("agent_ids")
	if !ok {
		return u.teamPage(w, r, http.StatusBadRequest, t, f, "", "")
	}
	name, desc := f.v("name"), f.v("description")
	if _, err := u.Agents.UpdateTeam(ctx, httpx.Actor(ctx), t.ID, agentsvc.TeamPatch{Name: &name, Description: &desc, AgentIDs: &members}); err != nil {
		st, msg, ok := refused(err, f)
		if !ok {
			return err
		}
		return u.teamPage(w, r, st, t, f, "", msg)
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/teams/%d?saved=1", t.ID), http.StatusSeeOther)
	return nil
}

// DeleteTeam removes a team without tickets.
func (u *UI) DeleteTeam(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	t, err := u.getTeam(r)
	if err != nil {
		return err
	}
	if err := u.Agents.DeleteTeam(ctx, httpx.Actor(ctx), t.ID); err != nil {
		e, ok := refusal(err)
		if !ok {
			return err
		}
		return u.teamPage(w, r, httpx.Status(e.Code), t, teamForm(t), "", u.tr(r, "The team was not deleted: %s.", e.Message))
	}
	http.Redirect(w, r, "/admin/teams?deleted=1", http.StatusSeeOther)
	return nil
}
