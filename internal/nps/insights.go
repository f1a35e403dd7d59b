package nps

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/textcheck"
)

// FeedbackComment is a survey comment: a CSAT comment or an NPS reason.
type FeedbackComment struct {
	Source   string    `json:"source"` // csat or nps
	ID       int64     `json:"id"`     // csat survey or nps send
	Score    int       `json:"score"`  // CSAT 1–5 (good 5, bad 1), NPS 0–10
	Rating   string    `json:"rating"` // good/bad (CSAT), promoter/passive/detractor (NPS)
	Text     string    `json:"text"`
	Language string    `json:"language"`
	At       time.Time `json:"at"`
	Tags     []Tag     `json:"tags"`
}

// TopicStat is one topic's count in the period and per bucket.
type TopicStat struct {
	Topic    string `json:"topic"`
	Count    int    `json:"count"`
	Negative int    `json:"negative"` // on a bad CSAT rating or an NPS detractor
	Trend    []int  `json:"trend"`    // per bucket of Insights.Buckets
}

// Insights is the feedback analysis of a period: topics, their trend, NPS
// and the comments.
type Insights struct {
	From     time.Time         `json:"from"`
	To       time.Time         `json:"to"`
	Bucket   string            `json:"bucket"`
	Buckets  []time.Time       `json:"buckets"`
	NPS      Split             `json:"nps"`
	CSATN    int               `json:"csat_rated"`
	CSATGood int               `json:"csat_good"`
	Topics   []TopicStat       `json:"topics"`
	Comments []FeedbackComment `json:"comments"`
}

// MaxComments bounds the comments an insights page lists (CSV exports
// them all).
const MaxComments = 300

// Insights returns the analysis of the comments given in [f.From, f.To).
func (s *Service) Insights(ctx context.Context, actor authz.Actor, f Filter) (Insights, error) {
	if err := authz.Check(actor, authz.FeedbackRead); err != nil {
		return Insights{}, err
	}
	f, err := s.normalize(f)
	if err != nil {
		return Insights{}, err
	}
	return s.insights(ctx, f, MaxComments)
}

