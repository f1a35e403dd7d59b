package web

import (
	"slices"
	"strings"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/jobs"
	"github.com/ombud/ombud/internal/kb"
	"github.com/ombud/ombud/internal/orders"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/qa"
	"github.com/ombud/ombud/internal/report"
	"github.com/ombud/ombud/internal/schedule"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/training"
)

// paramDoc is a query parameter's schema and description.
type paramDoc struct {
	schema map[string]any
	desc   string
}

func str(desc string) paramDoc { return paramDoc{map[string]any{"type": "string"}, desc} }
func id(desc string) paramDoc {
	return paramDoc{map[string]any{"type": "integer", "format": "int64", "minimum": 1}, desc}
}
func oneOf[T ~string](desc string, vals []T) paramDoc {
	return paramDoc{map[string]any{"type": "string", "enum": anySlice(vals)}, desc}
}

// commaList is a parameter taking one or more values separated by commas.
func commaList[T ~string](desc string, vals []T) paramDoc {
	alts := make([]string, len(vals))
	for i, v := range vals {
		alts[i] = string(v)
	}
	pat := "^(" + strings.Join(alts, "|") + ")(,(" + strings.Join(alts, "|") + "))*$"
	return paramDoc{map[string]any{"type": "string", "pattern": pat}, desc + ": one or more of " + strings.Join(alts, ", ") + ", comma separated"}
}

var dateOrTime = paramDoc{map[string]any{"type": "string", "anyOf": []any{
	map[string]any{"format": "date"}, map[string]any{"format": "date-time"}}}, ""}

func dt(desc string) paramDoc {
	return paramDoc{dateOrTime.schema, desc + " (a date, 2026-03-01, or an RFC 3339 time)"}
}

// queryParams describes every query parameter by name; queryParamsAt
// overrides a name for the routes under a path prefix where it means
// something else. A route naming a parameter found in neither fails
// TestOpenAPIParams, so a new parameter is described when it is added.
var queryParams = map[string]paramDoc{
	"limit":           {map[string]any{"type": "integer", "minimum": 1, "maximum": page.MaxLimit, "default": page.DefaultLimit}, "page size"},
	"after_line":      {map[string]any{"type": "integer", "minimum": 0}, "resume an import: the committed_through_line of an earlier answer; customer and ticket records up to that line are skipped unread (teams, agents, organizations and fields are read again)"},
	"cursor":          str("the next_cursor of the previous page (opaque; belongs to the list and sort it came from)"),
	"q":               str("free text to match"),
	"status":          commaList("ticket status", ticket.Statuses),
	"priority":        commaList("priority", ticket.Priorities),
	"type":            commaList("ticket type", ticket.Types),
	"channel":         commaList("channel", ticket.Channels),
	"assignee_id":     {map[string]any{"type": "string", "pattern": "^([1-9][0-9]*|me|none)$"}, "an agent id, me or none (unassigned)"},
	"team_id":         id("team id"),
	"requester_id":    id("customer id of the requester"),
	"organization_id": id("organization id"),
	"agent_id":        id("agent id"),
	"mailbox_id":      id("mailbox id"),
	"tag":             str("tag (comma separated: tickets carrying all of them)"),
	"language":        str("language code (en, nb, sv, da, sl…)"),
	"created_from":    dt("created at or after"),
	"created_to":      dt("created before"),
	"updated_from":    dt("updated at or after"),
	"updated_to":      dt("updated before"),
	"sort":            oneOf("order; updated and created are older names of updated_desc and created_desc", ticket.Sorts),
	"tz":              str("IANA time zone for days and relative dates (default: your own)"),
	"from":            dt("period start"),
	"to":              dt("period end"),
	"format":          oneOf("answer as JSON, CSV (also with Accept: text/csv) or NDJSON", []string{"json", "csv", "ndjson"}),
	"bucket":          oneOf("series bucket (default: by the period's length)", []string{"day", "week", "month"}),
	"by":              oneOf("breakdown dimension", report.Dimensions),
	"stat":            oneOf("mean (default) or median: median adds each row's medians", []string{"mean", "median"}),
	"table":           oneOf("CSV of the knowledge report: articles (default) or searches (without a result)", []string{"articles", "searches"}),
	"kind":            commaList("fact kind", report.Kinds),
	"role":            oneOf("agent role", authz.Roles),
	"all":             {map[string]any{"type": "string", "enum": []any{"true", "false"}}, "everyone's (admins only)"},
	"filename":        str("the file's name"),
	"actor":           id("agent id of the actor"),
	"action":          str("action prefix (ticket., auth.…)"),
	"target":          str("target, e.g. ticket:12"),
	"ip":              str("client address"),
	"reviewer_id":     id("agent id of the reviewer"),
	"mine":            {map[string]any{"type": "string", "enum": []any{"true", "false"}}, "only your own"},
	"campaign_id":     id("NPS campaign id"),
	"section_id":      id("knowledge base section id"),
	"visibility":      oneOf("article visibility", kb.Visibilities),
	"outdated":        {map[string]any{"type": "string", "enum": []any{"true", "false"}}, "only articles past their verify-by date"},
	"date":            {map[string]any{"type": "string", "format": "date"}, "a day, 2026-03-01 (default: today)"},
}

