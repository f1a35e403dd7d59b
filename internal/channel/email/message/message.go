// Package message turns raw RFC 5322 messages into what a helpdesk works
// with: addresses, threading ids, a readable UTF-8 body, attachments, and
// signals such as auto-replies, bounces and calendar invites. It also cuts
// quoted history and signatures out of replies.
//
// The package is pure: no database, no network, no clock. Real-world mail is
// broken in every way imaginable, so Parse is built to degrade rather than
// fail: it always returns a Message with whatever could be read.
package message

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/textproto"
	"sort"
	"strings"
	"time"
)

// Limits that bound the work done for one message. A helpdesk takes mail from
// anyone, so a crafted message must not be able to take the process down.
const (
	// MaxSize is the largest message parsed in full. Larger input is cut
	// down to its header block and the start of its body.
	MaxSize = 50 << 20
	// MaxAttachments is the number of attachments kept per message.
	MaxAttachments = 500
	// MaxForwardDepth is how deep message/rfc822 parts are parsed into
	// Forwarded; deeper ones stay attachments only.
	MaxForwardDepth = 3
	// maxBoundaries guards enmime's recursive multipart parser: nesting
	// depth cannot exceed the number of boundary parameters, and real mail
	// has a handful, so a message with more is handled by the flat fallback.
	maxBoundaries = 1000
	// maxWarnings keeps a message with thousands of broken parts from
	// carrying thousands of warnings.
	maxWarnings = 100
	// maxFallbackBody bounds the body kept as text when MIME parsing is
	// skipped for an oversized message.
	maxFallbackBody = 1 << 20
)

// Errors returned by Parse, wrapped with detail. The Message returned with
// them is still usable.
var (
	ErrEmpty     = errors.New("message: empty input")
	ErrTooLarge  = errors.New("message: too large")
	ErrMalformed = errors.New("message: malformed MIME structure")
	ErrNoHeaders = errors.New("message: no header fields found")
)

// Address is one mailbox. Email is lower-cased so it can be compared.
type Address struct{ Name, Email string }

// String formats the address for display, e.g. `Ola Nordmann <ola@example.no>`.
func (a Address) String() string {
	if a.Name == "" {
		return a.Email
	}
	return a.Name + " <" + a.Email + ">"
}

// Message is the parsed form of one email.
type Message struct {
	MessageID     string   // without <>, "" if absent
	InReplyTo     []string // ids without <>
	References    []string // ids without <>
	Subject       string   // decoded (RFC 2047), white space collapsed
	From          Address
	ReplyTo       []Address
	To, Cc        []Address
	DeliveredTo   []string  // Delivered-To, X-Original-To, Envelope-To; lower-cased
	Date          time.Time // zero if absent or unparseable; keeps the sender's offset
	Text          string    // plain-text body in UTF-8 (converted from HTML when there is no text part)
	HTML          string    // raw, unsanitised HTML body in UTF-8, if any
	Attachments   []Attachment
	AutoSubmitted bool       // sent by a machine: auto-reply, list mail, bounce…
	AutoReason    string     // the header that made it automatic, e.g. "Auto-Submitted: auto-replied"
	Bounce        *Bounce    // non-nil for delivery status notifications
	Calendar      *Calendar  // non-nil when a text/calendar part exists
	Signed        bool       // PGP/MIME or S/MIME signature present
	Forwarded     []*Message // message/rfc822 parts, parsed up to MaxForwardDepth
	Headers       map[string][]string
	Warnings      []string // non-fatal problems met while parsing
}

// Attachment is a non-body part: a real attachment or an inline image.
type Attachment struct {
	Filename, ContentType, ContentID string // ContentID without <>
	Inline                           bool
	Data                             []byte
}

// Bounce describes a delivery failure or delay report.
type Bounce struct {
	OriginalMessageID string   // Message-ID of the message that bounced, without <>
	Recipients        []string // Final-Recipient / Original-Recipient addresses
	Action            string   // failed, delayed, delivered, relayed, expanded
	Status            string   // enhanced status code, e.g. 5.1.1
	Diagnostic        string   // Diagnostic-Code without its type prefix
	Permanent         bool     // the address should not be mailed again as is
}

// Calendar holds the few fields of an invitation that a ticket shows.
type Calendar struct {
	Method, Summary, Location, Organizer string
	Start, End                           time.Time
}

// Parse reads one raw RFC 5322 message. It never panics and never returns a
// nil Message: on failure the Message holds whatever could be read (at least
// the headers and the body as text when possible) and the error says what
// went wrong. Non-fatal problems are listed in Message.Warnings instead.
func Parse(raw []byte) (*Message, error) {
	return parse(raw, 0)
}

