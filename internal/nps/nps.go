// Package nps runs Net Promoter Score campaigns and the analysis of
// customer feedback. A manager defines a campaign: a segment of customers
// (organization, a tag on their tickets, last contact, language), a
// schedule (once, or every N days) and the question in each language. A
// job sends every selected customer a mail with eleven signed links (0–10)
// to a public page where they confirm a score and give a reason; answers
// can change while the link lasts. Nobody is surveyed more often than the
// throttle interval, across all campaigns.
//
// Feedback analysis (topics.go, insights.go) tags survey comments — CSAT
// comments and NPS reasons — by topic: by hand, or by keyword rules per
// language applied when an answer arrives. The insights page can be shared
// read-only through a signed, revocable link. docs/feedback.md describes
// the behaviour, docs/metrics.md the definitions.
package nps

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/secret"
	"github.com/ombud/ombud/internal/textcheck"
)

// Limits.
const (
	MaxName         = 200
	MaxQuestion     = 500
	MaxReason       = 2000
	MaxDays         = 3650
	DefaultThrottle = 90
)

// DefaultQuestion is the catalog key of the question when a campaign has
// none in the customer's language.
const DefaultQuestion = "How likely is it that you would recommend us to a friend or colleague?"

// Category names a score: promoter (9–10), passive (7–8), detractor (0–6).
func Category(score int) string {
	switch {
	case score >= 9:
		return "promoter"
	case score >= 7:
		return "passive"
	case score >= 0:
		return "detractor"
	}
	return ""
}

// Settings are the NPS settings (one row).
type Settings struct {
	// ThrottleDays: nobody gets an NPS survey if they got one, from any
	// campaign, in this many days (0: no limit).
	ThrottleDays int       `json:"throttle_days"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Segment selects the customers a campaign surveys; empty parts select all.
type Segment struct {
	OrganizationID int64  `json:"organization_id"` // 0: any
	Tag            string `json:"tag"`             // a tag on one of their tickets
	ContactDays    int    `json:"contact_days"`    // a ticket of theirs changed in the last N days (0: any)
	Language       string `json:"language"`        // their language (en, nb, sv, da, sl; "": any)
}

// Campaign is one NPS campaign.
type Campaign struct {
	ID         int64             `json:"id"`
	Name       string            `json:"name"`
	Active     bool              `json:"active"`
	Segment    Segment           `json:"segment"`
	StartAt    time.Time         `json:"start_at"`
	RepeatDays int               `json:"repeat_days"` // 0: once
	NextRunAt  *time.Time        `json:"next_run_at"` // null: nothing more scheduled
	LastRunAt  *time.Time        `json:"last_run_at"`
	Questions  map[string]string `json:"questions"` // language → question
	Sent       int               `json:"sent"`
	Answered   int               `json:"answered"`
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`
}

// CampaignInput creates a campaign. StartAt zero means now.
type CampaignInput struct {
	Name       string            `json:"name"`
	Active     *bool             `json:"active"` // default true
	Segment    Segment           `json:"segment"`
	StartAt    time.Time         `json:"start_at"`
	RepeatDays int               `json:"repeat_days"`
	Questions  map[string]string `json:"questions"`
}

// CampaignPatch changes a campaign; absent fields stay.
type CampaignPatch struct {
	Name       *string           `json:"name"`
	Active     *bool             `json:"active"`
	Segment    *Segment          `json:"segment"`
	StartAt    *time.Time        `json:"start_at"`
	RepeatDays *int              `json:"repeat_days"`
	Questions  map[string]string `json:"questions"` // replaces all questions when present
}

// Mail is one survey message for the outbound mail path.
type Mail struct {
	SendID  int64
	To      string
	Subject string
	Text    string
	HTML    string
	Key     string // idempotency key
}

// Mailer queues a survey mail inside the transaction that records the send.
type Mailer interface {
	QueueNPS(ctx context.Context, tx *db.Tx, m Mail) error
}

// Service runs campaigns, answers, reports and feedback analysis.
type Service struct {
	db      *db.DB
	now     func() time.Time
	box     *secret.Box
	tr      *i18n.Translator
	log     *slog.Logger
	baseURL string
	mailer  Mailer
	wake    func()
	facts   Facts // nil: no report facts
}

// Facts is told of every send and answer inside its transaction, so the
// report's NPS facts follow (the report service).
type Facts interface {
	NPSSend(ctx context.Context, tx *db.Tx, sendID int64) error
}

// SetFacts makes sends and answers mark the report's NPS facts stale.
func (s *Service) SetFacts(f Facts) { s.facts = f }

func (s *Service) sendChanged(ctx context.Context, tx *db.Tx, id int64) error {
	if s.facts == nil {
		return nil
	}
	return s.facts.NPSSend(ctx, tx, id)
}

