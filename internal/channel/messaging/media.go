package messaging

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"time"

	"github.com/ombud/ombud/internal/ticket"
)

// fetchMedia puts each file of a message in the blob store. A file that
// cannot be fetched (too large, gone, refused) is not lost: its note (name
// and link) is returned to go into the message's text.
func (s *Service) fetchMedia(ctx context.Context, it integ, media []Media) (files []ticket.Attachment, notes []string) {
	for _, m := range media {
		a, err := s.fetchOne(ctx, it, m)
		if err == nil {
			files = append(files, a)
			continue
		}
		s.log.Warn("messaging: media not fetched", "integration", it.id, "err", err)
		name := m.Filename
		if name == "" {
			name = "file"
		}
		switch {
		case m.URL != "":
			notes = append(notes, fmt.Sprintf("Attachment not fetched: %s %s", name, m.URL))
		default:
			notes = append(notes, fmt.Sprintf("Attachment not fetched: %s (%s file id %s)", name, providerTitle(it.provider), m.FileID))
		}
	}
	return files, notes
}

func (s *Service) fetchOne(ctx context.Context, it integ, m Media) (ticket.Attachment, error) {
	if s.blobs == nil {
		return ticket.Attachment{}, fmt.Errorf("no blob store")
	}
	if m.Size > s.MaxMedia {
		return ticket.Attachment{}, fmt.Errorf("%d bytes is over the limit of %d", m.Size, s.MaxMedia)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	addr, auth := m.URL, ""
	if m.FileID != "" {
		u, err := s.tgFileURL(ctx, it.base, it.token, m.FileID)
		if err != nil {
			return ticket.Attachment{}, err
		}
		addr = u
	} else if it.token != "" && sameHost(m.URL, it.base) {
		auth = "Bearer " + it.token // e.g. media of a cloud API that wants the app's token
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, addr, nil)
	if err != nil {
		return ticket.Attachment{}, fmt.Errorf("bad media address")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return ticket.Attachment{}, redact(err, it.token)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return ticket.Attachment{}, fmt.Errorf("media: HTTP %d", resp.StatusCode)
	}
	if resp.ContentLength > s.MaxMedia {
		return ticket.Attachment{}, fmt.Errorf("%d bytes is over the limit of %d", resp.ContentLength, s.MaxMedia)
	}
	sum, size, err := s.blobs.Put(io.LimitReader(resp.Body, s.MaxMedia+1), s.MaxMedia)
	if err != nil {
		return ticket.Attachment{}, fmt.Errorf("media: store: %w", err)
	}
	ct := m.MimeType
	if ct == "" {
		ct = resp.Header.Get("Content-Type")
	}
	if _, _, err := mime.ParseMediaType(ct); err != nil {
		ct = ""
	}
	name := m.Filename
	if name == "" {
		name = "file"
		if exts, _ := mime.ExtensionsByType(ct); len(exts) > 0 {
			name += exts[0]
		}
	}
	return ticket.Attachment{Filename: name, ContentType: ct, Size: size, SHA256: sum}, nil
}

func sameHost(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && ua.Host != "" && ua.Host == ub.Host
}
