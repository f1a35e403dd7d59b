package tickets

import (
	"errors"
	"fmt"
	"html"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	xhtml "golang.org/x/net/html"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/httpx"
)

// The composer: replies and notes with attachments (a multipart form that
// works without JavaScript), @mentions, and the ticket's print view.

// maxComposerFiles is how many files one message may carry.
const maxComposerFiles = 50

// uploadLimits are the composer's size limits: the request body limit
// (--max-body-bytes) bounds the whole message, and no file may exceed
// ticket.MaxAttachment.
type uploadLimits struct {
	PerFile, Total int64
	PerFileText    string
	TotalText      string
}

func (u *UI) uploadLimits() uploadLimits {
	total := u.MaxUploadBytes
	if total <= 0 {
		total = ticket.MaxAttachment
	}
	// Leave room for the text fields and the multipart framing, and keep
	// the number round enough to say (10 MiB of request: 9 MB of files).
	if total > 128<<10 {
		total -= 64 << 10
	}
	if total >= 2<<20 {
		total -= total % (1 << 20)
	}
	per := min(total, int64(ticket.MaxAttachment))
	return uploadLimits{PerFile: per, Total: total, PerFileText: sizeText(per), TotalText: sizeText(total)}
}

// sizeText writes a byte count for people: 512 bytes, 40 KB, 9.9 MB.
func sizeText(n int64) string {
	switch {
	case n < 1024:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1<<20:
		return strconv.FormatInt((n+512)/1024, 10) + " KB"
	}
	s := strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64)
	return strings.TrimSuffix(s, ".0") + " MB"
}

// composerForm is a posted composer: its text fields, the files already in
// the blob store, and what went wrong with the files (the text is kept).
type composerForm struct {
	values  url.Values
	files   []ticket.Attachment
	fileErr string
}

// readComposer reads the composer form: url-encoded (no files), or
// multipart, streamed part by part so that each file goes straight to the
// blob store and a file over a limit, or a body over the request limit,
// still leaves the text fields that came before it (the form puts the file
// input after them). r.PostForm holds the text fields afterwards.
func (u *UI) readComposer(r *http.Request) (composerForm, error) {
	ct := r.Header.Get("Content-Type")
	if !strings.HasPrefix(ct, "multipart/form-data") {
		if err := r.ParseForm(); err != nil {
			return composerForm{}, apperr.InvalidField("body", "is not a form")
		}
		return composerForm{values: r.PostForm}, nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return composerForm{}, apperr.InvalidField("body", "is not a form")
	}
	f := composerForm{values: url.Values{}}
	r.PostForm = f.values
	lim := u.uploadLimits()
	actor := httpx.Actor(r.Context())
	var mbe *http.MaxBytesError
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			switch {
			case f.fileErr != "":
				// The rest of a refused upload: what came before is kept.
			case errors.As(err, &mbe):
				f.fileErr = u.tr(r, "The files are larger than %s in all. Choose fewer or smaller files.", lim.TotalText)
			default:
				return f, apperr.InvalidField("body", "is not a valid form")
			}
			break
		}
		name := p.FormName()
		if p.FileName() == "" && name != "attachments" {
			b, err := io.ReadAll(io.LimitReader(p, ticket.MaxBody+1))
			if errors.As(err, &mbe) {
				f.fileErr = u.tr(r, "The files are larger than %s in all. Choose fewer or smaller files.", lim.TotalText)
				break
			}
			if err != nil {
				return f, apperr.InvalidField(name, "could not be read")
			}
			if strings.IndexByte(name, 0) >= 0 || strings.IndexByte(string(b), 0) >= 0 {
				return f, apperr.InvalidField(strings.ReplaceAll(name, "\x00", ""), "must not contain the NUL character")
			}
			f.values.Add(name, string(b))
			continue
		}
		if name != "attachments" || f.fileErr != "" {
			continue // unknown file fields, or files after a refused one
		}
		if p.FileName() == "" {
			continue // the empty part a browser sends when no file was chosen
		}
		if len(f.files) >= maxComposerFiles {
			f.fileErr = u.tr(r, "Too many files: at most %s in one message.", strconv.Itoa(maxComposerFiles))
			continue
		}
		a, err := u.Tickets.PutFile(r.Context(), actor, p.FileName(), p.Header.Get("Content-Type"), p, lim.PerFile)
		switch {
		case err == nil:
			f.files = append(f.files, a)
		case errors.As(err, &mbe):
			f.fileErr = u.tr(r, "The files are larger than %s in all. Choose fewer or smaller files.", lim.TotalText)
		case apperr.Is(err, apperr.CodeTooLarge):
			f.fileErr = u.tr(r, "“%s” is larger than %s. Choose a smaller file.", ticket.CleanFilename(p.FileName()), lim.PerFileText)
		default:
			return f, err
		}
		if errors.As(err, &mbe) {
			break
		}
	}
	return f, nil
}

// filesLost adds to the message of a refused send, when it carried files,
// that they were not sent: a page cannot fill a file input again, so the
// agent chooses them once more (the text is kept).
func (u *UI) filesLost(r *http.Request, f composerForm, msg string, fields map[string]string) (string, map[string]string) {
	if len(f.files) == 0 {
		return msg, fields
	}
	note := u.tr(r, "The files were not sent: choose them again.")
	out := map[string]string{"attachments": note}
	for k, v := range fields {
		out[k] = v
	}
	return msg + " " + note, out
}

