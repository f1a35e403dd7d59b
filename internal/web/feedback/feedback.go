// Package feedback serves customer feedback: the managers' NPS results
// and campaign editor, the feedback insights (topics, comments, rules,
// shared links), the customers' NPS survey page (public, signed links) and
// the read-only insights page a share link opens. docs/feedback.md
// describes the behaviour.
package feedback

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/nps"
	"github.com/ombud/ombud/internal/pulse"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
)

//go:embed templates/*.html
var templateFS embed.FS

// UI serves the feedback pages.
type UI struct {
	*ui.UI
	NPS    *nps.Service
	Pulse  *pulse.Service // team pulse surveys (pulse.go); nil: those pages answer not found
	pages  map[string]*template.Template
	survey *template.Template // the customers' page, without the agent layout
	shared *template.Template // the read-only insights page of a share link
}

// New parses the pages. svc may be nil (not wired): pages answer not found.
func New(shared *ui.UI, svc *nps.Service) (*UI, error) {
	pages, err := shared.Parse(templateFS, "results", "campaigns", "campaign", "insights", "pulse_list", "pulse_new", "pulse_results", "pulse_mine", "pulse_answer")
	if err != nil {
		return nil, err
	}
	survey, err := shared.ParsePage(templateFS, "nps")
	if err != nil {
		return nil, err
	}
	sh, err := shared.ParsePage(templateFS, "shared")
	if err != nil {
		return nil, err
	}
	return &UI{UI: shared, NPS: svc, pages: pages, survey: survey, shared: sh}, nil
}

// languages are the segment and filter choices; "" is any.
func languages() []ui.Option {
	out := []ui.Option{{Value: "", Label: "Any language"}}
	for _, l := range i18n.Locales {
		out = append(out, ui.Option{Value: l.Code, Label: l.Native})
	}
	return out
}

// filterFrom reads the results filter from the query: from and to are
// dates in the agent's zone, to inclusive.
func filterFrom(r *http.Request) (nps.Filter, url.Values) {
	q := r.URL.Query()
	loc := ui.Location(r)
	v := url.Values{}
	f := nps.Filter{Bucket: q.Get("bucket"), Language: q.Get("language")}
	if d, err := time.ParseInLocation(time.DateOnly, q.Get("from"), loc); err == nil {
		f.From = d
	}
	if d, err := time.ParseInLocation(time.DateOnly, q.Get("to"), loc); err == nil {
		f.To = d.AddDate(0, 0, 1)
	}
	f.CampaignID, _ = strconv.ParseInt(q.Get("campaign_id"), 10, 64)
	f.OrganizationID, _ = strconv.ParseInt(q.Get("organization_id"), 10, 64)
	for _, k := range []string{"from", "to", "bucket", "language", "campaign_id", "organization_id"} {
		v.Set(k, q.Get(k))
	}
	return f, v
}

// fillDates shows the period actually used in the form.
func fillDates(v url.Values, r *http.Request, from, to time.Time) {
	loc := ui.Location(r)
	v.Set("from", from.In(loc).Format(time.DateOnly))
	v.Set("to", to.Add(-time.Millisecond).In(loc).Format(time.DateOnly))
}

// Results answers GET /feedback: NPS, its trend, split, segments and verbatims.
func (u *UI) Results(w http.ResponseWriter, r *http.Request) error {
	if u.NPS == nil {
		return apperr.NotFound("page", r.URL.Path)
	}
	actor := httpx.Actor(r.Context())
	f, vals := filterFrom(r)
	res, err := u.NPS.Results(r.Context(), actor, f)
	if err != nil {
		return err
	}
	fillDates(vals, r, res.Filter.From, res.Filter.To)
	vals.Set("bucket", res.Filter.Bucket)
	campaigns, err := u.NPS.Campaigns(r.Context(), actor)
	if err != nil {
		return err
	}
	orgs, _, err := u.OrgOptions(r.Context(), actor, "Any organization")
	if err != nil {
		return err
	}
	data := map[string]any{"Results": res, "Values": vals, "Campaigns": campaigns, "Orgs": orgs, "Languages": languages(),
		"Trend": trendBars(res.Trend, ui.Location(r), res.Filter.Bucket)}
	return u.Render(w, r, http.StatusOK, u.pages["results"], ui.PageData{Title: "Customer feedback", Nav: "feedback", Data: data})
}

// bar is one bucket of the trend, for the page's table and bars.
type bar struct {
	Label string
	nps.Split
	Width int // |NPS| in percent of the bar's half
	Neg   bool
}

