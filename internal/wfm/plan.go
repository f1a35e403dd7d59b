package wfm

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
)

// PlanInput asks for a staffing plan.
type PlanInput struct {
	Channel     string
	Weeks       int     // weeks ahead, 1–6
	AHT         float64 // average handle time, seconds
	Level       float64 // service level, percent answered within Seconds (phone, chat)
	Seconds     float64 // service level time, seconds
	SLAHours    float64 // email: answered within this many hours
	Concurrency int     // chat: parallel chats per agent
	Shrinkage   float64 // percent of paid time not available
}

// HistoryWeeks is how much history a plan reads: 8 weeks to fit and 4 more
// to back-test the fit on.
const HistoryWeeks = 12

// PlanInterval is one 30-minute interval of a plan.
type PlanInterval struct {
	Start     string // HH:MM local
	Volume    float64
	Required  int
	Scheduled int
}

// PlanDay is one day of a plan.
type PlanDay struct {
	Date                    time.Time
	Holiday                 bool
	Adjusted                float64
	Volume                  float64
	PeakRequired, PeakSched int
	AgentHours              float64 // scheduled agent-hours
	Intervals               []PlanInterval
}

// Plan is the forecast and the staff it needs.
type Plan struct {
	In       PlanInput
	Zone     string
	Accuracy Accuracy
	// Trust is how far to trust the forecast, from the back-test's daily
	// MAPE: "good" (≤ 10 %), "fair" (≤ 25 %), "poor", or "none" when there
	// is not enough history to test.
	Trust       string
	Days        []PlanDay
	Adjustments []StoredAdjustment
}

// Validate checks a plan request.
func (in PlanInput) Validate() error {
	fe := apperr.FieldErrors{}
	if !slices.Contains(Channels, in.Channel) {
		fe.Add("channel", "is not a channel")
	}
	if in.Weeks < 1 || in.Weeks > 6 {
		fe.Add("weeks", "must be between 1 and 6")
	}
	if in.AHT < 1 || in.AHT > 86400 {
		fe.Add("aht", "must be between 1 and 86400 seconds")
	}
	if in.Shrinkage < 0 || in.Shrinkage > 90 {
		fe.Add("shrinkage", "must be between 0 and 90")
	}
	if in.Channel == "email" {
		if in.SLAHours <= 0 || in.SLAHours > 24*14 {
			fe.Add("sla_hours", "must be between 0 and 336 hours")
		}
	} else {
		if in.Level <= 0 || in.Level >= 100 {
			fe.Add("level", "must be between 0 and 100")
		}
		if in.Seconds < 1 || in.Seconds > 3600 {
			fe.Add("seconds", "must be between 1 and 3600 seconds")
		}
	}
	if in.Concurrency < 0 || in.Concurrency > 10 {
		fe.Add("concurrency", "must be between 1 and 10")
	}
	return fe.Err()
}

// Plan forecasts the channel's volume from today (in the first business
// calendar's zone) for in.Weeks weeks and the agents each interval needs
// (report.read).
func (s *Service) Plan(ctx context.Context, actor authz.Actor, in PlanInput) (Plan, error) {
	if err := authz.Check(actor, authz.ReportRead); err != nil {
		return Plan{}, err
	}
	if err := in.Validate(); err != nil {
		return Plan{}, err
	}
	loc, holiday, zone, err := s.calendar(ctx, actor)
	if err != nil {
		return Plan{}, err
	}
	now := s.now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	hist, err := s.History(ctx, in.Channel, loc, addDays(today, -7*HistoryWeeks), 7*HistoryWeeks)
	if err != nil {
		return Plan{}, err
	}
	opts := Options{Weeks: 8, Holiday: holiday, HolidayFactor: DefaultHolidayFactor}
	stored, err := s.Adjustments(ctx, actor, in.Channel, today)
	if err != nil {
		return Plan{}, err
	}
	adj := make([]Adjustment, 0, len(stored))
	for _, a := range stored {
		f, _ := time.Parse(time.DateOnly, a.From)
		t, _ := time.Parse(time.DateOnly, a.To)
		adj = append(adj, Adjustment{From: f, To: t, Percent: float64(a.Percent)})
	}
	p := Plan{In: in, Zone: zone, Adjustments: stored}
	p.Accuracy = Backtest(hist, opts, 4)
	switch {
	case p.Accuracy.Weeks == 0 || p.Accuracy.DailyMAPE == 0 && p.Accuracy.MAPE == 0:
		p.Trust = "none"
	case p.Accuracy.DailyMAPE <= 10:
		p.Trust = "good"
	case p.Accuracy.DailyMAPE <= 25:
		p.Trust = "fair"
	default:
		p.Trust = "poor"
	}
	days := Fit(hist, opts).Forecast(today, 7*in.Weeks, adj)
	p.Days = s.staff(in, days)
	return p, nil
}

// staff turns forecast days into required and scheduled agents.
func (s *Service) staff(in PlanInput, days []Day) []PlanDay {
	out := make([]PlanDay, len(days))
	var emailReq []int
	if in.Channel == "email" {
		all := make([]float64, 0, len(days)*Slots)
		for _, d := range days {
			all = append(all, d.Intervals[:]...)
		}
		emailReq = BacklogStaffing(all, SlotSeconds, in.AHT, in.SLAHours*3600)
	}
	aht := in.AHT
	if in.Channel == "chat" {
		aht = ChatAHT(in.AHT, in.Concurrency)
	}
	target := Target{Level: in.Level / 100, Seconds: in.Seconds}
	for k, d := range days {
		pd := PlanDay{Date: d.Date, Holiday: d.Holiday, Adjusted: d.Adjusted, Volume: d.Total(), Intervals: make([]PlanInterval, Slots)}
		for i, v := range d.Intervals {
			var req int
			if emailReq != nil {
				req = emailReq[k*Slots+i]
			} else {
				req = AgentsFor(v, SlotSeconds, aht, target)
			}
			sched := Scheduled(req, in.Shrinkage/100)
			pd.Intervals[i] = PlanInterval{Start: fmt.Sprintf("%02d:%02d", i/2, i%2*30), Volume: v, Required: req, Scheduled: sched}
			pd.PeakRequired = max(pd.PeakRequired, req)
			pd.PeakSched = max(pd.PeakSched, sched)
			pd.AgentHours += float64(sched) / 2
		}
		out[k] = pd
	}
	return out
}

// calendar returns the first business calendar's zone and holidays, or UTC
// without holidays when there is none.
func (s *Service) calendar(ctx context.Context, actor authz.Actor) (*time.Location, func(time.Time) bool, string, error) {
	if s.cals == nil {
		return time.UTC, nil, "UTC", nil
	}
	// A zone and holidays are not secret: anyone who may plan may use them.
	list, err := s.cals.ListCalendars(ctx, authz.System)
	if err != nil {
		return nil, nil, "", err
	}
	if len(list) == 0 {
		return time.UTC, nil, "UTC", nil
	}
	c, err := list[0].Calendar()
	if err != nil {
		return nil, nil, "", fmt.Errorf("wfm: calendar %d: %w", list[0].ID, err)
	}
	return c.Location(), func(d time.Time) bool { return c.IsHoliday(d.Year(), d.Month(), d.Day()) }, list[0].TimeZone, nil
}
