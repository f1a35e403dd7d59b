package richtext

import (
	"strings"

	xhtml "golang.org/x/net/html"
)

// HiddenClass marks an element whose remote image HideRemoteImages took
// away, so the page can show a placeholder.
const HiddenClass = "remote-hidden"

// imageAttrs are the attributes a browser fetches an image (or poster)
// from by itself.
var imageAttrs = map[string]bool{"src": true, "srcset": true, "background": true, "poster": true, "lowsrc": true, "dynsrc": true}

// HideRemoteImages keeps a browser from loading anything from another
// server when it shows src (sanitised HTML): a remote image address moves
// to a data- attribute (src → data-src, srcset → data-srcset…), and a
// style declaration that could fetch one (url(), image-set(), escapes) is
// dropped. Such images are how a sender learns that, when and where a
// message was read (tracking pixels). Inline images (data:, cid: and the
// stored attachments they point at) stay. It returns the HTML and how many
// elements lost something, so the page can offer to show them.
//
// It runs when a page is rendered, not when mail is stored, so that
// showing the images stays possible.
func HideRemoteImages(src string) (string, int) {
	if !strings.Contains(src, "=") { // no attributes at all: nothing to hide
		return src, 0
	}
	z := xhtml.NewTokenizer(strings.NewReader(src))
	var b strings.Builder
	b.Grow(len(src))
	hidden := 0
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			return b.String(), hidden
		}
		if tt != xhtml.StartTagToken && tt != xhtml.SelfClosingTagToken {
			b.Write(z.Raw())
			continue
		}
		raw := string(z.Raw())
		tok := z.Token()
		if !hideInTag(&tok) {
			b.WriteString(raw)
			continue
		}
		hidden++
		b.WriteString(tok.String())
	}
}

// hideInTag rewrites one tag's attributes and reports whether it did.
func hideInTag(tok *xhtml.Token) bool {
	changed := false
	attrs := tok.Attr[:0:0]
	for _, a := range tok.Attr {
		switch {
		case imageAttrs[a.Key] && anyRemote(a.Key, a.Val):
			a.Key = "data-" + a.Key
			changed = true
		case a.Key == "style":
			v, dropped := safeStyle(a.Val)
			if dropped {
				changed = true
				if v == "" {
					continue
				}
				a.Val = v
			}
		}
		attrs = append(attrs, a)
	}
	if !changed {
		return false
	}
	for i, a := range attrs {
		if a.Key == "class" {
			attrs[i].Val = strings.TrimSpace(a.Val + " " + HiddenClass)
			tok.Attr = attrs
			return true
		}
	}
	tok.Attr = append(attrs, xhtml.Attribute{Key: "class", Val: HiddenClass})
	return true
}

// anyRemote reports whether the attribute's value names a remote address;
// a srcset is a comma-separated list of "URL descriptor" candidates.
func anyRemote(key, val string) bool {
	if key != "srcset" {
		return RemoteURL(val)
	}
	for _, cand := range strings.Split(val, ",") {
		if f := strings.Fields(cand); len(f) > 0 && RemoteURL(f[0]) {
			return true
		}
	}
	return false
}

// RemoteURL reports whether a browser would fetch u (an attribute value)
// from a server other than this page's own: anything with a scheme other
// than data: and cid:, and addresses starting with two slashes, in either
// direction. It reads the value as a browser does: tabs and line breaks
// inside a URL are ignored, and surrounding spaces trimmed.
func RemoteURL(u string) bool {
	u = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, u)
	u = strings.ToLower(strings.Trim(u, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "))
	if u == "" {
		return false
	}
	if u[0] == '/' || u[0] == '\\' {
		return len(u) > 1 && (u[1] == '/' || u[1] == '\\')
	}
	end := strings.IndexAny(u, "/?#")
	if end < 0 {
		end = len(u)
	}
	colon := strings.IndexByte(u[:end], ':')
	if colon < 0 {
		return false // relative to this page
	}
	scheme := u[:colon]
	return scheme != "data" && scheme != "cid"
}

// safeStyle drops the declarations of an inline style that could load an
// image; it reports whether it dropped any.
func safeStyle(style string) (string, bool) {
	var kept []string
	dropped := false
	for _, d := range strings.Split(style, ";") {
		d = strings.TrimSpace(d)
		if d == "" {
			continue
		}
		l := strings.ToLower(d)
		// url() and image-set()/image() fetch; a backslash can spell
		// either with CSS escapes.
		if strings.Contains(l, "url(") || strings.Contains(l, "image") || strings.Contains(l, "src(") || strings.Contains(l, `\`) {
			dropped = true
			continue
		}
		kept = append(kept, d)
	}
	if !dropped {
		return style, false
	}
	return strings.Join(kept, "; "), true
}
