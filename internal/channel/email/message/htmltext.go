package message

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// HTMLToText renders HTML as readable plain text: block elements start new
// lines, paragraphs are separated by a blank line, list items start with
// "- ", blockquotes are prefixed with "> " (so ExtractReply can treat them as
// quotes), and links read "text (url)" when the URL is not the text itself.
// Scripts, styles and the document head are dropped.
func HTMLToText(s string) string {
	// A streaming tokenizer rather than html.Parse: the tree builder
	// rejects documents nested deeper than 512 elements, which hostile
	// mail (and some generated newsletters) exceed, and text extraction
	// needs no tree. Unbalanced tags only shift line breaks.
	z := html.NewTokenizer(strings.NewReader(s))
	w := &textWriter{}
	var raw atom.Atom // inside script/style/title, whose text is not shown
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return validUTF8(tidyText(w.b.String()))
		case html.TextToken:
			if raw == 0 {
				w.text(string(z.Text()))
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			var attrs map[string]string
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				if key := string(k); key == "href" || key == "alt" {
					if attrs == nil {
						attrs = map[string]string{}
					}
					attrs[key] = string(v)
				}
			}
			switch a {
			case atom.Script, atom.Style, atom.Title, atom.Textarea, atom.Noscript, atom.Iframe, atom.Noembed, atom.Noframes, atom.Xmp:
				if tt == html.StartTagToken {
					raw = a
				}
				continue
			}
			w.enter(a, attrs)
			if tt == html.SelfClosingTagToken {
				w.leave(a)
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if raw != 0 {
				if a == raw {
					raw = 0
				}
				continue
			}
			w.leave(a)
		}
	}
}

// tidyText limits runs of blank lines to one and trims the ends.
func tidyText(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if strings.TrimSpace(strings.Trim(l, ">")) == "" && strings.TrimSpace(l) != "" {
			// A quote prefix on an otherwise empty line stays, as ">".
			l = strings.TrimSpace(l)
		}
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

type link struct {
	start int
	href  string
}

// textWriter accumulates text with pending line breaks and spaces, so that
// white space in the source collapses the way a browser renders it.
type textWriter struct {
	b         strings.Builder
	nl        int  // line breaks owed before the next text
	space     bool // a space owed before the next text
	started   bool // anything written yet
	lineStart bool
	quote     int // blockquote depth
	lastQuote int // quote depth of the last line written
	pre       int // inside <pre>
	list      int // list nesting
	links     []link
}

func (w *textWriter) block(n int) {
	if n > w.nl {
		w.nl = n
	}
}

// write emits visible text that contains no line breaks.
func (w *textWriter) write(s string) {
	if !w.started {
		w.lineStart = true
		w.nl = 0
	} else if w.nl > 0 {
		// Blank lines inside a quote carry its marker; between text at
		// different depths they take the shallower one.
		blankDepth := min(w.quote, w.lastQuote)
		for i := 0; i < w.nl; i++ {
			w.b.WriteByte('\n')
			if i < w.nl-1 && blankDepth > 0 {
				w.b.WriteString(strings.Repeat(">", blankDepth))
			}
		}
		w.lineStart = true
		w.nl = 0
	}
	if w.lineStart {
		if w.quote > 0 {
			w.b.WriteString(strings.Repeat(">", w.quote) + " ")
		}
		w.lineStart = false
	} else if w.space {
		w.b.WriteByte(' ')
	}
	w.space = false
	w.b.WriteString(s)
	w.started = true
	w.lastQuote = w.quote
}

func (w *textWriter) text(s string) {
	if w.pre > 0 {
		for i, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
			if i > 0 && w.started {
				w.nl++
			}
			if l != "" {
				w.write(strings.TrimRight(l, " \t"))
			}
		}
		return
	}
	s = strings.ReplaceAll(s, "\u200b", "")
	fields := strings.Fields(s)
	if len(fields) == 0 {
		if s != "" {
			w.space = true
		}
		return
	}
	if first := s[0]; first == ' ' || first == '\t' || first == '\n' || first == '\r' || strings.HasPrefix(s, "\u00a0") {
		w.space = true
	}
	for i, f := range fields {
		if i > 0 {
			w.space = true
		}
		w.write(f)
	}
	if last := s[len(s)-1]; last == ' ' || last == '\t' || last == '\n' || last == '\r' || strings.HasSuffix(s, "\u00a0") {
		w.space = true
	}
}

