package kb

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// Where an article was read or a search was made.
const (
	ChannelHelp   = "help"   // the public help center
	ChannelPortal = "portal" // a portal customer (a suggested article, a new request's words)
	ChannelAgent  = "agent"  // the agents' knowledge pages
)

// Storage limits of the knowledge report's counters.
const (
	MaxMissQuery    = 100  // characters of a normalised query kept
	MaxMissesPerDay = 1000 // distinct new queries without a result kept per day
)

// day is the UTC midnight (ms) of t: views and searches are counted per day.
func day(t time.Time) int64 {
	t = t.UTC()
	return db.Millis(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC))
}

// RecordView counts one reading of an article in a language on a channel.
// It is best effort for the caller: a reader never sees its error. The
// count is kept in memory and written by the next flush (counters.go).
func (s *Service) RecordView(ctx context.Context, articleID int64, lang, channel string) error {
	if channel != ChannelHelp && channel != ChannelPortal && channel != ChannelAgent {
		return apperr.InvalidField("channel", "must be help, portal or agent")
	}
	if !ValidLanguage(lang) {
		return apperr.InvalidField("language", "must be one of "+strings.Join(Languages(), ", "))
	}
	s.counters.addView(viewKey{article: articleID, language: lang, chann: channel, day: day(s.now())})
	return nil
}

