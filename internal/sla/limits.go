package sla

import (
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/ticket"
)

// MaxPolicies is the most ids one reorder lists (a reorder names every
// policy; policies are tried in order for every ticket, so a helpdesk has a
// handful).
const MaxPolicies = 1000

// The checks below run before the write transaction: validating a policy
// needs the transaction (custom fields, calendars), but an oversized list
// is refused without it, so it never holds the single writer.

// checkCalendarSizes refuses a schedule or holiday list longer than a
// calendar holds.
func checkCalendarSizes(schedule *Schedule, holidays *[]Holiday) error {
	fe := apperr.FieldErrors{}
	if schedule != nil {
		days := [7][]Interval{schedule.Sun, schedule.Mon, schedule.Tue, schedule.Wed, schedule.Thu, schedule.Fri, schedule.Sat}
		for w, ivs := range days {
			fe.MaxItems("schedule."+dayNames[w], len(ivs), maxIntervalsPerDay)
		}
	}
	if holidays != nil {
		fe.MaxItems("holidays", len(*holidays), maxHolidays)
	}
	return fe.Err()
}

// checkPolicySizes refuses more conditions than a policy holds, or more
// targets than there are priorities.
func checkPolicySizes(conds *[]Condition, targets *map[string]Target) error {
	fe := apperr.FieldErrors{}
	if conds != nil {
		fe.MaxItems("conditions", len(*conds), maxConditions)
	}
	if targets != nil {
		fe.MaxItems("targets", len(*targets), len(ticket.Priorities))
	}
	return fe.Err()
}
