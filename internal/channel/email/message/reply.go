package message

import (
	"regexp"
	"strings"
	"unicode"
)

// Patterns for the lines mail clients put above quoted history. They are
// matched against one trimmed line (or two or three joined lines, since
// Gmail wraps long attributions) with non-breaking spaces turned into spaces.
var (
	// "On <date>, <name> wrote:", "<date>, <name> wrote:", "Le … a écrit :",
	// "… je napisal(a):", "Den … skrev:", "Am … schrieb Ola:" —
	// the verb ends the line.
	wroteAtEnd = regexp.MustCompile(`(?i)(?:^|[\s,])(?:wrote|writes|has written|a\s+écrit|escribió|ha\s+scritto|schreef|kirjoitti|napisal\(a\)|napisala|napisal|pisal\(a\)|pisala|pisal|napisała|napisał|skrev(?:\s+följande)?|schrieb|skriver|escreveu)\s*:\s*$`)
	// "… skrev Ola Nordmann <ola@example.no>:", "… schrieb Ola <ola@…>:" —
	// Scandinavian and German clients put the name after the verb.
	wroteThenName = regexp.MustCompile(`(?i)(?:^|[\s,])(?:skrev|schrieb|skriver|napisal\(a\)|napisala|napisal|pisal\(a\)|pisala|pisal)\s+(?:[^:]|\d:\d\d)+:\s*$`)
	// Forwarded-message markers (Gmail, Apple Mail, Thunderbird and their
	// translations). What follows is the content being handed over, not
	// history, so the search for quotes stops there.
	forwardMarker = regexp.MustCompile(`(?i)^(?:[-_=\s]{2,}\s*(?:forwarded message|videresendt melding|videresendt meddelelse|vidarebefordrat meddelande|weitergeleitete nachricht|message transféré|posredovano sporočilo)\s*[-_=\s]*|begin forwarded message\s*:|début du message réexpédié\s*:|anfang der weitergeleiteten nachricht\s*:|videresendt melding\s*:|vidarebefordrat brev\s*:)$`)
	// "-----Original Message-----" and its translations.
	originalMessage = regexp.MustCompile(`(?i)^[-_=*\s]{2,}(?:original message|opprinnelig melding|opprinnelig e-post|oprindelig meddelelse|oprindelig besked|ursprungligt meddelande|originalmeddelande|ursprüngliche nachricht|originalnachricht|message d'origine|message original|izvirno sporočilo|izvorno sporočilo|originalno sporočilo|alkuperäinen viesti|oorspronkelijk bericht|mensaje original|messaggio originale|wiadomość oryginalna|původní zpráva)[-_=*\s]*$`)
	// First line of an Outlook header block.
	fromLabel = regexp.MustCompile(`(?i)^(?:from|fra|från|von|de|od|van|da|lähettäjä|feladó|от|afsender|avsändare|avsender)\s?:\s*\S`)
	// Other lines of an Outlook header block.
	otherLabel = regexp.MustCompile(`(?i)^(?:sent|date|to|cc|bcc|subject|sendt|dato|til|kopi|emne|skickat|datum|till|kopia|ämne|gesendet|an|betreff|envoyé|à|a|objet|poslano|za|kp|zadeva|verzonden|aan|onderwerp|enviado|para|asunto|inviato|oggetto|wysłano|wysłane|do|temat|lähetetty|vastaanottaja|aihe|odesláno|komu|předmět)\s?:`)
	// The same labels inside one line, for header blocks flattened into a
	// single paragraph.
	inlineLabel = regexp.MustCompile(`(?i)\s(?:sent|date|to|subject|sendt|dato|til|emne|skickat|datum|till|ämne|gesendet|an|betreff|envoyé|à|objet|poslano|za|zadeva)\s?:\s`)
	// Lines phones and mail apps append instead of a signature.
	mobileSig = regexp.MustCompile(`(?i)^(?:sent from my\b|sent from \S+ for\b|sent from (?:mail|outlook|yahoo|gmail|samsung)\b|sent with \S+|sent via \S+|get outlook for\b|sendt fra min\b|sendt fra (?:outlook|mail|yahoo|samsung)\b|skickat från min\b|skickat från (?:outlook|e-post|mail)\b|skickad från min\b|von meinem\b|gesendet von meinem\b|gesendet mit\b|von meinem \S+ gesendet|envoyé de mon\b|envoyé depuis mon\b|envoyé à partir de\b|poslano iz\b|poslano z mojega\b|poslano s\b|verzonden vanaf\b|verstuurd vanaf\b|enviado desde\b|enviado do meu\b|inviato da\b|obtenir outlook pour\b|hent outlook for\b|få outlook för\b)`)
)

