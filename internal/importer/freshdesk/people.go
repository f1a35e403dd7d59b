package freshdesk

import (
	"encoding/json"
	"fmt"
	"html"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/importer"
)

func (r *reader) group(file string, i int, raw json.RawMessage) {
	var g group
	if !r.decode(file, "group", i, raw, &g) {
		return
	}
	s := src(file, "group", i, g.ID)
	if strings.TrimSpace(g.Name) == "" {
		r.c.Fail(s, "has no name")
		return
	}
	r.groups[g.ID] = g.Name
	r.c.Add(s, importer.Record{Kind: importer.KindTeam, Team: &importer.Team{Name: g.Name, Description: g.Description}})
}

func (r *reader) company(file string, i int, raw json.RawMessage) {
	var c company
	if !r.decode(file, "company", i, raw, &c) {
		return
	}
	s := src(file, "company", i, c.ID)
	if strings.TrimSpace(c.Name) == "" {
		r.c.Fail(s, "has no name")
		return
	}
	r.companies[c.ID] = c.Name
	var notes []string
	for _, x := range []string{c.Description, c.Note} {
		if strings.TrimSpace(x) != "" {
			notes = append(notes, strings.TrimSpace(x))
		}
	}
	var domains []string
	for _, d := range c.Domains {
		domains = append(domains, strings.ToLower(strings.TrimSpace(d)))
	}
	r.c.Add(s, importer.Record{Kind: importer.KindOrganization, Organization: &importer.Organization{
		Name: c.Name, Domains: domains, Notes: strings.Join(notes, "\n\n"), Created: c.CreatedAt}})
}

func (r *reader) field(file string, i int, raw json.RawMessage) {
	var f ticketField
	if !r.decode(file, "ticket field", i, raw, &f) {
		return
	}
	typ, ok := FieldTypes[f.Type]
	if !ok {
		return // a default field: subject, status, requester…
	}
	s := src(file, "ticket field", i, f.ID)
	if strings.TrimSpace(f.Label) == "" || f.Name == "" {
		r.c.Fail(s, "has no label or name")
		return
	}
	out := field{key: importer.FieldKey(f.Label), label: strings.TrimSpace(f.Label), typ: typ}
	if typ == "dropdown" {
		out.options = choices(f.Choices)
		if len(out.options) == 0 {
			r.c.Fail(s, "is a drop-down without choices")
			return
		}
	}
	r.addField(s, f.Name, out)
}

func (r *reader) addField(s, name string, f field) {
	r.fields[name] = f
	r.byLabel[strings.ToLower(f.label)] = name
	r.c.Add(s, importer.Record{Kind: importer.KindField, Field: &importer.Field{Key: f.key, Label: f.label, Type: f.typ, Options: f.options}})
}

// choices reads a drop-down's choices: a list of strings, or of objects
// with a value (or label).
func choices(raw json.RawMessage) []string {
	var out []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		for _, s := range list {
			add(s)
		}
		return out
	}
	var objs []struct {
		Value string `json:"value"`
		Label string `json:"label"`
	}
	if json.Unmarshal(raw, &objs) == nil {
		for _, o := range objs {
			add(firstNonEmpty(o.Value, o.Label))
		}
	}
	return out
}

func (r *reader) agent(file string, i int, raw json.RawMessage) {
	var a agentRec
	if !r.decode(file, "agent", i, raw, &a) {
		return
	}
	s := src(file, "agent", i, a.ID)
	email := strings.ToLower(strings.TrimSpace(a.Contact.Email))
	if email == "" {
		r.c.Fail(s, "has no contact.email")
		return
	}
	r.agents[a.ID] = email
	r.byName[strings.ToLower(strings.TrimSpace(a.Contact.Name))] = email
	r.c.Add(s, importer.Record{Kind: importer.KindAgent, Agent: &importer.Agent{Email: email, Name: firstNonEmpty(a.Contact.Name, email), Role: "agent", Created: a.CreatedAt}})
}

