package budget

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestMonthly(t *testing.T) {
	tests := []struct {
		cost float64
		days int
		want float64
	}{
		{700, 7, 3043.75}, // 100 a day × 30.4375
		{0, 7, 0},
		{500, 0, 0},
	}
	for _, tt := range tests {
		if got := Round2(Monthly(tt.cost, tt.days)); got != tt.want {
			t.Errorf("Monthly(%v, %d) = %v, want %v", tt.cost, tt.days, got, tt.want)
		}
	}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		name      string
		cost      float64
		tickets   map[string]int
		aht       map[string]int
		share     map[string]float64
		perTicket map[string]float64
	}{
		{
			// work: phone 100×300 = 30000, email 200×480 = 96000, chat 60×600 = 36000; total 162000.
			name: "by handle time", cost: 8100,
			tickets:   map[string]int{"phone": 100, "email": 200, "chat": 60},
			aht:       map[string]int{"phone": 300, "email": 480, "chat": 600},
			share:     map[string]float64{"phone": 1500, "email": 4800, "chat": 1800},
			perTicket: map[string]float64{"phone": 15, "email": 24, "chat": 30},
		},
		{
			name: "equal handle times are the ticket share", cost: 1000,
			tickets:   map[string]int{"web": 30, "api": 10},
			aht:       map[string]int{"web": 480, "api": 480},
			share:     map[string]float64{"web": 750, "api": 250},
			perTicket: map[string]float64{"web": 25, "api": 25},
		},
		{
			name: "no tickets", cost: 1000,
			tickets: map[string]int{}, aht: map[string]int{"phone": 300},
			share: map[string]float64{}, perTicket: map[string]float64{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			share, per := Split(tt.cost, tt.tickets, tt.aht)
			approx := cmpopts.EquateApprox(0, 1e-9)
			if d := cmp.Diff(tt.share, share, approx); d != "" {
				t.Errorf("share (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tt.perTicket, per, approx); d != "" {
				t.Errorf("per ticket (-want +got):\n%s", d)
			}
		})
	}
}

func TestHeadcount(t *testing.T) {
	jan := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		in   HeadcountInput
		want []HeadcountMonth
	}{
		{
			// Need 393.75/37.5 = 10.5 FTE. 10 agents lose 10 %: 9 → hire 2 → 11;
			// 9.9 → hire 1 → 10.9; 9.81 → hire 1 → 10.81. Without hiring 9, 8.1, 7.29.
			// Hires start 4 weeks (28 days) before the month; today is 10 Dec 2026,
			// so January's start (4 Dec) is late. Cost: agents × 37.5 h × 365.25/12/7
			// weeks × 20: 11 → 8250 × 4.348214 = 35872.77; 10.9 → 35546.65; 10.81 → 35253.15.
			name: "attrition",
			in: HeadcountInput{Start: jan, Months: 3, WeeklyHours: 393.75, FTEHours: 37.5, Headcount: 10, Attrition: 10, LeadWeeks: 4,
				Today: time.Date(2026, 12, 10, 9, 0, 0, 0, time.UTC), HourlyRate: 20},
			want: []HeadcountMonth{
				{Month: "2027-01", RequiredFTE: 10.5, WithoutHire: 9, BeforeHires: 9, Hires: 2, Headcount: 11, StartBy: "2026-12-04", Late: true, Cost: 35872.77},
				{Month: "2027-02", RequiredFTE: 10.5, WithoutHire: 8.1, BeforeHires: 9.9, Hires: 1, Headcount: 10.9, StartBy: "2027-01-04", Cost: 35546.65},
				{Month: "2027-03", RequiredFTE: 10.5, WithoutHire: 7.29, BeforeHires: 9.81, Hires: 1, Headcount: 10.81, StartBy: "2027-02-01", Cost: 35253.15},
			},
		},
		{
			// Need 300/40 = 7.5, then +20 %: 9. 8 agents, no attrition: January
			// has enough, February hires 1 (⌈9 − 8⌉), with no lead time on its first day.
			name: "growth",
			in:   HeadcountInput{Start: jan, Months: 2, WeeklyHours: 300, Growth: 20, FTEHours: 40, Headcount: 8, Today: jan},
			want: []HeadcountMonth{
				{Month: "2027-01", RequiredFTE: 7.5, WithoutHire: 8, BeforeHires: 8, Headcount: 8},
				{Month: "2027-02", RequiredFTE: 9, WithoutHire: 8, BeforeHires: 8, Hires: 1, Headcount: 9, StartBy: "2027-02-01"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Headcount(tt.in)
			if d := cmp.Diff(tt.want, got, cmpopts.EquateApprox(0, 1e-9)); d != "" {
				t.Errorf("plan (-want +got):\n%s", d)
			}
		})
	}
}

func TestPlanWeeks(t *testing.T) {
	today := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		to   time.Time
		want int
	}{
		{today, 1}, {today.AddDate(0, 0, 6), 1}, {today.AddDate(0, 0, 7), 2}, {today.AddDate(0, 0, 13), 2}, {today.AddDate(0, 0, 200), 6}, {today.AddDate(0, 0, -3), 1},
	} {
		if got := planWeeks(today, tt.to); got != tt.want {
			t.Errorf("planWeeks(%s) = %d, want %d", tt.to.Format(time.DateOnly), got, tt.want)
		}
	}
}
