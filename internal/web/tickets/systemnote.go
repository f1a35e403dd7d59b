package tickets

import "html/template"

// systemNoteIn shows a note Ombud wrote itself (the one a merge leaves on
// the target, stored in English) in lang, when the catalog knows it.
func (u *UI) systemNoteIn(lang string, cv *commentView) {
	if t := u.i18n.Message(lang, cv.Body); t != cv.Body {
		cv.Body, cv.HTML = t, "<p>"+template.HTMLEscapeString(t)+"</p>"
	}
}
