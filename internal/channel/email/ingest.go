package email

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/blocklist"
	"github.com/ombud/ombud/internal/channel/email/message"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/textcheck"
	"github.com/ombud/ombud/internal/ticket"
)

// Inbound is one message as it arrived.
type Inbound struct {
	MailboxID    int64
	Source       string // "smtp", "imap", "api"
	EnvelopeFrom string
	EnvelopeTo   []string
	Raw          []byte
	// ClientIP and Helo are what the SMTP session knows of the connecting
	// client (for SPF and the trusted-MTA check); zero for IMAP.
	ClientIP netip.Addr
	Helo     string
}

// Sender verdicts stored with each inbound message (see mailauth).
const (
	AuthVerified   = "verified"
	AuthUnverified = "unverified"
)

// Outcomes of an inbound message.
const (
	OutcomeNewTicket   = "new_ticket"
	OutcomeFollowUp    = "follow_up" // a reply to a closed ticket opened a new one
	OutcomeReply       = "reply"
	OutcomeAgentReply  = "agent_reply"
	OutcomeBounce      = "bounce"
	OutcomeOwnAddress  = "from_own_address"
	OutcomeRateLimited = "rate_limited"
	OutcomeBlocked     = "blocked_sender" // the sender or their domain is on the block list
	OutcomeUnparseable = "unparseable"
)

// Result is what became of an inbound message.
type Result struct {
	InboundID int64  `json:"inbound_id"`
	State     string `json:"state"` // processed, failed, ignored
	Outcome   string `json:"outcome"`
	Error     string `json:"error,omitempty"`
	TicketID  int64  `json:"ticket_id,omitempty"`
	CommentID int64  `json:"comment_id,omitempty"`
	Duplicate bool   `json:"duplicate,omitempty"`
	// Auth is the sender verdict: verified or unverified ("" when the
	// message names no sender to check).
	Auth string `json:"auth,omitempty"`
}

// Event types the channel appends to a ticket's history.
const (
	EvDeliveryFailed = "email_delivery_failed"
	EvBounced        = "email_bounced"
)

// inlineRawMax is the largest raw message kept in its database row; larger
// ones go to the blob store (fsynced before the row commits).
const inlineRawMax = 256 << 10

// errDuplicate reports a concurrent delivery of a message already stored.
var errDuplicate = errors.New("email: duplicate message")

