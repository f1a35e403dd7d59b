// Package knowledge serves the agents' knowledge base pages: the list with
// search and filters, writing and editing articles in Markdown with a
// preview, review and publishing, versions with a diff and restore,
// translations, the tickets an article was used on, the categories and
// the help center's branding; and the ticket page's knowledge panel
// (panel.go). The service (internal/kb) decides what each agent may see
// and do; these pages only ask.
package knowledge

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/kb"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
)

//go:embed templates/*.html
var templateFS embed.FS

// UI serves the knowledge pages.
type UI struct {
	*ui.UI
	KB *kb.Service
	// BaseURL is the public address for links put in replies ("": the
	// request's host); set before serving.
	BaseURL string
	pages   map[string]*template.Template
	panel   *template.Template
}

// New parses the pages with the shared layout.
func New(shared *ui.UI, svc *kb.Service) (*UI, error) {
	pages, err := shared.Parse(templateFS, "list", "article", "edit", "versions", "settings", "transfer", "report")
	if err != nil {
		return nil, err
	}
	panel, err := shared.ParsePage(templateFS, "panel")
	if err != nil {
		return nil, err
	}
	return &UI{UI: shared, KB: svc, pages: pages, panel: panel}, nil
}

// langOption is a language in a select.
type langOption struct {
	Code, Name string
	Selected   bool
}

func langOptions(selected string) []langOption {
	var out []langOption
	for _, l := range i18n.Locales {
		out = append(out, langOption{Code: l.Code, Name: l.Native, Selected: l.Code == selected})
	}
	return out
}

// sectionOption is a section in a select, named "Category › Section".
type sectionOption struct {
	ID       int64
	Name     string
	Selected bool
}

func (u *UI) sections(r *http.Request, selected int64) ([]sectionOption, map[int64]string, error) {
	tree, err := u.KB.Tree(r.Context(), kb.Viewer{Actor: httpx.Actor(r.Context())})
	if err != nil {
		return nil, nil, err
	}
	lang := u.Lang(r)
	var out []sectionOption
	names := map[int64]string{}
	for _, c := range tree {
		cn := kb.In(c.Names, lang, "en").Name
		for _, s := range c.Sections {
			n := cn + " › " + kb.In(s.Names, lang, "en").Name
			names[s.ID] = n
			out = append(out, sectionOption{ID: s.ID, Name: n, Selected: s.ID == selected})
		}
	}
	return out, names, nil
}

// listRow is an article in the list.
type listRow struct {
	kb.Hit
	Section, StateLabel, VisLabel string
}

// option is a value with its English label (translated by the template).
type option struct{ Value, Label string }

var stateLabels = map[string]string{kb.StateDraft: "Draft", kb.StateReview: "In review", kb.StatePublished: "Published", kb.StateArchived: "Archived"}

var visLabels = map[string]string{kb.VisInternal: "Internal: agents", kb.VisPublic: "Public: help center", kb.VisOrgs: "Customers of chosen organizations"}

func options(values []string, labels map[string]string) []option {
	out := make([]option, len(values))
	for i, v := range values {
		out[i] = option{v, labels[v]}
	}
	return out
}

// moves are the state buttons of an article in a state, for an actor.
func moves(state string, canPublish bool) []option {
	var out []option
	switch state {
	case kb.StateDraft:
		out = append(out, option{kb.StateReview, "Send for review"})
		if canPublish {
			out = append(out, option{kb.StatePublished, "Publish"})
		}
	case kb.StateReview:
		if canPublish {
			out = append(out, option{kb.StatePublished, "Publish"})
		}
		out = append(out, option{kb.StateDraft, "Back to draft"})
	case kb.StatePublished:
		if canPublish {
			out = append(out, option{kb.StateDraft, "Unpublish"}, option{kb.StateArchived, "Archive"})
		}
	case kb.StateArchived:
		if canPublish {
			out = append(out, option{kb.StatePublished, "Publish"}, option{kb.StateDraft, "Back to draft"})
		}
	}
	return out
}

