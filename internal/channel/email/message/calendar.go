package message

import (
	"strings"
	"time"
)

// parseCalendar reads the few iCalendar (RFC 5545) properties a ticket shows:
// METHOD of the calendar and SUMMARY, LOCATION, ORGANIZER, DTSTART and DTEND
// of the first VEVENT. It is deliberately minimal: no recurrence, no
// VTIMEZONE rules (TZID is looked up as an IANA or well-known Windows name).
func parseCalendar(s string) *Calendar {
	c := &Calendar{}
	depth := 0 // nesting inside the first VEVENT
	done := false
	for _, line := range unfoldICal(s) {
		name, params, value := splitICalLine(line)
		switch name {
		case "BEGIN":
			if depth > 0 {
				depth++ // VALARM and friends inside the event
			} else if strings.EqualFold(value, "VEVENT") && !done {
				depth = 1
			}
			continue
		case "END":
			if depth > 0 {
				depth--
				if depth == 0 {
					done = true
				}
			}
			continue
		case "METHOD":
			if depth == 0 {
				c.Method = strings.ToUpper(strings.TrimSpace(value))
			}
			continue
		}
		if depth != 1 {
			continue
		}
		switch name {
		case "SUMMARY":
			c.Summary = unescapeICal(value)
		case "LOCATION":
			c.Location = unescapeICal(value)
		case "ORGANIZER":
			c.Organizer = icalPerson(params, value)
		case "DTSTART":
			c.Start = parseICalTime(params, value)
		case "DTEND":
			c.End = parseICalTime(params, value)
		}
	}
	return c
}

// unfoldICal splits content lines and joins folded continuations (a line
// starting with a space or tab continues the previous one).
func unfoldICal(s string) []string {
	s = normaliseNewlines(s)
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if len(l) > 0 && (l[0] == ' ' || l[0] == '\t') && len(lines) > 0 {
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
	}
	return lines
}

// splitICalLine splits `NAME;P1=v;P2="a:b":value`. The value starts at the
// first colon outside a quoted parameter value.
func splitICalLine(line string) (name string, params map[string]string, value string) {
	inQuote := false
	colon := -1
	for i := 0; i < len(line); i++ {
		if line[i] == '"' {
			inQuote = !inQuote
		} else if line[i] == ':' && !inQuote {
			colon = i
			break
		}
	}
	if colon < 0 {
		return strings.ToUpper(strings.TrimSpace(line)), nil, ""
	}
	head := line[:colon]
	value = line[colon+1:]
	parts := splitOutsideQuotes(head, ';')
	name = strings.ToUpper(strings.TrimSpace(parts[0]))
	params = map[string]string{}
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(p, "=")
		params[strings.ToUpper(strings.TrimSpace(k))] = strings.Trim(strings.TrimSpace(v), `"`)
	}
	return name, params, value
}

func splitOutsideQuotes(s string, sep byte) []string {
	var out []string
	inQuote, start := false, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			inQuote = !inQuote
		case sep:
			if !inQuote {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

func unescapeICal(v string) string {
	r := strings.NewReplacer(`\n`, "\n", `\N`, "\n", `\,`, ",", `\;`, ";", `\\`, `\`)
	return strings.TrimSpace(r.Replace(v))
}

// icalPerson formats an ORGANIZER as "Name <email>" from its CN parameter
// and mailto: value.
func icalPerson(params map[string]string, value string) string {
	v := strings.TrimSpace(value)
	if len(v) >= 7 && strings.EqualFold(v[:7], "mailto:") {
		v = v[7:]
	}
	v = strings.ToLower(v)
	if cn := strings.TrimSpace(params["CN"]); cn != "" && v != "" {
		return cn + " <" + v + ">"
	}
	return v
}

func parseICalTime(params map[string]string, value string) time.Time {
	v := strings.TrimSpace(value)
	if strings.EqualFold(params["VALUE"], "DATE") || len(v) == 8 {
		t, _ := time.Parse("20060102", v)
		return t
	}
	if strings.HasSuffix(v, "Z") {
		t, _ := time.Parse("20060102T150405Z", v)
		return t
	}
	loc := time.UTC
	if tz := params["TZID"]; tz != "" {
		if l := lookupZone(tz); l != nil {
			loc = l
		}
	}
	t, _ := time.ParseInLocation("20060102T150405", v, loc)
	return t
}

// lookupZone resolves a TZID. Outlook uses Windows zone names; the common
// ones in our users' regions are mapped to their IANA equivalents.
func lookupZone(tz string) *time.Location {
	tz = strings.TrimPrefix(strings.TrimSpace(tz), "/")
	switch tz {
	case "W. Europe Standard Time":
		tz = "Europe/Berlin"
	case "Central Europe Standard Time":
		tz = "Europe/Budapest"
	case "Central European Standard Time":
		tz = "Europe/Warsaw"
	case "Romance Standard Time":
		tz = "Europe/Paris"
	case "GMT Standard Time":
		tz = "Europe/London"
	case "FLE Standard Time":
		tz = "Europe/Helsinki"
	case "Eastern Standard Time":
		tz = "America/New_York"
	case "Central Standard Time":
		tz = "America/Chicago"
	case "Mountain Standard Time":
		tz = "America/Denver"
	case "Pacific Standard Time":
		tz = "America/Los_Angeles"
	case "UTC", "Coordinated Universal Time", "Greenwich Standard Time":
		return time.UTC
	}
	if strings.Contains(tz, "..") {
		return nil
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil
	}
	return loc
}
