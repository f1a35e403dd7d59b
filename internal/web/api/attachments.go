package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
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
		if asMaxBytes(err, &mbe) {
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

// Import answers POST /api/v1/import with an NDJSON body (one record a line).
func (a *API) Import(w http.ResponseWriter, r *http.Request) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !ndjsonType(mt) {
			return &apperr.Error{Code: apperr.CodeUnsupported, Message: "send the records as application/x-ndjson, one JSON object a line"}
		}
	}
	// The whole body (bounded by the server's body limit) is read before
	// anything is written: a body cut short, too large or too slow is
	// refused with nothing imported, never half-imported behind an error.
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if asMaxBytes(err, &mbe) {
			return &apperr.Error{Code: apperr.CodeTooLarge, Message: fmt.Sprintf("the body is larger than %d bytes; nothing was imported (split the file, or use ombud import)", mbe.Limit)}
		}
		return apperr.InvalidField("body", "could not be read in full; nothing was imported")
	}
	// Once read, it is imported to the end even if the client goes away:
	// re-sending it skips what is there (external_id).
	res, err := a.Importer.Import(context.WithoutCancel(r.Context()), httpx.Actor(r.Context()), bytes.NewReader(body))
	if err != nil {
		return err
	}
	status := http.StatusOK
	if res.Failed > 0 && res.Imported == 0 && res.Skipped == 0 {
		status = http.StatusUnprocessableEntity
	}
	return httpx.WriteJSON(w, status, res)
}

// ndjsonType reports whether the import may read a body of media type mt:
// the names NDJSON and JSON Lines go by, and JSON itself (one record).
func ndjsonType(mt string) bool {
	switch mt {
	case "application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines", "application/jsonlines":
		return true
	}
	return httpx.IsJSONType(mt)
}

func asMaxBytes(err error, target **http.MaxBytesError) bool {
	return errors.As(err, target)
}
