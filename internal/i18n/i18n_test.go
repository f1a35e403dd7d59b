package i18n

import (
	"strings"
	"testing"
)

// TestEveryKeyTranslated fails when a string is added to the English list
// without a translation in every language, or a translation is left over
// for a string that no longer exists.
func TestEveryKeyTranslated(t *testing.T) {
	// A key shared by two parts must be translated the same way in both.
	first := map[string]map[string]string{} // locale → key → text
	firstPart := map[string]string{}
	for _, p := range parts() {
		seen := map[string]bool{}
		for _, k := range p.English {
			if seen[k] {
				t.Errorf("%s: %q listed twice", p.Name, k)
			}
			seen[k] = true
		}
		for _, l := range Locales {
			if l.Code == Fallback {
				continue
			}
			t.Run(p.Name+"/"+l.Code, func(t *testing.T) {
				table, ok := p.Translations[l.Code]
				if !ok {
					t.Fatalf("no translation table for %s", l.Code)
				}
				if first[l.Code] == nil {
					first[l.Code] = map[string]string{}
				}
				for _, k := range p.English {
					v, ok := table[k]
					if !ok || strings.TrimSpace(v) == "" {
						t.Errorf("missing %s translation of %q", l.Code, k)
						continue
					}
					if got, want := strings.Count(v, "%s"), strings.Count(k, "%s"); got != want {
						t.Errorf("%s %q: %d %%s verbs, English has %d", l.Code, k, got, want)
					}
					if prev, ok := first[l.Code][k]; ok && prev != v {
						t.Errorf("%s %q: %q here, %q in part %s", l.Code, k, v, prev, firstPart[k])
					}
					first[l.Code][k] = v
					if _, ok := firstPart[k]; !ok {
						firstPart[k] = p.Name
					}
				}
				for k := range table {
					if !seen[k] {
						t.Errorf("%s translates %q, which is not in the part's English list", l.Code, k)
					}
				}
			})
		}
	}
}

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
	english, translations := merged()
	for _, k := range english {
		check("en", k)
	}
	for code, table := range translations {
		for _, v := range table {
			check(code, v)
		}
	}
}
