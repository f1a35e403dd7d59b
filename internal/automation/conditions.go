package automation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/ticket"
)

// Kind says what a rule is: a trigger runs on every ticket change, an
// automation on a periodic sweep. Conditions are validated per kind because
// the facts differ: only triggers see the change (events, comment), only the
// sweep measures time (hours_since_*).
type Kind string

// Rule kinds.
const (
	KindTrigger    Kind = "trigger"
	KindAutomation Kind = "automation"
)

// Conditions is a condition tree: every condition in All and at least one in
// Any (when Any is not empty) must hold.
type Conditions struct {
	All []Condition `json:"all,omitempty"`
	Any []Condition `json:"any,omitempty"`
}

// Condition is a leaf {"field","op","value"} or a nested group {"all","any"}.
// Value is any JSON value; its shape depends on the field and operator and
// is checked by Compile. (omitempty on an interface drops only nil, so false
// and 0 survive a round trip.)
type Condition struct {
	Field string      `json:"field,omitempty"`
	Op    string      `json:"op,omitempty"`
	Value any         `json:"value,omitempty"`
	All   []Condition `json:"all,omitempty"`
	Any   []Condition `json:"any,omitempty"`
}

// Facts is everything a condition may look at. It is a plain value so
// evaluation stays a pure function of it.
type Facts struct {
	Ticket ticket.Ticket
	// Events are the changes that caused a trigger run; none for automations.
	Events []EventFact
	// Comment is the comment a comment_added event added, when there is one.
	Comment *CommentFact
	Now     time.Time
	// StatusChangedAt is when the status last changed (or the ticket was
	// created); zero when unknown.
	StatusChangedAt time.Time
	// InBusinessHours answers within_business_hours; nil means always.
	InBusinessHours func(time.Time) bool

	// lowered caches lower-cased text per field: one event is evaluated
	// against every trigger, and contains on a long body is the costly part.
	lowered map[string]string
}

// lower returns s lower-cased, computed once per field per Facts.
func (f *Facts) lower(field, s string) string {
	if l, ok := f.lowered[field]; ok {
		return l
	}
	l := strings.ToLower(s)
	if f.lowered == nil {
		f.lowered = map[string]string{}
	}
	f.lowered[field] = l
	return l
}

// EventFact is one triggering event.
type EventFact struct {
	ID   int64          `json:"id"`
	Type string         `json:"type"`
	Data map[string]any `json:"data"`
}

// CommentFact is the comment of a comment_added event.
type CommentFact struct {
	Public     bool
	AuthorType string
	Body       string
}

// Limits that keep a rule cheap to evaluate and its validation bounded.
const (
	maxDepth      = 4
	maxConditions = 100
	maxValueLen   = 1000
)

type valueType int

const (
	vEnum   valueType = iota // a fixed, ordered set of strings
	vString                  // free text compared whole
	vText                    // free text searched with contains
	vID                      // a nullable id
	vTags                    // a set of tags
	vBool                    // true or false
	vHours                   // hours since a time
	vCustom                  // a custom field value: string, number or bool
	vEvent                   // the type of a triggering event
)

type fieldSpec struct {
	typ     valueType
	options []string // vEnum, in order (lt/gt compare positions)
	only    Kind     // "" for both kinds
	event   string   // the event type that records a change, for changed*
}

var (
	changeOps  = []string{"changed", "changed_to", "changed_from"}
	commentWho = []string{"agent", "customer", "system"}
	eventRE    = regexp.MustCompile(`^[a-z_]{1,64}$`)
	customRE   = regexp.MustCompile(`^custom\.[a-z][a-z0-9_]{0,62}$`)
	statusStrs = func() []string {
		out := make([]string, len(ticket.Statuses))
		for i, s := range ticket.Statuses {
			out[i] = string(s)
		}
		return out
	}()
)

