package admin

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	agentsvc "github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/routing"
	"github.com/ombud/ombud/internal/web/httpx"
)

// Routing settings per team: the admin pages.

var methodOptions = []option{{Value: string(routing.Manual), Label: "Manual (agents pick tickets)"}, {Value: string(routing.RoundRobin), Label: "Round robin"},
	{Value: string(routing.LeastLoad), Label: "Least load"}, {Value: string(routing.Skills), Label: "Skills, then least load"}}

var offlineOptions = []option{{Value: routing.OfflineKeep, Label: "Keep their tickets"}, {Value: routing.OfflineReturn, Label: "Return their tickets to the queue"}}

func optionLabel(opts []option, v string) string {
	for _, o := range opts {
		if o.Value == v {
			return o.Label
		}
	}
	return v
}

func routingForm(s routing.Settings) form {
	f := newForm(map[string]string{"method": string(s.Method), "capacity": strconv.Itoa(s.Capacity), "offline_policy": s.OfflinePolicy,
		"escalate_after_minutes": strconv.Itoa(s.EscalateAfterMinutes)})
	if s.RequireAvailable {
		f.Values["require_available"] = "on"
	}
	if e := s.EscalateTo; e != nil {
		if e.AgentID != 0 {
			f.Values["escalate_to"] = fmt.Sprintf("agent:%d", e.AgentID)
		} else if e.TeamID != 0 {
			f.Values["escalate_to"] = fmt.Sprintf("team:%d", e.TeamID)
		}
	}
	return f
}

// RoutingTeams lists every team's routing settings.
func (u *UI) RoutingTeams(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	teams, err := u.teams(ctx, actor)
	if err != nil {
		return err
	}
	type row struct {
		Team     agentsvc.Team
		Method   string
		Capacity int
		Escalate string
	}
	rows := make([]row, 0, len(teams))
	for _, t := range teams {
		s, err := u.Routing.GetSettings(ctx, actor, t.ID)
		if err != nil {
			return err
		}
		esc := ""
		if s.EscalateAfterMinutes > 0 {
			esc = u.tr(r, "after %s minutes", strconv.Itoa(s.EscalateAfterMinutes))
		}
		rows = append(rows, row{Team: t, Method: u.i18n.String(u.lang(r), optionLabel(methodOptions, string(s.Method))), Capacity: s.Capacity, Escalate: esc})
	}
	return u.render(w, r, http.StatusOK, "routing", pageData{Title: "Routing", Nav: "routing", Data: map[string]any{"Rows": rows}})
}

func (u *UI) getRoutingTeam(r *http.Request) (agentsvc.Team, routing.Settings, error) {
	ctx := r.Context()
	id, err := httpx.PathID(r, "id", "team")
	if err != nil {
		return agentsvc.Team{}, routing.Settings{}, err
	}
	t, err := u.Agents.GetTeam(ctx, httpx.Actor(ctx), id)
	if err != nil {
		return agentsvc.Team{}, routing.Settings{}, err
	}
	s, err := u.Routing.GetSettings(ctx, httpx.Actor(ctx), id)
	return t, s, err
}

// RoutingTeamPage shows one team's routing form.
func (u *UI) RoutingTeamPage(w http.ResponseWriter, r *http.Request) error {
	t, s, err := u.getRoutingTeam(r)
	if err != nil {
		return err
	}
	return u.routingTeamPage(w, r, http.StatusOK, t, routingForm(s), flashOf(r, map[string]string{"saved": "Routing saved."}), "")
}

