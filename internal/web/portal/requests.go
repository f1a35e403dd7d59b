package portal

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/kb"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/portal"
	"github.com/ombud/ombud/internal/ticket"
)

// listData is the "my requests" page.
type listData struct {
	Tickets []ticket.Ticket
	Next    string
}

// List answers GET /portal/requests: the customer's requests, most
// recently updated first, paged.
func (u *UI) List(w http.ResponseWriter, r *http.Request) error {
	c, secret, ok := u.signedIn(w, r)
	if !ok {
		return nil
	}
	pr, err := page.Parse("25", r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	l, err := u.Portal.Requests(r.Context(), *c, pr)
	if err != nil {
		return err
	}
	v := u.newView(w, r, c, secret, "My requests")
	d := listData{Tickets: l.Data}
	if l.NextCursor != nil {
		d.Next = *l.NextCursor
	}
	v.Data = d
	return u.render(w, http.StatusOK, "list", v)
}

// orgData is the "my organization" page.
type orgData struct {
	Tickets    []ticket.Ticket
	Requesters map[int64]string
	Next       string
}

// Org answers GET /portal/organization: the requests of the customer's
// organization, when it lets its members see them; else "not found".
func (u *UI) Org(w http.ResponseWriter, r *http.Request) error {
	c, secret, ok := u.signedIn(w, r)
	if !ok {
		return nil
	}
	pr, err := page.Parse("25", r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	l, err := u.Portal.OrgRequests(r.Context(), *c, pr)
	if apperr.Is(err, apperr.CodeNotFound) {
		return u.notFound(w, r, c, secret)
	}
	if err != nil {
		return err
	}
	names, err := u.Portal.Requesters(r.Context(), l.Data)
	if err != nil {
		return err
	}
	v := u.newView(w, r, c, secret, "My organization")
	d := orgData{Tickets: l.Data, Requesters: names}
	if l.NextCursor != nil {
		d.Next = *l.NextCursor
	}
	v.Data = d
	return u.render(w, http.StatusOK, "org", v)
}

// requestData is one request's page.
type requestData struct {
	portal.Request
	Body     string
	Closed   bool
	Solvable bool
}

// requestID reads the path's id; anything malformed is "not found".
func requestID(r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	return id, err == nil && id > 0
}

// Show answers GET /portal/requests/{id}.
func (u *UI) Show(w http.ResponseWriter, r *http.Request) error {
	c, secret, ok := u.signedIn(w, r)
	if !ok {
		return nil
	}
	v := u.newView(w, r, c, secret, "Request")
	switch r.URL.Query().Get("done") {
	case "created":
		v.Notice = u.tr.String(v.Lang, "Thank you. We have your request and will answer by email and here.")
	case "reply":
		v.Notice = u.tr.String(v.Lang, "Your message was sent.")
	case "solved":
		v.Notice = u.tr.String(v.Lang, "Marked as solved. Write again here if you need more help.")
	}
	return u.showRequest(w, r, v, http.StatusOK, "")
}

func (u *UI) showRequest(w http.ResponseWriter, r *http.Request, v view, status int, body string) error {
	id, ok := requestID(r, "id")
	if !ok {
		return u.notFound(w, r, v.Customer, "")
	}
	req, err := u.Portal.Request(r.Context(), *v.Customer, id)
	if apperr.Is(err, apperr.CodeNotFound) {
		return u.notFound(w, r, v.Customer, "")
	}
	if err != nil {
		return err
	}
	st := req.Ticket.Status
	v.Title = fmt.Sprintf("#%d %s", req.Ticket.ID, req.Ticket.Subject)
	v.Data = requestData{Request: req, Body: body, Closed: st == ticket.StatusClosed || req.Ticket.MergedIntoID != nil,
		Solvable: req.Mine && st != ticket.StatusSolved && st != ticket.StatusClosed && req.Ticket.MergedIntoID == nil}
	return u.render(w, status, "request", v)
}

// Reply answers POST /portal/requests/{id}/reply (multipart: body, files).
func (u *UI) Reply(w http.ResponseWriter, r *http.Request) error {
	c, secret, ok := u.signedIn(w, r)
	if !ok {
		return nil
	}
	id, ok := requestID(r, "id")
	if !ok {
		return u.notFound(w, r, c, secret)
	}
	form, files, err := u.readForm(r, secret)
	if err != nil {
		return err
	}
	err = u.Portal.Reply(r.Context(), *c, id, form.Get("body"), files)
	if apperr.Is(err, apperr.CodeNotFound) {
		return u.notFound(w, r, c, secret)
	}
	if err != nil {
		v := u.newView(w, r, c, secret, "Request")
		status, ok := u.refuse(&v, err, "body")
		if !ok {
			return err
		}
		return u.showRequest(w, r, v, status, form.Get("body"))
	}
	http.Redirect(w, r, fmt.Sprintf("/portal/requests/%d?done=reply#reply", id), http.StatusSeeOther)
	return nil
}

// Solve answers POST /portal/requests/{id}/solve.
func (u *UI) Solve(w http.ResponseWriter, r *http.Request) error {
	c, secret, ok := u.signedIn(w, r)
	if !ok {
		return nil
	}
	id, ok := requestID(r, "id")
	if !ok {
		return u.notFound(w, r, c, secret)
	}
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("form", "could not be read")
	}
	if err := checkCSRF(r, secret, r.PostForm.Get("csrf_token")); err != nil {
		return err
	}
	err := u.Portal.Solve(r.Context(), *c, id)
	if apperr.Is(err, apperr.CodeNotFound) {
		return u.notFound(w, r, c, secret)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/portal/requests/%d?done=solved", id), http.StatusSeeOther)
	return nil
}

// newData is the new request form, with the articles that may answer it.
type newData struct {
	Subject, Description string
	Suggestions          []suggestion
	Checked              bool
	Forms                []portal.Form // the forms to choose from (more than one enabled, none chosen)
	Form                 *portal.Form  // the form filled in
	Fields               []askedField
}

type suggestion struct {
	ID           int64
	Title, URL   string
	Snippet      string
	HelpLanguage string
}

// New answers GET /portal/requests/new.
func (u *UI) New(w http.ResponseWriter, r *http.Request) error {
	c, secret, ok := u.signedIn(w, r)
	if !ok {
		return nil
	}
	v := u.newView(w, r, c, secret, "New request")
	d := newData{}
	id, _ := strconv.ParseInt(r.URL.Query().Get("form"), 10, 64)
	if err := u.chooseForm(r, &v, &d, id, nil); err != nil {
		return err
	}
	v.Data = d
	return u.render(w, http.StatusOK, "new", v)
}

// Create answers POST /portal/requests (multipart: subject, description,
// files, action). "check" first shows help-center articles matching the
// words typed, with the form kept; "submit" files the request.
func (u *UI) Create(w http.ResponseWriter, r *http.Request) error {
	c, secret, ok := u.signedIn(w, r)
	if !ok {
		return nil
	}
	form, files, err := u.readForm(r, secret)
	if err != nil {
		return err
	}
	v := u.newView(w, r, c, secret, "New request")
	d := newData{Subject: form.Get("subject"), Description: form.Get("description")}
	formID, _ := strconv.ParseInt(form.Get("form"), 10, 64)
	answers := map[string]string{}
	for k, vs := range form {
		if key, ok := strings.CutPrefix(k, "cf_"); ok && len(vs) > 0 {
			answers[key] = vs[0]
		}
	}
	if err := u.chooseForm(r, &v, &d, formID, answers); err != nil {
		return err
	}
	if d.Form == nil && len(d.Forms) > 0 {
		v.Data = d // no form chosen while there are forms: choose one first
		return u.render(w, http.StatusOK, "new", v)
	}
	if form.Get("action") == "check" {
		d.Checked = true
		d.Suggestions, err = u.suggest(r, *c, v.Lang, d.Subject+" "+d.Description)
		if err != nil {
			return err
		}
		if len(d.Suggestions) == 0 && u.KB != nil {
			// The subject is the customer's question in a few words: kept
			// (normalised) in the knowledge report's searches without a result.
			u.KB.CountSearch(r.Context(), d.Subject, v.Lang, kb.ChannelPortal, 0)
		}
		if len(d.Suggestions) > 0 {
			v.Data = d
			return u.render(w, http.StatusOK, "new", v)
		}
	}
	in := portal.NewRequest{Subject: d.Subject, Description: d.Description, Language: v.Lang, Files: files, Answers: answers}
	if d.Form != nil {
		in.FormID = d.Form.ID
	}
	t, err := u.Portal.Create(r.Context(), *c, in)
	if err != nil {
		shown := []string{"subject", "description"}
		for _, f := range d.Fields {
			shown = append(shown, f.Name)
		}
		status, ok := u.refuse(&v, err, shown...)
		if !ok {
			return err
		}
		for i, f := range d.Fields {
			d.Fields[i].Error = v.Fields[f.Name]
		}
		v.Data = d
		return u.render(w, status, "new", v)
	}
	http.Redirect(w, r, fmt.Sprintf("/portal/requests/%d?done=created", t.ID), http.StatusSeeOther)
	return nil
}

// suggest finds up to five articles for the words of a new request, in the
// page's language (else any), as the customer may read them.
func (u *UI) suggest(r *http.Request, c portal.Customer, lang, text string) ([]suggestion, error) {
	if u.KB == nil || strings.TrimSpace(text) == "" {
		return nil, nil
	}
	viewer := kb.Viewer{Actor: c.Actor()}
	if c.OrganizationID != 0 {
		viewer.Orgs = []int64{c.OrganizationID}
	}
	hits, err := u.KB.Suggest(r.Context(), viewer, text, lang, 5)
	if err != nil {
		return nil, err
	}
	out := make([]suggestion, 0, len(hits))
	for _, h := range hits {
		out = append(out, suggestion{ID: h.ArticleID, Title: h.Title, Snippet: h.Snippet, HelpLanguage: h.Language,
			URL: fmt.Sprintf("/help/%s/articles/%d-%s?from=portal", h.Language, h.ArticleID, h.Slug)})
	}
	return out, nil
}

// Deflect answers POST /portal/deflect (form: article): the customer's
// question was answered by an article, and no request is filed.
func (u *UI) Deflect(w http.ResponseWriter, r *http.Request) error {
	c, secret, ok := u.signedIn(w, r)
	if !ok {
		return nil
	}
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("form", "could not be read")
	}
	if err := checkCSRF(r, secret, r.PostForm.Get("csrf_token")); err != nil {
		return err
	}
	id, _ := strconv.ParseInt(r.PostForm.Get("article"), 10, 64)
	if err := u.Portal.Deflect(r.Context(), *c, id); err != nil {
		return err
	}
	v := u.newView(w, r, c, secret, "Glad that helped")
	return u.render(w, http.StatusOK, "deflected", v)
}

// File answers GET /portal/files/{id}/{name}: a file of a public message
// on the customer's own request.
func (u *UI) File(w http.ResponseWriter, r *http.Request) error {
	c, secret, ok := u.signedIn(w, r)
	if !ok {
		return nil
	}
	id, ok := requestID(r, "id")
	if !ok {
		return u.notFound(w, r, c, secret)
	}
	a, f, err := u.Portal.OpenFile(r.Context(), *c, id)
	if apperr.Is(err, apperr.CodeNotFound) {
		return u.notFound(w, r, c, secret)
	}
	if err != nil {
		return err
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", a.ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, no-store")
	disp := "attachment"
	switch a.ContentType {
	case "image/png", "image/jpeg", "image/gif", "image/webp":
		disp = "inline"
	}
	h.Set("Content-Disposition", mime.FormatMediaType(disp, map[string]string{"filename": a.Filename}))
	h.Set("Content-Length", strconv.FormatInt(a.Size, 10))
	_, err = io.Copy(w, f)
	return err
}

// readForm reads a multipart or urlencoded form, checks its CSRF token and
// returns the files it carries, their types sniffed from their contents.
func (u *UI) readForm(r *http.Request, secret string) (formValues, []portal.Upload, error) {
	// The server removes a multipart form's temporary files after the
	// handler; the open handles go with the request's context.
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		if err := r.ParseForm(); err != nil {
			return nil, nil, apperr.InvalidField("form", "could not be read")
		}
		if err := checkCSRF(r, secret, r.PostForm.Get("csrf_token")); err != nil {
			return nil, nil, err
		}
		return formValues(r.PostForm), nil, nil
	}
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, nil, &apperr.Error{Code: apperr.CodeTooLarge, Message: "the files are too large together"}
		}
		return nil, nil, apperr.InvalidField("form", "could not be read")
	}
	if err := checkCSRF(r, secret, formValues(r.MultipartForm.Value).Get("csrf_token")); err != nil {
		return nil, nil, err
	}
	var ups []portal.Upload
	for _, fh := range r.MultipartForm.File["attachments"] {
		if fh.Filename == "" && fh.Size == 0 {
			continue // the empty file input of a form sent without a file
		}
		up, err := sniff(r.Context(), fh)
		if err != nil {
			return nil, nil, err
		}
		ups = append(ups, up)
	}
	return formValues(r.MultipartForm.Value), ups, nil
}

// sniff opens an uploaded file and names its type by its first bytes, not
// by what the browser claimed.
func sniff(ctx context.Context, fh *multipart.FileHeader) (portal.Upload, error) {
	f, err := fh.Open()
	if err != nil {
		return portal.Upload{}, fmt.Errorf("portal: open upload: %w", err)
	}
	context.AfterFunc(ctx, func() { f.Close() })
	br := bufio.NewReaderSize(f, 512)
	head, _ := br.Peek(512)
	ct := http.DetectContentType(head)
	if strings.HasPrefix(ct, "text/plain") {
		if byExt := mime.TypeByExtension(strings.ToLower(extOf(fh.Filename))); strings.HasPrefix(byExt, "text/csv") {
			ct = "text/csv"
		}
	}
	return portal.Upload{Name: fh.Filename, ContentType: ct, Body: br}, nil
}

func extOf(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i:]
	}
	return ""
}

// formValues is a form's fields.
type formValues map[string][]string

// Get returns a field's first value.
func (f formValues) Get(k string) string {
	if v := f[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}
