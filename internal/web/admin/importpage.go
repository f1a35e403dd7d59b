package admin

import (
	"context"
	"errors"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/importer"
	"github.com/ombud/ombud/internal/web/httpx"
)

// ImportFunc imports an uploaded file — a zip or a single file of a
// Zendesk or Freshdesk export, or Ombud's NDJSON — as the actor (set
// before serving; the application wires it to the importer).
// fetch copies attachments given by link.
type ImportFunc func(ctx context.Context, actor authz.Actor, format, filename string, data []byte, fetch bool) (importer.Result, error)

// importFormats are the choices of the import form, in its order.
var importFormats = []option{
	{Value: "zendesk", Label: "Zendesk export (zip or JSON)"},
	{Value: "freshdesk", Label: "Freshdesk export (zip, JSON or CSV)"},
	{Value: "ndjson", Label: "Ombud NDJSON"},
}

type importErrorRow struct {
	Where   string
	Message string
}

// ImportPage answers GET /admin/import: the form to upload an export.
func (u *UI) ImportPage(w http.ResponseWriter, r *http.Request) error {
	if err := authz.Check(httpx.Actor(r.Context()), authz.Import); err != nil {
		return err
	}
	return u.importPage(w, r, http.StatusOK, "zendesk", nil, "")
}

func (u *UI) importPage(w http.ResponseWriter, r *http.Request, status int, format string, res *importer.Result, errMsg string) error {
	data := map[string]any{"Formats": importFormats, "Format": format}
	if res != nil {
		rows := []importErrorRow{}
		for _, e := range res.Errors {
			where := e.Source
			if where == "" {
				where = u.tr(r, "Line %s", strconv.Itoa(e.Line))
			}
			rows = append(rows, importErrorRow{Where: where, Message: u.importErrorText(u.Lang(r), e)})
		}
		data["Result"] = u.tr(r, "Imported %s, skipped %s (already present), failed %s.", strconv.Itoa(res.Imported), strconv.Itoa(res.Skipped), strconv.Itoa(res.Failed))
		if res.Attachments+res.AttachmentsLinked > 0 {
			data["Files"] = u.tr(r, "Attachments copied: %s; kept as links: %s.", strconv.Itoa(res.Attachments), strconv.Itoa(res.AttachmentsLinked))
		}
		data["Errors"] = rows
	}
	return u.render(w, r, status, "import", pageData{Title: "Import", Nav: "import", Error: errMsg, Data: data})
}

// Import answers POST /admin/import (multipart: format, file): the export
// is converted and imported through the one import path, so a second
// upload of the same export creates nothing new.
func (u *UI) Import(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	if err := authz.Check(actor, authz.Import); err != nil {
		return err
	}
	if u.ImportFile == nil {
		return apperr.Internal(errors.New("admin: import is not wired"))
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return u.importPage(w, r, http.StatusRequestEntityTooLarge, "zendesk", nil,
				u.tr(r, "The file is larger than this server takes in one request. Import it with ombud import on the server."))
		}
		return apperr.InvalidField("body", "is not a form")
	}
	format := r.PostForm.Get("format")
	if !slices.ContainsFunc(importFormats, func(o option) bool { return o.Value == format }) {
		return u.importPage(w, r, http.StatusBadRequest, "zendesk", nil, u.tr(r, "Choose what the file is."))
	}
	file, head, err := r.FormFile("file")
	if err != nil {
		return u.importPage(w, r, http.StatusBadRequest, format, nil, u.tr(r, "Choose a file to import."))
	}
	defer file.Close()
	raw, err := io.ReadAll(file)
	if err != nil {
		return apperr.InvalidField("file", "could not be read")
	}
	// Once read, the export is imported to the end even if the browser goes away.
	res, err := u.ImportFile(context.WithoutCancel(ctx), actor, format, head.Filename, raw, r.PostForm.Get("fetch_attachments") == "on")
	if err != nil {
		if apperr.CodeOf(err) == apperr.CodeInternal {
			return err
		}
		e := u.ErrIn(r, err)
		detail := e.Message
		if f, ok := e.Fields["file"]; ok {
			detail = f
		}
		return u.importPage(w, r, http.StatusBadRequest, format, nil, u.tr(r, "The file could not be read as that kind of export: %s", detail))
	}
	return u.importPage(w, r, http.StatusOK, format, &res, "")
}

// importErrorText is one import error in lang: a conversion problem from
// its format (its error arguments translated as messages), an import
// line's refusal from its message and its fields, in key order.
func (u *UI) importErrorText(lang string, e importer.LineError) string {
	if e.Format != "" {
		args := make([]any, len(e.Args))
		for i, a := range e.Args {
			if err, ok := a.(error); ok {
				a = u.MsgIn(lang, err.Error())
			}
			args[i] = a
		}
		return u.I18n().T(lang, e.Format, args...)
	}
	if len(e.Field) == 0 {
		return u.MsgIn(lang, e.Error)
	}
	parts := make([]string, 0, len(e.Field))
	for _, k := range slices.Sorted(maps.Keys(e.Field)) {
		parts = append(parts, u.FieldName(lang, k)+": "+u.MsgIn(lang, e.Field[k]))
	}
	return strings.Join(parts, "; ")
}
