package search

import (
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Relevance is how search ranks the text of a ticket: each subject and
// comment the full-text index matched is scored by a BM25 term-frequency
// part (k1 = 1.2, b = 0.75) averaged over the query's words and phrases; a
// ticket takes its best text, a subject counting twice; recency is then
// added (Blend). There is no inverse document frequency: every matched
// text holds every term (words are ANDed), so IDF would scale all of them
// alike, and computing it is what made common words slow (FTS5's bm25()
// walks each term's whole doclist on every query). Scoring happens in Go
// on a bounded set of candidates (ticket/rank.go), the same way on both
// engines.
type Relevance struct {
	terms [][]string // each word or phrase as folded tokens
}

// BM25 parameters, and the average length in tokens the length
// normalisation assumes for subjects and comments (typical support mail;
// a constant, so a score needs no table statistics).
const (
	k1            = 1.2
	b             = 0.75
	AvgSubjectLen = 8
	AvgCommentLen = 60
	SubjectWeight = 2
)

// Recency: a ticket updated now gains RecencyWeight, one updated
// RecencyHalfLife ago half of it. A text score lies in [0, 2.2) (4.4 for
// a subject), so recency orders tickets that match about equally well and
// never lifts a weak comment match far above a subject match.
const (
	RecencyWeight   = 1.0
	RecencyHalfLife = 30 * 24 * time.Hour
)

// NewRelevance prepares the words and phrases of a query for scoring.
func NewRelevance(words, phrases []string) Relevance {
	var r Relevance
	for _, w := range append(append([]string{}, words...), phrases...) {
		if ts := Tokens(w); len(ts) > 0 {
			r.terms = append(r.terms, ts)
		}
	}
	return r
}

// Score is the text score of one subject or comment; avgLen is
// AvgSubjectLen or AvgCommentLen.
func (r Relevance) Score(text string, avgLen float64) float64 {
	if len(r.terms) == 0 {
		return 0
	}
	toks := Tokens(text)
	norm := k1 * (1 - b + b*float64(len(toks))/avgLen)
	sum := 0.0
	for _, term := range r.terms {
		tf := 0
		for i := 0; i+len(term) <= len(toks); i++ {
			if toks[i] != term[0] {
				continue
			}
			match := true
			for j := 1; j < len(term); j++ {
				if toks[i+j] != term[j] {
					match = false
					break
				}
			}
			if match {
				tf++
			}
		}
		if tf > 0 {
			sum += float64(tf) * (k1 + 1) / (float64(tf) + norm)
		}
	}
	return sum / float64(len(r.terms))
}

// Blend adds recency to a ticket's score: age is the time since its last
// update.
func Blend(score float64, age time.Duration) float64 {
	if age < 0 {
		age = 0
	}
	return score + RecencyWeight*math.Exp2(-float64(age)/float64(RecencyHalfLife))
}

// Tokens splits text into lower-case tokens without diacritics, the way
// the engines' full-text indexes read it (letters and digits; anything
// else separates).
func Tokens(text string) []string {
	var out []string
	start := -1
	ascii := true
	flush := func(end int) {
		if start < 0 {
			return
		}
		out = append(out, fold(text[start:end], ascii))
		start, ascii = -1, true
	}
	for i, c := range text {
		if c < utf8.RuneSelf {
			if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' {
				if start < 0 {
					start = i
				}
				continue
			}
			flush(i)
			continue
		}
		if unicode.IsLetter(c) || unicode.IsDigit(c) || unicode.Is(unicode.Mn, c) {
			if start < 0 {
				start = i
			}
			ascii = false
			continue
		}
		flush(i)
	}
	flush(len(text))
	return out
}

// fold lower-cases a token and strips its diacritics (é → e, č → c).
func fold(tok string, ascii bool) string {
	if ascii {
		for i := 0; i < len(tok); i++ {
			if c := tok[i]; c >= 'A' && c <= 'Z' {
				return strings.ToLower(tok)
			}
		}
		return tok
	}
	var sb strings.Builder
	for _, c := range norm.NFD.String(tok) {
		if unicode.Is(unicode.Mn, c) {
			continue
		}
		sb.WriteRune(unicode.ToLower(c))
	}
	return sb.String()
}
