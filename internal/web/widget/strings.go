package widget

import (
	"net/http"
	"slices"
	"strings"

	"github.com/ombud/ombud/internal/chat"
)

// widgetStrings are the widget's words: the id the script uses → the
// English catalog key, translated per language by the i18n catalogs.
var widgetStrings = map[string]string{
	"title":        "Chat with us",
	"greeting":     "Hi! How can we help?",
	"name":         "Your name",
	"email":        "Your email",
	"topic":        "What can we help you with?",
	"start":        "Start chat",
	"placeholder":  "Type a message",
	"send":         "Send",
	"waiting":      "Waiting for an agent",
	"joined":       "%s joined the chat",
	"transferred":  "You are being transferred to another agent",
	"ended":        "The chat has ended",
	"typing":       "%s is typing",
	"agent":        "The agent",
	"sending":      "Sending",
	"delivered":    "Delivered",
	"read":         "Read",
	"transcript":   "Email me the transcript",
	"transcriptOk": "The transcript is on its way to your email.",
	"end":          "End chat",
	"closed":       "We are closed right now. Leave a message and we will answer by email.",
	"busy":         "Nobody is available right now. Leave a message and we will answer by email.",
	"message":      "Your message",
	"leave":        "Leave a message",
	"left":         "Thank you! We will answer by email.",
	"offline":      "Reconnecting",
	"close":        "Close",
	"error":        "Something went wrong. Please try again.",
	"you":          "You",
	"again":        "Start a new chat",
	"open":         "Open the chat",
	"attach":       "Attach a file",
	"tooLarge":     "The file is larger than %s MB.",
	"fileType":     "This type of file cannot be sent.",
	"drop":         "Drop the file here",
	"kb":           "%s KB",
	"download":     "Download %s",
	"required":     "Please fill this in.",
	"badEmail":     "Please enter an email address.",
	"badTopic":     "Please choose one of the topics.",
	"chooseTopic":  "Choose a topic",
	"optional":     "(optional)",
}

// strings returns the widget's words in lang.
func (u *UI) strings(lang string) map[string]string {
	out := make(map[string]string, len(widgetStrings))
	for id, key := range widgetStrings {
		if strings.Contains(key, "%s") {
			out[id] = u.tr.T(lang, key, "%s") // the script fills in the name
		} else {
			out[id] = u.tr.String(lang, key)
		}
	}
	return out
}

// lang picks one of the widget's languages ("" → the first configured).
func lang(st chat.Settings, want string) string {
	if slices.Contains(st.Languages, want) {
		return want
	}
	if len(st.Languages) > 0 {
		return st.Languages[0]
	}
	return "en"
}

// Strings answers GET /widget/strings/{lang}: the widget's words as JSON.
func (u *UI) Strings(w http.ResponseWriter, r *http.Request) error {
	return u.serve(w, r, false, func(st chat.Settings) (int, any, error) {
		l := r.PathValue("lang")
		if !slices.Contains(chat.Languages, l) {
			l = lang(st, l)
		}
		w.Header().Set("Cache-Control", "public, max-age=300")
		return http.StatusOK, map[string]any{"lang": l, "strings": u.strings(l)}, nil
	})
}
