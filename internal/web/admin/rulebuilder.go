package admin

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/i18n"
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
		"hours_since_status_change": "Hours since the status changed",
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

// ---- The form into a rule ----

// rowErr files a message on a row's control in words: "Condition 2: choose a team".
func (b *builder) rowErr(f form, name, what string, n int, msg string) {
	m := b.tr("%s %d: %s", b.tr(what), n, b.tr(msg))
	if f.Errs[name] != "" {
		m = f.Errs[name] + "; " + m
	}
	f.Errs[name] = m
}

// readConditions turns the condition rows into a tree; false when a row is
// incomplete (its message is in f.Errs). paths maps the tree's paths
// (conditions.all[0]) to the rows' prefixes for the service's refusals.
func (b *builder) readConditions(f form) (automation.Conditions, map[string]string, bool) {
	var c automation.Conditions
	paths := map[string]string{}
	ok := true
	n := 0
	for _, sec := range []string{"all", "any"} {
		for _, p := range rowPrefixes(f, sec) {
			n++
			if g := f.v(p + ".group"); g != "" {
				var grp automation.Conditions
				if err := json.Unmarshal([]byte(g), &grp); err != nil {
					b.rowErr(f, p+".group", "Condition", n, "this group could not be read")
					ok = false
					continue
				}
				cd := automation.Condition{All: grp.All, Any: grp.Any}
				paths[fmt.Sprintf("conditions.%s[%d]", sec, count(c, sec))] = p + ".group"
				appendCond(&c, sec, cd)
				continue
			}
			field, op := f.v(p+".field"), f.v(p+".op")
			if field == "" && op == "" && f.v(p+".value") == "" {
				continue // an empty row added and left alone
			}
			fi, known := b.fieldInfo(field)
			switch {
			case field == "" || !known:
				b.rowErr(f, p+".field", "Condition", n, "choose what to check")
				ok = false
				continue
			case !slices.Contains(fi.Ops, op):
				b.rowErr(f, p+".op", "Condition", n, "choose how to compare")
				ok = false
				continue
			}
			cd := automation.Condition{Field: field, Op: op}
			if !automation.NoValue(op) {
				v, msg := b.conditionValue(f, p+".value", field, fi, op)
				if msg != "" {
					b.rowErr(f, p+".value", "Condition", n, msg)
					ok = false
					continue
				}
				cd.Value = v
			}
			paths[fmt.Sprintf("conditions.%s[%d]", sec, count(c, sec))] = p
			appendCond(&c, sec, cd)
		}
	}
	return c, paths, ok
}

func count(c automation.Conditions, sec string) int {
	if sec == "all" {
		return len(c.All)
	}
	return len(c.Any)
}

func appendCond(c *automation.Conditions, sec string, cd automation.Condition) {
	if sec == "all" {
		c.All = append(c.All, cd)
	} else {
		c.Any = append(c.Any, cd)
	}
}

func (b *builder) fieldInfo(name string) (automation.FieldInfo, bool) {
	for _, fi := range b.fields {
		if fi.Name == name {
			return fi, true
		}
	}
	return automation.FieldInfo{}, false
}

// control says which control a field's value needs: select, number, date,
// text or tags, with the options of a select.
func (b *builder) control(fi automation.FieldInfo, op string) (string, []option) {
	enum := func(vals []string, labels map[string]string) []option {
		out := make([]option, 0, len(vals))
		for _, v := range vals {
			l := label(v)
			if labels != nil {
				if x, ok := labels[v]; ok {
					l = x
				}
			}
			out = append(out, option{Value: v, Label: b.tr(l)})
		}
		return out
	}
	boolOpts := []option{{Value: "true", Label: b.tr("Yes")}, {Value: "false", Label: b.tr("No")}}
	switch fi.Value {
	case "enum":
		if fi.Name == "comment.author_type" {
			return "select", enum(fi.Options, authorLabels)
		}
		return "select", enum(fi.Options, nil)
	case "event":
		return "select", enum(fi.Options, eventLabels)
	case "bool":
		return "select", boolOpts
	case "hours":
		return "number", nil
	case "tags":
		return "tags", nil
	case "id":
		switch fi.Name {
		case "team_id":
			return "select", b.teams
		case "assignee_id":
			return "select", b.agents
		}
		return "number", nil
	case "custom":
		d := b.custom[strings.TrimPrefix(fi.Name, "custom.")]
		switch d.Type {
		case "dropdown":
			opts := make([]option, 0, len(d.Options))
			for _, o := range d.Options {
				opts = append(opts, option{Value: o, Label: o})
			}
			return "select", opts
		case "checkbox":
			return "select", boolOpts
		case "number":
			if op == "contains" || op == "not_contains" {
				return "text", nil
			}
			return "number", nil
		case "date":
			if op == "contains" || op == "not_contains" {
				return "text", nil
			}
			return "date", nil
		}
	}
	return "text", nil
}

