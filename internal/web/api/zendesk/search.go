package zendesk

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/search"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/httpx"
)

// Zendesk's search language, translated to Ombud's (internal/search):
//
//	type:ticket status:open priority>normal tags:vip assignee:me
//	requester:ola@example.no group:Billing organization:Acme via:email
//	created>2026-01-01 updated<2days subject:refund "exact phrase" -tags:spam
//
// Statuses and priorities compare in Zendesk's order (status<solved is new,
// open, pending and hold); hold is Ombud's on_hold, via its channel, group
// its team, tags its tag, custom_field_<id> its field.<key>. Free words and
// phrases search subjects and comments as Ombud's search does. type:user
// and type:organization search people and organizations by name or email
// instead. order_by and sort are accepted and ignored: results come in
// Ombud's ranking.

// Search kinds.
const (
	kindTicket = "ticket"
	kindUser   = "user"
	kindOrg    = "organization"
)

var (
	statusOrder   = []string{"new", "open", "pending", "hold", "solved", "closed"}
	priorityOrder = []string{"low", "normal", "high", "urgent"}
	channelOf     = map[string]string{"email": "email", "chat": "chat", "web": "web", "voice": "phone", "phone": "phone", "api": "api", "any_channel": "social", "social": "social"}
)

// Translate turns a Zendesk query into the kind of record it searches and
// Ombud's query for it. fieldKeys maps custom field ids to keys.
func Translate(q string, fieldKeys map[int64]string) (kind, out string, err error) {
	kind = kindTicket
	var parts []string
	for _, tok := range tokens(q) {
		neg := ""
		text := tok
		if strings.HasPrefix(text, "-") && len(text) > 1 {
			neg, text = "-", text[1:]
		}
		if strings.HasPrefix(text, `"`) {
			parts = append(parts, neg+text)
			continue
		}
		key, op, val, ok := splitTerm(text)
		if !ok {
			parts = append(parts, neg+text)
			continue
		}
		key = strings.ToLower(key)
		switch key {
		case "type":
			switch strings.ToLower(val) {
			case "ticket":
				kind = kindTicket
			case "user":
				kind = kindUser
			case "organization":
				kind = kindOrg
			default:
				return "", "", badRequest("InvalidSearchQuery", "type:"+val+" is not searchable here: use ticket, user or organization")
			}
			continue
		case "order_by", "sort":
			continue
		case "status":
			vals, err := ordered("status", op, strings.ToLower(val), statusOrder)
			if err != nil {
				return "", "", err
			}
			for i, v := range vals {
				vals[i] = string(ombudStatus(v))
			}
			parts = append(parts, neg+"status:"+strings.Join(vals, ","))
			continue
		case "priority":
			vals, err := ordered("priority", op, strings.ToLower(val), priorityOrder)
			if err != nil {
				return "", "", err
			}
			parts = append(parts, neg+"priority:"+strings.Join(vals, ","))
			continue
		case "via":
			ch, ok := channelOf[strings.ToLower(val)]
			if !ok {
				return "", "", badRequest("InvalidSearchQuery", "via:"+val+" is not a channel Ombud has")
			}
			parts = append(parts, neg+"channel:"+ch)
			continue
		case "ticket_type":
			key = "type"
		case "tags", "tag":
			key = "tag"
		case "group":
			key = "team"
		case "assignee", "submitter":
			if key == "submitter" {
				return "", "", badRequest("InvalidSearchQuery", "submitter is not searchable in Ombud; use requester or assignee")
			}
			if n, err := strconv.ParseInt(val, 10, 64); err == nil {
				if u, ok := parseUserID(n); ok && u.agent {
					val = strconv.FormatInt(u.id, 10)
				}
			}
		case "requester", "organization", "created", "updated", "solved", "subject":
		case "description", "comment":
			parts = append(parts, neg+val)
			continue
		case "ticket_id":
			key = "id"
		default:
			if id, ok := strings.CutPrefix(key, "custom_field_"); ok {
				n, _ := strconv.ParseInt(id, 10, 64)
				k, found := fieldKeys[n]
				if !found {
					return "", "", badRequest("InvalidSearchQuery", key+" is not a custom field")
				}
				key = search.FieldPrefix + k
				break
			}
			if strings.HasPrefix(key, search.FieldPrefix) {
				break
			}
			return "", "", badRequest("InvalidSearchQuery", key+" is not a search keyword Ombud knows")
		}
		parts = append(parts, neg+key+op+val)
	}
	return kind, strings.Join(parts, " "), nil
}

