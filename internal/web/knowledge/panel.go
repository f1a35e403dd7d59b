package knowledge

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/kb"
	"github.com/ombud/ombud/internal/richtext"
	"github.com/ombud/ombud/internal/web/httpx"
)

// panelItem is an article in the ticket page's panel.
type panelItem struct {
	kb.Hit
	Public bool
}

// TicketPanel renders the ticket page's knowledge panel
// (tickets.Knowledge): articles suggested from the subject and the latest
// customer message in the ticket's language, or the results of the
// panel's search (?kbq=), each with buttons to insert a link or the text
// into the reply; and "create an article from this reply".
func (u *UI) TicketPanel(r *http.Request, ticketID int64, subject, latest, lang string, replyID int64) (template.HTML, error) {
	actor := httpx.Actor(r.Context())
	if !authz.Can(actor, authz.KBRead) {
		return "", nil
	}
	v := kb.Viewer{Actor: actor}
	q := strings.TrimSpace(r.URL.Query().Get("kbq"))
	var hits []kb.Hit
	var err error
	didYouMean := ""
	if q != "" {
		var res kb.Results
		res, err = u.KB.Find(r.Context(), v, kb.Filter{Query: q, State: kb.StatePublished, Limit: 8})
		hits, didYouMean = res.Hits, res.DidYouMean
	} else {
		hits, err = u.KB.Suggest(r.Context(), v, subject+"\n"+latest, lang, 5)
	}
	if err != nil {
		return "", err
	}
	items := make([]panelItem, 0, len(hits))
	for _, h := range hits {
		items = append(items, panelItem{Hit: h, Public: h.Visibility == kb.VisPublic})
	}
	data := map[string]any{"Lang": u.Lang(r), "Items": items, "Query": q, "Searched": q != "", "DidYouMean": didYouMean, "TicketID": ticketID,
		"CSRF": csrf(r), "CanInsert": authz.Can(actor, authz.TicketReply), "CanWrite": authz.Can(actor, authz.KBWrite), "ReplyID": replyID}
	var buf bytes.Buffer
	if err := u.panel.Execute(&buf, data); err != nil {
		return "", fmt.Errorf("knowledge: panel: %w", err)
	}
	return template.HTML(buf.String()), nil // our own template's output
}

func csrf(r *http.Request) string {
	if s := httpx.SessionFrom(r.Context()); s != nil {
		return s.CSRF
	}
	return ""
}

// Insert answers POST /knowledge/articles/{id}/insert (form: ticket_id,
// kind link|text): the article's link or text, in the ticket's language
// where it has one, goes at the end of the agent's reply draft on the
// ticket, the use is recorded, and the ticket page opens again.
func (u *UI) Insert(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "article")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	actor := httpx.Actor(r.Context())
	tid, err := strconv.ParseInt(r.PostForm.Get("ticket_id"), 10, 64)
	if err != nil || tid <= 0 {
		return apperr.InvalidField("ticket_id", "is required")
	}
	kind := r.PostForm.Get("kind")
	t, err := u.Tickets.Get(r.Context(), actor, tid)
	if err != nil {
		return err
	}
	a, err := u.KB.Get(r.Context(), kb.Viewer{Actor: actor}, id)
	if err != nil {
		return err
	}
	if kind == "link" && (a.Visibility != kb.VisPublic || a.State != kb.StatePublished) {
		return apperr.InvalidField("kind", "only a published public article has a link customers can open")
	}
	if err := u.KB.RecordUse(r.Context(), actor, id, tid, kind); err != nil {
		return err
	}
	tr, _ := a.In(t.Language, a.SourceLanguage)
	var add string
	if kind == "link" {
		add = fmt.Sprintf("%s: %s/help/%s/articles/%d-%s", tr.Title, u.base(r), tr.Language, a.ID, tr.Slug)
	} else {
		add = strings.TrimSpace(richtext.ToText(tr.HTML))
	}
	d, err := u.Tickets.GetDraft(r.Context(), actor, tid)
	if err != nil {
		return err
	}
	body := strings.TrimRight(d.Body, "\n ")
	if body != "" {
		body += "\n\n"
	}
	if err := u.Tickets.SaveDraft(r.Context(), actor, tid, body+add, true); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/tickets/%d#body", tid), http.StatusSeeOther)
	return nil
}

// base is the absolute prefix of links customers open.
func (u *UI) base(r *http.Request) string {
	if u.BaseURL != "" {
		return strings.TrimRight(u.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