var fields = map[string]fieldSpec{
	"event":                     {typ: vEvent, only: KindTrigger},
	"status":                    {typ: vEnum, options: statusStrs, event: ticket.EvStatusChanged},
	"priority":                  {typ: vEnum, options: ticket.Priorities, event: ticket.EvPriorityChanged},
	"type":                      {typ: vEnum, options: ticket.Types, event: ticket.EvTypeChanged},
	"channel":                   {typ: vEnum, options: ticket.Channels},
	"team_id":                   {typ: vID, event: ticket.EvTeamChanged},
	"assignee_id":               {typ: vID, event: ticket.EvAssigneeChanged},
	"requester_id":              {typ: vID, event: ticket.EvRequesterChanged},
	"organization_id":           {typ: vID},
	"requester.organization_id": {typ: vID},
	"language":                  {typ: vString, event: ticket.EvLanguageChanged},
	"tags":                      {typ: vTags, event: ticket.EvTagsChanged},
	"subject":                   {typ: vText, event: ticket.EvSubjectChanged},
	"comment.public":            {typ: vBool, only: KindTrigger},
	"comment.author_type":       {typ: vEnum, options: commentWho, only: KindTrigger},
	"comment.body":              {typ: vText, only: KindTrigger},
	"csat":                      {typ: vEnum, options: []string{"bad", "good"}, only: KindTrigger},
	"csat.score":                {typ: vEnum, options: []string{"1", "2", "3", "4", "5"}, only: KindTrigger},
	"requester.email":           {typ: vString},
	"within_business_hours":     {typ: vBool},
	"hours_since_created":       {typ: vHours, only: KindAutomation},
	"hours_since_updated":       {typ: vHours, only: KindAutomation},
	"hours_since_solved":        {typ: vHours, only: KindAutomation},
	"hours_since_status_change": {typ: vHours, only: KindAutomation},
}

// opsFor lists the operators a field accepts.
func opsFor(name string, f fieldSpec) []string {
	var ops []string
	switch f.typ {
	case vEnum:
		ops = []string{"is", "is_not", "in", "not_in"}
		if name == "status" || name == "priority" || name == "csat.score" {
			ops = append(ops, "lt", "gt")
		}
	case vString:
		ops = []string{"is", "is_not", "in", "not_in", "contains", "not_contains", "present", "absent"}
	case vText:
		ops = []string{"is", "is_not", "contains", "not_contains", "present", "absent"}
	case vID:
		ops = []string{"is", "is_not", "in", "not_in", "present", "absent"}
	case vTags:
		ops = []string{"includes", "excludes", "present", "absent"}
	case vBool:
		ops = []string{"is", "is_not"}
	case vHours:
		ops = []string{"lt", "gt", "present", "absent"}
	case vCustom:
		ops = []string{"is", "is_not", "in", "not_in", "contains", "not_contains", "present", "absent", "lt", "gt"}
	case vEvent:
		ops = []string{"is", "is_not", "in", "not_in"}
	}
	if f.event != "" {
		if f.typ == vTags || f.typ == vText {
			ops = append(ops, "changed")
		} else {
			ops = append(ops, changeOps...)
		}
	}
	return ops
}

func lookupField(name string) (fieldSpec, bool) {
	if f, ok := fields[name]; ok {
		return f, true
	}
	if customRE.MatchString(name) {
		return fieldSpec{typ: vCustom, event: ticket.EvFieldChanged}, true
	}
	return fieldSpec{}, false
}

// pred is a compiled condition.
type pred func(f *Facts) bool

// Matcher is a validated, compiled condition tree.
type Matcher struct {
	match pred
	// Anchor is the first hours_since_* field in the tree: the time an
	// automation's episode counts from ("" when there is none).
	Anchor string
	// Hints are the root "all" leaves, from which the sweep derives SQL
	// filters to select candidate tickets.
	Hints []Hint
}

// Hint is a root-level leaf in a form the sweep can turn into SQL.
type Hint struct {
	Field string
	Op    string
	Strs  []string
	IDs   []int64
	Num   float64
}

// Match reports whether the facts satisfy the conditions.
func (m *Matcher) Match(f *Facts) bool { return m.match(f) }

// Compile validates c for a rule of kind k and compiles it. Problems are
// reported per JSON path under prefix (e.g. conditions.all[2].op).
func Compile(c Conditions, k Kind, prefix string, fe apperr.FieldErrors) *Matcher {
	cc := &compiler{kind: k, fe: fe}
	before := len(fe)
	m := &Matcher{}
	m.match = cc.group(c.All, c.Any, prefix, 1)
	m.Anchor = cc.anchor
	if len(fe) == before {
		m.Hints = cc.hints
	}
	return m
}

