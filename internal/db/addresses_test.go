package db_test

import (
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