// ExtractReply returns only the new text of a reply: it cuts at the first
// quote header (Gmail, Outlook, Apple Mail, Thunderbird attributions in
// English, Norwegian, Danish, Swedish, German, French and Slovenian, Outlook
// "Original Message" separators and From/Sent/To/Subject blocks), then drops
// the signature ("-- " delimiter, "Sent from my iPhone" and its
// translations) and a trailing block of ">" quoted lines.
//
// When nothing would be left — a message that is all quote, or a reply
// written inline below the quotes — the whole text is returned, trimmed:
// showing too much beats losing what the customer wrote.
func ExtractReply(text string) (reply string) {
	full := strings.TrimSpace(normaliseNewlines(validUTF8(text)))
	if full == "" {
		return ""
	}
	lines := strings.Split(full, "\n")
	body := lines[:quoteStart(lines)]
	body = cutTrailingQuote(body)
	body = cutSignature(body)
	body = cutTrailingQuote(body)
	body = trimTrailingSeparators(body)
	reply = strings.TrimSpace(strings.Join(body, "\n"))
	if reply == "" {
		return full
	}
	return reply
}

// clean prepares a line for matching: trimmed, NBSP as space, and the
// asterisks that HTML-to-text conversions use for bold removed from label
// positions ("*From:* Ola").
func clean(line string) string {
	line = strings.ReplaceAll(line, "\u00a0", " ")
	line = strings.TrimSpace(line)
	if strings.HasPrefix(line, "*") {
		line = strings.Replace(strings.TrimPrefix(line, "*"), ":*", ":", 1)
	}
	return line
}

// quoteStart returns the index of the first line of quoted history, or
// len(lines) when there is none.
func quoteStart(lines []string) int {
	for i := range lines {
		line := clean(lines[i])
		if line == "" || strings.HasPrefix(line, ">") {
			continue
		}
		if forwardMarker.MatchString(line) {
			return len(lines)
		}
		if originalMessage.MatchString(line) {
			return i
		}
		if isHeaderBlock(lines, i) {
			return backToSeparator(lines, i)
		}
		if isAttribution(lines, i) {
			return i
		}
	}
	return len(lines)
}

// attributionText reports whether s reads like a quote attribution.
func attributionText(s string) bool {
	if len(s) > 400 {
		return false
	}
	return wroteAtEnd.MatchString(s) || wroteThenName.MatchString(s)
}

// isAttribution checks line i alone and joined with the next one or two
// lines. A join starts at an opener line ("On …", "Den …", a date) and is
// not made when a later line starts an attribution of its own, so a reply
// line just above an attribution is never swallowed into it.
func isAttribution(lines []string, i int) bool {
	if single(lines, i) {
		return true
	}
	startsOwn := func(j int) bool {
		return j < len(lines) && single(lines, j) && opener(clean(lines[j]))
	}
	if join(lines, i, 2) && !startsOwn(i+1) {
		return true
	}
	return join(lines, i, 3) && !startsOwn(i+1) && !join(lines, i+1, 2) && !startsOwn(i+2)
}

func single(lines []string, j int) bool {
	if j >= len(lines) {
		return false
	}
	l := clean(lines[j])
	return l != "" && !strings.HasPrefix(l, ">") && attributionText(l) && plausible(l, lines, j+1)
}

func join(lines []string, j, n int) bool {
	if j+n > len(lines) {
		return false
	}
	parts := make([]string, 0, n)
	for k := j; k < j+n; k++ {
		l := clean(lines[k])
		if l == "" || strings.HasPrefix(l, ">") {
			return false
		}
		parts = append(parts, l)
	}
	if !opener(parts[0]) {
		return false
	}
	s := strings.Join(parts, " ")
	return attributionText(s) && plausible(s, lines, j+n)
}

