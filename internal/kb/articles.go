package kb

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// ArticleInput creates an article: where it lives, who sees it, and its
// text in the source language.
type ArticleInput struct {
	SectionID  int64    `json:"section_id"`
	Language   string   `json:"language"` // the source language
	Title      string   `json:"title"`
	Summary    string   `json:"summary"`
	Body       string   `json:"body"` // Markdown
	Visibility string   `json:"visibility"`
	Teams      []int64  `json:"team_ids"`
	Orgs       []int64  `json:"organization_ids"`
	Tags       []string `json:"tags"`
	OwnerID    int64    `json:"owner_id"`  // 0: the author
	VerifyBy   string   `json:"verify_by"` // YYYY-MM-DD, "" for none
}

// Meta changes where an article lives and who sees it.
type Meta struct {
	SectionID      int64    `json:"section_id"`
	SourceLanguage string   `json:"source_language"`
	Visibility     string   `json:"visibility"`
	Teams          []int64  `json:"team_ids"`
	Orgs           []int64  `json:"organization_ids"`
	Tags           []string `json:"tags"`
	OwnerID        int64    `json:"owner_id"`
	VerifyBy       string   `json:"verify_by"`
}

// TextInput is one save of a translation.
type TextInput struct {
	Language string `json:"language"`
	Title    string `json:"title"`
	Summary  string `json:"summary"`
	Body     string `json:"body"`
	Note     string `json:"note"` // what changed, kept with the version
}

func (in *TextInput) validate(fe apperr.FieldErrors) {
	in.Title, in.Summary = strings.TrimSpace(in.Title), strings.TrimSpace(in.Summary)
	in.Body = strings.ReplaceAll(in.Body, "\r\n", "\n")
	if !ValidLanguage(in.Language) {
		fe.Add("language", "must be one of "+strings.Join(Languages(), ", "))
	}
	switch {
	case in.Title == "":
		fe.Add("title", "is required")
	case len([]rune(in.Title)) > MaxTitle:
		fe.Add("title", fmt.Sprintf("is at most %d characters", MaxTitle))
	}
	if len([]rune(in.Summary)) > MaxSummary {
		fe.Add("summary", fmt.Sprintf("is at most %d characters", MaxSummary))
	}
	if len(in.Body) > MaxBody {
		fe.Add("body", fmt.Sprintf("is at most %d bytes", MaxBody))
	}
	if len(in.Note) > 500 {
		fe.Add("note", "is at most 500 characters")
	}
}

func (m *Meta) validate(fe apperr.FieldErrors) (verify sql.NullInt64) {
	if m.SectionID <= 0 {
		fe.Add("section_id", "is required")
	}
	if m.Visibility == "" {
		m.Visibility = VisInternal
	}
	if !slices.Contains(Visibilities, m.Visibility) {
		fe.Add("visibility", "must be internal, public or orgs")
	}
	// Oversized lists are refused before anything else looks at them.
	tooMany := fe.MaxItems("team_ids", len(m.Teams), 50)
	tooMany = fe.MaxItems("organization_ids", len(m.Orgs), 200) || tooMany
	tooMany = fe.MaxItems("tags", len(m.Tags), MaxTags) || tooMany
	if tooMany {
		return verify
	}
	if m.Visibility == VisOrgs && len(m.Orgs) == 0 {
		fe.Add("organization_ids", "name at least one organization")
	}
	if m.Visibility != VisOrgs {
		m.Orgs = nil
	}
	if m.Visibility != VisInternal {
		m.Teams = nil
	}
	var tags []string
	for _, t := range m.Tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || slices.Contains(tags, t) {
			continue
		}
		if len(t) > MaxTag || strings.ContainsAny(t, " ,") {
			fe.Add("tags", fmt.Sprintf("a tag is one word of at most %d characters", MaxTag))
		}
		tags = append(tags, t)
	}
	m.Tags = tags
	if m.VerifyBy = strings.TrimSpace(m.VerifyBy); m.VerifyBy != "" {
		d, err := time.Parse(time.DateOnly, m.VerifyBy)
		if err != nil {
			fe.Add("verify_by", "must be a date (YYYY-MM-DD)")
		} else {
			verify = sql.NullInt64{Int64: db.Millis(d), Valid: true}
		}
	}
	return verify
}

