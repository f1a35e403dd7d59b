// Package search parses the agent search-box language:
//
//	refund "exact phrase" status:open,pending -tag:spam assignee:me created>2026-01-01
//	#2628   2628   ola@example.no   created>7d   updated<yesterday
//
// Free words and phrases become full-text terms; field terms become filters;
// "#N" is ticket N. The parser is pure and reads no clock: relative dates
// (7d, yesterday, last_week) keep the agent's zone and are resolved by the
// store against its clock (Term.Resolve). Errors are apperr invalid errors
// on "q" whose cause is a *Problem, a message format the UI translates.
package search

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ombud/ombud/internal/apperr"
)

// Op is a field term's operator.
type Op string

// Operators.
const (
	OpIs Op = ":"
	OpGt Op = ">"
	OpGe Op = ">="
	OpLt Op = "<"
	OpLe Op = "<="
)

// Term is one field condition.
type Term struct {
	Field   string
	Op      Op
	Values  []string  // alternatives (OR); canonical lower case for enums
	Time    time.Time // date fields: the bound, or the day's start for ":"
	End     time.Time // date fields with ":": the next day's start
	Negated bool
	// Rel is a relative date ("7d", "24h", "yesterday", "last_week") read
	// in Loc; Time and End stay zero until Resolve gives them a clock.
	// The Op stays as typed: "created>yesterday" is after yesterday.
	Rel string
	Loc *time.Location
}

// Query is a parsed search.
type Query struct {
	Terms    []Term
	Words    []string
	Phrases  []string
	NotWords []string // negated words and phrases
}

// HasText reports whether the query has full-text words or phrases.
func (q Query) HasText() bool { return len(q.Words) > 0 || len(q.Phrases) > 0 }

// Dated reports whether the query has a date term, the only kind whose
// meaning depends on the zone it was parsed in: a caller whose zone costs
// a lookup parses in UTC first and again in the zone only when this holds.
func (q Query) Dated() bool {
	for _, t := range q.Terms {
		if isDate(t.Field) {
			return true
		}
	}
	return false
}

// Limits keep a query cheap to run.
const (
	MaxLen   = 1000
	MaxTerms = 50
)

var enums = map[string][]string{
	"status":   {"new", "open", "pending", "on_hold", "solved", "closed"},
	"priority": {"low", "normal", "high", "urgent"},
	"type":     {"question", "incident", "problem", "task", "complaint", "return"},
	"channel":  {"email", "chat", "web", "phone", "social", "api", "in_person"},
	// delivery:failed finds tickets with a reply that was not delivered.
	"delivery": {"failed"},
}

var aliases = map[string]string{"org": "organization", "lang": "language"}

var fields = map[string]bool{
	"status": true, "priority": true, "type": true, "channel": true, "assignee": true, "team": true,
	"requester": true, "organization": true, "tag": true, "language": true, "id": true,
	"created": true, "updated": true, "solved": true, "subject": true, "delivery": true,
}

func isDate(f string) bool { return f == "created" || f == "updated" || f == "solved" }

// FieldPrefix starts a custom-field term: field.order_no:1234. The parser
// only checks the key's shape; whether the field exists, and which values
// and operators its type takes, is the ticket store's call, since only it
// knows the definitions.
const FieldPrefix = "field."

// IsCustom reports whether a term's field is a custom field, and its key.
func IsCustom(field string) (key string, ok bool) {
	key, ok = strings.CutPrefix(field, FieldPrefix)
	return key, ok
}

