package sla

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/textcheck"
	"github.com/ombud/ombud/internal/ticket"
)

// The measured metrics, in the order they are reported.
const (
	FirstReply     = "first_reply"
	NextReply      = "next_reply"
	PeriodicUpdate = "periodic_update"
	Resolution     = "resolution"
)

// Metrics lists every metric.
var Metrics = []string{FirstReply, NextReply, PeriodicUpdate, Resolution}

// Policy is an ordered SLA policy: the first active policy whose conditions
// all match a ticket sets its targets.
type Policy struct {
	ID          int64             `json:"id"`
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Position    int               `json:"position"`
	Active      bool              `json:"active"`
	Conditions  []Condition       `json:"conditions"`
	Targets     map[string]Target `json:"targets"` // by ticket priority
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
}

// Condition tests one ticket field. Field is priority, channel, type,
// team_id, organization_id, tag or custom.<key>; Op and Value depend on it:
//
//	priority, channel, type      is, is_not (a value); in, not_in (a list)
//	team_id, organization_id     is, is_not (an id); in, not_in (ids); present, absent
//	tag                          includes, excludes (a tag)
//	custom.<key>                 is, is_not (a string, number or boolean); present, absent
type Condition struct {
	Field string `json:"field"`
	Op    string `json:"op"`
	Value any    `json:"value,omitempty"`
}

