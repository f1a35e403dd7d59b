package kb

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// Export writes the whole knowledge base as a zip of Markdown (Bundle):
// Category/Section/slug.md for an article's source language and
// slug.LANG.md for each translation, each with its front matter, and the
// article's files beside it under img/slug/. Links to the article's files
// become relative, so the zip imports again to the same articles (an
// article without an import key is given one, its slug, here). Only
// knowledge managers (kb.publish) export.
func (s *Service) Export(ctx context.Context, actor authz.Actor, w io.Writer) error {
	b, err := s.ExportBundle(ctx, actor)
	if err != nil {
		return err
	}
	return b.Zip(w)
}

// ExportBundle is Export before it is zipped.
func (s *Service) ExportBundle(ctx context.Context, actor authz.Actor) (*Bundle, error) {
	if err := authz.Check(actor, authz.KBPublish); err != nil {
		return nil, err
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.assignKeys(ctx, actor); err != nil {
		return nil, err
	}
	tree, err := s.Tree(ctx, Viewer{Actor: authz.System})
	if err != nil {
		return nil, err
	}
	type place struct{ cat, sec string }
	places := map[int64]place{}
	for _, c := range tree {
		cn := In(c.Names, st.FallbackLanguage, st.FallbackLanguage).Name
		for _, sec := range c.Sections {
			places[sec.ID] = place{cn, In(sec.Names, st.FallbackLanguage, st.FallbackLanguage).Name}
		}
	}
	keys := map[int64]string{}
	if err := s.eachRow(ctx, `SELECT id, import_key FROM kb_articles WHERE import_key IS NOT NULL`, nil, func(sc func(...any) error) error {
		var id int64
		var k string
		if err := sc(&id, &k); err != nil {
			return err
		}
		keys[id] = k
		return nil
	}); err != nil {
		return nil, err
	}
	list, err := s.load(ctx, Viewer{Actor: authz.System}, "1 = 1", nil)
	if err != nil {
		return nil, err
	}
	b := &Bundle{Files: map[string][]byte{}}
	for _, a := range list {
		pl := places[a.SectionID]
		dir := fileName(pl.cat) + "/" + fileName(pl.sec)
		key := keys[a.ID]
		files, err := s.Files(ctx, Viewer{Actor: authz.System}, a.ID)
		if err != nil {
			return nil, err
		}
		byURL := map[string]string{} // the file's path in the help center → its path beside the article
		for _, f := range files {
			rel := "img/" + key + "/" + fileName(f.Filename)
			if _, taken := b.Files[dir+"/"+rel]; taken {
				rel = "img/" + key + "/" + strconv.FormatInt(f.ID, 10) + "-" + fileName(f.Filename)
			}
			data, err := s.readBlob(f.SHA256)
			if err != nil {
				return nil, err
			}
			b.Files[dir+"/"+rel] = data
			byURL[strconv.FormatInt(f.ID, 10)] = rel
		}
		for _, t := range a.Translations {
			fm := FrontMatter{Title: t.Title, Summary: t.Summary, Category: pl.cat, Section: pl.sec, Language: t.Language,
				SourceLanguage: a.SourceLanguage, Visibility: a.Visibility, State: a.State, Tags: a.Tags, Slug: key}
			name := key + ".md"
			if t.Language != a.SourceLanguage {
				name = key + "." + t.Language + ".md"
			}
			body := fileLink.ReplaceAllStringFunc(t.Body, func(m string) string {
				sub := fileLink.FindStringSubmatch(m)
				if rel, ok := byURL[sub[2]]; ok {
					return sub[1] + rel
				}
				return m
			})
			b.Files[dir+"/"+name] = []byte(fm.Format() + body)
		}
	}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		return audit.Record(ctx, tx, s.now(), actor, "kb.export", "kb", map[string]any{"articles": len(list)})
	})
	return b, err
}

// fileLink is a link to an article's file in the help center or the
// agents' pages: group 2 is the file id.
var fileLink = regexp.MustCompile(`(\]\()(?:/help-files|/knowledge/files)/(\d+)/[^)\s]+`)

// fileName makes a category, section or file name safe as one path
// element of a zip.
func fileName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 32 || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '-'
		}
		return r
	}, strings.TrimSpace(s))
	s = strings.TrimLeft(s, ".")
	if s == "" {
		return "untitled"
	}
	if len(s) > 100 {
		s = s[:100]
	}
	return s
}

func (s *Service) readBlob(sum string) ([]byte, error) {
	if s.blobs == nil {
		return nil, fmt.Errorf("kb: export: file storage is not configured")
	}
	f, err := s.blobs.Open(sum)
	if err != nil {
		return nil, fmt.Errorf("kb: export: open file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("kb: export: read file: %w", err)
	}
	return data, nil
}

// assignKeys gives every article without an import key one: the slug of
// its source title, with its id when another article has that slug.
func (s *Service) assignKeys(ctx context.Context, actor authz.Actor) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT a.id, t.slug FROM kb_articles a JOIN kb_translations t ON t.article_id = a.id AND t.language = a.source_language
			WHERE a.import_key IS NULL ORDER BY a.id`)
		if err != nil {
			return fmt.Errorf("kb: keys: %w", err)
		}
		type pending struct {
			id   int64
			slug string
		}
		var list []pending
		for rows.Next() {
			var p pending
			if err := rows.Scan(&p.id, &p.slug); err != nil {
				rows.Close()
				return fmt.Errorf("kb: keys: %w", err)
			}
			list = append(list, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("kb: keys: %w", err)
		}
		for _, p := range list {
			key := p.slug
			var one int
			if tx.QueryRowContext(ctx, `SELECT 1 FROM kb_articles WHERE import_key = ?`, key).Scan(&one) == nil {
				key = fmt.Sprintf("%s-%d", p.slug, p.id)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE kb_articles SET import_key = ? WHERE id = ?`, key, p.id); err != nil {
				return fmt.Errorf("kb: keys: %w", err)
			}
		}
		return nil
	})
}