// validKey mirrors the custom field key rule (ticket.fieldKeyRE) without
// a regexp: a lower-case letter, then up to 62 of a-z, 0-9 and _.
func validKey(k string) bool {
	if k == "" || len(k) > 63 || k[0] < 'a' || k[0] > 'z' {
		return false
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// Problem is why a query cannot be read: a message format from a fixed set
// and its arguments, so the UI can show it in the agent's language (the
// formats are catalog keys) while the API answers in English.
type Problem struct {
	Format string
	Args   []any
}

func (p *Problem) Error() string { return fmt.Sprintf(p.Format, p.Args...) }

// Invalid is a query error: apperr invalid on "q" in English, with the
// Problem as its cause. The ticket store uses it for errors only it can
// find (an unknown custom field), so those are translated too.
func Invalid(format string, args ...any) error {
	p := &Problem{Format: format, Args: args}
	e := apperr.InvalidField("q", p.Error())
	e.Err = p
	return e
}

func invalid(format string, args ...any) error { return Invalid(format, args...) }

// Parse parses q with dates in UTC.
func Parse(q string) (Query, error) { return ParseIn(q, time.UTC) }

// token is a lexed piece: a word (possibly field:value) or a quoted phrase.
type token struct {
	text    string
	quoted  bool // the whole token was a quoted phrase
	negated bool
	pos     int
}

// ParseIn parses q, reading date-only values as days in loc.
func ParseIn(q string, loc *time.Location) (Query, error) {
	var out Query
	if len(q) > MaxLen {
		return out, invalid("the query is longer than %d bytes", MaxLen)
	}
	if !utf8.ValidString(q) {
		return out, invalid("the query is not valid UTF-8")
	}
	toks, err := lex(q)
	if err != nil {
		return out, err
	}
	if len(toks) > MaxTerms {
		return out, invalid("the query has more than %d terms", MaxTerms)
	}
	for _, t := range toks {
		if t.quoted {
			if t.negated {
				out.NotWords = append(out.NotWords, t.text)
			} else {
				out.Phrases = append(out.Phrases, t.text)
			}
			continue
		}
		if id, ok := ticketRef(t.text); ok {
			out.Terms = mergeTerm(out.Terms, Term{Field: "id", Op: OpIs, Values: []string{id}, Negated: t.negated})
			continue
		}
		name, op, value, ok := splitField(t.text)
		if !ok {
			if strings.Contains(t.text, "\x00") {
				return Query{}, invalid("unexpected quote inside a word at position %d; put a space before the quote", t.pos+1)
			}
			w := t.text
			if t.negated {
				out.NotWords = append(out.NotWords, w)
			} else {
				out.Words = append(out.Words, w)
			}
			continue
		}
		term, err := fieldTerm(name, op, value, t.pos, loc)
		if err != nil {
			return Query{}, err
		}
		term.Negated = t.negated
		out.Terms = mergeTerm(out.Terms, term)
	}
	return out, nil
}

// ticketRef reads "#2628", the way agents write a ticket number: the
// ticket itself, not text. "#0", "#" and "#abc" stay words.
func ticketRef(s string) (string, bool) {
	n, ok := strings.CutPrefix(s, "#")
	if !ok || n == "" || len(n) > 18 {
		return "", false
	}
	for _, r := range n {
		if r < '0' || r > '9' {
			return "", false
		}
	}
	id, err := strconv.ParseInt(n, 10, 64)
	if err != nil || id <= 0 {
		return "", false
	}
	return strconv.FormatInt(id, 10), true
}

// mergeTerm folds repeated enum terms into one OR term (status:open
// status:pending), and ticket numbers into one id term ("#12 #13" is either
// ticket: two ids at once match nothing, so OR is the only useful reading).
func mergeTerm(terms []Term, t Term) []Term {
	if _, ok := enums[t.Field]; ok && t.Op == OpIs || t.Field == "id" && t.Op == OpIs {
		for i := range terms {
			if terms[i].Field == t.Field && terms[i].Op == OpIs && terms[i].Negated == t.Negated {
				for _, v := range t.Values {
					if !slices.Contains(terms[i].Values, v) {
						terms[i].Values = append(terms[i].Values, v)
					}
				}
				return terms
			}
		}
	}
	return append(terms, t)
}

func lex(q string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(q) {
		r, size := utf8.DecodeRuneInString(q[i:])
		if unicode.IsSpace(r) {
			i += size
			continue
		}
		start := i
		neg := false
		if q[i] == '-' && i+1 < len(q) && !isSpaceByte(q[i+1]) {
			neg = true
			i++
		}
		if q[i] == '"' {
			text, next, err := quoted(q, i)
			if err != nil {
				return nil, err
			}
			i = next
			if strings.TrimSpace(text) != "" {
				toks = append(toks, token{text: text, quoted: true, negated: neg, pos: start})
			}
			continue
		}
		// A bare token runs to the next space; a quote after field: starts a quoted value.
		var b strings.Builder
		for i < len(q) {
			r, size := utf8.DecodeRuneInString(q[i:])
			if unicode.IsSpace(r) {
				break
			}
			if r == '"' {
				text, next, err := quoted(q, i)
				if err != nil {
					return nil, err
				}
				b.WriteString("\x00" + text) // marks a quoted value
				i = next
				continue
			}
			b.WriteRune(r)
			i += size
		}
		if s := b.String(); s != "" && s != "-" {
			toks = append(toks, token{text: s, negated: neg, pos: start})
		}
	}
	return toks, nil
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// quoted reads a "…" string starting at q[i] == '"', with \" and \\ escapes.
func quoted(q string, i int) (string, int, error) {
	var b strings.Builder
	j := i + 1
	for j < len(q) {
		switch q[j] {
		case '\\':
			if j+1 < len(q) && (q[j+1] == '"' || q[j+1] == '\\') {
				b.WriteByte(q[j+1])
				j += 2
				continue
			}
		case '"':
			return b.String(), j + 1, nil
		}
		b.WriteByte(q[j])
		j++
	}
	return "", 0, invalid("Unterminated quote at position %d; end the phrase with a closing quote.", i+1)
}

// splitField splits "name:value", "name>=value" etc. A word whose prefix is
// not made of letters (a URL, a time 10:30) is plain text.
func splitField(s string) (name string, op Op, value string, ok bool) {
	idx := strings.IndexAny(s, ":<>")
	if idx <= 0 {
		return "", "", "", false
	}
	name = strings.ToLower(s[:idx])
	// A custom field's key may hold digits and comes after "field."; its
	// shape is checked by fieldTerm so a typo is named, not searched as text.
	custom := strings.HasPrefix(name, FieldPrefix)
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r == '_' || custom && (r >= '0' && r <= '9' || r == '.')) {
			return "", "", "", false
		}
	}
	rest := s[idx:]
	switch {
	case strings.HasPrefix(rest, ">="):
		op, value = OpGe, rest[2:]
	case strings.HasPrefix(rest, "<="):
		op, value = OpLe, rest[2:]
	case rest[0] == '>':
		op, value = OpGt, rest[1:]
	case rest[0] == '<':
		op, value = OpLt, rest[1:]
	default:
		op, value = OpIs, rest[1:]
	}
	if strings.HasPrefix(value, "//") {
		return "", "", "", false // http://…
	}
	return name, op, value, true
}

func fieldTerm(name string, op Op, value string, pos int, loc *time.Location) (Term, error) {
	if a, ok := aliases[name]; ok {
		name = a
	}
	if key, ok := IsCustom(name); ok {
		return customTerm(name, key, op, value, pos)
	}
	if !fields[name] {
		if near := nearestField(name); near != "" {
			return Term{}, invalid("Unknown field '%s' (at position %d). Did you mean %s:?", name, pos+1, near)
		}
		// The hint is query syntax, the same in every language (and kept
		// out of the format, which the catalogs hold as plain text).
		return Term{}, invalid("Unknown field '%s' (at position %d). Try %s", name, pos+1, "status:, tag:, assignee:, requester:, created>…")
	}
	if op != OpIs && !isDate(name) && name != "id" {
		return Term{}, invalid("%s takes only ':' (at position %d)", name, pos+1)
	}
	t := Term{Field: name, Op: op}
	quotedVal := strings.HasPrefix(value, "\x00")
	value = strings.ReplaceAll(value, "\x00", "")
	var values []string
	if quotedVal {
		values = []string{value}
	} else {
		for _, v := range strings.Split(value, ",") {
			if v = strings.TrimSpace(v); v != "" {
				values = append(values, v)
			}
		}
	}
	if len(values) == 0 {
		return Term{}, invalid("%s needs a value (at position %d)", name, pos+1)
	}
	switch {
	case enums[name] != nil:
		allowed := enums[name]
		for _, v := range values {
			v = strings.ToLower(v)
			if name == "status" && v == "unsolved" {
				for _, s := range []string{"new", "open", "pending", "on_hold"} {
					if !slices.Contains(t.Values, s) {
						t.Values = append(t.Values, s)
					}
				}
				continue
			}
			if !slices.Contains(allowed, v) {
				return Term{}, invalid("bad value %q for %s (want one of %s)", v, name, strings.Join(allowed, ", "))
			}
			if !slices.Contains(t.Values, v) {
				t.Values = append(t.Values, v)
			}
		}
	case isDate(name):
		if len(values) != 1 {
			return Term{}, invalid("%s takes one date", name)
		}
		if rel, ok, err := relative(values[0]); err != nil || ok {
			if err != nil {
				return Term{}, invalid("bad date %q for %s (want YYYY-MM-DD, an RFC 3339 time, an age such as 7d or 24h, or today, yesterday, this_week, last_week, this_month, last_month)", values[0], name)
			}
			if op == OpIs && !isPeriod(rel) {
				return Term{}, invalid("%s is an age; use %s for the last %s or %s for before", name+":"+rel, name+">"+rel, rel, name+"<"+rel)
			}
			t.Values, t.Rel, t.Loc = []string{rel}, rel, loc
			return t, nil
		}
		day, isDay, err := parseDate(values[0], loc)
		if err != nil {
			return Term{}, invalid("bad date %q for %s (want YYYY-MM-DD, an RFC 3339 time, an age such as 7d or 24h, or today, yesterday, this_week, last_week, this_month, last_month)", values[0], name)
		}
		t.Values = []string{values[0]}
		t.Time = day
		if op == OpIs {
			if !isDay {
				return Term{}, invalid("%s: takes a day (YYYY-MM-DD); use %s or %s with a time", name, ">", "<")
			}
			t.End = time.Date(day.In(loc).Year(), day.In(loc).Month(), day.In(loc).Day()+1, 0, 0, 0, 0, loc).UTC()
		}
		if isDay && (op == OpGt || op == OpLe) {
			// "after the day" means from the next day's start; "up to the day" includes it.
			t.Time = time.Date(day.In(loc).Year(), day.In(loc).Month(), day.In(loc).Day()+1, 0, 0, 0, 0, loc).UTC()
			if op == OpGt {
				t.Op = OpGe
			} else {
				t.Op = OpLt
			}
		}
	case name == "id":
		for _, v := range values {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				return Term{}, invalid("id needs a positive number, not %q", v)
			}
			t.Values = append(t.Values, strconv.FormatInt(n, 10))
		}
	case name == "language":
		for _, v := range values {
			v = strings.ToLower(v)
			for _, r := range v {
				if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
					return Term{}, invalid("bad language %q", v)
				}
			}
			t.Values = append(t.Values, v)
		}
	case name == "tag":
		for _, v := range values {
			t.Values = append(t.Values, strings.ToLower(v))
		}
	default:
		t.Values = values
	}
	return t, nil
}

