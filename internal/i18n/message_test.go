package i18n

import "testing"

// TestMessage: a service's English message, literal or built with
// fmt.Sprintf, comes out in the locale with its arguments in place.
func TestMessage(t *testing.T) {
	tr, err := New()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, locale, msg, want string }{
		{"literal", "nb", "choose at least one column", "velg minst én kolonne"},
		{"core key", "sl", "Sign out", "Odjava"},
		{"numbers", "nb", "ticket 12 was merged into 9", "sak 12 ble slått sammen med 9"},
		{"three numbers", "sv", "ticket 4 changed since version 2 (now 3); reload and retry", "ärende 4 har ändrats sedan version 2 (nu 3); ladda om och försök igen"},
		{"not found of a kind, not the generic", "sl", "ticket 77 not found", "Zahtevka 77 ni mogoče najti"},
		{"quoted", "da", `the calendar is used by SLA policy "Guld"; change its targets first`, `kalenderen bruges af SLA-politikken "Guld"; ændr dens mål først`},
		{"english stays", "en", "ticket 12 was merged into 9", "ticket 12 was merged into 9"},
		{"unknown stays", "sl", "the flux capacitor is cold", "the flux capacitor is cold"},
		{"a number verb takes no words", "nb", "ticket x was merged into 9", "ticket x was merged into 9"},
		{"empty", "sl", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tr.Message(tt.locale, tt.msg); got != tt.want {
				t.Errorf("Message(%s, %q) = %q, want %q", tt.locale, tt.msg, got, tt.want)
			}
		})
	}
}
