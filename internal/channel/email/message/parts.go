package message

import (
	"fmt"
	"mime"
	"net/textproto"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jhillyerd/enmime/v2"
	"github.com/jhillyerd/enmime/v2/mediatype"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/charmap"
)

// builder fills one Message while walking the MIME tree.
type builder struct {
	msg   *Message
	depth int
	dec   *mime.WordDecoder
	raw   map[string][]string // header values as UTF-8, encoded words kept

	texts []string
	htmls []string

	dsn             *Bounce // from a message/delivery-status part
	mdn             bool    // a message/disposition-notification (read receipt) part
	returnedHeaders textproto.MIMEHeader
	returnedMsg     *Message
	attachmentLimit bool
}

func newBuilder(depth int) *builder {
	return &builder{
		msg:   newMessage(),
		depth: depth,
		dec:   wordDecoder(),
		raw:   map[string][]string{},
	}
}

// parser returns the enmime parser configured for untrusted mail: skip
// broken parts instead of failing, keep what can be read of corrupt base64
// text, and do our own HTML-to-text conversion. Charset detection is off
// because it overrides declared charsets on short texts far too eagerly
// (Norwegian Latin-1 read as Latin-2, say); undeclared 8-bit text is handled
// in partText instead.
func (b *builder) parser() *enmime.Parser {
	return enmime.NewParser(
		enmime.SkipMalformedParts(true),
		enmime.MultipartWOBoundaryAsSinglePart(true),
		enmime.SetReadPartErrorPolicy(enmime.AllowCorruptTextPartErrorPolicy),
		enmime.MaxStoredPartErrors(maxWarnings),
		enmime.DisableTextConversion(true),
		enmime.DisableCharacterDetection(true),
		enmime.StripMediaTypeInvalidCharacters(true),
	)
}

// applyHeaders fills the header-derived fields from the top-level header.
func (b *builder) applyHeaders(h textproto.MIMEHeader) {
	m := b.msg
	for _, k := range headerKeys(h) {
		key := textproto.CanonicalMIMEHeaderKey(k)
		for _, v := range h[k] {
			u, ok := headerUTF8(v)
			if !ok {
				m.warn(fmt.Sprintf("header %s has 8-bit bytes that are not UTF-8; read as Windows-1252", key))
			}
			b.raw[key] = append(b.raw[key], u)
			m.Headers[key] = append(m.Headers[key], decodeWords(b.dec, u))
		}
	}

	m.Subject = collapseSpace(b.get("Subject"))
	if from := parseAddresses(b.dec, b.rawGet("From")); len(from) > 0 {
		m.From = from[0]
	} else if sender := parseAddresses(b.dec, b.rawGet("Sender")); len(sender) > 0 {
		m.From = sender[0]
	}
	m.ReplyTo = b.addressList("Reply-To")
	m.To = b.addressList("To")
	m.Cc = b.addressList("Cc")
	if ids := parseIDs(b.rawGet("Message-Id")); len(ids) > 0 {
		m.MessageID = ids[0]
	} else if v := strings.Trim(strings.TrimSpace(b.rawGet("Message-Id")), "<>"); v != "" && !strings.ContainsAny(v, " \t") {
		m.MessageID = v
	}
	m.InReplyTo = b.idList("In-Reply-To")
	m.References = b.idList("References")
	m.Date = parseDate(b.rawGet("Date"))

	seen := map[string]bool{}
	for _, k := range []string{"Delivered-To", "X-Original-To", "Envelope-To"} {
		for _, v := range b.raw[k] {
			for _, item := range splitAddressList(v) {
				a := strings.ToLower(strings.Trim(strings.TrimSpace(item), "<>"))
				if a != "" && !seen[a] {
					seen[a] = true
					m.DeliveredTo = append(m.DeliveredTo, a)
				}
			}
		}
	}
}

