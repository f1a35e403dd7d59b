package tickets

import (
	"fmt"
	"strings"

	"github.com/ombud/ombud/internal/ticket"
)

// describeRetarget is the history sentence of an sla_retargeted event (a
// priority change moved the targets of the clocks still running): each
// clock as "First reply 4h → 1h". The event's data keeps the old and new
// deadlines for the API; the sentence names the targets, which read the
// same in every time zone.
func (u *UI) describeRetarget(lang string, e ticket.Event) string {
	target := func(v any) string {
		if s, _ := v.(string); s != "" {
			return s
		}
		return u.i18n.T(lang, "no target")
	}
	clocks, _ := e.Data["clocks"].([]any)
	var moved []string
	for _, c := range clocks {
		m, ok := c.(map[string]any)
		if !ok {
			continue
		}
		name := fmt.Sprint(m["metric"])
		if l, ok := slaLabels[name]; ok {
			name = u.i18n.String(lang, l)
		}
		moved = append(moved, fmt.Sprintf("%s %s → %s", name, target(m["from_target"]), target(m["to_target"])))
	}
	return u.i18n.T(lang, "moved the running SLA clocks to the new priority's targets: %s", strings.Join(moved, "; "))
}
