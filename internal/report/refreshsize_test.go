package report

import (
	"testing"
	"time"
)

// A refresh transaction that held the writer too long makes the next one
// smaller in proportion; a quick one lets it grow back, within bounds.
func TestNextRefreshSize(t *testing.T) {
	for _, c := range []struct {
		size int
		held time.Duration
		want int
	}{
		{batch, holdTarget, batch},            // on target: unchanged
		{batch, 2 * holdTarget, batch / 2},    // twice as long: half
		{batch, 10 * time.Second, minRefresh}, // far too long: the floor
		{40, holdTarget / 4, 80},              // quick: doubles
		{150, time.Millisecond, batch},        // never above batch
		{minRefresh, time.Hour, minRefresh},   // never below the floor
		{100, holdTarget * 3 / 4, 100},        // between half and target: kept
		{100, holdTarget + holdTarget/4, 80},  // a quarter over: four fifths
	} {
		if got := nextRefreshSize(c.size, c.held); got != c.want {
			t.Errorf("nextRefreshSize(%d, %v) = %d, want %d", c.size, c.held, got, c.want)
		}
	}
}
