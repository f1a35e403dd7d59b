package tickets

import (
	"testing"

	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/sla"
	"github.com/ombud/ombud/internal/ticket"
)

// TestDescribeRetarget: the history line of a priority change that moved
// the running SLA clocks names each clock and its old and new target, in
// the agent's language.
func TestDescribeRetarget(t *testing.T) {
	tr, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	u := &UI{i18n: tr}
	e := ticket.Event{Type: sla.EvRetargeted, Data: map[string]any{
		"from_priority": "normal", "to_priority": "urgent",
		"clocks": []any{
			map[string]any{"metric": "next_reply", "from_target": "8h", "to_target": "2h", "from_due": "2026-03-02T20:00:00Z", "to_due": "2026-03-02T14:00:00Z"},
			map[string]any{"metric": "resolution", "from_target": "", "to_target": "8h", "from_due": nil, "to_due": "2026-03-02T16:00:00Z"},
		},
	}}
	tests := []struct{ lang, want string }{
		{"en", "moved the running SLA clocks to the new priority's targets: Next reply 8h → 2h; Resolution no target → 8h"},
		{"nb", "flyttet de løpende SLA-klokkene til målene for den nye prioriteten: Neste svar 8h → 2h; Løsning intet mål → 8h"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			if got := u.describe(tt.lang, e, nil); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
