// Package survey serves the customer's side of satisfaction surveys: the
// page a survey link opens, where the one click from the email is
// confirmed and the answer can be changed or given a comment until the
// ticket closes. No sign-in: the signed link is the key (csat/token.go).
// The page is in the customer's language (the ticket's, else theirs),
// with a switcher, and works without JavaScript. docs/csat.md explains
// why a link's GET never records an answer by itself.
package survey

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/csat"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/web/ui"
)

//go:embed templates/*.html
var templateFS embed.FS

// UI serves the survey pages.
type UI struct {
	CSAT   *csat.Service
	shared *ui.UI
	page   *template.Template
	i18n   *i18n.Translator
}

// New parses the page. svc may be nil (surveys not wired): links answer
// not found.
func New(shared *ui.UI, svc *csat.Service) (*UI, error) {
	t, err := shared.ParsePage(templateFS, "survey")
	if err != nil {
		return nil, err
	}
	return &UI{CSAT: svc, shared: shared, page: t, i18n: shared.I18n()}, nil
}

// choice is one answer on the page.
type choice struct {
	Score   int
	Label   string
	Good    bool
	Checked bool
}

type language struct {
	Code, Name string
	Current    bool
}

// view is the page's data.
type view struct {
	Lang      string
	Langs     []language
	Title     string
	Error     string // why the link cannot be used
	Notice    string
	Subject   string
	TicketID  int64
	Action    string // the form's URL
	PageURL   string // the page link (score 0), for the language switcher
	Confirm   *choice
	Current   string // the current answer in words
	Comment   string
	Choices   []choice
	Open      bool
	Script    string
	Style     string
	MaxLength int
}

// lang picks the page language: ?lang= (the switcher, kept by the form),
// else the survey's language, else the browser's.
func (u *UI) lang(r *http.Request, survey string) string {
	for _, v := range []string{r.FormValue("lang"), survey} {
		if v != "" && slices.ContainsFunc(i18n.Locales, func(l i18n.Locale) bool { return l.Code == v }) {
			return v
		}
	}
	return u.i18n.MatchAcceptLanguage(r.Header.Get("Accept-Language"))
}

func (u *UI) newView(lang, pageToken string) view {
	v := view{Lang: lang, Title: u.i18n.T(lang, "How did we do?"), Script: u.shared.AssetURL("survey.js"), Style: u.shared.AssetURL("survey.css"),
		MaxLength: csat.MaxComment}
	for _, l := range i18n.Locales {
		v.Langs = append(v.Langs, language{Code: l.Code, Name: l.Native, Current: l.Code == lang})
	}
	if pageToken != "" {
		v.PageURL = "/survey/" + pageToken
	}
	return v
}

// refuse renders why a link cannot be used: 400 for a malformed or
// altered link, 410 for an expired one, 404 for a survey that is gone.
func (u *UI) refuse(w http.ResponseWriter, r *http.Request, err error) error {
	lang := u.lang(r, "")
	v := u.newView(lang, "")
	var status int
	switch {
	case csat.IsExpired(err):
		status, v.Error = http.StatusGone, u.i18n.T(lang, "This survey link has expired. Thank you all the same.")
	case apperr.Is(err, apperr.CodeInvalid):
		status, v.Error = http.StatusBadRequest, u.i18n.T(lang, "This survey link is not valid. Please open the link from the email again.")
	case apperr.Is(err, apperr.CodeNotFound):
		status, v.Error = http.StatusNotFound, u.i18n.T(lang, "This survey no longer exists.")
	default:
		return err
	}
	return u.render(w, status, v)
}

