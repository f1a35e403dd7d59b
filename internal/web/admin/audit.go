package admin

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/web/httpx"
)

// auditRow is one line of the audit log table.
type auditRow struct {
	audit.Entry
	When  string
	Actor string
}

// AuditPage answers GET /admin/audit: the audit log newest first, with the
// filters, a page of rows, export links carrying the same filter, and the
// retention setting.
func (u *UI) AuditPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	q := r.URL.Query()
	loc, lang := location(r), u.lang(r)
	f, err := audit.ParseFilter(q.Get, loc)
	if err != nil {
		return err
	}
	pr, err := page.Parse("50", q.Get("cursor"))
	if err != nil {
		return err
	}
	list, err := u.Audit.Search(ctx, actor, f, pr)
	if err != nil {
		return err
	}
	days, err := u.Audit.Retention(ctx, actor)
	if err != nil {
		return err
	}
	agents, _, err := u.agentChoices(ctx, actor)
	if err != nil {
		return err
	}
	for i := range agents {
		agents[i].Selected = agents[i].Value == q.Get("actor") && q.Get("actor") != ""
	}
	rows := make([]auditRow, 0, len(list.Data))
	for _, e := range list.Data {
		rows = append(rows, auditRow{Entry: e, When: when(lang, e.At, loc), Actor: actorLabel(e)})
	}
	// The filter as query parameters: the export links and the next page
	// carry exactly what the table shows.
	filter := url.Values{}
	for _, k := range audit.FilterParams {
		if v := strings.TrimSpace(q.Get(k)); v != "" {
			filter.Set(k, v)
		}
	}
	next := ""
	if list.NextCursor != nil {
		nv := cloneValues(filter)
		nv.Set("cursor", *list.NextCursor)
		next = "/admin/audit?" + nv.Encode()
	}
	csvQ, ndQ := cloneValues(filter), cloneValues(filter)
	csvQ.Set("format", "csv")
	ndQ.Set("format", "ndjson")
	flash := flashOf(r, map[string]string{"saved": u.tr(r, "Audit retention saved.")})
	return u.render(w, r, http.StatusOK, "audit", pageData{Title: "Audit log", Nav: "audit", Flash: flash, Data: map[string]any{
		"Rows": rows, "Agents": agents, "Next": next, "Filtered": len(filter) > 0, "Paged": q.Get("cursor") != "",
		"Action": q.Get("action"), "Target": q.Get("target"), "Q": q.Get("q"), "IP": q.Get("ip"), "From": q.Get("from"), "To": q.Get("to"),
		"ExportCSV": "/api/v1/audit/export?" + csvQ.Encode(), "ExportNDJSON": "/api/v1/audit/export?" + ndQ.Encode(),
		"Retention": days, "MaxRetention": audit.MaxRetention,
	}})
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

func actorLabel(e audit.Entry) string {
	switch {
	case e.ActorName != "":
		return e.ActorName
	case e.ActorID != 0:
		return "#" + strconv.FormatInt(e.ActorID, 10)
	}
	return ""
}

// diffRow is one field of a change: its path in the data and both sides,
// rendered as text.
type diffRow struct {
	Field, Before, After string
	Changed              bool
}

// AuditEntryPage answers GET /admin/audit/{id}: one row, its request, and
// its data — a before/after change as a field-by-field table with the
// changed fields marked, anything else as a list of fields.
func (u *UI) AuditEntryPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := httpx.PathID(r, "id", "audit entry")
	if err != nil {
		return err
	}
	e, err := u.Audit.Get(ctx, httpx.Actor(ctx), id)
	if err != nil {
		return err
	}
	loc, lang := location(r), u.lang(r)
	data := map[string]any{"Entry": e, "When": when(lang, e.At, loc), "Actor": actorLabel(e)}
	before, hasBefore := e.Data["before"]
	after, hasAfter := e.Data["after"]
	if hasBefore || hasAfter {
		data["Diff"] = diffOf(before, after)
		rest := map[string]any{}
		for k, v := range e.Data {
			if k != "before" && k != "after" {
				rest[k] = v
			}
		}
		data["Fields"] = auditFields(rest)
	} else {
		data["Fields"] = auditFields(e.Data)
	}
	for _, k := range []string{"Diff", "Fields"} {
		if rows, ok := data[k].([]diffRow); ok {
			for i := range rows {
				rows[i].Field = u.fieldPath(lang, rows[i].Field)
			}
		}
	}
	return u.render(w, r, http.StatusOK, "auditentry", pageData{Title: "Audit entry", Nav: "audit", Data: data})
}

// fieldPath shows a data path in the reader's language where its parts are
// known labels ("targets.0.first_reply" reads "targets › 0 › first reply").
func (u *UI) fieldPath(lang, path string) string {
	parts := strings.Split(path, ".")
	for i, p := range parts {
		parts[i] = u.labelIn(lang, p)
	}
	return strings.Join(parts, " › ")
}

// diffOf lines up the flattened fields of both sides, changed ones first
// kept in field order so related fields stay together.
func diffOf(before, after any) []diffRow {
	b, a := map[string]string{}, map[string]string{}
	flatten("", before, b)
	flatten("", after, a)
	keys := map[string]bool{}
	for k := range b {
		keys[k] = true
	}
	for k := range a {
		keys[k] = true
	}
	out := make([]diffRow, 0, len(keys))
	for k := range keys {
		out = append(out, diffRow{Field: k, Before: b[k], After: a[k], Changed: b[k] != a[k]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

// flatten writes v's leaves into out by dotted path ("targets.0.first_reply");
// a side that is null (a create or a delete) has no fields.
func flatten(prefix string, v any, out map[string]string) {
	key := func(k string) string {
		if prefix == "" {
			return k
		}
		return prefix + "." + k
	}
	switch x := v.(type) {
	case nil:
		if prefix != "" {
			out[prefix] = ""
		}
	case map[string]any:
		if len(x) == 0 && prefix != "" {
			out[prefix] = "{}"
		}
		for k, val := range x {
			flatten(key(k), val, out)
		}
	case []any:
		if len(x) == 0 && prefix != "" {
			out[prefix] = "[]"
		}
		for i, val := range x {
			flatten(key(strconv.Itoa(i)), val, out)
		}
	default:
		if prefix == "" {
			prefix = "value"
		}
		out[prefix] = scalar(x)
	}
}

func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// auditFields is a row's other data as sorted field/value pairs.
func auditFields(m map[string]any) []diffRow {
	flat := map[string]string{}
	flatten("", m, flat)
	out := make([]diffRow, 0, len(flat))
	for k, v := range flat {
		out = append(out, diffRow{Field: k, After: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

// SaveAuditRetention answers POST /admin/audit/retention.
func (u *UI) SaveAuditRetention(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		return err
	}
	raw := strings.TrimSpace(r.PostForm.Get("retention_days"))
	days, err := strconv.Atoi(raw)
	if err != nil {
		days = -1 // refused below with the field's message
	}
	if err := u.Audit.SetRetention(ctx, httpx.Actor(ctx), days); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/audit?"+url.Values{"saved": {fmt.Sprint(days)}}.Encode(), http.StatusSeeOther)
	return nil
}
