package i18n

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// TestSearchErrorsTranslated: every query error format in the parser and
// the ticket store's query code is a catalog key, so the search box shows
// it in the agent's language (a new error without one would show English).
func TestSearchErrorsTranslated(t *testing.T) {
	c, err := loaded()
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for k, a := range c.area {
		if a == "search" {
			keys[k] = true
		}
	}
	call := regexp.MustCompile(`\b(invalid|Invalid|bad)\(("(?:[^"\\]|\\.)*")\s*[,)]`)
	files := []string{"../search/search.go", "../search/relative.go", "../ticket/list.go", "../ticket/fieldsearch.go", "../ticket/textsearch.go"}
	found := 0
	for _, f := range files {
		src, err := os.ReadFile(filepath.FromSlash(f))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllStringSubmatch(string(src), -1) {
			format, err := strconv.Unquote(m[2])
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if m[1] == "bad" {
				format = "%s: " + format // fieldsearch.go's bad() names the field first
			}
			found++
			if !keys[format] {
				t.Errorf("%s: query error %q is not in the catalog's search area", f, format)
			}
		}
	}
	if found < 25 {
		t.Fatalf("found only %d query errors; has the code moved?", found)
	}
}
