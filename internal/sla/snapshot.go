package sla

import (
	"context"
	"time"

	"github.com/ombud/ombud/internal/ticket"
)

// Snapshot is the SLA policies and calendars as they stand, for computing
// many tickets' clocks in one go (reports recompute thousands of tickets
// and must not reload the rules for each).
type Snapshot struct {
	r     *rules
	first *Calendar
}

// Snapshot loads the current rules.
func (s *Service) Snapshot(ctx context.Context) (*Snapshot, error) {
	r, err := loadRules(ctx, s.db)
	if err != nil {
		return nil, err
	}
	sn := &Snapshot{r: r, first: AlwaysOpen()}
	// The reporting calendar is the first one set up (lowest id), the same
	// one automation's "within business hours" asks.
	var firstID int64
	for id, cal := range r.calendars {
		if firstID == 0 || id < firstID {
			firstID, sn.first = id, cal
		}
	}
	return sn, nil
}

// Episodes returns every episode of every measured metric of a ticket at
// now, past ones included (State.Metrics keeps only the latest of each).
// Events moved here by a merge are ignored, as in Compute.
func (sn *Snapshot) Episodes(t ticket.Ticket, events []ticket.Event, now time.Time) []Metric {
	return sn.r.compute(t, events, now).all
}

// BusinessCalendar is the calendar business-hours reports count in: the
// first calendar created, or 24/7 when there is none.
func (sn *Snapshot) BusinessCalendar() *Calendar { return sn.first }
