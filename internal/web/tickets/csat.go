package tickets

import (
	"context"
	"fmt"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/csat"
	"github.com/ombud/ombud/internal/ticket"
)

// This file shows a ticket's satisfaction survey: the rating and comment
// in the side panel, and the survey events' history sentences.

// csatView is the side panel's survey box.
type csatView struct {
	Rated   bool
	Rating  string // good or bad
	Label   string // the answer in words
	When    string
	Comment string
	Sent    string
}

// csatPanel returns the ticket's survey for the panel (nil when none was sent).
func (u *UI) csatPanel(ctx context.Context, actor authz.Actor, lang string, loc *time.Location, ticketID int64) (*csatView, error) {
	if u.CSAT == nil {
		return nil, nil
	}
	v, err := u.CSAT.ForTicket(ctx, actor, ticketID)
	if apperr.Is(err, apperr.CodeNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := &csatView{Sent: when(lang, v.RequestedAt, loc), Comment: v.Comment}
	if v.Score > 0 && v.RatedAt != nil {
		out.Rated, out.Rating, out.When = true, v.Rating, when(lang, *v.RatedAt, loc)
		out.Label = u.i18n.String(lang, csat.ScoreLabel(v.Scale, v.Score))
	}
	return out, nil
}

// describeCSAT words a survey event.
func (u *UI) describeCSAT(lang string, e ticket.Event) string {
	t := func(key string, args ...any) string { return u.i18n.T(lang, key, args...) }
	score := func(k string) int {
		f, _ := e.Data[k].(float64)
		return int(f)
	}
	scale, _ := e.Data["scale"].(string)
	answer := func(k string) string { return u.i18n.String(lang, csat.ScoreLabel(scale, score(k))) }
	switch e.Type {
	case csat.EvRequested:
		to, _ := e.Data["to"].(string)
		return t("sent a satisfaction survey to %s", to)
	case csat.EvRated:
		if score("previous_score") > 0 {
			return t("changed the satisfaction rating from %s to %s", answer("previous_score"), answer("score"))
		}
		return t("rated the support: %s", answer("score"))
	case csat.EvCommented:
		return t("changed the satisfaction comment")
	}
	return fmt.Sprint(e.Type)
}