func parse(raw []byte, depth int) (m *Message, err error) {
	defer func() {
		if r := recover(); r != nil {
			m = safeFallback(raw)
			m.warn(fmt.Sprintf("parser failure: %v", r))
			err = fmt.Errorf("%w: parser failure: %v", ErrMalformed, r)
		}
	}()

	if len(bytes.TrimSpace(raw)) == 0 {
		m = newMessage()
		m.warn("empty message")
		return m, ErrEmpty
	}
	if len(raw) > MaxSize {
		m = fallback(raw[:MaxSize])
		m.warn(fmt.Sprintf("message of %d bytes exceeds the %d byte limit; only headers and the start of the body were read", len(raw), MaxSize))
		return m, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(raw), MaxSize)
	}
	if n := bytes.Count(raw, []byte("oundary")) + bytes.Count(raw, []byte("OUNDARY")); n > maxBoundaries {
		m = fallback(raw)
		m.warn(fmt.Sprintf("%d multipart boundaries; MIME structure not parsed", n))
		return m, fmt.Errorf("%w: %d boundaries, limit %d", ErrMalformed, n, maxBoundaries)
	}

	raw = trimPreamble(raw)
	b := newBuilder(depth)
	root, perr := b.parser().ReadParts(bytes.NewReader(raw))
	if perr != nil || root == nil {
		m = fallback(raw)
		m.warn("MIME parsing failed, body kept as plain text: " + fmt.Sprint(perr))
		return m, fmt.Errorf("%w: %w", ErrMalformed, perr)
	}
	b.applyHeaders(root.Header)
	b.walk(root, "")
	b.collectPartErrors(root)
	b.finish()
	if !b.hasKnownHeader() {
		return b.msg, ErrNoHeaders
	}
	return b.msg, nil
}

func newMessage() *Message {
	return &Message{Headers: map[string][]string{}}
}

func (m *Message) warn(s string) {
	if len(m.Warnings) >= maxWarnings {
		return
	}
	for _, w := range m.Warnings {
		if w == s {
			return
		}
	}
	m.Warnings = append(m.Warnings, s)
}

// safeFallback is the fallback used after a panic; it must not panic itself.
func safeFallback(raw []byte) (m *Message) {
	defer func() {
		if r := recover(); r != nil {
			m = newMessage()
			m.warn(fmt.Sprintf("fallback parser failure: %v", r))
		}
	}()
	if len(raw) > MaxSize {
		raw = raw[:MaxSize]
	}
	return fallback(raw)
}

// fallback extracts what it can without MIME: the header block and the body
// as text (decoded from the top-level charset when one is declared).
func fallback(raw []byte) *Message {
	b := newBuilder(0)
	h, body, err := readFallbackHeader(raw)
	if err != nil {
		b.msg.warn("no header block: " + err.Error())
	}
	b.applyHeaders(h)
	if len(body) > maxFallbackBody {
		body = body[:maxFallbackBody]
		b.msg.warn(fmt.Sprintf("body cut to %d bytes", maxFallbackBody))
	}
	mediaType, params, _ := mime.ParseMediaType(h.Get("Content-Type"))
	text := decodeCharset(body, params["charset"], &b.msg.Warnings)
	if mediaType == "text/html" {
		b.msg.HTML = text
		b.msg.Text = HTMLToText(text)
	} else {
		b.msg.Text = normaliseNewlines(text)
	}
	b.finish()
	return b.msg
}

// hasKnownHeader reports whether the header block contains at least one
// field every real message has; without one the input is not an email.
func (b *builder) hasKnownHeader() bool {
	for _, k := range []string{"From", "To", "Subject", "Date", "Message-Id", "Received", "Mime-Version", "Content-Type", "Return-Path", "Delivered-To", "Sender", "Reply-To"} {
		if len(b.msg.Headers[k]) > 0 {
			return true
		}
	}
	return false
}

// headerKeys returns the header names in a stable order, for deterministic
// warnings.
func headerKeys(h textproto.MIMEHeader) []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// normaliseNewlines turns CRLF and lone CR into LF and drops a byte order mark.
func normaliseNewlines(s string) string {
	s = strings.TrimPrefix(s, "\uFEFF")
	if !strings.Contains(s, "\r") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// trimPreamble removes what some delivery paths put before the header
// block: blank lines or indentation before the first field, and an mbox
// "From " separator line. Without this the whole header block would be read
// as body.
func trimPreamble(raw []byte) []byte {
	rest := bytes.TrimLeft(raw, " \t\r\n")
	if bytes.HasPrefix(rest, []byte("From ")) {
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			rest = rest[i+1:]
		}
	}
	if startsWithField(rest) {
		return rest
	}
	return raw
}

// startsWithField reports whether b begins with "Name:" where Name is a
// valid header field name.
func startsWithField(b []byte) bool {
	line := b
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	colon := bytes.IndexByte(line, ':')
	return colon > 0 && validHeaderName(line[:colon])
}