type compiler struct {
	kind Kind
	// preview counts conditions on the change itself (preview.go) as met.
	preview, ignored bool
	fe               apperr.FieldErrors
	count            int
	anchor           string
	hints            []Hint
}

func (cc *compiler) group(all, any []Condition, path string, depth int) pred {
	if depth > maxDepth {
		cc.fe.Add(path, fmt.Sprintf("nests deeper than %d levels", maxDepth))
		return never
	}
	// A list longer than a whole rule may hold is refused as one, without
	// looking at (and reporting on) each of its elements.
	tooMany := cc.fe.MaxItems(path+".all", len(all), maxConditions)
	if cc.fe.MaxItems(path+".any", len(any), maxConditions) || tooMany {
		return never
	}
	var alls, anys []pred
	for i, c := range all {
		alls = append(alls, cc.node(c, fmt.Sprintf("%s.all[%d]", path, i), depth, depth == 1))
	}
	for i, c := range any {
		anys = append(anys, cc.node(c, fmt.Sprintf("%s.any[%d]", path, i), depth, false))
	}
	return func(f *Facts) bool {
		for _, p := range alls {
			if !p(f) {
				return false
			}
		}
		if len(anys) == 0 {
			return true
		}
		for _, p := range anys {
			if p(f) {
				return true
			}
		}
		return false
	}
}

func never(*Facts) bool { return false }

func (cc *compiler) node(c Condition, path string, depth int, root bool) pred {
	cc.count++
	if cc.count > maxConditions {
		if cc.count == maxConditions+1 { // once, not for every condition beyond
			cc.fe.Add(path, fmt.Sprintf("a rule has at most %d conditions", maxConditions))
		}
		return never
	}
	isGroup := len(c.All) > 0 || len(c.Any) > 0
	if isGroup {
		if c.Field != "" || c.Op != "" || c.Value != nil {
			cc.fe.Add(path, "is either a condition (field, op, value) or a group (all, any), not both")
			return never
		}
		return cc.group(c.All, c.Any, path, depth+1)
	}
	return cc.leaf(c, path, root)
}

// rawValue normalises a leaf's or action's value: whatever decoded it
// (encoding/json into any, or a json.RawMessage built in Go) is re-read with
// UseNumber so that ids keep full precision. null and absent are both "no
// value".
func rawValue(v any) (any, bool, error) {
	if v == nil {
		return nil, false, nil
	}
	raw, ok := v.(json.RawMessage)
	if !ok {
		var err error
		if raw, err = json.Marshal(v); err != nil {
			return nil, false, err
		}
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, false, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil, false, err
	}
	return out, true, nil
}

func (cc *compiler) leaf(c Condition, path string, root bool) pred {
	if c.Field == "" {
		cc.fe.Add(path+".field", "is required")
		return never
	}
	spec, ok := lookupField(c.Field)
	if !ok {
		cc.fe.Add(path+".field", "is not a known field")
		return never
	}
	if spec.only != "" && spec.only != cc.kind {
		cc.fe.Add(path+".field", fmt.Sprintf("is only available to %ss", spec.only))
		return never
	}
	ops := opsFor(c.Field, spec)
	if c.Op == "" {
		cc.fe.Add(path+".op", "is required")
		return never
	}
	if !slices.Contains(ops, c.Op) {
		cc.fe.Add(path+".op", "must be one of "+strings.Join(ops, ", ")+" for "+c.Field)
		return never
	}
	if slices.Contains(changeOps, c.Op) && cc.kind != KindTrigger {
		cc.fe.Add(path+".op", "is only available to triggers (automations see no changes)")
		return never
	}
	v, has, err := rawValue(c.Value)
	if err != nil {
		cc.fe.Add(path+".value", "is not valid JSON")
		return never
	}
	vpath := path + ".value"
	switch c.Op {
	case "present", "absent", "changed":
		if has {
			cc.fe.Add(vpath, "must be left out for "+c.Op)
			return never
		}
	default:
		if !has {
			cc.fe.Add(vpath, "is required for "+c.Op)
			return never
		}
	}
	if spec.typ == vHours && cc.anchor == "" {
		cc.anchor = c.Field
	}
	p, h := cc.compileLeaf(c.Field, spec, c.Op, v, vpath)
	if p == nil {
		return never
	}
	if cc.preview && aboutChange(c.Field, c.Op) {
		cc.ignored = true
		return always
	}
	if root && h != nil {
		h.Field, h.Op = c.Field, c.Op
		cc.hints = append(cc.hints, *h)
	}
	return p
}

