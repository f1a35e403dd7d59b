package importer

import (
	"context"

	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Converted is another helpdesk's export turned into import records, in
// the order they are imported: directory records first, then tickets. The
// conversion is deterministic, so a resumed import (Options.From) meets the
// same records on the same lines.
type Converted struct {
	Records []Record
	// Sources[i] names the export record Records[i] came from
	// ("tickets.json: ticket 1005"), for messages about line i+1.
	Sources []string
	// Problems are export records that could not be converted; each names
	// its record, and the rest were converted without it.
	Problems []Problem
}

// Problem is one export record that was not converted.
type Problem struct {
	Source  string `json:"source"`
	Message string `json:"message"`
	// Format and Args are Message before formatting, for a page to show
	// it in the reader's language.
	Format string `json:"-"`
	Args   []any  `json:"-"`
}

func (p Problem) String() string { return p.Source + ": " + p.Message }

// Add appends a record converted from src.
func (c *Converted) Add(src string, r Record) {
	c.Records = append(c.Records, r)
	c.Sources = append(c.Sources, src)
}

// Fail records that src was not converted.
func (c *Converted) Fail(src, format string, args ...any) {
	c.Problems = append(c.Problems, Problem{Source: src, Message: fmt.Sprintf(format, args...), Format: format, Args: args})
}

// Tickets counts the ticket records.
func (c *Converted) Tickets() int {
	n := 0
	for _, r := range c.Records {
		if r.Kind == KindTicket {
			n++
		}
	}
	return n
}

// Source names the export record of an import line (1-based).
func (c *Converted) Source(line int) string {
	if line < 1 || line > len(c.Sources) {
		return fmt.Sprintf("line %d", line)
	}
	return c.Sources[line-1]
}

// NDJSON is the records as the import stream.
func (c *Converted) NDJSON() (io.Reader, error) {
	var b bytes.Buffer
	if err := WriteNDJSON(&b, c.Records); err != nil {
		return nil, err
	}
	return &b, nil
}

// OpenExport opens an export: a folder, a .zip archive, or one file (then
// seen as a folder holding only that file under its own name).
func OpenExport(p string) (fs.FS, func() error, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, nil, fmt.Errorf("open export: %w", err)
	}
	if st.IsDir() {
		return os.DirFS(p), func() error { return nil }, nil
	}
	if strings.EqualFold(filepath.Ext(p), ".zip") {
		z, err := zip.OpenReader(p)
		if err != nil {
			return nil, nil, fmt.Errorf("open export %s: %w", p, err)
		}
		return &z.Reader, z.Close, nil
	}
	return oneFile{dir: filepath.Dir(p), name: filepath.Base(p)}, func() error { return nil }, nil
}

// ZipExport reads an export uploaded as a zip archive.
func ZipExport(b []byte) (fs.FS, error) {
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("open zip: %w", err)
	}
	return z, nil
}

type oneFile struct{ dir, name string }

func (o oneFile) Open(name string) (fs.File, error) {
	if name != o.name && name != "." {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return os.DirFS(o.dir).Open(path.Join(".", o.name))
}

func (o oneFile) ReadDir(name string) ([]fs.DirEntry, error) {
	if name != "." {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	st, err := os.Stat(filepath.Join(o.dir, o.name))
	if err != nil {
		return nil, err
	}
	return []fs.DirEntry{fs.FileInfoToDirEntry(st)}, nil
}

// FindFile returns the name of the first of names present in fsys,
// looking also one folder down (an archive that holds a folder), or "".
func FindFile(fsys fs.FS, names ...string) string {
	for _, n := range names {
		if _, err := fs.Stat(fsys, n); err == nil {
			return n
		}
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return ""
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		for _, n := range names {
			if _, err := fs.Stat(fsys, path.Join(e.Name(), n)); err == nil {
				return path.Join(e.Name(), n)
			}
		}
	}
	return ""
}

// MaxExportFile bounds one file of an export read into memory.
const MaxExportFile = 1 << 30

// ReadObjects reads the JSON objects of an export file in any of the
// shapes the vendors write: an array, an object holding the array under
// one of keys (an API page such as {"tickets":[…]}), or one object a line
// (NDJSON). Each object is returned raw, to be decoded by the caller, so
// that one bad object is reported alone.
func ReadObjects(fsys fs.FS, name string, keys ...string) ([]json.RawMessage, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, MaxExportFile+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(raw) > MaxExportFile {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, MaxExportFile)
	}
	return SplitObjects(name, raw, keys...)
}

// SplitObjects is ReadObjects on bytes already read.
func SplitObjects(name string, raw []byte, keys ...string) ([]json.RawMessage, error) {
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 {
		return nil, nil
	}
	if trimmed[0] == '[' {
		var list []json.RawMessage
		if err := json.Unmarshal(trimmed, &list); err != nil {
			return nil, fmt.Errorf("%s: not a JSON array: %w", name, err)
		}
		return list, nil
	}
	// One object per line, unless the whole file is one object that
	// wraps the list.
	if bytes.IndexByte(trimmed, '\n') < 0 || json.Valid(trimmed) {
		var page map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &page); err == nil {
			for _, k := range keys {
				if inner, ok := page[k]; ok {
					var list []json.RawMessage
					if err := json.Unmarshal(inner, &list); err != nil {
						return nil, fmt.Errorf("%s: %q is not a list: %w", name, k, err)
					}
					return list, nil
				}
			}
			return []json.RawMessage{json.RawMessage(trimmed)}, nil
		}
	}
	var out []json.RawMessage
	for i, line := range bytes.Split(trimmed, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if !json.Valid(line) {
			// Kept, so the caller reports it by its position and goes on.
			out = append(out, json.RawMessage(fmt.Sprintf(`{"_invalid_line":%d}`, i+1)))
			continue
		}
		out = append(out, json.RawMessage(line))
	}
	return out, nil
}

