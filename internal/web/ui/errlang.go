package ui

import (
	"maps"
	"net/http"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
)

// Services refuse in English (the JSON API keeps those messages beside
// their stable codes); a person reads them here in their own language.
// ErrIn gives a handler the refusal already translated, and localize runs
// every error a page shows through MsgIn, which also takes apart the
// messages handlers join ("subject: is required; tags: at most 50 tags").

// ErrIn is apperr.As(err) with its message and field messages in the
// request's language.
func (u *UI) ErrIn(r *http.Request, err error) *apperr.Error {
	e := apperr.As(err)
	lang := u.Lang(r)
	out := *e
	out.Message = u.MsgIn(lang, e.Message)
	if e.Fields != nil {
		out.Fields = maps.Clone(e.Fields)
		for k, v := range out.Fields {
			out.Fields[k] = u.MsgIn(lang, v)
		}
	}
	return &out
}

// MsgIn translates an English message, or each part of one built by
// joining messages with "; " and prefixing them with "field: ".
func (u *UI) MsgIn(lang, s string) string {
	if s == "" {
		return s
	}
	if t := u.i18n.Message(lang, s); t != s || !strings.ContainsAny(s, ":;") {
		return t
	}
	if parts := strings.Split(s, "; "); len(parts) > 1 {
		for i, p := range parts {
			parts[i] = u.MsgIn(lang, p)
		}
		return strings.Join(parts, "; ")
	}
	if head, tail, ok := strings.Cut(s, ": "); ok {
		return u.MsgIn(lang, head) + ": " + u.MsgIn(lang, tail)
	}
	return s
}

// FieldName is a field key of a refusal ("requester.email", "tags[2]") as
// the form's label calls it, where the catalog has that label.
func (u *UI) FieldName(lang, k string) string {
	name := indexSuffix.ReplaceAllString(k, "")
	if name == "" {
		return k
	}
	label := strings.ToUpper(name[:1]) + strings.NewReplacer("_", " ", ".", " ").Replace(name[1:])
	if label = strings.TrimSuffix(label, " id"); u.i18n.Has(label) {
		return u.i18n.String(lang, label)
	}
	return k
}
