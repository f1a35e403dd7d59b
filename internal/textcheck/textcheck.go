// Package textcheck holds Ombud's one rule for the characters text fields
// may hold (docs/api.md, "Input rules"), so every domain validator applies
// it the same way:
//
//   - Single-line fields (subjects, names, labels): no control characters at
//     all — C0 (tab, CR and LF included), DEL and C1 — no line or paragraph
//     separator (U+2028, U+2029), and no bidirectional embedding, override
//     or isolate (U+202A–U+202E, U+2066–U+2069), which can make a name read
//     differently from what it is ("invoice\u202Efdp.exe"). The marks
//     U+200E, U+200F and U+061C that right-to-left text needs are fine.
//   - Multi-line bodies (descriptions, comments, notes, macro texts): no
//     control characters except tab, LF and CR. Bidirectional characters
//     are kept: bodies are shown as text, not as names, and right-to-left
//     writing uses them.
//
// Input from people (API, agent UI) is refused when it breaks the rule;
// input from channels (mail, imports) is cleaned with CleanLine and
// CleanBody first, since a customer's mail must not be lost over a tab in
// its subject.
package textcheck

import (
	"strings"
	"unicode/utf8"
)

// Line returns why s is not acceptable as a single-line field, or "".
func Line(s string) string {
	if !utf8.ValidString(s) {
		return "must be valid UTF-8"
	}
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == 0x2028 || r == 0x2029 || r == 0x85:
			return "must be a single line"
		case isControl(r):
			return "must not contain control characters"
		case isBidiControl(r):
			return "must not contain bidirectional embedding, override or isolate characters (U+202A–U+202E, U+2066–U+2069)"
		}
	}
	return ""
}

// Body returns why s is not acceptable as a multi-line body, or "".
func Body(s string) string {
	if !utf8.ValidString(s) {
		return "must be valid UTF-8"
	}
	for _, r := range s {
		if isControl(r) && r != '\t' && r != '\n' && r != '\r' {
			return "must not contain control characters other than tab and line breaks"
		}
	}
	return ""
}

// CleanLine makes s acceptable to Line: white-space controls and line
// separators become one space each, other controls and bidirectional
// controls are dropped, invalid UTF-8 becomes U+FFFD.
func CleanLine(s string) string {
	if Line(s) == "" {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == 0x85 || r == 0x2028 || r == 0x2029:
			return ' '
		case isControl(r) || isBidiControl(r):
			return -1
		}
		return r
	}, s)
}

// CleanBody makes s acceptable to Body: controls other than tab, LF and CR
// are dropped (a form feed becomes a line break), invalid UTF-8 becomes
// U+FFFD.
func CleanBody(s string) string {
	if Body(s) == "" {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r == '\f' || r == '\v' || r == 0x85:
			return '\n'
		case isControl(r):
			return -1
		}
		return r
	}, s)
}

// isControl reports C0, DEL and C1 (Unicode category Cc).
func isControl(r rune) bool { return r < 0x20 || (r >= 0x7f && r <= 0x9f) }

// isBidiControl reports the embeddings and overrides U+202A–U+202E and the
// isolates U+2066–U+2069.
func isBidiControl(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}
