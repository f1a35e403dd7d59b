package tickets

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/search"
	"github.com/ombud/ombud/internal/textcheck"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/httpx"
)

// This file holds "merge this ticket into another" from the ticket page:
// find the target (the requester's other open tickets first, or a search),
// see both side by side, confirm, and optionally tell the requester. A
// merge moves the conversation and history into the target, so it is not
// undone; the page says so before the agent confirms.

// mergeSide is one ticket as the confirmation shows it.
type mergeSide struct {
	Ticket    ticket.Ticket
	Requester string
	Created   string
	Last      string // the latest message, shortened
}

// MergeTicketPage shows the search for a target, or with ?target= the
// confirmation.
func (u *UI) MergeTicketPage(w http.ResponseWriter, r *http.Request) error {
	return u.mergeTicketPage(w, r, http.StatusOK, "", "")
}

func (u *UI) mergeTicketPage(w http.ResponseWriter, r *http.Request, status int, errMsg, note string) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	if err := authz.Check(actor, authz.TicketMerge); err != nil {
		return err
	}
	id, err := httpx.PathID(r, "id", "ticket")
	if err != nil {
		return err
	}
	src, err := u.Tickets.Get(ctx, actor, id)
	if err != nil {
		return err
	}
	qs := r.URL.Query()
	if r.Method == http.MethodPost {
		qs.Set("target", r.PostFormValue("target_id"))
	}
	data := map[string]any{"Source": src, "Q": strings.TrimSpace(qs.Get("q")), "Note": note}
	if t := qs.Get("target"); t != "" {
		tid, err := strconv.ParseInt(t, 10, 64)
		if err != nil || tid <= 0 {
			return apperr.InvalidField("target", "must be a ticket number")
		}
		target, err := u.Tickets.Get(ctx, actor, tid)
		if err != nil {
			return err
		}
		sides := []mergeSide{}
		for _, t := range []ticket.Ticket{src, target} {
			side, err := u.mergeSide(r, t)
			if err != nil {
				return err
			}
			sides = append(sides, side)
		}
		data["Sides"], data["Target"] = sides, target
	} else {
		var list page.List[ticket.Ticket]
		if q := data["Q"].(string); q != "" {
			parsed, err := search.ParseIn(q, location(r))
			if err != nil {
				return u.render(w, r, http.StatusBadRequest, "mergeticket", pageData{Title: "Merge ticket", Nav: "tickets", Error: err.Error(), Data: data})
			}
			list, err = u.Tickets.Search(ctx, actor, parsed, page.Request{Limit: 20})
			if err != nil {
				return err
			}
		} else {
			list, err = u.Tickets.List(ctx, actor, ticket.Filter{RequesterID: src.RequesterID,
				Statuses: []ticket.Status{ticket.StatusNew, ticket.StatusOpen, ticket.StatusPending, ticket.StatusOnHold}}, page.Request{Limit: 20})
			if err != nil {
				return err
			}
		}
		var found []ticket.Ticket
		for _, t := range list.Data {
			if t.ID != src.ID && t.Status != ticket.StatusClosed && t.MergedIntoID == nil {
				found = append(found, t)
			}
		}
		data["Found"] = found
	}
	return u.render(w, r, status, "mergeticket", pageData{Title: "Merge ticket", Nav: "tickets", Error: errMsg, Data: data})
}

func (u *UI) mergeSide(r *http.Request, t ticket.Ticket) (mergeSide, error) {
	ctx := r.Context()
	s := mergeSide{Ticket: t, Created: when(u.lang(r), t.CreatedAt, location(r))}
	if t.Requester != nil {
		s.Requester = t.Requester.Name
	}
	cs, err := u.Tickets.ListComments(ctx, httpx.Actor(ctx), t.ID, page.Request{Limit: page.MaxLimit})
	if err != nil {
		return s, err
	}
	if n := len(cs.Data); n > 0 {
		s.Last = cs.Data[n-1].Body
		if r := []rune(s.Last); len(r) > 280 {
			s.Last = string(r[:280]) + "…"
		}
	}
	return s, nil
}

// MergeTicket merges this ticket into the chosen one and, when a note is
// given, sends it to the requester on the target as a public reply.
func (u *UI) MergeTicket(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	id, err := httpx.PathID(r, "id", "ticket")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	target, err := strconv.ParseInt(r.PostFormValue("target_id"), 10, 64)
	if err != nil || target <= 0 {
		return apperr.InvalidField("target_id", "must be a ticket number")
	}
	note := strings.TrimSpace(r.PostFormValue("note"))
	if msg := textcheck.Body(note); msg != "" || len(note) > ticket.MaxBody {
		// Refuse a note that could not be sent before merging anything.
		if msg == "" {
			msg = "is too long"
		}
		return u.mergeTicketPage(w, r, http.StatusBadRequest, "Note to the requester (optional)"+": "+msg, note)
	}
	if _, err := u.Tickets.Merge(ctx, actor, target, id); err != nil {
		e := u.ErrIn(r, err)
		if e.Code == apperr.CodeInternal || e.Code == apperr.CodeForbidden {
			return err
		}
		msg := e.Message
		if m := e.Fields["source_id"] + e.Fields["target_id"]; m != "" {
			msg = m // "cannot merge a ticket into itself" says more than "invalid fields"
		}
		return u.mergeTicketPage(w, r, httpx.Status(e.Code), msg, note)
	}
	if note != "" {
		public := true
		if _, err := u.Tickets.AddComment(ctx, actor, target, ticket.CommentInput{Body: note, Public: &public}); err != nil {
			// The merge stands; say that the note did not go.
			return u.ticketPage(w, r, httpx.Status(apperr.CodeOf(err)), "The tickets were merged, but the note was not sent. It is in the composer below.", note, nil)
		}
	}
	http.Redirect(w, r, fmt.Sprintf("/tickets/%d?merged=%d", target, id), http.StatusSeeOther)
	return nil
}

// mergedFrom is the ticket just merged into this one (?merged=), for the
// target page's notice.
func mergedFrom(r *http.Request) string {
	if n, err := strconv.ParseInt(r.URL.Query().Get("merged"), 10, 64); err == nil && n > 0 {
		return strconv.FormatInt(n, 10)
	}
	return ""
}