func (b *builder) get(key string) string {
	if vs := b.msg.Headers[key]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

func (b *builder) rawGet(key string) string {
	if vs := b.raw[key]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

func (b *builder) addressList(key string) []Address {
	var out []Address
	for _, v := range b.raw[key] {
		out = append(out, parseAddresses(b.dec, v)...)
	}
	return out
}

func (b *builder) idList(key string) []string {
	var out []string
	for _, v := range b.raw[key] {
		out = append(out, parseIDs(v)...)
	}
	return out
}

// walk visits the MIME tree depth first, in document order.
func (b *builder) walk(p *enmime.Part, parentType string) {
	ct := strings.ToLower(p.ContentType)
	if strings.HasPrefix(ct, "multipart/") {
		switch ct {
		case "multipart/signed":
			b.msg.Signed = true
		case "multipart/encrypted":
			b.msg.warn("encrypted message (multipart/encrypted); content not readable")
		}
		if p.FirstChild == nil {
			// No boundary or no readable parts: keep the content as text
			// rather than dropping it.
			if len(p.Content) > 0 {
				b.msg.warn(fmt.Sprintf("%s without readable parts; body kept as text", ct))
				b.addText(p)
			}
			return
		}
		for c := p.FirstChild; c != nil; c = c.NextSibling {
			b.walk(c, ct)
		}
		return
	}
	b.leaf(p, parentType)
}

func (b *builder) leaf(p *enmime.Part, parentType string) {
	ct := strings.ToLower(p.ContentType)
	switch {
	case ct == "" && parentType == "multipart/digest":
		ct = "message/rfc822"
	case ct == "":
		ct = "text/plain" // RFC 2045 default
	case !strings.Contains(ct, "/"):
		// Not a media type at all; treat the part as opaque data.
		ct = "application/octet-stream"
	}
	disp := strings.ToLower(p.Disposition)
	isBody := disp != "attachment" && p.FileName == ""

	switch ct {
	case "text/plain":
		if isBody {
			b.addText(p)
			return
		}
	case "text/html":
		if isBody {
			b.addHTML(p)
			return
		}
	case "application/pgp-signature", "application/pkcs7-signature", "application/x-pkcs7-signature":
		b.msg.Signed = true
		if parentType == "multipart/signed" {
			// The detached signature means nothing to an agent.
			return
		}
	case "application/pkcs7-mime", "application/x-pkcs7-mime":
		_, params, _, _ := mediatype.Parse(p.Header.Get("Content-Type"))
		if strings.EqualFold(params["smime-type"], "enveloped-data") {
			b.msg.warn("encrypted S/MIME message; content not readable")
		} else {
			b.msg.Signed = true
		}
	case "message/delivery-status", "message/global-delivery-status":
		b.dsn = parseDSN(string(p.Content))
		return
	case "message/disposition-notification":
		b.mdn = true
		return
	case "text/rfc822-headers", "message/global-headers":
		h, _ := splitHeaderBlock(p.Content)
		b.returnedHeaders = h
		return
	case "text/calendar", "application/ics":
		if b.msg.Calendar == nil {
			b.msg.Calendar = parseCalendar(validUTF8(string(p.Content)))
		}
	case "message/rfc822", "message/global":
		b.forward(p)
	}
	b.addAttachment(p, ct, parentType)
}

func (b *builder) forward(p *enmime.Part) {
	if b.depth >= MaxForwardDepth {
		b.msg.warn("forwarded message nested too deeply; kept as attachment only")
		return
	}
	fm, err := parse(p.Content, b.depth+1)
	if err != nil {
		b.msg.warn("forwarded message: " + err.Error())
	}
	b.msg.Forwarded = append(b.msg.Forwarded, fm)
	if b.returnedMsg == nil {
		b.returnedMsg = fm
	}
}

func (b *builder) addText(p *enmime.Part) {
	s := partText(p, &b.msg.Warnings)
	_, params, _, _ := mediatype.Parse(p.Header.Get("Content-Type"))
	if strings.EqualFold(params["format"], "flowed") {
		s = unflow(s, strings.EqualFold(params["delsp"], "yes"))
	}
	if strings.TrimSpace(s) != "" {
		b.texts = append(b.texts, s)
	}
}

func (b *builder) addHTML(p *enmime.Part) {
	s := partText(p, &b.msg.Warnings)
	if strings.TrimSpace(s) != "" {
		b.htmls = append(b.htmls, s)
	}
}

func (b *builder) addAttachment(p *enmime.Part, ct, parentType string) {
	if len(b.msg.Attachments) >= MaxAttachments {
		if !b.attachmentLimit {
			b.attachmentLimit = true
			b.msg.warn(fmt.Sprintf("more than %d attachments; the rest were dropped", MaxAttachments))
		}
		return
	}
	cid := strings.TrimSpace(p.Header.Get("Content-Id"))
	cid = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(cid, "<"), ">"))
	disp := strings.ToLower(p.Disposition)
	inline := disp == "inline" || (disp == "" && cid != "" && parentType == "multipart/related")

	name := cleanFilename(validUTF8(decodeWords(b.dec, p.FileName)))
	if name == "" && (ct == "message/rfc822" || ct == "message/global") && len(b.msg.Forwarded) > 0 {
		if subj := b.msg.Forwarded[len(b.msg.Forwarded)-1].Subject; subj != "" {
			name = cleanFilename(truncateRunes(subj, 80) + ".eml")
		}
	}
	if name == "" {
		name = defaultFilename(ct, len(b.msg.Attachments)+1)
	}
	b.msg.Attachments = append(b.msg.Attachments, Attachment{
		Filename:    name,
		ContentType: ct,
		ContentID:   cid,
		Inline:      inline,
		Data:        p.Content,
	})
}

