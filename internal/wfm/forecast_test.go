package wfm

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// poisson draws a Poisson variate: Knuth's product method for small means,
// a rounded normal approximation for large ones.
func poisson(r *rand.Rand, mean float64) float64 {
	if mean <= 0 {
		return 0
	}
	if mean > 30 {
		return math.Max(0, math.Round(mean+math.Sqrt(mean)*r.NormFloat64()))
	}
	l, k, p := math.Exp(-mean), 0.0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// synthetic is a seasonal series: weekly volume base + trend·week, split
// over weekdays by weekdayMul and over the day by a bell between 07:00 and
// 21:00, with Poisson noise from a seeded RNG. mean returns the noiseless
// value of (day, slot).
type synthetic struct {
	start      time.Time
	base       float64
	trend      float64
	holidays   map[string]bool
	weekdayMul [7]float64
}

func (g synthetic) mean(d, slot int) float64 {
	date := addDays(g.start, d)
	wd := date.Weekday()
	if g.holidays[date.Format(time.DateOnly)] {
		wd = time.Sunday
	}
	var mulSum float64
	for _, m := range g.weekdayMul {
		mulSum += m
	}
	week := float64(d / 7)
	day := (g.base + g.trend*week) * g.weekdayMul[wd] / mulSum
	return day * bell(slot)
}

// bell is the share of a day's volume in a slot: zero at night, a peak
// around 11:00 and a smaller one at 15:00.
func bell(slot int) float64 {
	var w [Slots]float64
	var sum float64
	for i := 14; i < 42; i++ {
		h := float64(i) / 2
		w[i] = math.Exp(-(h-11)*(h-11)/6) + 0.7*math.Exp(-(h-15)*(h-15)/5) + 0.15
		sum += w[i]
	}
	return w[slot] / sum
}

func (g synthetic) series(days int, seed uint64) Series {
	r := rand.New(rand.NewPCG(seed, 17))
	s := Series{Start: g.start, Days: make([][Slots]float64, days)}
	for d := range days {
		for i := range Slots {
			s.Days[d][i] = poisson(r, g.mean(d, i))
		}
	}
	return s
}

var weekdays = [7]float64{0.35, 1.3, 1.2, 1.1, 1.0, 0.9, 0.45} // Sun..Sat

// TestBacktestSynthetic: on a seasonal series with trend and Poisson noise
// at about 5 000 contacts a week (peak intervals ≈ 60, Sunday intervals ≈ 5
// to 15), one-week-ahead forecasts of 4 held-out weeks must have MAPE ≤ 10 %
// on daily totals, ≤ 30 % per interval, and a bias within ±5 %. Poisson noise
// alone puts a floor under the per-interval MAPE (the noiseless truth scores
// ≈ 24 % here, mostly from quiet intervals), so the test also asserts that
// the model comes within 5 points of that floor.
func TestBacktestSynthetic(t *testing.T) {
	g := synthetic{start: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), base: 5000, trend: 50, weekdayMul: weekdays}
	for _, seed := range []uint64{1, 2, 3} {
		s := g.series(12*7, seed)
		acc := Backtest(s, Options{Weeks: 8}, 4)
		var ape float64
		var n int
		for d := 8 * 7; d < 12*7; d++ {
			for i := range Slots {
				if a := s.Days[d][i]; a > 0 {
					ape += math.Abs(g.mean(d, i)-a) / a
					n++
				}
			}
		}
		floor := 100 * ape / float64(n)
		t.Logf("seed %d: %+v, noise floor %.1f %%", seed, acc, floor)
		if acc.Weeks != 4 {
			t.Fatalf("weeks = %d", acc.Weeks)
		}
		if acc.DailyMAPE > 10 || acc.MAPE > 30 || math.Abs(acc.Bias) > 5 || acc.MAPE > floor+5 {
			t.Errorf("seed %d: daily MAPE %.1f %% (≤10), interval MAPE %.1f %% (≤30, ≤ floor %.1f + 5), bias %.1f %% (±5)",
				seed, acc.DailyMAPE, acc.MAPE, floor, acc.Bias)
		}
	}
}

