package phone

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ombud/ombud/internal/apperr"
)

// Call events a provider reports.
const (
	EventStarted  = "started"  // the phone rings: the ticket opens and agents see the caller
	EventAnswered = "answered" // an agent picked up
	EventEnded    = "ended"    // the call is over (duration, recording)
	EventMissed   = "missed"   // nobody answered: flagged for a call back
)

// Events lists the accepted event names.
var Events = []string{EventStarted, EventAnswered, EventEnded, EventMissed}

// Limits on a payload.
const (
	MaxBody     = 64 << 10
	MaxCallID   = 200
	MaxURL      = 2000
	MaxDuration = 7 * 24 * 3600
)

// Payload is one call event as a provider posts it (docs/phone.md).
type Payload struct {
	CallID       string    `json:"call_id"`
	Event        string    `json:"event"`
	From         string    `json:"from"`
	To           string    `json:"to"`
	AgentEmail   string    `json:"agent_email"`
	StartedAt    time.Time `json:"started_at"`
	DurationS    int64     `json:"duration_s"`
	RecordingURL string    `json:"recording_url"`
}

// wire is the payload as sent: times as text so a bad one names its field.
type wire struct {
	CallID       string `json:"call_id"`
	Event        string `json:"event"`
	From         string `json:"from"`
	To           string `json:"to"`
	AgentEmail   string `json:"agent_email"`
	StartedAt    string `json:"started_at"`
	DurationS    *int64 `json:"duration_s"`
	RecordingURL string `json:"recording_url"`
}

// Parse reads and checks a call event. A bad one is an invalid error
// naming each wrong field. Numbers are checked here and normalised later,
// with the integration's default country.
func Parse(body []byte) (Payload, error) {
	var w wire
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&w); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return Payload{}, apperr.InvalidField(te.Field, "has the wrong type")
		}
		return Payload{}, apperr.InvalidField("body", "must be a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return Payload{}, apperr.InvalidField("body", "must be one JSON object")
	}
	fe := apperr.FieldErrors{}
	p := Payload{CallID: strings.TrimSpace(w.CallID), Event: w.Event, From: strings.TrimSpace(w.From), To: strings.TrimSpace(w.To),
		AgentEmail: strings.TrimSpace(w.AgentEmail), RecordingURL: strings.TrimSpace(w.RecordingURL)}
	switch {
	case p.CallID == "":
		fe.Add("call_id", "is required")
	case len(p.CallID) > MaxCallID || !utf8.ValidString(p.CallID) || strings.IndexFunc(p.CallID, unicode.IsControl) >= 0:
		fe.Add("call_id", fmt.Sprintf("must be 1 to %d printable characters", MaxCallID))
	}
	if !slices.Contains(Events, p.Event) {
		fe.Add("event", "must be one of "+strings.Join(Events, ", "))
	}
	if p.From == "" {
		fe.Add("from", "is required: the caller's number")
	} else if _, err := E164(p.From, ""); err != nil {
		fe.Add("from", err.Error())
	}
	if p.To != "" {
		if _, err := E164(p.To, ""); err != nil {
			fe.Add("to", err.Error())
		}
	}
	if p.AgentEmail != "" {
		a, err := mail.ParseAddress(p.AgentEmail)
		if err != nil || a.Name != "" || !strings.Contains(a.Address, "@") || len(a.Address) > 254 {
			fe.Add("agent_email", "must be an email address")
		} else {
			p.AgentEmail = strings.ToLower(a.Address)
		}
	}
	if w.StartedAt != "" {
		t, err := time.Parse(time.RFC3339, w.StartedAt)
		if err != nil {
			fe.Add("started_at", "must be an RFC 3339 time such as 2026-01-02T15:04:05Z")
		} else {
			p.StartedAt = t.UTC()
		}
	}
	if w.DurationS != nil {
		if *w.DurationS < 0 || *w.DurationS > MaxDuration {
			fe.Add("duration_s", fmt.Sprintf("must be 0 to %d seconds", MaxDuration))
		} else {
			p.DurationS = *w.DurationS
		}
	}
	if p.RecordingURL != "" {
		u, err := url.Parse(p.RecordingURL)
		if err != nil || len(p.RecordingURL) > MaxURL || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			fe.Add("recording_url", fmt.Sprintf("must be an http or https URL of at most %d characters", MaxURL))
		}
	}
	if err := fe.Err(); err != nil {
		return Payload{}, err
	}
	return p, nil
}
