package search

import (
	"math"
	"math/rand/v2"
	"strings"
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

// TestSearchScoreMatchesTokens: Score, which folds in place, gives exactly
// what tokenizing with Tokens and comparing gives (scoreSlow), on random
// texts of ASCII, Latin letters with diacritics, other scripts, combining
// marks and separators.
func TestSearchScoreMatchesTokens(t *testing.T) {
	long := strings.Repeat("abc", 23) // longer than the lengths Score keeps a bit for
	pieces := []string{"refund", "Refund", "REFUND", "račun", "Račun", "RAČUN", "racun", "ørsta", "Ørsta", "are", "ÅRE",
		"straße", "ǅemal", "e\u0301t\u00e9", "ete", "été", "счёт", "счет", "ñ", "n", "2026", "x", " ", " ", ", ", "-", "!", "\u00a0", "…", "refundø", "Refund\u0301", long, strings.ToUpper(long)}
	queries := []Relevance{
		NewRelevance([]string{"refund"}, nil),
		NewRelevance([]string{"racun", "are"}, nil),
		NewRelevance([]string{"ete"}, []string{"refund refund", "ørsta are refund"}),
		NewRelevance(nil, []string{"счет n"}),
		NewRelevance([]string{"straße", "2026", "x"}, []string{"x x x"}),
		NewRelevance([]string{"a", "b", "c", "d", "e", "f", "g", "h", "refund"}, nil), // more terms than the bit sets hold
		NewRelevance([]string{long}, []string{"refund " + long}),
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		var sb strings.Builder
		for range r.IntN(40) {
			sb.WriteString(pieces[r.IntN(len(pieces))])
			if r.IntN(2) == 0 {
				sb.WriteByte(' ')
			}
		}
		text := sb.String()
		for i, q := range queries {
			if got, want := q.Score(text, AvgCommentLen), q.scoreSlow(text, AvgCommentLen); got != want {
				t.Fatalf("query %d, %q: Score %v, tokens say %v", i, text, got, want)
			}
		}
	}
	for c := rune(0x80); c < 0x250; c++ {
		if latinFold[c] != "" && latinFold[c] != fold(string(c), false) {
			t.Fatalf("%q folds to %q, not %q", c, latinFold[c], fold(string(c), false))
		}
	}
}

func BenchmarkSearchScore(b *testing.B) {
	r := NewRelevance([]string{"ikke"}, []string{"vennlig hilsen"})
	text := strings.Repeat("Hei! Jeg har ikke fått pakken min, ordre 902061. Kan dere sjekke? Vennlig hilsen Ingrid Haugen. ", 6)
	b.ReportAllocs()
	for b.Loop() {
		r.Score(text, AvgCommentLen)
	}
}

// BenchmarkSearchScoreTokens is the same through Tokens (the reference).
func BenchmarkSearchScoreTokens(b *testing.B) {
	r := NewRelevance([]string{"ikke"}, []string{"vennlig hilsen"})
	text := strings.Repeat("Hei! Jeg har ikke fått pakken min, ordre 902061. Kan dere sjekke? Vennlig hilsen Ingrid Haugen. ", 6)
	b.ReportAllocs()
	for b.Loop() {
		r.scoreSlow(text, AvgCommentLen)
	}
}

// FuzzSearchScore: Score gives what tokenizing the text gives.
func FuzzSearchScore(f *testing.F) {
	for _, s := range []string{"Refund please", "RAČUN št. 2026", "refundø refund", "e\u0301t\u00e9 ete", "счёт n", "x x x"} {
		f.Add(s)
	}
	queries := []Relevance{
		NewRelevance([]string{"refund"}, nil),
		NewRelevance([]string{"racun", "ete"}, []string{"x x"}),
		NewRelevance(nil, []string{"счет n"}),
	}
	f.Fuzz(func(t *testing.T, text string) {
		for i, q := range queries {
			if got, want := q.Score(text, AvgCommentLen), q.scoreSlow(text, AvgCommentLen); got != want {
				t.Fatalf("query %d, %q: Score %v, tokens say %v", i, text, got, want)
			}
		}
	})
}

// BenchmarkSearchScoreMail is Score of one common word on mail-like text,
// most of whose tokens are not as long as the word.
func BenchmarkSearchScoreMail(b *testing.B) {
	r := NewRelevance([]string{"order"}, nil)
	text := strings.Repeat("Hello, I placed an order last week and the parcel has still not arrived; the tracking page says it left the warehouse on Monday. Could you check where it is? Kind regards, Emily Jones. ", 2)
	b.ReportAllocs()
	for b.Loop() {
		r.Score(text, AvgCommentLen)
	}
}