// List answers GET /knowledge: search and filters (q, state, section,
// language, tag, visibility, outdated).
func (u *UI) List(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := kb.Filter{Query: q.Get("q"), State: q.Get("state"), Language: q.Get("language"), Tag: q.Get("tag"), Visibility: q.Get("visibility"),
		Outdated: q.Get("outdated") == "1", Limit: 100}
	f.SectionID, _ = strconv.ParseInt(q.Get("section"), 10, 64)
	actor := httpx.Actor(r.Context())
	res, err := u.KB.Find(r.Context(), kb.Viewer{Actor: actor}, f)
	if err != nil {
		if _, ok := ui.Refusal(err); !ok {
			return err
		}
		res = kb.Results{}
	}
	hits := res.Hits
	// A typo-corrected query: its results, and a link that searches it.
	var didYouMean map[string]string
	if res.DidYouMean != "" {
		fixed := url.Values{}
		for k, v := range q {
			fixed[k] = v
		}
		fixed.Set("q", res.DidYouMean)
		didYouMean = map[string]string{"Query": res.DidYouMean, "URL": "/knowledge?" + fixed.Encode()}
	}
	secs, names, err := u.sections(r, f.SectionID)
	if err != nil {
		return err
	}
	rows := make([]listRow, 0, len(hits))
	for _, h := range hits {
		rows = append(rows, listRow{Hit: h, Section: names[h.SectionID], StateLabel: stateLabels[h.State], VisLabel: visLabels[h.Visibility]})
	}
	flash := doneFlash(r, map[string]string{"category": "Category added.", "section": "Section added.", "settings": "Help center settings saved."})
	return u.Render(w, r, http.StatusOK, u.pages["list"], ui.PageData{Title: "Knowledge", Nav: "knowledge", Flash: flash, Data: map[string]any{
		"Rows": rows, "Filter": f, "DidYouMean": didYouMean, "Sections": secs, "Langs": langOptions(f.Language), "States": options(kb.States, stateLabels), "Visibilities": options(kb.Visibilities, visLabels),
		"CanWrite": authz.Can(actor, authz.KBWrite), "CanPublish": authz.Can(actor, authz.KBPublish), "CanReport": authz.Can(actor, authz.ReportRead), "HasSections": len(secs) > 0,
	}})
}

// editorData is the new-article and meta form.
type editorData struct {
	Values     url.Values
	Errs       map[string]string
	Sections   []sectionOption
	Langs      []langOption
	Teams      []ui.Option
	Preview    template.HTML
	FromTicket int64
}

// New answers GET /knowledge/new (?section=, ?ticket=&comment= to start
// from a reply on a ticket).
func (u *UI) New(w http.ResponseWriter, r *http.Request) error {
	actor := httpx.Actor(r.Context())
	if err := authz.Check(actor, authz.KBWrite); err != nil {
		return err
	}
	q := r.URL.Query()
	v := url.Values{"language": {u.Lang(r)}, "visibility": {kb.VisInternal}, "section_id": {q.Get("section")}}
	tid, _ := strconv.ParseInt(q.Get("ticket"), 10, 64)
	cid, _ := strconv.ParseInt(q.Get("comment"), 10, 64)
	if tid > 0 && cid > 0 {
		body, lang, err := u.replyText(r, tid, cid)
		if err != nil {
			return err
		}
		v.Set("body", body)
		if kb.ValidLanguage(lang) {
			v.Set("language", lang)
		}
		v.Set("ticket", strconv.FormatInt(tid, 10))
	}
	return u.newPage(w, r, http.StatusOK, v, map[string]string{}, "")
}

// replyText is the text of a reply on a ticket and the ticket's language.
func (u *UI) replyText(r *http.Request, ticketID, commentID int64) (string, string, error) {
	actor := httpx.Actor(r.Context())
	t, err := u.Tickets.Get(r.Context(), actor, ticketID)
	if err != nil {
		return "", "", err
	}
	cs, err := u.Tickets.ListComments(r.Context(), actor, ticketID, pageAll)
	if err != nil {
		return "", "", err
	}
	for _, c := range cs.Data {
		if c.ID == commentID && c.Public {
			return c.Body, t.Language, nil
		}
	}
	return "", "", apperr.NotFound("comment", commentID)
}