// NormalizeQuery is how a search is kept in the content-gap list: lower
// case, words of letters and digits joined by one space, at most
// MaxMissQuery characters ("  Return  LABEL?" → "return label").
func NormalizeQuery(q string) string {
	words := strings.FieldsFunc(strings.ToLower(q), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	out := strings.Join(words, " ")
	if r := []rune(out); len(r) > MaxMissQuery {
		out = strings.TrimSpace(string(r[:MaxMissQuery]))
	}
	return out
}

// RecordSearch notes a help center or portal search that found nothing
// (found > 0 is not kept). A day keeps at most MaxMissesPerDay distinct
// queries; more are counted only if already listed. Like views, the
// count is written by the next flush (counters.go).
func (s *Service) RecordSearch(ctx context.Context, query, lang, channel string, found int) error {
	if found > 0 {
		return nil
	}
	if channel != ChannelHelp && channel != ChannelPortal {
		return apperr.InvalidField("channel", "must be help or portal")
	}
	if !ValidLanguage(lang) {
		return apperr.InvalidField("language", "must be one of "+strings.Join(Languages(), ", "))
	}
	q := NormalizeQuery(query)
	if q == "" {
		return nil
	}
	now := s.now()
	s.counters.addMiss(missKey{query: q, language: lang, chann: channel, day: day(now)}, db.Millis(now))
	return nil
}

// Deflections counts requests avoided (the portal's deflections).
type Deflections interface {
	Deflections(ctx context.Context, from, to time.Time) (int, error)
}

// SetDeflections sets where the report reads requests avoided.
func (s *Service) SetDeflections(d Deflections) { s.deflections = d }

// ReportFilter is a knowledge report's period [From, To) and language
// ("" for all).
type ReportFilter struct {
	From, To time.Time
	Language string
}

// Report is the knowledge report (docs/metrics.md, "Knowledge").
type Report struct {
	From        time.Time        `json:"from"`
	To          time.Time        `json:"to"`
	Language    string           `json:"language"`
	Totals      ArticleFigures   `json:"totals"`
	Deflections int              `json:"deflections"` // requests avoided, all languages
	Articles    []ArticleFigures `json:"articles"`
	Gaps        []SearchGap      `json:"searches_without_result"`
	Comments    []ReportComment  `json:"comments"`
}

// ArticleFigures are one article's figures in the period (or the totals,
// with ArticleID 0).
type ArticleFigures struct {
	ArticleID   int64    `json:"article_id"`
	Title       string   `json:"title"`
	HelpViews   int64    `json:"help_views"`
	PortalViews int64    `json:"portal_views"`
	AgentViews  int64    `json:"agent_views"`
	Views       int64    `json:"views"`
	Helpful     int64    `json:"helpful"`
	NotHelpful  int64    `json:"not_helpful"`
	HelpfulRate *float64 `json:"helpful_rate"` // helpful ÷ (helpful + not helpful); null without answers
	Comments    int64    `json:"comments"`
	Uses        int64    `json:"uses"`    // insertions into replies
	Tickets     int64    `json:"tickets"` // distinct tickets it was inserted on
}

// SearchGap is a normalised query that found nothing.
type SearchGap struct {
	Query    string    `json:"query"`
	Language string    `json:"language"`
	Searches int64     `json:"searches"`
	LastSeen time.Time `json:"last_seen"`
}

// ReportComment is a reader's comment in the period.
type ReportComment struct {
	ArticleID int64     `json:"article_id"`
	Title     string    `json:"title"`
	Language  string    `json:"language"`
	Helpful   bool      `json:"helpful"`
	Comment   string    `json:"comment"`
	CreatedAt time.Time `json:"created_at"`
}

// Report rows kept.
const (
	MaxReportArticles = 500
	MaxReportGaps     = 200
	MaxReportComments = 50
)

// Report computes the knowledge report for a period and language; it needs
// report.read.
func (s *Service) Report(ctx context.Context, actor authz.Actor, f ReportFilter) (Report, error) {
	if err := authz.Check(actor, authz.ReportRead); err != nil {
		return Report{}, err
	}
	if f.Language != "" && !ValidLanguage(f.Language) {
		return Report{}, apperr.InvalidField("language", "must be one of "+strings.Join(Languages(), ", "))
	}
	if f.From.IsZero() || f.To.IsZero() || !f.To.After(f.From) {
		return Report{}, apperr.InvalidField("to", "must be after from")
	}
	// What was counted but not yet written is part of the report: a view
	// just made shows (counters.go).
	if err := s.FlushCounters(ctx); err != nil {
		return Report{}, err
	}
	rep := Report{From: f.From.UTC(), To: f.To.UTC(), Language: f.Language, Articles: []ArticleFigures{}, Gaps: []SearchGap{}, Comments: []ReportComment{}}
	from, to := db.Millis(f.From), db.Millis(f.To)
	// Views are counted per UTC day: a day counts when it starts in the period.
	dfrom := day(f.From)
	if dfrom < from {
		dfrom += int64(24 * time.Hour / time.Millisecond)
	}
	langCond := func(col string) (string, []any) {
		if f.Language == "" {
			return "", nil
		}
		return " AND " + col + " = ?", []any{f.Language}
	}
	figs := map[int64]*ArticleFigures{}
	get := func(id int64) *ArticleFigures {
		if figs[id] == nil {
			figs[id] = &ArticleFigures{ArticleID: id}
		}
		return figs[id]
	}
	lc, la := langCond("language")
	if err := s.eachRow(ctx, `SELECT article_id, channel, SUM(views) FROM kb_views WHERE day >= ? AND day < ?`+lc+` GROUP BY article_id, channel`,
		append([]any{dfrom, to}, la...), func(sc func(...any) error) error {
			var id, n int64
			var ch string
			if err := sc(&id, &ch, &n); err != nil {
				return err
			}
			a := get(id)
			switch ch {
			case ChannelHelp:
				a.HelpViews += n
			case ChannelPortal:
				a.PortalViews += n
			default:
				a.AgentViews += n
			}
			a.Views += n
			return nil
		}); err != nil {
		return Report{}, err
	}
	if err := s.eachRow(ctx, `SELECT article_id, helpful, comment <> '', COUNT(*) FROM kb_feedback WHERE created_at >= ? AND created_at < ?`+lc+
		` GROUP BY article_id, helpful, comment <> ''`, append([]any{from, to}, la...), func(sc func(...any) error) error {
		var id, n int64
		var helpful, commented bool
		if err := sc(&id, &helpful, &commented, &n); err != nil {
			return err
		}
		a := get(id)
		if helpful {
			a.Helpful += n
		} else {
			a.NotHelpful += n
		}
		if commented {
			a.Comments += n
		}
		return nil
	}); err != nil {
		return Report{}, err
	}
	tc, ta := langCond("t.language")
	if err := s.eachRow(ctx, `SELECT u.article_id, COUNT(*), COUNT(DISTINCT u.ticket_id) FROM kb_usage u JOIN tickets t ON t.id = u.ticket_id
		WHERE u.created_at >= ? AND u.created_at < ?`+tc+` GROUP BY u.article_id`, append([]any{from, to}, ta...), func(sc func(...any) error) error {
		var id, n, tickets int64
		if err := sc(&id, &n, &tickets); err != nil {
			return err
		}
		a := get(id)
		a.Uses, a.Tickets = n, tickets
		return nil
	}); err != nil {
		return Report{}, err
	}
	var total int64
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(DISTINCT u.ticket_id) FROM kb_usage u JOIN tickets t ON t.id = u.ticket_id
		WHERE u.created_at >= ? AND u.created_at < ?`+tc, append([]any{from, to}, ta...)...).Scan(&total); err != nil {
		return Report{}, fmt.Errorf("kb: report: %w", err)
	}
	titles, err := s.titles(ctx, f.Language)
	if err != nil {
		return Report{}, err
	}
	t := &rep.Totals
	for id, a := range figs {
		a.Title = titles[id]
		a.HelpfulRate = rate(a.Helpful, a.NotHelpful)
		t.HelpViews, t.PortalViews, t.AgentViews, t.Views = t.HelpViews+a.HelpViews, t.PortalViews+a.PortalViews, t.AgentViews+a.AgentViews, t.Views+a.Views
		t.Helpful, t.NotHelpful, t.Comments, t.Uses = t.Helpful+a.Helpful, t.NotHelpful+a.NotHelpful, t.Comments+a.Comments, t.Uses+a.Uses
		rep.Articles = append(rep.Articles, *a)
	}
	t.Tickets = total
	t.HelpfulRate = rate(t.Helpful, t.NotHelpful)
	sort.Slice(rep.Articles, func(i, j int) bool {
		a, b := rep.Articles[i], rep.Articles[j]
		if a.Views != b.Views {
			return a.Views > b.Views
		}
		if a.Uses != b.Uses {
			return a.Uses > b.Uses
		}
		return a.ArticleID < b.ArticleID
	})
	if len(rep.Articles) > MaxReportArticles {
		rep.Articles = rep.Articles[:MaxReportArticles]
	}
	if err := s.eachRow(ctx, `SELECT query, language, SUM(searches), MAX(last_seen) FROM kb_search_misses WHERE day >= ? AND day < ?`+lc+
		` GROUP BY query, language ORDER BY SUM(searches) DESC, MAX(last_seen) DESC, query LIMIT ?`, append(append([]any{dfrom, to}, la...), MaxReportGaps), func(sc func(...any) error) error {
		var g SearchGap
		var last int64
		if err := sc(&g.Query, &g.Language, &g.Searches, &last); err != nil {
			return err
		}
		g.LastSeen = db.Time(last)
		rep.Gaps = append(rep.Gaps, g)
		return nil
	}); err != nil {
		return Report{}, err
	}
	if err := s.eachRow(ctx, `SELECT article_id, language, helpful, comment, created_at FROM kb_feedback WHERE comment <> '' AND created_at >= ? AND created_at < ?`+lc+
		` ORDER BY created_at DESC, id DESC LIMIT ?`, append(append([]any{from, to}, la...), MaxReportComments), func(sc func(...any) error) error {
		var c ReportComment
		var at int64
		if err := sc(&c.ArticleID, &c.Language, &c.Helpful, &c.Comment, &at); err != nil {
			return err
		}
		c.CreatedAt, c.Title = db.Time(at), titles[c.ArticleID]
		rep.Comments = append(rep.Comments, c)
		return nil
	}); err != nil {
		return Report{}, err
	}
	if s.deflections != nil {
		if rep.Deflections, err = s.deflections.Deflections(ctx, f.From, f.To); err != nil {
			return Report{}, err
		}
	}
	return rep, nil
}

func rate(yes, no int64) *float64 {
	if yes+no == 0 {
		return nil
	}
	r := float64(yes) / float64(yes+no)
	return &r
}

// titles are the articles' titles in lang, else in their source language.
func (s *Service) titles(ctx context.Context, lang string) (map[int64]string, error) {
	out := map[int64]string{}
	exact := map[int64]bool{}
	err := s.eachRow(ctx, `SELECT t.article_id, t.title, t.language = a.source_language, t.language = ? FROM kb_translations t JOIN kb_articles a ON a.id = t.article_id`,
		[]any{lang}, func(sc func(...any) error) error {
			var id int64
			var title string
			var source, want bool
			if err := sc(&id, &title, &source, &want); err != nil {
				return err
			}
			if _, ok := out[id]; !ok || want || (source && !exact[id]) {
				out[id] = title
				exact[id] = exact[id] || want
			}
			return nil
		})
	return out, err
}

// CountView is RecordView for pages: a failure is logged, never shown to
// the reader.
func (s *Service) CountView(ctx context.Context, articleID int64, lang, channel string) {
	if err := s.RecordView(ctx, articleID, lang, channel); err != nil {
		s.log.Warn("kb: count view", "article", articleID, "err", err)
	}
}

// CountSearch is RecordSearch for pages: a failure is logged, never shown.
func (s *Service) CountSearch(ctx context.Context, query, lang, channel string, found int) {
	if err := s.RecordSearch(ctx, query, lang, channel, found); err != nil {
		s.log.Warn("kb: count search", "err", err)
	}
}
