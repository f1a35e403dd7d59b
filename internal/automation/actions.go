package automation

import (
	"encoding/json"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/opt"
	"github.com/ombud/ombud/internal/ticket"
)

// Action is one thing a rule or macro does:
//
//	{"type":"set_priority","value":"urgent"}
//	{"type":"set_assignee","value":12}            (null unassigns)
//	{"type":"add_tags","value":["vip"]}
//	{"type":"add_follower","value":12}
//	{"type":"add_note","body":"Escalated for {{requester.name}}"}
//	{"type":"send_reply","body":"Hi {{requester.first_name}}, …"}
//	{"type":"webhook","url":"https://example.com/hook"}
//	{"type":"slack","url":"https://hooks.slack.com/…","body":"Ticket #{{ticket.id}} is urgent"}
type Action struct {
	Type    string `json:"type"`
	Value   any    `json:"value,omitempty"`
	Body    string `json:"body,omitempty"`
	URL     string `json:"url,omitempty"`
	Subject string `json:"subject,omitempty"` // notify: the email's subject (placeholders allowed)
	// Texts are the subject and body in other languages, by language code
	// (texts.go): the recipient's language picks one, else Subject and Body.
	Texts map[string]ActionText `json:"texts,omitempty"`
}

// Action types.
var actionTypes = []string{"set_status", "set_priority", "set_type", "set_team", "set_assignee",
	"add_tags", "remove_tags", "add_follower", "add_note", "send_reply", "notify", "webhook", "slack"}

const maxActions = 20

// action is a validated Action.
type action struct {
	typ  string
	str  string           // set_status, set_priority, set_type
	id   opt.Value[int64] // set_team, set_assignee, add_follower
	tags []string
	body *Template // add_note, send_reply, slack, notify
	url  string
	// notify: who gets the email ("assignee", "followers" or an address)
	// and its subject.
	to      string
	subject *Template
	texts   map[string]compiledText
}

// compileActions validates actions for kind ("trigger", "automation" or
// "macro"); problems are reported as actions[i].field.
func compileActions(in []Action, kind string, fe apperr.FieldErrors) []action {
	if len(in) > maxActions {
		fe.Add("actions", apperr.TooMany(maxActions))
		return nil
	}
	out := make([]action, 0, len(in))
	for i, a := range in {
		p := fmt.Sprintf("actions[%d]", i)
		if !slices.Contains(actionTypes, a.Type) {
			fe.Add(p+".type", "must be one of "+strings.Join(actionTypes, ", "))
			continue
		}
		if kind == "macro" && (a.Type == "webhook" || a.Type == "slack") {
			fe.Add(p+".type", "is not available to macros")
			continue
		}
		c := action{typ: a.Type}
		v, has, err := rawValue(a.Value)
		if err != nil {
			fe.Add(p+".value", "is not valid JSON")
			continue
		}
		usesValue := a.Type != "add_note" && a.Type != "send_reply" && a.Type != "webhook" && a.Type != "slack"
		if !usesValue && has {
			fe.Add(p+".value", "is not used by "+a.Type)
		}
		usesBody := a.Type == "add_note" || a.Type == "send_reply" || a.Type == "slack" || a.Type == "notify"
		if a.Type != "notify" && a.Subject != "" {
			fe.Add(p+".subject", "is not used by "+a.Type)
		}
		if !usesBody && a.Body != "" {
			fe.Add(p+".body", "is not used by "+a.Type)
		}
		usesURL := a.Type == "webhook" || a.Type == "slack"
		if !usesURL && a.URL != "" {
			fe.Add(p+".url", "is not used by "+a.Type)
		}
		vp := p + ".value"
		switch a.Type {
		case "set_status", "set_priority", "set_type":
			options := map[string][]string{"set_status": statusStrs, "set_priority": ticket.Priorities, "set_type": ticket.Types}[a.Type]
			s, ok := v.(string)
			if !ok || !slices.Contains(options, s) || s == "new" {
				if a.Type == "set_status" {
					options = statusStrs[1:] // a ticket never returns to new
				}
				fe.Add(vp, "must be one of "+strings.Join(options, ", "))
				continue
			}
			c.str = s
		case "set_team", "set_assignee", "add_follower":
			if !has && a.Type != "add_follower" {
				c.id = opt.Null[int64]()
				break
			}
			n, ok := v.(json.Number)
			id, err := strconv.ParseInt(string(n), 10, 64)
			if !ok || err != nil || id <= 0 {
				fe.Add(vp, "must be a positive id"+map[bool]string{true: "", false: " or null"}[a.Type == "add_follower"])
				continue
			}
			c.id = opt.Of(id)
		case "add_tags", "remove_tags":
			var raw []string
			switch x := v.(type) {
			case string:
				raw = []string{x}
			case []any:
				for _, t := range x {
					s, ok := t.(string)
					if !ok {
						s = "\x00" // rejected by NormalizeTags below
					}
					raw = append(raw, s)
				}
			}
			if len(raw) == 0 {
				fe.Add(vp, "must be a tag or a non-empty list of tags")
				continue
			}
			c.tags = ticket.NormalizeTags(fe, vp, raw)
		case "notify":
			to, _ := v.(string)
			to = strings.TrimSpace(to)
			if to != "assignee" && to != "followers" && to != "requester" && !isEmailAddress(to) {
				fe.Add(vp, `must be "assignee", "followers", "requester" or an email address`)
				continue
			}
			c.to = to
			subj := a.Subject
			if subj == "" {
				subj = "[#{{ticket.id}}] {{ticket.subject}}"
			}
			st, err := ParseTemplate(subj)
			if err != nil || len(subj) > 500 {
				msg := "must be at most 500 characters"
				if err != nil {
					msg = err.Error()
				}
				fe.Add(p+".subject", msg)
				continue
			}
			c.subject = st
			fallthrough
		case "add_note", "send_reply", "slack":
			if strings.TrimSpace(a.Body) == "" {
				fe.Add(p+".body", "is required")
				continue
			}
			if len(a.Body) > 64<<10 {
				fe.Add(p+".body", "must be at most 64 KiB")
				continue
			}
			t, err := ParseTemplate(a.Body)
			if err != nil {
				fe.Add(p+".body", err.Error())
				continue
			}
			c.body = t
			if c.texts = compileTexts(a, p, fe); c.texts == nil && len(a.Texts) > 0 {
				continue
			}
		}
		if !usesBody && len(a.Texts) > 0 {
			fe.Add(p+".texts", "is not used by "+a.Type)
		}
		if usesURL {
			if err := checkURL(a.URL); err != nil {
				fe.Add(p+".url", err.Error())
				continue
			}
			c.url = a.URL
		}
		out = append(out, c)
	}
	return out
}

