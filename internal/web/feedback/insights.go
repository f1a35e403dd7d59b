package feedback

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/nps"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
)

// insightsView is what both insights pages show.
type insightsView struct {
	In      nps.Insights
	Buckets []string
}

func viewInsights(in nps.Insights) insightsView {
	v := insightsView{In: in}
	for _, b := range in.Buckets {
		if in.Bucket == "month" {
			v.Buckets = append(v.Buckets, b.Format("2006-01"))
		} else {
			v.Buckets = append(v.Buckets, b.Format(time.DateOnly))
		}
	}
	return v
}

// Insights answers GET /feedback/insights: topics and their trend, the
// comments with their tags, the topic rules and the share links.
func (u *UI) Insights(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	flash := map[string]string{"rule": "Rule added and applied.", "deleted": "Rule deleted.", "reapplied": "Rules applied again.",
		"tagged": "Topic added.", "untagged": "Topic removed.", "shared": "Link created.", "revoked": "Link revoked."}[q.Get("saved")]
	return u.insights(w, r, http.StatusOK, flash, nil, nil)
}

func (u *UI) insights(w http.ResponseWriter, r *http.Request, status int, flash string, ruleVals, ruleErrs map[string]string) error {
	if u.NPS == nil {
		return apperr.NotFound("page", r.URL.Path)
	}
	actor := httpx.Actor(r.Context())
	f, vals := filterFrom(r)
	in, err := u.NPS.Insights(r.Context(), actor, f)
	if err != nil {
		return err
	}
	fillDates(vals, r, in.From, in.To)
	vals.Set("bucket", in.Bucket)
	rules, err := u.NPS.Rules(r.Context(), actor)
	if err != nil {
		return err
	}
	data := map[string]any{"View": viewInsights(in), "Values": vals, "Rules": rules, "Locales": i18n.Locales,
		"RuleValues": ruleVals, "RuleErrs": ruleErrs, "Query": vals.Encode()}
	if authz.Can(actor, authz.FeedbackManage) {
		shares, err := u.NPS.Shares(r.Context(), actor)
		if err != nil {
			return err
		}
		data["Shares"] = shares
	}
	problem := ""
	if len(ruleErrs) > 0 {
		problem = "Check the highlighted fields."
	}
	return u.Render(w, r, status, u.pages["insights"], ui.PageData{Title: "Feedback insights", Nav: "insights", Flash: flash, Error: problem, Data: data})
}

