package tickets

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/sla"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/httpx"
)

// atRiskWithin is how far ahead the "SLA at risk" view looks.
const atRiskWithin = 2 * time.Hour

// atRiskKey is the key of the "SLA at risk" view, which the SLA service
// computes rather than a ticket filter.
const atRiskKey = "sla_at_risk"

var metricLabels = map[string]string{
	sla.FirstReply:     "First reply",
	sla.NextReply:      "Next reply",
	sla.PeriodicUpdate: "Periodic update",
	sla.Resolution:     "Resolution",
}

var slaStatusLabels = map[string]string{
	sla.StatusActive:   "Active",
	sla.StatusPaused:   "Paused",
	sla.StatusAchieved: "Achieved",
	sla.StatusBreached: "Breached",
}

// slaTarget is one SLA metric as the ticket page shows it.
type slaTarget struct {
	Label       string
	Status      string // active, paused, achieved, breached (for the CSS class)
	StatusLabel string
	Target      string // "1h30m"
	Due         string // in the agent's time zone; "" while paused
	DueISO      string
	Left        string // "2 h 14 min left", "overdue by 35 min", ""
	Overdue     bool
}

// slaView is the ticket page's SLA section.
type slaView struct {
	Policy  string
	Targets []slaTarget
}

// ticketSLA builds the SLA section for a ticket; nil when the SLA service
// is not wired.
func (u *UI) ticketSLA(ctx context.Context, actor authz.Actor, id int64, loc *time.Location, lang string) (*slaView, error) {
	if u.SLA == nil {
		return nil, nil
	}
	st, err := u.SLA.TicketSLA(ctx, actor, id)
	if err != nil {
		return nil, fmt.Errorf("agent ui: sla of ticket %d: %w", id, err)
	}
	v := &slaView{Policy: st.PolicyName, Targets: []slaTarget{}}
	for _, m := range st.Metrics {
		tg := slaTarget{Label: u.i18n.String(lang, metricLabels[m.Metric]), Status: m.Status, StatusLabel: u.i18n.String(lang, slaStatusLabels[m.Status]), Target: m.TargetText}
		if metricLabels[m.Metric] == "" {
			tg.Label = label(m.Metric)
		}
		if m.DueAt != nil {
			tg.Due = when(lang, *m.DueAt, loc)
			tg.DueISO = m.DueAt.UTC().Format(time.RFC3339)
		}
		running := m.CompletedAt == nil && (m.Status == sla.StatusActive || m.Status == sla.StatusBreached)
		if running {
			if m.Remaining >= 0 {
				tg.Left = u.i18n.T(lang, "%s left", span(m.Remaining))
			} else {
				tg.Left = u.i18n.T(lang, "overdue by %s", span(-m.Remaining))
				tg.Overdue = true
			}
		}
		v.Targets = append(v.Targets, tg)
	}
	return v, nil
}

// span says a duration in hours and minutes ("2 h 14 min", "35 min"),
// from three days on in days and hours ("3 d 4 h").
func span(d time.Duration) string {
	mins := int64(d / time.Minute)
	if d%time.Minute != 0 {
		mins++ // round up: "less than a minute left" reads as 1 min
	}
	days, hours, m := int64(0), mins/60, mins%60
	if mins >= 3*24*60 {
		days, hours = mins/(24*60), (mins/60)%24
	}
	switch {
	case days > 0:
		if hours == 0 {
			return fmt.Sprintf("%d d", days)
		}
		return fmt.Sprintf("%d d %d h", days, hours)
	case hours > 0:
		if m == 0 {
			return fmt.Sprintf("%d h", hours)
		}
		return fmt.Sprintf("%d h %d min", hours, m)
	}
	return fmt.Sprintf("%d min", m)
}

// atRiskTickets loads the tickets of the "SLA at risk" view in due order,
// leaving out any the agent may not see.
func (u *UI) atRiskTickets(ctx context.Context, actor authz.Actor, limit int) ([]int64, error) {
	if u.SLA == nil {
		return []int64{}, nil
	}
	return u.SLA.AtRisk(ctx, actor, atRiskWithin, limit)
}

// macroOption is a macro in the composer's list.
type macroOption struct {
	ID    int64
	Name  string
	Usage int64 // how often it was applied: the most used come first
}

// macroPreview is a rendered macro shown above the composer.
type macroPreview struct {
	MacroID int64
	Name    string
	Replies []string // every reply or note beyond the one in the composer
	Public  bool
	Changes []macroChange
	Status  string          // the macro's status: "Submit as" is preset to it
	Dropped map[string]bool // pending changes the agent removed (a refused send shows them again)
}