// conditionValue reads a row's value for its field and operator; the
// message says what is missing, in words.
func (b *builder) conditionValue(f form, name, field string, fi automation.FieldInfo, op string) (json.RawMessage, string) {
	ctl, opts := b.control(fi, op)
	multi := automation.MultiValue(op)
	var raw []string
	if ctl == "select" && multi {
		raw = f.Multi[name]
	} else if multi || ctl == "tags" {
		for _, s := range strings.Split(f.v(name), ",") {
			if s = strings.TrimSpace(s); s != "" {
				raw = append(raw, s)
			}
		}
	} else if s := strings.TrimSpace(f.v(name)); s != "" {
		raw = []string{s}
	}
	if len(raw) == 0 {
		switch {
		case field == "team_id":
			return nil, "choose a team"
		case field == "assignee_id":
			return nil, "choose an agent"
		case ctl == "select":
			return nil, "choose a value"
		case ctl == "tags":
			return nil, "enter at least one tag"
		case ctl == "number":
			return nil, "enter a number"
		case ctl == "date":
			return nil, "choose a date"
		}
		return nil, "enter a value"
	}
	if ctl == "select" {
		for _, s := range raw {
			if !slices.ContainsFunc(opts, func(o option) bool { return o.Value == s }) {
				return nil, "choose a value from the list"
			}
		}
	}
	custom := b.custom[strings.TrimPrefix(field, "custom.")]
	vals := make([]any, 0, len(raw))
	for _, s := range raw {
		switch {
		case fi.Value == "bool" || (fi.Value == "custom" && custom.Type == "checkbox"):
			vals = append(vals, s == "true")
		case fi.Value == "id":
			id, err := strconv.ParseInt(s, 10, 64)
			if err != nil || id <= 0 {
				return nil, "enter a number"
			}
			vals = append(vals, id)
		case ctl == "number":
			x, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return nil, "enter a number"
			}
			vals = append(vals, json.Number(strconv.FormatFloat(x, 'f', -1, 64)))
		default:
			vals = append(vals, s)
		}
	}
	var v any = vals[0]
	if multi || (ctl == "tags" && len(vals) > 1) {
		v = vals
	}
	out, _ := json.Marshal(v)
	return out, ""
}

