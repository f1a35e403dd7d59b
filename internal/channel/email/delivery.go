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
	"net"
	"regexp"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/jobs"
)

// Delivery states of a public reply sent by email, as agents see them.
const (
	DeliverySending    = "sending"    // queued, or being retried after a temporary failure
	DeliverySent       = "sent"       // the relay accepted it
	DeliveryDelivered  = "delivered"  // a delivery status notification confirmed it
	DeliveryFailed     = "failed"     // not delivered: the relay refused it, or it could not be sent
	DeliveryBounced    = "bounced"    // accepted, then returned by the recipient's server
	DeliverySuperseded = "superseded" // not delivered, and replaced by a newer reply
)

// Reasons a reply was not delivered, or is being retried. The UI says each
// in words; the relay's own reply is kept beside it (Delivery.Error).
const (
	ReasonNoMailbox = "no_mailbox" // no mailbox to send from
	ReasonNoRelay   = "no_relay"   // the mailbox has no SMTP relay
	ReasonNoAddress = "no_address" // the requester has no email address
	ReasonConnect   = "connect"    // the relay could not be reached
	ReasonTLS       = "tls"        // no secure connection to the relay
	ReasonAuth      = "auth"       // the relay refused our credentials
	ReasonInsecure  = "insecure"   // we would not send the password in clear
	ReasonRecipient = "recipient"  // the relay refused an address
	ReasonRejected  = "rejected"   // the relay refused the message (5xx)
	ReasonTemporary = "temporary"  // the relay asked us to try later (4xx)
	ReasonTooLarge  = "too_large"  // the message is over the relay's limit
	ReasonBounced   = "bounced"    // the recipient's server returned it
	ReasonOther     = "other"
)

// Event types of a reply's delivery, besides EvDeliveryFailed and EvBounced.
const (
	EvDeliveryRetried    = "email_delivery_retried"
	EvDeliverySuperseded = "email_delivery_superseded"
)

// Delivery is the delivery state of one public reply sent by email.
type Delivery struct {
	CommentID int64  `json:"comment_id"`
	State     string `json:"state"` // sending, sent, delivered, failed, bounced, superseded
	// Reason says why it failed, or why the last attempt of a reply still
	// sending failed ("" otherwise).
	Reason string `json:"reason,omitempty"`
	// Error is what the relay or the bounce said, as it said it.
	Error      string   `json:"error,omitempty"`
	Attempts   int      `json:"attempts"`
	Resends    int      `json:"resends"` // times an agent retried it
	MessageID  string   `json:"message_id"`
	Recipients []string `json:"recipients"`
	// Delayed: the recipient's server reported a delay (it keeps trying).
	Delayed      bool       `json:"delayed,omitempty"`
	QueuedAt     time.Time  `json:"queued_at"`
	SentAt       *time.Time `json:"sent_at"`
	FailedAt     *time.Time `json:"failed_at"`
	SupersededBy *int64     `json:"superseded_by"`
}

// Undelivered reports whether the reply waits for an agent: not
// delivered, not retried and not replaced.
func (d Delivery) Undelivered() bool {
	return d.State == DeliveryFailed || d.State == DeliveryBounced
}

// DeliveryChange tells the listener (live updates) that a reply's delivery
// state changed; Notify is the agent to tell at once (0 for nobody).
type DeliveryChange struct {
	TicketID, CommentID int64
	State               string
	Notify              int64
}

// SetDeliveryListener sets what hears of delivery state changes after
// they commit (the live hub); call before serving.
func (s *Service) SetDeliveryListener(f func(DeliveryChange)) { s.onDelivery = f }

func (s *Service) published(tx *db.Tx, c DeliveryChange) {
	if f := s.onDelivery; f != nil {
		tx.AfterCommit(func() { f(c) })
	}
}

// reasonError carries why a delivery failed through the job handler.
type reasonError struct {
	reason string
	err    error
}

func (e *reasonError) Error() string { return e.err.Error() }
func (e *reasonError) Unwrap() error { return e.err }

func reasoned(reason string, err error) error {
	if err == nil {
		return nil
	}
	return &reasonError{reason: reason, err: err}
}

var statusPrefix = regexp.MustCompile(`^([245])\.(\d{1,3})\.(\d{1,3})\b`)

// reasonOf names why err stopped a delivery.
func reasonOf(err error) string {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return smtpReason(se)
	}
	var re *reasonError
	if errors.As(err, &re) {
		return re.reason
	}
	return ReasonOther
}

