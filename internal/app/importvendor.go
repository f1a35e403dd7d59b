package app

import (
	"bytes"
	"context"
	"fmt"
	"github.com/ombud/ombud/internal/apperr"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/config"
	"github.com/ombud/ombud/internal/importer"
	"github.com/ombud/ombud/internal/importer/freshdesk"
	"github.com/ombud/ombud/internal/importer/zendesk"
)

// ImportFormats are the exports `ombud import --format` and the admin
// import page read, besides Ombud's own NDJSON.
var ImportFormats = []string{"zendesk", "freshdesk"}

// ReadExport converts another helpdesk's export into import records.
func ReadExport(format string, fsys fs.FS) (*importer.Converted, error) {
	switch format {
	case "zendesk":
		return zendesk.Read(fsys)
	case "freshdesk":
		return freshdesk.Read(fsys)
	}
	return nil, fmt.Errorf("format must be ndjson, zendesk or freshdesk")
}

// splitPath takes the export's path from the end of args ("ombud import
// --format zendesk ./export"): the flag package stops at the first
// argument that is not a flag.
func splitPath(args []string) ([]string, string) {
	if len(args) == 0 {
		return args, ""
	}
	last := args[len(args)-1]
	if strings.HasPrefix(last, "-") {
		return args, ""
	}
	if len(args) >= 2 {
		prev := args[len(args)-2]
		bare := strings.TrimLeft(prev, "-")
		if strings.HasPrefix(prev, "-") && !strings.Contains(prev, "=") && bare != "quiet" && bare != "resume" && bare != "fetch-attachments" {
			return args, "" // the value of the flag before it
		}
	}
	return args[:len(args)-1], last
}

// runVendorImport imports a Zendesk or Freshdesk export (a folder, a zip
// or one file) with the progress bar and checkpoint of NDJSON imports:
// the conversion is the same each time, so --resume meets the same
// records on the same lines.
func runVendorImport(ctx context.Context, sys *System, format, path string, resume, quiet, fetch bool, stdout, stderr io.Writer) error {
	fsys, closeFS, err := importer.OpenExport(path)
	if err != nil {
		return err
	}
	defer closeFS()
	conv, err := ReadExport(format, fsys)
	if err != nil {
		return err
	}
	cp := &checkpoint{path: strings.TrimRight(path, string(os.PathSeparator)) + ".checkpoint"}
	opt := importer.Options{Format: format}
	if fetch {
		opt.Fetch = attachmentFetcher(sys.Config)
	}
	if resume {
		if opt.From, err = cp.read(); err != nil {
			return err
		}
	}
	start := time.Now()
	bar := newProgressBar(stderr, conv.Tickets(), time.Now)
	var cpErr error
	var last importer.Progress
	opt.Progress = func(p importer.Progress) {
		last = p
		if cpErr == nil {
			cpErr = cp.write(p.Line)
		}
		if !quiet {
			bar.update(p, false)
		}
	}
	res, err := sys.Importer.ImportConverted(ctx, authz.System, conv, opt)
	if !quiet {
		bar.update(last, true)
	}
	fmt.Fprintf(stdout, "imported %d, skipped %d, failed %d in %s; attachments copied %d, kept as links %d\n", res.Imported, res.Skipped, res.Failed,
		time.Since(start).Round(time.Millisecond), res.Attachments, res.AttachmentsLinked)
	for _, e := range res.Errors {
		if len(e.Field) > 0 {
			fmt.Fprintf(stdout, "%s: %s %v\n", e.Source, e.Error, e.Field)
		} else {
			fmt.Fprintf(stdout, "%s: %s\n", e.Source, e.Error)
		}
	}
	if err != nil {
		return fmt.Errorf("%w (committed through record %d; ombud import --format %s --resume %s continues after it)", err, res.Line, format, path)
	}
	if cpErr != nil {
		return cpErr
	}
	_ = os.Remove(cp.path)
	if res.Failed > 0 {
		return fmt.Errorf("%d records failed", res.Failed)
	}
	return nil
}

// attachmentFetcher copies imported attachments given by link, on the
// terms of outgoing webhooks (no private addresses unless allowed).
func attachmentFetcher(c config.Config) importer.Fetcher {
	return importer.HTTPFetcher(automation.NewHTTPClient(time.Minute, c.WebhookAllowPrivate))
}

// importUpload imports a file uploaded on the admin import page: Ombud's
// NDJSON, or a vendor export as a zip or a single file; fetch copies
// attachments given by link.
func (s *System) importUpload(ctx context.Context, actor authz.Actor, format, filename string, data []byte, fetch bool) (importer.Result, error) {
	if err := authz.Check(actor, authz.Import); err != nil {
		return importer.Result{}, err
	}
	opt := importer.Options{Format: format}
	if fetch {
		opt.Fetch = attachmentFetcher(s.Config)
	}
	if format == "ndjson" {
		opt.Format = ""
		return s.Importer.ImportWith(ctx, actor, bytes.NewReader(data), opt)
	}
	var fsys fs.FS
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		z, err := importer.ZipExport(data)
		if err != nil {
			return importer.Result{}, apperr.InvalidField("file", "is not a readable zip archive")
		}
		fsys = z
	} else {
		dir, err := os.MkdirTemp("", "ombud-import-")
		if err != nil {
			return importer.Result{}, fmt.Errorf("import upload: %w", err)
		}
		defer os.RemoveAll(dir)
		if err := os.WriteFile(filepath.Join(dir, uploadName(filename)), data, 0o600); err != nil {
			return importer.Result{}, fmt.Errorf("import upload: %w", err)
		}
		fsys = os.DirFS(dir)
	}
	conv, err := ReadExport(format, fsys)
	if err != nil {
		return importer.Result{}, apperr.InvalidField("file", err.Error())
	}
	return s.Importer.ImportConverted(ctx, actor, conv, opt)
}

// uploadName is an uploaded file's name made safe to write: its base name
// in letters, digits, '.', '_' and '-'.
func uploadName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	var b strings.Builder
	for _, r := range name {
		if r < 128 && (r == '.' || r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		}
	}
	n := strings.TrimLeft(b.String(), ".")
	if n == "" {
		n = "export.json"
	}
	return n
}
