package chat

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/blob"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/ticket"
)

// KindFile is a message that carries a file (its body is the file name).
const KindFile = "file"

// Upload kinds an admin may allow in the widget.
const (
	UploadImage = "image" // PNG, JPEG, GIF, WebP
	UploadPDF   = "pdf"
	UploadText  = "text" // plain UTF-8 text
)

// UploadKinds are every kind, in the settings page's order.
var UploadKinds = []string{UploadImage, UploadPDF, UploadText}

// MaxUploadMB is the largest upload limit an admin may set (the ticket
// attachment limit).
const MaxUploadMB = ticket.MaxAttachment >> 20

// File is the file a message carries.
type File struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
	Size int64  `json:"size"`
}

// FileInput is an upload: the sender's client id (a resend is a no-op),
// the name the sender gave it and its contents. The type the sender
// claims is never used: the contents are sniffed.
type FileInput struct {
	ClientID string
	Name     string
	Body     io.Reader
}

// SetBlobs gives the service the attachment store files go to.
func (s *Service) SetBlobs(b *blob.Store) { s.blobs = b }

// Sniff names the kind and content type of a file from its first bytes
// (at least 512 when the file has them), or "" when it is none of the
// kinds the widget takes. Text is valid UTF-8 without control characters
// other than tab, newline, carriage return and form feed.
func Sniff(head []byte) (kind, contentType string) {
	switch {
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return UploadImage, "image/png"
	case bytes.HasPrefix(head, []byte("\xff\xd8\xff")):
		return UploadImage, "image/jpeg"
	case bytes.HasPrefix(head, []byte("GIF87a")), bytes.HasPrefix(head, []byte("GIF89a")):
		return UploadImage, "image/gif"
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		return UploadImage, "image/webp"
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return UploadPDF, "application/pdf"
	}
	if len(head) == 0 {
		return "", ""
	}
	text := head
	// The head may end inside a multi-byte character.
	for i := 0; i < utf8.UTFMax && len(text) > 0 && !utf8.Valid(text); i++ {
		text = text[:len(text)-1]
	}
	if len(text) == 0 || !utf8.Valid(text) {
		return "", ""
	}
	for _, r := range string(text) {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f') || r == 0x7f {
			return "", ""
		}
	}
	// Markup would be text too; it is stored and served as text/plain
	// with nosniff, so a browser never renders it.
	return UploadText, "text/plain"
}

// putFile checks an upload against the settings and stores it in the blob
// store: the attachment to record with the message's comment.
func (s *Service) putFile(st Settings, in FileInput) (ticket.Attachment, error) {
	if s.blobs == nil {
		return ticket.Attachment{}, errors.New("chat: no blob store configured")
	}
	if !clientIDRE.MatchString(in.ClientID) {
		return ticket.Attachment{}, apperr.InvalidField("client_id", "must be 1 to 64 letters, digits, _ or -")
	}
	head := make([]byte, 512)
	n, err := io.ReadFull(in.Body, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return ticket.Attachment{}, uploadReadErr(err)
	}
	head = head[:n]
	if n == 0 {
		return ticket.Attachment{}, apperr.InvalidField("file", "is empty")
	}
	kind, ctype := Sniff(head)
	if kind == "" || !slices.Contains(st.UploadTypes, kind) {
		return ticket.Attachment{}, &apperr.Error{Code: apperr.CodeUnsupported, Message: "this type of file is not allowed",
			Fields: map[string]string{"file": "must be one of: " + strings.Join(st.UploadTypes, ", ")}}
	}
	max := int64(st.UploadMaxMB) << 20
	sum, size, err := s.blobs.Put(io.MultiReader(bytes.NewReader(head), in.Body), max)
	if err != nil {
		if apperr.Is(err, apperr.CodeTooLarge) {
			return ticket.Attachment{}, &apperr.Error{Code: apperr.CodeTooLarge, Message: fmt.Sprintf("the file is larger than %d MB", st.UploadMaxMB),
				Fields: map[string]string{"file": fmt.Sprintf("must be at most %d MB", st.UploadMaxMB)}}
		}
		return ticket.Attachment{}, uploadReadErr(err)
	}
	name := ticket.CleanFilename(in.Name)
	return ticket.Attachment{Filename: name, ContentType: ctype, Size: size, SHA256: sum}, nil
}

// uploadReadErr keeps a body cut short (or over the server's limit) a
// client's error.
func uploadReadErr(err error) error {
	if e := apperr.As(err); e != nil && e.Code != apperr.CodeInternal {
		return err
	}
	if strings.Contains(err.Error(), "too large") { // http.MaxBytesError: the server's body limit
		return &apperr.Error{Code: apperr.CodeTooLarge, Message: "the file is too large", Fields: map[string]string{"file": "is too large"}}
	}
	return apperr.InvalidField("file", "could not be read in full")
}

