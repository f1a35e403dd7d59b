package tickets

import (
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/ticket"
)

// searchTotal is the line above a search's results: how many tickets it
// found, "About …" when the total is an estimate; "" when the search tells
// no total.
func (u *UI) searchTotal(lang string, l page.List[ticket.Ticket]) string {
	switch {
	case l.Total == nil:
		return ""
	case l.TotalEstimated:
		return u.i18n.T(lang, "About %s tickets found", i18n.FormatCount(lang, *l.Total))
	case *l.Total == 1:
		return u.i18n.T(lang, "1 ticket found")
	}
	return u.i18n.T(lang, "%s tickets found", i18n.FormatCount(lang, *l.Total))
}
