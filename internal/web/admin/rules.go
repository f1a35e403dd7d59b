package admin

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	agentsvc "github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/web/httpx"
)

// This file holds the pages where managers define the business rules:
// business-hours calendars, SLA policies, triggers and automations, team
// routing and macros. Form fields are named after the service's field
// paths (schedule.mon[0].start, targets.high.first_reply), so a refusal's
// messages land next to the control that caused them. The services check
// every permission; the route table checks them again before a body is read.

// refusedInto puts a service refusal's field messages into f.Errs under the
// name key returns (its second result prefixes the message, such as the
// path inside a JSON text). Keys that name no field become the page's
// message. ok is false for errors the error page handles.
func refusedInto(err error, f form, key func(string) (string, string)) (status int, msg string, ok bool) {
	e, ok := refusal(err)
	if !ok {
		if apperr.CodeOf(err) != apperr.CodeForbidden {
			return 0, "", false
		}
		e = apperr.As(err)
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var msgs []string
	for _, k := range keys {
		m := e.Fields[k]
		name, prefix := key(k)
		if name == "" {
			if k != "" && k != "body" {
				m = k + ": " + m
			}
			msgs = append(msgs, m)
			continue
		}
		m = prefix + m
		if f.Errs[name] != "" {
			m = f.Errs[name] + "; " + m
		}
		f.Errs[name] = m
	}
	if len(e.Fields) == 0 {
		msgs = append(msgs, e.Message)
	}
	return httpx.Status(e.Code), strings.Join(msgs, "; "), true
}

// capital upper-cases the first letter of a label.
func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// moveID returns ids with id moved one place up or down.
func moveID(ids []int64, id int64, dir string) ([]int64, error) {
	i := slices.Index(ids, id)
	if i < 0 {
		return nil, apperr.NotFound("rule", id)
	}
	j := i - 1
	switch dir {
	case "up":
	case "down":
		j = i + 1
	default:
		return nil, apperr.InvalidField("direction", "must be up or down")
	}
	if j >= 0 && j < len(ids) {
		ids[i], ids[j] = ids[j], ids[i]
	}
	return ids, nil
}

func teamOptions(teams []agentsvc.Team, none string) []option {
	out := []option{{Value: "", Label: none}}
	return append(out, teamChoices(teams)...)
}

// ---- Business calendars ----

// ruleKind describes the pages of one kind of rule.
type ruleKind struct {
	Kind          automation.Kind
	Base, Title   string // /admin/triggers, Triggers
	One           string // trigger
	A             string // "a trigger", "an automation"
	Ordered       bool
	Conditions    string // example conditions
	Actions       string // example actions
	Runs          string // API path prefix of the runs log
	Intro         string
	ConditionsRef []option // field → operators
	// Whole phrases for the pages, so each language can inflect the noun.
	Single, New, Add, AddA, Save, Delete, DeleteThis, Empty string
}

var conditionRef = []option{
	{Value: "status", Label: "is, is_not, in, not_in, lt, gt, changed, changed_to, changed_from — new, open, pending, on_hold, solved, closed"},
	{Value: "priority", Label: "is, is_not, in, not_in, lt, gt, changed, changed_to, changed_from — low, normal, high, urgent"},
	{Value: "type", Label: "is, is_not, in, not_in, changed… — question, incident, problem, task, complaint, return"},
	{Value: "channel", Label: "is, is_not, in, not_in — email, chat, web, phone, social, api, in_person"},
	{Value: "team_id, assignee_id, requester_id, organization_id", Label: "is, is_not, in, not_in, present, absent (ids); changed… except organization_id"},
	{Value: "tags", Label: "includes, excludes, present, absent, changed"},
	{Value: "subject", Label: "is, is_not, contains, not_contains, present, absent, changed"},
	{Value: "language, requester.email", Label: "is, is_not, in, not_in, contains, not_contains, present, absent"},
	{Value: "within_business_hours", Label: "is, is_not — true or false"},
	{Value: "custom.<key>", Label: "is, is_not, in, not_in, contains, not_contains, present, absent, lt, gt, changed…"},
}

var triggerRef = append([]option{
	{Value: "event", Label: "is, is_not, in, not_in — created, comment_added, status_changed, priority_changed, assignee_changed, team_changed, tags_changed…"},
	{Value: "comment.public, comment.author_type, comment.body", Label: "the added comment: is/is_not true·false; agent, customer, system; contains…"},
}, conditionRef...)

var automationRef = append([]option{
	{Value: "hours_since_created, hours_since_updated, hours_since_solved, hours_since_status_change", Label: "lt, gt (a number of hours), present, absent — one is required"},
}, conditionRef...)

var (
	triggerKind = ruleKind{Kind: automation.KindTrigger, Base: "/admin/triggers", Title: "Triggers", One: "trigger", A: "a trigger", Ordered: true,
		Single: "Trigger", New: "New trigger", Add: "Add trigger", AddA: "Add a trigger", Save: "Save trigger",
		Delete: "Delete trigger", DeleteThis: "Delete this trigger", Empty: "No triggers yet.",
		Runs: "/api/v1/triggers/", Intro: "Triggers run after every ticket change, in this order; each fires at most once per change.",
		Conditions: `{
  "all": [
    {"field": "event", "op": "is", "value": "created"},
    {"field": "priority", "op": "is", "value": "urgent"}
  ]
}`,
		Actions: `[
  {"type": "add_tags", "value": ["urgent"]},
  {"type": "add_note", "body": "Urgent ticket from {{requester.name}}"}
]`, ConditionsRef: triggerRef}
	automationKind = ruleKind{Kind: automation.KindAutomation, Base: "/admin/automations", Title: "Automations", One: "automation", A: "an automation",
		Single: "Automation", New: "New automation", Add: "Add automation", AddA: "Add an automation", Save: "Save automation",
		Delete: "Delete automation", DeleteThis: "Delete this automation", Empty: "No automations yet.",
		Runs: "/api/v1/automations/", Intro: "Automations are checked every few minutes and fire once per ticket while their conditions hold.",
		Conditions: `{
  "all": [
    {"field": "status", "op": "is", "value": "pending"},
    {"field": "hours_since_status_change", "op": "gt", "value": 96}
  ]
}`,
		Actions: `[
  {"type": "set_status", "value": "solved"}
]`, ConditionsRef: automationRef}
)

func kindOf(k automation.Kind) ruleKind {
	if k == automation.KindAutomation {
		return automationKind
	}
	return triggerKind
}

// RuleList lists the triggers or automations.
func (u *UI) RuleList(kind automation.Kind) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		return u.ruleListPage(w, r, kindOf(kind), http.StatusOK, "")
	}
}

