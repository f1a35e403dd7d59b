package i18n

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var write = flag.Bool("write", false, "TestWriteCatalogs: merge parts() into the locale files")

// TestWriteCatalogs is the generator: run with
//
//	go test ./internal/i18n -run TestWriteCatalogs -count=1 -args -write
//
// it merges every Go part into locales/*/messages.gotext.json (entries the
// files already hold win) and rewrites each file in canonical form: every
// English key, sorted by area then key, empty translations left to fill.
//
// Without -write it checks instead that the files already are what the
// generator would write: no Go part left to move, and canonical form.
func TestWriteCatalogs(t *testing.T) {
	c, err := readCatalog(os.DirFS("."))
	if err != nil {
		t.Fatal(err)
	}
	c.addParts(parts())
	for _, l := range Locales {
		b, err := c.encode(l.Code)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.FromSlash(catalogPath(l.Code))
		if !*write {
			cur, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(cur, b) {
				t.Errorf("%s is not what the generator writes: run go test ./internal/i18n -run TestWriteCatalogs -args -write", name)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if !*write {
		return
	}
	t.Logf("wrote %d keys to %d locale files; delete the moved Go part files and their lines in parts()", len(c.keys), len(Locales))
}

// TestCatalogFiles: every locale file is well-formed gotext JSON with only
// the fields this package keeps (the generator would drop others), names its
// language, holds each key once with message = id, carries the English
// file's area, and is sorted by area, then key.
func TestCatalogFiles(t *testing.T) {
	area := map[string]string{}
	for _, l := range Locales {
		t.Run(l.Code, func(t *testing.T) {
			b, err := localeFiles.ReadFile(catalogPath(l.Code))
			if err != nil {
				t.Fatal(err)
			}
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.DisallowUnknownFields()
			var f catalogFile
			if err := dec.Decode(&f); err != nil {
				t.Fatalf("%s: %v", catalogPath(l.Code), err)
			}
			if f.Language != l.Code {
				t.Errorf("language %q, want %q", f.Language, l.Code)
			}
			seen := map[string]bool{}
			var prevArea, prevID string
			for i, m := range f.Messages {
				a, ok := strings.CutPrefix(m.TranslatorComment, areaPrefix)
				switch {
				case m.ID == "":
					t.Errorf("message %d has no id", i)
				case seen[m.ID]:
					t.Errorf("%q listed twice", m.ID)
				case m.Message != m.ID:
					t.Errorf("%q: message %q differs from its id", m.ID, m.Message)
				case l.Code == Fallback && m.Translation != m.ID:
					t.Errorf("%q: English translation %q differs from its id", m.ID, m.Translation)
				case !ok || a == "":
					t.Errorf("%q: translatorComment %q does not name an area (%q…)", m.ID, m.TranslatorComment, areaPrefix)
				}
				seen[m.ID] = true
				if l.Code == Fallback {
					area[m.ID] = a
				} else if want, ok := area[m.ID]; ok && a != want {
					t.Errorf("%q: area %q, English says %q", m.ID, a, want)
				}
				if i > 0 && (a < prevArea || a == prevArea && m.ID <= prevID) {
					t.Errorf("%q (area %s) comes after %q (area %s): not sorted by area, then id; run the generator (README.md)", m.ID, a, prevID, prevArea)
				}
				prevArea, prevID = a, m.ID
			}
		})
	}
}

// TestNoStaleKeys: no locale file translates a key English no longer has
// (the generator drops such entries).
func TestNoStaleKeys(t *testing.T) {
	en, err := readFile(localeFiles, Fallback)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, m := range en.Messages {
		keys[m.ID] = true
	}
	for _, l := range Locales[1:] {
		f, err := readFile(localeFiles, l.Code)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range f.Messages {
			if !keys[m.ID] {
				t.Errorf("%s has %q, which the English file does not", l.Code, m.ID)
			}
		}
	}
}
