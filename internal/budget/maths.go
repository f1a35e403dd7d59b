// Package budget prices the workforce plan: hourly rates per role with
// overrides per agent, the projected cost of the schedule and of the
// forecast's requirement, what-ifs on the service level and the volume,
// the actual cost per ticket and channel of past months, and a headcount
// plan (docs/workforce.md, definitions in docs/metrics.md).
package budget

import (
	"math"
	"time"
)

// DaysPerMonth is the average calendar month: 365.25/12 days. A monthly
// figure from a shorter period is its cost per day times this.
const DaysPerMonth = 365.25 / 12

// WeeksPerMonth is the average month in weeks: 52.18/12.
const WeeksPerMonth = DaysPerMonth / 7

// Monthly scales a cost over days days to an average month.
func Monthly(cost float64, days int) float64 {
	if days <= 0 {
		return 0
	}
	return cost / float64(days) * DaysPerMonth
}

// Round2 rounds money to cents.
func Round2(x float64) float64 { return math.Round(x*100) / 100 }

// Split divides cost among channels in proportion to their work: tickets ×
// handle time (seconds). A channel with tickets but no handle time counts
// with zero work. It returns each channel's cost and cost per ticket; with
// no work at all every channel gets nothing.
func Split(cost float64, tickets map[string]int, aht map[string]int) (share map[string]float64, perTicket map[string]float64) {
	share, perTicket = map[string]float64{}, map[string]float64{}
	var work float64
	for ch, n := range tickets {
		work += float64(n) * float64(aht[ch])
	}
	for ch, n := range tickets {
		if work <= 0 || n <= 0 {
			share[ch], perTicket[ch] = 0, 0
			continue
		}
		share[ch] = cost * float64(n) * float64(aht[ch]) / work
		perTicket[ch] = share[ch] / float64(n)
	}
	return share, perTicket
}

// HeadcountInput is what a headcount plan starts from.
type HeadcountInput struct {
	Start       time.Time // the first planned month (its first day)
	Months      int       // 1–24
	WeeklyHours float64   // scheduled agent-hours a week the forecast needs (shrinkage included)
	Growth      float64   // percent growth of the need per month
	FTEHours    float64   // contracted hours a week of one full-time agent
	Headcount   float64   // agents today
	Attrition   float64   // percent of agents leaving per month
	LeadWeeks   int       // weeks from starting to hire to an agent taking contacts
	Today       time.Time // hires that should have started earlier are late
	HourlyRate  float64   // to price the plan
	Currency    string
}

// HeadcountMonth is one month of a headcount plan.
type HeadcountMonth struct {
	Month       string  `json:"month"`        // YYYY-MM
	RequiredFTE float64 `json:"required_fte"` // weekly need × growth ÷ FTE hours
	WithoutHire float64 `json:"without_hiring"`
	BeforeHires float64 `json:"before_hires"` // last month's agents after this month's attrition
	Hires       int     `json:"hires"`
	Headcount   float64 `json:"headcount"`       // after the hires
	StartBy     string  `json:"start_hiring_by"` // YYYY-MM-DD; empty without hires
	Late        bool    `json:"late"`            // StartBy is before today: hire at once
	Cost        float64 `json:"cost"`            // headcount × FTE hours × weeks a month × rate
}

// Headcount plans hires month by month. Month m's need is
// WeeklyHours·(1+Growth)^(m−1)/FTEHours full-time agents. Each month first
// loses Attrition percent of its agents, then hires the whole agents that
// lift it to the need: ⌈need − agents⌉ when short. A hire must start
// LeadWeeks before the month begins to be ready on its first day.
func Headcount(in HeadcountInput) []HeadcountMonth {
	out := make([]HeadcountMonth, 0, in.Months)
	have, none := in.Headcount, in.Headcount
	keep := 1 - in.Attrition/100
	start := time.Date(in.Start.Year(), in.Start.Month(), 1, 0, 0, 0, 0, time.UTC)
	for m := range in.Months {
		month := start.AddDate(0, m, 0)
		hm := HeadcountMonth{Month: month.Format("2006-01")}
		if in.FTEHours > 0 {
			hm.RequiredFTE = in.WeeklyHours * math.Pow(1+in.Growth/100, float64(m)) / in.FTEHours
		}
		have *= keep
		none *= keep
		hm.BeforeHires, hm.WithoutHire = have, none
		if short := hm.RequiredFTE - have; short > 1e-9 {
			hm.Hires = int(math.Ceil(short - 1e-9))
			have += float64(hm.Hires)
			by := month.AddDate(0, 0, -7*in.LeadWeeks)
			hm.StartBy = by.Format(time.DateOnly)
			hm.Late = by.Before(time.Date(in.Today.Year(), in.Today.Month(), in.Today.Day(), 0, 0, 0, 0, time.UTC))
		}
		hm.Headcount = have
		hm.Cost = Round2(have * in.FTEHours * WeeksPerMonth * in.HourlyRate)
		out = append(out, hm)
	}
	return out
}
