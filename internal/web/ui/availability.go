package ui

import (
	"context"
	"net/http"
	"net/url"

	agentsvc "github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/web/httpx"
)

// This file holds the header's availability switch: an agent says they are
// online, away or offline; routing honours it (teams that assign only to
// available agents skip them, and going offline may return their tickets)
// and colleagues see it beside their name.

// AvailabilityOf reads the signed-in agent's availability for the header
// ("" when it cannot be read, which hides the switch).
func (u *UI) AvailabilityOf(ctx context.Context, actor authz.Actor) string {
	if u.Routing == nil || !actor.IsAgent() {
		return ""
	}
	a, err := u.Agents.GetAgent(ctx, actor, actor.ID)
	if err != nil {
		return ""
	}
	return a.Availability
}

// AvailabilityChoices are the switch's choices, for the layout.
func (PageData) AvailabilityChoices() []string { return agentsvc.Availabilities }

// SetAvailability applies the header's switch and goes back to the page.
func (u *UI) SetAvailability(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	if _, err := u.Routing.SetAvailability(ctx, actor, actor.ID, r.PostFormValue("availability")); err != nil {
		return err
	}
	http.Redirect(w, r, backTo(r), http.StatusSeeOther)
	return nil
}

// backTo is the page a header form was sent from, when it is on this site.
func backTo(r *http.Request) string {
	if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host && ref.Path != "" {
		if next := SafeNext(ref.RequestURI()); next != "" {
			return next
		}
	}
	return "/tickets"
}
