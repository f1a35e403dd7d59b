package search

import (
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
		{"foo:bar", `unknown field "foo" at position 1`},
		{"status:maybe", `bad value "maybe" for status`},
		{`"unterminated`, "unterminated quote at position 1"},
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
		"field.plan:gold,silver", `-field.city:"Mo i Rana"`, "field.seats>=10", "field.x:a:b", `field.x:a\b`} {
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
