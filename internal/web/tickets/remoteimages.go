package tickets

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/richtext"
)

// Remote images in mail (tracking pixels, logos on a sender's server) are
// not loaded until the agent asks: loading one tells the sender that, when
// and from where the message was read. A page hides them when it renders
// (richtext.HideRemoteImages) and offers a link that renders it again with
// ?images=<comment ids>; only such a page's Content-Security-Policy lets
// the browser fetch images from other hosts, so the choice cannot be made
// by script within a page that was served without it.

// maxShownImages bounds the comment ids ?images= may list.
const maxShownImages = 100

// shownImages reads ?images=: the comments whose remote images the agent
// asked to see, as a comma-separated list of comment ids.
func shownImages(r *http.Request) (map[int64]bool, error) {
	vals := r.URL.Query()["images"]
	switch {
	case len(vals) == 0:
		return nil, nil
	case len(vals) > 1:
		return nil, apperr.InvalidField("images", "is given more than once")
	}
	parts := strings.Split(vals[0], ",")
	if len(parts) > maxShownImages {
		return nil, apperr.InvalidField("images", "lists more than "+strconv.Itoa(maxShownImages)+" messages")
	}
	show := make(map[int64]bool, len(parts))
	for _, p := range parts {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil || id <= 0 {
			return nil, apperr.InvalidField("images", "must list message numbers separated by commas")
		}
		show[id] = true
	}
	return show, nil
}

// hideRemoteImages hides the remote images of the comments the request's
// ?images= does not list; with offer, each comment that had some gets the
// address of this page showing them too. When a listed comment has remote
// images, the page's CSP lets them load.
func hideRemoteImages(w http.ResponseWriter, r *http.Request, comments []commentView, offer bool) error {
	show, err := shownImages(r)
	if err != nil {
		return err
	}
	remote := false
	for i := range comments {
		c := &comments[i]
		html, n := richtext.HideRemoteImages(c.HTML)
		if show[c.ID] {
			remote = remote || n > 0
			continue
		}
		c.HTML, c.HiddenImages = html, n
		if n > 0 && offer {
			c.ShowImages = showImagesURL(r.URL.Path, show, c.ID)
		}
	}
	if remote {
		w.Header().Set("Content-Security-Policy", pageCSP(true))
	}
	return nil
}

// showImagesURL is path showing the images of the comments in show and of
// id, scrolled to id.
func showImagesURL(path string, show map[int64]bool, id int64) string {
	ids := []int64{id}
	for k := range show {
		if k != id && len(ids) < maxShownImages {
			ids = append(ids, k)
		}
	}
	slices.Sort(ids)
	s := make([]string, len(ids))
	for i, v := range ids {
		s[i] = strconv.FormatInt(v, 10)
	}
	return path + "?images=" + strings.Join(s, ",") + "#c" + strconv.FormatInt(id, 10)
}

// hideOriginalImages does the same for the original-email page, which
// shows one message: ?images=1 shows its remote images. It returns the
// HTML to show and how many elements lost an image.
func hideOriginalImages(w http.ResponseWriter, r *http.Request, html string) (string, int, error) {
	vals := r.URL.Query()["images"]
	if len(vals) > 1 || (len(vals) == 1 && vals[0] != "1") {
		return "", 0, apperr.InvalidField("images", "must be 1")
	}
	hidden, n := richtext.HideRemoteImages(html)
	if len(vals) == 0 {
		return hidden, n, nil
	}
	if n > 0 {
		w.Header().Set("Content-Security-Policy", pageCSP(true))
	}
	return html, 0, nil
}
