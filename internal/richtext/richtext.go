// Package richtext turns untrusted HTML into HTML that is safe to show agents
// and customers, and converts between HTML and readable plain text. Every
// comment stores both forms: text for search, previews and email; sanitised
// HTML for display.
package richtext

import (
	"html"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	xhtml "golang.org/x/net/html"
)

// Sanitizer holds the HTML policy; build one with New and share it (it is
// safe for concurrent use).
type Sanitizer struct {
	policy *bluemonday.Policy
}

// New returns the strict policy for inbound and agent-written HTML: user
// generated content tags, no scripts, styles, forms or event handlers; links
// get rel=noopener nofollow and open in a new tab; images only from https,
// data: (inline) and cid: (email parts rewritten later) sources.
func New() *Sanitizer {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.AllowURLSchemes("http", "https", "mailto", "tel", "cid")
	p.AllowDataURIImages()
	p.AllowAttrs("style").Globally()
	p.AllowStyles("color", "background-color", "text-align", "font-weight", "font-style", "text-decoration").Globally()
	return &Sanitizer{policy: p}
}

// Sanitize returns safe HTML.
func (s *Sanitizer) Sanitize(untrusted string) string {
	return strings.TrimSpace(s.policy.Sanitize(untrusted))
}

// FromText renders plain text as HTML paragraphs with line breaks.
func FromText(text string) string {
	text = strings.ReplaceAll(strings.TrimSpace(text), "\r\n", "\n")
	if text == "" {
		return ""
	}
	var b strings.Builder
	for i, para := range strings.Split(text, "\n\n") {
		para = strings.Trim(para, "\n")
		if para == "" {
			continue
		}
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString("<p>")
		b.WriteString(strings.ReplaceAll(html.EscapeString(para), "\n", "<br>"))
		b.WriteString("</p>")
	}
	return b.String()
}

// blocks start a new line in the text form.
var blocks = map[string]bool{
	"p": true, "div": true, "br": true, "li": true, "tr": true, "h1": true, "h2": true, "h3": true,
	"h4": true, "h5": true, "h6": true, "blockquote": true, "pre": true, "table": true, "ul": true, "ol": true, "hr": true,
}

// ToText renders HTML as readable plain text: block elements become line
// breaks, list items get a bullet, links keep their address, scripts and
// styles are dropped.
func ToText(src string) string {
	z := xhtml.NewTokenizer(strings.NewReader(src))
	var b strings.Builder
	skip := 0
	var href string
	for {
		tt := z.Next()
		switch tt {
		case xhtml.ErrorToken:
			return tidy(b.String())
		case xhtml.TextToken:
			if skip == 0 {
				// Text reads the token once (a second call returns
				// nothing); the spaces at either end separate it from the
				// words of the tags around it.
				t := string(z.Text())
				words := strings.Join(strings.Fields(t), " ")
				if t != "" && isSpace(t[0]) && b.Len() > 0 && !isSpace(b.String()[b.Len()-1]) {
					b.WriteByte(' ')
				}
				b.WriteString(words)
				if words != "" && isSpace(t[len(t)-1]) {
					b.WriteByte(' ')
				}
			}
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			switch tag {
			case "script", "style", "head", "title":
				if tt == xhtml.StartTagToken {
					skip++
				}
				continue
			case "a":
				href = ""
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					if string(k) == "href" {
						href = string(v)
					}
				}
			case "li":
				b.WriteString("\n- ")
				continue
			case "img":
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					if string(k) == "alt" && len(v) > 0 {
						b.WriteString("[" + string(v) + "]")
					}
				}
			}
			if blocks[tag] {
				b.WriteString("\n")
			}
		case xhtml.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			switch tag {
			case "script", "style", "head", "title":
				if skip > 0 {
					skip--
				}
			case "a":
				if href != "" && strings.HasPrefix(href, "http") && !strings.Contains(b.String()[max(0, b.Len()-len(href)-2):], href) {
					b.WriteString(" (" + href + ")")
				}
				href = ""
			case "p", "div", "blockquote", "pre", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6":
				b.WriteString("\n")
			}
		}
	}
}

// tidy trims each line and collapses runs of blank lines to one.
func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

func tidy(s string) string {
	lines := strings.Split(s, "\n")
	out := make([]string, 0, len(lines))
	blank := 0
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			blank++
			if blank > 1 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
