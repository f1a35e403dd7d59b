package zendesk

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/importer"
)

var localeRE = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$`)

// userEmail is the key an end user is imported under: the email, or a
// made-up address under zendesk.invalid for a user who has none (a caller
// known by phone), so a second import finds the same customer.
func userEmail(u user) string {
	if e := strings.TrimSpace(u.Email); e != "" {
		return strings.ToLower(e)
	}
	return fmt.Sprintf("user-%d@zendesk.invalid", u.ID)
}

func (r *reader) user(file string, i int, u user) {
	s := src(file, "user", i, u.ID)
	if u.ID == 0 {
		r.c.Fail(s, "has no id")
		return
	}
	r.users[u.ID] = u
	name := strings.TrimSpace(u.Name)
	if name == "" {
		name = userEmail(u)
	}
	switch u.Role {
	case "agent", "admin":
		if strings.TrimSpace(u.Email) == "" {
			r.c.Fail(s, "is an agent without an email")
			delete(r.users, u.ID)
			return
		}
		r.c.Add(s, importer.Record{Kind: importer.KindAgent, Agent: &importer.Agent{Email: userEmail(u), Name: name, Role: u.Role, Created: u.CreatedAt}})
	default:
		c := &importer.Customer{Name: name, Emails: []string{userEmail(u)}, Created: u.CreatedAt}
		if p, err := customer.NormalizeIdentity("phone", u.Phone); err == nil && u.Phone != "" {
			c.Phones = []string{p}
		}
		if loc := strings.ToLower(u.Locale); localeRE.MatchString(loc) {
			c.Locale = loc
		}
		if u.OrganizationID != nil {
			c.Organization = r.orgs[*u.OrganizationID]
		}
		r.c.Add(s, importer.Record{Kind: importer.KindCustomer, Customer: c})
	}
}

func (r *reader) field(file string, i int, f ticketField) {
	typ, ok := FieldTypes[f.Type]
	if !ok {
		return // a system field: subject, status, priority, group, assignee…
	}
	s := src(file, "ticket field", i, f.ID)
	if strings.TrimSpace(f.Title) == "" {
		r.c.Fail(s, "has no title")
		return
	}
	rec := &importer.Field{Key: importer.FieldKey(f.Title), Label: strings.TrimSpace(f.Title), Type: typ}
	if typ == "dropdown" {
		for _, o := range f.Options {
			if n := strings.TrimSpace(o.Name); n != "" && !slices.Contains(rec.Options, n) {
				rec.Options = append(rec.Options, n)
			}
		}
		if len(rec.Options) == 0 {
			r.c.Fail(s, "is a drop-down without options")
			return
		}
	}
	r.fields[f.ID] = f
	r.keys[f.ID] = rec.Key
	r.c.Add(s, importer.Record{Kind: importer.KindField, Field: rec})
}

// fieldValue converts a custom field's value to what Ombud's field of the
// mapped type holds; ok is false for an empty value.
func (r *reader) fieldValue(f ticketField, v any) (any, bool, error) {
	if v == nil {
		return nil, false, nil
	}
	str := fmt.Sprint(v)
	switch FieldTypes[f.Type] {
	case "number":
		switch x := v.(type) {
		case float64:
			return x, true, nil
		case string:
			if strings.TrimSpace(x) == "" {
				return nil, false, nil
			}
			n, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
			if err != nil {
				return nil, false, fmt.Errorf("is not a number: %q", x)
			}
			return n, true, nil
		}
		return nil, false, fmt.Errorf("is not a number")
	case "checkbox":
		b, ok := v.(bool)
		if !ok {
			return nil, false, fmt.Errorf("is not true or false")
		}
		return b, true, nil
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
		for _, o := range f.Options {
			if o.Value == str || o.Name == str {
				return strings.TrimSpace(o.Name), true, nil
			}
		}
		return nil, false, fmt.Errorf("is not one of the field's options: %q", str)
	}
	if list, ok := v.([]any); ok { // multiselect: the options' names
		var names []string
		for _, x := range list {
			s := fmt.Sprint(x)
			for _, o := range f.Options {
				if o.Value == s {
					s = o.Name
				}
			}
			names = append(names, s)
		}
		str = strings.Join(names, ", ")
	}
	return str, str != "", nil
}
