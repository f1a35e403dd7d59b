package email

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/channel/email/message"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/page"
)

// InboundMessage is one received message as the admin's mail log shows it.
type InboundMessage struct {
	ID           int64      `json:"id"`
	MailboxID    *int64     `json:"mailbox_id"`
	Source       string     `json:"source"`
	MessageID    string     `json:"message_id"`
	Size         int64      `json:"size"`
	EnvelopeFrom string     `json:"envelope_from"`
	EnvelopeTo   string     `json:"envelope_to"`
	From         string     `json:"from"`
	Subject      string     `json:"subject"`
	State        string     `json:"state"`
	Outcome      string     `json:"outcome"`
	Error        string     `json:"error"`
	TicketID     *int64     `json:"ticket_id"`
	CommentID    *int64     `json:"comment_id"`
	ReceivedAt   time.Time  `json:"received_at"`
	ProcessedAt  *time.Time `json:"processed_at"`
	SHA256       string     `json:"sha256"`
	// Auth is whether the From address was proven (verified, unverified;
	// "" for mail without a sender and mail received before the check),
	// AuthDetail the checks behind it ("DKIM fail, SPF softfail, DMARC none").
	Auth       string `json:"auth"`
	AuthDetail string `json:"auth_detail"`
	ClientIP   string `json:"client_ip"` // the SMTP client, "" for IMAP
	Helo       string `json:"helo"`
}

const inboundCols = `id, mailbox_id, source, message_id, size, envelope_from, envelope_to, from_address, subject, state, outcome, error,
	ticket_id, comment_id, received_at, processed_at, sha256, auth, auth_detail, client_ip, helo`

func scanInbound(s interface{ Scan(...any) error }) (InboundMessage, error) {
	var m InboundMessage
	var mb, t, c, processed sql.NullInt64
	var received int64
	err := s.Scan(&m.ID, &mb, &m.Source, &m.MessageID, &m.Size, &m.EnvelopeFrom, &m.EnvelopeTo, &m.From, &m.Subject, &m.State, &m.Outcome, &m.Error,
		&t, &c, &received, &processed, &m.SHA256, &m.Auth, &m.AuthDetail, &m.ClientIP, &m.Helo)
	if err != nil {
		return m, err
	}
	m.MailboxID, m.TicketID, m.CommentID = nullPtr(mb), nullPtr(t), nullPtr(c)
	m.ReceivedAt = db.Time(received)
	if processed.Valid {
		p := db.Time(processed.Int64)
		m.ProcessedAt = &p
	}
	return m, nil
}

func nullPtr(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}

// InboundFilter selects messages of the mail log.
type InboundFilter struct {
	State     string // processed, failed, ignored; "" = all
	MailboxID int64
	Page      page.Request
}

