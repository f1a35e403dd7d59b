package kb

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"mime"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// ImportOptions are an import's defaults for files whose front matter does
// not say.
type ImportOptions struct {
	Language   string // default "en"
	Visibility string // default internal
	Publish    bool   // new articles published (else drafts)
}

// Import results per file.
const (
	ImportCreated = "created"
	ImportUpdated = "updated"
	ImportSkipped = "skipped" // the same text and settings as stored
)

// ImportReport tells what an import did, file by file.
type ImportReport struct {
	Created int            `json:"created"`
	Updated int            `json:"updated"`
	Skipped int            `json:"skipped"`
	Files   []ImportResult `json:"files"`
	Errors  []ImportError  `json:"errors"`
}

// ImportResult is one article file imported.
type ImportResult struct {
	Path      string `json:"path"`
	ArticleID int64  `json:"article_id"`
	Language  string `json:"language"`
	Title     string `json:"title"`
	Result    string `json:"result"`
}

// ImportError is a file that was not imported (or an image it names that
// is missing), and why.
type ImportError struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// userError is a problem with a file that its text explains.
type userError string

func (e userError) Error() string { return string(e) }

// fail records a file's error: what the person can correct, never an
// internal error's text (that goes to the log).
func (s *Service) fail(r *ImportReport, p string, err error) {
	msg := err.Error()
	var e *apperr.Error
	if errors.As(err, &e) {
		msg = e.Message
		keys := make([]string, 0, len(e.Fields))
		for k := range e.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			msg += "; " + k + " " + e.Fields[k]
		}
		if e.Code == apperr.CodeInternal {
			s.log.Error("kb import", "path", p, "err", err)
			msg = "could not be imported (see the server log)"
		}
	} else if ue := (userError("")); !errors.As(err, &ue) {
		s.log.Error("kb import", "path", p, "err", err)
		msg = "could not be imported (see the server log)"
	}
	r.Errors = append(r.Errors, ImportError{Path: p, Message: msg})
}

// Import reads a folder of Markdown and HTML files (a Bundle) as articles:
// one article per import key (the front matter's slug, else the file
// name), a file per language. An article imported before (the same key)
// is updated, and a file whose text and settings are as stored is
// skipped, so importing the same folder twice changes nothing. Images and
// other files the text links to by a relative path are stored in the blob
// store and the links rewritten. Only knowledge managers (kb.publish)
// import.
func (s *Service) Import(ctx context.Context, actor authz.Actor, b *Bundle, opt ImportOptions) (ImportReport, error) {
	rep := ImportReport{Files: []ImportResult{}, Errors: []ImportError{}}
	if err := authz.Check(actor, authz.KBPublish); err != nil {
		return rep, err
	}
	if opt.Language == "" {
		opt.Language = "en"
	}
	if opt.Visibility == "" {
		opt.Visibility = VisInternal
	}
	if !ValidLanguage(opt.Language) {
		return rep, apperr.InvalidField("language", "must be one of "+strings.Join(Languages(), ", "))
	}
	if opt.Visibility != VisInternal && opt.Visibility != VisPublic {
		return rep, apperr.InvalidField("visibility", "must be internal or public")
	}
	groups := map[string][]importDoc{}
	var keys []string
	for _, p := range b.Paths() {
		if !isArticleFile(p) {
			continue
		}
		d, err := readDoc(p, b.Files[p], opt.Language)
		if err != nil {
			s.fail(&rep, p, userError(err.Error()))
			continue
		}
		if slices.ContainsFunc(groups[d.Key], func(o importDoc) bool { return o.Lang == d.Lang }) {
			s.fail(&rep, p, userError(fmt.Sprintf("another file has the slug %q in %s", d.Key, d.Lang)))
			continue
		}
		if _, ok := groups[d.Key]; !ok {
			keys = append(keys, d.Key)
		}
		groups[d.Key] = append(groups[d.Key], d)
	}
	if len(keys) == 0 && len(rep.Errors) == 0 {
		return rep, apperr.InvalidField("file", "has no Markdown or HTML files")
	}
	sections := map[string]int64{}
	for _, key := range keys {
		if err := s.importArticle(ctx, actor, b, key, groups[key], opt, sections, &rep); err != nil {
			for _, d := range groups[key] {
				s.fail(&rep, d.Path, err)
			}
		}
	}
	sort.SliceStable(rep.Files, func(i, j int) bool { return rep.Files[i].Path < rep.Files[j].Path })
	for _, f := range rep.Files {
		switch f.Result {
		case ImportCreated:
			rep.Created++
		case ImportUpdated:
			rep.Updated++
		default:
			rep.Skipped++
		}
	}
	return rep, nil
}

