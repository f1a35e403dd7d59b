package textcheck

import (
	"strings"
	"testing"
)

func TestLineAndBody(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		line, body bool // accepted as a single line, as a body
		cleanLine  string
	}{
		{"plain", "Order 123 is late", true, true, "Order 123 is late"},
		{"empty", "", true, true, ""},
		{"Norwegian and Slovenian", "Blåbær – Čestitke!", true, true, "Blåbær – Čestitke!"},
		{"Arabic with marks", "طلب \u200fرقم 5\u061c", true, true, "طلب \u200fرقم 5\u061c"},
		{"emoji", "👍🏽 thanks", true, true, "👍🏽 thanks"},
		{"tab", "a\tb", false, true, "a b"},
		{"LF", "a\nb", false, true, "a b"},
		{"CR", "a\rBcc: x@example.com", false, true, "a Bcc: x@example.com"},
		{"CRLF", "a\r\nb", false, true, "a  b"},
		{"NEL", "a\u0085b", false, false, "a b"},
		{"line separator", "a\u2028b", false, true, "a b"},
		{"paragraph separator", "a\u2029b", false, true, "a b"},
		{"bell", "a\u0007b", false, false, "ab"},
		{"escape", "\x1b[31mred", false, false, "[31mred"},
		{"DEL", "a\x7fb", false, false, "ab"},
		{"C1", "a\u0090b", false, false, "ab"},
		{"NUL", "a\x00b", false, false, "ab"},
		{"RLO", "invoice\u202Efdp.exe", false, true, "invoicefdp.exe"},
		{"LRE", "\u202Ax", false, true, "x"},
		{"PDF", "x\u202C", false, true, "x"},
		{"RLI", "a\u2067b\u2069", false, true, "ab"},
		{"FSI", "\u2068x", false, true, "x"},
		{"U+2065 is not an isolate", "a\u2065b", true, true, "a\u2065b"},
		{"invalid UTF-8", "caf\xe9", false, false, "caf\uFFFD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Line(tt.in) == ""; got != tt.line {
				t.Errorf("Line(%q) accepted = %v, want %v (%s)", tt.in, got, tt.line, Line(tt.in))
			}
			if got := Body(tt.in) == ""; got != tt.body {
				t.Errorf("Body(%q) accepted = %v, want %v (%s)", tt.in, got, tt.body, Body(tt.in))
			}
			if got := CleanLine(tt.in); got != tt.cleanLine {
				t.Errorf("CleanLine(%q) = %q, want %q", tt.in, got, tt.cleanLine)
			}
		})
	}
}

func TestCleanBody(t *testing.T) {
	for in, want := range map[string]string{
		"Hello\r\n\tthere\n":      "Hello\r\n\tthere\n",
		"page 1\fpage 2":          "page 1\npage 2",
		"a\x00b\x1bc":             "abc",
		"שלום \u202B עולם":        "שלום \u202B עולם",
		"bad \xff byte":           "bad \uFFFD byte",
		"vertical\vtab\u0085next": "vertical\ntab\nnext",
	} {
		if got := CleanBody(in); got != want {
			t.Errorf("CleanBody(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzClean: for any input, the checks never panic, the cleaned forms pass
// them, and text that passes is left exactly as it is.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"", "plain", "a\tb\r\nc", "\u202Ex", "\x00\x1b\x7f\u0085", "caf\xe9", "\u2028\u2029", "طلب \u200f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		line, body := CleanLine(s), CleanBody(s)
		if msg := Line(line); msg != "" {
			t.Fatalf("CleanLine(%q) = %q still fails: %s", s, line, msg)
		}
		if msg := Body(body); msg != "" {
			t.Fatalf("CleanBody(%q) = %q still fails: %s", s, body, msg)
		}
		if Line(s) == "" && line != s {
			t.Fatalf("CleanLine changed the valid line %q to %q", s, line)
		}
		if Body(s) == "" && body != s {
			t.Fatalf("CleanBody changed the valid body %q to %q", s, body)
		}
		if Line(s) == "" && Body(s) != "" {
			t.Fatalf("%q is a valid line but not a valid body", s)
		}
		if strings.ContainsRune(line, 0) || strings.ContainsRune(body, 0) {
			t.Fatalf("NUL survived cleaning %q", s)
		}
	})
}
