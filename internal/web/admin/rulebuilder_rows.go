package admin

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/httpx"
)

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
