package i18n

import (
	"regexp"
	"regexp/syntax"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Services write their error and validation messages in English, the text
// the JSON API returns beside its stable code (programs read the code; the
// English stays). The agent UI shows the same messages to a person, so it
// translates them with Message: the English messages are catalog keys,
// and a message built with fmt.Sprintf ("ticket 12 was merged into 9") is
// matched against the catalog's formats, its arguments taken out and put
// into the translation.

// msgFormat is one catalog key with verbs, compiled to the texts it makes.
type msgFormat struct {
	key   string
	verbs []byte // the verb letter of each argument, in order
	hint  string // the key's longest literal, a cheap first test
	// re matches the key's texts, one group per argument. It is compiled
	// from pattern on the first message that contains the hint: compiling
	// every format's expression at start held ≈ 2 MiB of heap for
	// expressions most servers never run (Message serves error messages
	// in the languages other than English).
	pattern string
	re      func() *regexp.Regexp
}

var verbRe = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?([sdvqfx%])`)

// compileFormats returns the keys with verbs, the most literal text first
// so "ticket %s not found" wins over "%s %s not found".
func compileFormats(keys []string) []msgFormat {
	var out []msgFormat
	for _, k := range keys {
		ms := verbRe.FindAllStringSubmatchIndex(k, -1)
		if len(ms) == 0 {
			continue
		}
		var b strings.Builder
		var verbs []byte
		hint, last := "", 0
		lit := func(s string) {
			b.WriteString(regexp.QuoteMeta(s))
			if len(s) > len(hint) {
				hint = s
			}
		}
		b.WriteString("^")
		ok := true
		for _, m := range ms {
			lit(k[last:m[0]])
			last = m[1]
			v := k[m[6]]
			if v == '%' {
				b.WriteString("%")
				continue
			}
			if m[2] >= 0 {
				ok = false // indexed verbs are for translations, not English keys
				break
			}
			verbs = append(verbs, v)
			switch v {
			case 'd':
				b.WriteString(`(-?\d+)`)
			case 'q':
				b.WriteString(`("(?:[^"\\]|\\.)*")`)
			default:
				b.WriteString(`(.+?)`)
			}
		}
		if !ok || len(verbs) == 0 {
			continue
		}
		lit(k[last:])
		b.WriteString("$")
		pattern := b.String()
		if _, err := syntax.Parse(pattern, syntax.Perl); err != nil {
			continue // as before: a key whose expression does not compile is no format
		}
		out = append(out, msgFormat{key: k, verbs: verbs, hint: hint, pattern: pattern,
			re: sync.OnceValue(func() *regexp.Regexp {
				re, _ := regexp.Compile(pattern) // nil if it fails after all: the format matches nothing
				return re
			})})
	}
	literal := func(f msgFormat) int { return len(verbRe.ReplaceAllString(f.key, "")) }
	sort.SliceStable(out, func(i, j int) bool { return literal(out[i]) > literal(out[j]) })
	return out
}

// Message translates a message a service wrote in English into locale:
// a catalog key as it is, or a text one of the catalog's formats made,
// with its arguments (themselves translated where they are keys, such as
// a status name). Anything else is returned as it came.
func (tr *Translator) Message(locale, s string) string {
	if s == "" || tr.Match(locale) == Fallback {
		return s
	}
	if tr.keys[s] {
		return tr.String(locale, s)
	}
	for _, f := range tr.formats {
		if !strings.Contains(s, f.hint) {
			continue
		}
		re := f.re()
		if re == nil {
			continue
		}
		m := re.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		args := make([]any, len(f.verbs))
		for i, v := range f.verbs {
			a := m[i+1]
			switch v {
			case 'd':
				n, err := strconv.ParseInt(a, 10, 64)
				if err != nil {
					args[i] = a
					continue
				}
				args[i] = n
			case 'q':
				if u, err := strconv.Unquote(a); err == nil {
					a = u
				}
				args[i] = a // the translation quotes it with its own %q
				if tr.keys[a] {
					args[i] = tr.String(locale, a)
				}
			default:
				args[i] = a
				if tr.keys[a] {
					args[i] = tr.String(locale, a)
				}
			}
		}
		return tr.T(locale, f.key, args...)
	}
	return s
}