func trendBars(bs []nps.Bucket, loc *time.Location, bucket string) []bar {
	var out []bar
	for _, b := range bs {
		label := b.Start.Format(time.DateOnly)
		if bucket == "month" {
			label = b.Start.Format("2006-01")
		}
		w := int(b.NPS)
		if w < 0 {
			w = -w
		}
		out = append(out, bar{Label: label, Split: b.Split, Width: w, Neg: b.NPS < 0})
	}
	return out
}

// Campaigns answers GET /feedback/campaigns: the list, the new-campaign
// form and the throttle.
func (u *UI) Campaigns(w http.ResponseWriter, r *http.Request) error {
	flash := map[string]string{"created": "Campaign created.", "settings": "Settings saved."}[r.URL.Query().Get("saved")]
	return u.campaigns(w, r, http.StatusOK, flash, nil)
}

// campaignForm is the editor's values and refusals.
type campaignForm struct {
	ID     int64
	Values map[string]string
	Errs   map[string]string
}

func (u *UI) campaigns(w http.ResponseWriter, r *http.Request, status int, flash string, settingsErrs map[string]string) error {
	if u.NPS == nil {
		return apperr.NotFound("page", r.URL.Path)
	}
	actor := httpx.Actor(r.Context())
	list, err := u.NPS.Campaigns(r.Context(), actor)
	if err != nil {
		return err
	}
	st, err := u.NPS.Settings(r.Context(), actor)
	if err != nil {
		return err
	}
	problem := ""
	if len(settingsErrs) > 0 {
		problem = "Check the highlighted fields."
	}
	data := map[string]any{"Campaigns": list, "Settings": st, "SettingsErrs": settingsErrs}
	return u.Render(w, r, status, u.pages["campaigns"], ui.PageData{Title: "NPS campaigns", Nav: "nps-campaigns", Flash: flash, Error: problem, Data: data})
}

// readCampaign reads the editor's form into a patch (every field given).
func readCampaign(r *http.Request) (nps.CampaignPatch, map[string]string, map[string]string) {
	f := r.PostForm
	vals := map[string]string{}
	for k := range f {
		vals[k] = strings.TrimSpace(f.Get(k))
	}
	errs := map[string]string{}
	num := func(k string) int {
		s := vals[k]
		if s == "" {
			return 0
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			errs[k] = "must be a whole number"
		}
		return n
	}
	org, _ := strconv.ParseInt(vals["organization_id"], 10, 64)
	seg := nps.Segment{OrganizationID: org, Tag: vals["tag"], ContactDays: num("contact_days"), Language: vals["language"]}
	repeat := num("repeat_days")
	p := nps.CampaignPatch{Name: new(vals["name"]), Active: new(vals["active"] == "on"), Segment: &seg, RepeatDays: &repeat, Questions: map[string]string{}}
	if s := vals["start_at"]; s != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", s, ui.Location(r))
		if err != nil {
			errs["start_at"] = "must be a date and time"
		} else {
			p.StartAt = &t
		}
	}
	for _, l := range i18n.Locales {
		if q := vals["question_"+l.Code]; q != "" {
			p.Questions[l.Code] = q
		}
	}
	return p, vals, errs
}

// formErrs maps the service's field names to the form's.
func (u *UI) formErrs(r *http.Request, err error) map[string]string {
	out := map[string]string{}
	for k, v := range u.ErrIn(r, err).Fields {
		k = strings.TrimPrefix(k, "segment.")
		k = strings.Replace(k, "questions.", "question_", 1)
		out[k] = v
	}
	return out
}

// CreateCampaign answers POST /feedback/campaigns (form).
func (u *UI) CreateCampaign(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	p, vals, errs := readCampaign(r)
	if len(errs) > 0 {
		return u.campaignPage(w, r, 0, http.StatusUnprocessableEntity, "", vals, errs)
	}
	in := nps.CampaignInput{Name: *p.Name, Active: p.Active, Segment: *p.Segment, RepeatDays: *p.RepeatDays, Questions: p.Questions}
	if p.StartAt != nil {
		in.StartAt = *p.StartAt
	}
	c, err := u.NPS.CreateCampaign(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		if _, ok := ui.Refusal(err); ok {
			return u.campaignPage(w, r, 0, http.StatusUnprocessableEntity, "", vals, u.formErrs(r, err))
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/feedback/campaigns/%d?saved=created", c.ID), http.StatusSeeOther)
	return nil
}

// SaveSettings answers POST /feedback/settings (form: throttle_days).
func (u *UI) SaveSettings(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	days, err := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("throttle_days")))
	if err != nil {
		days = -1
	}
	if _, err := u.NPS.SaveSettings(r.Context(), httpx.Actor(r.Context()), nps.Settings{ThrottleDays: days}); err != nil {
		if _, ok := ui.Refusal(err); ok {
			return u.campaigns(w, r, http.StatusUnprocessableEntity, "", u.ErrIn(r, err).Fields)
		}
		return err
	}
	http.Redirect(w, r, "/feedback/campaigns?saved=settings", http.StatusSeeOther)
	return nil
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFound("campaign", r.PathValue("id"))
	}
	return id, nil
}