// smtpReason reads a relay's refusal: the basic code and the enhanced
// status code (RFC 3463), from the reply or from the start of its text.
func smtpReason(se *smtp.SMTPError) string {
	enh := se.EnhancedCode
	if m := statusPrefix.FindStringSubmatch(se.Message); m != nil && enh[1] <= 0 && enh[2] <= 0 {
		a, _ := strconv.Atoi(m[1])
		b, _ := strconv.Atoi(m[2])
		c, _ := strconv.Atoi(m[3])
		enh = smtp.EnhancedCode{a, b, c}
	}
	switch {
	case se.Code == 552 || (enh[1] == 3 && enh[2] == 4):
		return ReasonTooLarge
	case se.Code == 530 || se.Code == 534 || se.Code == 535 || se.Code == 538 || (enh[1] == 7 && enh[2] == 8):
		return ReasonAuth
	case se.Code < 500:
		return ReasonTemporary
	case se.Code == 551 || se.Code == 553 || enh[1] == 1:
		return ReasonRecipient
	default:
		return ReasonRejected
	}
}

// dialReason tells an unreachable relay from a failed TLS handshake.
func dialReason(err error, security string) string {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return ReasonConnect
	}
	var cv *tls.CertificateVerificationError
	if errors.As(err, &cv) || security == SecurityTLS {
		return ReasonTLS
	}
	return ReasonConnect
}

// deliveryState derives what agents see from an outbound row.
func deliveryState(state, dsn string, superseded bool) string {
	switch {
	case state == "queued":
		return DeliverySending
	case state == "sent" && dsn == "delivered":
		return DeliveryDelivered
	case state == "sent":
		return DeliverySent
	case superseded:
		return DeliverySuperseded
	case dsn == "bounced":
		return DeliveryBounced
	default:
		return DeliveryFailed
	}
}

const deliveryCols = `o.comment_id, o.state, o.reason, o.dsn, o.last_error, o.attempts, o.resends, o.message_id, o.recipients,
	o.created_at, o.sent_at, o.failed_at, o.superseded_by`

func scanDelivery(sc interface{ Scan(...any) error }) (Delivery, error) {
	var d Delivery
	var state, dsn, rcpts string
	var created int64
	var sent, failed, sup sql.NullInt64
	if err := sc.Scan(&d.CommentID, &state, &d.Reason, &dsn, &d.Error, &d.Attempts, &d.Resends, &d.MessageID, &rcpts,
		&created, &sent, &failed, &sup); err != nil {
		return d, err
	}
	d.State = deliveryState(state, dsn, sup.Valid)
	d.Delayed = dsn == "delayed"
	d.Recipients = []string{}
	_ = json.Unmarshal([]byte(rcpts), &d.Recipients)
	d.QueuedAt = db.Time(created)
	if sent.Valid {
		t := db.Time(sent.Int64)
		d.SentAt = &t
	}
	if failed.Valid {
		t := db.Time(failed.Int64)
		d.FailedAt = &t
	}
	if sup.Valid {
		d.SupersededBy = &sup.Int64
	}
	if d.State == DeliverySent || d.State == DeliveryDelivered {
		d.Reason = "" // a reply that went out has no failure to explain
	}
	return d, nil
}

