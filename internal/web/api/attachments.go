package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/httpx"
)

// UploadAttachment answers POST /api/v1/attachments?filename=NAME with the
// file as the raw body; the returned id goes into a comment's attachment_ids.
func (a *API) UploadAttachment(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r, "filename"); err != nil {
		return err
	}
	name := r.URL.Query().Get("filename")
	if name == "" {
		return apperr.InvalidField("filename", "is required")
	}
	att, err := a.Tickets.Upload(r.Context(), httpx.Actor(r.Context()), name, r.Header.Get("Content-Type"), r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &apperr.Error{Code: apperr.CodeTooLarge, Message: fmt.Sprintf("the file is larger than %d bytes", mbe.Limit)}
		}
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, att)
}

// DownloadAttachment answers GET /api/v1/attachments/{id}.
func (a *API) DownloadAttachment(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "attachment")
	if err != nil {
		return err
	}
	att, f, err := a.Tickets.OpenAttachment(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	defer f.Close()
	disp := "attachment"
	if ticket.SafeInline(att.ContentType) {
		disp = "inline"
	}
	h := w.Header()
	h.Set("Content-Type", att.ContentType)
	h.Set("Content-Length", strconv.FormatInt(att.Size, 10))
	h.Set("Content-Disposition", disp+"; filename*=UTF-8''"+url.PathEscape(att.Filename))
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, max-age=86400")
	_, err = io.Copy(w, f)
	return err
}
