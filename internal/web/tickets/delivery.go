package tickets

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/channel/email"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/httpx"
)

// deliveryView is how a reply sent by email is doing, on its message in the
// ticket page: a state, the reason in words (the relay's own reply kept in
// a details element), and for a reply that was not delivered the Retry and
// Edit and resend buttons.
type deliveryView struct {
	email.Delivery
	Label string // Sending…, Sent, Delivered, Not delivered …
	To    string // "to kari@example.no"
	When  string
	Why   string // the reason in words, and what happens next
	Of    string // names the message for screen readers beside the buttons
	// CanRetry and CanResend offer the buttons: to agents who may reply,
	// and Edit and resend only while the ticket takes messages.
	CanRetry, CanResend bool
}

// deliveryLabels are the states in words (catalog keys).
var deliveryLabels = map[string]string{
	email.DeliverySending:    "Sending…",
	email.DeliverySent:       "Sent",
	email.DeliveryDelivered:  "Delivered",
	email.DeliveryFailed:     "Not delivered",
	email.DeliveryBounced:    "Bounced: not delivered",
	email.DeliverySuperseded: "Not delivered: replaced by a new reply",
}

// markDeliveries puts each reply's delivery state on its message, from one
// query for the whole ticket.
func (u *UI) markDeliveries(r *http.Request, t ticket.Ticket, comments []commentView) error {
	if u.Email == nil {
		return nil
	}
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	ds, err := u.Email.Deliveries(ctx, actor, t.ID)
	if err != nil || len(ds) == 0 {
		return err
	}
	byComment := make(map[int64]email.Delivery, len(ds))
	for _, d := range ds {
		byComment[d.CommentID] = d
	}
	lang, loc := u.lang(r), location(r)
	canReply := authz.Can(actor, authz.TicketReply)
	open := t.Status != ticket.StatusClosed && t.MergedIntoID == nil
	for i := range comments {
		d, ok := byComment[comments[i].ID]
		if !ok {
			continue
		}
		v := u.deliveryView(lang, loc, d)
		v.Of = u.i18n.T(lang, "from %s, %s", comments[i].AuthorName, comments[i].When)
		v.CanRetry = canReply && d.Undelivered()
		v.CanResend = v.CanRetry && open
		comments[i].Delivery = &v
	}
	return nil
}

func (u *UI) deliveryView(lang string, loc *time.Location, d email.Delivery) deliveryView {
	t := func(key string, args ...any) string { return u.i18n.T(lang, key, args...) }
	v := deliveryView{Delivery: d, Label: u.i18n.String(lang, deliveryLabels[d.State])}
	if len(d.Recipients) > 0 {
		v.To = t("to %s", strings.Join(d.Recipients, ", "))
	}
	switch d.State {
	case email.DeliverySending:
		v.When = when(lang, d.QueuedAt, loc)
		if d.Reason != "" && d.Attempts > 0 {
			v.Why = t("Attempt %s failed: %s Ombud tries again.", strconv.Itoa(d.Attempts), u.i18n.String(lang, email.ReasonText(d.Reason)))
		}
	case email.DeliverySent, email.DeliveryDelivered:
		if d.SentAt != nil {
			v.When = when(lang, *d.SentAt, loc)
		}
		if d.Delayed {
			v.Why = u.i18n.String(lang, "The recipient's mail server reports a delay; it keeps trying.")
		}
	default:
		if d.FailedAt != nil {
			v.When = when(lang, *d.FailedAt, loc)
		}
		v.Why = u.i18n.String(lang, email.ReasonText(d.Reason))
		if d.Attempts > 1 {
			v.Why += " " + t("Ombud tried %s times.", strconv.Itoa(d.Attempts))
		}
	}
	return v
}