func (u *UI) routingTeamPage(w http.ResponseWriter, r *http.Request, status int, t agentsvc.Team, f form, flash, errMsg string) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	teams, err := u.teams(ctx, actor)
	if err != nil {
		return err
	}
	agents, _, err := u.agentChoices(ctx, actor)
	if err != nil {
		return err
	}
	esc := []option{{Value: "", Label: "Nobody (no escalation)"}}
	for _, a := range agents {
		esc = append(esc, option{Value: "agent:" + a.Value, Label: u.tr(r, "Agent: %s", a.Label)})
	}
	for _, o := range teams {
		if o.ID != t.ID {
			esc = append(esc, option{Value: fmt.Sprintf("team:%d", o.ID), Label: u.tr(r, "Team: %s", o.Name)})
		}
	}
	sets := []fieldset{
		{Legend: "Assignment", Fields: []formField{
			f.choice("method", "Method", methodOptions, "How new tickets of this team reach its agents."),
			f.field("capacity", "Capacity", "number", false, "Open tickets per agent before they get no more."),
			f.field("require_available", "Only available agents", "checkbox", false, "Assign only to agents who are online."),
			f.choice("offline_policy", "When an agent goes offline", offlineOptions, ""),
		}},
		{Legend: "Escalation", Hint: "Tickets waiting this long without a public agent reply go to the lead or team below.", Fields: []formField{
			f.field("escalate_after_minutes", "Escalate after (minutes)", "number", false, "0 never escalates."),
			f.choice("escalate_to", "Escalate to", esc, "An agent (assigned and following) or another team."),
		}},
	}
	sets[0].Fields[1].Min, sets[0].Fields[1].Max = "1", "10000"
	sets[1].Fields[0].Min, sets[1].Fields[0].Max = "0", strconv.Itoa(routing.MaxEscalateMinutes)
	return u.render(w, r, status, "routingteam", pageData{Title: u.tr(r, "Routing: %s", t.Name), Nav: "routing", Flash: flash, Error: errMsg, Data: map[string]any{
		"T": t, "Fieldsets": sets, "Errors": summary(sets, f.Errs), "CanWrite": authz.Can(actor, authz.AutomationWrite),
	}})
}

// SaveRouting replaces a team's routing settings; per-agent capacities set
// through the API stay.
func (u *UI) SaveRouting(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	t, cur, err := u.getRoutingTeam(r)
	if err != nil {
		return err
	}
	f, err := readForm(r)
	if err != nil {
		return err
	}
	ra := f.v("require_available") != ""
	in := routing.SettingsInput{Method: routing.Method(f.v("method")), RequireAvailable: &ra, OfflinePolicy: f.v("offline_policy"),
		AgentCapacities: cur.AgentCapacities}
	fe := apperr.FieldErrors{}
	if s := f.v("capacity"); s != "" {
		c := formInt(fe, "capacity", s)
		in.Capacity = &c
	}
	in.EscalateAfterMinutes = formInt(fe, "escalate_after_minutes", f.v("escalate_after_minutes"))
	if kind, id, ok := strings.Cut(f.v("escalate_to"), ":"); ok {
		n, err := strconv.ParseInt(id, 10, 64)
		switch {
		case err != nil:
			fe.Add("escalate_to", "must be chosen from the list")
		case kind == "agent":
			in.EscalateTo = &routing.EscalateTo{AgentID: n}
		case kind == "team":
			in.EscalateTo = &routing.EscalateTo{TeamID: n}
		default:
			fe.Add("escalate_to", "must be chosen from the list")
		}
	}
	if len(fe) > 0 {
		for k, m := range fe {
			f.Errs[k] = m
		}
		return u.routingTeamPage(w, r, http.StatusBadRequest, t, f, "", "")
	}
	if _, err := u.Routing.PutSettings(ctx, httpx.Actor(ctx), t.ID, in); err != nil {
		st, msg, ok := refusedInto(err, f, func(k string) (string, string) {
			if strings.HasPrefix(k, "escalate_to") {
				return "escalate_to", ""
			}
			if strings.HasPrefix(k, "agent_capacities") {
				return "", ""
			}
			return k, ""
		})
		if !ok {
			return err
		}
		return u.routingTeamPage(w, r, st, t, f, "", msg)
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/routing/%d?saved=1", t.ID), http.StatusSeeOther)
	return nil
}

// ---- Macros ----
