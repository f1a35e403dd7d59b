package message

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jhillyerd/enmime/v2"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/charmap"
)

// wordDecoder decodes RFC 2047 encoded words. Its charset reader knows the
// WHATWG label set (ISO-2022-JP, KOI8-R, GB2312 as GBK, the Windows code
// pages…), which covers what mail clients actually put into headers.
func wordDecoder() *mime.WordDecoder {
	return &mime.WordDecoder{CharsetReader: charset.NewReaderLabel}
}

// decodeWords decodes the RFC 2047 encoded words of an unstructured header
// value. A header that fails to decode as a whole is decoded word by word so
// that one word in an unknown charset does not leave the rest encoded.
func decodeWords(dec *mime.WordDecoder, s string) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	if out, err := dec.DecodeHeader(s); err == nil {
		return validUTF8(out)
	}
	var b strings.Builder
	rest := s
	for {
		start := strings.Index(rest, "=?")
		if start < 0 {
			b.WriteString(rest)
			break
		}
		end := encodedWordEnd(rest[start:])
		if end < 0 {
			b.WriteString(rest)
			break
		}
		word := rest[start : start+end]
		b.WriteString(rest[:start])
		if out, err := dec.Decode(word); err == nil {
			b.WriteString(out)
		} else {
			b.WriteString(word)
		}
		rest = rest[start+end:]
	}
	return validUTF8(b.String())
}

// encodedWordEnd returns the length of the encoded word "=?cs?e?text?=" at
// the start of s, or -1 when s does not start with a complete one.
func encodedWordEnd(s string) int {
	// Skip "=?", the charset and the encoding: two more '?' follow.
	i := 2
	for q := 0; q < 2; q++ {
		j := strings.IndexByte(s[i:], '?')
		if j < 0 {
			return -1
		}
		i += j + 1
	}
	j := strings.Index(s[i:], "?=")
	if j < 0 {
		return -1
	}
	return i + j + 2
}

// headerUTF8 turns a raw header value into valid UTF-8. RFC 6532 allows UTF-8
// in headers; anything else with 8-bit bytes comes from a client that wrote
// its local code page, which in the mail we see is nearly always Windows-1252
// or its subset ISO-8859-1.
func headerUTF8(v string) (string, bool) {
	if utf8.ValidString(v) {
		return v, true
	}
	return decode1252([]byte(v)), false
}

// decode1252 decodes bytes as Windows-1252. Every byte maps to a rune, so the
// result is always valid UTF-8.
func decode1252(b []byte) string {
	out, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(out)
}

// validUTF8 replaces invalid byte sequences, which some broken encoded words
// produce, so that callers can always store the value as text.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// collapseSpace turns runs of white space (including folded line breaks)
// into single spaces and trims the ends.
func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// parseAddresses parses an address-list header value. enmime's parser copes
// with the usual damage (missing commas, encoded words in odd places); when
// it still fails, a lenient splitter keeps whatever looks like an address.
func parseAddresses(dec *mime.WordDecoder, v string) []Address {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	var out []Address
	if list, err := enmime.ParseAddressList(v); err == nil {
		for _, a := range list {
			if a == nil || strings.TrimSpace(a.Address) == "" {
				continue
			}
			out = append(out, Address{
				Name:  collapseSpace(validUTF8(decodeWords(dec, a.Name))),
				Email: strings.ToLower(strings.TrimSpace(validUTF8(a.Address))),
			})
		}
		if len(out) > 0 {
			return out
		}
	}
	return lenientAddresses(dec, v)
}

// lenientAddresses splits an address list on commas and semicolons outside
// quotes and angle brackets and keeps entries that contain an '@'.
func lenientAddresses(dec *mime.WordDecoder, v string) []Address {
	var out []Address
	for _, item := range splitAddressList(v) {
		item = strings.TrimSpace(item)
		var name, email string
		if lt := strings.LastIndexByte(item, '<'); lt >= 0 {
			gt := strings.IndexByte(item[lt:], '>')
			if gt < 0 {
				email = item[lt+1:]
			} else {
				email = item[lt+1 : lt+gt]
			}
			name = item[:lt]
		} else {
			for _, f := range strings.Fields(item) {
				if strings.Contains(f, "@") {
					email = strings.Trim(f, "()\"'[]")
				} else {
					name += f + " "
				}
			}
		}
		email = strings.ToLower(strings.TrimSpace(email))
		if !strings.Contains(email, "@") || strings.ContainsAny(email, " \t") {
			continue
		}
		name = strings.TrimSpace(strings.Trim(strings.TrimSpace(name), `"'`))
		out = append(out, Address{Name: collapseSpace(decodeWords(dec, name)), Email: email})
	}
	return out
}

