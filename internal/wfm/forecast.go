package wfm

import (
	"math"
	"time"
)

// Slots is the number of 30-minute intervals in a day. A day is indexed by
// local wall-clock time: on a daylight-saving change the missing hour's
// slots stay empty and the repeated hour's contacts fall into one slot.
const Slots = 48

// SlotSeconds is the length of one interval.
const SlotSeconds = 1800

// Series is a volume history: one row of Slots counts per local day, the
// first day starting on Start (a date; only its year, month and day count).
type Series struct {
	Start time.Time
	Days  [][Slots]float64
}

// Date is the calendar date of day i.
func (s Series) Date(i int) time.Time { return addDays(s.Start, i) }

func addDays(d time.Time, n int) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day()+n, 0, 0, 0, 0, time.UTC)
}

// Options steer the model.
type Options struct {
	// Weeks is how many weeks of history the fit uses (the most recent
	// ones); default 8.
	Weeks int
	// Holiday reports whether a date is a holiday; nil means none.
	Holiday func(time.Time) bool
	// HolidayFactor is a holiday's volume as a share of the same weekday's
	// normal volume; a negative value (the default via DefaultHolidayFactor)
	// gives a holiday the volume and daily profile of a Sunday.
	HolidayFactor float64
}

// DefaultHolidayFactor asks for "like a Sunday".
const DefaultHolidayFactor = -1

func (o Options) weeks() int {
	if o.Weeks <= 0 {
		return 8
	}
	return o.Weeks
}

func (o Options) holiday(d time.Time) bool { return o.Holiday != nil && o.Holiday(d) }

// Model is a fitted forecast: weekly level with a linear trend, a share of
// the week per weekday, and a profile over the day's intervals per weekday.
//
//	volume(day d, slot i) = (α + β·week(d)) · share[weekday(d)] · profile[weekday(d)][i]
type Model struct {
	origin  time.Time // first day of the fitted window: week 0 starts here
	alpha   float64
	beta    float64
	share   [7]float64
	profile [7][Slots]float64
	opts    Options
}

// Fit estimates the model from the last opts.Weeks whole weeks of s
// (a trailing partial week is ignored). Holidays in the history are left out
// of the shares and profiles, and their week's total is scaled up for them.
func Fit(s Series, opts Options) *Model {
	whole := len(s.Days) / 7
	w := min(opts.weeks(), whole)
	first := (whole - w) * 7
	m := &Model{origin: s.Date(first), opts: opts}
	if w == 0 {
		return m
	}
	var dayTotal [7]float64
	var dayCount [7]int
	for d := first; d < first+7*w; d++ {
		if opts.holiday(s.Date(d)) {
			continue
		}
		wd := s.Date(d).Weekday()
		for i, v := range s.Days[d] {
			m.profile[wd][i] += v
			dayTotal[wd] += v
		}
		dayCount[wd]++
	}
	// Share of a week per weekday, from the mean volume per weekday.
	var mean [7]float64
	var sum float64
	for wd := range 7 {
		if dayCount[wd] > 0 {
			mean[wd] = dayTotal[wd] / float64(dayCount[wd])
		}
		sum += mean[wd]
	}
	for wd := range 7 {
		if sum > 0 {
			m.share[wd] = mean[wd] / sum
		}
		if dayTotal[wd] > 0 {
			for i := range m.profile[wd] {
				m.profile[wd][i] /= dayTotal[wd]
			}
		}
	}
	// Weekly totals, each scaled up for its holidays, then least squares.
	xs := make([]float64, 0, w)
	ys := make([]float64, 0, w)
	for k := range w {
		var tot, covered float64
		for d := first + 7*k; d < first+7*k+7; d++ {
			if opts.holiday(s.Date(d)) {
				continue
			}
			covered += m.share[s.Date(d).Weekday()]
			for _, v := range s.Days[d] {
				tot += v
			}
		}
		if covered > 0 {
			xs = append(xs, float64(k))
			ys = append(ys, tot/covered)
		}
	}
	m.alpha, m.beta = linearFit(xs, ys)
	return m
}

