package httpx

import (
	"net/url"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/ombud/ombud/internal/apperr"
)

func TestParseQuery(t *testing.T) {
	repeatTag := func(name string) bool { return name == "tag" }
	tests := []struct {
		name  string
		raw   string
		multi func(string) bool
		field string // "" = accepted
		want  url.Values
	}{
		{"empty", "", nil, "", url.Values{}},
		{"plain", "limit=5&cursor=abc", nil, "", url.Values{"limit": {"5"}, "cursor": {"abc"}}},
		{"escapes and plus", "q=a+b%20c%C3%A6&x=", nil, "", url.Values{"q": {"a b cæ"}, "x": {""}}},
		{"no value", "flag", nil, "", url.Values{"flag": {""}}},
		{"empty pairs", "&&a=1&", nil, "", url.Values{"a": {"1"}}},
		{"bad value escape", "cursor=%%%garbage", nil, "cursor", nil},
		{"truncated value escape", "from=2026-01-01%", nil, "from", nil},
		{"bad name escape", "%zz=1", nil, "query", nil},
		{"name with a control", "a%07b=1&a%07b=2", nil, "query", nil},
		{"invalid UTF-8 value", "q=%ff", nil, "q", nil},
		{"invalid UTF-8 name", "%ff=1", nil, "query", nil},
		{"semicolon", "a=1;b=2", nil, "query", nil},
		{"repeated", "limit=5&limit=6", nil, "limit", nil},
		{"repeated empty", "q=&q=", nil, "q", nil},
		{"repeat allowed", "tag=a&tag=b&limit=1", repeatTag, "", url.Values{"tag": {"a", "b"}, "limit": {"1"}}},
		{"repeat not allowed for others", "tag=a&limit=1&limit=2", repeatTag, "limit", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseQuery(tt.raw, tt.multi)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if len(got) != len(tt.want) {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
				for k, v := range tt.want {
					if !slices.Equal(got[k], v) {
						t.Fatalf("got %v, want %v", got, tt.want)
					}
				}
				return
			}
			e := apperr.As(err)
			if e.Code != apperr.CodeInvalid {
				t.Fatalf("code %s (%v), want invalid", e.Code, err)
			}
			if _, ok := e.Fields[tt.field]; !ok {
				t.Fatalf("fields %v lack %q", e.Fields, tt.field)
			}
		})
	}
}

// FuzzParseQuery: the strict parser never panics, refuses only with a
// client error, and what it accepts is what url.ParseQuery reads too (so
// handlers reading r.URL.Query() after the check see the same values), all
// valid UTF-8 and with no name repeated.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"", "a=1&b=2", "cursor=%%%garbage", "%zz=1", "limit=5&limit=6", "q=%ff", "a=1;b=2", "q=a+b%20", "&&=&"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := ParseQuery(raw, nil)
		if err != nil {
			if apperr.CodeOf(err) != apperr.CodeInvalid {
				t.Fatalf("%q: %v", raw, err)
			}
			return
		}
		lenient, lerr := url.ParseQuery(raw)
		if lerr != nil {
			t.Fatalf("%q accepted strictly but url.ParseQuery fails: %v", raw, lerr)
		}
		for k, vs := range got {
			if len(vs) != 1 || !utf8.ValidString(k) || !utf8.ValidString(vs[0]) {
				t.Fatalf("%q: %q = %q", raw, k, vs)
			}
			if !slices.Equal(lenient[k], vs) {
				t.Fatalf("%q: %q strict %q, lenient %q", raw, k, vs, lenient[k])
			}
		}
		if len(lenient) != len(got) {
			t.Fatalf("%q: strict %v, lenient %v", raw, got, lenient)
		}
	})
}
