package db

import (
	"sort"
	"unicode/utf8"
)

// Ombud's SQLite full-text tables tokenize with unicode61 and
// remove_diacritics 2. The word-pair index (wordpairs.go) tokenizes
// comments in Go and must find exactly the tokens FTS5 finds: a token Go
// missed would be a comment the index leaves out. unicode61 reads one rune
// at a time: a rune is part of a token or separates tokens, and a token's
// rune is folded (case and diacritics) to one rune or dropped. Its tables
// are generated from the linked SQLite (unicode61_table.go), and
// TestUnicode61MatchesSQLite checks every rune against it.

// rangeRune is an inclusive range of runes.
type rangeRune struct{ lo, hi rune }

// foldRun: lo, lo+step, … up to hi fold to themselves plus delta, or are
// dropped from their token.
type foldRun struct {
	lo, hi, step, delta rune
	drop                bool
}

// unicode61Rune reports whether unicode61 reads r as part of a token, and
// what it folds r to (0 when the token drops it).
func unicode61Rune(r rune) (token bool, fold rune) {
	if r < utf8.RuneSelf {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return true, r
		case r >= 'A' && r <= 'Z':
			return true, r + 'a' - 'A'
		}
		return false, 0
	}
	i := sort.Search(len(token61), func(i int) bool { return token61[i].hi >= r })
	if i == len(token61) || token61[i].lo > r {
		return false, 0
	}
	j := sort.Search(len(fold61), func(j int) bool { return fold61[j].hi >= r })
	if j < len(fold61) {
		f := fold61[j]
		if r >= f.lo && (r-f.lo)%f.step == 0 {
			if f.drop {
				return true, 0
			}
			return true, r + f.delta
		}
	}
	return true, r
}

// Unicode61Tokens calls fn with each token of text as unicode61 folds it,
// in order, until fn returns false.
func Unicode61Tokens(text string, fn func(token string) bool) {
	unicode61Each(text, nil, func(tok []byte) bool { return fn(string(tok)) })
}

// unicode61Each calls fn with each token of text, folded into buf (fn must
// not keep it), and returns buf for reuse.
func unicode61Each(text string, buf []byte, fn func(token []byte) bool) []byte {
	buf = buf[:0]
	for _, r := range text {
		tok, fold := unicode61Rune(r)
		if !tok {
			if len(buf) > 0 {
				if !fn(buf) {
					return buf
				}
				buf = buf[:0]
			}
			continue
		}
		if fold != 0 {
			buf = utf8.AppendRune(buf, fold)
		}
	}
	if len(buf) > 0 {
		fn(buf)
	}
	return buf
}
