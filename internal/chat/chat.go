// Package chat runs live chat: the conversations a website's visitors start
// in the widget, the messages both sides send, and the offers that hand a
// waiting conversation to one agent at a time.
//
// Every conversation is a ticket on the chat channel and every message is
// also one of its comments, so history, SLA clocks, routing and reports see
// chat like any other channel. Beside the ticket this package keeps what
// live chat needs: the visitor's token (only its SHA-256 is stored), a
// per-conversation message sequence the widget resumes from, the client ids
// that make a resent message a no-op (a message is acknowledged only after
// its transaction commits), and the offers.
//
// Changes are announced on the live hub (kind "chat") after commit; the
// hub relays them between instances with PostgreSQL LISTEN/NOTIFY, and
// each listener reads what changed from the database, so a visitor on one
// instance and an agent on another see each other's messages. docs/chat.md
// describes the behaviour.
package chat

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/blob"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/live"
	"github.com/ombud/ombud/internal/ticket"
)

// KindChat is the live event kind for chat changes. Types[0] says what
// changed: message, typing, read, offer, state.
const KindChat = "chat"

// Conversation states.
const (
	StateQueued = "queued" // waiting for an agent
	StateActive = "active" // an agent has it
	StateEnded  = "ended"
)

// Message authors.
const (
	AuthorVisitor = "visitor"
	AuthorAgent   = "agent"
	AuthorSystem  = "system"
)

// System message kinds (the widget words them in the visitor's language).
const (
	KindText        = "text"
	KindJoined      = "joined"      // an agent took the chat
	KindTransferred = "transferred" // the chat went to another agent or team
	KindEnded       = "ended"
)

// Limits.
const (
	MaxBody     = 4000
	MaxName     = 200
	MaxTopic    = 1000
	MaxClientID = 64
	MaxURL      = 2000
	maxPages    = 20
)

// Tickets is what chat needs of the ticket service.
type Tickets interface {
	CreateTx(ctx context.Context, tx *db.Tx, actor authz.Actor, in ticket.CreateInput) (ticket.Ticket, error)
	CommentTx(ctx context.Context, tx *db.Tx, actor authz.Actor, ticketID int64, in ticket.CommentInput) (ticket.Comment, ticket.Ticket, error)
	Update(ctx context.Context, actor authz.Actor, id int64, p ticket.Patch) (ticket.Ticket, error)
	RecordTx(ctx context.Context, tx *db.Tx, actor authz.Actor, ticketID int64, typ string, data map[string]any) error
}

// Ticket events the chat writes into its ticket's log, in the transaction
// of the change; reports derive the chat metrics from them
// (docs/metrics.md). Every one carries conversation_id and agent_id.
const (
	EvOffered     = "chat_offered"     // offered to agent_id (offer_id)
	EvAccepted    = "chat_accepted"    // agent_id took it
	EvDeclined    = "chat_declined"    // agent_id turned the offer down
	EvMissed      = "chat_missed"      // the offer to agent_id timed out
	EvTransferred = "chat_transferred" // agent_id handed it on (to_agent_id or to_team_id)
	EvEnded       = "chat_ended"       // ended by "by" (agent or visitor); agent_id held it (0: nobody)
)

// Mailer queues the transcript email inside the caller's transaction.
type Mailer interface {
	QueueTranscript(ctx context.Context, tx *db.Tx, m Mail) error
}

// Mail is a transcript email.
type Mail struct {
	To, Subject, Text, Key string
	TeamID                 int64
}

// Publisher carries change notices to open widgets and consoles, on this
// instance and (through the hub's relay) the others.
type Publisher interface {
	Publish(e live.Event)
}

// Service runs live chat.
type Service struct {
	db      *db.DB
	now     func() time.Time
	tickets Tickets
	hub     Publisher
	log     *slog.Logger
	// open reports whether the business calendar is open at t (nil: always).
	open   func(t time.Time) bool
	mailer Mailer
	// tr words transcripts in the visitor's language.
	tr func(lang, key string, args ...any) string
	// blobs holds the files of chat messages.
	blobs *blob.Store
	// Timings times the stages of visitors' messages (timing.go).
	Timings *Timings
}

// NewService returns the chat service.
func NewService(d *db.DB, now func() time.Time, tickets Tickets, hub Publisher, log *slog.Logger) *Service {
	return &Service{db: d, now: now, tickets: tickets, hub: hub, log: log, Timings: newTimings(),
		tr: func(_, key string, args ...any) string { return fmt.Sprintf(key, args...) }}
}

// SetBusinessHours sets the business calendar check (sla.Service.OpenNow).
func (s *Service) SetBusinessHours(open func(t time.Time) bool) { s.open = open }