// readActions turns the action rows into actions; paths maps actions[i] to
// the rows' prefixes.
func (b *builder) readActions(f form) ([]automation.Action, map[string]string, bool) {
	acts := []automation.Action{}
	paths := map[string]string{}
	ok := true
	for n, p := range rowPrefixes(f, "act") {
		typ := f.v(p + ".type")
		if typ == "" {
			if f.v(p+".body") == "" {
				continue
			}
			b.rowErr(f, p+".type", "Action", n+1, "choose what to do")
			ok = false
			continue
		}
		if !slices.Contains(automation.ActionTypes(b.kind), typ) {
			b.rowErr(f, p+".type", "Action", n+1, "choose what to do")
			ok = false
			continue
		}
		a := automation.Action{Type: typ}
		str := func(name, msg string) bool {
			s := f.v(p + "." + name)
			if s == "" {
				b.rowErr(f, p+"."+name, "Action", n+1, msg)
				ok = false
				return false
			}
			a.Value = s
			return true
		}
		id := func(name, msg string, clear bool) bool {
			s := f.v(p + "." + name)
			if s == "" && clear {
				return true // set_team/set_assignee with nobody: clears it
			}
			v, err := strconv.ParseInt(s, 10, 64)
			if err != nil || v <= 0 {
				b.rowErr(f, p+"."+name, "Action", n+1, msg)
				ok = false
				return false
			}
			a.Value = v
			return true
		}
		good := true
		switch typ {
		case "set_status":
			good = str("status", "choose a status")
		case "set_priority":
			good = str("priority", "choose a priority")
		case "set_type":
			good = str("ttype", "choose a type")
		case "set_team":
			good = id("team", "choose a team", true)
		case "set_assignee":
			good = id("agent", "choose an agent", true)
		case "add_follower":
			good = id("agent", "choose an agent", false)
		case "add_tags", "remove_tags":
			var tags []string
			for _, t := range strings.FieldsFunc(f.v(p+".tags"), func(r rune) bool { return r == ',' || r == ' ' }) {
				tags = append(tags, t)
			}
			if len(tags) == 0 {
				b.rowErr(f, p+".tags", "Action", n+1, "enter at least one tag")
				ok, good = false, false
			}
			a.Value = tags
		case "notify":
			to := f.v(p + ".to")
			if to == "address" {
				to = f.v(p + ".address")
				if to == "" {
					b.rowErr(f, p+".address", "Action", n+1, "enter an email address")
					ok, good = false, false
				}
			} else if to == "" {
				b.rowErr(f, p+".to", "Action", n+1, "choose who gets the email")
				ok, good = false, false
			}
			a.Value = to
			a.Subject = f.v(p + ".subject")
		}
		if automation.IsMessage(typ) {
			a.Body = f.Values[p+".body"]
			if strings.TrimSpace(a.Body) == "" {
				b.rowErr(f, p+".body", "Action", n+1, "write the text")
				ok, good = false, false
			}
			for _, l := range i18n.Locales {
				body := f.Values[p+".texts."+l.Code+".body"]
				subj := f.v(p + ".texts." + l.Code + ".subject")
				if strings.TrimSpace(body) == "" {
					if subj != "" {
						b.rowErr(f, p+".texts."+l.Code+".body", "Action", n+1, "write the text")
						ok, good = false, false
					}
					continue
				}
				if a.Texts == nil {
					a.Texts = map[string]automation.ActionText{}
				}
				if typ != "notify" {
					subj = ""
				}
				a.Texts[l.Code] = automation.ActionText{Subject: subj, Body: body}
			}
		}
		if typ == "webhook" || typ == "slack" {
			a.URL = f.v(p + ".url")
			if a.URL == "" {
				b.rowErr(f, p+".url", "Action", n+1, "enter the URL")
				ok, good = false, false
			}
		}
		if good {
			paths[fmt.Sprintf("actions[%d]", len(acts))] = p
			acts = append(acts, a)
		}
	}
	return acts, paths, ok
}

// refusalKey maps a service refusal's field path to the row control it is
// about: conditions.all[2].value → all[5].value (the row's prefix).
func refusalKey(condPaths, actPaths map[string]string, act map[string]string) func(string) (string, string) {
	return func(k string) (string, string) {
		best := ""
		for path := range condPaths {
			if (k == path || strings.HasPrefix(k, path+".") || strings.HasPrefix(k, path+"[")) && len(path) > len(best) {
				best = path
			}
		}
		if best != "" {
			p := condPaths[best]
			if strings.HasSuffix(p, ".group") {
				return p, ""
			}
			rest := strings.TrimPrefix(k, best)
			if rest == ".field" || rest == ".op" || rest == ".value" {
				return p + rest, ""
			}
			return p + ".field", ""
		}
		for path, p := range actPaths {
			if k == path {
				return p + ".type", ""
			}
			if strings.HasPrefix(k, path+".") {
				rest := strings.TrimPrefix(k, path+".")
				switch {
				case rest == "value":
					return p + "." + act[p], ""
				case rest == "type", rest == "subject", rest == "body", rest == "url":
					return p + "." + rest, ""
				case strings.HasPrefix(rest, "texts."):
					return p + "." + rest, ""
				}
				return p + ".type", ""
			}
		}
		if k == "conditions" || k == "actions" || strings.HasPrefix(k, "conditions.") || strings.HasPrefix(k, "actions") {
			return "", ""
		}
		return k, ""
	}
}

