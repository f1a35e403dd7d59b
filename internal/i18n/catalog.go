package i18n

import (
	"bytes"
	"cmp"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
)

// localeFiles holds one message catalog per locale,
// locales/<code>/messages.gotext.json, in the gotext JSON format of
// golang.org/x/text/message/pipeline (what the gotext tool and Weblate
// read and write). English lists every key; the other files translate them.
//
//go:embed locales/*/messages.gotext.json
var localeFiles embed.FS

// catalogFile is a locale file: the subset of pipeline.Messages this package
// uses (pipeline itself pulls golang.org/x/tools into the binary). Messages
// are plain printf formats; the key (id) is the English text.
type catalogFile struct {
	Language string         `json:"language"`
	Messages []catalogEntry `json:"messages"`
}

type catalogEntry struct {
	ID          string `json:"id"`
	Message     string `json:"message"`
	Translation string `json:"translation"`
	// TranslatorComment names the key's area ("area: admin"): the part of
	// the UI it belongs to, which orders the file and tells translators
	// where the string appears.
	TranslatorComment string `json:"translatorComment,omitempty"`
}

const areaPrefix = "area: "

// catalogPath is the file of locale code inside localeFiles.
func catalogPath(code string) string {
	return path.Join("locales", code, "messages.gotext.json")
}

// catalogData is the whole catalog: the locale files merged with the Go
// parts still listed in parts().
type catalogData struct {
	keys   []string                     // English keys, each once
	area   map[string]string            // key → area
	tables map[string]map[string]string // non-English locale → key → non-empty translation
}

// loaded is the embedded catalog, parsed once: the data is compiled in and
// never changes, and EnglishKeys/Translation are called in loops by tests.
var loaded = sync.OnceValues(readEmbedded)

// readEmbedded parses the embedded catalog. The translator reads it
// through this, not loaded: a server keeps the translator's catalog only,
// not this parsed copy beside it (≈ 2 MiB of maps and strings), which only
// the tests' EnglishKeys and Translation read.
func readEmbedded() (*catalogData, error) {
	c, err := readCatalog(localeFiles)
	if err != nil {
		return nil, err
	}
	c.addParts(parts())
	return c, nil
}

// readCatalog parses the locale files of fsys. English is required; a
// missing file of another locale leaves that locale untranslated.
func readCatalog(fsys fs.FS) (*catalogData, error) {
	c := &catalogData{area: map[string]string{}, tables: map[string]map[string]string{}}
	for _, l := range Locales {
		f, err := readFile(fsys, l.Code)
		if errors.Is(err, fs.ErrNotExist) && l.Code != Fallback {
			continue
		}
		if err != nil {
			return nil, err
		}
		if l.Code == Fallback {
			for _, m := range f.Messages {
				if _, dup := c.area[m.ID]; dup {
					continue
				}
				c.keys = append(c.keys, m.ID)
				c.area[m.ID] = strings.TrimPrefix(m.TranslatorComment, areaPrefix)
			}
			continue
		}
		t := map[string]string{}
		for _, m := range f.Messages {
			if strings.TrimSpace(m.Translation) != "" {
				t[m.ID] = m.Translation
			}
		}
		c.tables[l.Code] = t
	}
	return c, nil
}

func readFile(fsys fs.FS, code string) (*catalogFile, error) {
	b, err := fs.ReadFile(fsys, catalogPath(code))
	if err != nil {
		return nil, fmt.Errorf("i18n: %w", err)
	}
	var f catalogFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("i18n: %s: %w", catalogPath(code), err)
	}
	return &f, nil
}

// addParts merges Go parts into c. A key already in c keeps its area and
// its translations; the parts only add what is missing (the tests require
// both sources to agree where they overlap).
func (c *catalogData) addParts(ps []Part) {
	for _, p := range ps {
		for _, k := range p.English {
			if _, ok := c.area[k]; !ok {
				c.keys = append(c.keys, k)
				c.area[k] = p.Name
			}
		}
		for code, t := range p.Translations {
			if c.tables[code] == nil {
				c.tables[code] = map[string]string{}
			}
			for k, v := range t {
				if _, ok := c.tables[code][k]; !ok && strings.TrimSpace(v) != "" {
					c.tables[code][k] = v
				}
			}
		}
	}
}

// sortedKeys are c's keys by area, then key: the order of every file.
func (c *catalogData) sortedKeys() []string {
	keys := slices.Clone(c.keys)
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(strings.Compare(c.area[a], c.area[b]), strings.Compare(a, b))
	})
	return keys
}

// encode renders locale code's file: every key in sortedKeys order, an
// empty translation where the locale has none yet (for translators to fill).
func (c *catalogData) encode(code string) ([]byte, error) {
	f := catalogFile{Language: code, Messages: []catalogEntry{}}
	for _, k := range c.sortedKeys() {
		tl := k
		if code != Fallback {
			tl = c.tables[code][k]
		}
		f.Messages = append(f.Messages, catalogEntry{ID: k, Message: k, Translation: tl, TranslatorComment: areaPrefix + c.area[k]})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // write text as translators' tools do, not as \u0026 escapes
	enc.SetIndent("", "    ")
	if err := enc.Encode(f); err != nil {
		return nil, fmt.Errorf("i18n: encode %s: %w", code, err)
	}
	return buf.Bytes(), nil
}