// customTerm reads field.<key> terms. Every operator is accepted here; a
// comparison takes one value, ":" takes alternatives (a,b) or "*" for "has
// any value".
func customTerm(name, key string, op Op, value string, pos int) (Term, error) {
	if !validKey(key) {
		return Term{}, invalid("bad custom field key %q at position %d (a-z, 0-9 and _, starting with a letter)", key, pos+1)
	}
	t := Term{Field: name, Op: op}
	if strings.HasPrefix(value, "\x00") {
		t.Values = []string{strings.ReplaceAll(value, "\x00", "")}
	} else {
		for _, v := range strings.Split(strings.ReplaceAll(value, "\x00", ""), ",") {
			if v = strings.TrimSpace(v); v != "" {
				t.Values = append(t.Values, v)
			}
		}
	}
	if len(t.Values) == 0 || t.Values[0] == "" {
		return Term{}, invalid("%s needs a value (at position %d)", name, pos+1)
	}
	if op != OpIs && len(t.Values) != 1 {
		return Term{}, invalid("%s%s takes one value (at position %d)", name, op, pos+1)
	}
	return t, nil
}

// parseDate reads YYYY-MM-DD (a day in loc) or an RFC 3339 time.
func parseDate(s string, loc *time.Location) (time.Time, bool, error) {
	if d, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		return d.UTC(), true, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, false, err
	}
	return t.UTC(), false, nil
}