// ordered expands a comparison of an ordered enumeration (status<solved)
// into the values it names.
func ordered(field, op, val string, order []string) ([]string, error) {
	i := slices.Index(order, val)
	if i < 0 {
		return nil, badRequest("InvalidSearchQuery", field+" must be one of "+strings.Join(order, ", "))
	}
	switch op {
	case ":", "=":
		return []string{val}, nil
	case "<":
		return slices.Clone(order[:i]), nil
	case "<=":
		return slices.Clone(order[:i+1]), nil
	case ">":
		return slices.Clone(order[i+1:]), nil
	case ">=":
		return slices.Clone(order[i:]), nil
	}
	return nil, badRequest("InvalidSearchQuery", field+op+val+" is not a comparison Ombud knows")
}

// tokens splits a query at spaces, keeping quoted phrases whole.
func tokens(q string) []string {
	var out []string
	var b strings.Builder
	quoted := false
	for _, r := range q {
		switch {
		case r == '"':
			quoted = !quoted
			b.WriteRune(r)
		case (r == ' ' || r == '\t' || r == '\n') && !quoted:
			if b.Len() > 0 {
				out = append(out, b.String())
				b.Reset()
			}
		default:
			b.WriteRune(r)
		}
	}
	if b.Len() > 0 {
		out = append(out, b.String())
	}
	return out
}

// splitTerm splits key:value, key>value, key<value, key>=value, key<=value.
func splitTerm(s string) (key, op, val string, ok bool) {
	i := strings.IndexAny(s, ":<>=")
	if i <= 0 {
		return "", "", "", false
	}
	key, rest := s[:i], s[i:]
	for _, o := range []string{">=", "<=", ":", "<", ">", "="} {
		if v, found := strings.CutPrefix(rest, o); found {
			if o == "=" {
				o = ":"
			}
			return key, o, v, v != ""
		}
	}
	return "", "", "", false
}

// Search answers GET /api/v2/search.json?query=: tickets, users or
// organizations, with offset pages (per_page at most 100, 1000 results).
func (a *API) Search(w http.ResponseWriter, r *http.Request) error {
	ctx, actor, base := r.Context(), httpx.Actor(r.Context()), a.base(r)
	raw := r.URL.Query().Get("query")
	if strings.TrimSpace(raw) == "" {
		return badRequest("InvalidSearchQuery", "query is required")
	}
	defs, err := a.Tickets.ListFields(ctx, actor)
	if err != nil {
		return err
	}
	keys := map[int64]string{}
	for _, f := range defs {
		keys[f.ID] = f.Key
	}
	kind, q, err := Translate(raw, keys)
	if err != nil {
		return err
	}
	p, err := readPager(r, maxPageSize)
	if err != nil {
		return err
	}
	p.cursor = false  // search pages by offset only, as Zendesk's does
	p.countCap = 1000 // and finds at most 1000: count stops there too
	if p.page*p.perPage > 1000 {
		return badRequest("InvalidPaginationParameter", "search returns at most 1000 results (page × per_page)")
	}
	var results []any
	var fields map[string]any
	switch kind {
	case kindUser:
		res, err := paginate(r, base, p, a.userLister(ctx, actor, base, strings.TrimSpace(q)), nil)
		if err != nil {
			return err
		}
		for _, u := range res.items {
			u.ResultType = "user"
			results = append(results, u)
		}
		fields = res.fields
	case kindOrg:
		res, err := paginate(r, base, p, func(pr page.Request) (page.List[customer.Organization], error) {
			return a.Customers.ListOrganizations(ctx, actor, customer.OrgFilter{Query: strings.TrimSpace(q), Page: pr})
		}, nil)
		if err != nil {
			return err
		}
		for _, o := range res.items {
			z := toOrganization(base, o)
			z.ResultType = "organization"
			results = append(results, z)
		}
		fields = res.fields
	default:
		query, err := search.Parse(q)
		if err != nil {
			return err
		}
		res, err := paginate(r, base, p, func(pr page.Request) (page.List[ticket.Ticket], error) {
			return a.Tickets.Search(ctx, actor, query, pr)
		}, nil)
		if err != nil {
			return err
		}
		ts, err := a.render(ctx, actor, base, res.items)
		if err != nil {
			return err
		}
		for _, t := range ts {
			t.ResultType = "ticket"
			results = append(results, t)
		}
		fields = res.fields
	}
	if results == nil {
		results = []any{}
	}
	out := with(fields, "results", results)
	out["facets"] = nil
	return writeJSON(w, http.StatusOK, out)
}