// Create adds an article in draft with its source text as version 1.
func (s *Service) Create(ctx context.Context, actor authz.Actor, in ArticleInput) (Article, error) {
	if err := authz.Check(actor, authz.KBWrite); err != nil {
		return Article{}, err
	}
	fe := apperr.FieldErrors{}
	text := TextInput{Language: in.Language, Title: in.Title, Summary: in.Summary, Body: in.Body}
	text.validate(fe)
	meta := Meta{SectionID: in.SectionID, SourceLanguage: in.Language, Visibility: in.Visibility, Teams: in.Teams, Orgs: in.Orgs, Tags: in.Tags, OwnerID: in.OwnerID, VerifyBy: in.VerifyBy}
	verify := meta.validate(fe)
	if meta.OwnerID == 0 {
		meta.OwnerID = actor.ID
	}
	if err := fe.Err(); err != nil {
		return Article{}, err
	}
	now := db.Millis(s.now())
	var id int64
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		if err := s.checkRefs(ctx, tx, meta); err != nil {
			return err
		}
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO kb_articles (section_id, source_language, owner_id, state, visibility, verify_by, created_by, created_at, updated_at)
			VALUES (?, ?, ?, 'draft', ?, ?, ?, ?, ?)`, meta.SectionID, meta.SourceLanguage, meta.OwnerID, meta.Visibility, verify, actor.ID, now, now)
		if err != nil {
			return fmt.Errorf("kb: create: %w", err)
		}
		if err := putLinks(ctx, tx, id, meta); err != nil {
			return err
		}
		if _, err := s.saveText(ctx, tx, actor, id, meta.SourceLanguage, text); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), actor, "kb.article.create", fmt.Sprintf("kb_article:%d", id), map[string]any{"title": text.Title, "visibility": meta.Visibility})
	})
	if err != nil {
		return Article{}, err
	}
	return s.Get(ctx, Viewer{Actor: actor}, id)
}

// checkRefs refuses a section, owner, team or organization that does not exist.
func (s *Service) checkRefs(ctx context.Context, tx *db.Tx, m Meta) error {
	fe := apperr.FieldErrors{}
	exists := func(q string, id int64) bool {
		var one int
		return tx.QueryRowContext(ctx, q, id).Scan(&one) == nil
	}
	if !exists(`SELECT 1 FROM kb_sections WHERE id = ?`, m.SectionID) {
		fe.Add("section_id", "no such section")
	}
	if m.OwnerID != 0 && !exists(`SELECT 1 FROM agents WHERE id = ?`, m.OwnerID) {
		fe.Add("owner_id", "no such agent")
	}
	for _, t := range m.Teams {
		if !exists(`SELECT 1 FROM teams WHERE id = ?`, t) {
			fe.Add("team_ids", fmt.Sprintf("no team %d", t))
		}
	}
	for _, o := range m.Orgs {
		if !exists(`SELECT 1 FROM organizations WHERE id = ?`, o) {
			fe.Add("organization_ids", fmt.Sprintf("no organization %d", o))
		}
	}
	return fe.Err()
}

func putLinks(ctx context.Context, tx *db.Tx, id int64, m Meta) error {
	for _, q := range []string{`DELETE FROM kb_article_teams WHERE article_id = ?`, `DELETE FROM kb_article_orgs WHERE article_id = ?`, `DELETE FROM kb_article_tags WHERE article_id = ?`} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return fmt.Errorf("kb: links: %w", err)
		}
	}
	for _, t := range m.Teams {
		if _, err := tx.ExecContext(ctx, `INSERT INTO kb_article_teams (article_id, team_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, t); err != nil {
			return fmt.Errorf("kb: teams: %w", err)
		}
	}
	for _, o := range m.Orgs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO kb_article_orgs (article_id, org_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, o); err != nil {
			return fmt.Errorf("kb: organizations: %w", err)
		}
	}
	for _, t := range m.Tags {
		if _, err := tx.ExecContext(ctx, `INSERT INTO kb_article_tags (article_id, tag) VALUES (?, ?)`, id, t); err != nil {
			return fmt.Errorf("kb: tags: %w", err)
		}
	}
	return nil
}

