package search

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Lookup is what a query's free text may name besides words in subjects
// and comments: a ticket by its number, or a person by email or phone. It
// is read without the database; the stores decide what exists.
type Lookup struct {
	Number int64  // the text is one bare number (2628): perhaps a ticket id
	Email  string // the text is one email address, lower case
	// Phones are the stored forms the text may be as a phone number: as
	// typed ("+4791234567", "0047…" read as "+47…"); typed without "+",
	// also with one added; typed with it, also its last 7 to 10 digits (a
	// number stored without country code).
	Phones []string
	// PhoneTail is the digits of a number typed without "+", without
	// trunk zeros ("0701234567" → "701234567"), when 7 or more: a stored
	// "+46701234567" ends with it.
	PhoneTail string
}

// IsZero reports whether the text names no number, email or phone.
func (l Lookup) IsZero() bool { return l.Number == 0 && l.Email == "" && len(l.Phones) == 0 }

// Text is the query's free words and phrases as typed, space-separated.
func (q Query) Text() string {
	return strings.Join(append(append([]string(nil), q.Words...), q.Phrases...), " ")
}

// Lookup reads the query's free text (see ReadLookup).
func (q Query) Lookup() Lookup {
	l := ReadLookup(q.Text())
	if len(q.Words) != 1 || len(q.Phrases) != 0 {
		l.Number = 0 // "2628 refund" is text; only a number alone is a ticket
	}
	return l
}

// PhoneTailLen is how many trailing digits the phone tail index keeps;
// a tail lookup needs at least this many.
const PhoneTailLen = 7

// ReadLookup reads free text as a ticket number, an email address or a
// phone number (spaces, dots, dashes, slashes and brackets allowed, as
// people write numbers: "+47 912 34 567", "(0)70-123 45 67").
func ReadLookup(text string) Lookup {
	var l Lookup
	text = strings.TrimSpace(text)
	if text == "" || len(text) > 254 {
		return l
	}
	if digitsOnly(text) && len(text) <= 18 {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil && n > 0 {
			l.Number = n
		}
	}
	if at := strings.IndexByte(text, '@'); at > 0 && at < len(text)-1 && !strings.ContainsAny(text, " \t\"<>,;") {
		l.Email = strings.ToLower(text)
		return l
	}
	// "+47 (0)22 …": the bracketed trunk zero is not dialled from abroad.
	if t := strings.TrimSpace(text); strings.HasPrefix(t, "+") || strings.HasPrefix(t, "00") {
		text = strings.Replace(text, "(0)", "", 1)
	}
	p := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '(', ')', '.', '-', '/':
			return -1
		}
		return r
	}, text)
	plus := strings.HasPrefix(p, "+")
	if strings.HasPrefix(p, "00") {
		p, plus = "+"+p[2:], true
	}
	digits := strings.TrimPrefix(p, "+")
	if !digitsOnly(digits) || len(digits) < 6 || len(digits) > 18 {
		return l
	}
	add := func(v string) {
		for _, x := range l.Phones {
			if x == v {
				return
			}
		}
		l.Phones = append(l.Phones, v)
	}
	add(p)
	if plus {
		// Typed with country code, perhaps stored without it.
		for n := PhoneTailLen; n <= 10 && n < len(digits); n++ {
			add(digits[len(digits)-n:])
		}
		return l
	}
	add("+" + digits)
	if tail := strings.TrimLeft(digits, "0"); len(tail) >= PhoneTailLen {
		l.PhoneTail = tail
	}
	return l
}

func digitsOnly(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// MaxPrefixTokens bounds the words of a search-as-you-type query.
const MaxPrefixTokens = 6

// PrefixTokens splits text typed so far into lower-case words of letters
// and digits, as the full-text indexes split names and subjects, for a
// prefix query whose last word is still being typed: "Kari Bak" gives
// kari, bak. Nothing in a token needs quoting in either engine's syntax.
// It returns nil when the last word is shorter than minLast (one letter
// would match half the index).
func PrefixTokens(text string, minLast int) []string {
	f := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	if len(f) == 0 || utf8.RuneCountInString(f[len(f)-1]) < minLast {
		return nil
	}
	if len(f) > MaxPrefixTokens {
		f = f[len(f)-MaxPrefixTokens:]
	}
	return f
}
