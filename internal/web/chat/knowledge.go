package chat

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/kb"
	"github.com/ombud/ombud/internal/richtext"
	"github.com/ombud/ombud/internal/web/httpx"
)

// article is a knowledge article offered in the composer.
type article struct {
	ID       int64  `json:"id"`
	Title    string `json:"title"`
	Snippet  string `json:"snippet"`
	Language string `json:"language"`
	Public   bool   `json:"public"` // published and public: it has a link the visitor can open
}

// knowledgeList is the composer's knowledge panel.
type knowledgeList struct {
	Query     string    `json:"query"`
	Suggested bool      `json:"suggested"` // from the visitor's latest messages, not a search
	Articles  []article `json:"articles"`
}

// Knowledge answers GET /chat/knowledge?conversation=&q=: articles
// suggested from the chat's topic and the visitor's latest messages, in
// the chat's language, or the results of a search for q (JSON) — what the
// ticket page's knowledge panel offers.
func (u *UI) Knowledge(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	convID, err := httpx.QueryInt64(r, "conversation")
	if err != nil {
		return err
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if len(q) > 200 {
		return apperr.InvalidField("q", "must be at most 200 characters")
	}
	out := knowledgeList{Query: q, Articles: []article{}}
	if u.KB == nil {
		return httpx.WriteJSON(w, http.StatusOK, out)
	}
	v := kb.Viewer{Actor: actor}
	var hits []kb.Hit
	switch {
	case q != "":
		hits, err = u.KB.Search(ctx, v, kb.Filter{Query: q, State: kb.StatePublished, Limit: 8})
	case convID == 0:
		return apperr.InvalidField("conversation", "is required without q")
	default:
		c, text, verr := u.Chat.VisitorText(ctx, actor, convID)
		if verr != nil {
			return verr
		}
		out.Suggested = true
		hits, err = u.KB.Suggest(ctx, v, text, c.Language, 5)
	}
	if err != nil {
		return err
	}
	for _, h := range hits {
		out.Articles = append(out.Articles, article{ID: h.ArticleID, Title: h.Title, Snippet: h.Snippet, Language: h.Language,
			Public: h.Visibility == kb.VisPublic && h.State == kb.StatePublished})
	}
	return httpx.WriteJSON(w, http.StatusOK, out)
}

// insertBody is the composer's JSON for an insert.
type insertBody struct {
	Conversation int64  `json:"conversation"`
	Kind         string `json:"kind"` // link or text
}

// Insert answers POST /chat/knowledge/{id}/insert (JSON: conversation,
// kind link|text): the article's link or plain text, in the chat's
// language where it has one, for the composer; the use is recorded on the
// chat's ticket like an insert on the ticket page.
func (u *UI) Insert(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "article")
	if err != nil {
		return err
	}
	var b insertBody
	if err := httpx.DecodeJSON(r, &b); err != nil {
		return err
	}
	if b.Conversation <= 0 {
		return apperr.InvalidField("conversation", "is required")
	}
	if b.Kind != "link" && b.Kind != "text" {
		return apperr.InvalidField("kind", "must be link or text")
	}
	if u.KB == nil {
		return apperr.NotFound("article", id)
	}
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	c, _, err := u.Chat.VisitorText(ctx, actor, b.Conversation)
	if err != nil {
		return err
	}
	a, err := u.KB.Get(ctx, kb.Viewer{Actor: actor}, id)
	if err != nil {
		return err
	}
	if b.Kind == "link" && (a.Visibility != kb.VisPublic || a.State != kb.StatePublished) {
		return apperr.InvalidField("kind", "only a published public article has a link customers can open")
	}
	if err := u.KB.RecordUse(ctx, actor, id, c.TicketID, b.Kind); err != nil {
		return err
	}
	tr, _ := a.In(c.Language, a.SourceLanguage)
	text := strings.TrimSpace(richtext.ToText(tr.HTML))
	if b.Kind == "link" {
		text = fmt.Sprintf("%s: %s/help/%s/articles/%d-%s", tr.Title, u.base(r), tr.Language, a.ID, tr.Slug)
	}
	return httpx.WriteJSON(w, http.StatusOK, map[string]string{"text": text})
}

// base is the absolute prefix of links visitors open.
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
