package ui

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/channel/email"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/sla"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/httpx"
)

// This file puts the pages into the agent's language: the locale of a
// request, dates in the locale's words, the history sentences, and the
// pass over a page's generated forms that translates their labels.

// lang is the request's UI language: the signed-in agent's locale, or the
// browser's Accept-Language when nobody is signed in.
func (u *UI) lang(r *http.Request) string {
	if s := httpx.SessionFrom(r.Context()); s != nil {
		return u.i18n.Match(s.Locale)
	}
	return u.i18n.MatchAcceptLanguage(r.Header.Get("Accept-Language"))
}

// tr translates a catalog key (possibly a format) in the request's language.
func (u *UI) tr(r *http.Request, key string, args ...any) string {
	return u.i18n.T(u.lang(r), key, args...)
}

// when writes t in the agent's time zone and language; the year only when
// it is not this year's.
func when(lang string, t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return i18n.FormatNear(lang, t.In(loc), time.Now())
}

// labelIn is label(s) in lang.
func (u *UI) labelIn(lang string, s any) string {
	return u.i18n.String(lang, label(s))
}

// describe says in words, in lang, what an event did.
func (u *UI) describe(lang string, e ticket.Event, names map[int64]string) string {
	t := func(key string, args ...any) string { return u.i18n.T(lang, key, args...) }
	agentName := func(v any) string {
		f, _ := v.(float64)
		if f == 0 {
			return t("nobody")
		}
		if n := names[int64(f)]; n != "" {
			return n
		}
		return t("agent %s", strconv.FormatInt(int64(f), 10))
	}
	list := func(v any) string {
		var out []string
		switch x := v.(type) {
		case []any:
			for _, s := range x {
				out = append(out, fmt.Sprint(s))
			}
		case []string:
			out = x
		case nil:
		default:
			out = append(out, fmt.Sprint(x))
		}
		if len(out) == 0 {
			return "—"
		}
		return strings.Join(out, ", ")
	}
	value := func(v any) string {
		if v == nil {
			return "—"
		}
		return u.labelIn(lang, v)
	}
	d := e.Data
	switch e.Type {
	case ticket.EvCreated:
		return t("created the ticket (%s, %s)", value(d["channel"]), value(d["priority"]))
	case ticket.EvCommentAdded:
		if pub, _ := d["public"].(bool); pub {
			return t("added a public reply")
		}
		return t("added an internal note")
	case ticket.EvStatusChanged:
		return t("changed status from %s to %s", value(d["from"]), value(d["to"]))
	case ticket.EvPriorityChanged:
		return t("changed priority from %s to %s", value(d["from"]), value(d["to"]))
	case ticket.EvTypeChanged:
		return t("changed type from %s to %s", value(d["from"]), value(d["to"]))
	case ticket.EvLanguageChanged:
		return t("changed language from %s to %s", fmt.Sprint(d["from"]), fmt.Sprint(d["to"]))
	case ticket.EvSubjectChanged:
		return t("changed the subject from %s to %s", fmt.Sprint(d["from"]), fmt.Sprint(d["to"]))
	case ticket.EvAssigneeChanged:
		return t("assigned from %s to %s", agentName(d["from"]), agentName(d["to"]))
	case ticket.EvTeamChanged:
		return t("changed the team")
	case ticket.EvTagsChanged:
		return t("tags: added %s, removed %s", list(d["added"]), list(d["removed"]))
	case ticket.EvFieldChanged:
		return t("changed %s from %s to %s", fmt.Sprint(d["key"]), fmt.Sprint(d["from"]), fmt.Sprint(d["to"]))
	case ticket.EvMerged:
		return t("merged this ticket into #%s", fmt.Sprint(d["into"]))
	case ticket.EvMergeReceived:
		return t("merged ticket #%s into this one", fmt.Sprint(d["from"]))
	case sla.EvRetargeted: // slahistory.go
		return u.describeRetarget(lang, e)
	case email.EvDeliveryFailed, email.EvBounced, email.EvDeliveryRetried, email.EvDeliverySuperseded: // delivery.go
		return u.describeDelivery(lang, e)
	case ticket.EvMentioned: // composer.go: @mentions
		var who []string
		ids, _ := d["agent_ids"].([]any)
		for _, id := range ids {
			who = append(who, agentName(id))
		}
		return t("mentioned %s", list(who))
	}
	return strings.ReplaceAll(e.Type, "_", " ")
}

// localize translates the fixed texts of a page's generated forms (legends,
// labels, hints, the choices of selects, the error summary) and its flash
// and error messages, where the catalog has them. The handlers build these
// in English; doing it here keeps every handler free of the language.
// Choices whose value is a row id (a team, an agent, a calendar) are names
// typed by people and stay as they are.
func (u *UI) localize(lang string, p *pageData) {
	if lang == i18n.Fallback {
		return
	}
	p.Flash = u.i18n.String(lang, p.Flash)
	p.Error = u.i18n.String(lang, p.Error)
	m, ok := p.Data.(map[string]any)
	if !ok {
		return
	}
	for k, v := range m {
		m[k] = u.localizeValue(lang, v)
	}
}

func (u *UI) localizeValue(lang string, v any) any {
	s := func(x string) string { return u.i18n.String(lang, x) }
	switch x := v.(type) {
	case []fieldset:
		out := slices.Clone(x)
		for i := range out {
			out[i] = u.localizeValue(lang, out[i]).(fieldset)
		}
		return out
	case fieldset:
		x.Legend, x.Short, x.Hint = s(x.Legend), s(x.Short), s(x.Hint)
		x.Fields = u.localizeValue(lang, x.Fields).([]formField)
		return x
	case panel:
		x.CustomFields = u.localizeValue(lang, x.CustomFields).([]formField)
		errs := make(map[string]string, len(x.Errs))
		for k, v := range x.Errs {
			errs[k] = s(v)
		}
		x.Errs = errs
		return x
	case []formField:
		out := slices.Clone(x)
		for i := range out {
			out[i] = u.localizeValue(lang, out[i]).(formField)
		}
		return out
	case formField:
		x.Label, x.Hint, x.Error = s(x.Label), s(x.Hint), s(x.Error)
		x.RequiredText = s("(required)")
		x.Options = u.localizeValue(lang, x.Options).([]option)
		return x
	case []option:
		out := slices.Clone(x)
		for i := range out {
			if _, err := strconv.ParseInt(out[i].Value, 10, 64); err != nil || out[i].Value == "0" {
				out[i].Label = s(out[i].Label)
			}
		}
		return out
	case []fieldError:
		out := slices.Clone(x)
		for i := range out {
			out[i].Label, out[i].Message = s(out[i].Label), s(out[i].Message)
			out[i].Title = s("Please correct the following")
		}
		return out
	case checks:
		x.Legend, x.Hint, x.Error, x.Lang = s(x.Legend), s(x.Hint), s(x.Error), lang
		x.Options = u.localizeValue(lang, x.Options).([]option)
		return x
	case []dayRow:
		out := slices.Clone(x)
		for i := range out {
			out[i].Label, out[i].Error = s(out[i].Label), s(out[i].Error)
		}
		return out
	case []targetRow:
		out := slices.Clone(x)
		for i := range out {
			out[i].Label, out[i].Error = s(out[i].Label), s(out[i].Error)
			out[i].Cells = u.localizeValue(lang, out[i].Cells).([]formField)
			out[i].BusinessHours = u.localizeValue(lang, out[i].BusinessHours).(formField)
			out[i].Calendar = u.localizeValue(lang, out[i].Calendar).(formField)
		}
		return out
	}
	return v
}