// RetryDelivery answers POST /tickets/{id}/comments/{comment_id}/retry-delivery:
// the reply that was not delivered is queued again, as it was.
func (u *UI) RetryDelivery(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	id, cid, err := ticketComment(r)
	if err != nil {
		return err
	}
	if _, err := u.Tickets.Get(ctx, actor, id); err != nil {
		return err
	}
	if _, err := u.Email.RetryDelivery(ctx, actor, id, cid); err != nil {
		if e := u.ErrIn(r, err); e.Code == apperr.CodeConflict {
			return u.ticketPage(w, r, http.StatusConflict, u.i18n.String(u.lang(r), "This reply was replaced by a newer one; retry that one instead."), "", nil)
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/tickets/%d#c%d", id, cid), http.StatusSeeOther)
	return nil
}

// ResendDelivery answers POST /tickets/{id}/comments/{comment_id}/resend:
// the ticket page with the reply that was not delivered in the composer,
// to edit and send instead of it ("edit and resend").
func (u *UI) ResendDelivery(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	id, cid, err := ticketComment(r)
	if err != nil {
		return err
	}
	if _, err := u.Tickets.Get(ctx, actor, id); err != nil {
		return err
	}
	if err := authz.Check(actor, authz.TicketReply); err != nil {
		return err
	}
	body, undelivered, err := u.undeliveredReply(ctx, actor, id, cid)
	if err != nil {
		return err
	}
	if !undelivered {
		// Sent meanwhile (a colleague retried it): nothing to resend.
		http.Redirect(w, r, fmt.Sprintf("/tickets/%d#c%d", id, cid), http.StatusSeeOther)
		return nil
	}
	return u.ticketPageFull(w, r, ticketPageOpts{status: http.StatusOK, draft: body, supersedes: cid})
}

// undeliveredReply returns a reply's text and whether it is still waiting
// for an agent (not delivered, not retried, not replaced).
func (u *UI) undeliveredReply(ctx context.Context, actor authz.Actor, ticketID, commentID int64) (string, bool, error) {
	ds, err := u.Email.Deliveries(ctx, actor, ticketID)
	if err != nil {
		return "", false, err
	}
	for _, d := range ds {
		if d.CommentID != commentID {
			continue
		}
		// The comment itself: the first of the ticket's comments after the
		// one before it.
		cs, err := u.Tickets.ListComments(ctx, actor, ticketID, page.Request{Limit: 1, Cursor: &page.Cursor{ID: commentID - 1}})
		if err != nil {
			return "", false, err
		}
		if len(cs.Data) == 0 || cs.Data[0].ID != commentID {
			return "", false, apperr.NotFound("comment", commentID)
		}
		return cs.Data[0].Body, d.Undelivered(), nil
	}
	return "", false, apperr.NotFound("email delivery of comment", commentID)
}

// supersedesOf reads the composer's hidden field naming the reply it
// replaces (0 when none).
func supersedesOf(v string) int64 {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

func ticketComment(r *http.Request) (int64, int64, error) {
	id, err := httpx.PathID(r, "id", "ticket")
	if err != nil {
		return 0, 0, err
	}
	cid, err := httpx.PathID(r, "comment_id", "comment")
	if err != nil {
		return 0, 0, err
	}
	return id, cid, nil
}

// markUndelivered flags the list's tickets with a reply that was not
// delivered, and counts all such tickets for the link above the list
// (two small queries over a partial index).
func (u *UI) markUndelivered(ctx context.Context, data map[string]any, tickets []ticket.Ticket) error {
	data["UndeliveredIDs"] = map[int64]bool{}
	if u.Email == nil {
		return nil
	}
	ids := make([]int64, len(tickets))
	for i, t := range tickets {
		ids[i] = t.ID
	}
	flags, err := u.Email.Undelivered(ctx, ids)
	if err != nil {
		return err
	}
	n, err := u.Email.UndeliveredCount(ctx)
	if err != nil {
		return err
	}
	data["UndeliveredIDs"], data["UndeliveredCount"] = flags, n
	return nil
}

// describeDelivery is the history line of a delivery event.
func (u *UI) describeDelivery(lang string, e ticket.Event) string {
	t := func(key string, args ...any) string { return u.i18n.T(lang, key, args...) }
	d := e.Data
	str := func(k string) string { s, _ := d[k].(string); return s }
	switch e.Type {
	case email.EvDeliveryFailed:
		reason := str("reason")
		if reason == "" && strings.Contains(str("error"), "no mailbox") {
			reason = email.ReasonNoMailbox // recorded before reasons were
		}
		return t("could not deliver a reply: %s", u.i18n.String(lang, email.ReasonText(reason)))
	case email.EvBounced:
		why := strings.TrimSpace(str("status") + " " + str("diagnostic"))
		if p, _ := d["permanent"].(bool); p {
			return t("received a bounce for a reply: %s", why)
		}
		return t("heard that the delivery of a reply is delayed: %s", why)
	case email.EvDeliveryRetried:
		return t("sent a reply that was not delivered again")
	case email.EvDeliverySuperseded:
		return t("replaced a reply that was not delivered with a new one")
	}
	return strings.ReplaceAll(e.Type, "_", " ")
}
