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
	"github.com/ombud/ombud/internal/ticket"
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
	if r.URL.Query().Get("saved") != "" {
		flash = "Agent saved."
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
	return u.render(w, r, status, "agentedit", pageData{Title: a.Name, Nav: "agents", Flash: flash, Error: errMsg, Data: map[string]any{
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

func fieldTypeOptions() []option {
	out := []option{}
	for _, t := range ticket.FieldTypes {
		out = append(out, option{Value: t, Label: strings.ToUpper(t[:1]) + t[1:]})
	}
	return out
}

// FieldList lists the custom ticket fields, with the form to define one.
func (u *UI) FieldList(w http.ResponseWriter, r *http.Request) error {
	return u.fieldsPage(w, r, http.StatusOK, newForm(map[string]string{"type": "text", "position": "0"}), "")
}

func (u *UI) fieldsPage(w http.ResponseWriter, r *http.Request, status int, f form, errMsg string) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	list, err := u.Tickets.ListFields(ctx, actor)
	if err != nil {
		return err
	}
	sets := []fieldset{{Legend: "New field", Fields: []formField{
		f.field("key", "Key", "text", true, "Used in the API and search: a-z, 0-9 and _, starting with a letter. It cannot change later."),
		f.field("label", "Label", "text", true, "What agents see."),
		f.choice("type", "Type", fieldTypeOptions(), "It cannot change later."),
		f.field("position", "Position", "number", false, "Fields are shown in this order."),
		f.field("description", "Description", "text", false, ""),
		f.field("required", "Required to solve a ticket", "checkbox", false, ""),
	}}}
	return u.render(w, r, status, "fields", pageData{Title: "Ticket fields", Nav: "fields", Error: errMsg, Data: map[string]any{
		"Rows": list, "Fieldsets": sets, "Form": f, "Errors": summary(sets, f.Errs), "CanWrite": authz.Can(actor, authz.CustomFieldWrite),
	}})
}

func formPosition(f form) (int, bool) {
	if f.v("position") == "" {
		return 0, true
	}
	n, err := strconv.Atoi(f.v("position"))
	if err != nil {
		f.Errs["position"] = "must be a whole number"
		return 0, false
	}
	return n, true
}

// CreateField defines a custom field from the list page's form.
func (u *UI) CreateField(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f, err := readForm(r)
	if err != nil {
		return err
	}
	pos, ok := formPosition(f)
	if !ok {
		return u.fieldsPage(w, r, http.StatusBadRequest, f, "")
	}
	in := ticket.FieldInput{Key: f.v("key"), Label: f.v("label"), Type: f.v("type"), Options: splitLines(f.Values["options"]),
		Required: f.v("required") != "", Position: pos, Description: f.v("description")}
	fd, err := u.Tickets.CreateField(ctx, httpx.Actor(ctx), in)
	if err != nil {
		st, msg, ok := refused(err, f)
		if !ok {
			return err
		}
		return u.fieldsPage(w, r, st, f, msg)
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/fields/%d?saved=1", fd.ID), http.StatusSeeOther)
	return nil
}

func (u *UI) getField(r *http.Request) (ticket.Field, error) {
	id, err := httpx.PathID(r, "id", "custom field")
	if err != nil {
		return ticket.Field{}, err
	}
	return u.Tickets.GetField(r.Context(), httpx.Actor(r.Context()), id)
}

func fieldForm(fd ticket.Field) form {
	f := newForm(map[string]string{"label": fd.Label, "options": strings.Join(fd.Options, "\n"), "position": strconv.Itoa(fd.Position),
		"description": fd.Description, "active": "no"})
	if fd.Required {
		f.Values["required"] = "on"
	}
	if fd.Active {
		f.Values["active"] = "yes"
	}
	return f
}

// FieldPage shows one custom field's settings.
func (u *UI) FieldPage(w http.ResponseWriter, r *http.Request) error {
	fd, err := u.getField(r)
	if err != nil {
		return err
	}
	flash := ""
	if r.URL.Query().Get("saved") != "" {
		flash = "Field saved."
	}
	return u.fieldPage(w, r, http.StatusOK, fd, fieldForm(fd), flash, "")
}

func (u *UI) fieldPage(w http.ResponseWriter, r *http.Request, status int, fd ticket.Field, f form, flash, errMsg string) error {
	actor := httpx.Actor(r.Context())
	sets := []fieldset{{Legend: "Settings", Fields: []formField{
		f.field("label", "Label", "text", true, ""),
		f.field("position", "Position", "number", false, ""),
		f.field("description", "Description", "text", false, ""),
		f.choice("active", "Status", []option{{Value: "yes", Label: "Active"}, {Value: "no", Label: "Deactivated"}},
			"A deactivated field is no longer offered; stored values stay in history."),
		f.field("required", "Required to solve a ticket", "checkbox", false, ""),
	}}}
	return u.render(w, r, status, "field", pageData{Title: fd.Label, Nav: "fields", Flash: flash, Error: errMsg, Data: map[string]any{
		"F": fd, "Fieldsets": sets, "Form": f, "Errors": summary(sets, f.Errs), "CanWrite": authz.Can(actor, authz.CustomFieldWrite),
	}})
}

// UpdateField saves a custom field's settings.
func (u *UI) UpdateField(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	fd, err := u.getField(r)
	if err != nil {
		return err
	}
	f, err := readForm(r)
	if err != nil {
		return err
	}
	pos, ok := formPosition(f)
	active := f.v("active") != "no"
	if v := f.v("active"); v != "" && v != "yes" && v != "no" {
		f.Errs["active"] = "must be Active or Deactivated"
		ok = false
	}
	if !ok {
		return u.fieldPage(w, r, http.StatusBadRequest, fd, f, "", "")
	}
	lbl, desc, req := f.v("label"), f.v("description"), f.v("required") != ""
	p := ticket.FieldPatch{Label: &lbl, Description: &desc, Required: &req, Position: &pos, Active: &active}
	if fd.Type == "dropdown" {
		opts := splitLines(f.Values["options"])
		p.Options = &opts
	}
	if _, err := u.Tickets.UpdateField(ctx, httpx.Actor(ctx), fd.ID, p); err != nil {
		st, msg, ok := refused(err, f)
		if !ok {
			return err
		}
		return u.fieldPage(w, r, st, fd, f, "", msg)
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/fields/%d?saved=1", fd.ID), http.StatusSeeOther)
	return nil
}

// DeactivateField turns a custom field off; stored values stay.
func (u *UI) DeactivateField(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	fd, err := u.getField(r)
	if err != nil {
		return err
	}
	if err := u.Tickets.DeleteField(ctx, httpx.Actor(ctx), fd.ID); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/fields/%d?saved=1", fd.ID), http.StatusSeeOther)
	return nil
}

// TagList lists the tags in use with how many tickets carry each.
func (u *UI) TagList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	tags, err := u.Tickets.Tags(ctx, httpx.Actor(ctx), q, 500)
	if err != nil {
		return err
	}
	return u.render(w, r, http.StatusOK, "tags", pageData{Title: "Tags", Nav: "tags", Data: map[string]any{
		"Tags": tags, "Prefix": q, "Full": len(tags) == 500,
	}})
}