// collectPartErrors copies enmime's per-part problems into Warnings.
func (b *builder) collectPartErrors(root *enmime.Part) {
	var visit func(p *enmime.Part)
	visit = func(p *enmime.Part) {
		for ; p != nil; p = p.NextSibling {
			for _, e := range p.Errors {
				if e != nil && e.Name != enmime.ErrorMissingContentType {
					b.msg.warn(validUTF8(e.Error()))
				}
			}
			visit(p.FirstChild)
		}
	}
	visit(root)
}

// finish derives the fields that need the whole message.
func (b *builder) finish() {
	m := b.msg
	if len(b.texts) > 0 {
		m.Text = strings.Join(b.texts, "\n\n")
	}
	if len(b.htmls) > 0 {
		m.HTML = strings.Join(b.htmls, "\n")
	}
	if strings.TrimSpace(m.Text) == "" && m.HTML != "" {
		m.Text = HTMLToText(m.HTML)
	}
	m.Text = validUTF8(m.Text)
	m.HTML = validUTF8(m.HTML)
	b.detectBounce()
	b.detectAuto()
}

// partText returns a text part's content as UTF-8 with LF line ends.
func partText(p *enmime.Part, warnings *[]string) string {
	data := p.Content
	cs := strings.ToLower(strings.Trim(strings.TrimSpace(p.Charset), `"'`))
	if isASCIILabel(cs) && hasHighBytes(data) {
		// enmime decodes us-ascii as Windows-1252. 8-bit bytes under a
		// us-ascii label are far more often undeclared UTF-8, so undo that
		// decoding when the original bytes are valid UTF-8.
		if orig, err := charmap.Windows1252.NewEncoder().Bytes(data); err == nil && utf8.Valid(orig) {
			data = orig
		}
	}
	if utf8.Valid(data) {
		return normaliseNewlines(string(data))
	}
	if strings.ToLower(p.ContentType) == "text/html" {
		if enc, name, _ := charset.DetermineEncoding(data, "text/html"); enc != nil {
			if out, err := enc.NewDecoder().Bytes(data); err == nil && utf8.Valid(out) {
				addWarning(warnings, fmt.Sprintf("HTML part %s is not valid %q; decoded as %s", p.PartID, p.Charset, name))
				return normaliseNewlines(string(out))
			}
		}
	}
	addWarning(warnings, fmt.Sprintf("text part %s is not valid %q; decoded as Windows-1252", p.PartID, p.Charset))
	return normaliseNewlines(decode1252(data))
}

// decodeCharset converts body bytes from a declared charset to UTF-8, for
// the fallback path where enmime did not do it.
func decodeCharset(data []byte, label string, warnings *[]string) string {
	if utf8.Valid(data) {
		return string(data)
	}
	if label != "" {
		if enc, _ := charset.Lookup(label); enc != nil {
			if out, err := enc.NewDecoder().Bytes(data); err == nil {
				return validUTF8(string(out))
			}
		}
	}
	addWarning(warnings, "body is not valid UTF-8; decoded as Windows-1252")
	return decode1252(data)
}

func addWarning(warnings *[]string, s string) {
	if len(*warnings) >= maxWarnings {
		return
	}
	for _, w := range *warnings {
		if w == s {
			return
		}
	}
	*warnings = append(*warnings, s)
}