// Receive stores one inbound message and turns it into a ticket or comment.
// It returns only once the raw message and its outcome are committed; an
// error means nothing was stored and the sender should try again.
func (s *Service) Receive(ctx context.Context, in Inbound) (Result, error) {
	if int64(len(in.Raw)) > s.opts.MaxMessageBytes {
		return Result{}, &apperr.Error{Code: apperr.CodeTooLarge, Message: fmt.Sprintf("the message is larger than %d bytes", s.opts.MaxMessageBytes)}
	}
	h := sha256.Sum256(in.Raw)
	sum := hex.EncodeToString(h[:])
	var inline []byte
	if len(in.Raw) <= inlineRawMax {
		// Stored in the message's row: durable with the same commit.
		inline = in.Raw
	} else if _, _, err := s.blobs.Put(bytes.NewReader(in.Raw), s.opts.MaxMessageBytes); err != nil {
		return Result{}, fmt.Errorf("email: store raw message: %w", err)
	}
	m, perr := message.Parse(in.Raw)
	scrub(m)
	parts, err := s.storeParts(m)
	if err != nil {
		return Result{}, err
	}
	// DNS questions are asked before the transaction: the single writer
	// never waits on the network.
	verdict := s.verify(ctx, in, m)
	msgID := ""
	if m != nil {
		msgID = m.MessageID
	}
	if msgID == "" {
		// Without a Message-ID the content itself identifies the message,
		// so a re-delivery of the same bytes is still recognised.
		msgID = "sha256:" + sum
	}
	var res Result
	var queued bool
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		res, queued = Result{}, false
		var existing Result
		err := tx.QueryRowContext(ctx, `SELECT id, state, outcome, COALESCE(ticket_id, 0), COALESCE(comment_id, 0) FROM inbound_messages
			WHERE mailbox_id = ? AND message_id = ?`, in.MailboxID, msgID).
			Scan(&existing.InboundID, &existing.State, &existing.Outcome, &existing.TicketID, &existing.CommentID)
		if err == nil {
			existing.Duplicate = true
			res = existing
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("email: dedupe: %w", err)
		}
		mb, err := getMailbox(ctx, tx, in.MailboxID)
		if err != nil {
			return err
		}
		o := s.outcome(ctx, tx, mb, in, m, parts, perr, verdict)
		if o.fatal != nil {
			return o.fatal // the database failed: let the sender retry
		}
		queued = o.queued
		row := inboundRow{mailboxID: in.MailboxID, source: in.Source, messageID: msgID, sha: sum, raw: inline, size: len(in.Raw),
			envFrom: in.EnvelopeFrom, envTo: strings.Join(in.EnvelopeTo, ", "),
			state: o.state, outcome: o.outcome, err: o.err, ticketID: o.ticketID, commentID: o.commentID,
			auth: verdict.state, authDetail: verdict.detail, helo: in.Helo}
		if in.ClientIP.IsValid() {
			row.clientIP = in.ClientIP.String()
		}
		if m != nil {
			row.from, row.subject = m.From.Email, truncate(m.Subject, 500)
		}
		id, err := row.insert(ctx, tx, s.now())
		if db.IsUniqueViolation(err) {
			return errDuplicate
		}
		if err != nil {
			return err
		}
		res = Result{InboundID: id, State: row.state, Outcome: row.outcome, Error: row.err, TicketID: row.ticketID, CommentID: row.commentID, Auth: row.auth}
		return nil
	})
	if errors.Is(err, errDuplicate) {
		return Result{Duplicate: true, State: "processed"}, nil
	}
	if err != nil {
		return Result{}, err
	}
	if queued {
		s.opts.Wake()
	}
	if res.State == "failed" {
		s.log.Warn("inbound mail kept but not processed", "inbound_id", res.InboundID, "error", res.Error)
	}
	return res, nil
}

// outcomeRow is what processing made of a message, for its log row.
type outcomeRow struct {
	processed
	err   string
	fatal error // a database failure: nothing may be committed
}

// outcome processes a parsed message inside a savepoint. A failure caused
// by the message is kept as the row's error; a database failure is fatal.
func (s *Service) outcome(ctx context.Context, tx *db.Tx, mb Mailbox, in Inbound, m *message.Message, parts []storedPart, perr error, v verdict) outcomeRow {
	// A message that failed to parse and names no sender is not trusted to
	// become a ticket (the envelope sender of garbage proves little).
	if m == nil || (perr != nil && m.From.Email == "") {
		if perr == nil {
			perr = errors.New("no message")
		}
		return outcomeRow{processed: processed{state: "failed", outcome: OutcomeUnparseable}, err: perr.Error()}
	}
	var out processed
	err := tx.Savepoint(ctx, "ingest", func() error {
		var err error
		out, err = s.process(ctx, tx, mb, in, m, parts, v)
		return err
	})
	switch {
	case err == nil:
		o := outcomeRow{processed: out}
		if perr != nil {
			o.err = "parsed with problems: " + perr.Error()
		}
		return o
	case !isDataError(err):
		return outcomeRow{fatal: err}
	default:
		return outcomeRow{processed: processed{state: "failed"}, err: err.Error()}
	}
}

// isDataError tells an error caused by the message's content (kept as a
// failed message) from one of the database (retried).
func isDataError(err error) bool {
	var ae *apperr.Error
	return errors.As(err, &ae) && ae.Code != apperr.CodeInternal
}

type inboundRow struct {
	mailboxID              int64
	source, messageID, sha string
	raw                    []byte // nil when the message is in the blob store
	size                   int
	envFrom, envTo         string
	from, subject          string
	state, outcome, err    string
	ticketID, commentID    int64
	auth, authDetail       string
	clientIP, helo         string
}

