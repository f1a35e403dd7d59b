package widget

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/chat"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/httpx"
)

// Upload answers POST /widget/files (multipart: token, client_id, file):
// the visitor sends a file; acknowledged like a message once stored.
func (u *UI) Upload(w http.ResponseWriter, r *http.Request) error {
	return u.serve(w, r, false, func(st chat.Settings) (int, any, error) {
		var out chat.Message
		var cid string
		err := httpx.ReadUpload(r, int64(st.UploadMaxMB)<<20, func(f map[string]string, name string, body io.Reader) error {
			if f["token"] == "" {
				return apperr.Unauthenticated("start a chat first: the visitor token is missing or unknown")
			}
			if err := u.limitToken(f["token"]); err != nil {
				return err
			}
			var err error
			cid = f["client_id"]
			out, err = u.Chat.VisitorFile(r.Context(), f["token"], chat.FileInput{ClientID: cid, Name: name, Body: body})
			return err
		})
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, map[string]any{"type": "ack", "client_id": cid, "message": out}, nil
	})
}

// File answers POST /widget/files/{id} (token): a file of the visitor's
// own conversation. Images and PDFs show inline, the rest downloads; the
// answer can never run script (nosniff, sandbox).
func (u *UI) File(w http.ResponseWriter, r *http.Request) error {
	var f chat.File
	var body io.ReadCloser
	status, _, err := u.run(w, r, false, func(chat.Settings) (int, any, error) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id <= 0 {
			return 0, nil, apperr.NotFound("file", r.PathValue("id"))
		}
		var b tokenBody
		if err := decode(r, &b); err != nil {
			return 0, nil, err
		}
		if b.Token == "" {
			return 0, nil, apperr.Unauthenticated("start a chat first: the visitor token is missing or unknown")
		}
		f, body, err = u.Chat.VisitorOpenFile(r.Context(), b.Token, id)
		return http.StatusOK, nil, err
	})
	if err != nil {
		httpx.WriteError(w, r, err, u.log)
		return nil
	}
	defer body.Close()
	disp := "attachment"
	if ticket.SafeInline(f.Type) {
		disp = "inline"
	}
	h := w.Header()
	h.Set("Content-Type", f.Type)
	h.Set("Content-Length", strconv.FormatInt(f.Size, 10))
	h.Set("Content-Disposition", disp+"; filename*=UTF-8''"+url.PathEscape(f.Name))
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
	w.WriteHeader(status)
	_, err = io.Copy(w, body)
	return err
}

// invitationBody is what the widget reports about an invitation.
type invitationBody struct {
	Event string `json:"event"`
}

// Invitation answers POST /widget/invitations/{id} (event: shown,
// dismissed or accepted): counted for the settings page.
func (u *UI) Invitation(w http.ResponseWriter, r *http.Request) error {
	return u.serve(w, r, false, func(chat.Settings) (int, any, error) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id <= 0 {
			return 0, nil, apperr.NotFound("invitation", r.PathValue("id"))
		}
		var b invitationBody
		if err := decode(r, &b); err != nil {
			return 0, nil, err
		}
		if !u.ipInvite.allow(httpx.RequestClientAddr(r), time.Now()) {
			return 0, nil, apperr.RateLimited("too many requests from your address: wait a few minutes")
		}
		return http.StatusNoContent, nil, u.Chat.CountInvitation(r.Context(), id, b.Event)
	})
}
