package admin

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/i18n"
)

// Reading a posted rule builder form into conditions and actions, with
// refusals filed on the row they belong to.

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
			tags := strings.FieldsFunc(f.v(p+".tags"), func(r rune) bool { return r == ',' || r == ' ' })
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