func (r inboundRow) insert(ctx context.Context, tx *db.Tx, now interface{ UnixMilli() int64 }) (int64, error) {
	ms := now.UnixMilli()
	return tx.InsertID(ctx, `INSERT INTO inbound_messages (mailbox_id, source, message_id, sha256, raw, size, envelope_from, envelope_to,
		from_address, subject, state, outcome, error, ticket_id, comment_id, received_at, processed_at, auth, auth_detail, client_ip, helo)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.mailboxID, r.source, truncate(r.messageID, 900), r.sha, r.raw, r.size, truncate(r.envFrom, 500), truncate(r.envTo, 2000), truncate(r.from, 500), r.subject,
		r.state, r.outcome, truncate(r.err, 2000), db.NullInt(r.ticketID), db.NullInt(r.commentID), ms, ms,
		r.auth, truncate(r.authDetail, 500), truncate(r.clientIP, 64), truncate(r.helo, 255))
}

// storedPart is an attachment already in the blob store.
type storedPart struct {
	a ticket.Attachment
}

// storeParts puts attachments in the blob store before the transaction, so
// the single writer never waits on file I/O.
func (s *Service) storeParts(m *message.Message) ([]storedPart, error) {
	if m == nil {
		return nil, nil
	}
	out := make([]storedPart, 0, len(m.Attachments))
	for _, a := range m.Attachments {
		if int64(len(a.Data)) > ticket.MaxAttachment {
			continue // kept in the raw message; too large to show on its own
		}
		sum, size, err := s.blobs.Put(bytes.NewReader(a.Data), ticket.MaxAttachment)
		if err != nil {
			return nil, fmt.Errorf("email: store attachment: %w", err)
		}
		cid := ""
		if a.Inline || a.ContentID != "" {
			cid = a.ContentID
		}
		out = append(out, storedPart{a: ticket.Attachment{Filename: a.Filename, ContentType: a.ContentType, Size: size, SHA256: sum, InlineCID: cid}})
	}
	return out, nil
}

type processed struct {
	state, outcome      string
	ticketID, commentID int64
	queued              bool
}

// process decides what an inbound message is and writes it. It runs inside
// a savepoint: an error undoes its writes, and the message is kept as failed.
func (s *Service) process(ctx context.Context, tx *db.Tx, mb Mailbox, in Inbound, m *message.Message, parts []storedPart, v verdict) (processed, error) {
	sender := m.From
	if sender.Email == "" {
		sender.Email = strings.ToLower(in.EnvelopeFrom)
	}
	if m.Bounce != nil || (in.EnvelopeFrom == "" && m.Bounce != nil) {
		return s.bounce(ctx, tx, m)
	}
	if sender.Email == "" {
		return processed{}, apperr.InvalidField("from", "the message names no sender")
	}
	if own, err := s.isOwnAddress(ctx, tx, sender.Email); err != nil {
		return processed{}, err
	} else if own {
		// Mail from one of our own addresses is a loop (or spoofed): keep, don't act.
		return processed{state: "ignored", outcome: OutcomeOwnAddress}, nil
	}
	if blocked, err := blocklist.Blocked(ctx, tx, sender.Email); err != nil {
		return processed{}, err
	} else if blocked {
		// Kept in the mail log: unblocking and processing it again makes
		// its ticket after all.
		return processed{state: "ignored", outcome: OutcomeBlocked}, nil
	}
	// Only a verified From address is trusted: mail that merely claims an
	// agent's address is a customer message (flagged), and an unverified
	// sender reaches a ticket only by answering a Message-ID of its mail.
	verified := v.verifies(sender.Email)
	limited, err := s.senderLimited(ctx, tx, sender.Email, verified)
	if err != nil {
		return processed{}, err
	}
	if limited {
		return processed{state: "ignored", outcome: OutcomeRateLimited}, nil
	}
	agentActor, _, isAgent, err := s.people.AgentByEmail(ctx, tx, sender.Email)
	if err != nil {
		return processed{}, err
	}
	isAgent = isAgent && verified
	ticketID, err := s.thread(ctx, tx, mb, in, m, sender.Email, isAgent, verified)
	if err != nil {
		return processed{}, err
	}
	var ccAgents []int64
	var ccCustomers []string
	if verified {
		// Unverified mail changes nobody's part in a ticket: no followers,
		// no addresses copied on the replies.
		ccAgents, ccCustomers, err = s.splitCopies(ctx, tx, m, sender.Email)
		if err != nil {
			return processed{}, err
		}
	}
	followUp := false
	if ticketID != 0 {
		t, err := s.tickets.GetTx(ctx, tx, ticketID)
		if err != nil {
			return processed{}, err
		}
		if t.Status == ticket.StatusClosed {
			followUp, ticketID = true, 0
		}
	}
	attIDs := make([]int64, 0, len(parts))
	cids := map[string]int64{}
	for _, p := range parts {
		a, err := s.tickets.AttachTx(ctx, tx, p.a)
		if err != nil {
			return processed{}, err
		}
		attIDs = append(attIDs, a.ID)
		if a.InlineCID != "" {
			cids[a.InlineCID] = a.ID
		}
	}
	if len(cids) > 0 {
		mc := *m
		mc.HTML = inlineImages(m.HTML, cids)
		m = &mc
	}
	var out processed
	if ticketID == 0 {
		out, err = s.newTicket(ctx, tx, mb, m, sender, agentActor, isAgent, ccAgents, attIDs)
		if followUp && out.outcome == OutcomeNewTicket {
			out.outcome = OutcomeFollowUp
		}
	} else {
		out, err = s.reply(ctx, tx, ticketID, m, sender, agentActor, isAgent, ccAgents, attIDs)
	}
	if err != nil {
		return processed{}, err
	}
	if err := s.rememberThread(ctx, tx, out.ticketID, out.commentID, m.MessageID, "in"); err != nil {
		return processed{}, err
	}
	if err := s.addCopies(ctx, tx, out.ticketID, mb.ID, ccCustomers); err != nil {
		return processed{}, err
	}
	return out, nil
}

func (s *Service) newTicket(ctx context.Context, tx *db.Tx, mb Mailbox, m *message.Message, sender message.Address, agentActor authz.Actor, isAgent bool, ccAgents []int64, attIDs []int64) (processed, error) {
	subject := strings.TrimSpace(message.StripReplyPrefixes(m.Subject))
	if subject == "" {
		subject = strings.TrimSpace(m.Subject)
	}
	if subject == "" {
		subject = "(no subject)"
	}
	in := ticket.CreateInput{
		Subject:         truncate(subject, ticket.MaxSubject),
		Description:     bodyText(m.Text, m.HTML, false),
		DescriptionHTML: truncate(m.HTML, ticket.MaxBody),
		Requester:       &ticket.RequesterInput{Email: sender.Email, Name: sender.Name},
		Priority:        "normal",
		Type:            "question",
		Channel:         "email",
		TeamID:          mb.TeamID,
		FollowerIDs:     ccAgents,
		AttachmentIDs:   attIDs,
	}
	if m.AutoSubmitted {
		in.Tags = []string{"auto-submitted"}
		in.AutoSubmitted = true
	}
	actor := authz.Actor{Kind: authz.KindCustomer}
	if isAgent {
		// An agent writing to a customer with the support address copied
		// opens a ticket for that customer; writing only to support, the
		// agent is the requester (an internal request).
		if c := firstCustomer(m, mb, sender.Email); c.Email != "" {
			in.Requester = &ticket.RequesterInput{Email: c.Email, Name: c.Name}
			actor = agentActor
			in.Channel = "email"
		}
	}
	t, err := s.tickets.CreateTx(ctx, tx, actor, in)
	if err != nil {
		return processed{}, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO email_tickets (ticket_id, mailbox_id, cc) VALUES (?, ?, '[]')`, t.ID, mb.ID); err != nil {
		return processed{}, fmt.Errorf("email: link ticket %d: %w", t.ID, err)
	}
	var commentID int64
	if err := tx.QueryRowContext(ctx, `SELECT MIN(id) FROM comments WHERE ticket_id = ?`, t.ID).Scan(&commentID); err != nil {
		return processed{}, fmt.Errorf("email: first comment: %w", err)
	}
	return processed{state: "processed", outcome: OutcomeNewTicket, ticketID: t.ID, commentID: commentID}, nil
}