// decode reads the condition's value into v (through JSON, so a value
// decoded from a request or the database takes the typed form).
func (c Condition) decode(v any) error {
	b, err := json.Marshal(c.Value)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// Target is one priority's goals. Each metric is a duration such as "30m",
// "4h" or "1h30m"; an empty one is not measured. With BusinessHours the
// clocks run only in the hours of CalendarID's calendar.
type Target struct {
	FirstReply     string `json:"first_reply,omitempty"`
	NextReply      string `json:"next_reply,omitempty"`
	PeriodicUpdate string `json:"periodic_update,omitempty"`
	Resolution     string `json:"resolution,omitempty"`
	BusinessHours  bool   `json:"business_hours"`
	CalendarID     *int64 `json:"calendar_id"`
}

func (t Target) raw(metric string) string {
	switch metric {
	case FirstReply:
		return t.FirstReply
	case NextReply:
		return t.NextReply
	case PeriodicUpdate:
		return t.PeriodicUpdate
	case Resolution:
		return t.Resolution
	}
	return ""
}

func (t *Target) set(metric, v string) {
	switch metric {
	case FirstReply:
		t.FirstReply = v
	case NextReply:
		t.NextReply = v
	case PeriodicUpdate:
		t.PeriodicUpdate = v
	case Resolution:
		t.Resolution = v
	}
}

// Goal returns the metric's target duration, 0 when it is not measured.
func (t Target) Goal(metric string) time.Duration {
	d, _ := parseTarget(t.raw(metric), true) // stored targets were checked when saved
	return d
}

// maxTarget bounds a target: a year of (business) time.
const maxTarget = 366 * 24 * time.Hour

// parseTarget reads a target duration: hours and minutes in Go's duration
// syntax ("45m", "8h", "1h30m"), whole minutes, from 1 minute to a year.
// With seconds (a policy for the chat channel only) whole seconds too, from
// 1 second ("45s", "1m30s"). Days are not accepted: a "day" of business
// hours is ambiguous.
func parseTarget(s string, seconds bool) (time.Duration, bool) {
	if s == "" || strings.ContainsAny(s, "+-.") {
		return 0, false
	}
	d, err := time.ParseDuration(s)
	unit, units := time.Minute, "nuµs"
	if seconds {
		unit, units = time.Second, "nuµ"
	}
	if err != nil || d < unit || d > maxTarget || d%unit != 0 {
		return 0, false
	}
	if strings.ContainsAny(strings.ReplaceAll(s, "ms", "µ"), units) { // h and m (and s)
		return 0, false
	}
	return d, true
}

// FormatTarget writes a duration as its canonical target string ("1h30m",
// "45s", "1m30s").
func FormatTarget(d time.Duration) string {
	h := int64(d / time.Hour)
	m := int64(d % time.Hour / time.Minute)
	sec := int64(d % time.Minute / time.Second)
	out := ""
	if h > 0 {
		out += fmt.Sprintf("%dh", h)
	}
	if m > 0 || (h > 0 && sec > 0) {
		out += fmt.Sprintf("%dm", m)
	}
	if sec > 0 || out == "" {
		if out == "" && sec == 0 {
			return "0m"
		}
		out += fmt.Sprintf("%ds", sec)
	}
	return out
}

// ChatOnly reports whether conditions confine a policy to the chat channel
// (channel is chat, or in [chat]): only such a policy may have targets in
// seconds.
func ChatOnly(conds []Condition) bool {
	for _, c := range conds {
		if c.Field != "channel" {
			continue
		}
		switch v := c.Value.(type) {
		case string:
			if c.Op == "is" && v == "chat" {
				return true
			}
		case []string:
			if c.Op == "in" && len(v) == 1 && v[0] == "chat" {
				return true
			}
		case []any:
			if c.Op == "in" && len(v) == 1 && v[0] == "chat" {
				return true
			}
		}
	}
	return false
}

// condition field kinds.
const (
	kindEnum = iota
	kindID
	kindTag
	kindCustom
)

var fieldKinds = map[string]int{
	"priority": kindEnum, "channel": kindEnum, "type": kindEnum,
	"team_id": kindID, "organization_id": kindID,
	"tag": kindTag,
}

var enumValues = map[string][]string{
	"priority": ticket.Priorities,
	"channel":  ticket.Channels,
	"type":     ticket.Types,
}

var opsByKind = map[int][]string{
	kindEnum:   {"is", "is_not", "in", "not_in"},
	kindID:     {"is", "is_not", "in", "not_in", "present", "absent"},
	kindTag:    {"includes", "excludes"},
	kindCustom: {"is", "is_not", "present", "absent"},
}

var customKeyRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

const (
	maxConditions = 50
	maxListValues = 100
	maxName       = 200
	maxDesc       = 2000
)

func fieldKind(field string) (int, string, bool) {
	if key, ok := strings.CutPrefix(field, "custom."); ok {
		return kindCustom, key, customKeyRE.MatchString(key)
	}
	k, ok := fieldKinds[field]
	return k, "", ok
}

// validateConditions checks conditions against the known fields and
// normalises their values. customKeys are the custom field keys that exist.
func validateConditions(fe apperr.FieldErrors, conds []Condition, customKeys map[string]bool) []Condition {
	if len(conds) > maxConditions {
		fe.Add("conditions", fmt.Sprintf("at most %d conditions", maxConditions))
		return nil
	}
	out := make([]Condition, 0, len(conds))
	for i, c := range conds {
		name := fmt.Sprintf("conditions[%d]", i)
		kind, key, ok := fieldKind(c.Field)
		if !ok {
			fe.Add(name+".field", "must be one of priority, channel, type, team_id, organization_id, tag or custom.<key>")
			continue
		}
		if kind == kindCustom && !customKeys[key] {
			fe.Add(name+".field", fmt.Sprintf("there is no custom field with key %q", key))
			continue
		}
		ops := opsByKind[kind]
		if !slices.Contains(ops, c.Op) {
			fe.Add(name+".op", "must be one of "+strings.Join(ops, ", ")+" for "+c.Field)
			continue
		}
		v, ok := normalizeValue(fe, name+".value", c, kind)
		if !ok {
			continue
		}
		out = append(out, Condition{Field: c.Field, Op: c.Op, Value: v})
	}
	return out
}

func normalizeValue(fe apperr.FieldErrors, name string, c Condition, kind int) (any, bool) {
	if c.Op == "present" || c.Op == "absent" {
		if c.Value != nil {
			fe.Add(name, "must be left out for "+c.Op)
			return nil, false
		}
		return nil, true
	}
	if c.Value == nil {
		fe.Add(name, "is required")
		return nil, false
	}
	list := c.Op == "in" || c.Op == "not_in"
	var out any
	switch kind {
	case kindEnum:
		allowed := enumValues[c.Field]
		check := func(n, s string) bool {
			if !slices.Contains(allowed, s) {
				fe.Add(n, "must be one of "+strings.Join(allowed, ", "))
				return false
			}
			return true
		}
		if list {
			var vs []string
			if c.decode(&vs) != nil || len(vs) == 0 || len(vs) > maxListValues {
				fe.Add(name, fmt.Sprintf("must be a list of 1 to %d values", maxListValues))
				return nil, false
			}
			for j, s := range vs {
				if !check(fmt.Sprintf("%s[%d]", name, j), s) {
					return nil, false
				}
			}
			out = vs
		} else {
			var s string
			if c.decode(&s) != nil {
				fe.Add(name, "must be a string")
				return nil, false
			}
			if !check(name, s) {
				return nil, false
			}
			out = s
		}
	case kindID:
		if list {
			var ids []int64
			if c.decode(&ids) != nil || len(ids) == 0 || len(ids) > maxListValues {
				fe.Add(name, fmt.Sprintf("must be a list of 1 to %d ids", maxListValues))
				return nil, false
			}
			for j, id := range ids {
				if id <= 0 {
					fe.Add(fmt.Sprintf("%s[%d]", name, j), "must be a positive id")
					return nil, false
				}
			}
			out = ids
		} else {
			var id int64
			if c.decode(&id) != nil || id <= 0 {
				fe.Add(name, "must be a positive id")
				return nil, false
			}
			out = id
		}
	case kindTag:
		var s string
		if c.decode(&s) != nil {
			fe.Add(name, "must be a tag")
			return nil, false
		}
		tfe := apperr.FieldErrors{}
		tags := ticket.NormalizeTags(tfe, "tag", []string{s})
		if len(tfe) > 0 || len(tags) != 1 {
			fe.Add(name, "must be a tag: 1 to 64 letters, digits or _-.:/")
			return nil, false
		}
		out = tags[0]
	case kindCustom:
		var v any
		if c.decode(&v) != nil {
			fe.Add(name, "must be a string, number or boolean")
			return nil, false
		}
		switch v.(type) {
		case string, float64, bool:
		default:
			fe.Add(name, "must be a string, number or boolean")
			return nil, false
		}
		out = v
	}
	return out, true
}

// validateTargets checks the per-priority targets and normalises their
// durations. calendarExists reports whether a calendar id is defined.
func validateTargets(fe apperr.FieldErrors, targets map[string]Target, seconds bool, calendarExists func(int64) bool) map[string]Target {
	if len(targets) == 0 {
		fe.Add("targets", "needs targets for at least one priority ("+strings.Join(ticket.Priorities, ", ")+")")
		return nil
	}
	out := make(map[string]Target, len(targets))
	for prio, t := range targets {
		name := "targets." + prio
		if !slices.Contains(ticket.Priorities, prio) {
			fe.Add(name, "is not a priority; use "+strings.Join(ticket.Priorities, ", "))
			continue
		}
		n := Target{BusinessHours: t.BusinessHours, CalendarID: t.CalendarID}
		measured := false
		for _, m := range Metrics {
			raw := t.raw(m)
			if raw == "" {
				continue
			}
			measured = true
			d, ok := parseTarget(raw, seconds)
			if !ok {
				msg := "must be a duration in hours and minutes such as 30m, 4h or 1h30m (at most a year)"
				if seconds {
					msg = "must be a duration such as 45s, 1m30s, 30m or 4h (at most a year)"
				} else if _, ok := parseTarget(raw, true); ok {
					msg = "seconds are for a policy with the condition channel is chat; use whole minutes"
				}
				fe.Add(name+"."+m, msg)
				continue
			}
			n.set(m, FormatTarget(d))
		}
		if !measured {
			fe.Add(name, "needs at least one of first_reply, next_reply, periodic_update, resolution")
		}
		switch {
		case t.BusinessHours && t.CalendarID == nil:
			fe.Add(name+".calendar_id", "is required with business_hours")
		case !t.BusinessHours && t.CalendarID != nil:
			fe.Add(name+".calendar_id", "applies only with business_hours: true")
		case t.CalendarID != nil && !calendarExists(*t.CalendarID):
			fe.Add(name+".calendar_id", fmt.Sprintf("business calendar %d does not exist", *t.CalendarID))
		}
		out[prio] = n
	}
	return out
}

func checkName(fe apperr.FieldErrors, s string) string {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		fe.Add("name", "is required")
	case utf8.RuneCountInString(s) > maxName:
		fe.Add("name", fmt.Sprintf("must be at most %d characters", maxName))
	case textcheck.Line(s) != "":
		fe.Add("name", textcheck.Line(s))
	}
	return s
}

