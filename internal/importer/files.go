package importer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/ticket"
)

// File is an attachment of an imported comment: its content inline (Data,
// base64 in JSON) or a link (URL) that the import copies when it may.
type File struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type,omitempty"`
	Size        int64  `json:"size,omitempty"` // as the source reported it
	URL         string `json:"url,omitempty"`
	Data        []byte `json:"data,omitempty"`
}

// Fetcher reads an attachment's content at url, answering its content
// type when the server names one.
type Fetcher func(ctx context.Context, url string) (io.ReadCloser, string, error)

// HTTPFetcher fetches attachments with client: a plain GET, as the export
// links of Zendesk (tokenised) and Freshdesk (signed) are meant to be read.
func HTTPFetcher(client *http.Client) Fetcher {
	return func(ctx context.Context, url string) (io.ReadCloser, string, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, "", err
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, "", err
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return nil, "", fmt.Errorf("status %d", resp.StatusCode)
		}
		return resp.Body, resp.Header.Get("Content-Type"), nil
	}
}

// attach stores the files of a ticket's comments in the blob store and
// hands them to the comments that carry them. A file that cannot be copied
// (no fetcher, unreachable, too large, one too many) is not an error: the
// comment keeps it as a line with its name and link, so nothing the
// source had is lost. Blobs are content-addressed, so a batch written
// again, or a ticket imported twice, stores each file once.
func (im *job) attach(in *ticket.ImportTicket, t Ticket) error {
	for i, a := range t.Timeline {
		if a.Do != "comment" || len(a.Attachments) == 0 {
			continue
		}
		var files []ticket.Attachment
		var linked []File
		for _, f := range a.Attachments {
			if len(files) >= ticket.MaxAttachments {
				linked = append(linked, f)
				continue
			}
			att, err := im.store(f)
			if errors.Is(err, errNotCopied) {
				linked = append(linked, f)
				continue
			}
			if err != nil {
				return err
			}
			files = append(files, att)
		}
		im.res.Attachments += len(files)
		im.res.AttachmentsLinked += len(linked)
		// Links are listed under the text; a comment with HTML is then kept
		// as its text, which lists them.
		note := linkedNote(linked)
		if i == 0 {
			in.Create.Files = files
			if note != "" {
				in.Create.Description += note
				in.Create.DescriptionHTML = ""
			}
			continue
		}
		c := in.Steps[i-1].Comment
		c.Files = files
		if note != "" {
			c.Body += note
			c.HTML = ""
		}
	}
	return nil
}

var errNotCopied = errors.New("importer: attachment not copied")

// store puts one file in the blob store.
func (im *job) store(f File) (ticket.Attachment, error) {
	name := f.Filename
	if strings.TrimSpace(name) == "" {
		name = "attachment"
	}
	var r io.Reader
	ctype := f.ContentType
	switch {
	case len(f.Data) > 0:
		r = bytes.NewReader(f.Data)
	case f.URL != "" && im.opt.Fetch != nil:
		body, ct, err := im.opt.Fetch(im.ctx, f.URL)
		if err != nil {
			return ticket.Attachment{}, fmt.Errorf("%w: %s: %v", errNotCopied, f.URL, err)
		}
		defer body.Close()
		if ctype == "" {
			ctype = ct
		}
		r = body
	default:
		return ticket.Attachment{}, errNotCopied
	}
	src := &sourceReader{r: r}
	att, err := im.s.tickets.PutFile(im.ctx, im.actor, name, ctype, src, ticket.MaxAttachment)
	if err != nil {
		if src.err != nil || apperr.CodeOf(err) == apperr.CodeTooLarge {
			return ticket.Attachment{}, fmt.Errorf("%w: %v", errNotCopied, err) // the source broke off, or too large
		}
		return ticket.Attachment{}, err // the store's own failure stops the import
	}
	return att, nil
}

// sourceReader remembers a read error of the source, to tell it from the
// blob store's own.
type sourceReader struct {
	r   io.Reader
	err error
}

func (s *sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		s.err = err
	}
	return n, err
}

// linkedNote lists the files a comment keeps as links, under its text.
func linkedNote(fs []File) string {
	if len(fs) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n\nAttachments:")
	for _, f := range fs {
		fmt.Fprintf(&b, "\n- %s", f.Filename)
		if f.ContentType != "" || f.Size > 0 {
			fmt.Fprintf(&b, " (%s, %d bytes)", f.ContentType, f.Size)
		}
		if f.URL != "" {
			fmt.Fprintf(&b, ": %s", f.URL)
		}
	}
	return b.String()
}
