package budget

import (
	"encoding/csv"
	"io"
	"strconv"
)

func f2(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) }

// WriteHeadcountCSV writes one row per month of the plan.
func WriteHeadcountCSV(w io.Writer, p HeadcountPlan) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"month", "required_fte", "headcount_without_hiring", "headcount_before_hires", "hires", "start_hiring_by", "late", "headcount", "cost", "currency"})
	for _, m := range p.Months {
		_ = cw.Write([]string{m.Month, f2(m.RequiredFTE), f2(m.WithoutHire), f2(m.BeforeHires), strconv.Itoa(m.Hires), m.StartBy, strconv.FormatBool(m.Late), f2(m.Headcount), f2(m.Cost), p.Currency})
	}
	cw.Flush()
	return cw.Error()
}

// WriteProjectionCSV writes one row per agent and a total.
func WriteProjectionCSV(w io.Writer, p Projection) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"agent_id", "agent", "from", "days", "hours", "hourly_rate", "cost", "currency"})
	for _, a := range p.Agents {
		_ = cw.Write([]string{strconv.FormatInt(a.AgentID, 10), a.Name, p.From, strconv.Itoa(p.Days), f2(a.Hours), f2(a.HourlyRate), f2(a.Cost), p.Currency})
	}
	_ = cw.Write([]string{"", "total", p.From, strconv.Itoa(p.Days), f2(p.ScheduledHours), "", f2(p.ScheduledCost), p.Currency})
	cw.Flush()
	return cw.Error()
}

// WriteActualCSV writes one row per channel and a total.
func WriteActualCSV(w io.Writer, a Actual) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"month", "channel", "tickets", "handle_time", "cost", "cost_per_ticket", "currency"})
	for _, c := range a.Channels {
		_ = cw.Write([]string{a.Month, c.Channel, strconv.Itoa(c.Tickets), strconv.Itoa(c.AHT), f2(c.Cost), f2(c.PerTicket), a.Currency})
	}
	_ = cw.Write([]string{a.Month, "total", strconv.Itoa(a.Tickets), "", f2(a.Cost), f2(a.PerTicket), a.Currency})
	cw.Flush()
	return cw.Error()
}
