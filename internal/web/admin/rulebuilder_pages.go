package admin

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/ombud/ombud/internal/automation"
)

// The glue between the rule builder and the trigger, automation and macro
// pages of rules.go.

// ruleState is the editor's reading of a posted rule form.
type ruleState struct {
	b         *builder
	conds     automation.Conditions
	acts      []automation.Action
	condPaths map[string]string
	actPaths  map[string]string
	ok        bool
}

// readRule reads the condition and action rows (macros: actions only).
func (u *UI) readRule(r *http.Request, kind string, f form) (*ruleState, error) {
	b, err := u.newBuilder(r, kind)
	if err != nil {
		return nil, err
	}
	st := &ruleState{b: b, ok: true}
	if kind != "macro" {
		var ok bool
		st.conds, st.condPaths, ok = b.readConditions(f)
		st.ok = st.ok && ok
	}
	var ok bool
	st.acts, st.actPaths, ok = b.readActions(f)
	st.ok = st.ok && ok
	return st, nil
}

// key maps the service's refusals onto the rows.
func (st *ruleState) key(f form) func(string) (string, string) {
	ctl := map[string]string{}
	for _, p := range rowPrefixes(f, "act") {
		ctl[p] = valueControl(f, p)
	}
	return refusalKey(st.condPaths, st.actPaths, ctl)
}

// refused files a service refusal on the rows, numbered in words.
func (st *ruleState) refused(err error, f form) (int, string, bool) {
	before := map[string]string{}
	for k, v := range f.Errs {
		before[k] = v
	}
	status, msg, ok := refusedInto(err, f, st.key(f))
	if ok {
		st.b.numberRefusals(f, before)
	}
	return status, msg, ok
}

// ruleJSON is the Advanced section's export of a rule.
type ruleJSON struct {
	Conditions *automation.Conditions `json:"conditions,omitempty"`
	Actions    []automation.Action    `json:"actions"`
}

// importJSON replaces the rows with a pasted rule; false (and a message on
// the text) when it does not read.
func importJSON(f form, macro bool) bool {
	raw := strings.TrimSpace(f.Values["json"])
	var in ruleJSON
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	var err error
	if macro && strings.HasPrefix(raw, "[") {
		err = dec.Decode(&in.Actions)
	} else {
		err = dec.Decode(&in)
	}
	if err != nil {
		f.Errs["json"] = "is not a rule in JSON: " + err.Error()
		return false
	}
	for _, sec := range []string{"all", "any", "act"} {
		for _, p := range rowPrefixes(f, sec) {
			removeRow(f, p)
		}
	}
	if in.Conditions != nil && !macro {
		conditionsForm(f, *in.Conditions)
	}
	actionsForm(f, in.Actions)
	return true
}

// builderData adds the rows, the catalog and the JSON export to a page's
// data.
func (u *UI) builderData(r *http.Request, kind string, f form, data map[string]any) error {
	b, err := u.newBuilder(r, kind)
	if err != nil {
		return err
	}
	if kind != "macro" && len(rowPrefixes(f, "all"))+len(rowPrefixes(f, "any")) == 0 {
		addRow(f, "all")
	}
	all := b.conditionRows(f, "all", 0)
	data["CondAll"] = all
	data["CondAny"] = b.conditionRows(f, "any", len(all))
	data["Acts"] = b.actionRows(f)
	data["Catalog"] = b.catalog()
	data["TagSuggestions"] = b.tags
	data["BuilderKind"] = kind
	data["Placeholders"] = b.placeholders()
	// Empty rows for rules.js to copy when it adds one in place.
	probe := newForm(map[string]string{"all[999].row": "1", "act[999].row": "1"})
	if kind != "macro" {
		tc := b.conditionRows(probe, "all", 0)[0]
		data["TplCond"] = tc
	}
	ta := b.actionRows(probe)[0]
	data["TplAct"] = ta
	data["BuilderErrors"] = builderErrors(f)
	data["JSONErr"] = f.Errs["json"]
	if f.Values["json"] != "" && f.Errs["json"] != "" {
		data["JSON"] = f.Values["json"]
		return nil
	}
	// The export shows what the rows say now (rows with errors left out).
	probe = newForm(map[string]string{})
	for k, v := range f.Values {
		probe.Values[k] = v
	}
	for k, v := range f.Multi {
		probe.Multi[k] = v
	}
	var out ruleJSON
	if kind != "macro" {
		c, _, _ := b.readConditions(probe)
		out.Conditions = &c
	}
	out.Actions, _, _ = b.readActions(probe)
	var raw []byte
	if kind == "macro" {
		raw, _ = json.MarshalIndent(out.Actions, "", "  ")
	} else {
		raw, _ = json.MarshalIndent(out, "", "  ")
	}
	data["JSON"] = string(raw)
	return nil
}

// ruleButtons handles the editor's own buttons (add, remove, refresh,
// preview, import): the page comes back with the form, nothing is saved.
func (u *UI) ruleButtons(w http.ResponseWriter, r *http.Request, k ruleKind, rl *automation.Rule, f form) (bool, error) {
	switch {
	case editButtons(r, f):
		return true, u.rulePageWith(w, r, k, http.StatusOK, rl, f, "", "", nil)
	case r.PostFormValue("import") != "":
		st := http.StatusOK
		if !importJSON(f, false) {
			st = http.StatusBadRequest
		}
		return true, u.rulePageWith(w, r, k, st, rl, f, "", "", nil)
	case r.PostFormValue("preview") != "":
		rs, err := u.readRule(r, string(k.Kind), f)
		if err != nil {
			return true, err
		}
		extra := map[string]any{"Previewed": true}
		if !rs.ok {
			return true, u.rulePageWith(w, r, k, http.StatusBadRequest, rl, f, "", "", extra)
		}
		res, msg, err := u.previewOf(r, k.Kind, rs.conds, f, rs.condPaths, rs.b)
		if err != nil {
			return true, err
		}
		if res == nil {
			return true, u.rulePageWith(w, r, k, http.StatusBadRequest, rl, f, "", msg, extra)
		}
		extra["Preview"] = res
		return true, u.rulePageWith(w, r, k, http.StatusOK, rl, f, "", "", extra)
	}
	return false, nil
}

// ruleFromForm reads the rule form into a rule; false when a row is
// incomplete.
func (u *UI) ruleFromForm(r *http.Request, k ruleKind, f form) (automation.RuleInput, *ruleState, error) {
	active := f.v("active") != ""
	in := automation.RuleInput{Name: f.v("name"), Description: f.v("description"), Active: &active}
	st, err := u.readRule(r, string(k.Kind), f)
	if err != nil {
		return in, nil, err
	}
	in.Conditions, in.Actions = st.conds, st.acts
	return in, st, nil
}

// ruleToForm fills the editor from a stored rule.
func ruleToForm(rl automation.Rule) form {
	f := newForm(map[string]string{"name": rl.Name, "description": rl.Description})
	if rl.Active {
		f.Values["active"] = "on"
	}
	conditionsForm(f, rl.Conditions)
	actionsForm(f, rl.Actions)
	return f
}
