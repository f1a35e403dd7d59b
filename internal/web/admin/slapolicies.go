package admin

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/sla"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/httpx"
)

// SLA policies: the admin pages.

// slaMetricOptions name the SLA metrics in the targets table.
var slaMetricOptions = []option{{Value: sla.FirstReply, Label: "First reply"}, {Value: sla.NextReply, Label: "Next reply"},
	{Value: sla.PeriodicUpdate, Label: "Periodic update"}, {Value: sla.Resolution, Label: "Resolution"}}

// structured condition fields of the policy form.
var policyEnums = []string{"priority", "channel", "type"}

// decodeAs reads a JSON-decoded value into v.
func decodeAs(x any, v any) bool {
	b, err := json.Marshal(x)
	return err == nil && json.Unmarshal(b, v) == nil
}

// splitConditions separates the conditions the form shows from those it
// cannot (set through the API), which are kept as they are on save.
func splitConditions(f form, conds []sla.Condition) []sla.Condition {
	var extra []sla.Condition
	used := map[string]bool{}
	var tags []string
	for _, c := range conds {
		switch {
		case slices.Contains(policyEnums, c.Field) && !used[c.Field] && (c.Op == "in" || c.Op == "is"):
			var vs []string
			if c.Op == "is" {
				var s string
				if !decodeAs(c.Value, &s) {
					extra = append(extra, c)
					continue
				}
				vs = []string{s}
			} else if !decodeAs(c.Value, &vs) {
				extra = append(extra, c)
				continue
			}
			used[c.Field] = true
			f.Multi[c.Field] = vs
		case c.Field == "team_id" && c.Op == "is" && !used["team_id"]:
			var id int64
			if !decodeAs(c.Value, &id) {
				extra = append(extra, c)
				continue
			}
			used["team_id"] = true
			f.Values["team_id"] = strconv.FormatInt(id, 10)
		case c.Field == "tag" && c.Op == "includes":
			var s string
			if !decodeAs(c.Value, &s) {
				extra = append(extra, c)
				continue
			}
			tags = append(tags, s)
		default:
			extra = append(extra, c)
		}
	}
	f.Values["tags"] = strings.Join(tags, ", ")
	return extra
}

func policyForm(p sla.Policy) (form, []sla.Condition) {
	f := newForm(map[string]string{"name": p.Name, "description": p.Description})
	if p.Active {
		f.Values["active"] = "on"
	}
	extra := splitConditions(f, p.Conditions)
	for prio, t := range p.Targets {
		base := "targets." + prio + "."
		f.Values[base+sla.FirstReply], f.Values[base+sla.NextReply] = t.FirstReply, t.NextReply
		f.Values[base+sla.PeriodicUpdate], f.Values[base+sla.Resolution] = t.PeriodicUpdate, t.Resolution
		if t.BusinessHours {
			f.Values[base+"business_hours"] = "on"
		}
		if t.CalendarID != nil {
			f.Values[base+"calendar_id"] = strconv.FormatInt(*t.CalendarID, 10)
		}
	}
	return f, extra
}

// policyInput turns the form into conditions and targets; extra are the
// stored conditions the form does not show.
func policyInput(f form, extra []sla.Condition) (sla.PolicyInput, func(string) (string, string)) {
	active := f.v("active") != ""
	in := sla.PolicyInput{Name: f.v("name"), Description: f.v("description"), Active: &active, Conditions: []sla.Condition{}, Targets: map[string]sla.Target{}}
	var condField []string
	for _, field := range policyEnums {
		if vs := f.Multi[field]; len(vs) > 0 {
			in.Conditions = append(in.Conditions, sla.Condition{Field: field, Op: "in", Value: vs})
			condField = append(condField, field)
		}
	}
	if s := f.v("team_id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			id = -1 // the service says it must be a positive id
		}
		in.Conditions = append(in.Conditions, sla.Condition{Field: "team_id", Op: "is", Value: id})
		condField = append(condField, "team_id")
	}
	for _, t := range splitList(f.v("tags")) {
		in.Conditions = append(in.Conditions, sla.Condition{Field: "tag", Op: "includes", Value: t})
		condField = append(condField, "tags")
	}
	in.Conditions = append(in.Conditions, extra...)
	for _, prio := range ticket.Priorities {
		base := "targets." + prio + "."
		t := sla.Target{FirstReply: f.v(base + sla.FirstReply), NextReply: f.v(base + sla.NextReply),
			PeriodicUpdate: f.v(base + sla.PeriodicUpdate), Resolution: f.v(base + sla.Resolution), BusinessHours: f.v(base+"business_hours") != ""}
		if t.BusinessHours {
			if id, err := strconv.ParseInt(f.v(base+"calendar_id"), 10, 64); err == nil {
				t.CalendarID = &id
			}
		}
		if t.FirstReply != "" || t.NextReply != "" || t.PeriodicUpdate != "" || t.Resolution != "" || t.BusinessHours {
			in.Targets[prio] = t
		}
	}
	key := func(k string) (string, string) {
		if m := condRE.FindStringSubmatch(k); m != nil {
			i, _ := strconv.Atoi(m[1])
			if i < len(condField) {
				return condField[i], ""
			}
			return "", ""
		}
		return k, ""
	}
	return in, key
}

