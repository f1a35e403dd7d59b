package ui

import (
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"time"

	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/web/httpx"
)

// This file puts the pages into the agent's language: the locale of a
// request, dates in the locale's words, the history sentences, and the
// pass over a page's generated forms that translates their labels.

// Lang is the request's UI language: the signed-in agent's locale, or the
// browser's Accept-Language when nobody is signed in.
func (u *UI) Lang(r *http.Request) string {
	if s := httpx.SessionFrom(r.Context()); s != nil {
		return u.i18n.Match(s.Locale)
	}
	return u.i18n.MatchAcceptLanguage(r.Header.Get("Accept-Language"))
}

// Tr translates a catalog key (possibly a format) in the request's language.
func (u *UI) Tr(r *http.Request, key string, args ...any) string {
	return u.i18n.T(u.Lang(r), key, args...)
}

// When writes t in the agent's time zone and language; the year only when
// it is not this year's.
func When(lang string, t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return i18n.FormatNear(lang, t.In(loc), time.Now())
}

// LabelIn is Label(s) in lang.
func (u *UI) LabelIn(lang string, s any) string {
	return u.i18n.String(lang, Label(s))
}

// localize translates the fixed texts of a page's generated forms (legends,
// labels, hints, the choices of selects, the error summary) and its flash
// and error messages, where the catalog has them. The handlers build these
// in English; doing it here keeps every handler free of the language.
// Choices whose value is a row id (a team, an agent, a calendar) are names
// typed by people and stay as they are.
func (u *UI) localize(lang string, p *PageData) {
	if lang == i18n.Fallback {
		return
	}
	p.Flash = u.MsgIn(lang, p.Flash) // errors too: errlang.go
	p.Error = u.MsgIn(lang, p.Error)
	m, ok := p.Data.(map[string]any)
	if !ok {
		return
	}
	for k, v := range m {
		m[k] = u.LocalizeValue(lang, v)
	}
}

// LocalizeValue translates the fixed texts of one value of a page's data
// (see localize); a surface's own page types pass theirs through it.
func (u *UI) LocalizeValue(lang string, v any) any {
	s := func(x string) string { return u.i18n.String(lang, x) }
	m := func(x string) string { return u.MsgIn(lang, x) } // errors: errlang.go
	switch x := v.(type) {
	case Form: // templates that show f.Errs themselves
		errs := make(map[string]string, len(x.Errs))
		for k, v := range x.Errs {
			errs[k] = m(v)
		}
		x.Errs = errs
		return x
	case []Fieldset:
		out := slices.Clone(x)
		for i := range out {
			out[i] = u.LocalizeValue(lang, out[i]).(Fieldset)
		}
		return out
	case Fieldset:
		x.Legend, x.Short, x.Hint = s(x.Legend), s(x.Short), s(x.Hint)
		x.Fields = u.LocalizeValue(lang, x.Fields).([]FormField)
		return x
	case []FormField:
		out := slices.Clone(x)
		for i := range out {
			out[i] = u.LocalizeValue(lang, out[i]).(FormField)
		}
		return out
	case FormField:
		x.Label, x.Hint, x.Error = s(x.Label), s(x.Hint), m(x.Error)
		x.RequiredText = s("(required)")
		x.Options = u.LocalizeValue(lang, x.Options).([]Option)
		return x
	case []Option:
		out := slices.Clone(x)
		for i := range out {
			if _, err := strconv.ParseInt(out[i].Value, 10, 64); err != nil || out[i].Value == "0" {
				out[i].Label = s(out[i].Label)
			}
		}
		return out
	case []FieldError:
		out := slices.Clone(x)
		for i := range out {
			out[i].Label, out[i].Message = s(out[i].Label), m(out[i].Message)
			out[i].Title = s("Please correct the following")
		}
		return out
	case Checks:
		x.Legend, x.Hint, x.Error, x.Lang = s(x.Legend), s(x.Hint), m(x.Error), lang
		x.Options = u.LocalizeValue(lang, x.Options).([]Option)
		return x
	}
	if f, ok := embeddedForm(v); ok { // a surface's struct{ ui.Form }
		local := u.LocalizeValue(lang, f(nil)).(Form)
		return f(&local)
	}
	return v
}

// embeddedForm reports whether v is a surface's form type, a struct
// embedding Form; get(nil) returns its Form, get(&f) a copy of v holding f.
func embeddedForm(v any) (func(*Form) any, bool) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Struct {
		return nil, false
	}
	fv := rv.FieldByName("Form")
	if !fv.IsValid() || fv.Type() != reflect.TypeOf(Form{}) {
		return nil, false
	}
	return func(f *Form) any {
		if f == nil {
			return fv.Interface()
		}
		cp := reflect.New(rv.Type()).Elem()
		cp.Set(rv)
		cp.FieldByName("Form").Set(reflect.ValueOf(*f))
		return cp.Interface()
	}, true
}