func isASCIILabel(cs string) bool {
	switch cs {
	case "", "us-ascii", "ascii", "us_ascii", "iso646-us", "ansi_x3.4-1968", "csascii":
		return true
	}
	return false
}

func hasHighBytes(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// cleanFilename makes a sender-supplied file name safe to show and store:
// no directories, no control characters, at most 255 bytes.
func cleanFilename(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(strings.TrimSpace(name))
	if name == "." || name == "/" || name == ".." {
		return ""
	}
	name = strings.Map(func(r rune) rune {
		// Characters Windows refuses in file names go too, so a download
		// saves under the name shown.
		if unicode.IsControl(r) || r == utf8.RuneError || strings.ContainsRune(`:*?"<>|`, r) {
			return -1
		}
		return r
	}, name)
	name = strings.Trim(collapseSpace(name), ". ")
	if len(name) > 255 {
		ext := path.Ext(name)
		if len(ext) > 16 {
			ext = ""
		}
		name = truncateBytes(name, 255-len(ext)) + ext
	}
	return name
}

func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func truncateRunes(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// defaultFilename names a part that came without a name. The extension
// comes from a fixed table rather than the system's mime.types so the name
// is the same on every machine.
func defaultFilename(ct string, n int) string {
	ext := ".bin"
	switch ct {
	case "image/png":
		ext = ".png"
	case "image/jpeg", "image/jpg", "image/pjpeg":
		ext = ".jpg"
	case "image/gif":
		ext = ".gif"
	case "image/webp":
		ext = ".webp"
	case "image/bmp":
		ext = ".bmp"
	case "image/tiff":
		ext = ".tif"
	case "image/svg+xml":
		ext = ".svg"
	case "image/heic":
		ext = ".heic"
	case "application/pdf":
		ext = ".pdf"
	case "application/zip":
		ext = ".zip"
	case "application/json":
		ext = ".json"
	case "application/msword":
		ext = ".doc"
	case "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
		ext = ".docx"
	case "application/vnd.ms-excel":
		ext = ".xls"
	case "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
		ext = ".xlsx"
	case "text/plain":
		ext = ".txt"
	case "text/html":
		ext = ".html"
	case "text/csv":
		ext = ".csv"
	case "text/calendar", "application/ics":
		ext = ".ics"
	case "message/rfc822", "message/global":
		ext = ".eml"
	case "application/pkcs7-mime", "application/x-pkcs7-mime":
		ext = ".p7m"
	case "application/pkcs7-signature", "application/x-pkcs7-signature":
		ext = ".p7s"
	case "application/pgp-signature":
		ext = ".asc"
	case "audio/mpeg":
		ext = ".mp3"
	case "video/mp4":
		ext = ".mp4"
	}
	prefix := "attachment"
	switch {
	case strings.HasPrefix(ct, "image/"):
		prefix = "image"
	case strings.HasPrefix(ct, "message/"):
		prefix = "message"
	case ct == "text/calendar" || ct == "application/ics":
		prefix = "invite"
	}
	return prefix + "-" + strconv.Itoa(n) + ext
}

// unflow joins the soft line breaks of format=flowed text (RFC 3676): a line
// ending in a space continues on the next line with the same quote depth.
// Space-stuffing is undone, and with DelSp=yes the trailing space is dropped.
func unflow(s string, delsp bool) string {
	lines := strings.Split(s, "\n")
	var out strings.Builder
	var para strings.Builder
	paraDepth := -1
	flush := func() {
		if paraDepth < 0 {
			return
		}
		if paraDepth > 0 {
			out.WriteString(strings.Repeat(">", paraDepth))
			if para.Len() > 0 {
				out.WriteByte(' ')
			}
		}
		out.WriteString(para.String())
		out.WriteByte('\n')
		para.Reset()
		paraDepth = -1
	}
	for _, line := range lines {
		depth := 0
		for depth < len(line) && line[depth] == '>' {
			depth++
		}
		content := line[depth:]
		content = strings.TrimPrefix(content, " ") // space-stuffing
		if paraDepth >= 0 && depth != paraDepth {
			flush()
		}
		paraDepth = depth
		soft := strings.HasSuffix(content, " ") && content != "-- "
		if soft && delsp {
			content = content[:len(content)-1]
		}
		para.WriteString(content)
		if !soft {
			flush()
		}
	}
	flush()
	return strings.TrimSuffix(out.String(), "\n")
}