// Deliveries returns the delivery state of each public reply of a ticket
// that was sent by email, oldest first: one query for the whole page,
// found through the comments (a merge moves them to another ticket). The
// caller has read the ticket (the ticket service decides who may), so an
// unknown ticket simply has none.
func (s *Service) Deliveries(ctx context.Context, actor authz.Actor, ticketID int64) ([]Delivery, error) {
	if err := authz.Check(actor, authz.TicketRead); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+deliveryCols+` FROM comments c JOIN outbound_emails o ON o.comment_id = c.id
		WHERE c.ticket_id = ? ORDER BY c.id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("email: deliveries of %d: %w", ticketID, err)
	}
	defer rows.Close()
	out := []Delivery{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("email: scan delivery: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// delivery returns one reply's delivery state, if it was sent by email.
func (s *Service) delivery(ctx context.Context, q db.Querier, ticketID, commentID int64) (Delivery, error) {
	d, err := scanDelivery(q.QueryRowContext(ctx, `SELECT `+deliveryCols+` FROM comments c JOIN outbound_emails o ON o.comment_id = c.id
		WHERE c.ticket_id = ? AND c.id = ?`, ticketID, commentID))
	if errors.Is(err, sql.ErrNoRows) {
		return Delivery{}, apperr.NotFound("email delivery of comment", commentID)
	}
	if err != nil {
		return Delivery{}, fmt.Errorf("email: delivery of %d: %w", commentID, err)
	}
	return d, nil
}

// undeliveredSQL selects the ids of tickets with a reply that was not
// delivered and not replaced; it reads only the partial index
// outbound_emails_undelivered and the comments' primary key.
const undeliveredSQL = `SELECT c.ticket_id FROM outbound_emails o JOIN comments c ON c.id = o.comment_id
	WHERE o.state = 'failed' AND o.superseded_by IS NULL`

// DeliveryCond answers the search term delivery:failed (ticket.DeliverySearch).
func (s *Service) DeliveryCond(values []string) (string, []any) {
	return "t.id IN (" + undeliveredSQL + ")", nil
}

// Undelivered returns which of the given tickets have a reply that was not
// delivered (the ticket list's marker), in one query.
func (s *Service) Undelivered(ctx context.Context, ticketIDs []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(ticketIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(ticketIDs))
	for i, id := range ticketIDs {
		args[i] = id
	}
	rows, err := s.db.QueryContext(ctx, undeliveredSQL+` AND c.ticket_id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(args)), ",")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("email: undelivered: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// UndeliveredCount is how many tickets have a reply that was not delivered.
func (s *Service) UndeliveredCount(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(DISTINCT ticket_id) FROM (`+undeliveredSQL+`) u`).Scan(&n); err != nil {
		return 0, fmt.Errorf("email: count undelivered: %w", err)
	}
	return n, nil
}

// RetryDelivery sends a reply that was not delivered again: the same
// outbound message (same Message-ID, so the customer's mail client threads
// it and never shows two), queued anew. A reply that is being sent, went
// out, or was already retried is left alone, so a second click does
// nothing; one replaced by a newer reply is refused.
func (s *Service) RetryDelivery(ctx context.Context, actor authz.Actor, ticketID, commentID int64) (Delivery, error) {
	if err := authz.Check(actor, authz.TicketReply); err != nil {
		return Delivery{}, err
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var id int64
		var state string
		var resends int
		var sup sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT o.id, o.state, o.resends, o.superseded_by FROM comments c JOIN outbound_emails o ON o.comment_id = c.id
			WHERE c.ticket_id = ? AND c.id = ?`, ticketID, commentID).Scan(&id, &state, &resends, &sup)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("email delivery of comment", commentID)
		}
		if err != nil {
			return fmt.Errorf("email: retry %d: %w", commentID, err)
		}
		if sup.Valid {
			return apperr.Conflict("comment_id", fmt.Sprintf("this reply was replaced by comment %d; retry that one instead", sup.Int64))
		}
		if state != "failed" {
			return nil
		}
		res, err := tx.ExecContext(ctx, `UPDATE outbound_emails SET state = 'queued', resends = resends + 1, reason = '', dsn = '',
			last_error = '', failed_at = NULL WHERE id = ? AND state = 'failed'`, id)
		if err != nil {
			return fmt.Errorf("email: retry %d: %w", commentID, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		if _, err := jobs.Enqueue(ctx, tx, s.now(), jobs.New{Kind: JobSend, Key: fmt.Sprintf("comment:%d:resend:%d", commentID, resends+1),
			Payload: sendPayload{OutboundID: id}}); err != nil {
			return err
		}
		if err := s.tickets.RecordTx(ctx, tx, actor, ticketID, EvDeliveryRetried, map[string]any{"comment_id": commentID}); err != nil {
			return err
		}
		tx.AfterCommit(s.opts.Wake)
		s.published(tx, DeliveryChange{TicketID: ticketID, CommentID: commentID, State: DeliverySending})
		return nil
	})
	if err != nil {
		return Delivery{}, err
	}
	return s.delivery(ctx, s.db, ticketID, commentID)
}

// SupersedeTx marks a reply that was not delivered as replaced by a newer
// one, inside the new reply's transaction (ticket.Superseder).
func (s *Service) SupersedeTx(ctx context.Context, tx *db.Tx, actor authz.Actor, ticketID, oldCommentID, newCommentID int64) error {
	var id int64
	var state string
	var sup sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT o.id, o.state, o.superseded_by FROM comments c JOIN outbound_emails o ON o.comment_id = c.id
		WHERE c.ticket_id = ? AND c.id = ?`, ticketID, oldCommentID).Scan(&id, &state, &sup)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.InvalidField("supersedes", "is not a reply on this ticket that was sent by email")
	}
	if err != nil {
		return fmt.Errorf("email: supersede %d: %w", oldCommentID, err)
	}
	switch {
	case sup.Valid:
		return apperr.Conflict("supersedes", fmt.Sprintf("was already replaced by comment %d", sup.Int64))
	case state != "failed":
		return apperr.Conflict("supersedes", "was not refused: it is being sent or went out")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outbound_emails SET superseded_by = ? WHERE id = ?`, newCommentID, id); err != nil {
		return fmt.Errorf("email: supersede %d: %w", oldCommentID, err)
	}
	if err := s.tickets.RecordTx(ctx, tx, actor, ticketID, EvDeliverySuperseded, map[string]any{"comment_id": oldCommentID, "by": newCommentID}); err != nil {
		return err
	}
	s.published(tx, DeliveryChange{TicketID: ticketID, CommentID: oldCommentID, State: DeliverySuperseded})
	return nil
}

