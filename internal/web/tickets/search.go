package tickets

import (
	"errors"
	"net/http"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/search"
	"github.com/ombud/ombud/internal/web/httpx"
)

// suggestLimit is how many tickets and how many customers the search box
// offers while an agent types.
const suggestLimit = 5

// queryError is a search error in the agent's language: the parser's and
// the ticket store's query problems are catalog formats (i18n/search.go);
// anything else keeps its message.
func (u *UI) queryError(lang string, err error) string {
	var p *search.Problem
	if errors.As(err, &p) {
		return u.i18n.T(lang, p.Format, p.Args...)
	}
	e := apperr.As(err)
	if m := e.Fields["q"]; m != "" {
		return u.MsgIn(lang, m)
	}
	return u.MsgIn(lang, e.Message)
}

type ticketSuggestion struct {
	ID          int64  `json:"id"`
	Subject     string `json:"subject"`
	Status      string `json:"status"`
	StatusLabel string `json:"status_label"` // in the agent's language
}

// suggestions is the answer of GET /search/suggest.
type suggestions struct {
	Tickets   []ticketSuggestion    `json:"tickets"`
	Customers []customer.Suggestion `json:"customers"`
	// Error is why the text typed so far is not a query yet (an unknown
	// field, an open quote), in the agent's language; "" when it is one.
	Error string `json:"error"`
}

// SearchSuggest answers GET /search/suggest?q=: up to five tickets and five
// customers for what is typed in the header's search box, as JSON for its
// listbox (static/search.js). Without the script the box submits to
// /tickets?q= as before.
func (u *UI) SearchSuggest(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r, "q"); err != nil {
		return err
	}
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	lang := u.lang(r)
	out := suggestions{Tickets: []ticketSuggestion{}, Customers: []customer.Suggestion{}}
	q, err := search.ParseIn(r.URL.Query().Get("q"), location(r))
	switch {
	case err != nil && apperr.CodeOf(err) == apperr.CodeInvalid:
		out.Error = u.queryError(lang, err)
	case err != nil:
		return err
	default:
		ts, err := u.Tickets.Suggest(ctx, actor, q, suggestLimit)
		if err != nil {
			return err
		}
		for _, t := range ts {
			out.Tickets = append(out.Tickets, ticketSuggestion{ID: t.ID, Subject: t.Subject, Status: string(t.Status),
				StatusLabel: u.i18n.String(lang, label(t.Status))})
		}
		if u.Customers != nil && authz.Can(actor, authz.CustomerRead) {
			if out.Customers, err = u.Customers.Suggest(ctx, actor, q.Text(), suggestLimit); err != nil {
				return err
			}
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	return httpx.WriteJSON(w, http.StatusOK, out)
}