func (s *Service) reply(ctx context.Context, tx *db.Tx, ticketID int64, m *message.Message, sender message.Address, agentActor authz.Actor, isAgent bool, ccAgents []int64, attIDs []int64) (processed, error) {
	in := ticket.CommentInput{
		Body:          bodyText(m.Text, m.HTML, true),
		HTML:          truncate(message.ExtractReplyHTML(m.HTML), ticket.MaxBody),
		Channel:       "email",
		AttachmentIDs: attIDs,
		// An automatic reply (out of office) is recorded but changes nothing.
		Exact:         m.AutoSubmitted,
		AutoSubmitted: m.AutoSubmitted,
	}
	actor := agentActor
	outcome := OutcomeAgentReply
	if isAgent {
		t, err := s.tickets.GetTx(ctx, tx, ticketID)
		if err != nil {
			return processed{}, err
		}
		// When the agent wrote to the customer directly, the customer has
		// the reply already; Ombud records it without sending it again.
		_, reqEmail, err := s.people.CustomerEmail(ctx, tx, t.RequesterID)
		if err != nil {
			return processed{}, err
		}
		in.NoDelivery = reqEmail != "" && addressed(m, reqEmail)
	} else {
		cid, err := s.people.ResolveCustomer(ctx, tx, sender.Email, sender.Name)
		if err != nil {
			return processed{}, err
		}
		actor = authz.Actor{Kind: authz.KindCustomer, ID: cid}
		in.CustomerID = cid
		outcome = OutcomeReply
	}
	c, _, err := s.tickets.CommentTx(ctx, tx, actor, ticketID, in)
	if err != nil {
		return processed{}, err
	}
	if len(ccAgents) > 0 {
		if err := s.tickets.FollowTx(ctx, tx, actor, ticketID, ccAgents); err != nil {
			return processed{}, err
		}
	}
	return processed{state: "processed", outcome: outcome, ticketID: ticketID, commentID: c.ID, queued: isAgent && !in.NoDelivery}, nil
}