// targetRow is one priority's row of the targets table.
type targetRow struct {
	Priority, Label, Error string
	Cells                  []formField
	BusinessHours          formField
	Calendar               formField
}

func (u *UI) targetRows(lang string, f form, cals []sla.BusinessCalendar) []targetRow {
	var out []targetRow
	for _, prio := range ticket.Priorities {
		base := "targets." + prio + "."
		row := targetRow{Priority: prio, Label: label(prio), Error: f.Errs["targets."+prio]}
		for _, m := range slaMetricOptions {
			c := f.field(base+m.Value, u.i18n.String(lang, m.Label)+" ("+u.labelIn(lang, prio)+")", "text", false, "")
			row.Cells = append(row.Cells, c)
		}
		row.BusinessHours = f.field(base+"business_hours", "Business hours", "checkbox", false, "")
		opts := []option{{Value: "", Label: "Choose a calendar"}}
		for _, c := range cals {
			opts = append(opts, option{Value: strconv.FormatInt(c.ID, 10), Label: c.Name})
		}
		row.Calendar = f.choice(base+"calendar_id", u.i18n.String(lang, "Calendar")+" ("+u.labelIn(lang, prio)+")", opts, "")
		out = append(out, row)
	}
	return out
}

func enumChoices(values []string) []option {
	out := []option{}
	for _, v := range values {
		out = append(out, option{Value: v, Label: label(v)})
	}
	return out
}

// SLAPolicies lists the policies in the order they are tried.
func (u *UI) SLAPolicies(w http.ResponseWriter, r *http.Request) error {
	return u.slaPoliciesPage(w, r, http.StatusOK, "")
}

func (u *UI) slaPoliciesPage(w http.ResponseWriter, r *http.Request, status int, errMsg string) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	list, err := u.SLA.ListPolicies(ctx, actor)
	if err != nil {
		return err
	}
	type row struct {
		sla.Policy
		First, Last bool
		Targets     string
	}
	lang := u.lang(r)
	rows := make([]row, 0, len(list))
	for i, p := range list {
		var ts []string
		for _, prio := range ticket.Priorities {
			if t, ok := p.Targets[prio]; ok {
				s := u.labelIn(lang, prio) + ":"
				if t.FirstReply != "" {
					s += " " + u.i18n.T(lang, "first reply %s", t.FirstReply)
				}
				if t.Resolution != "" {
					s += " " + u.i18n.T(lang, "resolution %s", t.Resolution)
				}
				ts = append(ts, s)
			}
		}
		rows = append(rows, row{Policy: p, First: i == 0, Last: i == len(list)-1, Targets: strings.Join(ts, "; ")})
	}
	return u.render(w, r, status, "slapolicies", pageData{Title: "SLA policies", Nav: "slapolicies", Error: errMsg,
		Flash: flashOf(r, map[string]string{"deleted": "Policy deleted.", "moved": "Order saved."}), Data: map[string]any{
			"Rows": rows, "CanWrite": authz.Can(actor, authz.SLAWrite)}})
}

// NewSLAPolicyPage shows the empty policy form.
func (u *UI) NewSLAPolicyPage(w http.ResponseWriter, r *http.Request) error {
	f := newForm(map[string]string{"active": "on"})
	return u.slaPolicyPage(w, r, http.StatusOK, nil, f, nil, "", "")
}

func (u *UI) slaPolicyPage(w http.ResponseWriter, r *http.Request, status int, p *sla.Policy, f form, extra []sla.Condition, flash, errMsg string) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	cals, err := u.SLA.ListCalendars(ctx, actor)
	if err != nil {
		return err
	}
	teams, err := u.teams(ctx, actor)
	if err != nil {
		return err
	}
	title := "New SLA policy"
	if p != nil {
		title = p.Name
	}
	sets := []fieldset{{Legend: "Policy", Fields: []formField{
		f.field("name", "Name", "text", true, ""),
		f.field("description", "Description", "text", false, ""),
		f.field("active", "Active", "checkbox", false, "Inactive policies are skipped."),
	}}}
	cond := []fieldset{{Legend: "Applies to tickets with", Hint: "Leave a group empty to match any value. Every filled-in group must match.", Fields: []formField{
		f.choice("team_id", "Team", teamOptions(teams, "Any team"), ""),
		f.field("tags", "Tags", "text", false, "The ticket must have every tag, separated by commas."),
	}}}
	var extraText []string
	for _, c := range extra {
		b, _ := json.Marshal(c)
		extraText = append(extraText, string(b))
	}
	var errs []fieldError
	for _, s := range [][]fieldset{sets, cond} {
		errs = append(errs, summary(s, nil)...)
	}
	for _, k := range append(policyEnums, "conditions", "targets") {
		if m := f.Errs[k]; m != "" {
			errs = append(errs, fieldError{Label: capital(label(k)), Message: m})
		}
	}
	keys := make([]string, 0, len(f.Errs))
	for k := range f.Errs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, prio := range ticket.Priorities {
		for _, k := range keys {
			if k == "targets."+prio || strings.HasPrefix(k, "targets."+prio+".") {
				name := k
				if k == "targets."+prio {
					name = k + "." + sla.FirstReply // the row's first control
				}
				errs = append(errs, fieldError{Name: name, Label: strings.TrimSpace(label(prio) + " " + label(strings.TrimPrefix(strings.TrimPrefix(k, "targets."+prio), "."))), Message: f.Errs[k]})
			}
		}
	}
	return u.render(w, r, status, "slapolicy", pageData{Title: title, Nav: "slapolicies", Flash: flash, Error: errMsg, Data: map[string]any{
		"P": p, "Fieldsets": sets, "Conditions": cond, "Extra": extraText, "Errors": errs, "Errs": f.Errs,
		"Priorities": f.checks("priority", "Priority", "", enumChoices(ticket.Priorities)),
		"Channels":   f.checks("channel", "Channel", "", enumChoices(ticket.Channels)),
		"Types":      f.checks("type", "Type", "", enumChoices(ticket.Types)),
		"Targets":    u.targetRows(u.lang(r), f, cals), "Metrics": slaMetricOptions, "HasCalendars": len(cals) > 0,
		"CanWrite": authz.Can(actor, authz.SLAWrite),
	}})
}

