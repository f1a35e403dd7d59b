package search

import (
	"math"
	"slices"
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
	vocab []string   // the distinct tokens of all terms
	masks [][]uint64 // masks[v][k]: bit j set when token j of term k is vocab[v]
	slow  bool       // too many terms or too long a phrase for Score's bit sets
	lens  uint64     // bit l set when a token of the vocabulary is l < 64 bytes long
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
	r.slow = len(r.terms) > maxFastTerms
	for k, term := range r.terms {
		if len(term) > 64 {
			r.slow = true
		}
		for j, tok := range term {
			v := slices.Index(r.vocab, tok)
			if v < 0 {
				v = len(r.vocab)
				r.vocab = append(r.vocab, tok)
				r.masks = append(r.masks, make([]uint64, len(r.terms)))
				if len(tok) < 64 {
					r.lens |= 1 << len(tok)
				}
			}
			r.masks[v][k] |= 1 << j
		}
	}
	return r
}

// maxFastTerms is how many words and phrases Score matches without
// allocating; a longer query takes scoreSlow.
const maxFastTerms = 8

// Score is the text score of one subject or comment; avgLen is
// AvgSubjectLen or AvgCommentLen. It reads the text once and matches all
// terms at once: each term keeps a bit set of how many of its tokens the
// text has just matched in order (shift-and), so a phrase is found in one
// pass too. Most tokens are ASCII: such a token is compared in place,
// ignoring case, and only when its length is that of a query token, so
// most are passed over without being read again; other tokens are folded
// into a buffer (a table for Latin letters, no allocation).
func (r Relevance) Score(text string, avgLen float64) float64 {
	if len(r.terms) == 0 {
		return 0
	}
	if r.slow {
		return r.scoreSlow(text, avgLen)
	}
	var state, tf [maxFastTerms]uint64
	var arr [64]byte
	n := len(r.terms)
	ntok := 0
	match := func(v int) {
		ntok++
		if v < 0 {
			clear(state[:n])
			return
		}
		m := r.masks[v]
		for k := range n {
			state[k] = (state[k]<<1 | 1) & m[k]
			if state[k]&(1<<(len(r.terms[k])-1)) != 0 {
				tf[k]++
			}
		}
	}
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			if asciiWord[c] == 0 {
				i++
				continue
			}
			start := i
			for i < len(text) && asciiWord[text[i]] != 0 {
				i++
			}
			if i == len(text) || text[i] < utf8.RuneSelf {
				match(r.vocabASCII(text[start:i]))
				continue
			}
			i = start // a token that goes on past ASCII
		} else if ch, size := utf8.DecodeRuneInString(text[i:]); !wordRune(ch) {
			i += size
			continue
		}
		var tok []byte
		tok, i = foldToken(text, i, arr[:0])
		match(r.vocabIndex(tok))
	}
	norm := k1 * (1 - b + b*float64(ntok)/avgLen)
	sum := 0.0
	for k := range n {
		if tf[k] > 0 {
			sum += float64(tf[k]) * (k1 + 1) / (float64(tf[k]) + norm)
		}
	}
	return sum / float64(n)
}

// asciiWord is 1 for the ASCII letters and digits, which belong to tokens.
var asciiWord = func() (t [256]byte) {
	for c := range 128 {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			t[c] = 1
		}
	}
	return t
}()

// wordRune reports whether a rune beyond ASCII belongs to a token.
func wordRune(ch rune) bool {
	return unicode.IsLetter(ch) || unicode.IsDigit(ch) || unicode.Is(unicode.Mn, ch)
}

// vocabASCII is the index in r.vocab of an ASCII token, or -1: the
// lengths of the query's tokens pass most tokens over unread, and the
// rest are compared ignoring case.
func (r Relevance) vocabASCII(tok string) int {
	if len(tok) < 64 && r.lens&(1<<len(tok)) == 0 {
		return -1
	}
	for v, w := range r.vocab {
		if len(w) == len(tok) && equalLowerASCII(tok, w) {
			return v
		}
	}
	return -1
}

// equalLowerASCII reports whether tok, lower-cased, is w.
func equalLowerASCII(tok, w string) bool {
	for j := 0; j < len(tok); j++ {
		c := tok[j]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != w[j] {
			return false
		}
	}
	return true
}

// vocabIndex is the index in r.vocab of a folded token, or -1.
func (r Relevance) vocabIndex(tok []byte) int {
	for v, w := range r.vocab {
		if w == string(tok) {
			return v
		}
	}
	return -1
}

// foldToken folds the token that starts at text[i] as Tokens does and
// returns it with the index after it; buf is scratch space. Latin letters
// fold through latinFold into buf; a token with other letters is folded
// whole by fold.
func foldToken(text string, i int, buf []byte) ([]byte, int) {
	start, latin := i, true
	for i < len(text) {
		c := text[i]
		if c < utf8.RuneSelf {
			if asciiWord[c] == 0 {
				break
			}
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			buf = append(buf, c)
			i++
			continue
		}
		ch, size := utf8.DecodeRuneInString(text[i:])
		if !wordRune(ch) {
			break
		}
		if ch < rune(len(latinFold)) {
			buf = append(buf, latinFold[ch]...)
		} else {
			latin = false
		}
		i += size
	}
	if !latin {
		return []byte(fold(text[start:i], false)), i
	}
	return buf, i
}

// scoreSlow is Score for queries of many terms or very long phrases: it
// tokenizes the text into strings and compares them.
func (r Relevance) scoreSlow(text string, avgLen float64) float64 {
	toks := Tokens(text)
	norm := k1 * (1 - b + b*float64(len(toks))/avgLen)
	sum := 0.0
	for _, term := range r.terms {
		tf := 0
		for i := 0; i+len(term) <= len(toks); i++ {
			if slices.Equal(toks[i:i+len(term)], term) {
				tf++
			}
		}
		if tf > 0 {
			sum += float64(tf) * (k1 + 1) / (float64(tf) + norm)
		}
	}
	return sum / float64(len(r.terms))
}

// latinFold is fold for each letter of Latin-1 and Latin Extended-A and
// -B (é → e, Ø → ø, č → c), built once from fold itself so both agree;
// Score folds tokens of these letters without norm.NFD or allocation.
var latinFold = func() (t [0x250]string) {
	for c := rune(0x80); c < 0x250; c++ {
		if unicode.IsLetter(c) || unicode.IsDigit(c) || unicode.Is(unicode.Mn, c) {
			t[c] = fold(string(c), false)
		}
	}
	return t
}()

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