// InvalidLine reports whether raw stands for a line of an NDJSON file
// that was not JSON, and which line.
func InvalidLine(raw json.RawMessage) (int, bool) {
	var x struct {
		Line int `json:"_invalid_line"`
	}
	if !bytes.HasPrefix(raw, []byte(`{"_invalid_line":`)) || json.Unmarshal(raw, &x) != nil {
		return 0, false
	}
	return x.Line, true
}

// FieldKey turns a field's title into an Ombud custom field key
// ("Order number" → "order_number").
func FieldKey(title string) string {
	var b strings.Builder
	under := false
	for _, r := range strings.ToLower(title) {
		switch {
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
			under = false
		case b.Len() > 0 && !under:
			b.WriteByte('_')
			under = true
		}
	}
	k := strings.TrimRight(b.String(), "_")
	if k == "" || !(k[0] >= 'a' && k[0] <= 'z') {
		k = "f_" + k
	}
	if len(k) > 63 {
		k = strings.TrimRight(k[:63], "_")
	}
	return k
}

// Tag turns another helpdesk's tag into an Ombud tag: lower case, spaces
// and other characters made "_" ("Billing issue" → "billing_issue"); ""
// when nothing is left.
func Tag(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		switch {
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("_-.:/", r)):
			b.WriteRune(r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	t := strings.TrimRight(strings.TrimLeft(b.String(), "_-.:/"), "_")
	if len([]rune(t)) > 64 {
		t = string([]rune(t)[:64])
	}
	return t
}

// Tags converts a list of tags, dropping empty and repeated ones.
func Tags(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range in {
		if t := Tag(s); t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// ParseTime reads the times the vendors write: RFC 3339, or
// "2006-01-02 15:04:05" (UTC) in CSV exports.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errors.New("is not a time (RFC 3339 or YYYY-MM-DD hh:mm:ss)")
}

// Steps joins a ticket's first comment and the rest of its timeline,
// moving any step earlier than the one before it up to that time (a
// status set "at" the ticket's last update, which another helpdesk may
// record a second before its last comment).
func Steps(first Action, rest []Action) []Action {
	out := append([]Action{first}, rest...)
	for i := 1; i < len(out); i++ {
		if out[i].At.Before(out[i-1].At) {
			out[i].At = out[i-1].At
		}
	}
	return out
}

// ImportConverted imports another helpdesk's converted export through the
// one import path. Records the conversion could not read count as failed
// and lead the errors (line 0, with their Source); each error of an
// import line names its export record in Source.
func (s *Service) ImportConverted(ctx context.Context, actor authz.Actor, c *Converted, opt Options) (Result, error) {
	r, err := c.NDJSON()
	if err != nil {
		return Result{Errors: []LineError{}}, err
	}
	res, err := s.ImportWith(ctx, actor, r, opt)
	for i := range res.Errors {
		res.Errors[i].Source = c.Source(res.Errors[i].Line)
	}
	if len(c.Problems) > 0 {
		pre := make([]LineError, 0, len(c.Problems)+len(res.Errors))
		for _, p := range c.Problems {
			if len(pre) < maxErrors {
				pre = append(pre, LineError{Code: apperr.CodeInvalid, Source: p.Source, Error: p.Message, Format: p.Format, Args: p.Args})
			}
		}
		res.Errors = append(pre, res.Errors...)
		if len(res.Errors) > maxErrors {
			res.Errors = res.Errors[:maxErrors]
		}
		res.Failed += len(c.Problems)
	}
	return res, err
}

// coerceFields reads the text values of fields imported in this stream as
// the type the field has in Ombud ("4711" for a number field is 4711), as
// an export's CSV holds every value as text, and a field that exists
// keeps its type. A value that does not read as the type is left for the
// ticket's checks to refuse, naming the field.
func coerceFields(values map[string]any, types map[string]string) {
	for k, v := range values {
		s, ok := v.(string)
		if !ok {
			continue
		}
		s = strings.TrimSpace(s)
		switch types[k] {
		case "number":
			if n, err := strconv.ParseFloat(s, 64); err == nil {
				values[k] = n
			}
		case "checkbox":
			if b, err := strconv.ParseBool(strings.ToLower(s)); err == nil {
				values[k] = b
			} else if strings.EqualFold(s, "yes") {
				values[k] = true
			} else if strings.EqualFold(s, "no") {
				values[k] = false
			}
		case "date":
			if t, err := ParseTime(s); err == nil {
				values[k] = t.Format("2006-01-02")
			} else if len(s) == 10 {
				values[k] = s
			}
		}
	}
}