// SetMailer connects transcripts to the email channel.
func (s *Service) SetMailer(m Mailer) { s.mailer = m }

// SetTranslator sets how transcripts are worded per language.
func (s *Service) SetTranslator(tr func(lang, key string, args ...any) string) { s.tr = tr }

// publish announces a change after commit.
func (s *Service) publish(tx *db.Tx, ticketID int64, typ string, seq, agentID int64) {
	if s.hub == nil {
		return
	}
	e := liveEvent(ticketID, typ, seq, agentID, "", "")
	tx.AfterCommit(func() { s.hub.Publish(e) })
}

// liveEvent is a chat notice: what changed (typ) on which conversation's
// ticket; listeners read the change itself from the database.
func liveEvent(ticketID int64, typ string, seq, agentID int64, actorType, state string) live.Event {
	return live.Event{Kind: KindChat, TicketID: ticketID, Types: []string{typ}, Version: seq, AgentID: agentID, ActorType: actorType, State: state}
}

// newToken returns a visitor token and its stored hash.
func newToken() (token, hash string, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", fmt.Errorf("chat: token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, hashToken(token), nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Conversation is one chat as the console and the widget see it.
type Conversation struct {
	ID           int64      `json:"id"`
	TicketID     int64      `json:"ticket_id"`
	CustomerID   int64      `json:"customer_id"`
	State        string     `json:"state"`
	AgentID      int64      `json:"agent_id,omitempty"`
	TeamID       int64      `json:"team_id,omitempty"`
	Language     string     `json:"language"`
	VisitorName  string     `json:"visitor_name"`
	VisitorEmail string     `json:"visitor_email"`
	Topic        string     `json:"topic"`
	Identified   bool       `json:"identified"`
	CurrentPage  string     `json:"current_page"`
	Referrer     string     `json:"referrer"`
	Pages        []string   `json:"pages"`
	LastSeq      int64      `json:"last_seq"`
	VisitorRead  int64      `json:"visitor_read_seq"`
	AgentRead    int64      `json:"agent_read_seq"`
	CreatedAt    time.Time  `json:"created_at"`
	AcceptedAt   *time.Time `json:"accepted_at,omitempty"`
	EndedAt      *time.Time `json:"ended_at,omitempty"`
	AgentName    string     `json:"agent_name,omitempty"`
}

// Message is one line of a conversation.
type Message struct {
	Seq       int64     `json:"seq"`
	Author    string    `json:"author"`
	Kind      string    `json:"kind"`
	AgentName string    `json:"agent_name,omitempty"`
	ClientID  string    `json:"client_id,omitempty"`
	Body      string    `json:"body"`
	File      *File     `json:"file,omitempty"`
	At        time.Time `json:"at"`
}

// msgCols and msgFrom read messages with their file (scanMsg).
const msgCols = `m.seq, m.author, m.kind, m.agent_name, COALESCE(m.client_id, ''), m.body, m.created_at,
	COALESCE(f.id, 0), COALESCE(f.filename, ''), COALESCE(f.content_type, ''), COALESCE(f.size, 0)`

const msgFrom = ` FROM chat_messages m LEFT JOIN attachments f ON f.id = m.attachment_id `

func scanMsg(sc interface{ Scan(...any) error }) (Message, error) {
	var m Message
	var at int64
	var f File
	if err := sc.Scan(&m.Seq, &m.Author, &m.Kind, &m.AgentName, &m.ClientID, &m.Body, &at, &f.ID, &f.Name, &f.Type, &f.Size); err != nil {
		return Message{}, err
	}
	m.At = db.Time(at)
	m.ClientID = senderID(m.ClientID)
	if f.ID != 0 {
		m.File = &f
	}
	return m, nil
}

const convCols = `c.id, c.ticket_id, c.customer_id, c.state, c.agent_id, c.team_id, c.language, c.visitor_name, c.visitor_email,
	c.topic, c.identified, c.current_page, c.referrer, c.pages, c.last_seq, c.visitor_read_seq, c.agent_read_seq,
	c.created_at, c.accepted_at, c.ended_at, COALESCE(a.name, '')`

const convFrom = ` FROM chat_conversations c LEFT JOIN agents a ON a.id = c.agent_id `

func scanConv(sc interface{ Scan(...any) error }) (Conversation, error) {
	var c Conversation
	var agent, team, accepted, ended sql.NullInt64
	var pages string
	var created int64
	if err := sc.Scan(&c.ID, &c.TicketID, &c.CustomerID, &c.State, &agent, &team, &c.Language, &c.VisitorName, &c.VisitorEmail,
		&c.Topic, &c.Identified, &c.CurrentPage, &c.Referrer, &pages, &c.LastSeq, &c.VisitorRead, &c.AgentRead,
		&created, &accepted, &ended, &c.AgentName); err != nil {
		return Conversation{}, err
	}
	c.AgentID, c.TeamID = agent.Int64, team.Int64
	c.CreatedAt = db.Time(created)
	if accepted.Valid {
		t := db.Time(accepted.Int64)
		c.AcceptedAt = &t
	}
	if ended.Valid {
		t := db.Time(ended.Int64)
		c.EndedAt = &t
	}
	c.Pages = decodePages(pages)
	return c, nil
}

// convWhere reads one conversation.
func convWhere(ctx context.Context, q db.Querier, cond string, args ...any) (Conversation, error) {
	c, err := scanConv(q.QueryRowContext(ctx, `SELECT `+convCols+convFrom+`WHERE `+cond, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return Conversation{}, apperr.NotFound("conversation", args[0])
	}
	if err != nil {
		return Conversation{}, fmt.Errorf("chat: read conversation: %w", err)
	}
	return c, nil
}

// byToken finds the visitor's conversation; an unknown token is
// unauthenticated (it names nothing, so it reveals nothing).
func byToken(ctx context.Context, q db.Querier, token string) (Conversation, error) {
	if token == "" || len(token) > 100 {
		return Conversation{}, apperr.Unauthenticated("start a chat first: the visitor token is missing or unknown")
	}
	c, err := convWhere(ctx, q, `c.token_hash = ?`, hashToken(token))
	if apperr.Is(err, apperr.CodeNotFound) {
		return Conversation{}, apperr.Unauthenticated("start a chat first: the visitor token is missing or unknown")
	}
	return c, err
}

// lock serialises writers of one conversation: on PostgreSQL the update
// holds the row until commit (SQLite has one writer anyway).
func lock(ctx context.Context, tx *db.Tx, convID int64, now time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE chat_conversations SET updated_at = ? WHERE id = ?`, db.Millis(now), convID)
	if err != nil {
		return fmt.Errorf("chat: lock conversation: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFound("conversation", convID)
	}
	return nil
}

// messages lists a conversation's messages after seq.
func messages(ctx context.Context, q db.Querier, convID, after int64, limit int) ([]Message, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+msgCols+msgFrom+`WHERE m.conversation_id = ? AND m.seq > ? ORDER BY m.seq LIMIT ?`, convID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("chat: messages: %w", err)
	}
	defer rows.Close()
	out := []Message{}
	for rows.Next() {
		m, err := scanMsg(rows)
		if err != nil {
			return nil, fmt.Errorf("chat: messages: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// senderID strips the stored client id's side prefix (v: visitor, a:
// agent), which keeps one side's ids from ever matching the other's.
func senderID(stored string) string {
	if len(stored) > 1 {
		return stored[1:]
	}
	return stored
}

// appendMessage numbers and stores a message inside tx.
func appendMessage(ctx context.Context, tx *db.Tx, convID int64, m Message, agentID, commentID int64, now time.Time) (Message, error) {
	if err := tx.QueryRowContext(ctx, `UPDATE chat_conversations SET last_seq = last_seq + 1, updated_at = ? WHERE id = ? RETURNING last_seq`,
		db.Millis(now), convID).Scan(&m.Seq); err != nil {
		return Message{}, fmt.Errorf("chat: number message: %w", err)
	}
	m.At = db.Time(db.Millis(now))
	if m.Kind == "" {
		m.Kind = KindText
	}
	stored := m.ClientID
	m.ClientID = senderID(stored)
	if _, err := tx.ExecContext(ctx, `INSERT INTO chat_messages (conversation_id, seq, author, kind, agent_id, agent_name, client_id, body, comment_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, convID, m.Seq, m.Author, m.Kind, db.NullInt(agentID), m.AgentName,
		db.NullString(stored), m.Body, db.NullInt(commentID), db.Millis(now)); err != nil {
		return Message{}, fmt.Errorf("chat: store message: %w", err)
	}
	return m, nil
}

// byClientID finds a message already stored under the sender's client id.
func byClientID(ctx context.Context, q db.Querier, convID int64, clientID string) (Message, bool, error) {
	m, err := scanMsg(q.QueryRowContext(ctx, `SELECT `+msgCols+msgFrom+`WHERE m.conversation_id = ? AND m.client_id = ?`, convID, clientID))
	if errors.Is(err, sql.ErrNoRows) {
		return Message{}, false, nil
	}
	if err != nil {
		return Message{}, false, fmt.Errorf("chat: find message: %w", err)
	}
	return m, true, nil
}
