package automation

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// ActionText is a message action's subject and body in one language. A
// rule that writes to people (a reply, a notification) keeps one text per
// language on the action itself, so one trigger serves every language and
// the recipient's language picks the text: the ticket's language for the
// requester (replies, notes, "requester" notices, addresses), the agent's
// language for "assignee" and "followers" notices. A language without a
// text gets the action's own Subject and Body.
type ActionText struct {
	Subject string `json:"subject,omitempty"`
	Body    string `json:"body"`
}

// compiledText is a validated ActionText.
type compiledText struct {
	subject, body *Template
}

// maxTexts bounds the languages one action carries.
const maxTexts = 20

var langRE = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$`)

// compileTexts validates an action's per-language texts, reporting under
// path.texts.<lang>; nil when there are none or one is invalid.
func compileTexts(a Action, path string, fe errAdder) map[string]compiledText {
	if len(a.Texts) == 0 {
		return nil
	}
	if len(a.Texts) > maxTexts {
		fe.Add(path+".texts", fmt.Sprintf("must have at most %d languages", maxTexts))
		return nil
	}
	out := map[string]compiledText{}
	ok := true
	langs := make([]string, 0, len(a.Texts))
	for l := range a.Texts {
		langs = append(langs, l)
	}
	slices.Sort(langs)
	for _, lang := range langs {
		txt := a.Texts[lang]
		p := path + ".texts." + lang
		if !langRE.MatchString(lang) {
			fe.Add(path+".texts", fmt.Sprintf("%q is not a language code such as en or nb", lang))
			ok = false
			continue
		}
		if a.Type != "notify" && txt.Subject != "" {
			fe.Add(p+".subject", "is not used by "+a.Type)
			ok = false
			continue
		}
		var c compiledText
		if strings.TrimSpace(txt.Body) == "" {
			fe.Add(p+".body", "is required")
			ok = false
			continue
		}
		if len(txt.Body) > 64<<10 {
			fe.Add(p+".body", "must be at most 64 KiB")
			ok = false
			continue
		}
		t, err := ParseTemplate(txt.Body)
		if err != nil {
			fe.Add(p+".body", err.Error())
			ok = false
			continue
		}
		c.body = t
		if txt.Subject != "" {
			st, err := ParseTemplate(txt.Subject)
			if err != nil || len(txt.Subject) > 500 {
				msg := "must be at most 500 characters"
				if err != nil {
					msg = err.Error()
				}
				fe.Add(p+".subject", msg)
				ok = false
				continue
			}
			c.subject = st
		}
		out[lang] = c
	}
	if !ok {
		return nil
	}
	return out
}

// errAdder is what compileTexts reports problems to (apperr.FieldErrors).
type errAdder interface{ Add(field, msg string) }

// textFor picks the subject and body for a recipient language: the exact
// language, then its base ("nb" for "nb-NO"), then the action's own.
func (a action) textFor(lang string) (subject, body *Template) {
	subject, body = a.subject, a.body
	lang = strings.ToLower(strings.TrimSpace(lang))
	c, ok := a.texts[lang]
	if !ok {
		base, _, _ := strings.Cut(lang, "-")
		c, ok = a.texts[base]
	}
	if !ok {
		return subject, body
	}
	if c.subject != nil {
		subject = c.subject
	}
	return subject, c.body
}

// notice renders a notify action in its own text and in every language it
// has a text for; queueNotice picks by the recipients' languages.
func (a action) notice(data map[string]string) plannedNotice {
	n := plannedNotice{to: a.to, subject: a.subject.Render(data), body: a.body.Render(data)}
	for lang := range a.texts {
		s, b := a.textFor(lang)
		if n.byLang == nil {
			n.byLang = map[string][2]string{}
		}
		n.byLang[lang] = [2]string{s.Render(data), b.Render(data)}
	}
	return n
}

// inLanguage returns a notice's subject and body for a language.
func (n plannedNotice) inLanguage(lang string) (string, string) {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if t, ok := n.byLang[lang]; ok {
		return t[0], t[1]
	}
	base, _, _ := strings.Cut(lang, "-")
	if t, ok := n.byLang[base]; ok {
		return t[0], t[1]
	}
	return n.subject, n.body
}
