package sla

import "time"

// IsHoliday reports whether the calendar date y-m-d is one of the
// calendar's holidays (one-off or yearly); the workforce forecast uses it.
func (c *Calendar) IsHoliday(y int, m time.Month, d int) bool {
	return c.isHoliday(dayNumber(y, m, d))
}
