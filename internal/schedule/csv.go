package schedule

import (
	"encoding/csv"
	"io"
	"strconv"
	"time"
)

func f1(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }

// WriteRosterCSV writes one row per agent and day.
func WriteRosterCSV(w io.Writer, r Roster) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"agent_id", "agent", "time_zone", "date", "start", "end", "break_start", "break_end", "off", "source", "start_utc", "end_utc", "work_hours"})
	for _, a := range r.Agents {
		for _, d := range a.Days {
			row := []string{strconv.FormatInt(a.ID, 10), a.Name, a.TimeZone, d.Date, "", "", "", "", d.Off, d.Source, "", "", f1(d.WorkMinutes() / 60)}
			if d.Shift != nil {
				row[4], row[5] = d.Shift.Start.String(), d.Shift.End.String()
				if d.Shift.BreakMinutes > 0 {
					row[6], row[7] = d.Shift.BreakStart.String(), Clock(int(d.Shift.BreakStart)+d.Shift.BreakMinutes).String()
				}
				row[10], row[11] = d.Start.UTC().Format(time.RFC3339), d.End.UTC().Format(time.RFC3339)
			}
			_ = cw.Write(row)
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteCoverageCSV writes one row per 30-minute interval.
func WriteCoverageCSV(w io.Writer, c Coverage) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"date", "start", "zone", "channel", "required", "needed", "scheduled", "gap"})
	for _, d := range c.Days {
		for _, s := range d.Slots {
			if !s.Planned {
				continue
			}
			_ = cw.Write([]string{d.Date, s.Start, c.Zone, c.Channel, strconv.Itoa(s.Required), strconv.Itoa(s.Needed), strconv.Itoa(s.Scheduled), strconv.Itoa(s.Gap)})
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteTimeOffCSV writes the requests.
func WriteTimeOffCSV(w io.Writer, list []TimeOff) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"id", "agent_id", "agent", "from", "to", "status", "reason", "created_at"})
	for _, t := range list {
		_ = cw.Write([]string{strconv.FormatInt(t.ID, 10), strconv.FormatInt(t.AgentID, 10), t.AgentName, t.From, t.To, t.Status, t.Reason, t.CreatedAt.UTC().Format(time.RFC3339)})
	}
	cw.Flush()
	return cw.Error()
}