// dsnTx records a delivery status notification that changes no state: the
// reply was delivered, or its delivery is delayed.
func (s *Service) dsnTx(ctx context.Context, tx *db.Tx, commentID int64, dsn string) error {
	if commentID == 0 {
		return nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE outbound_emails SET dsn = ? WHERE comment_id = ? AND state = 'sent' AND dsn <> 'delivered'`, dsn, commentID)
	if err != nil {
		return fmt.Errorf("email: delivery report of %d: %w", commentID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	var ticketID int64
	if err := tx.QueryRowContext(ctx, `SELECT ticket_id FROM comments WHERE id = ?`, commentID).Scan(&ticketID); err != nil {
		return fmt.Errorf("email: ticket of comment %d: %w", commentID, err)
	}
	state := DeliverySent
	if dsn == "delivered" {
		state = DeliveryDelivered
	}
	s.published(tx, DeliveryChange{TicketID: ticketID, CommentID: commentID, State: state})
	return nil
}

// failure is a reply that could not be delivered.
type failure struct {
	outboundID, commentID int64
	messageID             string
	recipients            []string
	reason, detail        string
	dsn                   string // "bounced" for a returned message
	attempts              int
}

// failTx marks an outbound reply failed and tells the ticket (an event,
// in words in the history) and its assignee (a notice, and a live notice),
// all in tx.
func (s *Service) failTx(ctx context.Context, tx *db.Tx, f failure) error {
	var b []byte // nil keeps the recipients already recorded
	if f.recipients != nil {
		b, _ = json.Marshal(f.recipients)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outbound_emails SET state = 'failed', reason = ?, dsn = ?, last_error = ?, failed_at = ?,
		recipients = COALESCE(?, recipients) WHERE id = ?`,
		f.reason, f.dsn, truncate(f.detail, 2000), db.Millis(s.now()), db.NullString(string(b)), f.outboundID); err != nil {
		return fmt.Errorf("email: mark %d failed: %w", f.outboundID, err)
	}
	var ticketID int64
	if err := tx.QueryRowContext(ctx, `SELECT ticket_id FROM comments WHERE id = ?`, f.commentID).Scan(&ticketID); err != nil {
		return fmt.Errorf("email: ticket of comment %d: %w", f.commentID, err)
	}
	if f.dsn != "bounced" {
		// A bounce has its own event (EvBounced), written by bounce().
		if err := s.tickets.RecordTx(ctx, tx, authz.System, ticketID, EvDeliveryFailed, map[string]any{
			"comment_id": f.commentID, "message_id": f.messageID, "recipients": f.recipients, "reason": f.reason,
			"attempts": f.attempts, "error": truncate(f.detail, 1000),
		}); err != nil {
			return err
		}
	}
	notify, err := s.noticeFailureTx(ctx, tx, ticketID, f)
	if err != nil {
		return err
	}
	state := DeliveryFailed
	if f.dsn == "bounced" {
		state = DeliveryBounced
	}
	s.published(tx, DeliveryChange{TicketID: ticketID, CommentID: f.commentID, State: state, Notify: notify})
	return nil
}

//go:embed templates/delivery_failed.txt
var noticeFiles embed.FS

var failedNoticeTmpl = texttemplate.Must(texttemplate.New("delivery_failed.txt").
	Funcs(texttemplate.FuncMap{"t": func(string, ...any) string { return "" }}).
	ParseFS(noticeFiles, "templates/delivery_failed.txt"))

// ReasonText is a delivery reason in words (English; a catalog key).
func ReasonText(reason string) string {
	switch reason {
	case ReasonNoMailbox:
		return "No mailbox is set up to send email from."
	case ReasonNoRelay:
		return "The mailbox has no outgoing mail server (SMTP relay) set up."
	case ReasonNoAddress:
		return "The requester has no email address."
	case ReasonConnect:
		return "The outgoing mail server could not be reached."
	case ReasonTLS:
		return "No secure connection could be made to the outgoing mail server."
	case ReasonAuth:
		return "The outgoing mail server did not accept Ombud's user name or password."
	case ReasonInsecure:
		return "Ombud would not send the mail server's password over an unencrypted connection."
	case ReasonRecipient:
		return "The mail server refused the recipient's address."
	case ReasonRejected:
		return "The mail server refused the message."
	case ReasonTemporary:
		return "The mail server asked Ombud to try again later."
	case ReasonTooLarge:
		return "The message is larger than the mail server accepts."
	case ReasonBounced:
		return "The recipient's mail server returned the message."
	}
	return "The message could not be sent."
}