// valueControl names the control an action's "value" is entered in.
func valueControl(f form, prefix string) string {
	switch f.v(prefix + ".type") {
	case "set_status":
		return "status"
	case "set_priority":
		return "priority"
	case "set_type":
		return "ttype"
	case "set_team":
		return "team"
	case "set_assignee", "add_follower":
		return "agent"
	case "add_tags", "remove_tags":
		return "tags"
	case "notify":
		if f.v(prefix+".to") == "address" {
			return "address"
		}
		return "to"
	}
	return "type"
}

// numberRefusals prefixes the service's messages with the row they are on.
func (b *builder) numberRefusals(f form, before map[string]string) {
	condN := map[string]int{}
	n := 0
	for _, sec := range []string{"all", "any"} {
		for _, p := range rowPrefixes(f, sec) {
			n++
			condN[p] = n
		}
	}
	for i, p := range rowPrefixes(f, "act") {
		condN[p] = -(i + 1)
	}
	for k, m := range f.Errs {
		if before[k] == m {
			continue
		}
		prefix, _, _ := strings.Cut(k, ".")
		if n, ok := condN[prefix]; ok {
			if n > 0 {
				f.Errs[k] = b.tr("%s %d: %s", b.tr("Condition"), n, m)
			} else {
				f.Errs[k] = b.tr("%s %d: %s", b.tr("Action"), -n, m)
			}
		}
	}
}

// ---- The form's rows for the template ----

// ctl is one value control.
type ctl struct {
	Kind     string // select, multi, number, date, text, tags, none
	Name, ID string
	Value    string
	Options  []option
	List     string // datalist id of tag suggestions
}

type condRow struct {
	L          string // the page's language
	Prefix, ID string
	N          int
	Fields     []option
	Ops        []option
	Value      ctl
	Group      string // a nested group's JSON, kept as it is
	GroupText  string
	FieldErr   string
	OpErr      string
	ValueErr   string
	GroupErr   string
}

type textRow struct {
	Code, Name      string
	Subject, Body   string
	SubjErr, BodErr string
}

type actRow struct {
	L, Ph      string // the page's language, the placeholders
	Prefix, ID string
	N          int
	Type       string
	Types      []option
	Statuses   []option
	Priorities []option
	TTypes     []option
	Teams      []option
	Agents     []option
	To         []option
	Tags       string
	Address    string
	Subject    string
	Body       string
	URL        string
	URLLocked  bool
	Texts      []textRow
	HasTexts   bool
	Errs       map[string]string
}

func selected(opts []option, vals ...string) []option {
	out := make([]option, len(opts))
	for i, o := range opts {
		o.Selected = slices.Contains(vals, o.Value)
		out[i] = o
	}
	return out
}

func (b *builder) fieldOptions() []option {
	out := []option{{Value: "", Label: b.tr("Choose…")}}
	for _, fi := range b.fields {
		l := fi.Name
		if x, ok := fieldLabels[fi.Name]; ok {
			l = b.tr(x)
		} else if d, ok := b.custom[strings.TrimPrefix(fi.Name, "custom.")]; ok {
			l = d.Label
		}
		out = append(out, option{Value: fi.Name, Label: l})
	}
	return out
}

func (b *builder) opOptions(fi automation.FieldInfo) []option {
	out := []option{}
	for _, op := range fi.Ops {
		out = append(out, option{Value: op, Label: b.tr(opLabels[op])})
	}
	return out
}