func (s *Service) insights(ctx context.Context, f Filter, limit int) (Insights, error) {
	in := Insights{From: f.From, To: f.To, Bucket: f.Bucket, Topics: []TopicStat{}, Comments: []FeedbackComment{}}
	for b := BucketStart(f.Bucket, f.From); b.Before(f.To); b = nextBucket(f.Bucket, b) {
		in.Buckets = append(in.Buckets, b)
	}
	from, to := db.Millis(f.From), db.Millis(f.To)
	var all []FeedbackComment
	// CSAT: ratings given in the period.
	rows, err := s.db.QueryContext(ctx, `SELECT id, score, comment, language, rated_at FROM csat_surveys WHERE rated_at >= ? AND rated_at < ? AND score > 0`, from, to)
	if err != nil {
		return Insights{}, fmt.Errorf("nps: insights csat: %w", err)
	}
	for rows.Next() {
		c := FeedbackComment{Source: SourceCSAT}
		var at int64
		if err := rows.Scan(&c.ID, &c.Score, &c.Text, &c.Language, &at); err != nil {
			rows.Close()
			return Insights{}, err
		}
		c.At, c.Rating = db.Time(at), "bad"
		if c.Score >= 4 {
			c.Rating = "good"
			in.CSATGood++
		}
		in.CSATN++
		if c.Text != "" {
			all = append(all, c)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Insights{}, err
	}
	rows, err = s.db.QueryContext(ctx, `SELECT id, score, reason, language, answered_at FROM nps_sends WHERE answered_at >= ? AND answered_at < ? AND score >= 0`, from, to)
	if err != nil {
		return Insights{}, fmt.Errorf("nps: insights nps: %w", err)
	}
	for rows.Next() {
		c := FeedbackComment{Source: SourceNPS}
		var at int64
		if err := rows.Scan(&c.ID, &c.Score, &c.Text, &c.Language, &at); err != nil {
			rows.Close()
			return Insights{}, err
		}
		c.At, c.Rating = db.Time(at), Category(c.Score)
		in.NPS.add(c.Score)
		if c.Text != "" {
			all = append(all, c)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Insights{}, err
	}
	in.NPS.finish()
	ids := map[string][]int64{}
	for _, c := range all {
		ids[c.Source] = append(ids[c.Source], c.ID)
	}
	stats := map[string]*TopicStat{}
	for _, src := range []string{SourceCSAT, SourceNPS} {
		tags, err := tagsOf(ctx, s.db, src, ids[src])
		if err != nil {
			return Insights{}, err
		}
		for i := range all {
			if all[i].Source == src {
				all[i].Tags = tags[all[i].ID]
			}
		}
	}
	for _, c := range all {
		bi := 0
		b := BucketStart(f.Bucket, c.At)
		for i, x := range in.Buckets {
			if x.Equal(b) {
				bi = i
			}
		}
		for _, t := range c.Tags {
			st := stats[t.Topic]
			if st == nil {
				st = &TopicStat{Topic: t.Topic, Trend: make([]int, len(in.Buckets))}
				stats[t.Topic] = st
			}
			st.Count++
			if c.Rating == "bad" || c.Rating == "detractor" {
				st.Negative++
			}
			if len(st.Trend) > 0 {
				st.Trend[bi]++
			}
		}
	}
	for _, st := range stats {
		in.Topics = append(in.Topics, *st)
	}
	sort.Slice(in.Topics, func(i, j int) bool {
		if in.Topics[i].Count != in.Topics[j].Count {
			return in.Topics[i].Count > in.Topics[j].Count
		}
		return in.Topics[i].Topic < in.Topics[j].Topic
	})
	sort.Slice(all, func(i, j int) bool {
		if !all[i].At.Equal(all[j].At) {
			return all[i].At.After(all[j].At)
		}
		return all[i].Source+strconv.FormatInt(all[i].ID, 10) < all[j].Source+strconv.FormatInt(all[j].ID, 10)
	})
	if limit > 0 && len(all) > limit {
		all = all[:limit]
	}
	if all != nil {
		in.Comments = all
	}
	return in, nil
}

// WriteCSV writes the comments of the insights as CSV: source, id, date,
// language, score, rating, topics, comment.
func WriteCSV(w io.Writer, in Insights) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"source", "id", "date", "language", "score", "rating", "topics", "comment"}); err != nil {
		return err
	}
	for _, c := range in.Comments {
		var topics []string
		for _, t := range c.Tags {
			topics = append(topics, t.Topic)
		}
		if err := cw.Write([]string{c.Source, strconv.FormatInt(c.ID, 10), c.At.UTC().Format(time.RFC3339), c.Language,
			strconv.Itoa(c.Score), c.Rating, strings.Join(topics, ";"), csvSafe(c.Text)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a customer's text from being read as a formula by a
// spreadsheet.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Export returns the insights with every comment of the period, for CSV.
func (s *Service) Export(ctx context.Context, actor authz.Actor, f Filter) (Insights, error) {
	if err := authz.Check(actor, authz.FeedbackRead); err != nil {
		return Insights{}, err
	}
	f, err := s.normalize(f)
	if err != nil {
		return Insights{}, err
	}
	return s.insights(ctx, f, 0)
}

// Share is a read-only link to the insights page.
type Share struct {
	ID        int64      `json:"id"`
	Label     string     `json:"label"`
	CreatedBy int64      `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at"`
	URL       string     `json:"url"` // the link (signed, so it can be shown again)
}

// Share limits.
const (
	MaxShareDays     = 365
	DefaultShareDays = 30
	sharePurpose     = "feedback-insights"
)

func (s *Service) shareToken(id int64, expires time.Time) string {
	msg := fmt.Sprintf("%d.%d", id, expires.Unix())
	return msg + "." + encodeSig(s.box.Sign(sharePurpose, []byte(msg)))
}

// ShareURL is the full URL of a share's page.
func (s *Service) ShareURL(sh Share) string {
	return s.baseURL + "/insights/" + s.shareToken(sh.ID, sh.ExpiresAt)
}

// CreateShare makes a read-only link to the insights, valid for days.
func (s *Service) CreateShare(ctx context.Context, actor authz.Actor, label string, days int) (Share, error) {
	if err := authz.Check(actor, authz.FeedbackManage); err != nil {
		return Share{}, err
	}
	label = strings.TrimSpace(label)
	fe := apperr.FieldErrors{}
	if utf8.RuneCountInString(label) > MaxName {
		fe.Add("label", fmt.Sprintf("must be at most %d characters", MaxName))
	} else if p := textcheck.Line(label); p != "" {
		fe.Add("label", p)
	}
	if days == 0 {
		days = DefaultShareDays
	}
	if days < 1 || days > MaxShareDays {
		fe.Add("days", fmt.Sprintf("must be from 1 to %d", MaxShareDays))
	}
	if err := fe.Err(); err != nil {
		return Share{}, err
	}
	now := s.now()
	// Whole seconds: the token carries the expiry in Unix seconds.
	sh := Share{Label: label, CreatedBy: actor.ID, CreatedAt: db.Time(db.Millis(now)), ExpiresAt: now.Add(time.Duration(days) * 24 * time.Hour).Truncate(time.Second).UTC()}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var err error
		if sh.ID, err = tx.InsertID(ctx, `INSERT INTO feedback_shares (label, created_by, created_at, expires_at) VALUES (?, ?, ?, ?)`,
			sh.Label, sh.CreatedBy, db.Millis(now), db.Millis(sh.ExpiresAt)); err != nil {
			return fmt.Errorf("nps: create share: %w", err)
		}
		return audit.Record(ctx, tx, now, actor, "feedback.share.create", fmt.Sprintf("feedback_share:%d", sh.ID), map[string]any{"label": label, "days": days})
	})
	if err != nil {
		return Share{}, err
	}
	sh.URL = s.ShareURL(sh)
	return sh, nil
}

// Shares lists the links, newest first.
func (s *Service) Shares(ctx context.Context, actor authz.Actor) ([]Share, error) {
	if err := authz.Check(actor, authz.FeedbackManage); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, label, created_by, created_at, expires_at, revoked_at FROM feedback_shares ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("nps: shares: %w", err)
	}
	defer rows.Close()
	out := []Share{}
	for rows.Next() {
		sh, err := scanShare(rows)
		if err != nil {
			return nil, err
		}
		sh.URL = s.ShareURL(sh)
		out = append(out, sh)
	}
	return out, rows.Err()
}