// NewService returns the service. box signs the links; baseURL is where
// customers and collaborators reach Ombud.
func NewService(d *db.DB, now func() time.Time, box *secret.Box, baseURL string, log *slog.Logger) (*Service, error) {
	tr, err := i18n.New()
	if err != nil {
		return nil, fmt.Errorf("nps: %w", err)
	}
	return &Service{db: d, now: now, box: box, tr: tr, log: log, baseURL: strings.TrimRight(baseURL, "/")}, nil
}

// SetMailer sets the outbound path of survey mail; wake (may be nil) makes
// the job runner look for due jobs at once.
func (s *Service) SetMailer(m Mailer, wake func()) { s.mailer, s.wake = m, wake }

// Settings returns the settings.
func (s *Service) Settings(ctx context.Context, actor authz.Actor) (Settings, error) {
	if err := authz.Check(actor, authz.FeedbackRead); err != nil {
		return Settings{}, err
	}
	return loadSettings(ctx, s.db)
}

func loadSettings(ctx context.Context, q db.Querier) (Settings, error) {
	st := Settings{ThrottleDays: DefaultThrottle}
	var updated int64
	err := q.QueryRowContext(ctx, `SELECT throttle_days, updated_at FROM nps_settings WHERE id = 1`).Scan(&st.ThrottleDays, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("nps: settings: %w", err)
	}
	st.UpdatedAt = db.Time(updated)
	return st, nil
}

// SaveSettings validates and stores the settings, with an audit row.
func (s *Service) SaveSettings(ctx context.Context, actor authz.Actor, in Settings) (Settings, error) {
	if err := authz.Check(actor, authz.FeedbackManage); err != nil {
		return Settings{}, err
	}
	if in.ThrottleDays < 0 || in.ThrottleDays > MaxDays {
		return Settings{}, apperr.InvalidField("throttle_days", fmt.Sprintf("must be from 0 to %d days", MaxDays))
	}
	in.UpdatedAt = db.Time(db.Millis(s.now()))
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO nps_settings (id, throttle_days, updated_at) VALUES (1, ?, ?)
			ON CONFLICT (id) DO UPDATE SET throttle_days = excluded.throttle_days, updated_at = excluded.updated_at`,
			in.ThrottleDays, db.Millis(in.UpdatedAt)); err != nil {
			return fmt.Errorf("nps: save settings: %w", err)
		}
		return audit.Record(ctx, tx, s.now(), actor, "nps.settings", "nps", map[string]any{"throttle_days": in.ThrottleDays})
	})
	if err != nil {
		return Settings{}, err
	}
	return in, nil
}

func validLang(code string) bool {
	return slices.ContainsFunc(i18n.Locales, func(l i18n.Locale) bool { return l.Code == code })
}

// normTag is a tag as tickets store it.
func normTag(t string) string { return strings.ToLower(strings.TrimSpace(t)) }

// validate checks a campaign and normalises it in place.
func (s *Service) validate(ctx context.Context, q db.Querier, c *Campaign) error {
	fe := apperr.FieldErrors{}
	c.Name = strings.TrimSpace(c.Name)
	switch {
	case c.Name == "":
		fe.Add("name", "is required")
	case utf8.RuneCountInString(c.Name) > MaxName:
		fe.Add("name", fmt.Sprintf("must be at most %d characters", MaxName))
	}
	if p := textcheck.Line(c.Name); p != "" {
		fe.Add("name", p)
	}
	c.Segment.Tag = normTag(c.Segment.Tag)
	if p := textcheck.Line(c.Segment.Tag); p != "" {
		fe.Add("segment.tag", p)
	}
	if len(c.Segment.Tag) > 100 || strings.ContainsAny(c.Segment.Tag, " \t,") {
		fe.Add("segment.tag", "must be one tag of at most 100 characters")
	}
	if c.Segment.ContactDays < 0 || c.Segment.ContactDays > MaxDays {
		fe.Add("segment.contact_days", fmt.Sprintf("must be from 0 to %d days", MaxDays))
	}
	if c.Segment.Language != "" && !validLang(c.Segment.Language) {
		fe.Add("segment.language", "must be one of en, nb, sv, da, sl")
	}
	if c.Segment.OrganizationID < 0 {
		fe.Add("segment.organization_id", "must be an organization id")
	} else if c.Segment.OrganizationID > 0 {
		var n int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM organizations WHERE id = ?`, c.Segment.OrganizationID).Scan(&n); err != nil {
			return fmt.Errorf("nps: organization: %w", err)
		}
		if n == 0 {
			fe.Add("segment.organization_id", "no such organization")
		}
	}
	if c.RepeatDays < 0 || c.RepeatDays > MaxDays {
		fe.Add("repeat_days", fmt.Sprintf("must be from 0 (once) to %d days", MaxDays))
	}
	qs := map[string]string{}
	if fe.MaxItems("questions", len(c.Questions), len(i18n.Locales)) {
		c.Questions = nil // refused whole: not worth reading
	}
	for lang, text := range c.Questions {
		text = strings.TrimSpace(text)
		switch {
		case !validLang(lang):
			fe.Add("questions."+lang, "must be a language of en, nb, sv, da, sl")
		case utf8.RuneCountInString(text) > MaxQuestion:
			fe.Add("questions."+lang, fmt.Sprintf("must be at most %d characters", MaxQuestion))
		case textcheck.Line(text) != "":
			fe.Add("questions."+lang, textcheck.Line(text))
		case text != "":
			qs[lang] = text
		}
	}
	c.Questions = qs
	return fe.Err()
}

