package apperr_test

import (
	"testing"

	"github.com/ombud/ombud/internal/apperr"
)

func TestMaxItems(t *testing.T) {
	tests := []struct {
		n, max int
		want   bool
	}{
		{0, 50, false},
		{50, 50, false},
		{51, 50, true},
		{400_000, 50, true},
	}
	for _, tt := range tests {
		fe := apperr.FieldErrors{}
		if got := fe.MaxItems("identities", tt.n, tt.max); got != tt.want {
			t.Errorf("MaxItems(%d, %d) = %v, want %v", tt.n, tt.max, got, tt.want)
		}
		want := ""
		if tt.want {
			want = "at most 50 items"
		}
		if fe["identities"] != want {
			t.Errorf("MaxItems(%d, %d) message %q, want %q", tt.n, tt.max, fe["identities"], want)
		}
	}
}
