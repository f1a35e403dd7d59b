package tickets

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/ombud/ombud/internal/sla"
	"github.com/ombud/ombud/internal/ticket"
)

// This file holds what the ticket lists show for triage beyond the ticket
// row itself: each ticket's next SLA target (the "SLA due" and "Next
// breach" columns, read for the whole page in one query) and the notice
// that an empty bulk apply leaves on the list.

// slaCell is a ticket's next SLA target as a list cell.
type slaCell struct {
	Text   string // "in 2 h", "3 h overdue"
	State  string // sla.DueOK, sla.DueAtRisk, sla.DueBreached (the CSS class)
	Label  string // the state in words, beside the colour
	Metric string // which target, in words
	At     string // the due time in the agent's zone
	ISO    string
}

var dueStateLabels = map[string]string{sla.DueOK: "On track", sla.DueAtRisk: "At risk", sla.DueBreached: "Breached"}

// addListSLA puts the page's SLA due cells in data["SLA"] by ticket id.
// One query for the page (sla.DueTimes), never one per row.
func (u *UI) addListSLA(ctx context.Context, r *http.Request, data map[string]any, ts []ticket.Ticket) error {
	cells := map[int64]slaCell{}
	data["SLA"] = cells
	if u.SLA == nil || len(ts) == 0 {
		return nil
	}
	ids := make([]int64, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	due, err := u.SLA.DueTimes(ctx, ids)
	if err != nil {
		return fmt.Errorf("agent ui: sla due times: %w", err)
	}
	loc, lang := location(r), u.lang(r)
	for id, d := range due {
		c := slaCell{State: d.State, Label: u.i18n.String(lang, dueStateLabels[d.State]),
			Metric: u.i18n.String(lang, metricLabels[d.Metric]), At: when(lang, d.At, loc), ISO: d.At.UTC().Format(time.RFC3339)}
		if d.Left > 0 {
			c.Text = u.i18n.T(lang, "in %s", roughSpan(d.Left))
		} else {
			c.Text = u.i18n.T(lang, "%s overdue", roughSpan(-d.Left))
		}
		cells[id] = c
	}
	return nil
}

// roughSpan is a duration as a list reads it at a glance: minutes under an
// hour, hours under two days, then days ("35 min", "3 h", "4 d").
func roughSpan(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d min", max(1, int64((d+time.Minute-1)/time.Minute)))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", int64(d/time.Hour))
	}
	return fmt.Sprintf("%d d", int64(d/(24*time.Hour)))
}

// Bulk notices: why an apply changed nothing (?bulk= on the list).
var bulkNotices = map[string]string{
	"none":     "Select at least one ticket first.",
	"nochange": "Choose a change to apply to the selected tickets.",
	"merge":    "Select at least two tickets to merge.",
}

// bulkNotice is the list's message for ?bulk=; "" for none.
func (u *UI) bulkNotice(lang, key string) string {
	if m, ok := bulkNotices[key]; ok {
		return u.i18n.String(lang, m)
	}
	return ""
}

// emptyBulk sends an apply that would change nothing back to the list it
// came from with a notice, rather than to an error page: nothing was
// selected, no change was chosen, or fewer than two tickets to merge.
func emptyBulk(w http.ResponseWriter, r *http.Request, key string) error {
	back := safeNext(r.PostFormValue("back"))
	u, err := url.Parse(back)
	if err != nil {
		u = &url.URL{Path: "/tickets"}
	}
	q := u.Query()
	for _, k := range []string{"updated", "failed", "why", "merged_into", "bulk"} {
		q.Del(k) // the notices of an earlier apply
	}
	q.Set("bulk", key)
	u.RawQuery = q.Encode()
	http.Redirect(w, r, safeNext(u.RequestURI()), http.StatusSeeOther)
	return nil
}