const campaignCols = `c.id, c.name, c.active, c.organization_id, c.tag, c.contact_days, c.language, c.start_at, c.repeat_days,
	c.next_run_at, c.last_run_at, c.questions, c.created_at, c.updated_at,
	(SELECT COUNT(*) FROM nps_sends s WHERE s.campaign_id = c.id), (SELECT COUNT(*) FROM nps_sends s WHERE s.campaign_id = c.id AND s.score >= 0)`

func scanCampaign(sc interface{ Scan(...any) error }) (Campaign, error) {
	var c Campaign
	var start, created, updated int64
	var next, last sql.NullInt64
	var qs string
	if err := sc.Scan(&c.ID, &c.Name, &c.Active, &c.Segment.OrganizationID, &c.Segment.Tag, &c.Segment.ContactDays, &c.Segment.Language,
		&start, &c.RepeatDays, &next, &last, &qs, &created, &updated, &c.Sent, &c.Answered); err != nil {
		return Campaign{}, err
	}
	c.StartAt, c.CreatedAt, c.UpdatedAt = db.Time(start), db.Time(created), db.Time(updated)
	if next.Valid {
		t := db.Time(next.Int64)
		c.NextRunAt = &t
	}
	if last.Valid {
		t := db.Time(last.Int64)
		c.LastRunAt = &t
	}
	c.Questions = map[string]string{}
	if err := json.Unmarshal([]byte(qs), &c.Questions); err != nil {
		return Campaign{}, fmt.Errorf("nps: campaign %d questions: %w", c.ID, err)
	}
	return c, nil
}

