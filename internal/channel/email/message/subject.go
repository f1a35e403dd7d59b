package message

import (
	"net/mail"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// TicketToken returns the ticket number of the first "[#1234]" token in a
// subject, wherever it stands ("Re: [#1234] Printer", "SV: AW: [#1234] …"),
// or 0 when there is none.
func TicketToken(subject string) int64 {
	rest := subject
	for {
		i := strings.Index(rest, "[#")
		if i < 0 {
			return 0
		}
		rest = rest[i+2:]
		n := 0
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n > 0 && n < len(rest) && rest[n] == ']' {
			if id, err := strconv.ParseInt(rest[:n], 10, 64); err == nil && id > 0 {
				return id
			}
		}
	}
}

// StripReplyPrefixes removes reply and forward prefixes in the languages
// our customers write (Re, Fwd, Fw, SV, VS, AW, WG, Odp, TR, …, in any case
// and repeated, with counters like "Re[2]:"), and every [#id] ticket token,
// leaving the subject a person wrote.
func StripReplyPrefixes(subject string) string {
	s := removeTicketTokens(collapseSpace(subject))
	for {
		s = strings.TrimLeft(s, " \t:-")
		n := replyPrefixLen(s)
		if n == 0 {
			break
		}
		s = s[n:]
	}
	return collapseSpace(s)
}

func removeTicketTokens(s string) string {
	var b strings.Builder
	rest := s
	for {
		i := strings.Index(rest, "[#")
		if i < 0 {
			b.WriteString(rest)
			break
		}
		n := 0
		for i+2+n < len(rest) && rest[i+2+n] >= '0' && rest[i+2+n] <= '9' {
			n++
		}
		if n > 0 && i+2+n < len(rest) && rest[i+2+n] == ']' {
			b.WriteString(rest[:i])
			b.WriteByte(' ')
			rest = rest[i+3+n:]
			continue
		}
		b.WriteString(rest[:i+2])
		rest = rest[i+2:]
	}
	return collapseSpace(b.String())
}

// replyPrefixLen returns the length of a reply/forward prefix at the start
// of s, including its colon, or 0.
func replyPrefixLen(s string) int {
	// The prefix word: letters only, short.
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsLetter(r) {
			break
		}
		i += size
	}
	if i == 0 || i > 24 {
		return 0
	}
	word := strings.ToLower(s[:i])
	if !isReplyWord(word) {
		return 0
	}
	j := i
	// Optional counter: "Re[2]:", "Re(2):", "Re^2:".
	if j < len(s) && (s[j] == '[' || s[j] == '(' || s[j] == '^') {
		k := j + 1
		for k < len(s) && s[k] >= '0' && s[k] <= '9' {
			k++
		}
		if k > j+1 && (s[j] == '^' || (k < len(s) && (s[k] == ']' || s[k] == ')'))) {
			if s[j] != '^' {
				k++
			}
			j = k
		}
	}
	// Optional dot ("Posl.:") and spaces before the colon (French "RE :").
	if j < len(s) && s[j] == '.' {
		j++
	}
	for j < len(s) && s[j] == ' ' {
		j++
	}
	switch {
	case strings.HasPrefix(s[j:], ":"):
		return j + 1
	case strings.HasPrefix(s[j:], "："): // full-width colon, CJK clients
		return j + len("：")
	}
	return 0
}

func isReplyWord(w string) bool {
	switch w {
	case "re", "fwd", "fw", "sv", "vs", "aw", "wg", "odp", "tr", "rif", "antw", "antwort",
		"vl", "vb", "ref", "rv", "enc", "res", "fs", "doorst", "pd", "odg", "posl", "ynt",
		"atb", "vá", "rép", "réf", "svar", "odpowiedź",
		"回复", "回覆", "答复", "转发", "轉寄", "返信", "転送":
		return true
	}
	return false
}

// PlusTag returns the sub-address after '+' in the local part of addr
// ("support+t1234@example.com" gives "t1234"), or "" when there is none.
// addr may be a bare address or a full "Name <address>" form.
func PlusTag(addr string) string {
	a := strings.TrimSpace(addr)
	if strings.ContainsAny(a, "<\"") {
		if pa, err := mail.ParseAddress(a); err == nil {
			a = pa.Address
		} else if lt := strings.LastIndexByte(a, '<'); lt >= 0 {
			a = strings.TrimSuffix(a[lt+1:], ">")
		}
	}
	local := a
	if at := strings.LastIndexByte(a, '@'); at >= 0 {
		local = a[:at]
	}
	_, tag, ok := strings.Cut(local, "+")
	if !ok {
		return ""
	}
	return strings.TrimSpace(tag)
}