// MentionAgents answers GET /agents/mentions?q= for the composer's @
// autocomplete: the agents a comment may mention, as JSON.
func (u *UI) MentionAgents(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r, "q"); err != nil {
		return err
	}
	list, err := u.Tickets.Mentionable(r.Context(), httpx.Actor(r.Context()), r.URL.Query().Get("q"), 8)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": list})
}

// markMentions highlights the @mentions in agents' comments.
func (u *UI) markMentions(r *http.Request, comments []commentView) {
	agentWrote := false
	for _, c := range comments {
		agentWrote = agentWrote || (c.AuthorType == "agent" && strings.Contains(c.Body, "@"))
	}
	if !agentWrote {
		return
	}
	cands, err := u.Tickets.Mentionable(r.Context(), httpx.Actor(r.Context()), "", 0)
	if err != nil {
		return // no highlighting is better than no page
	}
	for i, c := range comments {
		if c.AuthorType == "agent" && strings.Contains(c.Body, "@") {
			comments[i].HTML = highlightMentions(c.HTML, cands)
		}
	}
}

// highlightMentions wraps each mention in the text of sanitised comment
// HTML in <span class="mention">; markup passes through as it was.
func highlightMentions(src string, cands []ticket.MentionCandidate) string {
	z := xhtml.NewTokenizer(strings.NewReader(src))
	var b strings.Builder
	inLink := 0
	for {
		tt := z.Next()
		switch tt {
		case xhtml.ErrorToken:
			return b.String()
		case xhtml.StartTagToken, xhtml.EndTagToken:
			if name, _ := z.TagName(); string(name) == "a" {
				if tt == xhtml.StartTagToken {
					inLink++
				} else if inLink > 0 {
					inLink--
				}
			}
		case xhtml.TextToken:
			raw := string(z.Raw())
			text := html.UnescapeString(raw)
			ms := ticket.FindMentions(text, cands)
			if len(ms) == 0 || inLink > 0 {
				b.WriteString(raw)
				continue
			}
			prev := 0
			for _, m := range ms {
				b.WriteString(html.EscapeString(text[prev:m.Start]))
				b.WriteString(`<span class="mention">`)
				b.WriteString(html.EscapeString(text[m.Start:m.End]))
				b.WriteString(`</span>`)
				prev = m.End
			}
			b.WriteString(html.EscapeString(text[prev:]))
			continue
		}
		b.Write(z.Raw())
	}
}

// printComment is one message of the print view.
type printComment struct {
	commentView
	Body template.HTML
}

// PrintTicket answers GET /tickets/{id}/print: the ticket's fields and
// whole conversation on a plain page for printing or saving as PDF.
func (u *UI) PrintTicket(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	id, err := httpx.PathID(r, "id", "ticket")
	if err != nil {
		return err
	}
	t, err := u.Tickets.Get(ctx, actor, id)
	if err != nil {
		return err
	}
	var comments []commentView
	var after *page.Cursor
	for {
		// The whole conversation, not only its first page.
		cs, err := u.Tickets.ListComments(ctx, actor, id, page.Request{Limit: page.MaxLimit, Cursor: after})
		if err != nil {
			return err
		}
		for _, c := range cs.Data {
			comments = append(comments, commentView{Comment: c})
		}
		if cs.NextCursor == nil || len(cs.Data) == 0 {
			break
		}
		after = &page.Cursor{ID: cs.Data[len(cs.Data)-1].ID}
	}
	agentIDs, customerIDs := []int64{}, []int64{}
	if t.AssigneeID != nil {
		agentIDs = append(agentIDs, *t.AssigneeID)
	}
	for _, c := range comments {
		switch c.AuthorType {
		case "agent":
			agentIDs = append(agentIDs, c.AuthorID)
		case "customer":
			customerIDs = append(customerIDs, c.AuthorID)
		}
	}
	agents, err := u.Agents.Brief(ctx, agentIDs)
	if err != nil {
		return err
	}
	customers := map[int64]string{}
	if u.Customers != nil {
		briefs, err := u.Customers.Brief(ctx, customerIDs)
		if err != nil {
			return err
		}
		for id, b := range briefs {
			customers[id] = b.Name
		}
	}
	loc, lang := location(r), u.lang(r)
	requester := ""
	if t.Requester != nil {
		requester = t.Requester.Name
	}
	for i := range comments {
		c := &comments[i]
		c.When = when(lang, c.CreatedAt, loc)
		switch c.AuthorType {
		case "agent":
			c.AuthorName = agents[c.AuthorID].Name
		case "customer":
			c.AuthorName = customers[c.AuthorID]
			if c.AuthorName == "" {
				c.AuthorName = requester
			}
		default:
			c.AuthorName = "Ombud"
		}
	}
	u.markMentions(r, comments)
	if err := hideRemoteImages(w, r, comments, false); err != nil {
		return err
	}
	out := make([]printComment, len(comments))
	for i, c := range comments {
		out[i] = printComment{commentView: c, Body: template.HTML(c.HTML)} // sanitised by the ticket service
	}
	assignee := ""
	if t.AssigneeID != nil {
		assignee = agents[*t.AssigneeID].Name
	}
	return u.render(w, r, http.StatusOK, "print", pageData{Title: fmt.Sprintf("#%d %s", t.ID, t.Subject), Data: map[string]any{
		"T": t, "Comments": out, "Assignee": assignee, "Created": when(lang, t.CreatedAt, loc), "Updated": when(lang, t.UpdatedAt, loc),
		"Tags": strings.Join(t.Tags, ", "), "Printed": when(lang, time.Now(), loc), "Size": sizeText,
	}})
}