func (w *textWriter) enter(a atom.Atom, attrs map[string]string) {
	switch a {
	case atom.Br:
		if w.started {
			w.nl++
		}
		w.space = false
	case atom.Hr:
		w.block(1)
		w.write("---")
		w.block(1)
	case atom.Img:
		if alt := strings.TrimSpace(attrs["alt"]); alt != "" {
			w.write(collapseSpace(alt))
			w.space = true
		}
	case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Table, atom.Dl, atom.Figure, atom.Address:
		w.block(2)
	case atom.Ul, atom.Ol:
		w.block(w.listBreak())
		w.list++
	case atom.Blockquote:
		w.block(2)
		w.quote++
	case atom.Pre:
		w.block(2)
		w.pre++
	case atom.Li:
		w.block(1)
		indent := ""
		if w.list > 1 {
			indent = strings.Repeat("  ", w.list-1)
		}
		w.write(indent + "-")
		w.space = true
	case atom.Div, atom.Tr, atom.Dt, atom.Dd, atom.Section, atom.Article, atom.Header, atom.Footer,
		atom.Nav, atom.Aside, atom.Main, atom.Form, atom.Fieldset, atom.Center, atom.Caption,
		atom.Details, atom.Summary, atom.Figcaption, atom.Legend:
		w.block(1)
	case atom.Td, atom.Th:
		w.space = true
	case atom.A:
		w.links = append(w.links, link{start: w.b.Len(), href: strings.TrimSpace(attrs["href"])})
	}
}

// listBreak is the break around a list: a paragraph break at the top
// level, a line break for a list nested in a list item.
func (w *textWriter) listBreak() int {
	if w.list > 0 {
		return 1
	}
	return 2
}

func (w *textWriter) leave(a atom.Atom) {
	switch a {
	case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Table, atom.Dl, atom.Figure, atom.Address:
		w.block(2)
	case atom.Ul, atom.Ol:
		if w.list > 0 {
			w.list--
		}
		w.block(w.listBreak())
	case atom.Blockquote:
		if w.quote > 0 {
			w.quote--
		}
		w.block(2)
	case atom.Pre:
		if w.pre > 0 {
			w.pre--
		}
		w.block(2)
	case atom.Li, atom.Div, atom.Tr, atom.Dt, atom.Dd, atom.Section, atom.Article, atom.Header, atom.Footer,
		atom.Nav, atom.Aside, atom.Main, atom.Form, atom.Fieldset, atom.Center, atom.Caption,
		atom.Details, atom.Summary, atom.Figcaption, atom.Legend:
		w.block(1)
	case atom.A:
		if len(w.links) == 0 {
			return
		}
		l := w.links[len(w.links)-1]
		w.links = w.links[:len(w.links)-1]
		anchor := ""
		if l.start <= w.b.Len() {
			anchor = strings.TrimSpace(w.b.String()[l.start:])
		}
		if show := linkTarget(l.href, anchor); show != "" {
			w.space = true
			w.write("(" + show + ")")
		}
	}
}

// linkTarget returns what to print after a link's text, or "" when the URL
// adds nothing: no text to attach it to, an in-page or script link, or the
// text already is the address.
func linkTarget(href, anchor string) string {
	if href == "" || anchor == "" {
		return ""
	}
	lower := strings.ToLower(href)
	if strings.HasPrefix(lower, "#") || strings.HasPrefix(lower, "javascript:") || strings.HasPrefix(lower, "cid:") || strings.HasPrefix(lower, "data:") {
		return ""
	}
	target := href
	if strings.HasPrefix(lower, "mailto:") {
		target = href[len("mailto:"):]
		if i := strings.IndexByte(target, '?'); i >= 0 {
			target = target[:i]
		}
	} else if strings.HasPrefix(lower, "tel:") {
		target = href[len("tel:"):]
	}
	target = strings.Join(strings.Fields(target), "")
	norm := func(s string) string {
		s = strings.ToLower(strings.TrimSpace(s))
		s = strings.TrimPrefix(s, "https://")
		s = strings.TrimPrefix(s, "http://")
		s = strings.TrimPrefix(s, "mailto:")
		return strings.TrimSuffix(s, "/")
	}
	if norm(anchor) == norm(target) {
		return ""
	}
	return target
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}
