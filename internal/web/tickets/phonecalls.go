package tickets

import (
	"fmt"

	"github.com/ombud/ombud/internal/channel/phone"
	"github.com/ombud/ombud/internal/ticket"
)

// This file holds the history sentences of phone calls (docs/phone.md).

// describeCall says what a call event was: who called, who answered,
// how long it lasted, or that it was missed and wants a call back.
func (u *UI) describeCall(lang string, e ticket.Event, agentName func(any) string) string {
	t := func(key string, args ...any) string { return u.i18n.T(lang, key, args...) }
	d := e.Data
	from := fmt.Sprint(d["from"])
	switch e.Type {
	case phone.EvCallStarted:
		return t("incoming call from %s", from)
	case phone.EvCallAnswered:
		if d["agent_id"] != nil {
			return t("call from %s answered by %s", from, agentName(d["agent_id"]))
		}
		return t("call from %s answered", from)
	case phone.EvCallEnded:
		return t("call from %s ended after %s", from, callDuration(d["duration_s"]))
	case phone.EvCallMissed:
		return t("missed call from %s: call back", from)
	}
	return e.Type
}

// callDuration is seconds as m:ss (h:mm:ss from an hour).
func callDuration(v any) string {
	f, _ := v.(float64)
	s := int64(f)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// recording is a call event's recording link, or "".
func recording(e ticket.Event) string {
	if e.Type != phone.EvCallEnded && e.Type != phone.EvCallMissed {
		return ""
	}
	s, _ := e.Data["recording_url"].(string)
	return s
}
