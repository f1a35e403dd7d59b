package messaging

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ombud/ombud/internal/apperr"
)

// Event types of the provider-neutral payload.
const (
	TypeMessage = "message" // a customer wrote
	TypeStatus  = "status"  // what became of one of our replies
)

// Types lists the accepted event types.
var Types = []string{TypeMessage, TypeStatus}

// Delivery states of a reply. Queued is ours (not yet handed over); the
// others are the provider's word.
const (
	StateQueued    = "queued"
	StateSent      = "sent"
	StateDelivered = "delivered"
	StateRead      = "read"
	StateFailed    = "failed"
)

// Statuses lists the states a provider may report.
var Statuses = []string{StateSent, StateDelivered, StateRead, StateFailed}

// Limits on a payload.
const (
	MaxBody   = 256 << 10
	MaxID     = 200
	MaxURL    = 2000
	MaxText   = 64 << 10
	MaxMedia  = 10
	maxHandle = 200
)

// Payload is one event as a provider posts it to the neutral webhook
// (docs/messaging.md).
type Payload struct {
	Type           string    `json:"type"`
	MessageID      string    `json:"message_id"`
	ConversationID string    `json:"conversation_id,omitempty"`
	Sender         *Sender   `json:"sender,omitempty"`
	Text           string    `json:"text,omitempty"`
	Media          []Media   `json:"media,omitempty"`
	SentAt         time.Time `json:"sent_at,omitzero"`
	// Status and Error describe a status event.
	Status string `json:"status,omitempty"`
	Error  string `json:"error,omitempty"`
}

// Sender is who wrote: the provider's handle (a user id or number), a
// display name, and a phone number when the provider knows it.
type Sender struct {
	Handle string `json:"handle"`
	Name   string `json:"name,omitempty"`
	Phone  string `json:"phone,omitempty"`
}

// Media is one file of a message: a URL to fetch (or, from Telegram, a
// file id to resolve), its type, size and name.
type Media struct {
	URL      string `json:"url,omitempty"`
	MimeType string `json:"mime_type,omitempty"`
	Size     int64  `json:"size,omitempty"`
	Filename string `json:"filename,omitempty"`
	// FileID is Telegram's handle of a file (getFile); not in the neutral payload.
	FileID string `json:"-"`
}

func printable(s string, max int) bool {
	return s != "" && len(s) <= max && utf8.ValidString(s) && strings.IndexFunc(s, unicode.IsControl) < 0
}

func decodeOne(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return apperr.InvalidField(te.Field, "has the wrong type")
		}
		return apperr.InvalidField("body", "must be a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return apperr.InvalidField("body", "must be one JSON object")
	}
	return nil
}

// Parse reads and checks a provider-neutral event; a bad one is an
// invalid error naming each wrong field.
func Parse(body []byte) (Payload, error) {
	var w struct {
		Type           string  `json:"type"`
		MessageID      string  `json:"message_id"`
		ConversationID string  `json:"conversation_id"`
		Sender         *Sender `json:"sender"`
		Text           string  `json:"text"`
		Media          []Media `json:"media"`
		SentAt         string  `json:"sent_at"`
		Status         string  `json:"status"`
		Error          string  `json:"error"`
	}
	if err := decodeOne(body, &w); err != nil {
		return Payload{}, err
	}
	fe := apperr.FieldErrors{}
	p := Payload{Type: w.Type, MessageID: strings.TrimSpace(w.MessageID), ConversationID: strings.TrimSpace(w.ConversationID),
		Text: strings.TrimSpace(w.Text), Status: w.Status, Error: strings.TrimSpace(w.Error)}
	if !slices.Contains(Types, p.Type) {
		fe.Add("type", "must be one of "+strings.Join(Types, ", "))
	}
	if !printable(p.MessageID, MaxID) {
		fe.Add("message_id", fmt.Sprintf("must be 1 to %d printable characters", MaxID))
	}
	if p.Type == TypeStatus {
		if !slices.Contains(Statuses, p.Status) {
			fe.Add("status", "must be one of "+strings.Join(Statuses, ", "))
		}
		if len(p.Error) > 1000 || !utf8.ValidString(p.Error) {
			fe.Add("error", "must be at most 1000 characters")
		}
		return p, fe.Err()
	}
	if p.Type != TypeMessage {
		return p, fe.Err()
	}
	if !printable(p.ConversationID, MaxID) {
		fe.Add("conversation_id", fmt.Sprintf("must be 1 to %d printable characters", MaxID))
	}
	if w.Sender == nil {
		fe.Add("sender", "is required")
	} else {
		sd := Sender{Handle: strings.TrimSpace(w.Sender.Handle), Name: strings.TrimSpace(w.Sender.Name), Phone: strings.TrimSpace(w.Sender.Phone)}
		if !printable(sd.Handle, maxHandle) {
			fe.Add("sender.handle", fmt.Sprintf("must be 1 to %d printable characters", maxHandle))
		}
		if sd.Name != "" && !printable(sd.Name, maxHandle) {
			fe.Add("sender.name", fmt.Sprintf("must be at most %d printable characters", maxHandle))
		}
		if sd.Phone != "" && !phoneLike(sd.Phone) {
			fe.Add("sender.phone", "must be a phone number (6 to 18 digits, optional leading +)")
		}
		p.Sender = &sd
	}
	if len(w.Text) > MaxText || !utf8.ValidString(w.Text) {
		fe.Add("text", fmt.Sprintf("must be at most %d bytes of UTF-8", MaxText))
	}
	if len(w.Media) > MaxMedia {
		fe.Add("media", fmt.Sprintf("at most %d files", MaxMedia))
	}
	for i, m := range w.Media {
		if i >= MaxMedia {
			break
		}
		m.URL = strings.TrimSpace(m.URL)
		if !validURL(m.URL) {
			fe.Add(fmt.Sprintf("media[%d].url", i), fmt.Sprintf("must be an http or https URL of at most %d characters", MaxURL))
		}
		if m.Size < 0 {
			fe.Add(fmt.Sprintf("media[%d].size", i), "must not be negative")
		}
		if len(m.MimeType) > 200 || len(m.Filename) > 255 {
			fe.Add(fmt.Sprintf("media[%d]", i), "mime_type or filename is too long")
		}
		p.Media = append(p.Media, m)
	}
	if p.Text == "" && len(w.Media) == 0 {
		fe.Add("text", "is required when there is no media")
	}
	if w.SentAt != "" {
		t, err := time.Parse(time.RFC3339, w.SentAt)
		if err != nil {
			fe.Add("sent_at", "must be an RFC 3339 time such as 2026-01-02T15:04:05Z")
		} else {
			p.SentAt = t.UTC()
		}
	}
	if err := fe.Err(); err != nil {
		return Payload{}, err
	}
	return p, nil
}

// phoneLike is 6 to 18 digits, with an optional leading + and the usual
// separators.
func phoneLike(s string) bool {
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0, r == ' ', r == '-', r == '(', r == ')', r == '.':
		default:
			return false
		}
	}
	return digits >= 6 && digits <= 18
}