// saveText writes one translation's text as its next version. Saving the
// source language moves the source on (other translations become out of
// date); saving another language records the source version it matches.
func (s *Service) saveText(ctx context.Context, tx *db.Tx, actor authz.Actor, id int64, source string, in TextInput) (int, error) {
	html := s.md.html(in.Body)
	text := plain(html)
	slug := Slugify(in.Title)
	now := db.Millis(s.now())
	srcVersion := 0
	if in.Language != source {
		if err := tx.QueryRowContext(ctx, `SELECT version FROM kb_translations WHERE article_id = ? AND language = ?`, id, source).Scan(&srcVersion); err != nil && !isNoRows(err) {
			return 0, fmt.Errorf("kb: source version: %w", err)
		}
	}
	var tid int64
	var version int
	var oldTitle string
	err := tx.QueryRowContext(ctx, `SELECT id, version, title FROM kb_translations WHERE article_id = ? AND language = ?`, id, in.Language).Scan(&tid, &version, &oldTitle)
	switch {
	case isNoRows(err):
		version = 1
		tid, err = tx.InsertID(ctx, `INSERT INTO kb_translations (article_id, language, title, slug, summary, body, body_html, body_text, version, source_version, updated_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`, id, in.Language, in.Title, slug, in.Summary, in.Body, html, text, srcVersion, actor.ID, now)
		if err != nil {
			return 0, fmt.Errorf("kb: save text: %w", err)
		}
	case err != nil:
		return 0, fmt.Errorf("kb: save text: %w", err)
	default:
		version++
		if _, err := tx.ExecContext(ctx, `UPDATE kb_translations SET title = ?, slug = ?, summary = ?, body = ?, body_html = ?, body_text = ?, version = ?, source_version = ?, updated_by = ?, updated_at = ?
			WHERE id = ?`, in.Title, slug, in.Summary, in.Body, html, text, version, srcVersion, actor.ID, now, tid); err != nil {
			return 0, fmt.Errorf("kb: save text: %w", err)
		}
	}
	if oldTitle != in.Title {
		if err := indexTitle(ctx, tx, in.Language, in.Title); err != nil {
			return 0, err
		}
	}
	if tx.Dialect() == db.Postgres {
		if err := setVector(ctx, tx, tid, in.Language, in.Title, text); err != nil {
			return 0, err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO kb_versions (article_id, language, version, title, summary, body, author_id, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, in.Language, version, in.Title, in.Summary, in.Body, actor.ID, strings.TrimSpace(in.Note), now); err != nil {
		return 0, fmt.Errorf("kb: version: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE kb_articles SET updated_at = ? WHERE id = ?`, now, id); err != nil {
		return 0, fmt.Errorf("kb: touch: %w", err)
	}
	return version, nil
}

// editable loads an article for a change by actor: agents with kb.write
// change drafts and articles in review; published and archived ones need
// kb.publish. Invisible articles are not found.
func (s *Service) editable(ctx context.Context, tx *db.Tx, actor authz.Actor, id int64) (string, string, error) {
	if err := authz.Check(actor, authz.KBWrite); err != nil {
		return "", "", err
	}
	where, args := Viewer{Actor: actor}.filter()
	var state, source string
	err := tx.QueryRowContext(ctx, `SELECT a.state, a.source_language FROM kb_articles a WHERE a.id = ? AND `+where, append([]any{id}, args...)...).Scan(&state, &source)
	if isNoRows(err) {
		return "", "", notFound(id)
	}
	if err != nil {
		return "", "", fmt.Errorf("kb: load %d: %w", id, err)
	}
	if (state == StatePublished || state == StateArchived) && !canPublish(actor) {
		return "", "", apperr.Forbidden("only knowledge publishers change a published article (kb.publish)")
	}
	return state, source, nil
}

// SaveText saves a translation (the source or another language) as a new
// version.
func (s *Service) SaveText(ctx context.Context, actor authz.Actor, id int64, in TextInput) (Article, error) {
	if err := authz.Check(actor, authz.KBWrite); err != nil {
		return Article{}, err
	}
	fe := apperr.FieldErrors{}
	in.validate(fe)
	if err := fe.Err(); err != nil {
		return Article{}, err
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		_, source, err := s.editable(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		v, err := s.saveText(ctx, tx, actor, id, source, in)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), actor, "kb.article.save", fmt.Sprintf("kb_article:%d", id), map[string]any{"language": in.Language, "version": v})
	})
	if err != nil {
		return Article{}, err
	}
	return s.Get(ctx, Viewer{Actor: actor}, id)
}

// UpdateMeta changes an article's section, visibility, tags, owner and
// verify-by date.
func (s *Service) UpdateMeta(ctx context.Context, actor authz.Actor, id int64, m Meta) (Article, error) {
	if err := authz.Check(actor, authz.KBWrite); err != nil {
		return Article{}, err
	}
	fe := apperr.FieldErrors{}
	verify := m.validate(fe)
	if err := fe.Err(); err != nil {
		return Article{}, err
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		_, source, err := s.editable(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if m.SourceLanguage == "" {
			m.SourceLanguage = source
		}
		var has int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM kb_translations WHERE article_id = ? AND language = ?`, id, m.SourceLanguage).Scan(&has); err != nil {
			return fmt.Errorf("kb: meta: %w", err)
		}
		if has == 0 {
			return apperr.InvalidField("source_language", "the article has no text in this language")
		}
		if err := s.checkRefs(ctx, tx, m); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE kb_articles SET section_id = ?, source_language = ?, visibility = ?, owner_id = CASE WHEN ? = 0 THEN owner_id ELSE ? END,
			verify_by = ?, reminded_at = NULL, updated_at = ? WHERE id = ?`, m.SectionID, m.SourceLanguage, m.Visibility, m.OwnerID, m.OwnerID, verify, db.Millis(s.now()), id); err != nil {
			return fmt.Errorf("kb: meta: %w", err)
		}
		if err := putLinks(ctx, tx, id, m); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), actor, "kb.article.meta", fmt.Sprintf("kb_article:%d", id), map[string]any{"visibility": m.Visibility, "section_id": m.SectionID})
	})
	if err != nil {
		return Article{}, err
	}
	return s.Get(ctx, Viewer{Actor: actor}, id)
}

