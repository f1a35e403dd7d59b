package knowledge

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/kb"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
)

// groupRow is a category or section on the settings page.
type groupRow struct {
	ID       int64
	Name     string
	Articles int
	Sections []groupRow
}

// Settings answers GET /knowledge/settings: categories and sections, and
// the help center's branding and fallback language.
func (u *UI) Settings(w http.ResponseWriter, r *http.Request) error {
	return u.settingsPage(w, r, http.StatusOK, nil, map[string]string{}, "")
}

func (u *UI) settingsPage(w http.ResponseWriter, r *http.Request, status int, sent url.Values, errs map[string]string, msg string) error {
	actor := httpx.Actor(r.Context())
	if err := authz.Check(actor, authz.KBPublish); err != nil {
		return err
	}
	tree, err := u.KB.Tree(r.Context(), kb.Viewer{Actor: actor})
	if err != nil {
		return err
	}
	lang := u.Lang(r)
	var rows []groupRow
	for _, c := range tree {
		row := groupRow{ID: c.ID, Name: kb.In(c.Names, lang, "en").Name, Articles: c.Articles}
		for _, s := range c.Sections {
			row.Sections = append(row.Sections, groupRow{ID: s.ID, Name: kb.In(s.Names, lang, "en").Name, Articles: s.Articles})
		}
		rows = append(rows, row)
	}
	st, err := u.KB.Settings(r.Context())
	if err != nil {
		return err
	}
	if sent == nil {
		sent = url.Values{"name": {st.Name}, "logo_url": {st.LogoURL}, "color": {st.Color}, "accent": {st.Accent}, "custom_css": {st.CustomCSS}, "fallback_language": {st.FallbackLanguage}}
	}
	return u.Render(w, r, status, u.pages["settings"], ui.PageData{Title: "Knowledge settings", Nav: "knowledge", Error: msg, Data: map[string]any{
		"Tree": rows, "Locales": i18n.Locales, "Brand": sent, "Errs": errs, "Langs": langOptions(sent.Get("fallback_language")),
	}})
}

// names reads name_<lang> and description_<lang> fields.
func names(v url.Values) []kb.Name {
	var out []kb.Name
	for _, l := range i18n.Locales {
		out = append(out, kb.Name{Language: l.Code, Name: v.Get("name_" + l.Code), Description: v.Get("description_" + l.Code)})
	}
	return out
}

// AddCategory answers POST /knowledge/categories (form: name_<lang>,
// description_<lang>, position).
func (u *UI) AddCategory(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	pos, _ := strconv.Atoi(r.PostForm.Get("position"))
	if _, err := u.KB.CreateCategory(r.Context(), httpx.Actor(r.Context()), kb.GroupInput{Position: pos, Names: names(r.PostForm)}); err != nil {
		return err
	}
	http.Redirect(w, r, "/knowledge/settings?done=category", http.StatusSeeOther)
	return nil
}

// AddSection answers POST /knowledge/sections (form: category_id,
// name_<lang>, description_<lang>, position).
func (u *UI) AddSection(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	pos, _ := strconv.Atoi(r.PostForm.Get("position"))
	cat, _ := strconv.ParseInt(r.PostForm.Get("category_id"), 10, 64)
	sec, err := u.KB.CreateSection(r.Context(), httpx.Actor(r.Context()), cat, kb.GroupInput{Position: pos, Names: names(r.PostForm)})
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/knowledge/settings?done=section#section-%d", sec.ID), http.StatusSeeOther)
	return nil
}

// SaveSettings answers POST /knowledge/settings (form: name, logo_url,
// color, accent, custom_css, fallback_language).
func (u *UI) SaveSettings(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	v := r.PostForm
	in := kb.Settings{Name: v.Get("name"), LogoURL: v.Get("logo_url"), Color: v.Get("color"), Accent: v.Get("accent"), CustomCSS: v.Get("custom_css"), FallbackLanguage: v.Get("fallback_language")}
	if _, err := u.KB.SaveSettings(r.Context(), httpx.Actor(r.Context()), in); err != nil {
		if _, ok := ui.Refusal(err); ok {
			return u.settingsPage(w, r, http.StatusUnprocessableEntity, v, u.ErrIn(r, err).Fields, u.Tr(r, "Check the help center settings."))
		}
		return err
	}
	http.Redirect(w, r, "/knowledge?done=settings", http.StatusSeeOther)
	return nil
}