// CampaignPage answers GET /feedback/campaigns/{id}: the editor.
func (u *UI) CampaignPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	flash := map[string]string{"created": "Campaign created.", "saved": "Campaign saved.", "run": "The campaign is being sent now."}[r.URL.Query().Get("saved")]
	return u.campaignPage(w, r, id, http.StatusOK, flash, nil, nil)
}

func (u *UI) campaignPage(w http.ResponseWriter, r *http.Request, id int64, status int, flash string, vals, errs map[string]string) error {
	if u.NPS == nil {
		return apperr.NotFound("campaign", id)
	}
	actor := httpx.Actor(r.Context())
	var c nps.Campaign
	if id > 0 {
		var err error
		if c, err = u.NPS.Campaign(r.Context(), actor, id); err != nil {
			return err
		}
	}
	loc := ui.Location(r)
	if vals == nil && id == 0 {
		vals = map[string]string{"active": "on", "repeat_days": "0", "contact_days": "0"}
	}
	if vals == nil {
		vals = map[string]string{"name": c.Name, "tag": c.Segment.Tag, "language": c.Segment.Language,
			"contact_days": strconv.Itoa(c.Segment.ContactDays), "repeat_days": strconv.Itoa(c.RepeatDays),
			"start_at": c.StartAt.In(loc).Format("2006-01-02T15:04")}
		if c.Segment.OrganizationID > 0 {
			vals["organization_id"] = strconv.FormatInt(c.Segment.OrganizationID, 10)
		}
		if c.Active {
			vals["active"] = "on"
		}
		for lang, q := range c.Questions {
			vals["question_"+lang] = q
		}
	}
	orgs, _, err := u.OrgOptions(r.Context(), actor, "Any organization")
	if err != nil {
		return err
	}
	problem := ""
	switch {
	case status == http.StatusConflict:
		problem = "The campaign is paused: switch it on first."
	case len(errs) > 0:
		problem = "Check the highlighted fields."
	}
	var next, last string
	if c.NextRunAt != nil {
		next = c.NextRunAt.In(loc).Format("2006-01-02 15:04")
	}
	if c.LastRunAt != nil {
		last = c.LastRunAt.In(loc).Format("2006-01-02 15:04")
	}
	title := "NPS campaign"
	if id == 0 {
		title = "New campaign"
	}
	data := map[string]any{"Campaign": c, "Form": campaignForm{ID: c.ID, Values: vals, Errs: errs}, "Orgs": orgs, "Languages": languages(),
		"Locales": i18n.Locales, "Next": next, "Last": last, "Zone": loc.String()}
	return u.Render(w, r, status, u.pages["campaign"], ui.PageData{Title: title, Nav: "nps-campaigns", Flash: flash, Error: problem, Data: data})
}

// NewCampaign answers GET /feedback/campaigns/new: the editor, empty.
func (u *UI) NewCampaign(w http.ResponseWriter, r *http.Request) error {
	return u.campaignPage(w, r, 0, http.StatusOK, "", nil, nil)
}

// UpdateCampaign answers POST /feedback/campaigns/{id} (form).
func (u *UI) UpdateCampaign(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	p, vals, errs := readCampaign(r)
	if len(errs) > 0 {
		return u.campaignPage(w, r, id, http.StatusUnprocessableEntity, "", vals, errs)
	}
	if _, err := u.NPS.UpdateCampaign(r.Context(), httpx.Actor(r.Context()), id, p); err != nil {
		if _, ok := ui.Refusal(err); ok {
			return u.campaignPage(w, r, id, http.StatusUnprocessableEntity, "", vals, u.formErrs(r, err))
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/feedback/campaigns/%d?saved=saved", id), http.StatusSeeOther)
	return nil
}

// RunCampaign answers POST /feedback/campaigns/{id}/run: send now.
func (u *UI) RunCampaign(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := u.NPS.RunNow(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		if e, ok := ui.Refusal(err); ok && e.Code == apperr.CodeUnprocessable {
			return u.campaignPage(w, r, id, http.StatusConflict, "", nil, nil)
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/feedback/campaigns/%d?saved=run", id), http.StatusSeeOther)
	return nil
}