// cidRE matches a cid: URL in an HTML attribute value.
var cidRE = regexp.MustCompile(`(?i)\bcid:([^"'\s>]+)`)

// inlineImages points cid: references (images sent inside the message) at
// the stored attachments, so they show in place.
func inlineImages(html string, cids map[string]int64) string {
	return cidRE.ReplaceAllStringFunc(html, func(ref string) string {
		cid := ref[4:]
		if u, err := url.PathUnescape(cid); err == nil {
			cid = u
		}
		if id, ok := cids[cid]; ok {
			return "/api/v1/attachments/" + strconv.FormatInt(id, 10)
		}
		return ref
	})
}

// bodyText picks the comment text (Parse already turned HTML-only mail
// into text); for replies only the new part.
func bodyText(text, html string, reply bool) string {
	if reply {
		text = message.ExtractReply(text)
	}
	text = strings.TrimSpace(text)
	if text == "" && strings.TrimSpace(html) == "" {
		text = "(empty message)"
	}
	return truncate(text, ticket.MaxBody)
}

// thread finds the ticket a message belongs to: by the Message-IDs it
// answers, then by the [#id] token in its subject, then by a plus-addressed
// recipient (support+t123@…). A token or tag is trusted only from a
// verified sender already on the ticket, so neither a guessed number nor a
// forged From address reaches another customer's conversation. Our own
// Message-IDs carry a random part, so answering one shows the sender saw
// the mail.
func (s *Service) thread(ctx context.Context, tx *db.Tx, mb Mailbox, in Inbound, m *message.Message, sender string, isAgent, verified bool) (int64, error) {
	ids := slices.Clone(m.InReplyTo)
	for i := len(m.References) - 1; i >= 0; i-- {
		ids = append(ids, m.References[i])
	}
	for _, id := range ids {
		if !verified && guessableID.MatchString(id) {
			continue // sent before Message-IDs had a random part
		}
		var t int64
		err := tx.QueryRowContext(ctx, `SELECT ticket_id FROM email_threads WHERE message_id = ?`, id).Scan(&t)
		if err == nil {
			return s.resolveMerged(ctx, tx, t)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("email: thread lookup: %w", err)
		}
	}
	if !verified {
		return 0, nil
	}
	candidates := []int64{}
	if t := message.TicketToken(m.Subject); t != 0 {
		candidates = append(candidates, t)
	}
	rcpts := append(slices.Clone(in.EnvelopeTo), m.DeliveredTo...)
	for _, a := range append(m.To, m.Cc...) {
		rcpts = append(rcpts, a.Email)
	}
	for _, r := range rcpts {
		r = strings.ToLower(r)
		if baseAddress(r) == r {
			continue
		}
		tag := message.PlusTag(r)
		if len(tag) > 1 && tag[0] == 't' {
			if n, err := strconv.ParseInt(tag[1:], 10, 64); err == nil && n > 0 {
				candidates = append(candidates, n)
			}
		}
	}
	for _, t := range candidates {
		t, err := s.resolveMerged(ctx, tx, t)
		if err != nil || t == 0 {
			continue
		}
		ok, err := s.participant(ctx, tx, t, sender, isAgent)
		if err != nil {
			return 0, err
		}
		if ok {
			return t, nil
		}
	}
	return 0, nil
}

