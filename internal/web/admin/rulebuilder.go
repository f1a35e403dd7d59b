package admin

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/httpx"
)

// The rule builder: trigger, automation and macro editors made of form
// controls instead of JSON. A rule is posted as indexed fields, one row per
// condition or action:
//
//	all[0].row=1 all[0].field=subject all[0].op=contains all[0].value=refund
//	any[0].row=1 any[0].field=priority any[0].op=in any[0].value=high any[0].value=urgent
//	all[1].row=1 all[1].group={"any":[…]}      (a nested group, kept as it is)
//	act[0].row=1 act[0].type=set_team act[0].team=3
//
// Buttons named add (all, any, act), remove (a row's prefix), refresh and
// preview post the same form and come back with the form re-rendered, so
// the editor works without JavaScript; static/rules.js does the same in
// place. Rows keep their posted prefix, so a refusal lands on its row.

// builder holds what the controls offer: teams, agents, tag suggestions,
// custom fields, in the page's language.
type builder struct {
	lang   string
	tr     func(string, ...any) string
	kind   string // trigger, automation or macro
	teams  []option
	agents []option
	tags   []string
	custom map[string]ticket.Field
	fields []automation.FieldInfo
	admin  bool // may see and enter webhook URLs
}

func (u *UI) newBuilder(r *http.Request, kind string) (*builder, error) {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	lang := u.lang(r)
	b := &builder{lang: lang, kind: kind, admin: authz.Can(actor, authz.SecretReveal), custom: map[string]ticket.Field{},
		tr: func(k string, a ...any) string { return u.i18n.T(lang, k, a...) }}
	teams, err := u.teams(ctx, actor)
	if err != nil {
		return nil, err
	}
	b.teams = teamChoices(teams)
	if b.agents, _, err = u.agentChoices(ctx, actor); err != nil {
		return nil, err
	}
	tags, err := u.Tickets.Tags(ctx, actor, "", 200)
	if err != nil {
		return nil, err
	}
	for _, t := range tags {
		b.tags = append(b.tags, t.Name)
	}
	defs, err := u.Tickets.ListFields(ctx, actor)
	if err != nil {
		return nil, err
	}
	if kind != "macro" {
		b.fields = automation.ConditionFields(automation.Kind(kind))
		for _, d := range defs {
			b.custom[d.Key] = d
			b.fields = append(b.fields, automation.CustomFieldInfo(d.Key, automation.Kind(kind)))
		}
	}
	return b, nil
}

// Labels of fields, operators, values and action types: English keys of
// the "rules" i18n part.
var (
	fieldLabels = map[string]string{
		"event": "Change", "status": "Status", "priority": "Priority", "type": "Type", "channel": "Channel",
		"team_id": "Team", "assignee_id": "Assignee", "requester_id": "Requester (customer number)",
		"organization_id": "Organization (number)", "requester.organization_id": "Requester's organization (number)",
		"language": "Language", "tags": "Tags", "subject": "Subject", "comment.public": "Comment is public",
		"comment.author_type": "Comment written by", "comment.body": "Comment text", "requester.email": "Requester's email",
		"within_business_hours": "Within business hours", "hours_since_created": "Hours since created",
		"hours_since_updated": "Hours since updated", "hours_since_solved": "Hours since solved",
		"hours_since_status_change": "Hours since the status changed", "csat": "Satisfaction rating given",
		"csat.score": "Satisfaction score given (1–5)",
	}
	opLabels = map[string]string{
		"is": "is", "is_not": "is not", "in": "is one of", "not_in": "is none of", "lt": "is less than", "gt": "is more than",
		"contains": "contains", "not_contains": "does not contain", "present": "is set", "absent": "is not set",
		"includes": "include one of", "excludes": "include none of", "changed": "changed", "changed_to": "changed to",
		"changed_from": "changed from",
	}
	eventLabels = map[string]string{
		"created": "Ticket created", "comment_added": "Comment added", "status_changed": "Status changed",
		"priority_changed": "Priority changed", "type_changed": "Type changed", "assignee_changed": "Assignee changed",
		"team_changed": "Team changed", "tags_changed": "Tags changed", "subject_changed": "Subject changed",
		"requester_changed": "Requester changed", "language_changed": "Language changed", "followers_changed": "Followers changed",
		"field_changed": "Custom field changed", "merged": "Merged into another ticket", "merge_received": "Another ticket merged in",
		"csat_requested": "Satisfaction survey sent", "csat_rated": "Satisfaction rating given", "csat_commented": "Satisfaction comment changed",
	}
	authorLabels = map[string]string{"agent": "An agent", "customer": "The customer", "system": "Ombud (a rule)"}
	actionLabels = map[string]string{
		"set_status": "Set status", "set_priority": "Set priority", "set_type": "Set type", "set_team": "Set team",
		"set_assignee": "Set assignee", "add_tags": "Add tags", "remove_tags": "Remove tags", "add_follower": "Add follower",
		"add_note": "Add an internal note", "send_reply": "Send a public reply", "notify": "Send an email",
		"webhook": "Call a webhook", "slack": "Post to Slack or Teams",
	}
	notifyLabels = []option{{Value: "requester", Label: "The requester"}, {Value: "assignee", Label: "The assignee"},
		{Value: "followers", Label: "The followers"}, {Value: "address", Label: "An email address"}}
)