type failedNotice struct {
	TicketID                                  int64
	Subject, Author, To, Reason, Detail, Link string
	Attempts                                  int
}

// noticeFailureTx queues the notice of a failed reply for the ticket's
// assignee, else the reply's author, in their language, once per failure
// (the key holds the reply and how often it was retried). It returns the
// agent told (0 for none).
func (s *Service) noticeFailureTx(ctx context.Context, tx *db.Tx, ticketID int64, f failure) (int64, error) {
	var subject, authorType, recorded string
	var assignee, author sql.NullInt64
	var resends int
	err := tx.QueryRowContext(ctx, `SELECT t.subject, t.assignee_id, c.author_type, c.author_id, o.resends, o.recipients
		FROM tickets t JOIN comments c ON c.id = ? JOIN outbound_emails o ON o.id = ? WHERE t.id = ?`, f.commentID, f.outboundID, ticketID).
		Scan(&subject, &assignee, &authorType, &author, &resends, &recorded)
	if err != nil {
		return 0, fmt.Errorf("email: failure notice of %d: %w", f.commentID, err)
	}
	who := assignee.Int64
	if who == 0 && authorType == "agent" {
		who = author.Int64
	}
	if who == 0 {
		return 0, nil
	}
	var to, locale string
	var active bool
	switch err := tx.QueryRowContext(ctx, `SELECT email, locale, active FROM agents WHERE id = ?`, who).Scan(&to, &locale, &active); {
	case errors.Is(err, sql.ErrNoRows):
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("email: failure notice recipient: %w", err)
	case !active:
		return 0, nil
	}
	lang := s.matchLang(locale)
	authorName := "Ombud"
	if authorType == "agent" && author.Valid {
		if authorName, err = s.people.AgentName(ctx, tx, author.Int64); err != nil {
			return 0, err
		}
	}
	link := ""
	if base := strings.TrimRight(s.opts.BaseURL, "/"); base != "" {
		link = fmt.Sprintf("%s/tickets/%d#c%d", base, ticketID, f.commentID)
	}
	rcpts := f.recipients
	if len(rcpts) == 0 {
		_ = json.Unmarshal([]byte(recorded), &rcpts) // the requester, recorded when it was queued
	}
	rcpt := strings.Join(rcpts, ", ")
	if rcpt == "" {
		rcpt = "—"
	}
	t := func(key string, args ...any) string { return s.tr(lang, key, args...) }
	v := failedNotice{TicketID: ticketID, Subject: subject, Author: authorName, To: rcpt, Reason: s.trString(lang, ReasonText(f.reason)),
		Detail: truncate(f.detail, 1000), Link: link, Attempts: f.attempts}
	tmpl, err := failedNoticeTmpl.Clone()
	if err != nil {
		return 0, fmt.Errorf("email: failure notice template: %w", err)
	}
	var body bytes.Buffer
	if err := tmpl.Funcs(texttemplate.FuncMap{"t": t}).Execute(&body, v); err != nil {
		return 0, fmt.Errorf("email: render failure notice: %w", err)
	}
	err = s.QueueNotice(ctx, tx, automation.Notice{
		TicketID: ticketID,
		To:       []string{to},
		Subject:  t("[#%s] A reply was not delivered: %s", strconv.FormatInt(ticketID, 10), subject),
		Body:     body.String(),
		Key:      fmt.Sprintf("delivery-failed:%d:%d:%d", f.commentID, resends, who),
	})
	if err != nil {
		return 0, err
	}
	return who, nil
}

// matchLang is the catalog language for an agent's locale.
func (s *Service) matchLang(locale string) string {
	if s.catalog == nil {
		return "en"
	}
	return s.catalog.Match(locale)
}

// trString translates a plain catalog string (no format verbs).
func (s *Service) trString(lang, key string) string {
	if s.catalog == nil {
		return key
	}
	return s.catalog.String(lang, key)
}

// tr translates a catalog key (English when there is no catalog).
func (s *Service) tr(lang, key string, args ...any) string {
	if s.catalog == nil {
		return fmt.Sprintf(key, args...)
	}
	return s.catalog.T(lang, key, args...)
}
