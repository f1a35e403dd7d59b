package ticket

import (
	"context"
	"errors"
	"io"

	"github.com/ombud/ombud/internal/authz"
)

// PutFile stores an upload's contents (at most max bytes, and never more
// than MaxAttachment) in the blob store and returns it as an attachment
// without an id: the comment that carries it in CommentInput.Files records
// and links it in its own transaction, so a refused comment leaves no
// attachment row behind (only the content-addressed blob, which a later
// upload of the same file reuses).
func (s *Service) PutFile(ctx context.Context, actor authz.Actor, filename, contentType string, r io.Reader, max int64) (Attachment, error) {
	if err := authz.Check(actor, authz.TicketNote); err != nil {
		return Attachment{}, err
	}
	if s.blobs == nil {
		return Attachment{}, errors.New("ticket: no blob store configured")
	}
	if max <= 0 || max > MaxAttachment {
		max = MaxAttachment
	}
	sum, size, err := s.blobs.Put(r, max)
	if err != nil {
		return Attachment{}, err
	}
	return Attachment{Filename: CleanFilename(filename), ContentType: contentType, Size: size, SHA256: sum}, nil
}