func splitAddressList(v string) []string {
	var parts []string
	depthAngle, inQuote, start := 0, false, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\\' && inQuote:
			i++
		case c == '"':
			inQuote = !inQuote
		case c == '<' && !inQuote:
			depthAngle++
		case c == '>' && !inQuote && depthAngle > 0:
			depthAngle--
		case (c == ',' || c == ';') && !inQuote && depthAngle == 0:
			parts = append(parts, v[start:i])
			start = i + 1
		}
	}
	return append(parts, v[start:])
}

// parseIDs extracts message ids from Message-ID, In-Reply-To or References.
// Ids are normally in angle brackets and may be mixed with comments or
// phrases; ids without brackets (seen from some old clients) are taken as
// white-space separated tokens.
func parseIDs(v string) []string {
	var ids []string
	if strings.Contains(v, "<") {
		rest := v
		for {
			lt := strings.IndexByte(rest, '<')
			if lt < 0 {
				break
			}
			gt := strings.IndexByte(rest[lt:], '>')
			if gt < 0 {
				break
			}
			if id := strings.TrimSpace(rest[lt+1 : lt+gt]); id != "" && !strings.ContainsAny(id, " \t") {
				ids = append(ids, id)
			}
			rest = rest[lt+gt+1:]
		}
		return ids
	}
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' }) {
		if strings.Contains(f, "@") {
			ids = append(ids, f)
		}
	}
	return ids
}

// parseDate parses a Date header. net/mail covers RFC 5322 including the
// obsolete forms; the extra layouts are ones real clients send anyway.
func parseDate(v string) time.Time {
	v = collapseSpace(v)
	if v == "" {
		return time.Time{}
	}
	if t, err := mail.ParseDate(v); err == nil {
		return t
	}
	// Drop a trailing comment such as "(CEST)" and stray dots after the
	// weekday ("Mon., 5 Feb 2024") before trying the layouts.
	if i := strings.IndexByte(v, '('); i > 0 {
		v = strings.TrimSpace(v[:i])
	}
	v = strings.Replace(v, ".,", ",", 1)
	layouts := []string{
		"Mon, 2 Jan 2006 15:04:05 -0700",
		"Mon, 2 Jan 2006 15:04 -0700",
		"2 Jan 2006 15:04:05 -0700",
		"Mon, 2 Jan 2006 15:04:05 MST",
		"Mon, 2 Jan 06 15:04:05 -0700",
		"Mon, 2 January 2006 15:04:05 -0700",
		"Mon Jan 2 15:04:05 2006",
		"Mon Jan 2 15:04:05 MST 2006",
		"Mon Jan 2 15:04:05 -0700 2006",
		"Monday, January 2, 2006 3:04 PM",
		"2006-01-02 15:04:05 -0700",
		"2006-01-02 15:04:05",
		time.RFC3339,
		"Mon, 2 Jan 2006 15:04:05",
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, v); err == nil {
			return t
		}
	}
	return time.Time{}
}

// splitHeaderBlock separates the header block from the body without any MIME
// knowledge. It is the fallback when both enmime and net/mail give up: lines
// before the first empty line that look like "Name: value" are headers, and
// indented lines continue the previous one. A first line that is not a header
// means there is no header block at all.
func splitHeaderBlock(raw []byte) (textproto.MIMEHeader, []byte) {
	h := textproto.MIMEHeader{}
	var lastKey string
	rest := raw
	for len(rest) > 0 {
		line := rest
		next := len(rest)
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line = rest[:i]
			next = i + 1
		}
		line = bytes.TrimRight(line, "\r")
		if len(bytes.TrimSpace(line)) == 0 {
			return h, rest[next:]
		}
		if (line[0] == ' ' || line[0] == '\t') && lastKey != "" {
			vs := h[lastKey]
			vs[len(vs)-1] += " " + string(bytes.TrimSpace(line))
			rest = rest[next:]
			continue
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 || !validHeaderName(line[:colon]) {
			if len(h) == 0 {
				return h, raw
			}
			// A line without a colon inside the header block: skip it
			// rather than losing everything after it.
			rest = rest[next:]
			continue
		}
		lastKey = textproto.CanonicalMIMEHeaderKey(string(bytes.TrimSpace(line[:colon])))
		h[lastKey] = append(h[lastKey], string(bytes.TrimSpace(line[colon+1:])))
		rest = rest[next:]
	}
	return h, nil
}

func validHeaderName(b []byte) bool {
	b = bytes.TrimRight(b, " \t")
	if len(b) == 0 || len(b) > 76 {
		return false
	}
	for _, c := range b {
		if c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}

// readFallbackHeader reads the header block with net/mail first, since it is
// the stricter and better-tested reader, and with splitHeaderBlock when that
// fails.
func readFallbackHeader(raw []byte) (textproto.MIMEHeader, []byte, error) {
	if m, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil {
		body, rerr := io.ReadAll(m.Body)
		if rerr == nil {
			return textproto.MIMEHeader(m.Header), body, nil
		}
	}
	h, body := splitHeaderBlock(raw)
	if len(h) == 0 {
		return h, body, fmt.Errorf("no header block found")
	}
	return h, body, nil
}