// String renders the query in canonical form; parsing it gives the same query.
func (q Query) String() string {
	var parts []string
	for _, t := range q.Terms {
		var b strings.Builder
		if t.Negated {
			b.WriteByte('-')
		}
		b.WriteString(t.Field)
		if isDate(t.Field) {
			b.WriteString(string(t.Op))
			if t.Rel != "" {
				b.WriteString(t.Rel)
			} else if t.Op == OpIs {
				b.WriteString(t.Values[0])
			} else {
				b.WriteString(t.Time.UTC().Format(time.RFC3339Nano))
			}
		} else {
			b.WriteString(string(t.Op))
			if len(t.Values) == 1 && needsQuote(t.Values[0]) {
				b.WriteString(quote(t.Values[0]))
			} else {
				b.WriteString(strings.Join(t.Values, ","))
			}
		}
		parts = append(parts, b.String())
	}
	for _, w := range q.Words {
		parts = append(parts, wordString(w))
	}
	for _, p := range q.Phrases {
		parts = append(parts, quote(p))
	}
	for _, w := range q.NotWords {
		parts = append(parts, "-"+quote(w))
	}
	return strings.Join(parts, " ")
}

func needsQuote(s string) bool {
	return s == "" || strings.ContainsAny(s, " \t\n\r\",\\\x00") || strings.IndexFunc(s, unicode.IsSpace) >= 0
}

func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// wordString renders a free word. Words come from bare tokens, so they hold
// no space or quote and never start with '-' (that negates); quoting one
// would turn it into a phrase.
func wordString(w string) string { return w }

// nearestField names the field a mistyped one most likely meant (one or
// two edits away), or "".
func nearestField(name string) string {
	best, bestD := "", 3
	if len(name) <= 4 {
		bestD = 2 // "tag" is one edit from many short words
	}
	names := make([]string, 0, len(fields)+len(aliases))
	for f := range fields {
		names = append(names, f)
	}
	for a := range aliases {
		names = append(names, a)
	}
	slices.Sort(names) // a tie goes to the same field every time
	for _, f := range names {
		if d := editDistance(name, f); d < bestD {
			best, bestD = f, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of two short ASCII-ish names.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