// ListInbound returns the mail log, newest first.
func (s *Service) ListInbound(ctx context.Context, actor authz.Actor, f InboundFilter) (page.List[InboundMessage], error) {
	if err := authz.Check(actor, authz.ChannelRead); err != nil {
		return page.List[InboundMessage]{}, err
	}
	switch f.State {
	case "", "processed", "failed", "ignored":
	default:
		return page.List[InboundMessage]{}, apperr.InvalidField("state", "must be one of processed, failed, ignored")
	}
	conds := []string{"1 = 1"}
	var args []any
	if f.State != "" {
		conds, args = append(conds, "state = ?"), append(args, f.State)
	}
	if f.MailboxID != 0 {
		conds, args = append(conds, "mailbox_id = ?"), append(args, f.MailboxID)
	}
	if f.Page.Cursor != nil {
		conds, args = append(conds, "id < ?"), append(args, f.Page.Cursor.ID)
	}
	args = append(args, f.Page.Limit+1)
	rows, err := s.db.QueryContext(ctx, `SELECT `+inboundCols+` FROM inbound_messages WHERE `+strings.Join(conds, " AND ")+` ORDER BY id DESC LIMIT ?`, args...)
	if err != nil {
		return page.List[InboundMessage]{}, fmt.Errorf("email: list inbound: %w", err)
	}
	defer rows.Close()
	var out []InboundMessage
	for rows.Next() {
		m, err := scanInbound(rows)
		if err != nil {
			return page.List[InboundMessage]{}, fmt.Errorf("email: scan inbound: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return page.List[InboundMessage]{}, err
	}
	return page.Trim(out, f.Page.Limit, func(m InboundMessage) page.Cursor { return page.Cursor{ID: m.ID} }), nil
}

func (s *Service) inbound(ctx context.Context, q db.Querier, id int64) (InboundMessage, error) {
	m, err := scanInbound(q.QueryRowContext(ctx, `SELECT `+inboundCols+` FROM inbound_messages WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, apperr.NotFound("inbound message", id)
	}
	if err != nil {
		return m, fmt.Errorf("email: inbound %d: %w", id, err)
	}
	return m, nil
}

// GetInbound returns one message of the mail log.
func (s *Service) GetInbound(ctx context.Context, actor authz.Actor, id int64) (InboundMessage, error) {
	if err := authz.Check(actor, authz.ChannelRead); err != nil {
		return InboundMessage{}, err
	}
	return s.inbound(ctx, s.db, id)
}

// Raw returns the message exactly as it arrived.
func (s *Service) Raw(ctx context.Context, actor authz.Actor, id int64) ([]byte, error) {
	if err := authz.Check(actor, authz.ChannelRead); err != nil {
		return nil, err
	}
	return s.readRaw(ctx, id)
}

// readRaw returns a stored message's bytes from its row or the blob store.
func (s *Service) readRaw(ctx context.Context, id int64) ([]byte, error) {
	var raw []byte
	var sum string
	err := s.db.QueryRowContext(ctx, `SELECT raw, sha256 FROM inbound_messages WHERE id = ?`, id).Scan(&raw, &sum)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("inbound message", id)
	}
	if err != nil {
		return nil, fmt.Errorf("email: raw message %d: %w", id, err)
	}
	if raw != nil {
		return raw, nil
	}
	f, err := s.blobs.Open(sum)
	if err != nil {
		return nil, fmt.Errorf("email: raw message %s: %w", sum, err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("email: read raw message: %w", err)
	}
	return b, nil
}

// Reprocess runs a failed or ignored message through ingest again (after
// a fix, or once an admin has added the mailbox or agent it needed).
func (s *Service) Reprocess(ctx context.Context, actor authz.Actor, id int64) (InboundMessage, error) {
	if err := authz.Check(actor, authz.ChannelWrite); err != nil {
		return InboundMessage{}, err
	}
	cur, err := s.inbound(ctx, s.db, id)
	if err != nil {
		return InboundMessage{}, err
	}
	if cur.State == "processed" {
		return InboundMessage{}, apperr.Conflict("state", "the message was processed already")
	}
	if cur.MailboxID == nil {
		return InboundMessage{}, apperr.Unprocessable("mailbox_id", "the message's mailbox was deleted")
	}
	raw, err := s.readRaw(ctx, id)
	if err != nil {
		return InboundMessage{}, err
	}
	m, perr := message.Parse(raw)
	scrub(m)
	parts, err := s.storeParts(m)
	if err != nil {
		return InboundMessage{}, err
	}
	in := Inbound{MailboxID: *cur.MailboxID, Source: cur.Source, EnvelopeFrom: cur.EnvelopeFrom, Raw: raw, Helo: cur.Helo}
	if cur.EnvelopeTo != "" {
		in.EnvelopeTo = strings.Split(cur.EnvelopeTo, ", ")
	}
	in.ClientIP, _ = netip.ParseAddr(cur.ClientIP)
	// The verdict of the message's arrival stands: keys are rotated and
	// records change, so a later check could fail a message that was fine.
	v := verdict{state: cur.Auth, detail: cur.AuthDetail, from: cur.From}
	if v.state == "" {
		v = s.verify(ctx, in, m)
	}
	var queued bool
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		mb, err := getMailbox(ctx, tx, *cur.MailboxID)
		if err != nil {
			return err
		}
		row := s.outcome(ctx, tx, mb, in, m, parts, perr, v)
		if row.fatal != nil {
			return row.fatal
		}
		queued = row.queued
		_, err = tx.ExecContext(ctx, `UPDATE inbound_messages SET state = ?, outcome = ?, error = ?, ticket_id = ?, comment_id = ?, processed_at = ?,
			auth = ?, auth_detail = ? WHERE id = ?`,
			row.state, row.outcome, truncate(row.err, 2000), db.NullInt(row.ticketID), db.NullInt(row.commentID), db.Millis(s.now()),
			v.state, truncate(v.detail, 500), id)
		if err != nil {
			return fmt.Errorf("email: update inbound %d: %w", id, err)
		}
		// An admin running a message through intake again is audited with
		// what became of it; the message itself stays in the mail log.
		return audit.Record(ctx, tx, s.now(), actor, "mail.reprocess", fmt.Sprintf("inbound_message:%d", id), audit.Change(
			map[string]any{"state": cur.State, "outcome": cur.Outcome},
			map[string]any{"state": row.state, "outcome": row.outcome, "ticket_id": row.ticketID}))
	})
	if err != nil {
		return InboundMessage{}, err
	}
	if queued {
		s.opts.Wake()
	}
	return s.inbound(ctx, s.db, id)
}

// Original is an email comment as it arrived, with the quoted history and
// signature that the comment folds away.
type Original struct {
	InboundID int64               `json:"inbound_id"`
	From      string              `json:"from"`
	To        []string            `json:"to"`
	Cc        []string            `json:"cc"`
	Subject   string              `json:"subject"`
	Date      *time.Time          `json:"date"`
	Text      string              `json:"text"`
	HTML      string              `json:"html"` // sanitised
	Headers   map[string][]string `json:"headers"`
	// Auth says whether the sender was proven (verified, unverified);
	// AuthDetail the checks behind it.
	Auth       string `json:"auth"`
	AuthDetail string `json:"auth_detail"`
}

// Original returns the full inbound email behind a comment.
func (s *Service) Original(ctx context.Context, actor authz.Actor, ticketID, commentID int64) (Original, error) {
	if err := authz.Check(actor, authz.TicketRead); err != nil {
		return Original{}, err
	}
	var id int64
	var auth, detail string
	err := s.db.QueryRowContext(ctx, `SELECT id, auth, auth_detail FROM inbound_messages WHERE comment_id = ? AND ticket_id = ? ORDER BY id LIMIT 1`, commentID, ticketID).
		Scan(&id, &auth, &detail)
	if errors.Is(err, sql.ErrNoRows) {
		return Original{}, apperr.NotFound("email for comment", commentID)
	}
	if err != nil {
		return Original{}, fmt.Errorf("email: original of %d: %w", commentID, err)
	}
	raw, err := s.readRaw(ctx, id)
	if err != nil {
		return Original{}, err
	}
	m, _ := message.Parse(raw)
	o := Original{InboundID: id, To: []string{}, Cc: []string{}, Headers: map[string][]string{}, Auth: auth, AuthDetail: detail}
	if m == nil {
		return o, nil
	}
	o.From = formatAddr(m.From)
	for _, a := range m.To {
		o.To = append(o.To, formatAddr(a))
	}
	for _, a := range m.Cc {
		o.Cc = append(o.Cc, formatAddr(a))
	}
	o.Subject, o.Text = m.Subject, m.Text
	if !m.Date.IsZero() {
		d := m.Date.UTC()
		o.Date = &d
	}
	if m.HTML != "" && s.html != nil {
		o.HTML = s.html.Sanitize(m.HTML)
	}
	if m.Headers != nil {
		o.Headers = m.Headers
	}
	return o, nil
}

func formatAddr(a message.Address) string {
	if a.Name == "" {
		return a.Email
	}
	return a.Name + " <" + a.Email + ">"
}

// CommentMail is what a ticket page shows of the email behind a comment.
type CommentMail struct {
	From       string // the From address as received
	Auth       string // AuthVerified, AuthUnverified or ""
	AuthDetail string
}

// Unverified reports whether the comment came from a sender who could not
// be proven (agents are warned).
func (c CommentMail) Unverified() bool { return c.Auth == AuthUnverified }

// WithOriginal returns, by comment id, the comments of a ticket that came
// by email (and so have an original to show) with their sender verdict.
func (s *Service) WithOriginal(ctx context.Context, ticketID int64) (map[int64]CommentMail, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT comment_id, from_address, auth, auth_detail FROM inbound_messages
		WHERE ticket_id = ? AND comment_id IS NOT NULL ORDER BY id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("email: originals of %d: %w", ticketID, err)
	}
	defer rows.Close()
	out := map[int64]CommentMail{}
	for rows.Next() {
		var id int64
		var c CommentMail
		if err := rows.Scan(&id, &c.From, &c.Auth, &c.AuthDetail); err != nil {
			return nil, err
		}
		if _, ok := out[id]; !ok {
			out[id] = c
		}
	}
	return out, rows.Err()
}