func getCampaign(ctx context.Context, q db.Querier, id int64) (Campaign, error) {
	c, err := scanCampaign(q.QueryRowContext(ctx, `SELECT `+campaignCols+` FROM nps_campaigns c WHERE c.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Campaign{}, apperr.NotFound("campaign", id)
	}
	if err != nil {
		return Campaign{}, fmt.Errorf("nps: campaign %d: %w", id, err)
	}
	return c, nil
}

// Campaigns lists every campaign, newest first.
func (s *Service) Campaigns(ctx context.Context, actor authz.Actor) ([]Campaign, error) {
	if err := authz.Check(actor, authz.FeedbackRead); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+campaignCols+` FROM nps_campaigns c ORDER BY c.id DESC`)
	if err != nil {
		return nil, fmt.Errorf("nps: campaigns: %w", err)
	}
	defer rows.Close()
	out := []Campaign{}
	for rows.Next() {
		c, err := scanCampaign(rows)
		if err != nil {
			return nil, fmt.Errorf("nps: campaigns: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Campaign returns one campaign.
func (s *Service) Campaign(ctx context.Context, actor authz.Actor, id int64) (Campaign, error) {
	if err := authz.Check(actor, authz.FeedbackRead); err != nil {
		return Campaign{}, err
	}
	return getCampaign(ctx, s.db, id)
}

// CreateCampaign validates and stores a campaign; its first run is due at
// StartAt (at once when that is now or past).
func (s *Service) CreateCampaign(ctx context.Context, actor authz.Actor, in CampaignInput) (Campaign, error) {
	if err := authz.Check(actor, authz.FeedbackManage); err != nil {
		return Campaign{}, err
	}
	if len(in.Questions) > len(i18n.Locales) {
		return Campaign{}, apperr.InvalidField("questions", apperr.TooMany(len(i18n.Locales)))
	}
	now := s.now()
	c := Campaign{Name: in.Name, Active: in.Active == nil || *in.Active, Segment: in.Segment, StartAt: in.StartAt, RepeatDays: in.RepeatDays, Questions: in.Questions}
	if c.StartAt.IsZero() {
		c.StartAt = now
	}
	var id int64
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		if err := s.validate(ctx, tx, &c); err != nil {
			return err
		}
		qs, _ := json.Marshal(c.Questions)
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO nps_campaigns (name, active, organization_id, tag, contact_days, language, start_at, repeat_days, next_run_at, questions, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.Name, c.Active, c.Segment.OrganizationID, c.Segment.Tag, c.Segment.ContactDays, c.Segment.Language, db.Millis(c.StartAt), c.RepeatDays,
			db.Millis(c.StartAt), string(qs), actor.ID, db.Millis(now), db.Millis(now))
		if err != nil {
			return fmt.Errorf("nps: create campaign: %w", err)
		}
		if err := s.scheduleIfDue(ctx, tx, id, c.Active, c.StartAt); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, actor, "nps.campaign.create", fmt.Sprintf("nps_campaign:%d", id), map[string]any{"name": c.Name})
	})
	if err != nil {
		return Campaign{}, err
	}
	return getCampaign(ctx, s.db, id)
}

// UpdateCampaign changes a campaign. A new start or interval reschedules
// it: the next run is the start unless the campaign already ran since,
// else one interval after the last run (nothing for a one-off).
func (s *Service) UpdateCampaign(ctx context.Context, actor authz.Actor, id int64, p CampaignPatch) (Campaign, error) {
	if err := authz.Check(actor, authz.FeedbackManage); err != nil {
		return Campaign{}, err
	}
	if len(p.Questions) > len(i18n.Locales) {
		return Campaign{}, apperr.InvalidField("questions", apperr.TooMany(len(i18n.Locales)))
	}
	now := s.now()
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		c, err := getCampaign(ctx, tx, id)
		if err != nil {
			return err
		}
		resched := false
		if p.Name != nil {
			c.Name = *p.Name
		}
		if p.Active != nil {
			c.Active = *p.Active
		}
		if p.Segment != nil {
			c.Segment = *p.Segment
		}
		if p.StartAt != nil && !p.StartAt.Equal(c.StartAt) {
			c.StartAt, resched = *p.StartAt, true
		}
		if p.RepeatDays != nil && *p.RepeatDays != c.RepeatDays {
			c.RepeatDays, resched = *p.RepeatDays, true
		}
		if p.Questions != nil {
			c.Questions = p.Questions
		}
		if err := s.validate(ctx, tx, &c); err != nil {
			return err
		}
		next := db.NullMillis(time.Time{})
		if c.NextRunAt != nil {
			next = db.NullMillis(*c.NextRunAt)
		}
		if resched {
			switch {
			case c.LastRunAt == nil || c.StartAt.After(*c.LastRunAt):
				next = db.NullMillis(c.StartAt)
			case c.RepeatDays > 0:
				next = db.NullMillis(c.LastRunAt.Add(time.Duration(c.RepeatDays) * 24 * time.Hour))
			default:
				next = sql.NullInt64{}
			}
		}
		qs, _ := json.Marshal(c.Questions)
		if _, err := tx.ExecContext(ctx, `UPDATE nps_campaigns SET name = ?, active = ?, organization_id = ?, tag = ?, contact_days = ?, language = ?,
			start_at = ?, repeat_days = ?, next_run_at = ?, questions = ?, updated_at = ? WHERE id = ?`,
			c.Name, c.Active, c.Segment.OrganizationID, c.Segment.Tag, c.Segment.ContactDays, c.Segment.Language,
			db.Millis(c.StartAt), c.RepeatDays, next, string(qs), db.Millis(now), id); err != nil {
			return fmt.Errorf("nps: update campaign %d: %w", id, err)
		}
		if next.Valid {
			if err := s.scheduleIfDue(ctx, tx, id, c.Active, db.Time(next.Int64)); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, now, actor, "nps.campaign.update", fmt.Sprintf("nps_campaign:%d", id), map[string]any{"name": c.Name, "active": c.Active})
	})
	if err != nil {
		return Campaign{}, err
	}
	return getCampaign(ctx, s.db, id)
}

// RunNow makes an active campaign's next run due now (a manager's "send
// now"); the throttle still applies.
func (s *Service) RunNow(ctx context.Context, actor authz.Actor, id int64) (Campaign, error) {
	if err := authz.Check(actor, authz.FeedbackManage); err != nil {
		return Campaign{}, err
	}
	now := s.now()
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		c, err := getCampaign(ctx, tx, id)
		if err != nil {
			return err
		}
		if !c.Active {
			return apperr.Unprocessable("active", "The campaign is paused: switch it on first.")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE nps_campaigns SET next_run_at = ? WHERE id = ?`, db.Millis(now), id); err != nil {
			return fmt.Errorf("nps: run campaign %d: %w", id, err)
		}
		if err := s.scheduleIfDue(ctx, tx, id, true, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, actor, "nps.campaign.run", fmt.Sprintf("nps_campaign:%d", id), nil)
	})
	if err != nil {
		return Campaign{}, err
	}
	return getCampaign(ctx, s.db, id)
}
