package nps

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// Filter narrows the results: answers given in [From, To), optionally of
// one campaign, organization or language. Bucket is "week" (weeks start
// on Monday, UTC) or "month".
type Filter struct {
	From           time.Time `json:"from"`
	To             time.Time `json:"to"`
	CampaignID     int64     `json:"campaign_id"`
	OrganizationID int64     `json:"organization_id"`
	Language       string    `json:"language"`
	Bucket         string    `json:"bucket"`
}

// Split is the answers of a group: counts, shares in percent and the NPS.
type Split struct {
	Responses    int     `json:"responses"`
	Promoters    int     `json:"promoters"`
	Passives     int     `json:"passives"`
	Detractors   int     `json:"detractors"`
	PromoterPct  float64 `json:"promoter_pct"`
	PassivePct   float64 `json:"passive_pct"`
	DetractorPct float64 `json:"detractor_pct"`
	NPS          float64 `json:"nps"` // −100 … 100; 0 with no responses
	HasResponses bool    `json:"has_responses"`
	ScoreCounts  [11]int `json:"score_counts"`
}

func (s *Split) add(score int) {
	s.Responses++
	s.ScoreCounts[score]++
	switch Category(score) {
	case "promoter":
		s.Promoters++
	case "passive":
		s.Passives++
	default:
		s.Detractors++
	}
}

