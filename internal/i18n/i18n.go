// Package i18n holds the user-interface message catalogs and a Translator
// that picks an agent's language. Keys are the English strings; each locale
// has one data file, locales/<code>/messages.gotext.json (see README.md).
package i18n

import (
	"fmt"
	"strings"
	"sync"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// Locale is one supported UI language.
type Locale struct {
	Code   string // BCP 47 tag, as stored in agents.locale
	Native string // the language's name in itself
}

// Locales are the supported UI languages, English (the fallback) first.
var Locales = []Locale{
	{"en", "English"},
	{"nb", "Norsk bokmål"},
	{"sv", "Svenska"},
	{"da", "Dansk"},
	{"sl", "Slovenščina"},
}

// Fallback is the locale used for unknown locales and keys.
const Fallback = "en"

// Part is one area's share of the catalog in Go: its English strings and
// their translations. Parts are a temporary second source, merged with the
// locale files at load (a key both hold must have the same translations);
// TestWriteCatalogs -write moves them into the files, after which the Go
// part file and its line in parts() are deleted.
type Part struct {
	Name    string
	English []string
	// Translations maps each non-English locale code to English → text.
	Translations map[string]map[string]string
}

// parts lists the catalog parts still kept in Go. New strings go into the
// locale files; a part added by a branch written before the files existed
// is listed here until TestWriteCatalogs -write moves it (README.md).
func parts() []Part {
	return []Part{}
}

// Translator formats UI strings in a locale. It is immutable after New and
// safe for concurrent use.
type Translator struct {
	printers map[string]*message.Printer
	keys     map[string]bool
	matcher  language.Matcher
	formats  []msgFormat // the keys with verbs, for Message (message.go)
}

// New returns the translator for all Locales. It is built once per
// process, like the catalog it reads (loaded): a Translator is immutable,
// and building one (every key into six catalogs, the formats compiled)
// cost about a second under the race detector for each of the services
// that asked for one at start-up.
func New() (*Translator, error) { return built() }

var built = sync.OnceValues(build)

// build makes the translator from the embedded catalog.
func build() (*Translator, error) {
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	tr := &Translator{printers: map[string]*message.Printer{}, keys: map[string]bool{}}
	c, err := readEmbedded()
	if err != nil {
		return nil, err
	}
	for _, k := range c.keys {
		tr.keys[k] = true
		if err := b.SetString(language.English, k, k); err != nil {
			return nil, fmt.Errorf("i18n: en %q: %w", k, err)
		}
	}
	tags := make([]language.Tag, 0, len(Locales))
	for _, l := range Locales {
		tag, err := language.Parse(l.Code)
		if err != nil {
			return nil, fmt.Errorf("i18n: locale %q: %w", l.Code, err)
		}
		tags = append(tags, tag)
		for k, v := range c.tables[l.Code] {
			if err := b.SetString(tag, k, v); err != nil {
				return nil, fmt.Errorf("i18n: %s %q: %w", l.Code, k, err)
			}
		}
		tr.printers[l.Code] = message.NewPrinter(tag, message.Catalog(b))
	}
	tr.matcher = language.NewMatcher(tags)
	tr.formats = compileFormats(c.keys)
	return tr, nil
}

// T translates key (an English string, possibly a format with args) into
// locale, falling back to English for unknown locales and keys.
func (tr *Translator) T(locale, key string, args ...any) string {
	if !tr.keys[key] {
		if len(args) == 0 {
			return key
		}
		return fmt.Sprintf(key, args...)
	}
	p, ok := tr.printers[tr.Match(locale)]
	if !ok {
		p = tr.printers[Fallback]
	}
	return p.Sprintf(key, args...)
}

// Match returns the supported locale code closest to locale ("nb-NO" and
// "no" give "nb"), or English.
func (tr *Translator) Match(locale string) string {
	if _, ok := tr.printers[locale]; ok {
		return locale
	}
	tag, err := language.Parse(strings.TrimSpace(locale))
	if err != nil {
		return Fallback
	}
	return tr.match(tag)
}

// MatchAcceptLanguage returns the supported locale that best fits an
// Accept-Language header, or English.
func (tr *Translator) MatchAcceptLanguage(header string) string {
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return Fallback
	}
	return tr.match(tags...)
}

func (tr *Translator) match(tags ...language.Tag) string {
	_, i, conf := tr.matcher.Match(tags...)
	if conf == language.No || i < 0 || i >= len(Locales) {
		return Fallback
	}
	return Locales[i].Code
}

// Has reports whether key is in the catalog.
func (tr *Translator) Has(key string) bool { return tr.keys[key] }

// String translates a plain key (no format arguments), for keys chosen at
// run time such as status labels and view names.
func (tr *Translator) String(locale, key string) string {
	var none []any // keys without verbs: format nothing, keep vet's printf check quiet
	return tr.T(locale, key, none...)
}
