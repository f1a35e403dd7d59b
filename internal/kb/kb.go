// Package kb is the knowledge base: articles in sections in categories,
// written in Markdown, with a review flow (draft → review → published, or
// archived), a version for every save, translations per language with a
// source language and an "out of date" flag, owners with a "verify by"
// date, and visibility for agents (all or chosen teams), the public, or
// the customers of chosen organizations. The agent knowledge pages, the
// ticket page's suggestions and the public help center all read it through
// this service, which decides what each viewer may see (visibility.go).
// docs/knowledge.md describes the behaviour.
package kb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/blob"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/i18n"
)

// Article states.
const (
	StateDraft     = "draft"
	StateReview    = "review"
	StatePublished = "published"
	StateArchived  = "archived"
)

// States lists the states in their order.
var States = []string{StateDraft, StateReview, StatePublished, StateArchived}

// Visibilities.
const (
	VisInternal = "internal" // agents: all, or the teams listed
	VisPublic   = "public"   // everyone, the help center
	VisOrgs     = "orgs"     // customers of the organizations listed (and agents)
)

// Visibilities lists the visibilities.
var Visibilities = []string{VisInternal, VisPublic, VisOrgs}

// Limits.
const (
	MaxTitle    = 200
	MaxSummary  = 300
	MaxBody     = 200 << 10
	MaxTags     = 20
	MaxTag      = 50
	MaxComment  = 2000
	MaxCSS      = 20 << 10
	MaxFileSize = 10 << 20
)

// Languages are the languages articles may be written in: the UI's.
func Languages() []string {
	out := make([]string, 0, len(i18n.Locales))
	for _, l := range i18n.Locales {
		out = append(out, l.Code)
	}
	return out
}

// ValidLanguage reports whether code is one of Languages.
func ValidLanguage(code string) bool { return slices.Contains(Languages(), code) }

// Article is one article with its translations.
type Article struct {
	ID             int64         `json:"id"`
	SectionID      int64         `json:"section_id"`
	SourceLanguage string        `json:"source_language"`
	OwnerID        int64         `json:"owner_id"`
	OwnerName      string        `json:"owner_name"`
	State          string        `json:"state"`
	Visibility     string        `json:"visibility"`
	Teams          []int64       `json:"team_ids"`
	Orgs           []int64       `json:"organization_ids"`
	Tags           []string      `json:"tags"`
	VerifyBy       *time.Time    `json:"verify_by"`
	CreatedAt      time.Time     `json:"created_at"`
	UpdatedAt      time.Time     `json:"updated_at"`
	PublishedAt    *time.Time    `json:"published_at"`
	Translations   []Translation `json:"translations"`
}

// Translation is an article's text in one language.
type Translation struct {
	ID            int64     `json:"id"`
	ArticleID     int64     `json:"article_id"`
	Language      string    `json:"language"`
	Title         string    `json:"title"`
	Slug          string    `json:"slug"`
	Summary       string    `json:"summary"`
	Body          string    `json:"body"`      // Markdown as written
	HTML          string    `json:"body_html"` // rendered and sanitised
	Text          string    `json:"-"`         // plain text for search and snippets
	Version       int       `json:"version"`
	SourceVersion int       `json:"source_version"`
	Outdated      bool      `json:"outdated"` // the source changed after this translation was last saved
	UpdatedBy     int64     `json:"updated_by"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// In returns the translation in lang, else in fallback, else in the
// source language, and whether one was found.
func (a Article) In(lang, fallback string) (Translation, bool) {
	for _, l := range []string{lang, fallback, a.SourceLanguage} {
		for _, t := range a.Translations {
			if t.Language == l {
				return t, true
			}
		}
	}
	if len(a.Translations) > 0 {
		return a.Translations[0], true
	}
	return Translation{}, false
}

// Source returns the translation in the source language.
func (a Article) Source() Translation {
	t, _ := a.In(a.SourceLanguage, a.SourceLanguage)
	return t
}

// Has reports whether the article has a translation in lang.
func (a Article) Has(lang string) bool {
	return slices.ContainsFunc(a.Translations, func(t Translation) bool { return t.Language == lang })
}

// Notice is a plain mail to an agent (an owner's reminder, a reader's
// comment), sent through the email outbox.
type Notice struct {
	To      []string
	Subject string
	Body    string
	Key     string // idempotency key
}

// Mailer queues a notice inside the transaction that causes it.
type Mailer interface {
	QueueKBNotice(ctx context.Context, tx *db.Tx, n Notice) error
}

// Service is the knowledge base.
type Service struct {
	db      *db.DB
	now     func() time.Time
	blobs   *blob.Store
	md      *renderer
	tr      *i18n.Translator
	log     *slog.Logger
	mailer  Mailer
	baseURL string

	deflections Deflections // requests avoided, for the knowledge report (stats.go)
	titlesReady atomic.Bool // the title vocabulary was checked (typo.go)
	counters    counters    // views and missed searches not yet written (counters.go)
}

// NewService returns the knowledge base service. blobs holds files (may be
// nil: uploads are refused); baseURL prefixes links in mails.
func NewService(d *db.DB, now func() time.Time, blobs *blob.Store, baseURL string, log *slog.Logger) (*Service, error) {
	tr, err := i18n.New()
	if err != nil {
		return nil, fmt.Errorf("kb: %w", err)
	}
	return &Service{db: d, now: now, blobs: blobs, md: newRenderer(), tr: tr, log: log, baseURL: baseURL}, nil
}

// SetMailer sets the path for owners' reminders and readers' comments;
// without one they are not sent.
func (s *Service) SetMailer(m Mailer) { s.mailer = m }

// Render turns Markdown into sanitised HTML (the editor's preview).
func (s *Service) Render(markdown string) string { return s.md.html(markdown) }

func notFound(id int64) error { return apperr.NotFound("article", id) }

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// canPublish reports whether the actor may publish and see every article.
func canPublish(a authz.Actor) bool { return authz.Can(a, authz.KBPublish) }
