package zendesk_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/importer"
)

// TestImportCopiesAttachments: with a fetcher, the export's attachment
// links are copied into the blob store and hang on their comments; a link
// that cannot be fetched stays a line with its name and address, so the
// comment loses nothing; without a fetcher all stay links (the default).
// Both engines.
func TestImportCopiesAttachments(t *testing.T) {
	const receipt = "%PDF-1.4 the refund receipt"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("name") != "refund-receipt.pdf" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/pdf")
		_, _ = w.Write([]byte(receipt))
	}))
	defer srv.Close()
	// The export as written, its attachment links moved to the test's
	// server, plus a second file that server does not have.
	local := func(t *testing.T) *importer.Converted {
		conv := read(t)
		for _, r := range conv.Records {
			if r.Ticket == nil {
				continue
			}
			for i, a := range r.Ticket.Timeline {
				for j, f := range a.Attachments {
					r.Ticket.Timeline[i].Attachments[j].URL = strings.Replace(f.URL, "https://fjordbakeri.zendesk.com", srv.URL, 1)
					r.Ticket.Timeline[i].Attachments = append(r.Ticket.Timeline[i].Attachments,
						importer.File{Filename: "photo.jpg", ContentType: "image/jpeg", Size: 900, URL: srv.URL + "/attachments/token/gone/?name=photo.jpg"})
				}
			}
		}
		return conv
	}
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			ctx := context.Background()
			e := apptest.New(t, engine)
			res, err := e.Sys.Importer.ImportConverted(ctx, authz.System, local(t), importer.Options{Format: "zendesk", Fetch: importer.HTTPFetcher(srv.Client())})
			if err != nil || res.Failed != 0 || res.Attachments != 1 || res.AttachmentsLinked != 1 {
				t.Fatalf("import: %v %+v", err, res)
			}
			var name, ctype, body string
			var size int64
			if err := e.Sys.DB.QueryRowContext(ctx, `SELECT a.filename, a.content_type, a.size, c.body FROM attachments a
				JOIN comments c ON c.id = a.comment_id JOIN tickets t ON t.id = c.ticket_id WHERE t.external_id = 'zendesk:1001'`).Scan(&name, &ctype, &size, &body); err != nil {
				t.Fatal(err)
			}
			if name != "refund-receipt.pdf" || ctype != "application/pdf" || size != int64(len(receipt)) {
				t.Errorf("the copied file: %q %q %d", name, ctype, size)
			}
			if !strings.Contains(body, "Attachments:\n- photo.jpg (image/jpeg, 900 bytes): "+srv.URL) || strings.Contains(body, "refund-receipt") {
				t.Errorf("the comment's text: %q", body)
			}

			// Without a fetcher, links only, as before.
			e2 := apptest.New(t, engine)
			res, err = e2.Sys.Importer.ImportConverted(ctx, authz.System, local(t), importer.Options{Format: "zendesk"})
			if err != nil || res.Attachments != 0 || res.AttachmentsLinked != 2 {
				t.Fatalf("import without fetching: %v %+v", err, res)
			}
		})
	}
}
