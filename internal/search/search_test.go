package search

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/apperr"
)

func day(s string) time.Time {
	t, _ := time.Parse("2006-01-02", s)
	return t
}

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Query
	}{
		{"", Query{}},
		{"refund late", Query{Words: []string{"refund", "late"}}},
		{`"exact phrase" word`, Query{Words: []string{"word"}, Phrases: []string{"exact phrase"}}},
		{`"say \"hi\""`, Query{Phrases: []string{`say "hi"`}}},
		{"status:open", Query{Terms: []Term{{Field: "status", Op: OpIs, Values: []string{"open"}}}}},
		{"status:open,pending status:SOLVED", Query{Terms: []Term{{Field: "status", Op: OpIs, Values: []string{"open", "pending", "solved"}}}}},
		{"status:unsolved", Query{Terms: []Term{{Field: "status", Op: OpIs, Values: []string{"new", "open", "pending", "on_hold"}}}}},
		{"-tag:spam", Query{Terms: []Term{{Field: "tag", Op: OpIs, Values: []string{"spam"}, Negated: true}}}},
		{"tag:a tag:b", Query{Terms: []Term{{Field: "tag", Op: OpIs, Values: []string{"a"}}, {Field: "tag", Op: OpIs, Values: []string{"b"}}}}},
		{"assignee:me priority:urgent", Query{Terms: []Term{{Field: "assignee", Op: OpIs, Values: []string{"me"}}, {Field: "priority", Op: OpIs, Values: []string{"urgent"}}}}},
		{"requester:ola@example.no", Query{Terms: []Term{{Field: "requester", Op: OpIs, Values: []string{"ola@example.no"}}}}},
		{`org:"Fjord Kraft AS"`, Query{Terms: []Term{{Field: "organization", Op: OpIs, Values: []string{"Fjord Kraft AS"}}}}},
		{"lang:NB", Query{Terms: []Term{{Field: "language", Op: OpIs, Values: []string{"nb"}}}}},
		{"id>=10", Query{Terms: []Term{{Field: "id", Op: OpGe, Values: []string{"10"}}}}},
		{"created>=2026-01-01", Query{Terms: []Term{{Field: "created", Op: OpGe, Values: []string{"2026-01-01"}, Time: day("2026-01-01")}}}},
		{"created>2026-01-01", Query{Terms: []Term{{Field: "created", Op: OpGe, Values: []string{"2026-01-01"}, Time: day("2026-01-02")}}}},
		{"updated<=2026-01-01", Query{Terms: []Term{{Field: "updated", Op: OpLt, Values: []string{"2026-01-01"}, Time: day("2026-01-02")}}}},
		{"solved:2026-03-05", Query{Terms: []Term{{Field: "solved", Op: OpIs, Values: []string{"2026-03-05"}, Time: day("2026-03-05"), End: day("2026-03-06")}}}},
		{"created<2026-01-01T10:00:00Z", Query{Terms: []Term{{Field: "created", Op: OpLt, Values: []string{"2026-01-01T10:00:00Z"}, Time: time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)}}}},
		{"-refund", Query{NotWords: []string{"refund"}}},
		{`-"bad phrase"`, Query{NotWords: []string{"bad phrase"}}},
		{"https://ombud.test/x 10:30", Query{Words: []string{"https://ombud.test/x", "10:30"}}},
		{"passord æøå geslo čšž", Query{Words: []string{"passord", "æøå", "geslo", "čšž"}}},
		{"subject:faktura", Query{Terms: []Term{{Field: "subject", Op: OpIs, Values: []string{"faktura"}}}}},
		// Custom fields: the parser checks the key's shape and keeps values
		// as typed; the store knows the field types.
		{"field.order_number:1234", Query{Terms: []Term{{Field: "field.order_number", Op: OpIs, Values: []string{"1234"}}}}},
		{"Field.Plan:Gold,silver", Query{Terms: []Term{{Field: "field.plan", Op: OpIs, Values: []string{"Gold", "silver"}}}}},
		{"-field.x2:y", Query{Terms: []Term{{Field: "field.x2", Op: OpIs, Values: []string{"y"}, Negated: true}}}},
		{`field.city:"Mo i Rana"`, Query{Terms: []Term{{Field: "field.city", Op: OpIs, Values: []string{"Mo i Rana"}}}}},
		{"field.seats>=10", Query{Terms: []Term{{Field: "field.seats", Op: OpGe, Values: []string{"10"}}}}},
		{"field.renewal<2026-07-01", Query{Terms: []Term{{Field: "field.renewal", Op: OpLt, Values: []string{"2026-07-01"}}}}},
		{"field.plan:*", Query{Terms: []Term{{Field: "field.plan", Op: OpIs, Values: []string{"*"}}}}},
		{"field.a:1 field.a:2", Query{Terms: []Term{{Field: "field.a", Op: OpIs, Values: []string{"1"}}, {Field: "field.a", Op: OpIs, Values: []string{"2"}}}}},
		{"e.g.:x", Query{Words: []string{"e.g.:x"}}}, // a dotted word that is no custom field stays text
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("Parse(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParseInLocation(t *testing.T) {
	oslo, _ := time.LoadLocation("Europe/Oslo")
	q, err := ParseIn("created:2026-03-29", oslo) // the day Oslo moves to summer time: 23 hours
	if err != nil {
		t.Fatal(err)
	}
	if got := q.Terms[0].End.Sub(q.Terms[0].Time); got != 23*time.Hour {
		t.Fatalf("day length %v", got)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"foo:bar", `Unknown field 'foo' (at position 1)`},
		{"status:maybe", `bad value "maybe" for status`},
		{`"unterminated`, "Unterminated quote at position 1; end the phrase"},
		{"created>2026-13-01", `bad date "2026-13-01"`},
		{"priority>high", "priority takes only ':'"},
		{"status:", "status needs a value"},
		{"id:abc", "id needs a positive number"},
		{"created:2026-01-01T10:00:00Z", "takes a day"},
		{strings.Repeat("a ", 600), "longer than 1000 bytes"},
		{strings.Repeat("a ", 51), "more than 50 terms"},
		{"lang:n_b", "bad language"},
		{"field.:x", `bad custom field key ""`},
		{"field.9lives:x", `bad custom field key "9lives"`},
		{"field.a.b:x", `bad custom field key "a.b"`},
		{"field." + strings.Repeat("k", 64) + ":x", "bad custom field key"},
		{"field.plan:", "field.plan needs a value"},
		{`field.plan:""`, "field.plan needs a value"},
		{"field.seats>1,2", "takes one value"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := Parse(tt.in)
			e := apperr.As(err)
			if e.Code != apperr.CodeInvalid || !strings.Contains(e.Fields["q"], tt.want) {
				t.Fatalf("Parse(%q) = %v, want q error containing %q", tt.in, err, tt.want)
			}
		})
	}
}

