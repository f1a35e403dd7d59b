package ticket

import (
	"slices"
	"testing"
)

// TestParseIDList: a group_concat of ids is read as group_concat wrote
// it, nil beyond the limit, and anything else is an error.
func TestParseIDList(t *testing.T) {
	tests := []struct {
		list    string
		limit   int
		want    []int64
		wantErr bool
	}{
		{"", 5, []int64{}, false},
		{"7", 5, []int64{7}, false},
		{"12,3,999999", 5, []int64{12, 3, 999999}, false},
		{"1,2,3", 3, []int64{1, 2, 3}, false},
		{"1,2,3,4", 3, nil, false},
		{"1,,2", 5, nil, true},
		{"1,2,", 5, nil, true},
		{"1,x", 5, nil, true},
		{"-1", 5, nil, true},
		{"1234567890123456789", 5, nil, true},
	}
	for _, tc := range tests {
		got, err := parseIDList(tc.list, tc.limit)
		if (err != nil) != tc.wantErr {
			t.Errorf("%q: error %v, want error %v", tc.list, err, tc.wantErr)
			continue
		}
		if !slices.Equal(got, tc.want) || (got == nil) != (tc.want == nil) {
			t.Errorf("%q, limit %d: %v, want %v", tc.list, tc.limit, got, tc.want)
		}
	}
}

// TestIDSet: the bit set holds exactly its ids, whatever their order and
// spread, and nothing outside its range.
func TestIDSet(t *testing.T) {
	tests := [][]int64{
		nil,
		{5},
		{63, 64, 65},
		{1000000, 3, 64, 127, 128, 999937},
		{8600, 8599, 1, 2},
	}
	for _, ids := range tests {
		set := newIDSet(ids)
		probe := []int64{-1, 0, 1, 2, 3, 4, 5, 6, 62, 63, 64, 65, 66, 126, 127, 128, 129, 8598, 8599, 8600, 8601, 999936, 999937, 999938, 999999, 1000000, 1000001, 1 << 40}
		for _, id := range append(probe, ids...) {
			if got, want := set.has(id), slices.Contains(ids, id); got != want {
				t.Errorf("%v: has(%d) = %v, want %v", ids, id, got, want)
			}
		}
	}
}