// finish computes the shares: NPS = % promoters − % detractors, one
// decimal.
func (s *Split) finish() {
	if s.Responses == 0 {
		return
	}
	s.HasResponses = true
	pct := func(n int) float64 { return round1(100 * float64(n) / float64(s.Responses)) }
	s.PromoterPct, s.PassivePct, s.DetractorPct = pct(s.Promoters), pct(s.Passives), pct(s.Detractors)
	s.NPS = round1(100 * float64(s.Promoters-s.Detractors) / float64(s.Responses))
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// Bucket is one week or month of the trend.
type Bucket struct {
	Start time.Time `json:"start"`
	Split
}

// SegmentRow is the split of one organization or language.
type SegmentRow struct {
	Key  string `json:"key"` // organization id or language code
	Name string `json:"name"`
	Split
}

// Verbatim is an answer with a reason.
type Verbatim struct {
	SendID       int64     `json:"send_id"`
	CampaignID   int64     `json:"campaign_id"`
	Score        int       `json:"score"`
	Category     string    `json:"category"`
	Reason       string    `json:"reason"`
	Language     string    `json:"language"`
	Organization string    `json:"organization"`
	AnsweredAt   time.Time `json:"answered_at"`
	Tags         []Tag     `json:"tags"`
}

// Results are the NPS figures of a filter.
type Results struct {
	Filter         Filter       `json:"filter"`
	Summary        Split        `json:"summary"`
	Sent           int          `json:"sent"`          // sends in the period
	Answered       int          `json:"answered"`      // of those, answered (by now)
	ResponseRate   float64      `json:"response_rate"` // answered / sent, percent
	Trend          []Bucket     `json:"trend"`
	ByOrganization []SegmentRow `json:"by_organization"`
	ByLanguage     []SegmentRow `json:"by_language"`
	Verbatims      []Verbatim   `json:"verbatims"`
}

// MaxVerbatims bounds the reasons listed in results.
const MaxVerbatims = 200

// BucketStart is the start of the week (Monday) or month holding t, UTC.
func BucketStart(bucket string, t time.Time) time.Time {
	t = t.UTC()
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	if bucket == "month" {
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

func nextBucket(bucket string, t time.Time) time.Time {
	if bucket == "month" {
		return t.AddDate(0, 1, 0)
	}
	return t.AddDate(0, 0, 7)
}

// normalize checks and completes a filter: the default period is the 90
// days before now, the default bucket the week.
func (s *Service) normalize(f Filter) (Filter, error) {
	fe := apperr.FieldErrors{}
	if f.To.IsZero() {
		f.To = s.now()
	}
	if f.From.IsZero() {
		f.From = f.To.AddDate(0, 0, -90)
	}
	if !f.From.Before(f.To) {
		fe.Add("from", "must be before to")
	} else if f.To.Sub(f.From) > 3*366*24*time.Hour {
		fe.Add("from", "the period may be at most three years")
	}
	if f.Bucket == "" {
		f.Bucket = "week"
	}
	if f.Bucket != "week" && f.Bucket != "month" {
		fe.Add("bucket", "must be week or month")
	}
	if f.Language != "" && !validLang(f.Language) {
		fe.Add("language", "must be one of en, nb, sv, da, sl")
	}
	if f.OrganizationID < 0 {
		fe.Add("organization_id", "must be an organization id")
	}
	if f.CampaignID < 0 {
		fe.Add("campaign_id", "must be a campaign id")
	}
	return f, fe.Err()
}

func (f Filter) where(timeCol string) (string, []any) {
	w := ` WHERE s.` + timeCol + ` >= ? AND s.` + timeCol + ` < ?`
	args := []any{db.Millis(f.From), db.Millis(f.To)}
	if f.CampaignID > 0 {
		w += ` AND s.campaign_id = ?`
		args = append(args, f.CampaignID)
	}
	if f.OrganizationID > 0 {
		w += ` AND s.organization_id = ?`
		args = append(args, f.OrganizationID)
	}
	if f.Language != "" {
		w += ` AND s.language = ?`
		args = append(args, f.Language)
	}
	return w, args
}

// Results computes the NPS of the answers given in the period: each send
// counts once, with its latest score, in the bucket of its latest answer.
func (s *Service) Results(ctx context.Context, actor authz.Actor, f Filter) (Results, error) {
	if err := authz.Check(actor, authz.FeedbackRead); err != nil {
		return Results{}, err
	}
	f, err := s.normalize(f)
	if err != nil {
		return Results{}, err
	}
	res := Results{Filter: f, Trend: []Bucket{}, ByOrganization: []SegmentRow{}, ByLanguage: []SegmentRow{}, Verbatims: []Verbatim{}}
	w, args := f.where("answered_at")
	rows, err := s.db.QueryContext(ctx, `SELECT s.id, s.campaign_id, s.score, s.reason, s.language, s.organization_id, COALESCE(o.name, ''), s.answered_at
		FROM nps_sends s LEFT JOIN organizations o ON o.id = s.organization_id`+w+` AND s.score >= 0 ORDER BY s.answered_at DESC, s.id DESC`, args...)
	if err != nil {
		return Results{}, fmt.Errorf("nps: results: %w", err)
	}
	buckets := map[time.Time]*Split{}
	orgs := map[int64]*SegmentRow{}
	langs := map[string]*SegmentRow{}
	var verbIDs []int64
	for rows.Next() {
		var v Verbatim
		var org int64
		var at int64
		if err := rows.Scan(&v.SendID, &v.CampaignID, &v.Score, &v.Reason, &v.Language, &org, &v.Organization, &at); err != nil {
			rows.Close()
			return Results{}, fmt.Errorf("nps: results: %w", err)
		}
		v.AnsweredAt, v.Category = db.Time(at), Category(v.Score)
		res.Summary.add(v.Score)
		b := BucketStart(f.Bucket, v.AnsweredAt)
		if buckets[b] == nil {
			buckets[b] = &Split{}
		}
		buckets[b].add(v.Score)
		if orgs[org] == nil {
			orgs[org] = &SegmentRow{Key: fmt.Sprint(org), Name: v.Organization}
		}
		orgs[org].add(v.Score)
		if langs[v.Language] == nil {
			langs[v.Language] = &SegmentRow{Key: v.Language, Name: v.Language}
		}
		langs[v.Language].add(v.Score)
		if v.Reason != "" && len(res.Verbatims) < MaxVerbatims {
			res.Verbatims = append(res.Verbatims, v)
			verbIDs = append(verbIDs, v.SendID)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Results{}, err
	}
	res.Summary.finish()
	for b := BucketStart(f.Bucket, f.From); b.Before(f.To); b = nextBucket(f.Bucket, b) {
		sp := Split{}
		if x := buckets[b]; x != nil {
			sp = *x
		}
		sp.finish()
		res.Trend = append(res.Trend, Bucket{Start: b, Split: sp})
	}
	for _, r := range orgs {
		r.finish()
		res.ByOrganization = append(res.ByOrganization, *r)
	}
	for _, r := range langs {
		r.finish()
		res.ByLanguage = append(res.ByLanguage, *r)
	}
	bySize := func(rs []SegmentRow) {
		sort.Slice(rs, func(i, j int) bool {
			if rs[i].Responses != rs[j].Responses {
				return rs[i].Responses > rs[j].Responses
			}
			return rs[i].Key < rs[j].Key
		})
	}
	bySize(res.ByOrganization)
	bySize(res.ByLanguage)
	tags, err := tagsOf(ctx, s.db, SourceNPS, verbIDs)
	if err != nil {
		return Results{}, err
	}
	for i := range res.Verbatims {
		res.Verbatims[i].Tags = tags[res.Verbatims[i].SendID]
	}
	// Response rate: of the surveys sent in the period, how many have an
	// answer now.
	ws, sargs := f.where("sent_at")
	var answered sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*), SUM(CASE WHEN s.score >= 0 THEN 1 ELSE 0 END) FROM nps_sends s`+ws, sargs...).Scan(&res.Sent, &answered); err != nil {
		return Results{}, fmt.Errorf("nps: response rate: %w", err)
	}
	res.Answered = int(answered.Int64)
	if res.Sent > 0 {
		res.ResponseRate = round1(100 * float64(res.Answered) / float64(res.Sent))
	}
	return res, nil
}