// transitions are the allowed state changes and the permission each needs.
var transitions = map[[2]string]authz.Perm{
	{StateDraft, StateReview}:       authz.KBWrite,
	{StateReview, StateDraft}:       authz.KBWrite,
	{StateReview, StatePublished}:   authz.KBPublish,
	{StateDraft, StatePublished}:    authz.KBPublish,
	{StatePublished, StateDraft}:    authz.KBPublish,
	{StatePublished, StateArchived}: authz.KBPublish,
	{StateArchived, StateDraft}:     authz.KBPublish,
	{StateArchived, StatePublished}: authz.KBPublish,
}

// Transition moves an article to another state: draft → review (send for
// review), review → published (publish) or back to draft, published →
// archived, and so on (transitions).
func (s *Service) Transition(ctx context.Context, actor authz.Actor, id int64, to string) (Article, error) {
	if err := authz.Check(actor, authz.KBWrite); err != nil {
		return Article{}, err
	}
	if !slices.Contains(States, to) {
		return Article{}, apperr.InvalidField("state", "must be draft, review, published or archived")
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		where, args := Viewer{Actor: actor}.filter()
		var from string
		err := tx.QueryRowContext(ctx, `SELECT a.state FROM kb_articles a WHERE a.id = ? AND `+where, append([]any{id}, args...)...).Scan(&from)
		if isNoRows(err) {
			return notFound(id)
		}
		if err != nil {
			return fmt.Errorf("kb: transition: %w", err)
		}
		perm, ok := transitions[[2]string{from, to}]
		if !ok {
			return apperr.Unprocessable("state", fmt.Sprintf("cannot go from %s to %s", from, to))
		}
		if err := authz.Check(actor, perm); err != nil {
			return err
		}
		now := db.Millis(s.now())
		q := `UPDATE kb_articles SET state = ?, updated_at = ? WHERE id = ?`
		if to == StatePublished {
			q = `UPDATE kb_articles SET state = ?, updated_at = ?, published_at = COALESCE(published_at, updated_at) WHERE id = ?`
		}
		if _, err := tx.ExecContext(ctx, q, to, now, id); err != nil {
			return fmt.Errorf("kb: transition: %w", err)
		}
		return audit.Record(ctx, tx, s.now(), actor, "kb.article.state", fmt.Sprintf("kb_article:%d", id), map[string]any{"from": from, "to": to})
	})
	if err != nil {
		return Article{}, err
	}
	return s.Get(ctx, Viewer{Actor: actor}, id)
}

// Get returns an article with all its translations, if the viewer may
// read it (else not found, the same answer as for an id that does not
// exist).
func (s *Service) Get(ctx context.Context, v Viewer, id int64) (Article, error) {
	if v.Actor.IsAgent() {
		if err := authz.Check(v.Actor, authz.KBRead); err != nil {
			return Article{}, err
		}
	}
	list, err := s.load(ctx, v, "a.id = ?", []any{id})
	if err != nil {
		return Article{}, err
	}
	if len(list) == 0 {
		return Article{}, notFound(id)
	}
	return list[0], nil
}

