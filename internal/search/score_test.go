package search

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSearchTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Refund, please!", []string{"refund", "please"}},
		{"Račun št. 2026-114", []string{"racun", "st", "2026", "114"}},
		{"ÅRE Ørsta", []string{"are", "ørsta"}},
		{"  ", nil},
		{"kari@example.no", []string{"kari", "example", "no"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, Tokens(tt.in)); diff != "" {
			t.Errorf("Tokens(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

// TestSearchRelevance: a text without the terms scores 0; more
// occurrences score more, with diminishing returns; a shorter text scores
// more; a phrase counts only in order; recency halves per half-life.
func TestSearchRelevance(t *testing.T) {
	r := NewRelevance([]string{"refund"}, nil)
	zero := r.Score("nothing here", AvgCommentLen)
	one := r.Score("refund for the chair that arrived broken last week", AvgCommentLen)
	two := r.Score("refund refund for the chair that arrived broken last week", AvgCommentLen)
	short := r.Score("refund", AvgCommentLen)
	if zero != 0 || !(one > 0 && two > one && two < 2*one && short > one) {
		t.Fatalf("zero %v one %v two %v short %v", zero, one, two, short)
	}
	p := NewRelevance(nil, []string{"broken screen"})
	if p.Score("screen broken", AvgCommentLen) != 0 || p.Score("the broken screen", AvgCommentLen) == 0 {
		t.Fatal("phrase order")
	}
	if got := Blend(1, RecencyHalfLife) - 1; math.Abs(got-RecencyWeight/2) > 1e-9 {
		t.Fatalf("recency after one half-life %v", got)
	}
	if Blend(1, -time.Hour) != 1+RecencyWeight {
		t.Fatal("a future time counts as now")
	}
}