// writeCSV sends the insights' comments as a CSV download.
func writeCSV(w http.ResponseWriter, in nps.Insights) error {
	var buf bytes.Buffer
	if err := nps.WriteCSV(&buf, in); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="feedback-%s-%s.csv"`, in.From.Format("20060102"), in.To.Format("20060102")))
	h.Set("Cache-Control", "no-store")
	_, err := buf.WriteTo(w)
	return err
}

// ExportCSV answers GET /feedback/insights.csv: every comment of the period.
func (u *UI) ExportCSV(w http.ResponseWriter, r *http.Request) error {
	if u.NPS == nil {
		return apperr.NotFound("page", r.URL.Path)
	}
	f, _ := filterFrom(r)
	in, err := u.NPS.Export(r.Context(), httpx.Actor(r.Context()), f)
	if err != nil {
		return err
	}
	return writeCSV(w, in)
}

// back returns to the insights page with the period kept.
func back(w http.ResponseWriter, r *http.Request, saved string) error {
	q, _ := url.ParseQuery(r.PostForm.Get("return"))
	v := url.Values{}
	for _, k := range []string{"from", "to", "bucket"} {
		if s := q.Get(k); s != "" {
			v.Set(k, s)
		}
	}
	v.Set("saved", saved)
	http.Redirect(w, r, "/feedback/insights?"+v.Encode(), http.StatusSeeOther)
	return nil
}

// CreateRule answers POST /feedback/rules (form: topic, keywords_<lang>,
// comma-separated).
func (u *UI) CreateRule(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	vals := map[string]string{"topic": r.PostForm.Get("topic")}
	in := nps.RuleInput{Topic: r.PostForm.Get("topic"), Keywords: map[string][]string{}}
	for _, l := range i18n.Locales {
		s := r.PostForm.Get("keywords_" + l.Code)
		vals["keywords_"+l.Code] = s
		for _, k := range strings.Split(s, ",") {
			if k = strings.TrimSpace(k); k != "" {
				in.Keywords[l.Code] = append(in.Keywords[l.Code], k)
			}
		}
	}
	if _, err := u.NPS.CreateRule(r.Context(), httpx.Actor(r.Context()), in); err != nil {
		if _, ok := ui.Refusal(err); ok {
			errs := map[string]string{}
			for k, v := range u.ErrIn(r, err).Fields {
				errs[strings.Replace(k, "keywords.", "keywords_", 1)] = v
			}
			return u.insights(w, r, http.StatusUnprocessableEntity, "", vals, errs)
		}
		return err
	}
	return back(w, r, "rule")
}

func idOf(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFound(name, r.PathValue(name))
	}
	return id, nil
}

// DeleteRule answers POST /feedback/rules/{id}/delete.
func (u *UI) DeleteRule(w http.ResponseWriter, r *http.Request) error {
	id, err := idOf(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	if err := u.NPS.DeleteRule(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	return back(w, r, "deleted")
}

// Reapply answers POST /feedback/rules/apply: every rule again on every comment.
func (u *UI) Reapply(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	if _, err := u.NPS.Reapply(r.Context(), httpx.Actor(r.Context())); err != nil {
		return err
	}
	return back(w, r, "reapplied")
}

// Tag answers POST /feedback/tags (form: source, id, topic, remove=1 to
// take it off).
func (u *UI) Tag(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	f := r.PostForm
	id, err := strconv.ParseInt(f.Get("id"), 10, 64)
	if err != nil {
		return apperr.InvalidField("id", "must be a comment id")
	}
	actor := httpx.Actor(r.Context())
	if f.Get("remove") == "1" {
		if err := u.NPS.RemoveTag(r.Context(), actor, f.Get("source"), id, f.Get("topic")); err != nil {
			return err
		}
		return back(w, r, "untagged")
	}
	if err := u.NPS.AddTag(r.Context(), actor, f.Get("source"), id, f.Get("topic")); err != nil {
		return err
	}
	return back(w, r, "tagged")
}

// CreateShare answers POST /feedback/shares (form: label, days).
func (u *UI) CreateShare(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	days, err := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("days")))
	if err != nil {
		days = 0
	}
	if _, err := u.NPS.CreateShare(r.Context(), httpx.Actor(r.Context()), r.PostForm.Get("label"), days); err != nil {
		return err
	}
	return back(w, r, "shared")
}

// RevokeShare answers POST /feedback/shares/{id}/revoke.
func (u *UI) RevokeShare(w http.ResponseWriter, r *http.Request) error {
	id, err := idOf(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	if err := u.NPS.RevokeShare(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	return back(w, r, "revoked")
}

// publicHeaders are the headers of the pages a link opens without sign-in.
func publicHeaders(w http.ResponseWriter, status int, ctype string) {
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", ui.PageCSP(false))
	// The link is a key: keep it out of other sites' Referer headers.
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Robots-Tag", "noindex")
	w.WriteHeader(status)
}

// Shared answers GET /insights/{token}: the read-only insights page of a
// share link, for collaborators without an account; ?format=csv exports.
func (u *UI) Shared(w http.ResponseWriter, r *http.Request) error {
	tr := u.I18n()
	lang := u.lang(r, "")
	token := r.PathValue("token")
	f, vals := filterFrom(r)
	csv := r.URL.Query().Get("format") == "csv"
	var sh nps.Share
	var in nps.Insights
	var err error = apperr.NotFound("page", "insights")
	if u.NPS != nil {
		sh, in, err = u.NPS.SharedInsights(r.Context(), token, f, csv)
	}
	v := map[string]any{"Lang": lang, "Title": tr.T(lang, "Customer feedback insights"), "Style": u.AssetURL("survey.css"), "Token": token}
	status := http.StatusOK
	switch {
	case err == nil:
		if csv {
			return writeCSV(w, in)
		}
		fillDates(vals, r, in.From, in.To)
		vals.Set("bucket", in.Bucket)
		v["View"], v["Values"], v["Share"], v["Query"] = viewInsights(in), vals, sh, url.Values{"from": {vals.Get("from")}, "to": {vals.Get("to")}, "bucket": {in.Bucket}, "format": {"csv"}}.Encode()
		v["Expires"] = sh.ExpiresAt.Format(time.DateOnly)
	case nps.IsShareGone(err):
		status, v["Error"] = http.StatusGone, tr.T(lang, "This link was revoked or has expired. Ask the person who shared it for a new one.")
	case apperr.Is(err, apperr.CodeInvalid) && apperr.As(err).Fields["token"] != "":
		status, v["Error"] = http.StatusNotFound, tr.T(lang, "This link is not valid.")
	case apperr.Is(err, apperr.CodeInvalid):
		status, v["Error"] = http.StatusBadRequest, tr.T(lang, "Check the dates of the period.")
	case apperr.Is(err, apperr.CodeNotFound):
		status, v["Error"] = http.StatusNotFound, tr.T(lang, "This link is not valid.")
	default:
		return err
	}
	var buf bytes.Buffer
	if err := u.shared.Execute(&buf, v); err != nil {
		return fmt.Errorf("feedback: render shared: %w", err)
	}
	publicHeaders(w, status, "text/html; charset=utf-8")
	_, err = buf.WriteTo(w)
	return err
}