// isEmailAddress reports whether s is a bare address like a@b.example.
func isEmailAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s && strings.Contains(s, "@")
}

// CheckURL is checkURL for webhook subscriptions: the same rule for every
// URL Ombud posts to.
func CheckURL(s string) error { return checkURL(s) }

// checkURL accepts absolute http and https URLs only: other schemes (file:,
// gopher:) have no business in an outgoing webhook.
func checkURL(s string) error {
	if s == "" {
		return fmt.Errorf("is required")
	}
	if len(s) > 2000 {
		return fmt.Errorf("must be at most 2000 characters")
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return fmt.Errorf("must be an http or https URL without credentials")
	}
	return nil
}

// Template is reply text with {{placeholders}}. It is a tiny replacer rather
// than text/template so that rule authors (agents, not programmers) cannot
// call functions or loop, and an unknown placeholder is a validation error
// instead of an empty string in a customer's inbox.
type Template struct {
	parts []tmplPart
}

type tmplPart struct {
	lit string
	ph  string // placeholder name; "" for a literal
}

var (
	placeholderRE = regexp.MustCompile(`^[a-z_]+(\.[a-z_][a-z0-9_]*)?$`)
	placeholders  = []string{"ticket.id", "ticket.subject", "ticket.status", "ticket.priority", "ticket.type",
		"requester.name", "requester.first_name", "requester.email", "agent.name", "comment.body"}
)

// ParseTemplate parses text with {{name}} placeholders. Known names are
// ticket.id, ticket.subject, ticket.status, ticket.priority, ticket.type,
// requester.name, requester.first_name, requester.email, agent.name,
// comment.body (a trigger's public comment) and custom.<key>.
func ParseTemplate(s string) (*Template, error) {
	t := &Template{}
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			if strings.Contains(s, "}}") {
				return nil, fmt.Errorf("has }} without {{")
			}
			t.parts = append(t.parts, tmplPart{lit: s})
			return t, nil
		}
		if strings.Contains(s[:i], "}}") {
			return nil, fmt.Errorf("has }} without {{")
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			return nil, fmt.Errorf("has {{ without }}")
		}
		name := strings.TrimSpace(s[i+2 : i+j])
		if !placeholderRE.MatchString(name) || (!slices.Contains(placeholders, name) && !customRE.MatchString(name)) {
			return nil, fmt.Errorf("{{%s}} is not a known placeholder (use %s or custom.<key>)", name, strings.Join(placeholders, ", "))
		}
		t.parts = append(t.parts, tmplPart{lit: s[:i]}, tmplPart{ph: name})
		s = s[i+j+2:]
	}
}

