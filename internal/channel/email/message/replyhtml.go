package message

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// maxHTMLDepth bounds the element nesting ExtractReplyHTML accepts. It
// renders with x/net/html, which recurses; deeper documents are returned
// unchanged. (Current x/net/html already refuses to parse beyond 512 open
// elements; the check keeps that guarantee independent of its version.)
const maxHTMLDepth = 512

// ExtractReplyHTML removes quoted history from an HTML reply where the
// markup says where it starts: Gmail's gmail_quote, Outlook's divRplyFwdMsg
// and border-top "From:" block, Thunderbird's moz-cite-prefix, and
// blockquote type=cite from Apple Mail and Thunderbird (with the attribution
// line above it). Gmail and Thunderbird signature blocks go too. Everything
// from the first marker to the end of the document is removed.
//
// The input is returned unchanged when no marker is found, when the reply
// continues after a quote (an inline answer), or when nothing readable would
// remain. The result is not sanitised.
func ExtractReplyHTML(src string) string {
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil || tooDeep(doc) {
		return src
	}
	body := findBody(doc)
	if body == nil {
		return src
	}
	cut := findQuoteMarker(body)
	sigs := findAll(body, isSignatureBlock)
	if cut == nil && len(sigs) == 0 {
		// Nothing marks quoted history; leave the document as it is
		// rather than guessing from text.
		return src
	}
	if cut != nil {
		if cut.DataAtom == atom.Blockquote && textAfter(cut, body) {
			// Text after the quote: the customer answered inline. Cutting
			// would tear their answer apart.
			return src
		}
		cut = includeAttribution(cut)
		removeFrom(cut, body)
	}
	for _, s := range sigs {
		if s.Parent != nil {
			s.Parent.RemoveChild(s)
		}
	}
	removeMobileSignature(body)
	if strings.TrimSpace(nodeText(body)) == "" && !hasImage(body) {
		return src
	}
	var b strings.Builder
	if strings.Contains(strings.ToLower(src), "<html") {
		if err := html.Render(&b, doc); err != nil {
			return src
		}
		return b.String()
	}
	for c := body.FirstChild; c != nil; c = c.NextSibling {
		if err := html.Render(&b, c); err != nil {
			return src
		}
	}
	return strings.TrimSpace(b.String())
}

// tooDeep reports whether the tree nests deeper than maxHTMLDepth.
func tooDeep(doc *html.Node) bool {
	depth := 0
	n := doc
	for n != nil {
		if n.FirstChild != nil {
			n = n.FirstChild
			depth++
			if depth > maxHTMLDepth {
				return true
			}
			continue
		}
		for n != nil && n.NextSibling == nil {
			n = n.Parent
			depth--
		}
		if n != nil {
			n = n.NextSibling
		}
	}
	return false
}

func findBody(doc *html.Node) *html.Node {
	var found *html.Node
	walkNodes(doc, func(n *html.Node) bool {
		if n.Type == html.ElementNode && n.DataAtom == atom.Body {
			found = n
			return false
		}
		return found == nil
	})
	return found
}

// walkNodes visits nodes in document order until visit returns false.
// It uses parent/sibling links instead of recursion.
func walkNodes(root *html.Node, visit func(*html.Node) bool) {
	n := root
	for n != nil {
		if !visit(n) {
			return
		}
		if n.FirstChild != nil {
			n = n.FirstChild
			continue
		}
		for n != nil && n != root && n.NextSibling == nil {
			n = n.Parent
		}
		if n == nil || n == root {
			return
		}
		n = n.NextSibling
	}
}

func findAll(root *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	walkNodes(root, func(n *html.Node) bool {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		return true
	})
	return out
}

// findQuoteMarker returns the first element, in document order, where
// quoted history begins.
func findQuoteMarker(body *html.Node) *html.Node {
	var found *html.Node
	walkNodes(body, func(n *html.Node) bool {
		if n.Type == html.ElementNode && isQuoteMarker(n) {
			found = n
			return false
		}
		return true
	})
	return found
}