var localeRE = regexp.MustCompile(`^[a-z]{2,3}(-[a-z0-9]{2,8})?$`)

// contactEmail is the key a contact is imported under: the email, or a
// made-up address under freshdesk.invalid for one who has none.
func contactEmail(c contact) string {
	if e := strings.TrimSpace(c.Email); e != "" {
		return strings.ToLower(e)
	}
	return fmt.Sprintf("contact-%d@freshdesk.invalid", c.ID)
}

func (r *reader) contact(file string, i int, raw json.RawMessage) {
	var c contact
	if !r.decode(file, "contact", i, raw, &c) {
		return
	}
	s := src(file, "contact", i, c.ID)
	if c.ID == 0 {
		r.c.Fail(s, "has no id")
		return
	}
	r.contacts[c.ID] = c
	out := &importer.Customer{Name: firstNonEmpty(c.Name, contactEmail(c)), Emails: []string{contactEmail(c)}, Created: c.CreatedAt}
	for _, p := range []string{c.Phone, c.Mobile} {
		if n, err := customer.NormalizeIdentity("phone", p); err == nil && p != "" && !slices.Contains(out.Phones, n) {
			out.Phones = append(out.Phones, n)
		}
	}
	if l := strings.ToLower(c.Language); localeRE.MatchString(l) {
		out.Locale = l
	}
	if c.CompanyID != nil {
		out.Organization = r.companies[*c.CompanyID]
	}
	r.c.Add(s, importer.Record{Kind: importer.KindCustomer, Customer: out})
}

// value converts a custom field's value to what the Ombud field holds;
// ok is false for an empty one.
func value(f field, v any) (any, bool, error) {
	str := strings.TrimSpace(fmt.Sprint(v))
	switch f.typ {
	case "number":
		switch x := v.(type) {
		case float64:
			return x, true, nil
		case string:
			if str == "" {
				return nil, false, nil
			}
			n, err := strconv.ParseFloat(str, 64)
			if err != nil {
				return nil, false, fmt.Errorf("is not a number: %q", x)
			}
			return n, true, nil
		}
		return nil, false, fmt.Errorf("is not a number")
	case "checkbox":
		switch x := v.(type) {
		case bool:
			return x, true, nil
		case string:
			if b, err := strconv.ParseBool(strings.ToLower(str)); err == nil {
				return b, true, nil
			}
			if str == "" {
				return nil, false, nil
			}
		}
		return nil, false, fmt.Errorf("is not true or false")
	case "date":
		if str == "" {
			return nil, false, nil
		}
		if len(str) >= 10 {
			str = str[:10]
		}
		if _, err := time.Parse("2006-01-02", str); err != nil {
			return nil, false, fmt.Errorf("is not a date: %q", str)
		}
		return str, true, nil
	case "dropdown":
		if str == "" {
			return nil, false, nil
		}
		if !slices.Contains(f.options, str) {
			return nil, false, fmt.Errorf("is not one of the field's choices: %q", str)
		}
		return str, true, nil
	}
	return str, str != "", nil
}

var tagsRE = regexp.MustCompile(`(?s)<[^>]*>`)

// stripTags is the text of an HTML body, for a conversation that has no
// body_text.
func stripTags(s string) string {
	s = strings.NewReplacer("<br>", "\n", "<br/>", "\n", "<br />", "\n", "</p>", "\n", "</div>", "\n").Replace(s)
	return strings.TrimSpace(html.UnescapeString(tagsRE.ReplaceAllString(s, "")))
}

// files are attachments by their export links: the import copies them
// when it may fetch, else keeps them as links.
func files(as []attachment) []importer.File {
	var out []importer.File
	for _, a := range as {
		out = append(out, importer.File{Filename: a.Name, ContentType: a.ContentType, Size: a.Size, URL: a.AttachmentURL})
	}
	return out
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return strings.TrimSpace(x)
		}
	}
	return ""
}
