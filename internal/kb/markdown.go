package kb

import (
	"bytes"
	"strings"
	"unicode"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	xhtml "golang.org/x/net/html"
	"golang.org/x/text/unicode/norm"
)

// renderer turns an article's Markdown into HTML. goldmark does not pass
// raw HTML through by default, and its output is sanitised all the same,
// because an article written by one agent is read by customers.
type renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

func newRenderer() *renderer {
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("http", "https", "mailto", "tel")
	p.RequireNoFollowOnFullyQualifiedLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.AllowAttrs("class").Matching(bluemonday.SpaceSeparatedTokens).OnElements("code")
	return &renderer{md: goldmark.New(goldmark.WithExtensions(extension.GFM)), policy: p}
}

// html renders and sanitises Markdown.
func (r *renderer) html(src string) string {
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(src), &buf); err != nil {
		// goldmark fails only on a failing writer; a bytes.Buffer does not.
		return ""
	}
	return strings.TrimSpace(r.policy.Sanitize(buf.String()))
}

// plain is the rendered article as text on one line, for search and
// snippets: text nodes as written (inline tags add no space, so "the
// <strong>number</strong>" stays two words), blocks apart.
func plain(src string) string {
	z := xhtml.NewTokenizer(strings.NewReader(src))
	var b strings.Builder
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			return strings.Join(strings.Fields(b.String()), " ")
		case xhtml.TextToken:
			b.Write(z.Text())
		case xhtml.StartTagToken, xhtml.EndTagToken, xhtml.SelfClosingTagToken:
			name, _ := z.TagName()
			if !inline[string(name)] {
				b.WriteByte(' ')
			}
		}
	}
}

// inline elements do not separate words.
var inline = map[string]bool{"a": true, "strong": true, "em": true, "b": true, "i": true, "code": true, "del": true, "span": true, "sub": true, "sup": true, "mark": true}

// folds are letters that lose nothing a reader needs when a URL spells
// them in ASCII and that Unicode does not decompose.
var folds = map[rune]string{'æ': "ae", 'ø': "o", 'ß': "ss", 'đ': "d", 'ł': "l", 'þ': "th", 'ð': "d", 'œ': "oe"}

// Slugify makes a URL slug of a title: lower case ASCII letters and
// digits joined by hyphens, at most 80 characters ("Retur og bytte –
// slik gjør du" → "retur-og-bytte-slik-gjor-du").
func Slugify(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(strings.ToLower(title)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		case folds[r] != "":
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteString(folds[r])
		default:
			dash = true
		}
		if b.Len() >= 80 {
			break
		}
	}
	s := strings.Trim(b.String(), "-")
	if s == "" {
		return "article"
	}
	return s
}

// summarize is a meta description: the summary given, else the start of
// the text, cut at a word within 160 characters.
func summarize(summary, text string) string {
	if s := strings.TrimSpace(summary); s != "" {
		return s
	}
	r := []rune(text)
	if len(r) <= 160 {
		return text
	}
	cut := string(r[:160])
	if i := strings.LastIndexByte(cut, ' '); i > 80 {
		cut = cut[:i]
	}
	return cut + "…"
}