// usableMacros lists the active macros the agent may apply (none without
// the permission).
func (u *UI) usableMacros(ctx context.Context, actor authz.Actor) ([]macroOption, error) {
	if u.Automation == nil || !authz.Can(actor, authz.MacroUse) {
		return nil, nil
	}
	out := []macroOption{}
	pr := page.Request{Limit: page.MaxLimit}
	for {
		list, err := u.Automation.ListMacros(ctx, actor, pr)
		if err != nil {
			return nil, fmt.Errorf("agent ui: macros: %w", err)
		}
		for _, m := range list.Data {
			if m.Active {
				out = append(out, macroOption{ID: m.ID, Name: m.Name, Usage: m.UsageCount})
			}
		}
		if list.NextCursor == nil || len(out) >= 500 {
			break
		}
		c, err := page.Parse("100", *list.NextCursor)
		if err != nil {
			return nil, err
		}
		pr = c
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Usage != out[j].Usage {
			return out[i].Usage > out[j].Usage
		}
		return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name)
	})
	return out, nil
}

func formMacroID(r *http.Request) (int64, error) {
	if err := r.ParseForm(); err != nil {
		return 0, apperr.InvalidField("macro_id", "is not a form")
	}
	id, err := strconv.ParseInt(r.PostFormValue("macro_id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.InvalidField("macro_id", "choose a macro")
	}
	return id, nil
}

// PreviewMacro answers POST /tickets/{id}/macros/preview: the ticket page
// again, with the macro's text in the composer and what else it will
// change, and a button to apply it.
func (u *UI) PreviewMacro(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "ticket")
	if err != nil {
		return err
	}
	if u.Automation == nil {
		return apperr.NotFound("macro", 0)
	}
	macroID, err := formMacroID(r)
	if err != nil {
		return u.ticketPageWith(w, r, http.StatusUnprocessableEntity, "Choose a macro to preview.", "", nil, nil)
	}
	p, draft, err := u.macroPreviewFor(r, id, macroID, nil)
	if err == nil {
		return u.ticketPageWith(w, r, http.StatusOK, "", draft, nil, p)
	}
	e := u.ErrIn(r, err)
	if e.Code == apperr.CodeInternal {
		return err
	}
	// A missing or hidden ticket fails again in the page, as a 404.
	return u.ticketPageWith(w, r, httpx.Status(e.Code), u.tr(r, "The macro cannot be previewed: %s", e.Message+u.describeFields(u.lang(r), e.Fields)), "", nil, nil)
}

// ApplyMacro answers POST /tickets/{id}/macros/apply: the macro's reply
// and field changes, then back to the ticket.
func (u *UI) ApplyMacro(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := httpx.PathID(r, "id", "ticket")
	if err != nil {
		return err
	}
	if u.Automation == nil {
		return apperr.NotFound("macro", 0)
	}
	macroID, err := formMacroID(r)
	if err != nil {
		return u.ticketPageWith(w, r, http.StatusUnprocessableEntity, "Choose a macro to apply.", "", nil, nil)
	}
	if _, err := u.Automation.ApplyMacro(ctx, httpx.Actor(ctx), id, macroID); err != nil {
		e := u.ErrIn(r, err)
		if e.Code == apperr.CodeInternal {
			return err
		}
		return u.ticketPageWith(w, r, httpx.Status(e.Code), u.tr(r, "The macro was not applied: %s", e.Message+u.describeFields(u.lang(r), e.Fields)), "", e.Fields, nil)
	}
	http.Redirect(w, r, fmt.Sprintf("/tickets/%d#latest", id), http.StatusSeeOther)
	return nil
}

func toStrings(v any) []string {
	if s, ok := v.([]string); ok {
		return s
	}
	return []string{fmt.Sprint(v)}
}

// atRiskLimit caps the "SLA at risk" view: it is a work queue, not an archive.
const atRiskLimit = 100

// atRiskList is the "SLA at risk" view's tickets, earliest due first.
func (u *UI) atRiskList(ctx context.Context, actor authz.Actor) (page.List[ticket.Ticket], error) {
	ids, err := u.atRiskTickets(ctx, actor, atRiskLimit)
	if err != nil {
		return page.List[ticket.Ticket]{}, err
	}
	out := page.List[ticket.Ticket]{Data: make([]ticket.Ticket, 0, len(ids))}
	for _, id := range ids {
		t, err := u.Tickets.Get(ctx, actor, id)
		if apperr.Is(err, apperr.CodeNotFound) || apperr.Is(err, apperr.CodeForbidden) {
			continue // gone since, or outside what this agent may see
		}
		if err != nil {
			return page.List[ticket.Ticket]{}, err
		}
		out.Data = append(out.Data, t)
	}
	return out, nil
}
