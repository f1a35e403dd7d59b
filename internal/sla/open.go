package sla

import (
	"context"
	"time"

	"github.com/ombud/ombud/internal/authz"
)

// OpenNow reports whether the team is within business hours at t by the
// first business calendar (the lowest id: the one a small team sets up
// first); with no calendar every moment is business time. Automation's
// "within_business_hours" condition asks this. A calendar that cannot be
// read counts as open, so rules keep working.
func (s *Service) OpenNow(ctx context.Context, t time.Time) bool {
	cals, err := s.ListCalendars(ctx, authz.System)
	if err != nil || len(cals) == 0 {
		return true
	}
	first := cals[0]
	for _, c := range cals[1:] {
		if c.ID < first.ID {
			first = c
		}
	}
	cal, err := first.Calendar()
	if err != nil {
		return true
	}
	return cal.Elapsed(t, t.Add(time.Minute)) > 0
}
