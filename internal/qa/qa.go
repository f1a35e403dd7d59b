// Package qa is quality assurance of agents' conversations: scorecards
// (weighted categories on binary, 1–3 or 1–5 scales, critical criteria),
// reviews of tickets scored with a scorecard, the Internal Quality Score
// (IQS) per agent and team, weekly sampling of tickets for reviewers,
// blind calibration sessions, and coaching (acknowledge, dispute, resolve,
// notes and one-to-one agendas). docs/qa.md describes the behaviour and
// docs/metrics.md defines the score and the IQS.
//
// The package reads tickets, comments' owners, CSAT answers and ticket
// events read-only to pick and describe tickets; it writes only its own
// qa_* tables.
package qa

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// Scales of a category.
const (
	ScaleBinary = "binary" // 0 fail, 1 pass
	ScaleThree  = "three"  // 1 … 3
	ScaleFive   = "five"   // 1 … 5
)

// Scales lists the scales, for forms and validation.
var Scales = []string{ScaleBinary, ScaleThree, ScaleFive}

// Range returns a scale's lowest and highest rating.
func Range(scale string) (lo, hi int) {
	switch scale {
	case ScaleThree:
		return 1, 3
	case ScaleFive:
		return 1, 5
	}
	return 0, 1
}

// Ratings lists a scale's ratings, best first (for forms).
func Ratings(scale string) []int {
	lo, hi := Range(scale)
	var out []int
	for r := hi; r >= lo; r-- {
		out = append(out, r)
	}
	return out
}

// Review kinds.
const (
	KindReview      = "review"      // counts in the IQS
	KindCalibration = "calibration" // a reviewer's blind score in a calibration session
	KindAgreed      = "agreed"      // the lead's agreed score in a calibration session
)

// Review states. A review is a draft until its reviewer submits it; the
// agent then acknowledges or disputes it, and a lead resolves a dispute.
const (
	StateDraft        = "draft"
	StateSubmitted    = "submitted"
	StateAcknowledged = "acknowledged"
	StateDisputed     = "disputed"
	StateResolved     = "resolved"
)

// Dispute resolutions.
const (
	Uphold = "upheld"   // the score stands
	Adjust = "adjusted" // the lead changed the ratings; the score is recomputed
)

// Limits.
const (
	MaxName       = 200
	MaxText       = 4000
	MaxCategories = 30
	MaxWeight     = 100
	MaxPerAgent   = 50
)

// Review events in the reviewed ticket's log: reports derive the IQS
// from them (docs/metrics.md). Only reviews of kind review are logged;
// calibration scores never count.
const (
	EvReviewed       = "qa_reviewed"        // data: review_id, score (hundredths of a percent), critical_failed, agent_id, team_id, reviewer_id
	EvReviewResolved = "qa_review_resolved" // data: review_id, resolution, score, previous_score, critical_failed
)

// Tickets records review events in a ticket's log (the ticket service).
type Tickets interface {
	RecordTx(ctx context.Context, tx *db.Tx, actor authz.Actor, ticketID int64, typ string, data map[string]any) error
}

// Service runs quality assurance.
type Service struct {
	db      *db.DB
	now     func() time.Time
	tickets Tickets // nil: reviews are not logged in tickets (no IQS facts)

	mu  sync.Mutex
	rnd *rand.Rand
}

// NewService returns the QA service.
func NewService(d *db.DB, now func() time.Time) *Service {
	return &Service{db: d, now: now, rnd: rand.New(rand.NewPCG(uint64(now().UnixNano()), 0x9e3779b97f4a7c15))}
}

// SetTickets makes submitted reviews and resolved disputes events of the
// reviewed ticket, which the IQS report facts are derived from.
func (s *Service) SetTickets(t Tickets) { s.tickets = t }

// hundredths is a 0–100 score in hundredths of a percent, as events carry it.
func hundredths(score float64) int64 { return int64(math.Round(score * 100)) }

// SetSeed makes sampling's random picks repeatable (tests).
func (s *Service) SetSeed(seed uint64) {
	s.mu.Lock()
	s.rnd = rand.New(rand.NewPCG(seed, seed^0x5bd1e995))
	s.mu.Unlock()
}

func (s *Service) shuffle(ids []int64) {
	s.mu.Lock()
	s.rnd.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	s.mu.Unlock()
}

// manages reports whether the actor runs QA (managers and admins).
func manages(a authz.Actor) bool { return authz.Can(a, authz.QAManage) }

// checkAny returns a refusal unless the actor holds one of perms.
func checkAny(a authz.Actor, perms ...authz.Perm) error {
	for _, p := range perms {
		if authz.Can(a, p) {
			return nil
		}
	}
	return authz.Check(a, authz.QARead)
}

// WeekOf returns the start of t's week: Monday 00:00 UTC.
func WeekOf(t time.Time) time.Time {
	t = t.UTC()
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	off := (int(d.Weekday()) + 6) % 7 // Monday 0 … Sunday 6
	return d.AddDate(0, 0, -off)
}

// text trims s and checks its length.
func text(fe apperr.FieldErrors, field, s string, max int, required bool) string {
	s = strings.TrimSpace(s)
	switch {
	case required && s == "":
		fe.Add(field, "is required")
	case len([]rune(s)) > max:
		fe.Add(field, "is too long")
	}
	return s
}

// inList returns "?, ?, …" for n arguments.
func inList(n int) string {
	if n == 0 {
		return "NULL"
	}
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func anys(ids []int64) []any {
	out := make([]any, len(ids))
	for i, v := range ids {
		out[i] = v
	}
	return out
}

// scanner is a row.
type scanner interface{ Scan(dest ...any) error }

func deref64(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}
