package email

import (
	"bytes"
	"context"
	"crypto/tls"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io"
	"net"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/jhillyerd/enmime/v2"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/jobs"
	"github.com/ombud/ombud/internal/ticket"
)

// JobSend is the job kind that sends one outbound email.
const JobSend = "email.send"

//go:embed templates/reply.txt templates/reply.html
var templateFiles embed.FS

var (
	textTmpl = texttemplate.Must(texttemplate.ParseFS(templateFiles, "templates/reply.txt"))
	htmlTmpl = htmltemplate.Must(htmltemplate.ParseFS(templateFiles, "templates/reply.html"))
)

type sendPayload struct {
	OutboundID int64 `json:"outbound_id"`
}

// QueueReply queues a public agent reply to be mailed to the requester and
// the people copied on the ticket. It runs inside the comment's
// transaction (ticket.Outbox): the reply and its delivery job commit
// together. Tickets that never involved email are left alone.
func (s *Service) QueueReply(ctx context.Context, tx *db.Tx, t ticket.Ticket, c ticket.Comment) error {
	var mailboxID sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT mailbox_id FROM email_tickets WHERE ticket_id = ?`, t.ID).Scan(&mailboxID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if t.Channel != "email" {
			return nil
		}
	case err != nil:
		return fmt.Errorf("email: ticket mailbox: %w", err)
	}
	_, to, err := s.people.CustomerEmail(ctx, tx, t.RequesterID)
	if err != nil {
		return err
	}
	if to == "" {
		return nil // a requester without email (phone, chat) gets replies on their channel
	}
	mb, err := s.pickMailbox(ctx, tx, mailboxID, t.TeamID)
	if err != nil {
		return err
	}
	domain := domainOf(mb.Address)
	if mb.ID == 0 {
		domain = s.opts.Hostname
	}
	// The random part makes the Message-ID a secret of the thread: a reply
	// naming it proves its sender saw our mail (see thread).
	msgID := fmt.Sprintf("ombud.%d.%d.%s@%s", t.ID, c.ID, randomPart(), domain)
	rcpts, _ := json.Marshal([]string{to})
	id, err := tx.InsertID(ctx, `INSERT INTO outbound_emails (ticket_id, comment_id, mailbox_id, message_id, recipients, state, created_at)
		VALUES (?, ?, ?, ?, ?, 'queued', ?)`, t.ID, c.ID, db.NullInt(mb.ID), msgID, string(rcpts), db.Millis(s.now()))
	if err != nil {
		return fmt.Errorf("email: queue reply: %w", err)
	}
	if err := s.rememberThread(ctx, tx, t.ID, c.ID, msgID, "out"); err != nil {
		return err
	}
	if mb.ID == 0 {
		// Kept as a reply that was not delivered, which an agent can send
		// again once a mailbox is set up.
		return s.failTx(ctx, tx, failure{outboundID: id, commentID: c.ID, messageID: msgID, recipients: []string{to},
			reason: ReasonNoMailbox, detail: "no mailbox is configured to send email from"})
	}
	if _, err := jobs.Enqueue(ctx, tx, s.now(), jobs.New{Kind: JobSend, Key: "comment:" + strconv.FormatInt(c.ID, 10),
		Payload: sendPayload{OutboundID: id}}); err != nil {
		return err
	}
	tx.AfterCommit(s.opts.Wake)
	return nil
}

// pickMailbox returns the ticket's mailbox, else its team's, else the first
// active one; a zero Mailbox when there is none.
func (s *Service) pickMailbox(ctx context.Context, q db.Querier, id sql.NullInt64, teamID *int64) (Mailbox, error) {
	if id.Valid {
		m, err := getMailbox(ctx, q, id.Int64)
		if err == nil {
			return m, nil
		}
		if !apperr.Is(err, apperr.CodeNotFound) {
			return Mailbox{}, err
		}
	}
	var pick int64
	err := q.QueryRowContext(ctx, `SELECT id FROM mailboxes WHERE active ORDER BY CASE WHEN team_id = ? THEN 0 ELSE 1 END, id LIMIT 1`,
		db.NullInt(derefID(teamID))).Scan(&pick)
	if errors.Is(err, sql.ErrNoRows) {
		return Mailbox{}, nil
	}
	if err != nil {
		return Mailbox{}, fmt.Errorf("email: pick mailbox: %w", err)
	}
	return getMailbox(ctx, q, pick)
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return addr
}

// plusAddress returns support+t123@example.com for ticket 123.
func plusAddress(addr string, ticketID int64) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return addr
	}
	return addr[:i] + "+t" + strconv.FormatInt(ticketID, 10) + addr[i:]
}

// outgoing is everything needed to send one reply.
type outgoing struct {
	id        int64
	ticketID  int64
	commentID int64
	messageID string
	state     string
	mailbox   Mailbox
	// superseded: an agent replaced it with a newer reply (edit and resend).
	superseded bool
}

// Send is the job handler for JobSend. SMTP permanent failures (5xx) end
// the job and are recorded on the ticket; temporary ones are retried with
// backoff by the job runner.
func (s *Service) Send(ctx context.Context, j jobs.Job) error {
	var p sendPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.OutboundID == 0 {
		return jobs.Permanent(fmt.Errorf("email: bad send payload %q", j.Payload))
	}
	o, err := s.loadOutgoing(ctx, p.OutboundID)
	if err != nil && (o.id == 0 || !jobs.IsPermanent(err)) {
		return err
	}
	if o.state == "sent" || o.superseded {
		return nil // sent before a crash stopped the job from finishing, or replaced
	}
	var raw []byte
	var rcpts []string
	if err == nil {
		raw, rcpts, err = s.compose(ctx, o)
	}
	if err == nil {
		err = s.deliver(ctx, o.mailbox, rcpts, raw)
	}
	last := j.Attempts >= j.MaxAttempts && j.MaxAttempts > 0
	if err != nil {
		permanent := jobs.IsPermanent(err) || isPermanentSMTP(err)
		if permanent || last {
			if ferr := s.failed(ctx, o, rcpts, err); ferr != nil {
				return ferr
			}
			return jobs.Permanent(err)
		}
		// Still sending: the page says why the last attempt failed.
		_ = s.db.Write(ctx, func(tx *db.Tx) error {
			_, err2 := tx.ExecContext(ctx, `UPDATE outbound_emails SET attempts = attempts + 1, last_error = ?, reason = ? WHERE id = ?`,
				truncate(err.Error(), 2000), reasonOf(err), o.id)
			s.published(tx, DeliveryChange{TicketID: o.ticketID, CommentID: o.commentID, State: DeliverySending})
			return err2
		})
		return err
	}
	b, _ := json.Marshal(rcpts)
	return s.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbound_emails SET state = 'sent', attempts = attempts + 1, last_error = '', reason = '', recipients = ?, sent_at = ? WHERE id = ?`,
			string(b), db.Millis(s.now()), o.id)
		s.published(tx, DeliveryChange{TicketID: o.ticketID, CommentID: o.commentID, State: DeliverySent})
		return err
	})
}

