package ticket

import "testing"

// TestNextLookupSpan: the next window reaches twice as far as the density
// so far says the walk needs, within 2–8 times what was read.
func TestNextLookupSpan(t *testing.T) {
	tests := []struct {
		span        int64
		found, walk int
		want        int64
	}{
		{31250, 0, 1200, 250000},   // none found: eightfold
		{31250, 625, 1200, 88750},  // 2 × 60,000 − 31,250
		{31250, 1100, 1200, 62500}, // nearly there: at least twice
		{31250, 10, 1200, 250000},  // sparse: at most eightfold
		{2, 1, 4, 14},              // 2 × 8 − 2
	}
	for _, tc := range tests {
		if got := nextLookupSpan(tc.span, tc.found, tc.walk); got != tc.want {
			t.Errorf("nextLookupSpan(%d, %d, %d) = %d, want %d", tc.span, tc.found, tc.walk, got, tc.want)
		}
	}
}

// TestFirstLookupSpan: the first window is where walk tickets of the named
// customers would be, were each customer's share of the ids even, and a
// quarter more.
func TestFirstLookupSpan(t *testing.T) {
	tests := []struct {
		walk, named int
		customers   int64
		want        int64
	}{
		{1200, 500, 25000, 75000}, // 1M tickets, a first name, a filter
		{300, 500, 25000, 18750},  // the same without a filter
		{4, 6, 17, 14},
		{300, 0, 25000, 0}, // nobody named
		{300, 5, 0, 0},     // no customers read
	}
	for _, tc := range tests {
		if got := firstLookupSpan(tc.walk, tc.named, tc.customers); got != tc.want {
			t.Errorf("firstLookupSpan(%d, %d, %d) = %d, want %d", tc.walk, tc.named, tc.customers, got, tc.want)
		}
	}
}
