package i18n

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestEveryKeyTranslated fails when a key of the catalog (the locale files
// and the Go parts merged) lacks a translation in some language or its
// translation has other format verbs, when a part lists a key twice or
// translates a key it does not list, and when two sources translate a key
// differently.
func TestEveryKeyTranslated(t *testing.T) {
	c, err := loaded()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parts() {
		seen := map[string]bool{}
		for _, k := range p.English {
			if seen[k] {
				t.Errorf("part %s: %q listed twice", p.Name, k)
			}
			seen[k] = true
		}
		for _, l := range Locales[1:] {
			table, ok := p.Translations[l.Code]
			if !ok {
				t.Errorf("part %s: no translation table for %s", p.Name, l.Code)
			}
			for k, v := range table {
				if !seen[k] {
					t.Errorf("part %s: %s translates %q, which is not in the part's English list", p.Name, l.Code, k)
				}
				// c holds the first source's text: the file, else the first part.
				if want, ok := c.tables[l.Code][k]; ok && want != v {
					t.Errorf("part %s: %s %q is %q, the catalog (files or an earlier part) says %q", p.Name, l.Code, k, v, want)
				}
			}
		}
	}
	for _, l := range Locales[1:] {
		for _, k := range c.keys {
			v := c.tables[l.Code][k]
			if strings.TrimSpace(v) == "" {
				t.Errorf("missing %s translation of %q (area %s)", l.Code, k, c.area[k])
				continue
			}
			if got, want := verbs(v), verbs(k); got != want {
				t.Errorf("%s %q: verbs %q, English has %q", l.Code, k, got, want)
			}
		}
	}
}

// verbs lists s's format verbs in sorted order (a translation may reorder
// its words, not its arguments' kinds).
func verbs(s string) string {
	vs := verbRE.FindAllString(s, -1)
	slices.Sort(vs)
	return strings.Join(vs, " ")
}

var verbRE = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

func TestT(t *testing.T) {
	tr, err := New()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, locale, key string
		args              []any
		want              string
	}{
		{"english", "en", "Sign out", nil, "Sign out"},
		{"norwegian", "nb", "Sign out", nil, "Logg ut"},
		{"swedish", "sv", "Sign out", nil, "Logga ut"},
		{"danish", "da", "Sign out", nil, "Log ud"},
		{"slovenian", "sl", "Sign out", nil, "Odjava"},
		{"region subtag", "nb-NO", "Sign out", nil, "Logg ut"},
		{"macrolanguage", "no", "Sign out", nil, "Logg ut"},
		{"format", "nb", "Select ticket %s", []any{"42"}, "Velg sak 42"},
		{"english format", "en", "%s tickets", []any{"3"}, "3 tickets"},
		{"unknown locale", "fr", "Sign out", nil, "Sign out"},
		{"empty locale", "", "Sign out", nil, "Sign out"},
		{"bad locale", "!!", "Sign out", nil, "Sign out"},
		{"unknown key", "nb", "Not a catalog string", nil, "Not a catalog string"},
		{"unknown key with percent", "sl", "#7 100% off", nil, "#7 100% off"},
		{"unknown key with args", "da", "no such %s", []any{"key"}, "no such key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tr.T(tt.locale, tt.key, tt.args...); got != tt.want {
				t.Errorf("T(%q, %q) = %q, want %q", tt.locale, tt.key, got, tt.want)
			}
		})
	}
}

func TestMatchAcceptLanguage(t *testing.T) {
	tr, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for header, want := range map[string]string{
		"":                        "en",
		"sv-SE,sv;q=0.9,en;q=0.8": "sv",
		"fr-FR,da;q=0.7":          "da",
		"nn-NO,nb;q=0.9":          "nb",
		"sl":                      "sl",
		"de-DE":                   "en",
		"not a header ;;; q=oops": "en",
		"en-GB,en;q=0.9":          "en",
	} {
		if got := tr.MatchAcceptLanguage(header); got != want {
			t.Errorf("MatchAcceptLanguage(%q) = %q, want %q", header, got, want)
		}
	}
}

// TestNoMarkup: the agent UI emits catalog strings as trusted HTML text
// (arguments are escaped separately), so no key or translation may carry
// markup or a character that would end an attribute.
func TestNoMarkup(t *testing.T) {
	check := func(locale, s string) {
		if strings.ContainsAny(s, `<>&"`) {
			t.Errorf("%s: %q contains one of <>&\"", locale, s)
		}
	}
	c, err := loaded()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range c.keys {
		check("en", k)
	}
	for code, table := range c.tables {
		for _, v := range table {
			check(code, v)
		}
	}
}
