package knowledge

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/kb"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
)

// transferRow is one file of an import's report.
type transferRow struct {
	Path, Title, Result, Language string
	ArticleID                     int64
}

// Transfer answers GET /knowledge/transfer: import a zip of Markdown or
// HTML, export the whole knowledge base (knowledge managers).
func (u *UI) Transfer(w http.ResponseWriter, r *http.Request) error {
	if err := authz.Check(httpx.Actor(r.Context()), authz.KBPublish); err != nil {
		return err
	}
	return u.transferPage(w, r, http.StatusOK, nil, "")
}

func (u *UI) transferPage(w http.ResponseWriter, r *http.Request, status int, rep *kb.ImportReport, msg string) error {
	data := map[string]any{"Langs": langOptions(u.Lang(r)), "Visibilities": options([]string{kb.VisInternal, kb.VisPublic}, visLabels)}
	if rep != nil {
		rows := make([]transferRow, 0, len(rep.Files))
		for _, f := range rep.Files {
			rows = append(rows, transferRow{Path: f.Path, Title: f.Title, Result: resultLabels[f.Result], Language: f.Language, ArticleID: f.ArticleID})
		}
		errs := make([]kb.ImportError, 0, len(rep.Errors))
		for _, e := range rep.Errors {
			errs = append(errs, kb.ImportError{Path: e.Path, Message: u.MsgIn(u.Lang(r), e.Message)})
		}
		data["Summary"] = u.Tr(r, "Created %s, updated %s, unchanged %s, with %s problems.", strconv.Itoa(rep.Created), strconv.Itoa(rep.Updated), strconv.Itoa(rep.Skipped), strconv.Itoa(len(rep.Errors)))
		data["Rows"], data["Errors"] = rows, errs
	}
	return u.Render(w, r, status, u.pages["transfer"], ui.PageData{Title: "Import and export", Nav: "knowledge", Error: msg, Data: data})
}

var resultLabels = map[string]string{kb.ImportCreated: "Created", kb.ImportUpdated: "Updated", kb.ImportSkipped: "Unchanged"}

// Import answers POST /knowledge/import (multipart: file, a zip; language,
// visibility, publish): the files become articles and the page shows what
// was created, updated, left as it was, and each file's problem.
func (u *UI) Import(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	if err := authz.Check(actor, authz.KBPublish); err != nil {
		return err
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return u.transferPage(w, r, http.StatusRequestEntityTooLarge, nil,
				u.Tr(r, "The file is larger than this server takes in one request. Import it with ombud kb import on the server."))
		}
		return apperr.InvalidField("body", "is not a form")
	}
	file, _, err := r.FormFile("file")
	if err != nil {
		return u.transferPage(w, r, http.StatusBadRequest, nil, u.Tr(r, "Choose a zip file to import."))
	}
	defer file.Close()
	raw, err := io.ReadAll(io.LimitReader(file, kb.MaxImportUpload+1))
	if err != nil {
		return apperr.InvalidField("file", "could not be read")
	}
	b, err := kb.ReadZip(bytes.NewReader(raw), int64(len(raw)))
	if err == nil {
		opt := kb.ImportOptions{Language: r.PostForm.Get("language"), Visibility: r.PostForm.Get("visibility"), Publish: r.PostForm.Get("publish") == "1"}
		var rep kb.ImportReport
		// Once read, the zip is imported to the end even if the browser goes away.
		rep, err = u.KB.Import(context.WithoutCancel(ctx), actor, b, opt)
		if err == nil {
			return u.transferPage(w, r, http.StatusOK, &rep, "")
		}
	}
	e, ok := ui.Refusal(err)
	if !ok {
		return err
	}
	e = u.ErrIn(r, e)
	text := e.Message
	for _, v := range e.Fields {
		text = v
	}
	return u.transferPage(w, r, http.StatusBadRequest, nil, u.Tr(r, "The file was not imported: %s", text))
}

// Export answers GET /knowledge/export: the whole knowledge base as a zip
// of Markdown with front matter and images.
func (u *UI) Export(w http.ResponseWriter, r *http.Request) error {
	var buf bytes.Buffer
	if err := u.KB.Export(r.Context(), httpx.Actor(r.Context()), &buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="knowledge-%s.zip"`, time.Now().UTC().Format("2006-01-02")))
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	_, err := w.Write(buf.Bytes())
	return err
}