// resolveMerged follows merge pointers; 0 when the ticket does not exist.
func (s *Service) resolveMerged(ctx context.Context, tx *db.Tx, id int64) (int64, error) {
	for range 10 {
		var into sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT merged_into_id FROM tickets WHERE id = ?`, id).Scan(&into)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, nil
		}
		if err != nil {
			return 0, fmt.Errorf("email: ticket %d: %w", id, err)
		}
		if !into.Valid {
			return id, nil
		}
		id = into.Int64
	}
	return id, nil
}

// participant reports whether sender may add to ticket t: an agent, the
// requester, or someone copied on its mail.
func (s *Service) participant(ctx context.Context, tx *db.Tx, t int64, sender string, isAgent bool) (bool, error) {
	if isAgent {
		return true, nil
	}
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets t JOIN customer_identities i ON i.customer_id = t.requester_id
		WHERE t.id = ? AND i.type = 'email' AND i.value = ?`, t, sender).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("email: requester check: %w", err)
	}
	if n > 0 {
		return true, nil
	}
	cc, err := s.copies(ctx, tx, t)
	if err != nil {
		return false, err
	}
	return slices.Contains(cc, sender), nil
}

func (s *Service) copies(ctx context.Context, q db.Querier, t int64) ([]string, error) {
	var raw string
	err := q.QueryRowContext(ctx, `SELECT cc FROM email_tickets WHERE ticket_id = ?`, t).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("email: copies of %d: %w", t, err)
	}
	var cc []string
	_ = json.Unmarshal([]byte(raw), &cc)
	return cc, nil
}

// splitCopies sorts the message's other recipients into agents (who become
// followers) and customers (copied on later replies); our own addresses and
// the sender are left out.
func (s *Service) splitCopies(ctx context.Context, tx *db.Tx, m *message.Message, sender string) ([]int64, []string, error) {
	var agents []int64
	var customers []string
	for _, a := range append(slices.Clone(m.To), m.Cc...) {
		e := strings.ToLower(a.Email)
		if e == "" || e == sender {
			continue
		}
		own, err := s.isOwnAddress(ctx, tx, e)
		if err != nil {
			return nil, nil, err
		}
		if own {
			continue
		}
		actor, _, ok, err := s.people.AgentByEmail(ctx, tx, e)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			if !slices.Contains(agents, actor.ID) {
				agents = append(agents, actor.ID)
			}
			continue
		}
		// Only Cc'd customers are copied; other To recipients of a
		// customer's mail are usually the customer's own colleagues who
		// were addressed, and they are copied too.
		if !slices.Contains(customers, e) && len(customers) < 20 {
			customers = append(customers, e)
		}
	}
	return agents, customers, nil
}

