package chat

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	chatsvc "github.com/ombud/ombud/internal/chat"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
)

// widgetForms are the settings page's forms for the pages the widget
// appears on and its pre-chat form: as stored, or as sent after a refusal.
type widgetForms struct {
	Pages       *chatsvc.PageRules
	PagesErrs   map[string]string
	Prechat     *chatsvc.PrechatInput
	PrechatErrs map[string]string
}

// blankTopics is how many empty topic rows the form offers for new topics.
const blankTopics = 3

func (u *UI) loadWidgetForms(r *http.Request, wf *widgetForms) error {
	actor := httpx.Actor(r.Context())
	if wf.Pages == nil {
		p, err := u.Chat.PageRulesFor(r.Context(), actor)
		if err != nil {
			return err
		}
		wf.Pages = &p
	}
	if wf.Prechat == nil {
		p, err := u.Chat.PrechatFor(r.Context(), actor)
		if err != nil {
			return err
		}
		wf.Prechat = &chatsvc.PrechatInput{Name: p.Name, Topic: p.Topic, Topics: p.Topics}
	}
	if wf.PagesErrs == nil {
		wf.PagesErrs = map[string]string{}
	}
	if wf.PrechatErrs == nil {
		wf.PrechatErrs = map[string]string{}
	}
	return nil
}

// pages are the two pattern lists as the textareas show them.
func (wf widgetForms) pages() map[string]string {
	return map[string]string{"show_on": strings.Join(wf.Pages.ShowOn, "\n"), "hide_on": strings.Join(wf.Pages.HideOn, "\n")}
}

// topicRow is one row of the topics table.
type topicRow struct {
	N      int
	Label  string
	TeamID int64
	Err    string
}

func (wf widgetForms) topicRows() []topicRow {
	var rows []topicRow
	for i, t := range wf.Prechat.Topics {
		rows = append(rows, topicRow{N: i, Label: t.Label, TeamID: t.TeamID,
			Err: wf.PrechatErrs["topics."+strconv.Itoa(i)+".label"] + wf.PrechatErrs["topics."+strconv.Itoa(i)+".team_id"]})
	}
	for i := 0; i < blankTopics; i++ {
		rows = append(rows, topicRow{N: len(wf.Prechat.Topics) + i})
	}
	return rows
}

// SavePages answers POST /admin/chat/pages (form: show_on, hide_on, one
// pattern per line).
func (u *UI) SavePages(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	in := chatsvc.PageRules{ShowOn: formLines(r.PostForm.Get("show_on")), HideOn: formLines(r.PostForm.Get("hide_on"))}
	if _, err := u.Chat.PutPageRules(r.Context(), httpx.Actor(r.Context()), in); err != nil {
		return u.refused(w, r, err, widgetForms{Pages: &in, PagesErrs: u.ErrIn(r, err).Fields})
	}
	http.Redirect(w, r, "/admin/chat?saved=1#pages", http.StatusSeeOther)
	return nil
}

// SavePrechat answers POST /admin/chat/prechat (form: name, topic, and
// topic_label_N with topic_team_N per topic; an empty label drops it).
func (u *UI) SavePrechat(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	f := r.PostForm
	in := chatsvc.PrechatInput{Name: f.Get("name"), Topic: f.Get("topic"), Topics: []chatsvc.Topic{}}
	for i := 0; i < chatsvc.MaxTopics+blankTopics; i++ {
		label := strings.TrimSpace(f.Get("topic_label_" + strconv.Itoa(i)))
		if label == "" {
			continue
		}
		team, _ := strconv.ParseInt(f.Get("topic_team_"+strconv.Itoa(i)), 10, 64)
		in.Topics = append(in.Topics, chatsvc.Topic{Label: label, TeamID: team})
	}
	if _, err := u.Chat.PutPrechat(r.Context(), httpx.Actor(r.Context()), in); err != nil {
		return u.refused(w, r, err, widgetForms{Prechat: &in, PrechatErrs: u.ErrIn(r, err).Fields})
	}
	http.Redirect(w, r, "/admin/chat?saved=1#prechat", http.StatusSeeOther)
	return nil
}

// refused shows the settings page again with a form's field errors.
func (u *UI) refused(w http.ResponseWriter, r *http.Request, err error, wf widgetForms) error {
	e, ok := ui.Refusal(err)
	if !ok || e.Code != apperr.CodeInvalid {
		return err
	}
	st, serr := u.Chat.SettingsFor(r.Context(), httpx.Actor(r.Context()))
	if serr != nil {
		return serr
	}
	return u.settingsWith(w, r, http.StatusUnprocessableEntity, st, "", "Check the settings.", nil, wf)
}

func formLines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
