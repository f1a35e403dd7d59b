package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/importer"
	"github.com/ombud/ombud/internal/web/httpx"
)

// DefaultImportMaxBytes is the import body's limit when none is set
// (--import-max-bytes).
const DefaultImportMaxBytes = 1 << 30

// importIdle is how long an import's body may stay silent, and its answer
// unwritten, before the connection is given up: the deadlines move on by
// this much while it reads and after every committed batch, so the
// server's ReadTimeout and WriteTimeout bound a pause, not the import.
const importIdle = 60 * time.Second

// ImportStopped is the answer to an import that stopped before the end of
// its body (cut short, over --import-max-bytes, or the database failed):
// the error and exactly what was committed before it. Records through
// import.committed_through_line are in; none after it were written, so a
// re-post with ?after_line= that line (or of the whole file: tickets with
// an external_id are skipped) finishes it.
type ImportStopped struct {
	Error httpx.ErrorDetail `json:"error"`
	// Import is what was committed; absent from an answer to a request
	// refused before its body was read (a bad after_line).
	Import *importer.Result `json:"import,omitempty"`
}

// Import answers POST /api/v1/import with an NDJSON body (one record a
// line). The body is read as a stream and committed 500 tickets at a time
// by the same set-based import as `ombud import`; the answer says what was
// committed, also when the body stops early.
func (a *API) Import(w http.ResponseWriter, r *http.Request) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !ndjsonType(mt) {
			return &apperr.Error{Code: apperr.CodeUnsupported, Message: "send the records as application/x-ndjson, one JSON object a line"}
		}
	}
	if err := httpx.CheckQuery(r, "after_line"); err != nil {
		return err
	}
	from := 0
	if v := r.URL.Query().Get("after_line"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return apperr.InvalidField("after_line", "must be a whole number, 0 or more (the committed_through_line of an earlier answer)")
		}
		from = n
	}
	limit := a.ImportMaxBytes
	if limit <= 0 {
		limit = DefaultImportMaxBytes
	}
	if r.ContentLength > limit {
		// Refused before a byte is read or written.
		return a.importStopped(w, r, http.StatusRequestEntityTooLarge, importer.Result{Errors: []importer.LineError{}}, httpx.ErrorDetail{
			Code: apperr.CodeTooLarge, Fields: map[string]string{"body": fmt.Sprintf("is at most %d bytes", limit)},
			Message: fmt.Sprintf("the body is %d bytes, larger than the import limit of %d bytes (--import-max-bytes); nothing was imported: split the file", r.ContentLength, limit),
		})
	}
	rc := http.NewResponseController(w)
	body := &deadlineReader{r: http.MaxBytesReader(w, r.Body, limit), rc: rc}
	body.extend(time.Now())
	opt := importer.Options{From: from, Progress: func(importer.Progress) {
		// A batch is committed: the answer may take as long again.
		_ = rc.SetWriteDeadline(time.Now().Add(importIdle))
	}}
	// The import goes on to the end of what arrived even if the client
	// goes away: every batch read in full is committed, and re-sending
	// the file skips what is there (external_id).
	res, err := a.Importer.ImportWith(context.WithoutCancel(r.Context()), httpx.Actor(r.Context()), body, opt)
	_ = rc.SetWriteDeadline(time.Now().Add(importIdle))
	if err != nil {
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return a.importStopped(w, r, http.StatusRequestEntityTooLarge, res, httpx.ErrorDetail{
				Code: apperr.CodeTooLarge, Fields: map[string]string{"body": fmt.Sprintf("is at most %d bytes", mbe.Limit)},
				Message: fmt.Sprintf("the body is larger than the import limit of %d bytes (--import-max-bytes); records through line %d were committed (%d imported, %d skipped, %d failed), none after it: post the rest with ?after_line=%d",
					mbe.Limit, res.Line, res.Imported, res.Skipped, res.Failed, res.Line),
			})
		case body.err != nil && !errors.Is(body.err, io.EOF):
			return a.importStopped(w, r, http.StatusBadRequest, res, httpx.ErrorDetail{
				Code: apperr.CodeInvalid, Fields: map[string]string{"body": "ended before it was complete (the connection closed or the upload was cut)"},
				Message: fmt.Sprintf("the body was cut short; records through line %d were committed (%d imported, %d skipped, %d failed), none after it: post the file again with ?after_line=%d",
					res.Line, res.Imported, res.Skipped, res.Failed, res.Line),
			})
		case apperr.CodeOf(err) != apperr.CodeInternal:
			return err
		default:
			httpx.Logger(r.Context(), a.Log).Error("import stopped", "committed_through_line", res.Line, "err", err)
			return a.importStopped(w, r, http.StatusInternalServerError, res, httpx.ErrorDetail{
				Code:    apperr.CodeInternal,
				Message: fmt.Sprintf("the import stopped on an internal error; records through line %d were committed, none after it: post the file again with ?after_line=%d", res.Line, res.Line),
			})
		}
	}
	status := http.StatusOK
	if res.Failed > 0 && res.Imported == 0 && res.Skipped == 0 {
		status = http.StatusUnprocessableEntity
	}
	return httpx.WriteJSON(w, status, res)
}

func (a *API) importStopped(w http.ResponseWriter, r *http.Request, status int, res importer.Result, e httpx.ErrorDetail) error {
	e.RequestID = httpx.RequestID(r.Context())
	return httpx.WriteJSON(w, status, ImportStopped{Error: e, Import: &res})
}

// deadlineReader moves the connection's read deadline on while the body
// arrives (at most once a second), and keeps the error that ended it.
type deadlineReader struct {
	r    io.Reader
	rc   *http.ResponseController
	last time.Time
	err  error
}

func (d *deadlineReader) extend(now time.Time) {
	d.last = now
	_ = d.rc.SetReadDeadline(now.Add(importIdle))
}

func (d *deadlineReader) Read(p []byte) (int, error) {
	if now := time.Now(); now.Sub(d.last) >= time.Second {
		d.extend(now)
	}
	n, err := d.r.Read(p)
	if err != nil && d.err == nil {
		d.err = err
	}
	return n, err
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