// plausible filters prose such as "my colleague wrote:" — an attribution
// names a date or an address, or is followed by quoted lines.
func plausible(s string, lines []string, next int) bool {
	if strings.ContainsAny(s, "@0123456789") {
		return true
	}
	for j := next; j < len(lines); j++ {
		l := strings.TrimSpace(lines[j])
		if l == "" {
			continue
		}
		return strings.HasPrefix(l, ">")
	}
	return false
}

// opener reports whether a line can begin a wrapped attribution: the
// localized "On"/"Den"/"Am"/"Le"/"V", a date or a weekday.
func opener(l string) bool {
	first, _, _ := strings.Cut(l, " ")
	first = strings.ToLower(strings.TrimRight(first, ".,"))
	switch first {
	case "on", "den", "am", "le", "v", "el", "il", "op", "em", "w", "dne", "på", "the":
		return true
	case "mon", "tue", "wed", "thu", "fri", "sat", "sun",
		"man", "tir", "ons", "tor", "fre", "lør", "søn", "mån", "tis", "lör", "sön",
		"mo", "di", "mi", "do", "fr", "sa", "so", "lun", "mar", "mer", "jeu", "ven", "sam", "dim",
		"pon", "sre", "čet", "pet", "sob", "ned":
		return true
	}
	r := []rune(first)
	return len(r) > 0 && unicode.IsDigit(r[0])
}

// isHeaderBlock reports whether line i starts an Outlook-style header block:
// a From label followed within a few lines by at least two other labels
// (Sent, To, Subject and their translations), or all of them on one line.
func isHeaderBlock(lines []string, i int) bool {
	l := clean(lines[i])
	if !fromLabel.MatchString(l) {
		return false
	}
	if len(inlineLabel.FindAllStringIndex(l, 3)) >= 2 {
		return true
	}
	found, blanks := 0, 0
	for j := i + 1; j < len(lines) && j <= i+8; j++ {
		n := clean(lines[j])
		if n == "" {
			blanks++
			if blanks > 2 {
				break
			}
			continue
		}
		if otherLabel.MatchString(n) {
			found++
			if found >= 2 {
				return true
			}
		}
	}
	return false
}

// backToSeparator moves a cut up over blank lines to an Outlook separator
// line (underscores or dashes) directly above the header block.
func backToSeparator(lines []string, i int) int {
	for j := i - 1; j >= 0; j-- {
		l := strings.TrimSpace(lines[j])
		if l == "" {
			continue
		}
		if isSeparator(l) {
			return j
		}
		break
	}
	return i
}

func isSeparator(l string) bool {
	if len(l) < 3 {
		return false
	}
	return strings.Trim(l, "_-=* ") == ""
}

// cutSignature cuts at the RFC 3676 "-- " delimiter, or at a mobile
// "Sent from my …" line near the end.
func cutSignature(lines []string) []string {
	for i, l := range lines {
		if l == "-- " || strings.TrimRight(l, " \t") == "--" {
			return lines[:i]
		}
	}
	for i, l := range lines {
		c := clean(l)
		if len(c) > 100 || !mobileSig.MatchString(c) {
			continue
		}
		rest := 0
		for _, after := range lines[i+1:] {
			if strings.TrimSpace(after) != "" {
				rest++
			}
		}
		if rest <= 2 {
			return lines[:i]
		}
	}
	return lines
}

// cutTrailingQuote drops a block of ">" lines (with blank lines among them)
// that ends the text.
func cutTrailingQuote(lines []string) []string {
	end := len(lines)
	quoted := false
	for end > 0 {
		l := strings.TrimSpace(lines[end-1])
		if l == "" {
			end--
			continue
		}
		if strings.HasPrefix(l, ">") {
			quoted = true
			end--
			continue
		}
		break
	}
	if !quoted {
		return lines
	}
	return lines[:end]
}

func trimTrailingSeparators(lines []string) []string {
	for len(lines) > 0 {
		l := strings.TrimSpace(lines[len(lines)-1])
		if l == "" || isSeparator(l) {
			lines = lines[:len(lines)-1]
			continue
		}
		break
	}
	return lines
}