// zendeskPages are the Zendesk API's pagination parameters.
var zendeskPages = map[string]paramDoc{
	"page":        {map[string]any{"type": "integer", "minimum": 1, "default": 1}, "offset page number"},
	"per_page":    {map[string]any{"type": "integer", "minimum": 1, "maximum": 100, "default": 100}, "offset page size"},
	"page[size]":  {map[string]any{"type": "integer", "minimum": 1, "maximum": 100, "default": 100}, "cursor page size (asks for cursor pagination)"},
	"page[after]": str("the after_cursor of the previous cursor page"),
	"sort_by":     str("accepted for Zendesk clients and ignored: lists are by id"),
	"sort_order":  {map[string]any{"type": "string", "enum": []any{"asc", "desc"}}, "accepted for Zendesk clients and ignored: lists are by id"},
	"query":       str("Zendesk search query (type:ticket, type:user, type:organization and keywords)"),
	"email":       str("an email address to find the user by"),
	"start_time":  {map[string]any{"type": "integer", "minimum": 0}, "Unix time in seconds: tickets changed at or after"},
	"include":     str("side-loads (accepted; none are added)"),
}

// number is a decimal parameter with its default.
func number(desc string, def float64) paramDoc {
	return paramDoc{map[string]any{"type": "number", "minimum": 0, "default": def}, desc}
}

// coverage are the staffing assumptions of /api/v1/coverage.
var coverage = map[string]paramDoc{
	"week":        {map[string]any{"type": "string", "format": "date"}, "a day in the week (default: this week)"},
	"channel":     oneOf("the channel planned for (default phone)", []string{"phone", "chat", "email"}),
	"aht":         number("average handling time in seconds (default by channel: phone 300, chat 600, email 480)", 600),
	"level":       number("service level target in percent", 80),
	"seconds":     number("answered within this many seconds (phone, chat)", 20),
	"sla_hours":   number("answered within this many hours (email)", 8),
	"concurrency": {map[string]any{"type": "integer", "minimum": 1, "default": 2}, "chats an agent handles at once"},
	"shrinkage":   number("percent of scheduled time not available for contacts", 30),
	"format":      oneOf("answer as JSON or CSV (also with Accept: text/csv)", []string{"json", "csv"}),
}