func (u *UI) ruleListPage(w http.ResponseWriter, r *http.Request, k ruleKind, status int, errMsg string) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	list, err := u.Automation.ListRules(ctx, actor, k.Kind)
	if err != nil {
		return err
	}
	type row struct {
		automation.Rule
		First, Last bool
	}
	rows := make([]row, 0, len(list.Data))
	for i, rl := range list.Data {
		rows = append(rows, row{Rule: rl, First: i == 0, Last: i == len(list.Data)-1})
	}
	return u.render(w, r, status, "rules", pageData{Title: k.Title, Nav: string(k.Kind) + "s", Error: errMsg,
		Flash: flashOf(r, map[string]string{"deleted": "Deleted.", "moved": "Order saved."}), Data: map[string]any{
			"K": k, "Rows": rows, "CanWrite": authz.Can(actor, authz.AutomationWrite)}})
}

// NewRulePage shows the rule form pre-filled with an example.
func (u *UI) NewRulePage(kind automation.Kind) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		k := kindOf(kind)
		f := newForm(map[string]string{"active": "on"})
		addRow(f, "all")
		addRow(f, "act")
		return u.rulePage(w, r, k, http.StatusOK, nil, f, "", "")
	}
}

func (u *UI) rulePage(w http.ResponseWriter, r *http.Request, k ruleKind, status int, rl *automation.Rule, f form, flash, errMsg string) error {
	return u.rulePageWith(w, r, k, status, rl, f, flash, errMsg, nil)
}

// rulePageWith is rulePage with more data for the template (the preview).
func (u *UI) rulePageWith(w http.ResponseWriter, r *http.Request, k ruleKind, status int, rl *automation.Rule, f form, flash, errMsg string, extra map[string]any) error {
	actor := httpx.Actor(r.Context())
	title := k.New
	if rl != nil {
		title = rl.Name
	}
	sets := []fieldset{{Legend: "Settings", Fields: []formField{
		f.field("name", "Name", "text", true, ""),
		f.field("description", "Description", "text", false, ""),
		f.field("active", "Active", "checkbox", false, ""),
	}}}
	data := map[string]any{"K": k, "R": rl, "F": f, "Fieldsets": sets, "CanWrite": authz.Can(actor, authz.AutomationWrite)}
	if err := u.builderData(r, string(k.Kind), f, data); err != nil {
		return err
	}
	for key, v := range extra {
		data[key] = v
	}
	data["Errors"] = append(summary(sets, nil), data["BuilderErrors"].([]fieldError)...)
	return u.render(w, r, status, "rule", pageData{Title: title, Nav: string(k.Kind) + "s", Flash: flash, Error: errMsg, Data: data})
}