// addCopies adds customers to the addresses copied on a ticket's replies,
// leaving out the requester.
func (s *Service) addCopies(ctx context.Context, tx *db.Tx, t, mailboxID int64, add []string) error {
	cur, err := s.copies(ctx, tx, t)
	if err != nil {
		return err
	}
	var reqID int64
	if err := tx.QueryRowContext(ctx, `SELECT requester_id FROM tickets WHERE id = ?`, t).Scan(&reqID); err != nil {
		return fmt.Errorf("email: requester of %d: %w", t, err)
	}
	_, reqEmail, err := s.people.CustomerEmail(ctx, tx, reqID)
	if err != nil {
		return err
	}
	changed := false
	for _, a := range add {
		if a != reqEmail && !slices.Contains(cur, a) && len(cur) < 20 {
			cur = append(cur, a)
			changed = true
		}
	}
	if !changed {
		_, err := tx.ExecContext(ctx, `INSERT INTO email_tickets (ticket_id, mailbox_id, cc) VALUES (?, ?, '[]') ON CONFLICT (ticket_id) DO NOTHING`, t, mailboxID)
		if err != nil {
			return fmt.Errorf("email: link ticket %d: %w", t, err)
		}
		return nil
	}
	b, _ := json.Marshal(cur)
	_, err = tx.ExecContext(ctx, `INSERT INTO email_tickets (ticket_id, mailbox_id, cc) VALUES (?, ?, ?)
		ON CONFLICT (ticket_id) DO UPDATE SET cc = excluded.cc`, t, mailboxID, string(b))
	if err != nil {
		return fmt.Errorf("email: save copies of %d: %w", t, err)
	}
	return nil
}

func (s *Service) rememberThread(ctx context.Context, tx *db.Tx, ticketID, commentID int64, messageID, dir string) error {
	if messageID == "" || ticketID == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO email_threads (message_id, ticket_id, comment_id, direction) VALUES (?, ?, ?, ?)
		ON CONFLICT (message_id) DO NOTHING`, truncate(messageID, 900), ticketID, db.NullInt(commentID), dir)
	if err != nil {
		return fmt.Errorf("email: remember thread: %w", err)
	}
	return nil
}

func (s *Service) isOwnAddress(ctx context.Context, q db.Querier, addr string) (bool, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM mailbox_addresses WHERE address = ?`, baseAddress(addr)).Scan(&n); err != nil {
		return false, fmt.Errorf("email: own address: %w", err)
	}
	return n > 0, nil
}