// budgetParams are the budget endpoints' parameters: the staffing plan's
// (as coverage's) and each endpoint's own.
var budgetParams = func() map[string]paramDoc {
	m := map[string]paramDoc{
		"weeks":           {map[string]any{"type": "integer", "minimum": 1, "maximum": 6, "default": 4}, "weeks of forecast (what-if, headcount)"},
		"from":            {map[string]any{"type": "string", "format": "date"}, "first day of the projected period (default: next Monday)"},
		"days":            {map[string]any{"type": "integer", "minimum": 1, "maximum": 42, "default": 7}, "days in the projected period"},
		"what_if_level":   number("the what-if's service level in percent (default: level)", 80),
		"what_if_seconds": number("the what-if's answer time in seconds (default: seconds)", 20),
		"volume_change":   {map[string]any{"type": "number", "minimum": -90, "maximum": 500, "default": 0}, "the what-if's volume change in percent"},
		"months":          {map[string]any{"type": "integer", "minimum": 1, "maximum": 24, "default": 12}, "months in the headcount plan (from next month)"},
		"headcount":       {map[string]any{"type": "integer", "minimum": 0}, "agents today (default: the agents on the schedule)"},
		"attrition":       {map[string]any{"type": "number", "minimum": 0, "maximum": 50, "default": 2}, "percent of agents leaving per month"},
		"lead_weeks":      {map[string]any{"type": "integer", "minimum": 0, "maximum": 52, "default": 6}, "weeks from starting to hire to taking contacts"},
		"fte_hours":       {map[string]any{"type": "number", "minimum": 1, "maximum": 80, "default": 37.5}, "contracted hours a week of a full-time agent"},
		"growth":          {map[string]any{"type": "number", "minimum": -50, "maximum": 100, "default": 0}, "percent growth of the need per month"},
		"month":           {map[string]any{"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}, "a past month, YYYY-MM (default: last month)"},
	}
	for k, v := range coverage {
		if k != "week" {
			m[k] = v
		}
	}
	return m
}()

var queryParamsAt = map[string]map[string]paramDoc{
	"/api/v1/jobs":                     {"state": oneOf("job state", jobs.States)},
	"/api/v1/inbound-messages":         {"state": oneOf("outcome", []string{"processed", "failed", "ignored"})},
	"/api/v1/webhooks/{id}/deliveries": {"state": oneOf("delivery state", []string{"pending", "delivered", "failed", "cancelled"})},
	"/api/v1/audit/export":             {"format": oneOf("csv or ndjson (default)", []string{"csv", "ndjson"})},
	"/api/v1/reports/tags":             {"limit": {map[string]any{"type": "integer", "minimum": 1, "maximum": 100, "default": 10}, "how many tags"}},
	"/api/v1/tokens":                   {"agent_id": id("another agent's tokens (agent.write)")},
	"/api/v1/tags":                     {"limit": {map[string]any{"type": "integer", "minimum": 1, "maximum": page.MaxLimit}, "how many tags"}},
	"/api/v2":                          zendeskPages,
	"/api/v2/incremental":              {"per_page": {map[string]any{"type": "integer", "minimum": 1, "maximum": 1000, "default": 1000}, "page size"}, "page[size]": {map[string]any{"type": "integer", "minimum": 1, "maximum": 1000, "default": 1000}, "page size"}, "cursor": str("the after_cursor of the previous page")},
	"/api/v1/coverage":                 coverage,
	"/api/v1/budget":                   budgetParams,
	"/api/v1/schedules":                {"from": {map[string]any{"type": "string", "format": "date"}, "first day (default: today)"}, "days": {map[string]any{"type": "integer", "minimum": 1, "maximum": 42, "default": 7}, "how many days"}, "format": oneOf("answer as JSON or CSV (also with Accept: text/csv)", []string{"json", "csv"})},
	"/api/v1/time-off":                 {"status": oneOf("request status", []string{schedule.Pending, schedule.Approved, schedule.Declined, schedule.Cancelled}), "format": oneOf("answer as JSON or CSV (also with Accept: text/csv)", []string{"json", "csv"})},
	"/api/v1/qa/reviews":               {"state": oneOf("review state", []string{qa.StateDraft, qa.StateSubmitted, qa.StateAcknowledged, qa.StateDisputed, qa.StateResolved}), "limit": {map[string]any{"type": "integer", "minimum": 1}, "how many reviews"}},
	"/api/v1/qa/iqs":                   {"from": {map[string]any{"type": "string", "format": "date-time"}, "period start, RFC 3339 (default: 12 weeks ago)"}, "to": {map[string]any{"type": "string", "format": "date-time"}, "period end, RFC 3339 (default: the end of this week)"}, "by": oneOf("per agent (default) or team", []string{"agent", "team"}), "bucket": oneOf("per week or month (default: the whole period)", []string{"week", "month"})},
	"/api/v1/nps/results":              {"bucket": oneOf("trend per week or month", []string{"week", "month"})},
	"/api/v1/training/assignments":     {"status": oneOf("open (assigned or in progress) or one state", []string{"open", training.Assigned, training.InProgress, training.Completed, training.Expired})},
	"/api/v1/returns":                  {"ticket_id": id("the cases of one ticket"), "status": oneOf("case status", orders.Statuses), "reason": str("a return reason code (Administration, Orders and returns), e.g. damaged"), "kind": oneOf("case kind", orders.Kinds)},
	"/api/v1/reports/returns":          {"from": {map[string]any{"type": "string", "format": "date"}, "first day (default: 29 days before today)"}, "to": {map[string]any{"type": "string", "format": "date"}, "last day, inclusive (default: today)"}, "tz": str("IANA time zone of the days (default UTC)")},
	"/api/v1/articles":                 {"state": oneOf("article state", kb.States), "language": str("language code (en, nb, sv, da, sl); for versions, default the source language")},
}

func lookupParam(rt Route, name string) (paramDoc, bool) {
	for prefix, m := range queryParamsAt {
		if (rt.Path == prefix || strings.HasPrefix(rt.Path, prefix+"/")) && m[name].schema != nil {
			return m[name], true
		}
	}
	d, ok := queryParams[name]
	return d, ok
}

func queryParamDoc(rt Route, name string) map[string]any {
	d, ok := lookupParam(rt, name)
	if !ok {
		d = str("")
	}
	p := map[string]any{"name": name, "in": "query", "schema": d.schema}
	if d.desc != "" {
		p["description"] = d.desc
	}
	return p
}

// pathParamDoc: every id in a path is a positive integer (a path with
// anything else is a 404).
func pathParamDoc(rt Route, name string) map[string]any {
	return map[string]any{"name": name, "in": "path", "required": true, "schema": map[string]any{"type": "integer", "format": "int64", "minimum": 1}}
}

// QueryParamKnown reports whether the document describes rt's query
// parameter name (for TestOpenAPIParams).
func QueryParamKnown(rt Route, name string) bool {
	_, ok := lookupParam(rt, name)
	return ok
}

// QueryParamNames are the names openapi_params.go describes anywhere.
func QueryParamNames() []string {
	seen := map[string]bool{}
	var out []string
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for n := range queryParams {
		add(n)
	}
	for _, m := range queryParamsAt {
		for n := range m {
			add(n)
		}
	}
	slices.Sort(out)
	return out
}