var rowKey = regexp.MustCompile(`^(all|any|act)\[(\d{1,3})\]\.row$`)

// rowPrefixes lists the rows of a section present in the form, in order.
func rowPrefixes(f form, section string) []string {
	var idx []int
	for k := range f.Values {
		if m := rowKey.FindStringSubmatch(k); m != nil && m[1] == section {
			n, _ := strconv.Atoi(m[2])
			idx = append(idx, n)
		}
	}
	sort.Ints(idx)
	out := make([]string, len(idx))
	for i, n := range idx {
		out[i] = fmt.Sprintf("%s[%d]", section, n)
	}
	return out
}

// addRow adds an empty row to a section, after its last.
func addRow(f form, section string) {
	next := 0
	for _, p := range rowPrefixes(f, section) {
		n, _ := strconv.Atoi(p[len(section)+1 : len(p)-1])
		next = max(next, n+1)
	}
	f.Values[fmt.Sprintf("%s[%d].row", section, next)] = "1"
}

// removeRow drops a row's fields from the form.
func removeRow(f form, prefix string) {
	for k := range f.Values {
		if strings.HasPrefix(k, prefix+".") {
			delete(f.Values, k)
			delete(f.Multi, k)
		}
	}
}

// editButtons handles the add, remove and refresh buttons; true when one
// was pressed (the form is then shown again, not saved).
func editButtons(r *http.Request, f form) bool {
	if s := r.PostFormValue("add"); s == "all" || s == "any" || s == "act" {
		addRow(f, s)
		return true
	}
	if p := r.PostFormValue("remove"); p != "" {
		if m := regexp.MustCompile(`^(all|any|act)\[\d{1,3}\]$`).FindString(p); m != "" {
			removeRow(f, m)
		}
		return true
	}
	return r.PostFormValue("refresh") != ""
}

// ---- Rules into the form ----

// conditionsForm writes a stored condition tree into the form's rows.
func conditionsForm(f form, c automation.Conditions) {
	for _, sec := range []struct {
		name string
		list []automation.Condition
	}{{"all", c.All}, {"any", c.Any}} {
		for i, cd := range sec.list {
			p := fmt.Sprintf("%s[%d]", sec.name, i)
			f.Values[p+".row"] = "1"
			if len(cd.All) > 0 || len(cd.Any) > 0 {
				b, _ := json.Marshal(automation.Conditions{All: cd.All, Any: cd.Any})
				f.Values[p+".group"] = string(b)
				continue
			}
			f.Values[p+".field"], f.Values[p+".op"] = cd.Field, cd.Op
			setValue(f, p+".value", cd.Value, cd.Field == "tags")
		}
	}
}

// setValue puts a JSON value into the form: lists as several values (or, for
// tags and free text, one comma-separated text).
func setValue(f form, name string, v any, joined bool) {
	if v == nil {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	var x any
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	if dec.Decode(&x) != nil {
		return
	}
	scalar := func(x any) string {
		switch s := x.(type) {
		case string:
			return s
		case nil:
			return ""
		}
		return fmt.Sprint(x)
	}
	if l, ok := x.([]any); ok {
		vals := make([]string, len(l))
		for i, e := range l {
			vals[i] = scalar(e)
		}
		f.Multi[name] = vals
		f.Values[name] = strings.Join(vals, ", ")
		if !joined && len(vals) > 0 {
			f.Values[name] = vals[0]
		}
		return
	}
	f.Values[name] = scalar(x)
	f.Multi[name] = []string{scalar(x)}
}

// actionsForm writes stored actions into the form's rows.
func actionsForm(f form, acts []automation.Action) {
	for i, a := range acts {
		p := fmt.Sprintf("act[%d]", i)
		f.Values[p+".row"] = "1"
		f.Values[p+".type"] = a.Type
		var s string
		if v, ok := a.Value.(string); ok {
			s = v
		} else if a.Value != nil {
			b, _ := json.Marshal(a.Value)
			var x any
			dec := json.NewDecoder(strings.NewReader(string(b)))
			dec.UseNumber()
			_ = dec.Decode(&x)
			switch y := x.(type) {
			case string:
				s = y
			case json.Number:
				s = y.String()
			case []any:
				parts := make([]string, 0, len(y))
				for _, e := range y {
					parts = append(parts, fmt.Sprint(e))
				}
				s = strings.Join(parts, ", ")
			}
		}
		switch a.Type {
		case "set_status":
			f.Values[p+".status"] = s
		case "set_priority":
			f.Values[p+".priority"] = s
		case "set_type":
			f.Values[p+".ttype"] = s
		case "set_team":
			f.Values[p+".team"] = s
		case "set_assignee", "add_follower":
			f.Values[p+".agent"] = s
		case "add_tags", "remove_tags":
			f.Values[p+".tags"] = s
		case "notify":
			if s == "assignee" || s == "followers" || s == "requester" {
				f.Values[p+".to"] = s
			} else {
				f.Values[p+".to"], f.Values[p+".address"] = "address", s
			}
		}
		f.Values[p+".subject"], f.Values[p+".body"], f.Values[p+".url"] = a.Subject, a.Body, a.URL
		for lang, t := range a.Texts {
			f.Values[p+".texts."+lang+".subject"] = t.Subject
			f.Values[p+".texts."+lang+".body"] = t.Body
		}
	}
}
