package message

import "testing"

func TestTicketToken(t *testing.T) {
	tests := []struct {
		subject string
		want    int64
	}{
		{"", 0},
		{"[#1234]", 1234},
		{"Re: [#1234] Printer broken", 1234},
		{"SV: AW: [#77] Faktura", 77},
		{"Printer broken [#42]", 42},
		{"[#] nothing", 0},
		{"[#12a] not a number", 0},
		{"[#0] zero is no ticket", 0},
		{"[#99999999999999999999] overflow", 0},
		{"[#12 unclosed", 0},
		{"[# 12] space", 0},
		{"[#bad] then [#9]", 9},
		{"Order #1234", 0},
		{"[#1][#2]", 1},
	}
	for _, tt := range tests {
		t.Run(tt.subject, func(t *testing.T) {
			if got := TicketToken(tt.subject); got != tt.want {
				t.Errorf("TicketToken(%q) = %d, want %d", tt.subject, got, tt.want)
			}
		})
	}
}

func TestStripReplyPrefixes(t *testing.T) {
	tests := []struct {
		subject string
		want    string
	}{
		{"", ""},
		{"Printer broken", "Printer broken"},
		{"Re: Printer broken", "Printer broken"},
		{"RE: RE: re: Printer broken", "Printer broken"},
		{"Fwd: Fw: FW: Printer", "Printer"},
		{"SV: AW: WG: VS: Odp: Printer", "Printer"},
		{"Re: [#1234] Printer", "Printer"},
		{"[#1234] Re: Printer", "Printer"},
		{"SV: AW: [#1234] Printer", "Printer"},
		{"Printer [#1234] broken", "Printer broken"},
		{"RE : Facture", "Facture"},
		{"TR: Facture", "Facture"},
		{"Re[2]: Printer", "Printer"},
		{"Re(3): Printer", "Printer"},
		{"Antw: Printer", "Printer"},
		{"Posl.: Printer", "Printer"},
		{"回复：打印机", "打印机"},
		{"Re:Printer", "Printer"},
		{"Rework: plan", "Rework: plan"},
		{"Reference number", "Reference number"},
		{"Svar på spørsmål", "Svar på spørsmål"},
		{"  Re:   lots   of   space  ", "lots of space"},
		{"Re:", ""},
		{"[#12a] keeps odd token", "[#12a] keeps odd token"},
	}
	for _, tt := range tests {
		t.Run(tt.subject, func(t *testing.T) {
			if got := StripReplyPrefixes(tt.subject); got != tt.want {
				t.Errorf("StripReplyPrefixes(%q) = %q, want %q", tt.subject, got, tt.want)
			}
		})
	}
}

func TestPlusTag(t *testing.T) {
	tests := []struct {
		addr string
		want string
	}{
		{"support+t1234@ombud.example", "t1234"},
		{"support@ombud.example", ""},
		{"Support <support+t1234@ombud.example>", "t1234"},
		{`"Support Desk" <support+abc@ombud.example>`, "abc"},
		{"support+a+b@ombud.example", "a+b"},
		{"support+@ombud.example", ""},
		{"", ""},
		{"no-at-sign+tag", "tag"},
		{"first.last@plus+domain.example", ""},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if got := PlusTag(tt.addr); got != tt.want {
				t.Errorf("PlusTag(%q) = %q, want %q", tt.addr, got, tt.want)
			}
		})
	}
}