// conditionRows lays out the condition rows of a section.
func (b *builder) conditionRows(f form, sec string, start int) []condRow {
	var rows []condRow
	for i, p := range rowPrefixes(f, sec) {
		r := condRow{L: b.lang, Prefix: p, ID: strings.NewReplacer("[", "-", "]", "").Replace(p), N: start + i + 1,
			FieldErr: f.Errs[p+".field"], OpErr: f.Errs[p+".op"], ValueErr: f.Errs[p+".value"], GroupErr: f.Errs[p+".group"]}
		if g := f.v(p + ".group"); g != "" {
			r.Group = g
			r.GroupText = b.groupText(g)
			rows = append(rows, r)
			continue
		}
		field, op := f.v(p+".field"), f.v(p+".op")
		r.Fields = selected(b.fieldOptions(), field)
		fi, ok := b.fieldInfo(field)
		r.Value = ctl{Kind: "none", Name: p + ".value", ID: "f-" + r.ID + "-value"}
		if ok {
			if op == "" && len(fi.Ops) > 0 {
				op = fi.Ops[0]
			}
			r.Ops = selected(b.opOptions(fi), op)
			if !automation.NoValue(op) {
				kind, opts := b.control(fi, op)
				r.Value.Kind = kind
				if kind == "select" && automation.MultiValue(op) {
					r.Value.Kind = "multi"
				}
				r.Value.Value = f.v(p + ".value")
				if automation.MultiValue(op) && kind != "select" {
					r.Value.Value = strings.Join(f.Multi[p+".value"], ", ")
					if len(f.Multi[p+".value"]) <= 1 {
						r.Value.Value = f.v(p + ".value")
					}
				}
				vals := f.Multi[p+".value"]
				if len(vals) == 0 {
					vals = []string{f.v(p + ".value")}
				}
				r.Value.Options = selected(opts, vals...)
				if kind == "tags" {
					r.Value.List = "rule-tags"
				}
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// groupText describes a nested group in a line: "any of: Priority is urgent; Tags include one of vip".
func (b *builder) groupText(g string) string {
	var c automation.Conditions
	if json.Unmarshal([]byte(g), &c) != nil {
		return g
	}
	var leaf func(cd automation.Condition) string
	list := func(word string, cs []automation.Condition) string {
		parts := make([]string, 0, len(cs))
		for _, cd := range cs {
			parts = append(parts, leaf(cd))
		}
		return b.tr(word) + " (" + strings.Join(parts, "; ") + ")"
	}
	leaf = func(cd automation.Condition) string {
		if len(cd.All) > 0 || len(cd.Any) > 0 {
			var out []string
			if len(cd.All) > 0 {
				out = append(out, list("all of", cd.All))
			}
			if len(cd.Any) > 0 {
				out = append(out, list("any of", cd.Any))
			}
			return strings.Join(out, " "+b.tr("and")+" ")
		}
		name := cd.Field
		if x, ok := fieldLabels[cd.Field]; ok {
			name = b.tr(x)
		}
		v := ""
		if cd.Value != nil {
			raw, _ := json.Marshal(cd.Value)
			v = " " + strings.Trim(string(raw), `"`)
		}
		return name + " " + b.tr(opLabels[cd.Op]) + v
	}
	return leaf(automation.Condition{All: c.All, Any: c.Any})
}

// actionRows lays out the action rows.
func (b *builder) actionRows(f form) []actRow {
	var rows []actRow
	types := []option{{Value: "", Label: b.tr("Choose…")}}
	for _, t := range automation.ActionTypes(b.kind) {
		types = append(types, option{Value: t, Label: b.tr(actionLabels[t])})
	}
	enum := func(vals []string) []option {
		out := []option{}
		for _, v := range vals {
			out = append(out, option{Value: v, Label: b.tr(label(v))})
		}
		return out
	}
	statuses := []string{}
	for _, s := range ticket.Statuses[1:] {
		statuses = append(statuses, string(s))
	}
	for i, p := range rowPrefixes(f, "act") {
		id := strings.NewReplacer("[", "-", "]", "").Replace(p)
		r := actRow{L: b.lang, Ph: b.placeholders(), Prefix: p, ID: id, N: i + 1, Type: f.v(p + ".type"), Types: selected(types, f.v(p+".type")),
			Statuses:   selected(enum(statuses), f.v(p+".status")),
			Priorities: selected(enum(ticket.Priorities), f.v(p+".priority")),
			TTypes:     selected(enum(ticket.Types), f.v(p+".ttype")),
			Teams:      selected(append([]option{{Value: "", Label: b.tr("Nobody (clear it)")}}, b.teams...), f.v(p+".team")),
			Agents:     selected(append([]option{{Value: "", Label: b.tr("Nobody (clear it)")}}, b.agents...), f.v(p+".agent")),
			Tags:       f.v(p + ".tags"), Address: f.v(p + ".address"), Subject: f.v(p + ".subject"), Body: f.Values[p+".body"],
			URL: f.v(p + ".url"), URLLocked: !b.admin, Errs: map[string]string{}}
		to := make([]option, len(notifyLabels))
		for j, o := range notifyLabels {
			to[j] = option{Value: o.Value, Label: b.tr(o.Label)}
		}
		r.To = selected(to, f.v(p+".to"))
		for k, m := range f.Errs {
			if strings.HasPrefix(k, p+".") {
				r.Errs[strings.TrimPrefix(k, p+".")] = m
			}
		}
		for _, l := range i18n.Locales {
			t := textRow{Code: l.Code, Name: l.Native, Subject: f.v(p + ".texts." + l.Code + ".subject"), Body: f.Values[p+".texts."+l.Code+".body"],
				SubjErr: f.Errs[p+".texts."+l.Code+".subject"], BodErr: f.Errs[p+".texts."+l.Code+".body"]}
			r.HasTexts = r.HasTexts || t.Body != "" || t.BodErr != ""
			r.Texts = append(r.Texts, t)
		}
		rows = append(rows, r)
	}
	return rows
}

// catalog is what static/rules.js needs to switch a row's controls in
// place: per field its operators and value control, in the page's language.
// html/template writes it as JSON inside the page's application/json script.
func (b *builder) catalog() any {
	type opt struct {
		V string `json:"v"`
		L string `json:"l"`
	}
	type entry struct {
		Ops      []opt             `json:"ops"`
		Controls map[string]string `json:"controls"` // op → control kind
		Options  []opt             `json:"options,omitempty"`
	}
	out := map[string]entry{}
	for _, fi := range b.fields {
		e := entry{Controls: map[string]string{}}
		for _, o := range b.opOptions(fi) {
			e.Ops = append(e.Ops, opt{o.Value, o.Label})
			kind := "none"
			if !automation.NoValue(o.Value) {
				k, opts := b.control(fi, o.Value)
				kind = k
				if k == "select" && automation.MultiValue(o.Value) {
					kind = "multi"
				}
				if e.Options == nil {
					for _, x := range opts {
						e.Options = append(e.Options, opt{x.Value, x.Label})
					}
				}
			}
			e.Controls[o.Value] = kind
		}
		out[fi.Name] = e
	}
	return out
}

// builderErrors lists the rows' messages for the summary above the form,
// in the order of the rows.
func builderErrors(f form) []fieldError {
	var out []fieldError
	for _, sec := range []string{"all", "any", "act"} {
		for _, p := range rowPrefixes(f, sec) {
			keys := []string{}
			for k := range f.Errs {
				if strings.HasPrefix(k, p+".") {
					keys = append(keys, k)
				}
			}
			sort.Strings(keys)
			for _, k := range keys {
				id := strings.NewReplacer("[", "-", "]", "", ".", "-").Replace(k)
				lbl, msg, found := strings.Cut(f.Errs[k], ": ")
				if !found {
					lbl, msg = "", f.Errs[k]
				}
				out = append(out, fieldError{Name: id, Label: lbl, Message: msg})
			}
		}
	}
	return out
}

// previewOf runs the preview button: the conditions as entered against the
// newest tickets. A refusal lands on the rows (res nil, msg the page's
// message); other errors are returned.
func (u *UI) previewOf(r *http.Request, kind automation.Kind, c automation.Conditions, f form, paths map[string]string, b *builder) (*automation.PreviewResult, string, error) {
	ctx := r.Context()
	res, err := u.Automation.PreviewRule(ctx, httpx.Actor(ctx), kind, c, automation.PreviewDefault)
	if err == nil {
		return &res, "", nil
	}
	before := map[string]string{}
	for k, v := range f.Errs {
		before[k] = v
	}
	_, msg, ok := refusedInto(err, f, refusalKey(paths, nil, nil))
	if !ok {
		return nil, "", err
	}
	b.numberRefusals(f, before)
	return nil, msg, nil
}

func (b *builder) placeholders() string {
	return "{{" + strings.Join(automation.Placeholders(), "}}, {{") + "}}, {{custom.<key>}}"
}