// importArticle writes one article's files in one transaction.
func (s *Service) importArticle(ctx context.Context, actor authz.Actor, b *Bundle, key string, docs []importDoc, opt ImportOptions, sections map[string]int64, rep *ImportReport) error {
	var results []ImportResult
	var warnings []ImportError
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		results, warnings = nil, nil
		var id int64
		var cur struct {
			source, state, vis string
			section            int64
		}
		err := tx.QueryRowContext(ctx, `SELECT id, source_language, state, visibility, section_id FROM kb_articles WHERE import_key = ?`, key).
			Scan(&id, &cur.source, &cur.state, &cur.vis, &cur.section)
		exists := err == nil
		if err != nil && !isNoRows(err) {
			return fmt.Errorf("kb: import %s: %w", key, err)
		}
		source := ""
		for _, d := range docs {
			if d.FM.SourceLanguage != "" {
				source = d.FM.SourceLanguage
			}
		}
		switch {
		case source != "":
		case exists:
			source = cur.source
		case slices.ContainsFunc(docs, func(d importDoc) bool { return d.Lang == opt.Language }):
			source = opt.Language
		default:
			source = docs[0].Lang
		}
		// The source language's file is written first and decides the
		// article's settings.
		sort.SliceStable(docs, func(i, j int) bool { return docs[i].Lang == source && docs[j].Lang != source })
		main := docs[0]
		if exists && main.Lang != source {
			var has int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM kb_translations WHERE article_id = ? AND language = ?`, id, source).Scan(&has); err != nil {
				return fmt.Errorf("kb: import: %w", err)
			}
			if has == 0 {
				return apperr.InvalidField("source_language", "the article has no text in "+source)
			}
		} else if !exists && main.Lang != source {
			return apperr.InvalidField("source_language", "no file of this article is in "+source)
		}
		vis := main.FM.Visibility
		if vis == "" {
			vis = opt.Visibility
			if exists {
				vis = cur.vis
			}
		}
		if !slices.Contains(Visibilities, vis) || (vis == VisOrgs && !(exists && cur.vis == VisOrgs)) {
			return apperr.InvalidField("visibility", "must be internal or public (organizations are chosen on the article page)")
		}
		state := main.FM.State
		if state == "" {
			state = StateDraft
			if opt.Publish {
				state = StatePublished
			}
			if exists {
				state = cur.state
			}
		}
		if !slices.Contains(States, state) {
			return apperr.InvalidField("state", "must be draft, review, published or archived")
		}
		section, err := s.importSection(ctx, tx, main, sections)
		if err != nil {
			return err
		}
		now := db.Millis(s.now())
		meta := Meta{SectionID: section, SourceLanguage: source, Visibility: vis, Tags: main.FM.Tags}
		fe := apperr.FieldErrors{}
		meta.validate(fe)
		if err := fe.Err(); err != nil {
			return err
		}
		changedMeta := false
		if !exists {
			id, err = tx.InsertID(ctx, `INSERT INTO kb_articles (section_id, source_language, owner_id, state, visibility, created_by, created_at, updated_at, import_key, published_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, section, source, actor.ID, state, vis, actor.ID, now, now, key, publishedAt(state, now))
			if err != nil {
				return fmt.Errorf("kb: import %s: %w", key, err)
			}
			if err := putLinks(ctx, tx, id, meta); err != nil {
				return err
			}
		} else {
			tags, err := s.tagsOf(ctx, tx, id)
			if err != nil {
				return err
			}
			want := slices.Clone(meta.Tags)
			slices.Sort(want)
			sameTags := main.FM.Tags == nil || slices.Equal(tags, want)
			if cur.section != section || cur.vis != vis || cur.state != state || cur.source != source || !sameTags {
				changedMeta = true
				if _, err := tx.ExecContext(ctx, `UPDATE kb_articles SET section_id = ?, source_language = ?, visibility = ?, state = ?, updated_at = ?,
					published_at = CASE WHEN ? = 'published' THEN COALESCE(published_at, ?) ELSE published_at END WHERE id = ?`,
					section, source, vis, state, now, state, now, id); err != nil {
					return fmt.Errorf("kb: import %s: %w", key, err)
				}
				if !sameTags {
					if _, err := tx.ExecContext(ctx, `DELETE FROM kb_article_tags WHERE article_id = ?`, id); err != nil {
						return fmt.Errorf("kb: import tags: %w", err)
					}
					if err := putLinks(ctx, tx, id, Meta{Tags: meta.Tags}); err != nil {
						return err
					}
				}
				if vis != VisInternal {
					if _, err := tx.ExecContext(ctx, `DELETE FROM kb_article_teams WHERE article_id = ?`, id); err != nil {
						return fmt.Errorf("kb: import teams: %w", err)
					}
				}
			}
		}
		for i, d := range docs {
			body, warn, err := s.importFiles(ctx, tx, actor, b, id, d)
			if err != nil {
				return err
			}
			warnings = append(warnings, warn...)
			in := TextInput{Language: d.Lang, Title: d.Title, Summary: d.FM.Summary, Body: body, Note: "import"}
			fe := apperr.FieldErrors{}
			in.validate(fe)
			if err := fe.Err(); err != nil {
				return err
			}
			res := ImportResult{Path: d.Path, ArticleID: id, Language: d.Lang, Title: in.Title, Result: ImportCreated}
			var title, summary, old string
			err = tx.QueryRowContext(ctx, `SELECT title, summary, body FROM kb_translations WHERE article_id = ? AND language = ?`, id, d.Lang).Scan(&title, &summary, &old)
			found := err == nil
			if err != nil && !isNoRows(err) {
				return fmt.Errorf("kb: import: %w", err)
			}
			same := found && title == in.Title && summary == in.Summary && strings.TrimSpace(old) == strings.TrimSpace(in.Body)
			switch {
			case !found:
			case !same:
				res.Result = ImportUpdated
			case i == 0 && changedMeta:
				res.Result = ImportUpdated
			default:
				res.Result = ImportSkipped
			}
			if !same {
				if _, err := s.saveText(ctx, tx, actor, id, source, in); err != nil {
					return err
				}
			}
			results = append(results, res)
		}
		action := "kb.article.import"
		if slices.ContainsFunc(results, func(r ImportResult) bool { return r.Result != ImportSkipped }) {
			return audit.Record(ctx, tx, s.now(), actor, action, fmt.Sprintf("kb_article:%d", id), map[string]any{"key": key, "files": len(results)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	rep.Files = append(rep.Files, results...)
	rep.Errors = append(rep.Errors, warnings...)
	return nil
}

func publishedAt(state string, now int64) sql.NullInt64 {
	return sql.NullInt64{Int64: now, Valid: state == StatePublished}
}

func (s *Service) tagsOf(ctx context.Context, tx *db.Tx, id int64) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT tag FROM kb_article_tags WHERE article_id = ? ORDER BY tag`, id)
	if err != nil {
		return nil, fmt.Errorf("kb: tags: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("kb: tags: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// importSection finds the section named by a file (its category and
// section names in any language, case folded) or creates both, named in
// the file's language.
func (s *Service) importSection(ctx context.Context, tx *db.Tx, d importDoc, cache map[string]int64) (int64, error) {
	catName, secName := strings.TrimSpace(d.Cat), strings.TrimSpace(d.Sec)
	if len([]rune(catName)) > 100 || len([]rune(secName)) > 100 {
		return 0, apperr.InvalidField("section", "category and section names are at most 100 characters")
	}
	ck := strings.ToLower(catName) + "\x00" + strings.ToLower(secName)
	if id, ok := cache[ck]; ok {
		return id, nil
	}
	now := db.Millis(s.now())
	var cat int64
	err := tx.QueryRowContext(ctx, `SELECT ref_id FROM kb_names WHERE kind = 'category' AND LOWER(name) = LOWER(?) ORDER BY ref_id LIMIT 1`, catName).Scan(&cat)
	if isNoRows(err) {
		if cat, err = tx.InsertID(ctx, `INSERT INTO kb_categories (position, created_at) VALUES (0, ?)`, now); err != nil {
			return 0, fmt.Errorf("kb: import category: %w", err)
		}
		err = putNames(ctx, tx, "category", cat, []Name{{Language: d.Lang, Name: catName, Slug: Slugify(catName)}})
	}
	if err != nil {
		return 0, fmt.Errorf("kb: import category: %w", err)
	}
	var sec int64
	err = tx.QueryRowContext(ctx, `SELECT s.id FROM kb_sections s JOIN kb_names n ON n.kind = 'section' AND n.ref_id = s.id
		WHERE s.category_id = ? AND LOWER(n.name) = LOWER(?) ORDER BY s.id LIMIT 1`, cat, secName).Scan(&sec)
	if isNoRows(err) {
		if sec, err = tx.InsertID(ctx, `INSERT INTO kb_sections (category_id, position, created_at) VALUES (?, 0, ?)`, cat, now); err != nil {
			return 0, fmt.Errorf("kb: import section: %w", err)
		}
		err = putNames(ctx, tx, "section", sec, []Name{{Language: d.Lang, Name: secName, Slug: Slugify(secName)}})
	}
	if err != nil {
		return 0, fmt.Errorf("kb: import section: %w", err)
	}
	cache[ck] = sec
	return sec, nil
}

// importFiles stores the files a document links to by relative path (the
// same file of the same article is stored once) and returns the body with
// the links pointing at them; a link to a file not in the bundle stays as
// written and is reported.
func (s *Service) importFiles(ctx context.Context, tx *db.Tx, actor authz.Actor, b *Bundle, id int64, d importDoc) (string, []ImportError, error) {
	var warns []ImportError
	var ferr error
	body := linkTarget.ReplaceAllStringFunc(d.Body, func(m string) string {
		sub := linkTarget.FindStringSubmatch(m)
		ref := localRef(d.Path, sub[2])
		if ref == "" || ferr != nil {
			return m
		}
		data, ok := b.Files[ref]
		if !ok || isArticleFile(ref) {
			if !ok {
				warns = append(warns, ImportError{Path: d.Path, Message: fmt.Sprintf("the linked file %s is not in the folder", sub[2])})
			}
			return m
		}
		f, err := s.storeFile(ctx, tx, actor, id, path.Base(ref), data)
		if err != nil {
			ferr = err
			return m
		}
		return sub[1] + f.URL() + sub[3]
	})
	return body, warns, ferr
}

// storeFile keeps a file of an article in the blob store, once per name
// and content.
func (s *Service) storeFile(ctx context.Context, tx *db.Tx, actor authz.Actor, id int64, filename string, data []byte) (File, error) {
	if s.blobs == nil {
		return File{}, apperr.Unprocessable("file", "file storage is not configured")
	}
	if len(data) > MaxFileSize {
		return File{}, apperr.InvalidField("file", fmt.Sprintf("%s is larger than %d MB", filename, MaxFileSize>>20))
	}
	if len(filename) > 200 {
		return File{}, apperr.InvalidField("file", "a file name is at most 200 characters")
	}
	sum, size, err := s.blobs.Put(bytes.NewReader(data), MaxFileSize)
	if err != nil {
		return File{}, fmt.Errorf("kb: store %s: %w", filename, err)
	}
	f := File{ArticleID: id, Filename: filename, Size: size, SHA256: sum, ContentType: contentType(filename)}
	err = tx.QueryRowContext(ctx, `SELECT id FROM kb_files WHERE article_id = ? AND filename = ? AND sha256 = ? ORDER BY id LIMIT 1`, id, filename, sum).Scan(&f.ID)
	if isNoRows(err) {
		f.ID, err = tx.InsertID(ctx, `INSERT INTO kb_files (article_id, filename, content_type, size, sha256, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			id, filename, f.ContentType, size, sum, actor.ID, db.Millis(s.now()))
	}
	if err != nil {
		return File{}, fmt.Errorf("kb: file: %w", err)
	}
	return f, nil
}

// contentType is a file's type by its name; SVG (which can carry script)
// is served as a download.
func contentType(filename string) string {
	ct := mime.TypeByExtension(strings.ToLower(path.Ext(filename)))
	if i := strings.IndexByte(ct, ';'); i > 0 {
		ct = ct[:i]
	}
	if ct == "" || ct == "image/svg+xml" {
		ct = "application/octet-stream"
	}
	return ct
}