// senderLimited reports whether sender has sent more than the hourly limit:
// a mail loop with a system that ignores Auto-Submitted, or a flood.
// Verified and unverified mail are counted apart, so a flood of mail
// forged in someone's name does not get their own mail ignored.
func (s *Service) senderLimited(ctx context.Context, q db.Querier, sender string, verified bool) (bool, error) {
	since := s.now().Add(-time.Hour).UnixMilli()
	cond := `auth <> 'verified'`
	if verified {
		cond = `auth = 'verified'`
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM inbound_messages WHERE from_address = ? AND received_at > ? AND `+cond, sender, since).Scan(&n); err != nil {
		return false, fmt.Errorf("email: sender rate: %w", err)
	}
	return n >= s.opts.SenderLimit, nil
}

// bounce attaches a delivery failure report to the ticket whose mail
// bounced, instead of opening a ticket for the mailer daemon.
func (s *Service) bounce(ctx context.Context, tx *db.Tx, m *message.Message) (processed, error) {
	b := m.Bounce
	var t, comment int64
	if b.OriginalMessageID != "" {
		err := tx.QueryRowContext(ctx, `SELECT ticket_id, COALESCE(comment_id, 0) FROM email_threads WHERE message_id = ?`, b.OriginalMessageID).Scan(&t, &comment)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return processed{}, fmt.Errorf("email: bounce lookup: %w", err)
		}
	}
	if t == 0 {
		return processed{state: "ignored", outcome: OutcomeBounce}, nil
	}
	if b.Action == "delivered" || b.Action == "relayed" || b.Action == "expanded" {
		// A success report: the reply reached the recipient's mailbox (or
		// a system that reports no further). Nothing for the history.
		if err := s.dsnTx(ctx, tx, comment, "delivered"); err != nil {
			return processed{}, err
		}
		return processed{state: "processed", outcome: OutcomeBounce, ticketID: t}, nil
	}
	data := map[string]any{"recipients": b.Recipients, "status": b.Status, "action": b.Action, "diagnostic": truncate(b.Diagnostic, 1000),
		"permanent": b.Permanent, "message_id": b.OriginalMessageID, "comment_id": comment}
	if err := s.tickets.RecordTx(ctx, tx, authz.System, t, EvBounced, data); err != nil {
		return processed{}, err
	}
	if !b.Permanent {
		if err := s.dsnTx(ctx, tx, comment, "delayed"); err != nil {
			return processed{}, err
		}
		return processed{state: "processed", outcome: OutcomeBounce, ticketID: t}, nil
	}
	// Returned for good: the reply was not delivered, and says so
	// (delivery.go), once, however many reports come back.
	var outID int64
	var rcpts string
	err := tx.QueryRowContext(ctx, `SELECT id, recipients FROM outbound_emails WHERE comment_id = ? AND state = 'sent'`, comment).Scan(&outID, &rcpts)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return processed{}, fmt.Errorf("email: bounced reply: %w", err)
	}
	if outID != 0 {
		to := b.Recipients
		if len(to) == 0 {
			_ = json.Unmarshal([]byte(rcpts), &to)
		}
		if err := s.failTx(ctx, tx, failure{outboundID: outID, commentID: comment, messageID: b.OriginalMessageID, recipients: to,
			reason: ReasonBounced, dsn: "bounced", detail: strings.TrimSpace(b.Status + " " + b.Diagnostic)}); err != nil {
			return processed{}, err
		}
	}
	return processed{state: "processed", outcome: OutcomeBounce, ticketID: t}, nil
}

// firstCustomer returns the first recipient who is neither the sender nor
// one of the mailbox's addresses.
func firstCustomer(m *message.Message, mb Mailbox, sender string) message.Address {
	for _, a := range append(slices.Clone(m.To), m.Cc...) {
		e := strings.ToLower(a.Email)
		if e == "" || e == sender || baseAddress(e) == mb.Address || slices.Contains(mb.Aliases, baseAddress(e)) {
			continue
		}
		return message.Address{Name: a.Name, Email: e}
	}
	return message.Address{}
}

func addressed(m *message.Message, email string) bool {
	for _, a := range append(slices.Clone(m.To), m.Cc...) {
		if strings.EqualFold(a.Email, email) {
			return true
		}
	}
	return false
}

// noNUL makes s storable as text on both engines: valid UTF-8 without NUL
// characters (PostgreSQL refuses both; broken mail has both).
func noNUL(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return s
}

// scrub removes NUL characters from everything ingest stores of m, and
// cleans its subject, names and bodies to the text rule the ticket and
// customer validators apply (internal/textcheck): a customer's mail is
// never refused over a tab or a control character in its subject.
func scrub(m *message.Message) {
	if m == nil {
		return
	}
	addr := func(a *message.Address) { a.Name, a.Email = textcheck.CleanLine(noNUL(a.Name)), noNUL(a.Email) }
	m.MessageID, m.Subject = noNUL(m.MessageID), strings.TrimSpace(textcheck.CleanLine(noNUL(m.Subject)))
	m.Text, m.HTML = textcheck.CleanBody(noNUL(m.Text)), textcheck.CleanBody(noNUL(m.HTML))
	addr(&m.From)
	for _, l := range [][]message.Address{m.To, m.Cc, m.ReplyTo} {
		for i := range l {
			addr(&l[i])
		}
	}
	for i := range m.InReplyTo {
		m.InReplyTo[i] = noNUL(m.InReplyTo[i])
	}
	for i := range m.References {
		m.References[i] = noNUL(m.References[i])
	}
	for i := range m.Attachments {
		a := &m.Attachments[i]
		a.Filename, a.ContentType, a.ContentID = noNUL(a.Filename), noNUL(a.ContentType), noNUL(a.ContentID)
	}
	if m.Bounce != nil {
		m.Bounce.OriginalMessageID, m.Bounce.Diagnostic = noNUL(m.Bounce.OriginalMessageID), noNUL(m.Bounce.Diagnostic)
	}
}

// truncate cuts s to at most n bytes on a rune boundary (and drops NUL).
func truncate(s string, n int) string {
	s = noNUL(s)
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) && len(s) > 0 {
		s = s[:len(s)-1]
	}
	return s
}
