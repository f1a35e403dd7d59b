package tickets

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/privacy"
	"github.com/ombud/ombud/internal/web/httpx"
)

// This file holds "Delete ticket" and "Mark as spam" from the ticket page:
// a confirmation that says what goes (the ticket with its messages and
// files, for good) and, for spam, which addresses are blocked, then the
// deletion, and back to the list with a notice.

// Deleter deletes tickets (privacy.Service).
type Deleter interface {
	DeleteTicket(ctx context.Context, actor authz.Actor, id int64) (privacy.Deleted, error)
	MarkSpam(ctx context.Context, actor authz.Actor, id int64) (privacy.Deleted, error)
}

// DeleteTicketPage answers GET /tickets/{id}/delete: the confirmation.
func (u *UI) DeleteTicketPage(w http.ResponseWriter, r *http.Request) error {
	return u.deletePage(w, r, false)
}

// SpamTicketPage answers GET /tickets/{id}/spam: the confirmation.
func (u *UI) SpamTicketPage(w http.ResponseWriter, r *http.Request) error {
	return u.deletePage(w, r, true)
}

func (u *UI) deletePage(w http.ResponseWriter, r *http.Request, spam bool) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	perm := authz.TicketDelete
	if spam {
		perm = authz.TicketSpam
	}
	if err := authz.Check(actor, perm); err != nil {
		return err
	}
	id, err := httpx.PathID(r, "id", "ticket")
	if err != nil {
		return err
	}
	t, err := u.Tickets.Get(ctx, actor, id)
	if err != nil {
		return err
	}
	side, err := u.mergeSide(r, t) // mergeticket.go: requester, dates, the latest message
	if err != nil {
		return err
	}
	var emails []string
	if spam {
		c, err := u.Customers.Get(ctx, actor, t.RequesterID)
		if err != nil {
			return err
		}
		for _, id := range c.Identities {
			if id.Type == "email" {
				emails = append(emails, id.Value)
			}
		}
	}
	title := "Delete ticket"
	if spam {
		title = "Mark as spam"
	}
	return u.render(w, r, http.StatusOK, "deleteticket", pageData{Title: title, Nav: "tickets",
		Data: map[string]any{"Side": side, "Spam": spam, "Emails": emails, "Comments": strconv.Itoa(t.CommentCount)}})
}

// DeleteTicket answers POST /tickets/{id}/delete.
func (u *UI) DeleteTicket(w http.ResponseWriter, r *http.Request) error {
	return u.deleteTicket(w, r, false)
}

// SpamTicket answers POST /tickets/{id}/spam.
func (u *UI) SpamTicket(w http.ResponseWriter, r *http.Request) error {
	return u.deleteTicket(w, r, true)
}

func (u *UI) deleteTicket(w http.ResponseWriter, r *http.Request, spam bool) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	id, err := httpx.PathID(r, "id", "ticket")
	if err != nil {
		return err
	}
	var d privacy.Deleted
	if spam {
		d, err = u.Deleter.MarkSpam(ctx, actor, id)
	} else {
		d, err = u.Deleter.DeleteTicket(ctx, actor, id)
	}
	if err != nil {
		return err
	}
	q := url.Values{"deleted": {strconv.FormatInt(id, 10)}}
	if spam {
		q.Set("blocked", strings.Join(d.Blocked, ", "))
	}
	http.Redirect(w, r, "/tickets?"+q.Encode(), http.StatusSeeOther)
	return nil
}

// deletedNotice is the list's notice after a deletion (?deleted=, and
// ?blocked= after a spam mark).
func (u *UI) deletedNotice(lang string, qs url.Values) string {
	id, err := strconv.ParseInt(qs.Get("deleted"), 10, 64)
	if err != nil || id <= 0 {
		return ""
	}
	n := u.i18n.T(lang, "Ticket #%s was deleted.", fmt.Sprint(id))
	if qs.Has("blocked") { // a spam mark: which addresses it blocked
		b := qs.Get("blocked")
		if b == "" {
			return n + " " + u.i18n.T(lang, "Its requester has no email address to block.")
		}
		return n + " " + u.i18n.T(lang, "Mail from %s now goes to the mail log instead of opening tickets.", b)
	}
	return n
}