func scanShare(sc interface{ Scan(...any) error }) (Share, error) {
	var sh Share
	var created, expires int64
	var revoked sql.NullInt64
	if err := sc.Scan(&sh.ID, &sh.Label, &sh.CreatedBy, &created, &expires, &revoked); err != nil {
		return Share{}, err
	}
	sh.CreatedAt, sh.ExpiresAt = db.Time(created), db.Time(expires)
	if revoked.Valid {
		t := db.Time(revoked.Int64)
		sh.RevokedAt = &t
	}
	return sh, nil
}

// RevokeShare ends a link at once.
func (s *Service) RevokeShare(ctx context.Context, actor authz.Actor, id int64) error {
	if err := authz.Check(actor, authz.FeedbackManage); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		now := s.now()
		res, err := tx.ExecContext(ctx, `UPDATE feedback_shares SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, db.Millis(now), id)
		if err != nil {
			return fmt.Errorf("nps: revoke share %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFound("share", id)
		}
		return audit.Record(ctx, tx, now, actor, "feedback.share.revoke", fmt.Sprintf("feedback_share:%d", id), nil)
	})
}

// errShareGone refuses a revoked or expired link.
var errShareGone = apperr.Unprocessable("token", "This link was revoked or has expired.")

// IsShareGone reports whether err refuses a revoked or expired share link.
func IsShareGone(err error) bool { return err == errShareGone }

// SharedInsights verifies a share link and returns the insights it shows
// (the period f, read-only). Errors: invalid (not a valid link),
// IsShareGone (revoked or expired).
func (s *Service) SharedInsights(ctx context.Context, token string, f Filter, all bool) (Share, Insights, error) {
	parts, ok := s.verifySigned(sharePurpose, token, 2)
	if !ok {
		return Share{}, Insights{}, apperr.InvalidField("token", "is not a valid link")
	}
	id, err1 := strconv.ParseInt(parts[0], 10, 64)
	if err1 != nil {
		return Share{}, Insights{}, apperr.InvalidField("token", "is not a valid link")
	}
	sh, err := scanShare(s.db.QueryRowContext(ctx, `SELECT id, label, created_by, created_at, expires_at, revoked_at FROM feedback_shares WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Share{}, Insights{}, errShareGone
	}
	if err != nil {
		return Share{}, Insights{}, fmt.Errorf("nps: share %d: %w", id, err)
	}
	if sh.RevokedAt != nil || !s.now().Before(sh.ExpiresAt) || parts[1] != strconv.FormatInt(sh.ExpiresAt.Unix(), 10) {
		return Share{}, Insights{}, errShareGone
	}
	f, err = s.normalize(f)
	if err != nil {
		return Share{}, Insights{}, err
	}
	limit := MaxComments
	if all {
		limit = 0
	}
	in, err := s.insights(ctx, f, limit)
	return sh, in, err
}
