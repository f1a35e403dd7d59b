package db_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/db"
)

func TestTextAddresses(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{"none", "no address here", nil},
		{"one, upper case", "Write to Ola.Nordmann@Example.NO today", []string{"ola.nordmann@example.no"}},
		{"sentence end", "mail ola@example.no.", []string{"ola@example.no"}},
		{"brackets and mailto", "<mailto:kari+ombud@fjord.co.uk>, (per_holm@a-b.no)", []string{"kari+ombud@fjord.co.uk", "per_holm@a-b.no"}},
		{"each once", "ola@example.no OLA@example.no", []string{"ola@example.no"}},
		{"tokens apart", "ola nordmann example no", nil},
		{"no dot in domain", "root@localhost", nil},
		{"empty label", "ola@example..no", nil},
		{"no local part", "@example.no", nil},
		{"glued to a non-ASCII letter", "øla@example.no and ola@example.noå", nil},
		{"a non-ASCII space is no glue", "ola@example.no\u00a0ok", []string{"ola@example.no"}},
		{"dots before the local part", "..ola.@example.no", []string{"ola.@example.no"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, db.TextAddresses(tc.text)); diff != "" {
				t.Fatalf("TextAddresses(%q) (-want +got):\n%s", tc.text, diff)
			}
		})
	}
}

func TestIsTextAddress(t *testing.T) {
	for s, want := range map[string]bool{"ola@example.no": true, "Ola@Example.no": true, "ola@localhost": false,
		"ola@example.no kari@example.no": false, " ola@example.no": false} {
		if got := db.IsTextAddress(s); got != want {
			t.Errorf("IsTextAddress(%q) = %v, want %v", s, got, want)
		}
	}
}

// FuzzTextAddresses: any text is read without a panic, every address
// found is lower case, appears in the text (ignoring case), once, and is
// itself read back as one address.
func FuzzTextAddresses(f *testing.F) {
	for _, s := range []string{"", "ola@example.no", "Kari.Nordmann+tag@Fjord.Example.com, and ola@x.no.",
		"@@@", "a@b", "..x@y.z..", "æøå@example.no", "x@y.z@w.v", "mail: ÅSA@Example.se)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got := db.TextAddresses(text)
		seen := map[string]bool{}
		lower := strings.ToLower(text)
		for _, a := range got {
			if a != strings.ToLower(a) || seen[a] || !strings.Contains(lower, a) || !db.IsTextAddress(a) {
				t.Fatalf("TextAddresses(%q) = %q: %q", text, got, a)
			}
			seen[a] = true
		}
	})
}