// Matches reports whether every condition holds for t.
func (p *Policy) Matches(t *ticket.Ticket) bool {
	for _, c := range p.Conditions {
		if !c.matches(t) {
			return false
		}
	}
	return true
}

func (c Condition) matches(t *ticket.Ticket) bool {
	kind, key, _ := fieldKind(c.Field)
	switch kind {
	case kindEnum:
		var have string
		switch c.Field {
		case "priority":
			have = t.Priority
		case "channel":
			have = t.Channel
		case "type":
			have = t.Type
		}
		switch c.Op {
		case "is", "is_not":
			var s string
			_ = c.decode(&s)
			return (have == s) == (c.Op == "is")
		case "in", "not_in":
			var vs []string
			_ = c.decode(&vs)
			return slices.Contains(vs, have) == (c.Op == "in")
		}
	case kindID:
		p := t.TeamID
		if c.Field == "organization_id" {
			p = t.OrganizationID
		}
		var have int64
		if p != nil {
			have = *p
		}
		switch c.Op {
		case "present":
			return have != 0
		case "absent":
			return have == 0
		case "is", "is_not":
			var id int64
			_ = c.decode(&id)
			return (have == id) == (c.Op == "is")
		case "in", "not_in":
			var ids []int64
			_ = c.decode(&ids)
			return slices.Contains(ids, have) == (c.Op == "in")
		}
	case kindTag:
		var tag string
		_ = c.decode(&tag)
		return slices.Contains(t.Tags, tag) == (c.Op == "includes")
	case kindCustom:
		v, ok := t.CustomFields[key]
		present := ok && v != nil && v != ""
		switch c.Op {
		case "present":
			return present
		case "absent":
			return !present
		case "is", "is_not":
			var want any
			_ = c.decode(&want)
			return (present && scalarEqual(v, want)) == (c.Op == "is")
		}
	}
	return false
}

// firstMatch returns the first active policy (in order) matching t.
func firstMatch(policies []*Policy, t *ticket.Ticket) *Policy {
	for _, p := range policies {
		if p.Active && p.Matches(t) {
			return p
		}
	}
	return nil
}

// scalarEqual compares two decoded JSON scalars (custom field values are
// strings, numbers or booleans; anything else never equals).
func scalarEqual(a, b any) bool {
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	}
	return false
}