const articleCols = `a.id, a.section_id, a.source_language, a.owner_id, COALESCE(ag.name, ''), a.state, a.visibility, a.verify_by, a.created_at, a.updated_at, a.published_at`

// load reads the articles matching cond that v may read, with their
// translations, teams, organizations and tags, in id order.
func (s *Service) load(ctx context.Context, v Viewer, cond string, args []any) ([]Article, error) {
	where, wargs := v.filter()
	rows, err := s.db.QueryContext(ctx, `SELECT `+articleCols+` FROM kb_articles a LEFT JOIN agents ag ON ag.id = a.owner_id
		WHERE `+cond+` AND `+where+` ORDER BY a.id`, append(args, wargs...)...)
	if err != nil {
		return nil, fmt.Errorf("kb: load: %w", err)
	}
	var list []Article
	index := map[int64]int{}
	for rows.Next() {
		var a Article
		var verify, pub sql.NullInt64
		var created, updated int64
		if err := rows.Scan(&a.ID, &a.SectionID, &a.SourceLanguage, &a.OwnerID, &a.OwnerName, &a.State, &a.Visibility, &verify, &created, &updated, &pub); err != nil {
			rows.Close()
			return nil, fmt.Errorf("kb: load: %w", err)
		}
		a.CreatedAt, a.UpdatedAt = db.Time(created), db.Time(updated)
		if verify.Valid {
			t := db.Time(verify.Int64)
			a.VerifyBy = &t
		}
		if pub.Valid {
			t := db.Time(pub.Int64)
			a.PublishedAt = &t
		}
		a.Teams, a.Orgs, a.Tags = []int64{}, []int64{}, []string{}
		index[a.ID] = len(list)
		list = append(list, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("kb: load: %w", err)
	}
	if len(list) == 0 {
		return nil, nil
	}
	ids := make([]any, 0, len(list))
	for _, a := range list {
		ids = append(ids, a.ID)
	}
	in := "(?" + strings.Repeat(", ?", len(ids)-1) + ")"
	if err := s.eachRow(ctx, `SELECT id, article_id, language, title, slug, summary, body, body_html, body_text, version, source_version, updated_by, updated_at
		FROM kb_translations WHERE article_id IN `+in+` ORDER BY article_id, language`, ids, func(sc func(...any) error) error {
		var t Translation
		var updated int64
		if err := sc(&t.ID, &t.ArticleID, &t.Language, &t.Title, &t.Slug, &t.Summary, &t.Body, &t.HTML, &t.Text, &t.Version, &t.SourceVersion, &t.UpdatedBy, &updated); err != nil {
			return err
		}
		t.UpdatedAt = db.Time(updated)
		a := &list[index[t.ArticleID]]
		a.Translations = append(a.Translations, t)
		return nil
	}); err != nil {
		return nil, err
	}
	for i := range list {
		a := &list[i]
		src := a.Source()
		for j := range a.Translations {
			t := &a.Translations[j]
			t.Outdated = t.Language != a.SourceLanguage && t.SourceVersion < src.Version
		}
	}
	links := []struct {
		q   string
		add func(a *Article, v int64, tag string)
	}{
		{`SELECT article_id, team_id, '' FROM kb_article_teams WHERE article_id IN ` + in + ` ORDER BY team_id`, func(a *Article, v int64, _ string) { a.Teams = append(a.Teams, v) }},
		{`SELECT article_id, org_id, '' FROM kb_article_orgs WHERE article_id IN ` + in + ` ORDER BY org_id`, func(a *Article, v int64, _ string) { a.Orgs = append(a.Orgs, v) }},
		{`SELECT article_id, 0, tag FROM kb_article_tags WHERE article_id IN ` + in + ` ORDER BY tag`, func(a *Article, _ int64, t string) { a.Tags = append(a.Tags, t) }},
	}
	for _, link := range links {
		if err := s.eachRow(ctx, link.q, ids, func(sc func(...any) error) error {
			var id, v int64
			var tag string
			if err := sc(&id, &v, &tag); err != nil {
				return err
			}
			link.add(&list[index[id]], v, tag)
			return nil
		}); err != nil {
			return nil, err
		}
	}
	return list, nil
}

// eachRow runs q and calls fn with each row's Scan.
func (s *Service) eachRow(ctx context.Context, q string, args []any, fn func(scan func(...any) error) error) error {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("kb: query: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return fmt.Errorf("kb: scan: %w", err)
		}
	}
	return rows.Err()
}