func isQuoteMarker(n *html.Node) bool {
	id := attr(n, "id")
	switch {
	case hasClass(n, "gmail_quote"), hasClass(n, "gmail_quote_container"),
		hasClass(n, "moz-cite-prefix"), hasClass(n, "yahoo_quoted"),
		hasClass(n, "protonmail_quote"), hasClass(n, "zmail_extra"):
		return true
	case id == "divRplyFwdMsg", id == "appendonsend", id == "mail-editor-reference-message-container",
		strings.HasPrefix(id, "divRplyFwdMsg"):
		return true
	case n.DataAtom == atom.Blockquote && strings.EqualFold(attr(n, "type"), "cite"):
		return true
	case n.DataAtom == atom.Div || n.DataAtom == atom.P:
		return isOutlookHeaderBlock(n)
	}
	return false
}

// isOutlookHeaderBlock recognises the block Outlook for Windows puts above
// the quoted message: a div with a solid top border whose text starts with
// a From label.
func isOutlookHeaderBlock(n *html.Node) bool {
	style := strings.ToLower(strings.Join(strings.Fields(attr(n, "style")), ""))
	if !strings.Contains(style, "border-top:solid") && !(strings.Contains(style, "border-top:") && strings.Contains(style, "solid")) {
		return false
	}
	t := clean(nodeText(n))
	return fromLabel.MatchString(t)
}

func isSignatureBlock(n *html.Node) bool {
	return hasClass(n, "gmail_signature") || hasClass(n, "moz-signature")
}

func hasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(attr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

// removeMobileSignature removes a trailing "Sent from my iPhone" block, the
// HTML counterpart of the plain-text rule in cutSignature.
func removeMobileSignature(body *html.Node) {
	var found *html.Node
	walkNodes(body, func(n *html.Node) bool {
		if n.Type == html.ElementNode && (n.DataAtom == atom.Div || n.DataAtom == atom.P || n.DataAtom == atom.Span) {
			t := clean(nodeText(n))
			if len(t) <= 100 && mobileSig.MatchString(t) {
				found = n
				return false
			}
		}
		return true
	})
	if found != nil && !textAfter(found, body) {
		found.Parent.RemoveChild(found)
	}
}

// includeAttribution moves a blockquote cut up to the attribution element
// just above it ("On … wrote:"), skipping white space and <br>s. When the
// blockquote is the first thing in its wrapper (Apple Mail), the wrapper's
// previous sibling is checked too.
func includeAttribution(n *html.Node) *html.Node {
	if n.DataAtom != atom.Blockquote {
		return n
	}
	for cur := n; cur != nil && cur.DataAtom != atom.Body; cur = cur.Parent {
		for p := cur.PrevSibling; p != nil; p = p.PrevSibling {
			switch {
			case p.Type == html.TextNode && strings.TrimSpace(p.Data) == "",
				p.Type == html.ElementNode && p.DataAtom == atom.Br,
				p.Type == html.CommentNode:
				continue
			}
			if t := clean(nodeText(p)); t != "" && attributionText(t) {
				return p
			}
			return n
		}
	}
	return n
}

// textAfter reports whether readable text follows n (outside n) within root.
func textAfter(n, root *html.Node) bool {
	for cur := n; cur != nil && cur != root; cur = cur.Parent {
		for s := cur.NextSibling; s != nil; s = s.NextSibling {
			if s.Type == html.ElementNode && (isSignatureBlock(s) || isQuoteMarker(s)) {
				continue
			}
			if strings.TrimSpace(nodeText(s)) != "" {
				return true
			}
		}
	}
	return false
}

// removeFrom removes n and everything after it in document order, up to
// the end of root.
func removeFrom(n, root *html.Node) {
	for cur := n; cur != nil && cur != root; {
		parent := cur.Parent
		for s := cur.NextSibling; s != nil; {
			next := s.NextSibling
			parent.RemoveChild(s)
			s = next
		}
		if cur == n {
			parent.RemoveChild(cur)
		}
		cur = parent
	}
}

// nodeText returns the text content of n, skipping scripts and styles.
func nodeText(n *html.Node) string {
	var b strings.Builder
	walkNodes(n, func(c *html.Node) bool {
		if c.Type == html.TextNode {
			p := c.Parent
			if p == nil || (p.DataAtom != atom.Script && p.DataAtom != atom.Style) {
				b.WriteString(c.Data)
				b.WriteByte(' ')
			}
		}
		return true
	})
	return strings.ReplaceAll(b.String(), "\u00a0", " ")
}

func hasImage(n *html.Node) bool {
	return len(findAll(n, func(c *html.Node) bool { return c.DataAtom == atom.Img })) > 0
}
