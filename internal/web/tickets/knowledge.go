package tickets

import (
	"html/template"
	"net/http"

	"github.com/ombud/ombud/internal/ticket"
)

// Knowledge renders the ticket page's knowledge panel: suggested articles
// for the ticket, search (?kbq=), inserting an article into the reply and
// "create an article from this reply". The knowledge surface implements
// it (web/knowledge), so this surface does not depend on that one.
type Knowledge interface {
	TicketPanel(r *http.Request, ticketID int64, subject, latest, lang string, replyID int64) (template.HTML, error)
}

// knowledgePanel feeds the panel the ticket's subject, its latest customer
// message and latest public agent reply.
func (u *UI) knowledgePanel(r *http.Request, t ticket.Ticket, comments []commentView) (template.HTML, error) {
	if u.Knowledge == nil {
		return "", nil
	}
	var latest string
	var reply int64
	for _, c := range comments {
		switch {
		case c.AuthorType == "customer":
			latest = c.Body
		case c.AuthorType == "agent" && c.Public:
			reply = c.ID
		}
	}
	return u.Knowledge.TicketPanel(r, t.ID, t.Subject, latest, t.Language, reply)
}
