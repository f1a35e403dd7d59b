package tickets

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/web/httpx"
)

// header is one header of the original email.
type header struct {
	Name   string
	Values []string
}

// OriginalEmail shows the full email behind a comment: quoted history and
// signature included, and all its headers.
func (u *UI) OriginalEmail(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	id, err := httpx.PathID(r, "id", "ticket")
	if err != nil {
		return err
	}
	cid, err := httpx.PathID(r, "comment_id", "comment")
	if err != nil {
		return err
	}
	// The ticket service decides who may see the ticket; reading it first
	// keeps the original email no more visible than the ticket itself.
	t, err := u.Tickets.Get(ctx, actor, id)
	if err != nil {
		return err
	}
	o, err := u.Email.Original(ctx, actor, id, cid)
	if err != nil {
		return err
	}
	var hiddenImages int
	if o.HTML, hiddenImages, err = hideOriginalImages(w, r, o.HTML); err != nil {
		return err
	}
	headers := make([]header, 0, len(o.Headers))
	for k, v := range o.Headers {
		headers = append(headers, header{Name: k, Values: v})
	}
	slices.SortFunc(headers, func(a, b header) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	date, dateISO := "", ""
	if o.Date != nil {
		date = o.Date.In(location(r)).Format("2006-01-02 15:04 MST")
		dateISO = o.Date.Format(time.RFC3339)
	}
	return u.render(w, r, http.StatusOK, "original", pageData{Title: u.tr(r, "Original email") + " · #" + strconv.FormatInt(t.ID, 10), Data: map[string]any{
		"T": t, "CommentID": cid, "O": o, "Headers": headers, "Date": date, "DateISO": dateISO,
		"CanRaw": authz.Can(actor, authz.ChannelRead), "HiddenImages": hiddenImages,
	}})
}