// Value decoding helpers. Each reports the problem under path and returns ok=false.

func (cc *compiler) str(v any, path string) (string, bool) {
	s, ok := v.(string)
	if !ok {
		cc.fe.Add(path, "must be a string")
		return "", false
	}
	if len(s) > maxValueLen {
		cc.fe.Add(path, fmt.Sprintf("must be at most %d bytes", maxValueLen))
		return "", false
	}
	return s, true
}

func (cc *compiler) list(v any, path string) ([]any, bool) {
	l, ok := v.([]any)
	if !ok || len(l) == 0 {
		cc.fe.Add(path, "must be a non-empty list")
		return nil, false
	}
	if len(l) > 100 {
		cc.fe.Add(path, "must have at most 100 entries")
		return nil, false
	}
	return l, true
}

func (cc *compiler) strs(v any, path string, multi bool, check func(string) bool, what string) ([]string, bool) {
	items := []any{v}
	if multi {
		var ok bool
		if items, ok = cc.list(v, path); !ok {
			return nil, false
		}
	}
	out := make([]string, 0, len(items))
	for i, it := range items {
		p := path
		if multi {
			p = fmt.Sprintf("%s[%d]", path, i)
		}
		s, ok := cc.str(it, p)
		if !ok {
			return nil, false
		}
		if check != nil && !check(s) {
			cc.fe.Add(p, what)
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

func (cc *compiler) id(v any, path string) (int64, bool) {
	n, ok := v.(json.Number)
	if ok {
		if i, err := n.Int64(); err == nil && i > 0 {
			return i, true
		}
	}
	cc.fe.Add(path, "must be a positive whole number")
	return 0, false
}

func (cc *compiler) ids(v any, path string, multi bool) ([]int64, bool) {
	if !multi {
		i, ok := cc.id(v, path)
		return []int64{i}, ok
	}
	items, ok := cc.list(v, path)
	if !ok {
		return nil, false
	}
	out := make([]int64, 0, len(items))
	for i, it := range items {
		n, ok := cc.id(it, fmt.Sprintf("%s[%d]", path, i))
		if !ok {
			return nil, false
		}
		out = append(out, n)
	}
	return out, true
}

func (cc *compiler) num(v any, path string) (float64, bool) {
	n, ok := v.(json.Number)
	if ok {
		if f, err := n.Float64(); err == nil && f >= 0 && f <= 1e6 {
			return f, true
		}
	}
	cc.fe.Add(path, "must be a number from 0 to 1000000")
	return 0, false
}

func multiOp(op string) bool { return op == "in" || op == "not_in" }

func negated(op string) bool {
	return op == "is_not" || op == "not_in" || op == "not_contains" || op == "excludes" || op == "absent"
}

// not wraps p for the negated operators.
func not(op string, p pred) pred {
	if !negated(op) {
		return p
	}
	return func(f *Facts) bool { return !p(f) }
}

// compileLeaf builds the predicate of one validated leaf; nil when its value
// is invalid (already reported).
func (cc *compiler) compileLeaf(field string, spec fieldSpec, op string, v any, path string) (pred, *Hint) {
	if slices.Contains(changeOps, op) {
		return cc.changeLeaf(field, spec, op, v, path), nil
	}
	switch spec.typ {
	case vEvent:
		want, ok := cc.strs(v, path, multiOp(op), eventRE.MatchString, "must be an event type such as created or comment_added")
		if !ok {
			return nil, nil
		}
		return not(op, func(f *Facts) bool {
			for _, e := range f.Events {
				if slices.Contains(want, e.Type) {
					return true
				}
			}
			return false
		}), nil
	case vEnum:
		get := enumGetter(field)
		check := func(s string) bool { return slices.Contains(spec.options, s) }
		want, ok := cc.strs(v, path, multiOp(op), check, "must be one of "+strings.Join(spec.options, ", "))
		if !ok {
			return nil, nil
		}
		if op == "lt" || op == "gt" {
			w := slices.Index(spec.options, want[0])
			return func(f *Facts) bool {
				s, ok := get(f)
				if !ok {
					return false
				}
				i := slices.Index(spec.options, s)
				if op == "lt" {
					return i >= 0 && i < w
				}
				return i > w
			}, nil
		}
		return not(op, func(f *Facts) bool {
			s, ok := get(f)
			return ok && slices.Contains(want, s)
		}), &Hint{Strs: want}
	case vString, vText:
		get := stringGetter(field)
		if op == "present" || op == "absent" {
			return not(op, func(f *Facts) bool { s, _ := get(f); return s != "" }), &Hint{}
		}
		want, ok := cc.strs(v, path, multiOp(op), nil, "")
		if !ok {
			return nil, nil
		}
		for i := range want {
			want[i] = strings.ToLower(want[i])
		}
		if op == "contains" || op == "not_contains" {
			return not(op, func(f *Facts) bool {
				s, ok := get(f)
				return ok && strings.Contains(f.lower(field, s), want[0])
			}), nil
		}
		return not(op, func(f *Facts) bool {
			s, ok := get(f)
			if !ok {
				return false
			}
			for _, w := range want {
				if strings.EqualFold(s, w) {
					return true
				}
			}
			return false
		}), nil
	case vID:
		get := idGetter(field)
		if op == "present" || op == "absent" {
			return not(op, func(f *Facts) bool { return get(f) != 0 }), &Hint{}
		}
		want, ok := cc.ids(v, path, multiOp(op))
		if !ok {
			return nil, nil
		}
		return not(op, func(f *Facts) bool {
			id := get(f)
			return id != 0 && slices.Contains(want, id)
		}), &Hint{IDs: want}
	case vTags:
		if op == "present" || op == "absent" {
			return not(op, func(f *Facts) bool { return len(f.Ticket.Tags) > 0 }), nil
		}
		var want []string
		if _, isList := v.([]any); isList {
			var ok bool
			if want, ok = cc.strs(v, path, true, nil, ""); !ok {
				return nil, nil
			}
		} else {
			s, ok := cc.str(v, path)
			if !ok {
				return nil, nil
			}
			want = []string{s}
		}
		for i := range want {
			want[i] = strings.ToLower(strings.TrimSpace(want[i]))
		}
		// includes: the ticket has at least one of the tags; excludes: none.
		return not(op, func(f *Facts) bool {
			for _, t := range f.Ticket.Tags {
				if slices.Contains(want, t) {
					return true
				}
			}
			return false
		}), nil
	case vBool:
		b, ok := v.(bool)
		if !ok {
			cc.fe.Add(path, "must be true or false")
			return nil, nil
		}
		get := boolGetter(field)
		return not(op, func(f *Facts) bool {
			got, ok := get(f)
			return ok && got == b
		}), nil
	case vHours:
		get := hoursGetter(field)
		if op == "present" || op == "absent" {
			return not(op, func(f *Facts) bool { _, ok := get(f); return ok }), &Hint{}
		}
		n, ok := cc.num(v, path)
		if !ok {
			return nil, nil
		}
		return func(f *Facts) bool {
			h, ok := get(f)
			if !ok {
				return false
			}
			if op == "lt" {
				return h < n
			}
			return h > n
		}, &Hint{Num: n}
	case vCustom:
		key := strings.TrimPrefix(field, "custom.")
		if op == "present" || op == "absent" {
			return not(op, func(f *Facts) bool {
				x, ok := f.Ticket.CustomFields[key]
				return ok && x != nil && x != ""
			}), nil
		}
		var want []any
		if multiOp(op) {
			items, ok := cc.list(v, path)
			if !ok {
				return nil, nil
			}
			want = items
		} else {
			want = []any{v}
		}
		for i, w := range want {
			switch x := w.(type) {
			case string, bool:
			case json.Number:
				// Parse numbers once here, not on every evaluation.
				f, err := x.Float64()
				if err != nil {
					cc.fe.Add(fmt.Sprintf("%s[%d]", path, i), "must be a finite number")
					return nil, nil
				}
				want[i] = f
			default:
				cc.fe.Add(fmt.Sprintf("%s[%d]", path, i), "must be a string, number or boolean")
				return nil, nil
			}
		}
		switch op {
		case "contains", "not_contains":
			s, ok := want[0].(string)
			if !ok {
				cc.fe.Add(path, "must be a string")
				return nil, nil
			}
			s = strings.ToLower(s)
			return not(op, func(f *Facts) bool {
				x, ok := f.Ticket.CustomFields[key]
				return ok && strings.Contains(strings.ToLower(scalarString(x)), s)
			}), nil
		case "lt", "gt":
			return func(f *Facts) bool {
				x, ok := f.Ticket.CustomFields[key]
				if !ok || x == nil {
					return false
				}
				c, ok := compareScalar(x, want[0])
				return ok && ((op == "lt" && c < 0) || (op == "gt" && c > 0))
			}, nil
		}
		return not(op, func(f *Facts) bool {
			x, ok := f.Ticket.CustomFields[key]
			if !ok || x == nil {
				return false
			}
			for _, w := range want {
				if c, ok := compareScalar(x, w); ok && c == 0 {
					return true
				}
			}
			return false
		}), nil
	}
	return nil, nil
}

// changeLeaf compiles changed, changed_to and changed_from: true when one of
// the triggering events changed the field (to or from the value).
func (cc *compiler) changeLeaf(field string, spec fieldSpec, op string, v any, path string) pred {
	key := ""
	if spec.typ == vCustom {
		key = strings.TrimPrefix(field, "custom.")
	}
	var want any
	if op != "changed" {
		switch spec.typ {
		case vEnum:
			s, ok := cc.strs(v, path, false, func(s string) bool { return slices.Contains(spec.options, s) }, "must be one of "+strings.Join(spec.options, ", "))
			if !ok {
				return nil
			}
			want = s[0]
		case vID:
			id, ok := cc.id(v, path)
			if !ok {
				return nil
			}
			want = float64(id)
		default:
			switch x := v.(type) {
			case string, bool:
				want = v
			case json.Number:
				f, err := x.Float64()
				if err != nil {
					cc.fe.Add(path, "must be a finite number")
					return nil
				}
				want = f
			default:
				cc.fe.Add(path, "must be a string, number or boolean")
				return nil
			}
		}
	}
	return func(f *Facts) bool {
		for _, e := range f.Events {
			if e.Type != spec.event {
				continue
			}
			if key != "" && e.Data["key"] != key {
				continue
			}
			switch op {
			case "changed":
				return true
			case "changed_to":
				if c, ok := compareScalar(e.Data["to"], want); ok && c == 0 {
					return true
				}
			case "changed_from":
				if c, ok := compareScalar(e.Data["from"], want); ok && c == 0 {
					return true
				}
			}
		}
		return false
	}
}

// Field getters.

func enumGetter(field string) func(*Facts) (string, bool) {
	switch field {
	case "status":
		return func(f *Facts) (string, bool) { return string(f.Ticket.Status), true }
	case "priority":
		return func(f *Facts) (string, bool) { return f.Ticket.Priority, true }
	case "type":
		return func(f *Facts) (string, bool) { return f.Ticket.Type, true }
	case "channel":
		return func(f *Facts) (string, bool) { return f.Ticket.Channel, true }
	case "comment.author_type":
		return func(f *Facts) (string, bool) {
			if f.Comment == nil {
				return "", false
			}
			return f.Comment.AuthorType, true
		}
	case "csat", "csat.score":
		// The rating a csat_rated event of this change gave (the survey
		// answer; a trigger without one sees no rating).
		return func(f *Facts) (string, bool) {
			for i := len(f.Events) - 1; i >= 0; i-- {
				e := f.Events[i]
				if e.Type != "csat_rated" {
					continue
				}
				sc, ok := e.Data["score"].(float64)
				if !ok || sc < 1 || sc > 5 {
					return "", false
				}
				if field == "csat.score" {
					return strconv.Itoa(int(sc)), true
				}
				if sc >= 4 {
					return "good", true
				}
				return "bad", true
			}
			return "", false
		}
	}
	return func(*Facts) (string, bool) { return "", false }
}

func stringGetter(field string) func(*Facts) (string, bool) {
	switch field {
	case "language":
		return func(f *Facts) (string, bool) { return f.Ticket.Language, true }
	case "subject":
		return func(f *Facts) (string, bool) { return f.Ticket.Subject, true }
	case "requester.email":
		return func(f *Facts) (string, bool) {
			if f.Ticket.Requester == nil {
				return "", false
			}
			return f.Ticket.Requester.Email, true
		}
	case "comment.body":
		return func(f *Facts) (string, bool) {
			if f.Comment == nil {
				return "", false
			}
			return f.Comment.Body, true
		}
	}
	return func(*Facts) (string, bool) { return "", false }
}

func idGetter(field string) func(*Facts) int64 {
	deref := func(p *int64) int64 {
		if p == nil {
			return 0
		}
		return *p
	}
	switch field {
	case "team_id":
		return func(f *Facts) int64 { return deref(f.Ticket.TeamID) }
	case "assignee_id":
		return func(f *Facts) int64 { return deref(f.Ticket.AssigneeID) }
	case "requester_id":
		return func(f *Facts) int64 { return f.Ticket.RequesterID }
	case "organization_id", "requester.organization_id":
		return func(f *Facts) int64 { return deref(f.Ticket.OrganizationID) }
	}
	return func(*Facts) int64 { return 0 }
}

func boolGetter(field string) func(*Facts) (bool, bool) {
	switch field {
	case "comment.public":
		return func(f *Facts) (bool, bool) {
			if f.Comment == nil {
				return false, false
			}
			return f.Comment.Public, true
		}
	case "within_business_hours":
		return func(f *Facts) (bool, bool) {
			if f.InBusinessHours == nil {
				return true, true
			}
			return f.InBusinessHours(f.Now), true
		}
	}
	return func(*Facts) (bool, bool) { return false, false }
}

// anchorOf returns the time an hours_since_* field counts from.
func anchorOf(field string, f *Facts) (time.Time, bool) {
	switch field {
	case "hours_since_created":
		return f.Ticket.CreatedAt, !f.Ticket.CreatedAt.IsZero()
	case "hours_since_updated":
		return f.Ticket.UpdatedAt, !f.Ticket.UpdatedAt.IsZero()
	case "hours_since_solved":
		if f.Ticket.SolvedAt == nil {
			return time.Time{}, false
		}
		return *f.Ticket.SolvedAt, true
	case "hours_since_status_change":
		return f.StatusChangedAt, !f.StatusChangedAt.IsZero()
	}
	return time.Time{}, false
}

func hoursGetter(field string) func(*Facts) (float64, bool) {
	return func(f *Facts) (float64, bool) {
		t, ok := anchorOf(field, f)
		if !ok {
			return 0, false
		}
		return f.Now.Sub(t).Hours(), true
	}
}

// scalarString renders a JSON scalar for text comparison.
func scalarString(x any) string {
	switch v := x.(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(v, 10)
	case int:
		return strconv.Itoa(v)
	case bool:
		return strconv.FormatBool(v)
	}
	return fmt.Sprint(x)
}

func scalarNumber(x any) (float64, bool) {
	switch v := x.(type) {
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	case float64:
		return v, true
	case int64:
		return float64(v), true
	case int:
		return float64(v), true
	case string:
		f, err := strconv.ParseFloat(v, 64)
		return f, err == nil && !math.IsNaN(f)
	}
	return 0, false
}

// compareScalar compares a stored value with a rule's value: numerically when
// both are numbers, as booleans when the rule's is a boolean, otherwise as
// case-insensitive text (ISO dates order correctly as text).
func compareScalar(have, want any) (int, bool) {
	if have == nil {
		return 0, false
	}
	switch w := want.(type) {
	case bool:
		h, ok := have.(bool)
		if !ok {
			return 0, false
		}
		if h == w {
			return 0, true
		}
		return 1, true
	case float64:
		wf := w
		if hf, ok := scalarNumber(have); ok {
			switch {
			case hf < wf:
				return -1, true
			case hf > wf:
				return 1, true
			}
			return 0, true
		}
		return 0, false
	}
	return strings.Compare(strings.ToLower(scalarString(have)), strings.ToLower(scalarString(want))), true
}

// ParseConditions decodes a condition tree from JSON strictly (unknown keys
// are errors), without validating it.
func ParseConditions(raw []byte) (Conditions, error) {
	var c Conditions
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Conditions{}, apperr.InvalidField("conditions", "is not a condition tree: "+err.Error())
	}
	return c, nil
}