// CreateRule adds a trigger or automation from the form.
func (u *UI) CreateRule(kind automation.Kind) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		k := kindOf(kind)
		f, err := readForm(r)
		if err != nil {
			return err
		}
		if done, err := u.ruleButtons(w, r, k, nil, f); done {
			return err
		}
		in, rs, err := u.ruleFromForm(r, k, f)
		if err != nil {
			return err
		}
		if !rs.ok {
			return u.rulePage(w, r, k, http.StatusBadRequest, nil, f, "", "")
		}
		rl, err := u.Automation.CreateRule(ctx, httpx.Actor(ctx), kind, in)
		if err != nil {
			st, msg, ok := rs.refused(err, f)
			if !ok {
				return err
			}
			return u.rulePage(w, r, k, st, nil, f, "", msg)
		}
		http.Redirect(w, r, fmt.Sprintf("%s/%d?saved=1", k.Base, rl.ID), http.StatusSeeOther)
		return nil
	}
}

func (u *UI) getRule(r *http.Request, k ruleKind) (automation.Rule, error) {
	id, err := httpx.PathID(r, "id", k.One)
	if err != nil {
		return automation.Rule{}, err
	}
	return u.Automation.GetRule(r.Context(), httpx.Actor(r.Context()), k.Kind, id)
}

// RulePage shows a rule's edit form.
func (u *UI) RulePage(kind automation.Kind) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		k := kindOf(kind)
		rl, err := u.getRule(r, k)
		if err != nil {
			return err
		}
		return u.rulePage(w, r, k, http.StatusOK, &rl, ruleToForm(rl), flashOf(r, map[string]string{"saved": "Saved."}), "")
	}
}

// UpdateRule saves a rule.
func (u *UI) UpdateRule(kind automation.Kind) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		k := kindOf(kind)
		rl, err := u.getRule(r, k)
		if err != nil {
			return err
		}
		f, err := readForm(r)
		if err != nil {
			return err
		}
		if done, err := u.ruleButtons(w, r, k, &rl, f); done {
			return err
		}
		in, rs, err := u.ruleFromForm(r, k, f)
		if err != nil {
			return err
		}
		if !rs.ok {
			return u.rulePage(w, r, k, http.StatusBadRequest, &rl, f, "", "")
		}
		p := automation.RulePatch{Name: &in.Name, Description: &in.Description, Active: in.Active, Conditions: &in.Conditions, Actions: &in.Actions}
		if _, err := u.Automation.UpdateRule(ctx, httpx.Actor(ctx), kind, rl.ID, p); err != nil {
			st, msg, ok := rs.refused(err, f)
			if !ok {
				return err
			}
			return u.rulePage(w, r, k, st, &rl, f, "", msg)
		}
		http.Redirect(w, r, fmt.Sprintf("%s/%d?saved=1", k.Base, rl.ID), http.StatusSeeOther)
		return nil
	}
}

// DeleteRule removes a rule with its run log.
func (u *UI) DeleteRule(kind automation.Kind) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		k := kindOf(kind)
		rl, err := u.getRule(r, k)
		if err != nil {
			return err
		}
		if err := u.Automation.DeleteRule(ctx, httpx.Actor(ctx), kind, rl.ID); err != nil {
			return err
		}
		http.Redirect(w, r, k.Base+"?deleted=1", http.StatusSeeOther)
		return nil
	}
}

// MoveTrigger moves a trigger one place up or down in the evaluation order.
func (u *UI) MoveTrigger(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	id, err := httpx.PathID(r, "id", "trigger")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	list, err := u.Automation.ListRules(ctx, actor, automation.KindTrigger)
	if err != nil {
		return err
	}
	ids := make([]int64, 0, len(list.Data))
	for _, rl := range list.Data {
		ids = append(ids, rl.ID)
	}
	if !slices.Contains(ids, id) {
		return apperr.NotFound("trigger", id)
	}
	if ids, err = moveID(ids, id, r.PostFormValue("direction")); err != nil {
		return err
	}
	if _, err := u.Automation.ReorderRules(ctx, actor, automation.KindTrigger, ids); err != nil {
		e, ok := refusal(err)
		if !ok {
			return err
		}
		return u.ruleListPage(w, r, triggerKind, httpx.Status(e.Code), u.tr(r, "The order was not saved: %s.", e.Message))
	}
	http.Redirect(w, r, "/admin/triggers?moved=1", http.StatusSeeOther)
	return nil
}

// ---- Routing ----