// CreateSLAPolicy adds a policy; it is tried last.
func (u *UI) CreateSLAPolicy(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f, err := readForm(r)
	if err != nil {
		return err
	}
	in, key := policyInput(f, nil)
	p, err := u.SLA.CreatePolicy(ctx, httpx.Actor(ctx), in)
	if err != nil {
		st, msg, ok := refusedInto(err, f, key)
		if !ok {
			return err
		}
		return u.slaPolicyPage(w, r, st, nil, f, nil, "", msg)
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/sla-policies/%d?saved=1", p.ID), http.StatusSeeOther)
	return nil
}

func (u *UI) getPolicy(r *http.Request) (sla.Policy, error) {
	id, err := httpx.PathID(r, "id", "SLA policy")
	if err != nil {
		return sla.Policy{}, err
	}
	return u.SLA.GetPolicy(r.Context(), httpx.Actor(r.Context()), id)
}

// SLAPolicyPage shows a policy's edit form.
func (u *UI) SLAPolicyPage(w http.ResponseWriter, r *http.Request) error {
	p, err := u.getPolicy(r)
	if err != nil {
		return err
	}
	f, extra := policyForm(p)
	return u.slaPolicyPage(w, r, http.StatusOK, &p, f, extra, flashOf(r, map[string]string{"saved": "Policy saved."}), "")
}

// UpdateSLAPolicy saves a policy; conditions the form does not show stay.
func (u *UI) UpdateSLAPolicy(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, err := u.getPolicy(r)
	if err != nil {
		return err
	}
	f, err := readForm(r)
	if err != nil {
		return err
	}
	extra := splitConditions(newForm(nil), p.Conditions)
	in, key := policyInput(f, extra)
	pt := sla.PolicyPatch{Name: &in.Name, Description: &in.Description, Active: in.Active, Conditions: &in.Conditions, Targets: &in.Targets}
	if _, err := u.SLA.UpdatePolicy(ctx, httpx.Actor(ctx), p.ID, pt); err != nil {
		st, msg, ok := refusedInto(err, f, key)
		if !ok {
			return err
		}
		return u.slaPolicyPage(w, r, st, &p, f, extra, "", msg)
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/sla-policies/%d?saved=1", p.ID), http.StatusSeeOther)
	return nil
}

// DeleteSLAPolicy removes a policy.
func (u *UI) DeleteSLAPolicy(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, err := u.getPolicy(r)
	if err != nil {
		return err
	}
	if err := u.SLA.DeletePolicy(ctx, httpx.Actor(ctx), p.ID); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/sla-policies?deleted=1", http.StatusSeeOther)
	return nil
}

// MoveSLAPolicy moves a policy one place up or down in the order.
func (u *UI) MoveSLAPolicy(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	id, err := httpx.PathID(r, "id", "SLA policy")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	list, err := u.SLA.ListPolicies(ctx, actor)
	if err != nil {
		return err
	}
	ids := make([]int64, 0, len(list))
	for _, p := range list {
		ids = append(ids, p.ID)
	}
	if !slices.Contains(ids, id) {
		return apperr.NotFound("SLA policy", id)
	}
	if ids, err = moveID(ids, id, r.PostFormValue("direction")); err != nil {
		return err
	}
	if _, err := u.SLA.ReorderPolicies(ctx, actor, sla.ReorderInput{IDs: ids}); err != nil {
		e, ok := refusal(err)
		if !ok {
			return err
		}
		return u.slaPoliciesPage(w, r, httpx.Status(e.Code), u.tr(r, "The order was not saved: %s.", e.Message))
	}
	http.Redirect(w, r, "/admin/sla-policies?moved=1", http.StatusSeeOther)
	return nil
}

// ---- Triggers and automations ----