// TestForecastFollowsTrendAndSeason: the forecast for the next 6 weeks
// stays within 6 % of the noiseless truth per week and recovers the weekday
// pattern (Monday ≈ 3.7 × Sunday).
func TestForecastFollowsTrendAndSeason(t *testing.T) {
	g := synthetic{start: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), base: 3000, trend: 60, weekdayMul: weekdays}
	s := g.series(10*7, 7)
	m := Fit(s, Options{Weeks: 8})
	fc := m.Forecast(s.Date(70), 42, nil)
	for w := range 6 {
		var f, truth float64
		for d := w * 7; d < w*7+7; d++ {
			f += fc[d].Total()
			for i := range Slots {
				truth += g.mean(70+d, i)
			}
		}
		if math.Abs(f-truth)/truth > 0.06 {
			t.Errorf("week +%d: forecast %.0f, truth %.0f", w+1, f, truth)
		}
	}
	mon, sun := fc[0].Total(), fc[6].Total()
	if fc[0].Date.Weekday() != time.Monday || fc[6].Date.Weekday() != time.Sunday {
		t.Fatalf("dates %v %v", fc[0].Date, fc[6].Date)
	}
	if r := mon / sun; math.Abs(r-1.3/0.35) > 0.4 {
		t.Errorf("Monday/Sunday = %.2f, want ≈ %.2f", r, 1.3/0.35)
	}
	for i := range 14 {
		if fc[0].Intervals[i] != 0 {
			t.Fatalf("night slot %d forecast %v, want 0", i, fc[0].Intervals[i])
		}
	}
}

// TestHolidaysAndAdjustments: a holiday gets a Sunday's volume (or the
// configured factor), a holiday in the history does not pull its weekday
// down, and a +50 % adjustment applies only in its dates.
func TestHolidaysAndAdjustments(t *testing.T) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	hol := map[string]bool{"2024-01-17": true, "2024-03-13": true} // Wednesdays: one in history, one ahead
	isHol := func(d time.Time) bool { return hol[d.Format(time.DateOnly)] }
	g := synthetic{start: start, base: 3000, weekdayMul: weekdays, holidays: hol}
	s := g.series(8*7, 3)
	m := Fit(s, Options{Weeks: 8, Holiday: isHol, HolidayFactor: DefaultHolidayFactor})
	fc := m.Forecast(s.Date(56), 21, []Adjustment{{From: time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC), Percent: 50}})
	byDate := map[string]Day{}
	for _, d := range fc {
		byDate[d.Date.Format(time.DateOnly)] = d
	}
	wed, holiday, sun := byDate["2024-02-28"], byDate["2024-03-13"], byDate["2024-03-10"]
	if !holiday.Holiday || wed.Holiday {
		t.Fatalf("holiday flags: %v %v", holiday.Holiday, wed.Holiday)
	}
	if r := holiday.Total() / sun.Total(); math.Abs(r-1) > 0.05 {
		t.Errorf("holiday/Sunday = %.2f, want 1", r)
	}
	wantWed := 3000 * 1.1 / 6.3 // weekday multipliers sum to 6.3
	if math.Abs(wed.Total()-wantWed)/wantWed > 0.06 {
		t.Errorf("Wednesday %.0f, want ≈ %.0f (history holiday must not pull it down)", wed.Total(), wantWed)
	}
	mon4, mon26 := byDate["2024-03-04"], byDate["2024-02-26"]
	if r := mon4.Total() / mon26.Total(); math.Abs(r-1.5) > 0.01 || mon4.Adjusted != 50 {
		t.Errorf("adjusted Monday ratio %.3f (%v), want 1.5", r, mon4.Adjusted)
	}
	if byDate["2024-03-06"].Adjusted != 0 {
		t.Error("adjustment leaked past its end")
	}
	half := Fit(s, Options{Weeks: 8, Holiday: isHol, HolidayFactor: 0.5}).Forecast(s.Date(56), 21, nil)
	if r := half[16].Total() / half[2].Total(); !half[16].Holiday || math.Abs(r-0.5) > 0.01 {
		t.Errorf("factor 0.5: ratio %.3f", r)
	}
}

func TestForecastEmptyHistory(t *testing.T) {
	m := Fit(Series{Start: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}, Options{})
	for _, d := range m.Forecast(time.Date(2024, 1, 8, 0, 0, 0, 0, time.UTC), 7, nil) {
		if d.Total() != 0 {
			t.Fatalf("empty history forecast %v", d.Total())
		}
	}
	if acc := Backtest(Series{Start: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Days: make([][Slots]float64, 10)}, Options{}, 4); acc.Weeks != 0 {
		t.Errorf("backtest with one week: %+v", acc)
	}
}
