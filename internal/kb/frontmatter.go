package kb

import (
	"fmt"
	"strconv"
	"strings"
)

// FrontMatter is the optional block at the top of an imported file:
//
//	---
//	title: Return a parcel
//	category: Orders
//	section: Returns
//	language: en
//	visibility: public
//	tags: [returns, parcel]
//	slug: return-a-parcel
//	---
//
// A YAML-like subset: one "key: value" a line, values plain or quoted
// ("…" with Go escapes, '…' as written), tags as [a, b] or a, b; lines
// starting with # are comments. Unknown keys are kept in Unknown (the
// import reports them), so a misspelt key is not silently lost.
type FrontMatter struct {
	Title          string
	Summary        string
	Category       string
	Section        string
	Language       string
	SourceLanguage string
	Visibility     string
	State          string
	Tags           []string
	Slug           string
	Unknown        []string
}

// frontKeys are the keys in the order Format writes them.
var frontKeys = []string{"title", "summary", "category", "section", "language", "source_language", "visibility", "state", "tags", "slug"}

// maxFrontMatter bounds the block (in bytes) so a file without a closing
// line is not scanned as front matter to its end.
const maxFrontMatter = 16 << 10

// ParseFrontMatter splits src into its front matter and the rest. A file
// without a leading "---" line has none (ok false, rest = src). A block that
// is opened and never closed, or has a line that is not "key: value", is an
// error naming the line.
func ParseFrontMatter(src string) (fm FrontMatter, rest string, ok bool, err error) {
	src = strings.TrimPrefix(src, "\ufeff")
	first, after, found := strings.Cut(src, "\n")
	if strings.TrimRight(first, " \t\r") != "---" {
		return FrontMatter{}, src, false, nil
	}
	if !found {
		return FrontMatter{}, src, false, fmt.Errorf("front matter: no closing --- line")
	}
	body := after
	lineNo := 1
	for {
		lineNo++
		line, next, more := strings.Cut(body, "\n")
		if len(src)-len(body) > maxFrontMatter {
			return FrontMatter{}, src, false, fmt.Errorf("front matter: longer than %d bytes", maxFrontMatter)
		}
		line = strings.TrimRight(line, " \t\r")
		if line == "---" {
			return fm, strings.TrimLeft(next, "\r\n"), true, nil
		}
		if !more {
			return FrontMatter{}, src, false, fmt.Errorf("front matter: no closing --- line")
		}
		body = next
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		key, value, colon := strings.Cut(trimmed, ":")
		key = strings.ToLower(strings.TrimSpace(key))
		if !colon || key == "" || strings.ContainsAny(key, " \t\"'") {
			return FrontMatter{}, src, false, fmt.Errorf("front matter line %d: expected key: value", lineNo)
		}
		if err := fm.set(key, strings.TrimSpace(value)); err != nil {
			return FrontMatter{}, src, false, fmt.Errorf("front matter line %d: %w", lineNo, err)
		}
	}
}

func (fm *FrontMatter) set(key, raw string) error {
	if key == "tags" {
		tags, err := parseList(raw)
		if err != nil {
			return fmt.Errorf("tags: %w", err)
		}
		fm.Tags = tags
		return nil
	}
	v, err := unquote(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	switch key {
	case "title":
		fm.Title = v
	case "summary", "description":
		fm.Summary = v
	case "category":
		fm.Category = v
	case "section":
		fm.Section = v
	case "language", "lang":
		fm.Language = strings.ToLower(v)
	case "source_language":
		fm.SourceLanguage = strings.ToLower(v)
	case "visibility":
		fm.Visibility = strings.ToLower(v)
	case "state":
		fm.State = strings.ToLower(v)
	case "slug":
		fm.Slug = v
	default:
		fm.Unknown = append(fm.Unknown, key)
	}
	return nil
}

// unquote reads a plain, "double" or 'single' quoted value.
func unquote(raw string) (string, error) {
	switch {
	case len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"':
		s, err := strconv.Unquote(raw)
		if err != nil {
			return "", fmt.Errorf("bad quoted value")
		}
		return s, nil
	case len(raw) >= 2 && raw[0] == '\'' && raw[len(raw)-1] == '\'':
		return strings.ReplaceAll(raw[1:len(raw)-1], "''", "'"), nil
	case strings.HasPrefix(raw, "\"") || strings.HasPrefix(raw, "'"):
		return "", fmt.Errorf("unclosed quote")
	}
	return raw, nil
}

// parseList reads [a, "b c"] or a, b.
func parseList(raw string) ([]string, error) {
	if strings.HasPrefix(raw, "[") {
		if !strings.HasSuffix(raw, "]") {
			return nil, fmt.Errorf("unclosed [")
		}
		raw = raw[1 : len(raw)-1]
	}
	var out []string
	for _, part := range strings.Split(raw, ",") {
		v, err := unquote(strings.TrimSpace(part))
		if err != nil {
			return nil, err
		}
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out, nil
}

// Format writes the front matter block (with its closing line and a blank
// line after it); empty fields are left out.
func (fm FrontMatter) Format() string {
	var b strings.Builder
	b.WriteString("---\n")
	for _, k := range frontKeys {
		var v string
		switch k {
		case "title":
			v = fm.Title
		case "summary":
			v = fm.Summary
		case "category":
			v = fm.Category
		case "section":
			v = fm.Section
		case "language":
			v = fm.Language
		case "source_language":
			v = fm.SourceLanguage
		case "visibility":
			v = fm.Visibility
		case "state":
			v = fm.State
		case "slug":
			v = fm.Slug
		case "tags":
			if len(fm.Tags) == 0 {
				continue
			}
			q := make([]string, len(fm.Tags))
			for i, t := range fm.Tags {
				q[i] = strconv.Quote(t)
			}
			b.WriteString("tags: [" + strings.Join(q, ", ") + "]\n")
			continue
		}
		if v == "" {
			continue
		}
		b.WriteString(k + ": " + strconv.Quote(v) + "\n")
	}
	b.WriteString("---\n\n")
	return b.String()
}
