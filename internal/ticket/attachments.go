package ticket

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"mime"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/blob"
	"github.com/ombud/ombud/internal/db"
)

// MaxAttachment is the largest file one upload may hold.
const MaxAttachment = 25 << 20

// SetBlobs gives the service its attachment store.
func (s *Service) SetBlobs(b *blob.Store) { s.blobs = b }

// CleanFilename keeps a file name safe to show and to send in headers.
func CleanFilename(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' {
			return -1
		}
		return r
	}, name)
	if !utf8.ValidString(name) || name == "." || name == "/" || name == "" {
		return "attachment"
	}
	if len(name) > 255 {
		name = name[:255]
	}
	return name
}

// Upload stores a file not yet linked to a comment; the comment that names
// its id in attachment_ids claims it. Until then it is the uploader's
// alone (OpenAttachment, checkUploads).
func (s *Service) Upload(ctx context.Context, actor authz.Actor, filename, contentType string, r io.Reader) (Attachment, error) {
	if err := authz.Check(actor, authz.TicketNote); err != nil {
		return Attachment{}, err
	}
	return s.storeAttachment(ctx, actor.ID, filename, contentType, "", r)
}

// StoreAttachment stores a file for channels (email parts), without an
// uploader.
func (s *Service) StoreAttachment(ctx context.Context, filename, contentType, cid string, r io.Reader) (Attachment, error) {
	return s.storeAttachment(ctx, 0, filename, contentType, cid, r)
}

func (s *Service) storeAttachment(ctx context.Context, uploader int64, filename, contentType, cid string, r io.Reader) (Attachment, error) {
	if s.blobs == nil {
		return Attachment{}, errors.New("ticket: no blob store configured")
	}
	filename = CleanFilename(filename)
	sum, size, err := s.blobs.Put(r, MaxAttachment)
	if err != nil {
		return Attachment{}, err
	}
	if mt, _, err := mime.ParseMediaType(contentType); err != nil || contentType == "" {
		contentType = mime.TypeByExtension(filepath.Ext(filename))
		if contentType == "" {
			contentType = "application/octet-stream"
		}
	} else {
		contentType = mt
	}
	now := s.now()
	a := Attachment{Filename: filename, ContentType: contentType, Size: size, SHA256: sum, InlineCID: cid, CreatedAt: db.Time(db.Millis(now))}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		id, err := tx.InsertID(ctx, `INSERT INTO attachments (filename, content_type, size, sha256, inline_cid, created_at, uploaded_by) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			a.Filename, a.ContentType, a.Size, a.SHA256, a.InlineCID, db.Millis(now), db.NullInt(uploader))
		a.ID = id
		return err
	})
	if err != nil {
		return Attachment{}, fmt.Errorf("ticket: store attachment: %w", err)
	}
	return a, nil
}

// OpenAttachment returns an attachment's metadata and contents. One not
// yet attached to a comment exists only for the agent who uploaded it.
func (s *Service) OpenAttachment(ctx context.Context, actor authz.Actor, id int64) (Attachment, *os.File, error) {
	if err := authz.Check(actor, authz.TicketRead); err != nil {
		return Attachment{}, nil, err
	}
	var a Attachment
	var comment, uploader sql.NullInt64
	var at int64
	err := s.db.QueryRowContext(ctx, `SELECT id, comment_id, filename, content_type, size, sha256, inline_cid, created_at, uploaded_by FROM attachments WHERE id = ?`, id).
		Scan(&a.ID, &comment, &a.Filename, &a.ContentType, &a.Size, &a.SHA256, &a.InlineCID, &at, &uploader)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !comment.Valid && !uploadedBy(actor, uploader)) {
		return Attachment{}, nil, apperr.NotFound("attachment", id)
	}
	if err != nil {
		return a, nil, fmt.Errorf("ticket: attachment %d: %w", id, err)
	}
	a.CommentID = comment.Int64
	a.CreatedAt = db.Time(at)
	f, err := s.blobs.Open(a.SHA256)
	if err != nil {
		return a, nil, err
	}
	return a, f, nil
}

// uploadedBy reports whether actor is the agent who uploaded a file.
func uploadedBy(actor authz.Actor, uploader sql.NullInt64) bool {
	return actor.Kind == authz.KindAgent && uploader.Valid && uploader.Int64 == actor.ID
}

// checkUploads refuses attachment ids that are not actor's own unattached
// uploads, before a comment or ticket of theirs claims them: the claim in
// insertComment only checks that a file is unattached, since channels
// claim the files they store (no uploader) in the same transaction.
func (s *Service) checkUploads(ctx context.Context, actor authz.Actor, ids []int64) error {
	fe := apperr.FieldErrors{}
	for i, id := range ids {
		var comment, uploader sql.NullInt64
		err := s.db.QueryRowContext(ctx, `SELECT comment_id, uploaded_by FROM attachments WHERE id = ?`, id).Scan(&comment, &uploader)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("ticket: check upload %d: %w", id, err)
		}
		if err != nil || comment.Valid || !uploadedBy(actor, uploader) {
			fe.Add(fmt.Sprintf("attachment_ids[%d]", i), "is not an unused upload of yours")
		}
	}
	return fe.Err()
}

// SafeInline reports whether a content type may be shown inline in a
// browser; everything else downloads, so an uploaded HTML or SVG file can
// never run script on Ombud's origin.
func SafeInline(contentType string) bool {
	switch contentType {
	case "image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain":
		return true
	}
	return false
}
