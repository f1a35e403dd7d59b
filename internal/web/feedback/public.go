package feedback

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/nps"
)

// lang picks a public page's language: ?lang= (the switcher, kept by the
// form), else the survey's language, else the browser's.
func (u *UI) lang(r *http.Request, survey string) string {
	for _, v := range []string{r.FormValue("lang"), survey} {
		if v != "" && slices.ContainsFunc(i18n.Locales, func(l i18n.Locale) bool { return l.Code == v }) {
			return v
		}
	}
	return u.I18n().MatchAcceptLanguage(r.Header.Get("Accept-Language"))
}

type language struct {
	Code, Name string
	Current    bool
}

// scoreChoice is one of the eleven answers.
type scoreChoice struct {
	Score    int
	Category string
	Checked  bool
}

// surveyView is the NPS page's data.
type surveyView struct {
	Lang      string
	Langs     []language
	Title     string
	Error     string
	Notice    string
	Question  string
	Action    string
	PageURL   string
	Confirm   int // the score of the link to confirm (-1: none)
	Current   int // the answer given (-1: none)
	Reason    string
	Choices   []scoreChoice
	Until     string
	Script    string
	Style     string
	MaxLength int
}

func (u *UI) surveyView(lang, pageToken string) surveyView {
	v := surveyView{Lang: lang, Title: u.I18n().T(lang, "Your feedback"), Script: u.AssetURL("survey.js"), Style: u.AssetURL("survey.css"),
		MaxLength: nps.MaxReason, Confirm: -1, Current: -1}
	for _, l := range i18n.Locales {
		v.Langs = append(v.Langs, language{Code: l.Code, Name: l.Native, Current: l.Code == lang})
	}
	if pageToken != "" {
		v.PageURL = "/nps/" + pageToken
	}
	return v
}

func (u *UI) fillSurvey(v surveyView, p nps.Page, token string) surveyView {
	v.Question, v.Current, v.Reason, v.Action = p.Question, p.Send.Score, p.Send.Reason, "/nps/"+token
	v.Until = p.Expires.Format("2006-01-02")
	for sc := 0; sc <= 10; sc++ {
		checked := sc == p.Send.Score || (p.Send.Score < 0 && sc == p.Chosen)
		v.Choices = append(v.Choices, scoreChoice{Score: sc, Category: nps.Category(sc), Checked: checked})
	}
	return v
}

// refuse renders why a link cannot be used: 400 for a malformed or altered
// link, 410 for an expired one, 404 for a survey that is gone.
func (u *UI) refuse(w http.ResponseWriter, r *http.Request, err error) error {
	lang := u.lang(r, "")
	v := u.surveyView(lang, "")
	tr := u.I18n()
	var status int
	switch {
	case nps.IsExpired(err):
		status, v.Error = http.StatusGone, tr.T(lang, "This survey link has expired. Thank you all the same.")
	case apperr.Is(err, apperr.CodeInvalid):
		status, v.Error = http.StatusBadRequest, tr.T(lang, "This survey link is not valid. Please open the link from the email again.")
	case apperr.Is(err, apperr.CodeNotFound):
		status, v.Error = http.StatusNotFound, tr.T(lang, "This survey no longer exists.")
	default:
		return err
	}
	return u.renderSurvey(w, status, v)
}

// Survey answers GET /nps/{token}. A score link shows its score ready to
// send (sent at once by survey.js: one click from the email; without
// script, one more click), then the page asks for a reason. Opening a link
// never records anything, so a mail scanner answers nothing.
func (u *UI) Survey(w http.ResponseWriter, r *http.Request) error {
	if u.NPS == nil {
		return u.refuse(w, r, apperr.NotFound("survey", 0))
	}
	token := r.PathValue("token")
	p, err := u.NPS.Open(r.Context(), token)
	if err != nil {
		return u.refuse(w, r, err)
	}
	lang := u.lang(r, p.Send.Language)
	v := u.fillSurvey(u.surveyView(lang, p.PageToken), p, token)
	if p.Chosen >= 0 && p.Chosen != p.Send.Score {
		v.Confirm = p.Chosen
	}
	if r.URL.Query().Get("saved") == "1" {
		v.Notice = u.I18n().T(lang, "Thank you! Your answer is saved.")
	}
	return u.renderSurvey(w, http.StatusOK, v)
}

// Answer answers POST /nps/{token} (form: score, reason, lang): it records
// the answer and shows the page again (303), or says why not. The
// one-click confirmation has no reason field and keeps the reason given
// before.
func (u *UI) Answer(w http.ResponseWriter, r *http.Request) error {
	if u.NPS == nil {
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
	reason, hasReason := r.PostForm["reason"]
	text := ""
	if hasReason && len(reason) > 0 {
		text = reason[0]
	} else if cur, err := u.NPS.Open(r.Context(), token); err == nil {
		text = cur.Send.Reason
	}
	p, err := u.NPS.Answer(r.Context(), token, score, text)
	if err != nil {
		e, ok := err.(*apperr.Error)
		if !ok || e.Code != apperr.CodeInvalid || e.Fields["token"] != "" {
			return u.refuse(w, r, err)
		}
		page, oerr := u.NPS.Open(r.Context(), token)
		if oerr != nil {
			return u.refuse(w, r, oerr)
		}
		lang := u.lang(r, page.Send.Language)
		v := u.fillSurvey(u.surveyView(lang, page.PageToken), page, token)
		if e.Fields["reason"] != "" {
			v.Error = u.I18n().T(lang, "The reason is too long: at most %d characters.", nps.MaxReason)
			v.Reason = text
		} else {
			v.Error = u.I18n().T(lang, "Choose a number from 0 to 10.")
		}
		return u.renderSurvey(w, http.StatusBadRequest, v)
	}
	lang := u.lang(r, p.Send.Language)
	http.Redirect(w, r, fmt.Sprintf("/nps/%s?lang=%s&saved=1", p.PageToken, lang), http.StatusSeeOther)
	return nil
}

func (u *UI) renderSurvey(w http.ResponseWriter, status int, v surveyView) error {
	var buf bytes.Buffer
	if err := u.survey.Execute(&buf, v); err != nil {
		return fmt.Errorf("feedback: render survey: %w", err)
	}
	publicHeaders(w, status, "text/html; charset=utf-8")
	_, err := buf.WriteTo(w)
	return err
}
