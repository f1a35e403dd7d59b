package wfm

import (
	"context"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
)

// Scenario is a what-if on a plan: the same forecast with its volume
// changed by VolumeChange percent and staffed for another target.
type Scenario struct {
	Level        float64 // percent answered within Seconds (phone, chat)
	Seconds      float64
	SLAHours     float64 // email
	VolumeChange float64 // percent, −90 to +500
}

// WhatIf makes the plan for in and, from the same forecast, the plan for
// the scenario (report.read): the volume of every interval is multiplied by
// 1 + VolumeChange/100 and the agents are worked out again for the
// scenario's service level; handle time, concurrency and shrinkage stay.
func (s *Service) WhatIf(ctx context.Context, actor authz.Actor, in PlanInput, sc Scenario) (Plan, Plan, error) {
	if err := authz.Check(actor, authz.ReportRead); err != nil {
		return Plan{}, Plan{}, err
	}
	if err := in.Validate(); err != nil {
		return Plan{}, Plan{}, err
	}
	next := in
	next.Level, next.Seconds, next.SLAHours = sc.Level, sc.Seconds, sc.SLAHours
	fe := apperr.FieldErrors{}
	if err := next.Validate(); err != nil {
		// The scenario's fields carry their own names.
		e := apperr.As(err)
		if e == nil {
			return Plan{}, Plan{}, err
		}
		for k, v := range e.Fields {
			fe.Add("what_if_"+k, v)
		}
	}
	if sc.VolumeChange < -90 || sc.VolumeChange > 500 {
		fe.Add("volume_change", "must be between -90 and 500")
	}
	if err := fe.Err(); err != nil {
		return Plan{}, Plan{}, err
	}
	cur, err := s.Plan(ctx, actor, in)
	if err != nil {
		return Plan{}, Plan{}, err
	}
	f := 1 + sc.VolumeChange/100
	days := make([]Day, len(cur.Days))
	for k, d := range cur.Days {
		days[k] = Day{Date: d.Date, Holiday: d.Holiday, Adjusted: d.Adjusted}
		for i, iv := range d.Intervals {
			days[k].Intervals[i] = iv.Volume * f
		}
	}
	alt := cur
	alt.In = next
	alt.Days = s.staff(next, days)
	return cur, alt, nil
}
