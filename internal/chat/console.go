package chat

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// Console is what an agent's chat console shows.
type Console struct {
	Offers []Offer        `json:"offers"`
	Chats  []Conversation `json:"chats"`  // the agent's active chats
	Queued int            `json:"queued"` // chats waiting for anyone
	Now    time.Time      `json:"now"`
	Max    int            `json:"max_chats"`
}

// ConsoleFor returns the agent's offers and chats. It also expires the
// agent's own overdue offers (the sweep does the same for everyone), so
// an offer never shows past its time.
func (s *Service) ConsoleFor(ctx context.Context, actor authz.Actor) (Console, error) {
	if err := authz.Check(actor, authz.TicketReply); err != nil {
		return Console{}, err
	}
	st, err := readSettings(ctx, s.db)
	if err != nil {
		return Console{}, err
	}
	return s.consoleWith(ctx, actor, st)
}

// consoleWith is ConsoleFor with the settings already read.
func (s *Service) consoleWith(ctx context.Context, actor authz.Actor, st Settings) (Console, error) {
	if err := readLimits(ctx, s.db, &st); err != nil {
		return Console{}, err
	}
	now := s.now()
	out := Console{Offers: []Offer{}, Chats: []Conversation{}, Now: now, Max: st.MaxFor(actor.ID)}
	rows, err := s.db.QueryContext(ctx, `SELECT o.id, o.conversation_id, c.ticket_id, c.visitor_name, c.visitor_email, c.topic, c.current_page,
		o.note, COALESCE(f.name, ''), o.offered_at, o.expires_at
		FROM chat_offers o JOIN chat_conversations c ON c.id = o.conversation_id LEFT JOIN agents f ON f.id = o.from_agent_id
		WHERE o.agent_id = ? AND o.state = 'pending' AND o.expires_at > ? ORDER BY o.id`, actor.ID, db.Millis(now))
	if err != nil {
		return Console{}, fmt.Errorf("chat: offers: %w", err)
	}
	for rows.Next() {
		var o Offer
		var at, exp int64
		if err := rows.Scan(&o.ID, &o.ConversationID, &o.TicketID, &o.VisitorName, &o.VisitorEmail, &o.Topic, &o.Page, &o.Note, &o.From, &at, &exp); err != nil {
			rows.Close()
			return Console{}, fmt.Errorf("chat: offers: %w", err)
		}
		o.OfferedAt, o.ExpiresAt = db.Time(at), db.Time(exp)
		out.Offers = append(out.Offers, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Console{}, fmt.Errorf("chat: offers: %w", err)
	}
	rows, err = s.db.QueryContext(ctx, `SELECT `+convCols+convFrom+`WHERE c.agent_id = ? AND c.state = 'active' ORDER BY c.id`, actor.ID)
	if err != nil {
		return Console{}, fmt.Errorf("chat: chats: %w", err)
	}
	for rows.Next() {
		c, err := scanConv(rows)
		if err != nil {
			rows.Close()
			return Console{}, fmt.Errorf("chat: chats: %w", err)
		}
		out.Chats = append(out.Chats, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Console{}, fmt.Errorf("chat: chats: %w", err)
	}
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM chat_conversations WHERE state = 'queued'`).Scan(&out.Queued); err != nil {
		return Console{}, fmt.Errorf("chat: queue: %w", err)
	}
	return out, nil
}

// PastTicket is one of the visitor's earlier tickets.
type PastTicket struct {
	ID        int64     `json:"id"`
	Subject   string    `json:"subject"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

// ChatView is one conversation in the console: the visitor, the messages
// after a sequence, and the visitor's earlier tickets.
type ChatView struct {
	Conversation Conversation `json:"conversation"`
	Messages     []Message    `json:"messages"`
	Previous     []PastTicket `json:"previous_tickets"`
}

// View returns a conversation for an agent (anyone who may read tickets).
func (s *Service) View(ctx context.Context, actor authz.Actor, convID, after int64) (ChatView, error) {
	if err := authz.Check(actor, authz.TicketRead); err != nil {
		return ChatView{}, err
	}
	c, err := convWhere(ctx, s.db, `c.id = ?`, convID)
	if err != nil {
		return ChatView{}, err
	}
	ms, err := messages(ctx, s.db, c.ID, max(after, 0), 1000)
	if err != nil {
		return ChatView{}, err
	}
	out := ChatView{Conversation: c, Messages: ms, Previous: []PastTicket{}}
	rows, err := s.db.QueryContext(ctx, `SELECT id, subject, status, created_at FROM tickets WHERE requester_id = ? AND id <> ? ORDER BY id DESC LIMIT 10`,
		c.CustomerID, c.TicketID)
	if err != nil {
		return ChatView{}, fmt.Errorf("chat: previous tickets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p PastTicket
		var at int64
		if err := rows.Scan(&p.ID, &p.Subject, &p.Status, &at); err != nil {
			return ChatView{}, fmt.Errorf("chat: previous tickets: %w", err)
		}
		p.CreatedAt = db.Time(at)
		out.Previous = append(out.Previous, p)
	}
	return out, rows.Err()
}

// ByTicket returns the conversation of a chat ticket (for listeners that
// heard of a change by ticket id).
func (s *Service) ByTicket(ctx context.Context, ticketID int64) (Conversation, error) {
	return convWhere(ctx, s.db, `c.ticket_id = ?`, ticketID)
}

// visitorLines is how many of the visitor's latest messages the composer's
// knowledge suggestions read.
const visitorLines = 3

// VisitorText returns a conversation and what its visitor asked lately:
// the topic and their last few messages, newest last (anyone who may read
// tickets). The console suggests knowledge articles from it.
func (s *Service) VisitorText(ctx context.Context, actor authz.Actor, convID int64) (Conversation, string, error) {
	if err := authz.Check(actor, authz.TicketRead); err != nil {
		return Conversation{}, "", err
	}
	c, err := convWhere(ctx, s.db, `c.id = ?`, convID)
	if err != nil {
		return Conversation{}, "", err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT body FROM chat_messages WHERE conversation_id = ? AND author = ? AND body <> ''
		ORDER BY seq DESC LIMIT ?`, c.ID, AuthorVisitor, visitorLines)
	if err != nil {
		return Conversation{}, "", fmt.Errorf("chat: visitor text: %w", err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var b string
		if err := rows.Scan(&b); err != nil {
			return Conversation{}, "", fmt.Errorf("chat: visitor text: %w", err)
		}
		lines = append([]string{b}, lines...)
	}
	if err := rows.Err(); err != nil {
		return Conversation{}, "", fmt.Errorf("chat: visitor text: %w", err)
	}
	return c, strings.Join(append([]string{c.Topic}, lines...), "\n"), nil
}