// Render fills the placeholders from data; a missing value renders empty.
func (t *Template) Render(data map[string]string) string {
	var b strings.Builder
	for _, p := range t.parts {
		if p.ph == "" {
			b.WriteString(p.lit)
		} else {
			b.WriteString(data[p.ph])
		}
	}
	return b.String()
}

// templateData is what placeholders see of a ticket.
func templateData(t ticket.Ticket, agentName string) map[string]string {
	d := map[string]string{
		"ticket.id":       strconv.FormatInt(t.ID, 10),
		"ticket.subject":  t.Subject,
		"ticket.status":   string(t.Status),
		"ticket.priority": t.Priority,
		"ticket.type":     t.Type,
		"agent.name":      agentName,
	}
	if t.Requester != nil {
		d["requester.name"] = t.Requester.Name
		d["requester.email"] = t.Requester.Email
		first, _, _ := strings.Cut(strings.TrimSpace(t.Requester.Name), " ")
		d["requester.first_name"] = first
	}
	for k, v := range t.CustomFields {
		d["custom."+k] = scalarString(v)
	}
	return d
}

// plan is what a list of actions does to one ticket, worked out before
// anything is applied (macro previews show it as is).
type plan struct {
	patch    ticket.Patch
	comments []plannedComment
	posts    []plannedPost
	notices  []plannedNotice
	applied  []string // action types, for the run log
}

// plannedNotice is a notification email to send once the rule's changes
// are made.
type plannedNotice struct {
	to, subject, body string
	// byLang are the subject and body in other languages (texts.go).
	byLang map[string][2]string
}

type plannedComment struct {
	Body   string `json:"body"`
	Public bool   `json:"public"`
}

type plannedPost struct {
	url   string
	slack bool
	text  string
}

func buildPlan(acts []action, t ticket.Ticket, data map[string]string) plan {
	var p plan
	for _, a := range acts {
		p.applied = append(p.applied, a.typ)
		switch a.typ {
		case "set_status":
			s := ticket.Status(a.str)
			p.patch.Status = &s
		case "set_priority":
			s := a.str
			p.patch.Priority = &s
		case "set_type":
			s := a.str
			p.patch.Type = &s
		case "set_team":
			p.patch.TeamID = a.id
		case "set_assignee":
			p.patch.AssigneeID = a.id
		case "add_tags":
			p.patch.AddTags = appendNew(p.patch.AddTags, a.tags...)
			p.patch.RemoveTags = slices.DeleteFunc(p.patch.RemoveTags, func(x string) bool { return slices.Contains(a.tags, x) })
		case "remove_tags":
			p.patch.RemoveTags = appendNew(p.patch.RemoveTags, a.tags...)
			p.patch.AddTags = slices.DeleteFunc(p.patch.AddTags, func(x string) bool { return slices.Contains(a.tags, x) })
		case "add_follower":
			cur := t.FollowerIDs
			if p.patch.FollowerIDs != nil {
				cur = *p.patch.FollowerIDs
			}
			if !slices.Contains(cur, a.id.V) {
				next := append(slices.Clone(cur), a.id.V)
				p.patch.FollowerIDs = &next
			}
		case "add_note", "send_reply":
			_, body := a.textFor(t.Language)
			p.comments = append(p.comments, plannedComment{Body: body.Render(data), Public: a.typ == "send_reply"})
		case "notify":
			p.notices = append(p.notices, a.notice(data))
		case "webhook":
			p.posts = append(p.posts, plannedPost{url: a.url})
		case "slack":
			p.posts = append(p.posts, plannedPost{url: a.url, slack: true, text: a.body.Render(data)})
		}
	}
	return p
}

func appendNew(s []string, add ...string) []string {
	for _, x := range add {
		if !slices.Contains(s, x) {
			s = append(s, x)
		}
	}
	return s
}

// changes describes a patch for previews, by JSON field name.
func changes(p ticket.Patch) map[string]any {
	out := map[string]any{}
	if p.Status != nil {
		out["status"] = *p.Status
	}
	if p.Priority != nil {
		out["priority"] = *p.Priority
	}
	if p.Type != nil {
		out["type"] = *p.Type
	}
	if p.TeamID.Set {
		out["team_id"] = p.TeamID.Ptr()
	}
	if p.AssigneeID.Set {
		out["assignee_id"] = p.AssigneeID.Ptr()
	}
	if len(p.AddTags) > 0 {
		out["add_tags"] = p.AddTags
	}
	if len(p.RemoveTags) > 0 {
		out["remove_tags"] = p.RemoveTags
	}
	if p.FollowerIDs != nil {
		out["follower_ids"] = *p.FollowerIDs
	}
	return out
}