// failed records that a reply could not be delivered (delivery.go: the
// reason in words, the event, the assignee's notice).
func (s *Service) failed(ctx context.Context, o outgoing, rcpts []string, cause error) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE outbound_emails SET attempts = attempts + 1 WHERE id = ?`, o.id); err != nil {
			return err
		}
		var attempts int
		if err := tx.QueryRowContext(ctx, `SELECT attempts FROM outbound_emails WHERE id = ?`, o.id).Scan(&attempts); err != nil {
			return err
		}
		return s.failTx(ctx, tx, failure{outboundID: o.id, commentID: o.commentID, messageID: o.messageID, recipients: rcpts,
			reason: reasonOf(cause), detail: cause.Error(), attempts: attempts})
	})
}

func (s *Service) loadOutgoing(ctx context.Context, id int64) (outgoing, error) {
	var o outgoing
	var mb sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT id, ticket_id, comment_id, mailbox_id, message_id, state, superseded_by IS NOT NULL FROM outbound_emails WHERE id = ?`, id).
		Scan(&o.id, &o.ticketID, &o.commentID, &mb, &o.messageID, &o.state, &o.superseded)
	if errors.Is(err, sql.ErrNoRows) {
		return o, jobs.Permanent(fmt.Errorf("email: outbound %d is gone", id))
	}
	if err != nil {
		return o, fmt.Errorf("email: outbound %d: %w", id, err)
	}
	var teamID sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT team_id FROM tickets WHERE id = ?`, o.ticketID).Scan(&teamID); err != nil {
		return o, fmt.Errorf("email: ticket of outbound %d: %w", id, err)
	}
	var team *int64
	if teamID.Valid {
		team = &teamID.Int64
	}
	if o.mailbox, err = s.pickMailbox(ctx, s.db, mb, team); err != nil {
		return o, err
	}
	if o.mailbox.ID == 0 {
		return o, jobs.Permanent(reasoned(ReasonNoMailbox, errors.New("no mailbox is configured to send email from")))
	}
	return o, nil
}

type replyView struct {
	Subject, Body, AgentName, MailboxName, Lang string
	HTML                                        htmltemplate.HTML
	TicketID                                    int64
}

// compose builds the reply's MIME message: text and HTML from templates,
// attachments, and the headers that thread it in the customer's client.
func (s *Service) compose(ctx context.Context, o outgoing) ([]byte, []string, error) {
	var subject, lang string
	var requesterID int64
	if err := s.db.QueryRowContext(ctx, `SELECT subject, language, requester_id FROM tickets WHERE id = ?`, o.ticketID).Scan(&subject, &lang, &requesterID); err != nil {
		return nil, nil, fmt.Errorf("email: ticket %d: %w", o.ticketID, err)
	}
	c, err := s.tickets.CommentByID(ctx, s.db, o.ticketID, o.commentID)
	if err != nil {
		return nil, nil, err
	}
	reqName, reqEmail, err := s.people.CustomerEmail(ctx, s.db, requesterID)
	if err != nil {
		return nil, nil, err
	}
	if reqEmail == "" {
		return nil, nil, jobs.Permanent(reasoned(ReasonNoAddress, errors.New("the requester has no email address")))
	}
	agentName := ""
	if c.AuthorType == "agent" && c.AuthorID != 0 {
		if agentName, err = s.people.AgentName(ctx, s.db, c.AuthorID); err != nil {
			return nil, nil, err
		}
	}
	cc, err := s.copies(ctx, s.db, o.ticketID)
	if err != nil {
		return nil, nil, err
	}
	followers, err := s.followerEmails(ctx, o.ticketID, c.AuthorID)
	if err != nil {
		return nil, nil, err
	}
	cc = append(cc, followers...)
	inReplyTo, refs, anyInbound, err := s.threadIDs(ctx, o.ticketID, o.messageID)
	if err != nil {
		return nil, nil, err
	}
	subj := fmt.Sprintf("[#%d] %s", o.ticketID, subject)
	if anyInbound {
		subj = "Re: " + subj
	}
	if lang == "" {
		lang = "en"
	}
	v := replyView{Subject: subj, Body: c.Body, HTML: htmltemplate.HTML(c.HTML), AgentName: agentName, MailboxName: o.mailbox.Name, Lang: lang, TicketID: o.ticketID}
	var text, html bytes.Buffer
	if err := textTmpl.Execute(&text, v); err != nil {
		return nil, nil, fmt.Errorf("email: render text: %w", err)
	}
	if err := htmlTmpl.Execute(&html, v); err != nil {
		return nil, nil, fmt.Errorf("email: render html: %w", err)
	}
	fromName := o.mailbox.Name
	if agentName != "" {
		fromName = agentName + " (" + o.mailbox.Name + ")"
	}
	b := enmime.Builder().
		From(fromName, o.mailbox.Address).
		To(reqName, reqEmail).
		ReplyTo(o.mailbox.Name, plusAddress(o.mailbox.Address, o.ticketID)).
		Subject(subj).
		Date(s.now()).
		Header("Message-ID", "<"+o.messageID+">").
		Header("X-Ombud-Ticket", strconv.FormatInt(o.ticketID, 10)).
		Text(text.Bytes()).
		HTML(html.Bytes())
	if c.AuthorType == "system" {
		// Sent by a rule, not a person (RFC 3834): well-behaved
		// responders will not answer it automatically.
		b = b.Header("Auto-Submitted", "auto-generated")
	}
	rcpts := []string{reqEmail}
	for _, a := range cc {
		if a != reqEmail {
			b = b.CC("", a)
			rcpts = append(rcpts, a)
		}
	}
	if inReplyTo != "" {
		b = b.Header("In-Reply-To", "<"+inReplyTo+">")
	}
	if len(refs) > 0 {
		b = b.Header("References", "<"+strings.Join(refs, "> <")+">")
	}
	for _, a := range c.Attachments {
		f, err := s.blobs.Open(a.SHA256)
		if err != nil {
			return nil, nil, fmt.Errorf("email: attachment %d: %w", a.ID, err)
		}
		data, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("email: read attachment %d: %w", a.ID, err)
		}
		b = b.AddAttachment(data, a.ContentType, a.Filename)
	}
	part, err := b.Build()
	if err != nil {
		return nil, nil, jobs.Permanent(fmt.Errorf("email: build message: %w", err))
	}
	var out bytes.Buffer
	if err := encodeMail(part, &out); err != nil {
		return nil, nil, fmt.Errorf("email: encode message: %w", err)
	}
	return out.Bytes(), rcpts, nil
}

// followerEmails returns the addresses of agents following the ticket,
// except the reply's author.
func (s *Service) followerEmails(ctx context.Context, ticketID, authorID int64) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT a.email FROM ticket_followers f JOIN agents a ON a.id = f.agent_id
		WHERE f.ticket_id = ? AND a.active AND a.id <> ? ORDER BY a.id`, ticketID, authorID)
	if err != nil {
		return nil, fmt.Errorf("email: followers: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// threadIDs returns the Message-ID to answer (the newest inbound one), the
// References chain (oldest first, at most 20, ending with that one) and
// whether the customer ever wrote by email.
func (s *Service) threadIDs(ctx context.Context, ticketID int64, own string) (string, []string, bool, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT message_id, direction FROM email_threads WHERE ticket_id = ? AND message_id <> ?
		ORDER BY COALESCE(comment_id, 0), message_id`, ticketID, own)
	if err != nil {
		return "", nil, false, fmt.Errorf("email: thread ids: %w", err)
	}
	defer rows.Close()
	var refs []string
	inReplyTo, inbound := "", false
	for rows.Next() {
		var id, dir string
		if err := rows.Scan(&id, &dir); err != nil {
			return "", nil, false, err
		}
		refs = append(refs, id)
		if dir == "in" {
			inReplyTo, inbound = id, true
		}
	}
	if len(refs) > 20 {
		refs = append(refs[:1], refs[len(refs)-19:]...)
	}
	return inReplyTo, refs, inbound, rows.Err()
}

// deliver hands the message to the mailbox's SMTP relay.
func (s *Service) deliver(ctx context.Context, mb Mailbox, rcpts []string, raw []byte) error {
	r := mb.SMTP
	if r.Host == "" {
		return jobs.Permanent(reasoned(ReasonNoRelay, fmt.Errorf("mailbox %s has no SMTP relay configured", mb.Address)))
	}
	addr := net.JoinHostPort(r.Host, strconv.Itoa(r.Port))
	password := ""
	if r.Username != "" {
		// A relay password crosses the network only inside TLS, unless the
		// admin chose otherwise for this mailbox.
		if r.Security == SecurityNone && !mb.AllowInsecureAuth {
			return jobs.Permanent(reasoned(ReasonInsecure, fmt.Errorf("mailbox %s: refused to send the SMTP password to %s over an unencrypted connection: choose STARTTLS or TLS, or allow passwords over unencrypted connections in the mailbox settings", mb.Address, addr)))
		}
		pw, err := s.smtpPassword(mb)
		if err != nil {
			return jobs.Permanent(err)
		}
		password = pw
	}
	tlsConf := &tls.Config{ServerName: r.Host, MinVersion: tls.VersionTLS12}
	dialer := &net.Dialer{Timeout: 30 * time.Second}
	var conn net.Conn
	var err error
	if r.Security == SecurityTLS {
		conn, err = (&tls.Dialer{NetDialer: dialer, Config: tlsConf}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = dialer.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return reasoned(dialReason(err, r.Security), fmt.Errorf("connect to %s: %w", addr, err))
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(5 * time.Minute)
	}
	_ = conn.SetDeadline(deadline)
	var c *smtp.Client
	if r.Security == SecuritySTARTTLS {
		if c, err = smtp.NewClientStartTLS(conn, tlsConf); err != nil {
			conn.Close()
			return reasoned(ReasonTLS, fmt.Errorf("starttls with %s: %w", addr, err))
		}
	} else {
		c = smtp.NewClient(conn)
	}
	defer c.Close()
	if err := c.Hello(s.opts.Hostname); err != nil {
		return reasoned(ReasonConnect, fmt.Errorf("smtp hello: %w", err))
	}
	if r.Username != "" {
		if err := c.Auth(sasl.NewPlainClient("", r.Username, password)); err != nil {
			return reasoned(ReasonAuth, fmt.Errorf("smtp auth: %w", err))
		}
	}
	if err := c.SendMail(mb.Address, rcpts, bytes.NewReader(raw)); err != nil {
		return reasoned(ReasonConnect, fmt.Errorf("smtp send: %w", err))
	}
	_ = c.Quit()
	return nil
}

func isPermanentSMTP(err error) bool {
	var se *smtp.SMTPError
	return errors.As(err, &se) && se.Code >= 500
}