// Page answers GET /survey/{token}. A rating link shows its answer ready
// to send (sent at once by survey.js: one click from the email; without
// script, one more click). It never records anything itself, so a mail
// scanner that opens every link of the message answers nothing.
func (u *UI) Page(w http.ResponseWriter, r *http.Request) error {
	if u.CSAT == nil {
		return u.refuse(w, r, apperr.NotFound("survey", 0))
	}
	token := r.PathValue("token")
	p, err := u.CSAT.Open(r.Context(), token)
	if err != nil {
		return u.refuse(w, r, err)
	}
	lang := u.lang(r, p.Survey.Language)
	v := u.fill(u.newView(lang, p.PageToken), p, token)
	if p.Open && p.Chosen != 0 && p.Chosen != p.Survey.Score {
		v.Confirm = &choice{Score: p.Chosen, Label: u.i18n.String(lang, csat.ScoreLabel(p.Survey.Scale, p.Chosen)), Good: csat.Good(p.Chosen)}
	}
	if r.URL.Query().Get("saved") == "1" {
		v.Notice = u.i18n.T(lang, "Thank you! Your answer is saved.")
	}
	return u.render(w, http.StatusOK, v)
}

// fill sets the page's survey parts.
func (u *UI) fill(v view, p csat.Page, token string) view {
	v.Subject, v.TicketID, v.Open, v.Comment = p.Subject, p.Survey.TicketID, p.Open, p.Survey.Comment
	v.Action = "/survey/" + token
	if p.Survey.Score > 0 {
		v.Current = u.i18n.String(v.Lang, csat.ScoreLabel(p.Survey.Scale, p.Survey.Score))
	}
	for _, sc := range csat.Scores(p.Survey.Scale) {
		checked := sc == p.Survey.Score
		if p.Survey.Score == 0 {
			checked = sc == p.Chosen
		}
		v.Choices = append(v.Choices, choice{Score: sc, Label: u.i18n.String(v.Lang, csat.ScoreLabel(p.Survey.Scale, sc)), Good: csat.Good(sc), Checked: checked})
	}
	return v
}

// Answer answers POST /survey/{token} (form: score, comment, lang): it
// records the answer and shows the page again (303), or says why not.
// The form without a comment field (the one-click confirmation) keeps
// the comment given before.
func (u *UI) Answer(w http.ResponseWriter, r *http.Request) error {
	if u.CSAT == nil {
		return u.refuse(w, r, apperr.NotFound("survey", 0))
	}
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("form", "could not be read")
	}
	token := r.PathValue("token")
	score, err := strconv.Atoi(r.PostForm.Get("score"))
	if err != nil {
		score = -1
	}
	_, hasComment := r.PostForm["comment"]
	p, err := u.CSAT.Rate(r.Context(), token, csat.Answer{Score: score, Comment: r.PostForm.Get("comment"), KeepComment: !hasComment})
	if err != nil {
		e, ok := err.(*apperr.Error)
		if !ok || (e.Code != apperr.CodeUnprocessable && (e.Code != apperr.CodeInvalid || e.Fields["token"] != "")) {
			return u.refuse(w, r, err)
		}
		// Closed meanwhile, or a bad score or comment: the page again,
		// with the reason.
		page, oerr := u.CSAT.Open(r.Context(), token)
		if oerr != nil {
			return u.refuse(w, r, oerr)
		}
		lang := u.lang(r, page.Survey.Language)
		v := u.fill(u.newView(lang, page.PageToken), page, token)
		status := http.StatusBadRequest
		switch {
		case e.Code == apperr.CodeUnprocessable:
			status = http.StatusConflict
		case e.Fields["comment"] != "":
			v.Error = u.i18n.T(lang, "The comment is too long: at most %d characters.", csat.MaxComment)
			v.Comment = r.PostForm.Get("comment")
		default:
			v.Error = u.i18n.T(lang, "Choose one of the answers.")
		}
		return u.render(w, status, v)
	}
	lang := u.lang(r, p.Survey.Language)
	http.Redirect(w, r, fmt.Sprintf("/survey/%s?lang=%s&saved=1", p.PageToken, lang), http.StatusSeeOther)
	return nil
}

func (u *UI) render(w http.ResponseWriter, status int, v view) error {
	var buf bytes.Buffer
	if err := u.page.Execute(&buf, v); err != nil {
		return fmt.Errorf("survey: render: %w", err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", ui.PageCSP(false))
	// The link is a key: keep it out of other sites' Referer headers.
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}
