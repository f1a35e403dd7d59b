package kb

import (
	"fmt"
	"path"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/JohannesKaufmann/html-to-markdown/v2/converter"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/base"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/commonmark"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/strikethrough"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/table"
	xhtml "golang.org/x/net/html"
)

// importDoc is one article file of an import, read and checked.
type importDoc struct {
	Path  string
	Key   string // the article's import key (front matter slug, else the file name)
	Lang  string
	FM    FrontMatter
	Title string
	Body  string // Markdown
	Cat   string
	Sec   string
}

// isArticleFile reports whether an import reads p as an article.
func isArticleFile(p string) bool {
	switch strings.ToLower(path.Ext(p)) {
	case ".md", ".markdown", ".html", ".htm":
		return true
	}
	return false
}

// DefaultGroup names the category and section of files at the top of the
// folder that say nothing else.
const DefaultGroup = "General"

// readDoc reads one article file: front matter, HTML converted to
// Markdown, the title from the front matter or the first heading (then
// taken out of the text), the language from the front matter, the file
// name (returns.nb.md) or lang, category and section from the front
// matter or the folders (Orders/Returns/x.md).
func readDoc(p string, data []byte, lang string) (importDoc, error) {
	if !utf8.Valid(data) {
		return importDoc{}, fmt.Errorf("is not UTF-8 text")
	}
	fm, rest, _, err := ParseFrontMatter(string(data))
	if err != nil {
		return importDoc{}, err
	}
	if len(fm.Unknown) > 0 {
		return importDoc{}, fmt.Errorf("front matter: unknown key %q", fm.Unknown[0])
	}
	d := importDoc{Path: p, FM: fm}
	ext := strings.ToLower(path.Ext(p))
	base := strings.TrimSuffix(path.Base(p), path.Ext(p))
	if i := strings.LastIndexByte(base, '.'); i > 0 && ValidLanguage(strings.ToLower(base[i+1:])) {
		if fm.Language == "" {
			fm.Language = strings.ToLower(base[i+1:])
		}
		base = base[:i]
	}
	body := rest
	htmlTitle := ""
	if ext == ".html" || ext == ".htm" {
		htmlTitle = titleOf(rest)
		if body, err = htmlToMarkdown(rest); err != nil {
			return importDoc{}, fmt.Errorf("HTML could not be read: %w", err)
		}
	}
	body = strings.ReplaceAll(body, "\r\n", "\n")
	d.Title = strings.TrimSpace(fm.Title)
	if d.Title == "" {
		var h string
		if h, body = firstHeading(body); h != "" {
			d.Title = h
		} else if htmlTitle != "" {
			d.Title = htmlTitle
		} else {
			d.Title = strings.TrimSpace(strings.NewReplacer("-", " ", "_", " ").Replace(base))
		}
	}
	d.Body = strings.TrimLeft(body, "\n")
	d.Lang = fm.Language
	if d.Lang == "" {
		d.Lang = lang
	}
	if !ValidLanguage(d.Lang) {
		return importDoc{}, fmt.Errorf("language %q is not one of %s", d.Lang, strings.Join(Languages(), ", "))
	}
	d.Key = Slugify(fm.Slug)
	if strings.TrimSpace(fm.Slug) == "" {
		d.Key = Slugify(base)
	}
	dirs := strings.Split(path.Dir(p), "/")
	if dirs[0] == "." {
		dirs = nil
	}
	d.Cat, d.Sec = DefaultGroup, DefaultGroup
	switch {
	case len(dirs) == 1:
		d.Cat, d.Sec = dirs[0], dirs[0]
	case len(dirs) > 1:
		d.Cat, d.Sec = dirs[0], strings.Join(dirs[1:], " / ")
	}
	if fm.Category != "" {
		d.Cat = fm.Category
	}
	if fm.Section != "" {
		d.Sec = fm.Section
	}
	d.FM = fm
	return d, nil
}

var headingLine = regexp.MustCompile(`^#{1,6}[ \t]+(.+?)[ \t#]*$`)

// firstHeading returns the text of a heading on the first non-empty line,
// and the body without it; else "" and the body unchanged.
func firstHeading(body string) (string, string) {
	trimmed := strings.TrimLeft(body, " \t\n")
	line, rest, _ := strings.Cut(trimmed, "\n")
	if m := headingLine.FindStringSubmatch(strings.TrimRight(line, "\r")); m != nil {
		return strings.TrimSpace(m[1]), rest
	}
	return "", body
}

// titleOf returns the text of an HTML page's <title>.
func titleOf(src string) string {
	z := xhtml.NewTokenizer(strings.NewReader(src))
	in := false
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			return ""
		case xhtml.StartTagToken:
			name, _ := z.TagName()
			in = string(name) == "title"
		case xhtml.TextToken:
			if in {
				return strings.Join(strings.Fields(string(z.Text())), " ")
			}
		case xhtml.EndTagToken:
			in = false
		}
	}
}

// htmlToMarkdown converts an HTML page or fragment to GitHub-flavoured
// Markdown (tables and strikethrough included); scripts and styles are
// dropped, and the result is sanitised again when rendered.
func htmlToMarkdown(src string) (string, error) {
	conv := converter.NewConverter(converter.WithPlugins(base.NewBasePlugin(), commonmark.NewCommonmarkPlugin(),
		table.NewTablePlugin(), strikethrough.NewStrikethroughPlugin()))
	return conv.ConvertString(src)
}

// linkTarget finds Markdown links and images: the target is group 2.
var linkTarget = regexp.MustCompile(`(!?\[[^\]\n]*\]\()<?([^)\s>]+)>?((?:[ \t]+"[^"\n]*")?\))`)

// localRef returns the bundle path a link target refers to, or "" when it
// is not a relative path (a URL, an absolute path, an anchor).
func localRef(docPath, target string) string {
	if target == "" || strings.HasPrefix(target, "/") || strings.HasPrefix(target, "#") || strings.Contains(target, ":") {
		return ""
	}
	if i := strings.IndexAny(target, "?#"); i >= 0 {
		target = target[:i]
	}
	p := path.Join(path.Dir(docPath), target)
	if p == "." || strings.HasPrefix(p, "../") || p == ".." {
		return ""
	}
	if u, err := unescapePath(p); err == nil {
		p = u
	}
	return p
}

func unescapePath(p string) (string, error) {
	if !strings.Contains(p, "%") {
		return p, nil
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '%' && i+2 < len(p) {
			var v byte
			if _, err := fmt.Sscanf(p[i+1:i+3], "%02x", &v); err != nil {
				return "", err
			}
			b.WriteByte(v)
			i += 2
			continue
		}
		b.WriteByte(p[i])
	}
	return b.String(), nil
}