// VisitorFile stores a file the visitor sends: a message with the file,
// and a comment on the chat's ticket with it attached. The token is
// checked before a byte of the file is read.
func (s *Service) VisitorFile(ctx context.Context, token string, in FileInput) (Message, error) {
	c, err := byToken(ctx, s.db, token)
	if err != nil {
		return Message{}, err
	}
	if c.State == StateEnded {
		return Message{}, apperr.Conflict("chat", "this chat has ended")
	}
	st, err := readSettings(ctx, s.db)
	if err != nil {
		return Message{}, err
	}
	a, err := s.putFile(st, in)
	if err != nil {
		return Message{}, err
	}
	var out Message
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		c, err := byToken(ctx, tx, token)
		if err != nil {
			return err
		}
		if err := lock(ctx, tx, c.ID, s.now()); err != nil {
			return err
		}
		if m, ok, err := byClientID(ctx, tx, c.ID, "v"+in.ClientID); err != nil || ok {
			out = m
			return err
		}
		if c.State == StateEnded {
			return apperr.Conflict("chat", "this chat has ended")
		}
		cm, _, err := s.tickets.CommentTx(ctx, tx, authz.Actor{Kind: authz.KindCustomer, ID: c.CustomerID}, c.TicketID,
			ticket.CommentInput{Body: a.Filename, AsCustomer: true, Channel: "chat", Files: []ticket.Attachment{a}})
		if err != nil {
			return err
		}
		out, err = appendFile(ctx, tx, c.ID, Message{Author: AuthorVisitor, ClientID: "v" + in.ClientID}, cm, 0, s)
		if err != nil {
			return err
		}
		s.publish(tx, c.TicketID, "message", out.Seq, 0)
		return nil
	})
	return out, err
}

// AgentFile stores a file the agent sends from the console (a public
// reply with the file attached).
func (s *Service) AgentFile(ctx context.Context, actor authz.Actor, convID int64, in FileInput) (Message, error) {
	if err := authz.Check(actor, authz.TicketReply); err != nil {
		return Message{}, err
	}
	st, err := readSettings(ctx, s.db)
	if err != nil {
		return Message{}, err
	}
	// Whose chat it is is checked before the file is read, and again in
	// the write.
	if err := s.db.Write(ctx, func(tx *db.Tx) error { _, err := s.mine(ctx, tx, actor, convID); return err }); err != nil {
		return Message{}, err
	}
	a, err := s.putFile(st, in)
	if err != nil {
		return Message{}, err
	}
	var out Message
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		c, err := s.mine(ctx, tx, actor, convID)
		if err != nil {
			return err
		}
		if m, ok, err := byClientID(ctx, tx, c.ID, "a"+in.ClientID); err != nil || ok {
			out = m
			return err
		}
		if c.State != StateActive {
			return apperr.Conflict("chat", "this chat is not active")
		}
		cm, _, err := s.tickets.CommentTx(ctx, tx, actor, c.TicketID, ticket.CommentInput{Body: a.Filename, Channel: "chat", Files: []ticket.Attachment{a}})
		if err != nil {
			return err
		}
		name, err := agentName(ctx, tx, actor.ID)
		if err != nil {
			return err
		}
		out, err = appendFile(ctx, tx, c.ID, Message{Author: AuthorAgent, AgentName: name, ClientID: "a" + in.ClientID}, cm, actor.ID, s)
		if err != nil {
			return err
		}
		s.publish(tx, c.TicketID, "message", out.Seq, actor.ID)
		return nil
	})
	return out, err
}

// appendFile stores a file message for comment cm (which carries the file).
func appendFile(ctx context.Context, tx *db.Tx, convID int64, m Message, cm ticket.Comment, agentID int64, s *Service) (Message, error) {
	if len(cm.Attachments) != 1 {
		return Message{}, fmt.Errorf("chat: file comment %d has %d attachments", cm.ID, len(cm.Attachments))
	}
	a := cm.Attachments[0]
	m.Kind, m.Body = KindFile, a.Filename
	out, err := appendMessage(ctx, tx, convID, m, agentID, cm.ID, s.now())
	if err != nil {
		return Message{}, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE chat_messages SET attachment_id = ? WHERE conversation_id = ? AND seq = ?`, a.ID, convID, out.Seq); err != nil {
		return Message{}, fmt.Errorf("chat: link file: %w", err)
	}
	out.File = &File{ID: a.ID, Name: a.Filename, Type: a.ContentType, Size: a.Size}
	return out, nil
}

// VisitorOpenFile returns a file of the visitor's own conversation; any
// other file is not found for them.
func (s *Service) VisitorOpenFile(ctx context.Context, token string, id int64) (File, *os.File, error) {
	c, err := byToken(ctx, s.db, token)
	if err != nil {
		return File{}, nil, err
	}
	var f File
	var sum string
	err = s.db.QueryRowContext(ctx, `SELECT a.id, a.filename, a.content_type, a.size, a.sha256 FROM chat_messages m
		JOIN attachments a ON a.id = m.attachment_id WHERE m.conversation_id = ? AND m.attachment_id = ?`, c.ID, id).
		Scan(&f.ID, &f.Name, &f.Type, &f.Size, &sum)
	if errors.Is(err, sql.ErrNoRows) {
		return File{}, nil, apperr.NotFound("file", id)
	}
	if err != nil {
		return File{}, nil, fmt.Errorf("chat: file %d: %w", id, err)
	}
	if s.blobs == nil {
		return File{}, nil, apperr.NotFound("file", id)
	}
	r, err := s.blobs.Open(sum)
	if err != nil {
		return File{}, nil, err
	}
	return f, r, nil
}
