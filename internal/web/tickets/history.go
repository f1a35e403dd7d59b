package tickets

import (
	"fmt"
	"github.com/ombud/ombud/internal/orders"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/channel/email"
	"github.com/ombud/ombud/internal/channel/phone"
	"github.com/ombud/ombud/internal/chat"
	"github.com/ombud/ombud/internal/csat"
	"github.com/ombud/ombud/internal/sla"
	"github.com/ombud/ombud/internal/ticket"
)

// This file holds the history sentences of the ticket page.

// describe says in words, in lang, what an event did.
func (u *UI) describe(lang string, e ticket.Event, names map[int64]string) string {
	t := func(key string, args ...any) string { return u.i18n.T(lang, key, args...) }
	agentName := func(v any) string {
		f, _ := v.(float64)
		if f == 0 {
			return t("nobody")
		}
		if n := names[int64(f)]; n != "" {
			return n
		}
		return t("agent %s", strconv.FormatInt(int64(f), 10))
	}
	list := func(v any) string {
		var out []string
		switch x := v.(type) {
		case []any:
			for _, s := range x {
				out = append(out, fmt.Sprint(s))
			}
		case []string:
			out = x
		case nil:
		default:
			out = append(out, fmt.Sprint(x))
		}
		if len(out) == 0 {
			return "—"
		}
		return strings.Join(out, ", ")
	}
	value := func(v any) string {
		if v == nil {
			return "—"
		}
		return u.labelIn(lang, v)
	}
	d := e.Data
	switch e.Type {
	case ticket.EvCreated:
		return t("created the ticket (%s, %s)", value(d["channel"]), value(d["priority"]))
	case ticket.EvCommentAdded:
		if pub, _ := d["public"].(bool); pub {
			return t("added a public reply")
		}
		return t("added an internal note")
	case ticket.EvStatusChanged:
		return t("changed status from %s to %s", value(d["from"]), value(d["to"]))
	case ticket.EvPriorityChanged:
		return t("changed priority from %s to %s", value(d["from"]), value(d["to"]))
	case ticket.EvTypeChanged:
		return t("changed type from %s to %s", value(d["from"]), value(d["to"]))
	case ticket.EvLanguageChanged:
		return t("changed language from %s to %s", fmt.Sprint(d["from"]), fmt.Sprint(d["to"]))
	case ticket.EvSubjectChanged:
		return t("changed the subject from %s to %s", fmt.Sprint(d["from"]), fmt.Sprint(d["to"]))
	case ticket.EvAssigneeChanged:
		return t("assigned from %s to %s", agentName(d["from"]), agentName(d["to"]))
	case ticket.EvTeamChanged:
		return t("changed the team")
	case ticket.EvTagsChanged:
		return t("tags: added %s, removed %s", list(d["added"]), list(d["removed"]))
	case ticket.EvFieldChanged:
		return t("changed %s from %s to %s", fmt.Sprint(d["key"]), fmt.Sprint(d["from"]), fmt.Sprint(d["to"]))
	case ticket.EvMerged:
		return t("merged this ticket into #%s", fmt.Sprint(d["into"]))
	case ticket.EvMergeReceived:
		return t("merged ticket #%s into this one", fmt.Sprint(d["from"]))
	case sla.EvRetargeted: // slahistory.go
		return u.describeRetarget(lang, e)
	case email.EvDeliveryFailed, email.EvBounced, email.EvDeliveryRetried, email.EvDeliverySuperseded: // delivery.go
		return u.describeDelivery(lang, e)
	case csat.EvRequested, csat.EvRated, csat.EvCommented: // csat.go
		return u.describeCSAT(lang, e)
	case chat.EvOffered:
		return t("offered the chat to %s", agentName(d["agent_id"]))
	case chat.EvAccepted:
		return t("accepted the chat")
	case chat.EvDeclined:
		return t("declined the chat")
	case chat.EvMissed:
		return t("the chat offer to %s timed out", agentName(d["agent_id"]))
	case chat.EvTransferred:
		if to, _ := d["to_agent_id"].(float64); to != 0 {
			return t("transferred the chat to %s", agentName(d["to_agent_id"]))
		}
		return t("transferred the chat to a team")
	case chat.EvEnded:
		return t("ended the chat")
	case phone.EvCallStarted, phone.EvCallAnswered, phone.EvCallEnded, phone.EvCallMissed: // phonecalls.go
		return u.describeCall(lang, e, agentName)
	case "qa_reviewed": // qa.EvReviewed: the score is on the review, for those who may read it
		return t("submitted a quality review")
	case "qa_review_resolved": // qa.EvReviewResolved
		return t("resolved a dispute of a quality review")
	case orders.EvReturnOpened, orders.EvReturnStatus: // orderspanel.go
		return u.describeReturn(lang, e)
	case ticket.EvMentioned: // composer.go: @mentions
		var who []string
		ids, _ := d["agent_ids"].([]any)
		for _, id := range ids {
			who = append(who, agentName(id))
		}
		return t("mentioned %s", list(who))
	}
	return strings.ReplaceAll(e.Type, "_", " ")
}