// FuzzParse: never panics; on success the canonical form parses back to the
// same canonical form.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "refund", `"a b"`, "status:open,pending", "-tag:x", "created>2026-01-01", `org:"A B"`,
		"id>=3", `ab"cd"`, "-", `-""`, "http://x", "a:b:c", "status:unsolved lang:nb", ", 0", `0" "`,
		"field.plan:gold,silver", `-field.city:"Mo i Rana"`, "field.seats>=10", "field.x:a:b", `field.x:a\b`,
		"#12 #13", "-#5", "created>7d", "updated<yesterday", "created:last_week", "solved<=24h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		q, err := Parse(in)
		if err != nil {
			if apperr.CodeOf(err) != apperr.CodeInvalid {
				t.Fatalf("Parse(%q): non-client error %v", in, err)
			}
			return
		}
		s := q.String()
		q2, err := Parse(s)
		if err != nil {
			t.Fatalf("canonical %q of %q does not parse: %v", s, in, err)
		}
		if s2 := q2.String(); s2 != s {
			t.Fatalf("canonical form unstable: %q → %q → %q", in, s, s2)
		}
	})
}

// TestParseTicketNumbers: "#12" is the ticket itself, a bare number stays
// a word (the store matches it as a ticket id and as text).
func TestParseTicketNumbers(t *testing.T) {
	tests := []struct {
		in   string
		want Query
	}{
		{"#2628", Query{Terms: []Term{{Field: "id", Op: OpIs, Values: []string{"2628"}}}}},
		{"#12 #13", Query{Terms: []Term{{Field: "id", Op: OpIs, Values: []string{"12", "13"}}}}},
		{"-#5 refund", Query{Terms: []Term{{Field: "id", Op: OpIs, Values: []string{"5"}, Negated: true}}, Words: []string{"refund"}}},
		{"#007", Query{Terms: []Term{{Field: "id", Op: OpIs, Values: []string{"7"}}}}},
		{"2628", Query{Words: []string{"2628"}}},
		{"#abc #", Query{Words: []string{"#abc", "#"}}},
		{"#0", Query{Words: []string{"#0"}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("Parse(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// TestRelativeDates reads relative dates at a fixed time in Oslo, just
// after midnight there (still the day before in UTC), so a day or period
// computed in UTC would come out a day wrong.
func TestRelativeDates(t *testing.T) {
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, oslo) }
	now := at(2026, 3, 4, 0, 30) // a Wednesday; 2026-03-03 23:30 UTC
	tests := []struct {
		in       string
		op       Op
		rel      string
		from, to time.Time // to is zero for an age (one instant)
	}{
		{"created>7d", OpGt, "7d", at(2026, 2, 25, 0, 30), time.Time{}},
		{"updated<24h", OpLt, "24h", at(2026, 3, 3, 0, 30), time.Time{}},
		{"created>=2w", OpGe, "2w", at(2026, 2, 18, 0, 30), time.Time{}},
		{"updated<4hours", OpLt, "4h", at(2026, 3, 3, 20, 30), time.Time{}},
		{"created>1Day", OpGt, "1d", at(2026, 3, 3, 0, 30), time.Time{}},
		{"created:today", OpIs, "today", at(2026, 3, 4, 0, 0), at(2026, 3, 5, 0, 0)},
		{"created:Yesterday", OpIs, "yesterday", at(2026, 3, 3, 0, 0), at(2026, 3, 4, 0, 0)},
		{"updated<yesterday", OpLt, "yesterday", at(2026, 3, 3, 0, 0), at(2026, 3, 4, 0, 0)},
		{"created:this_week", OpIs, "this_week", at(2026, 3, 2, 0, 0), at(2026, 3, 9, 0, 0)},
		{"created:last_week", OpIs, "last_week", at(2026, 2, 23, 0, 0), at(2026, 3, 2, 0, 0)},
		{"created:last-week", OpIs, "last_week", at(2026, 2, 23, 0, 0), at(2026, 3, 2, 0, 0)},
		{"created:this_month", OpIs, "this_month", at(2026, 3, 1, 0, 0), at(2026, 4, 1, 0, 0)},
		{"created:last_month", OpIs, "last_month", at(2026, 2, 1, 0, 0), at(2026, 3, 1, 0, 0)},
		{"solved:this_year", OpIs, "this_year", at(2026, 1, 1, 0, 0), at(2027, 1, 1, 0, 0)},
		{"solved>last_year", OpGt, "last_year", at(2025, 1, 1, 0, 0), at(2026, 1, 1, 0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			q, err := ParseIn(tt.in, oslo)
			if err != nil {
				t.Fatal(err)
			}
			if len(q.Terms) != 1 {
				t.Fatalf("terms %+v", q.Terms)
			}
			term := q.Terms[0]
			if term.Op != tt.op || term.Rel != tt.rel || term.Loc != oslo {
				t.Fatalf("term %+v, want op %s rel %s in Oslo", term, tt.op, tt.rel)
			}
			r := term.Resolve(now)
			if !r.Time.Equal(tt.from) || !r.End.Equal(tt.to) {
				t.Fatalf("resolved [%v, %v), want [%v, %v)", r.Time.In(oslo), r.End.In(oslo), tt.from, tt.to)
			}
			// The canonical form keeps the relative date, so a saved view
			// stays relative.
			if s := q.String(); !strings.Contains(s, tt.rel) {
				t.Fatalf("String() = %q lost %q", s, tt.rel)
			}
		})
	}
	// The day the clocks go forward in Oslo is 23 hours long.
	q, err := ParseIn("created:today", oslo)
	if err != nil {
		t.Fatal(err)
	}
	r := q.Terms[0].Resolve(at(2026, 3, 29, 12, 0))
	if got := r.End.Sub(r.Time); got != 23*time.Hour {
		t.Fatalf("today on 2026-03-29 lasts %v", got)
	}
	// Bounds turn a term into the half-open range of matching times.
	bounds := []struct {
		in       string
		from, to time.Time
		incl     bool // to is inclusive (an instant with <=)
	}{
		{"created>yesterday", at(2026, 3, 4, 0, 0), time.Time{}, false},
		{"created>=yesterday", at(2026, 3, 3, 0, 0), time.Time{}, false},
		{"created<yesterday", time.Time{}, at(2026, 3, 3, 0, 0), false},
		{"created<=yesterday", time.Time{}, at(2026, 3, 4, 0, 0), false},
		{"created:yesterday", at(2026, 3, 3, 0, 0), at(2026, 3, 4, 0, 0), false},
		{"updated<24h", time.Time{}, at(2026, 3, 3, 0, 30), false},
	}
	for _, b := range bounds {
		q, err := ParseIn(b.in, oslo)
		if err != nil {
			t.Fatal(err)
		}
		from, to := q.Terms[0].Resolve(now).Bounds()
		if !from.Equal(b.from) || !to.Equal(b.to) {
			t.Errorf("%s: bounds [%v, %v), want [%v, %v)", b.in, from, to, b.from, b.to)
		}
	}
}

// TestParseErrorHints: errors carry their format and arguments (for the
// UI's translation) and a hint at what would work.
func TestParseErrorHints(t *testing.T) {
	tests := []struct{ in, want string }{
		{"colour:red", "Unknown field 'colour' (at position 1). Try status:, tag:, assignee:, requester:, created>…"},
		{"refund stauts:open", "Unknown field 'stauts' (at position 8). Did you mean status:?"},
		{"Tagg:vip", "Unknown field 'tagg' (at position 1). Did you mean tag:?"},
		{"created:7d", "created:7d is an age; use created>7d for the last 7d or created<7d for before"},
		{"created>7x", "bad date"},
		{"created>999999d", "bad date"},
		{"created>0d", "bad date"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := Parse(tt.in)
			if !strings.Contains(apperr.As(err).Fields["q"], tt.want) {
				t.Fatalf("Parse(%q) = %v, want %q", tt.in, err, tt.want)
			}
			var p *Problem
			if !errors.As(err, &p) || p.Format == "" || fmt.Sprintf(p.Format, p.Args...) != apperr.As(err).Fields["q"] {
				t.Fatalf("Parse(%q): no problem format behind %v", tt.in, err)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		in   string
		want Lookup
	}{
		{"2628", Lookup{Number: 2628}},
		{"#2628", Lookup{}}, // a term, not text
		{"2628 refund", Lookup{}},
		{"Ola.Nordmann@Example.no", Lookup{Email: "ola.nordmann@example.no"}},
		{"+47 912 34 567", Lookup{Phones: []string{"+4791234567", "1234567", "91234567", "791234567"}}},
		{"0047 91234567", Lookup{Phones: []string{"+4791234567", "1234567", "91234567", "791234567"}}},
		{"+47 (0)22 33 44 55", Lookup{Phones: []string{"+4722334455", "2334455", "22334455", "722334455"}}},
		{"91234567", Lookup{Number: 91234567, Phones: []string{"91234567", "+91234567"}, PhoneTail: "91234567"}},
		{"070-123 45 67", Lookup{Phones: []string{"0701234567", "+0701234567"}, PhoneTail: "701234567"}},
		{"12345", Lookup{Number: 12345}},
		{"ola nordmann", Lookup{}},
		{`"Ola Nordmann"`, Lookup{}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			q, err := Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, q.Lookup()); diff != "" {
				t.Fatalf("Lookup of %q (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// TestDated: a query has a date term exactly when its meaning depends on
// the zone it is parsed in (the API reads the agent's zone only then).
func TestDated(t *testing.T) {
	for _, tt := range []struct {
		q    string
		want bool
	}{
		{"refund", false},
		{"status:open tag:vip", false},
		{"#12 \"vennlig hilsen\"", false},
		{"field.due:2026-01-01", false},
		{"created:today", true},
		{"refund updated>2026-01-01", true},
		{"-solved<7d", true},
	} {
		q, err := ParseIn(tt.q, time.UTC)
		if err != nil {
			t.Fatalf("%q: %v", tt.q, err)
		}
		if got := q.Dated(); got != tt.want {
			t.Errorf("%q: Dated() = %v, want %v", tt.q, got, tt.want)
		}
	}
}