func (u *UI) newPage(w http.ResponseWriter, r *http.Request, status int, v url.Values, errs map[string]string, msg string) error {
	sec, _ := strconv.ParseInt(v.Get("section_id"), 10, 64)
	secs, _, err := u.sections(r, sec)
	if err != nil {
		return err
	}
	teams, err := u.Teams(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	d := editorData{Values: v, Errs: errs, Sections: secs, Langs: langOptions(v.Get("language")), Teams: ui.TeamChoices(teams)}
	for i := range d.Teams {
		d.Teams[i].Selected = contains(v["team_ids"], d.Teams[i].Value)
	}
	if v.Get("preview") != "" {
		d.Preview = template.HTML(u.KB.Render(v.Get("body"))) // sanitised by kb
	}
	return u.Render(w, r, status, u.pages["edit"], ui.PageData{Title: "New article", Nav: "knowledge", Error: msg, Data: map[string]any{"New": true, "Form": d,
		"Visibilities": options(kb.Visibilities, visLabels)}})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func ids(vals []string) []int64 {
	var out []int64
	for _, s := range vals {
		for _, part := range strings.Split(s, ",") {
			if n, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64); err == nil && n > 0 {
				out = append(out, n)
			}
		}
	}
	return out
}

// Create answers POST /knowledge/articles (form: section_id, language,
// title, summary, body, visibility, team_ids, organization_ids, tags,
// verify_by; preview=1 shows the preview instead of saving).
func (u *UI) Create(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	v := r.PostForm
	if v.Get("preview") != "" {
		return u.newPage(w, r, http.StatusOK, v, map[string]string{}, "")
	}
	sec, _ := strconv.ParseInt(v.Get("section_id"), 10, 64)
	in := kb.ArticleInput{SectionID: sec, Language: v.Get("language"), Title: v.Get("title"), Summary: v.Get("summary"), Body: v.Get("body"),
		Visibility: v.Get("visibility"), Teams: ids(v["team_ids"]), Orgs: ids(v["organization_ids"]), Tags: ui.SplitList(v.Get("tags")), VerifyBy: v.Get("verify_by")}
	a, err := u.KB.Create(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		if _, ok := ui.Refusal(err); ok {
			e := u.ErrIn(r, err)
			return u.newPage(w, r, http.StatusUnprocessableEntity, v, e.Fields, u.Tr(r, "Check the article."))
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/knowledge/articles/%d?done=created", a.ID), http.StatusSeeOther)
	return nil
}

// translationRow is one language of the article on its page.
type translationRow struct {
	Code, Name string
	T          *kb.Translation
	Source     bool
}

// Article answers GET /knowledge/articles/{id} (?lang= the translation shown).
func (u *UI) Article(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "article")
	if err != nil {
		return err
	}
	actor := httpx.Actor(r.Context())
	v := kb.Viewer{Actor: actor}
	a, err := u.KB.Get(r.Context(), v, id)
	if err != nil {
		return err
	}
	lang := r.URL.Query().Get("lang")
	if !a.Has(lang) {
		lang = a.SourceLanguage
	}
	t, _ := a.In(lang, a.SourceLanguage)
	if r.URL.Query().Get("done") == "" {
		u.KB.CountView(r.Context(), a.ID, t.Language, kb.ChannelAgent)
	}
	var rows []translationRow
	for _, l := range i18n.Locales {
		row := translationRow{Code: l.Code, Name: l.Native, Source: l.Code == a.SourceLanguage}
		for i := range a.Translations {
			if a.Translations[i].Language == l.Code {
				row.T = &a.Translations[i]
			}
		}
		rows = append(rows, row)
	}
	fb, err := u.KB.Feedback(r.Context(), actor, id)
	if err != nil {
		return err
	}
	uses, err := u.KB.Usage(r.Context(), actor, id)
	if err != nil {
		return err
	}
	files, err := u.KB.Files(r.Context(), v, id)
	if err != nil {
		return err
	}
	_, names, err := u.sections(r, a.SectionID)
	if err != nil {
		return err
	}
	teams, err := u.Teams(r.Context(), actor)
	if err != nil {
		return err
	}
	teamOpts := ui.TeamChoices(teams)
	for i := range teamOpts {
		for _, tid := range a.Teams {
			if teamOpts[i].Value == strconv.FormatInt(tid, 10) {
				teamOpts[i].Selected = true
			}
		}
	}
	secs, _, err := u.sections(r, a.SectionID)
	if err != nil {
		return err
	}
	var orgs []string
	for _, o := range a.Orgs {
		orgs = append(orgs, strconv.FormatInt(o, 10))
	}
	verify := ""
	if a.VerifyBy != nil {
		verify = a.VerifyBy.Format("2006-01-02")
	}
	flash := doneFlash(r, map[string]string{"created": "Article created.", "saved": "Saved as a new version.", "review": "Sent for review.",
		"published": "Published.", "draft": "Moved back to draft.", "archived": "Archived.", "meta": "Settings saved.", "restored": "Version restored.",
		"file": "File added: paste its Markdown into the text."})
	canEdit := authz.Can(actor, authz.KBWrite) && (a.State == kb.StateDraft || a.State == kb.StateReview || authz.Can(actor, authz.KBPublish))
	return u.Render(w, r, http.StatusOK, u.pages["article"], ui.PageData{Title: t.Title, Nav: "knowledge", Flash: flash, Data: map[string]any{
		"A": a, "T": t, "HTML": template.HTML(agentHTML(t.HTML)), "Rows": rows, "Feedback": fb, "Uses": uses, "Files": files,
		"Section": names[a.SectionID], "Sections": secs, "Teams": teamOpts, "Orgs": strings.Join(orgs, ", "), "Tags": strings.Join(a.Tags, ", "),
		"VerifyBy": verify, "CanEdit": canEdit, "CanPublish": authz.Can(actor, authz.KBPublish), "CanWrite": authz.Can(actor, authz.KBWrite),
		"Visibilities": options(kb.Visibilities, visLabels), "Langs": langOptions(a.SourceLanguage),
		"StateLabel": stateLabels[a.State], "VisLabel": visLabels[a.Visibility], "Moves": moves(a.State, authz.Can(actor, authz.KBPublish)),
		"PublicURL": fmt.Sprintf("/help/%s/articles/%d-%s", t.Language, a.ID, t.Slug),
	}})
}

// agentHTML points an article's file links at the agents' file route, which
// also serves the files of internal articles.
func agentHTML(h string) string {
	h = strings.ReplaceAll(h, `src="/help-files/`, `src="/knowledge/files/`)
	return strings.ReplaceAll(h, `href="/help-files/`, `href="/knowledge/files/`)
}

// State answers POST /knowledge/articles/{id}/state (form: state).
func (u *UI) State(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "article")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	to := r.PostForm.Get("state")
	if _, err := u.KB.Transition(r.Context(), httpx.Actor(r.Context()), id, to); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/knowledge/articles/%d?done=%s", id, url.QueryEscape(to)), http.StatusSeeOther)
	return nil
}

// Meta answers POST /knowledge/articles/{id}/meta (form: section_id,
// source_language, visibility, team_ids, organization_ids, tags, verify_by).
func (u *UI) Meta(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "article")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	v := r.PostForm
	sec, _ := strconv.ParseInt(v.Get("section_id"), 10, 64)
	owner, _ := strconv.ParseInt(v.Get("owner_id"), 10, 64)
	m := kb.Meta{SectionID: sec, SourceLanguage: v.Get("source_language"), Visibility: v.Get("visibility"), Teams: ids(v["team_ids"]),
		Orgs: ids(v["organization_ids"]), Tags: ui.SplitList(v.Get("tags")), OwnerID: owner, VerifyBy: v.Get("verify_by")}
	if _, err := u.KB.UpdateMeta(r.Context(), httpx.Actor(r.Context()), id, m); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/knowledge/articles/%d?done=meta", id), http.StatusSeeOther)
	return nil
}

// doneFlash is the message for "?done=<what>" after a change.
func doneFlash(r *http.Request, msgs map[string]string) string {
	return msgs[r.URL.Query().Get("done")]
}