// linearFit is ordinary least squares y = a + b·x; with fewer than two
// points the line is flat at the mean.
func linearFit(xs, ys []float64) (a, b float64) {
	n := float64(len(xs))
	if n == 0 {
		return 0, 0
	}
	var sx, sy, sxx, sxy float64
	for i := range xs {
		sx += xs[i]
		sy += ys[i]
		sxx += xs[i] * xs[i]
		sxy += xs[i] * ys[i]
	}
	den := n*sxx - sx*sx
	if n < 2 || den == 0 {
		return sy / n, 0
	}
	b = (n*sxy - sx*sy) / den
	return (sy - b*sx) / n, b
}

// Adjustment is a manual change to the forecast: from From to To
// (inclusive dates) the channel's volume changes by Percent (+30 for a
// campaign, −50 for a shutdown).
type Adjustment struct {
	From, To time.Time
	Percent  float64
}

func (a Adjustment) covers(d time.Time) bool {
	day := addDays(d, 0)
	return !day.Before(addDays(a.From, 0)) && !day.After(addDays(a.To, 0))
}

// Day is one forecast day.
type Day struct {
	Date      time.Time
	Holiday   bool
	Adjusted  float64 // the summed percent of the adjustments applied
	Intervals [Slots]float64
}

// Total is the day's forecast volume.
func (d Day) Total() float64 {
	var t float64
	for _, v := range d.Intervals {
		t += v
	}
	return t
}

// Forecast predicts days days from start (a date).
func (m *Model) Forecast(start time.Time, days int, adj []Adjustment) []Day {
	out := make([]Day, days)
	for n := range out {
		date := addDays(start, n)
		wd := date.Weekday()
		week := math.Floor(date.Sub(addDays(m.origin, 0)).Hours() / 24 / 7)
		level := math.Max(0, m.alpha+m.beta*week)
		dayVol := level * m.share[wd]
		prof := &m.profile[wd]
		d := Day{Date: date, Holiday: m.opts.holiday(date)}
		if d.Holiday {
			if f := m.opts.HolidayFactor; f >= 0 {
				dayVol *= f
			} else {
				dayVol = level * m.share[time.Sunday]
				prof = &m.profile[time.Sunday]
			}
		}
		factor := 1.0
		for _, a := range adj {
			if a.covers(date) {
				factor *= 1 + a.Percent/100
				d.Adjusted += a.Percent
			}
		}
		factor = math.Max(0, factor)
		for i := range d.Intervals {
			d.Intervals[i] = dayVol * prof[i] * factor
		}
		out[n] = d
	}
	return out
}

// Accuracy is the back-test of a model: how far forecasts for held-out
// weeks fell from what happened.
type Accuracy struct {
	Weeks int // held-out weeks tested
	// MAPE is the mean absolute percentage error over intervals with
	// actual volume > 0; DailyMAPE the same over whole days.
	MAPE, DailyMAPE float64
	// Bias is the mean signed error in percent of the actual volume,
	// Σ(forecast − actual)/Σ actual: positive means the forecast runs high.
	Bias float64
}

// Backtest fits on the weeks before each of the last holdout whole weeks
// of s and forecasts that week, one week ahead, then scores all of them
// together. It needs at least one week of history before the first held-out
// week; with less it tests fewer weeks (Weeks says how many).
func Backtest(s Series, opts Options, holdout int) Accuracy {
	whole := len(s.Days) / 7
	holdout = min(holdout, whole-1)
	var acc Accuracy
	if holdout <= 0 {
		return acc
	}
	var ape, dape, diff, actual float64
	var n, nd int
	for h := whole - holdout; h < whole; h++ {
		train := Series{Start: s.Start, Days: s.Days[:7*h]}
		fc := Fit(train, opts).Forecast(s.Date(7*h), 7, nil)
		for k, day := range fc {
			real := s.Days[7*h+k]
			var ft, at float64
			for i, f := range day.Intervals {
				a := real[i]
				ft += f
				at += a
				diff += f - a
				actual += a
				if a > 0 {
					ape += math.Abs(f-a) / a
					n++
				}
			}
			if at > 0 {
				dape += math.Abs(ft-at) / at
				nd++
			}
		}
		acc.Weeks++
	}
	if n > 0 {
		acc.MAPE = 100 * ape / float64(n)
	}
	if nd > 0 {
		acc.DailyMAPE = 100 * dape / float64(nd)
	}
	if actual > 0 {
		acc.Bias = 100 * diff / actual
	}
	return acc
}
