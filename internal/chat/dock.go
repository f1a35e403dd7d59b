package chat

import (
	"context"
	"fmt"
	"time"

	"github.com/ombud/ombud/internal/authz"
)

// DockChat is one of the agent's active chats as the chat dock lists it:
// who, how many of the visitor's messages the agent has not read, and
// whether the visitor waits for an answer (they wrote last).
type DockChat struct {
	ID           int64  `json:"id"`
	TicketID     int64  `json:"ticket_id"`
	VisitorName  string `json:"visitor_name"`
	VisitorEmail string `json:"visitor_email"`
	Topic        string `json:"topic"`
	LastSeq      int64  `json:"last_seq"`
	Unread       int    `json:"unread"`
	Waiting      bool   `json:"waiting"`
}

// Dock is what the chat dock on every agent page shows: the agent's
// pending offers and active chats. Enabled is false (and the lists empty)
// while chat is switched off in the widget settings.
type Dock struct {
	Enabled bool       `json:"enabled"`
	Offers  []Offer    `json:"offers"`
	Chats   []DockChat `json:"chats"`
	Queued  int        `json:"queued"`
	Now     time.Time  `json:"now"`
}

// DockFor returns the agent's dock: the console's offers and chats (same
// permission: ticket.reply) with each chat's unread count and waiting
// state.
func (s *Service) DockFor(ctx context.Context, actor authz.Actor) (Dock, error) {
	if err := authz.Check(actor, authz.TicketReply); err != nil {
		return Dock{}, err
	}
	out := Dock{Offers: []Offer{}, Chats: []DockChat{}, Now: s.now()}
	st, err := readSettings(ctx, s.db)
	if err != nil {
		return Dock{}, err
	}
	if !st.Enabled {
		return out, nil
	}
	c, err := s.consoleWith(ctx, actor, st)
	if err != nil {
		return Dock{}, err
	}
	out.Enabled, out.Offers, out.Queued, out.Now = true, c.Offers, c.Queued, c.Now
	type counts struct {
		unread                 int
		lastVisitor, lastAgent int64
	}
	byID := map[int64]counts{}
	rows, err := s.db.QueryContext(ctx, `SELECT c.id,
		(SELECT COUNT(*) FROM chat_messages m WHERE m.conversation_id = c.id AND m.author = 'visitor' AND m.seq > c.agent_read_seq),
		COALESCE((SELECT MAX(m.seq) FROM chat_messages m WHERE m.conversation_id = c.id AND m.author = 'visitor'), 0),
		COALESCE((SELECT MAX(m.seq) FROM chat_messages m WHERE m.conversation_id = c.id AND m.author = 'agent'), 0)
		FROM chat_conversations c WHERE c.agent_id = ? AND c.state = 'active'`, actor.ID)
	if err != nil {
		return Dock{}, fmt.Errorf("chat: dock: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n counts
		if err := rows.Scan(&id, &n.unread, &n.lastVisitor, &n.lastAgent); err != nil {
			return Dock{}, fmt.Errorf("chat: dock: %w", err)
		}
		byID[id] = n
	}
	if err := rows.Err(); err != nil {
		return Dock{}, fmt.Errorf("chat: dock: %w", err)
	}
	for _, cv := range c.Chats {
		n := byID[cv.ID]
		out.Chats = append(out.Chats, DockChat{ID: cv.ID, TicketID: cv.TicketID, VisitorName: cv.VisitorName, VisitorEmail: cv.VisitorEmail,
			Topic: cv.Topic, LastSeq: cv.LastSeq, Unread: n.unread, Waiting: n.lastVisitor > n.lastAgent})
	}
	return out, nil
}

// Active reports whether the dock has anything to show.
func (d Dock) Active() bool { return len(d.Offers) > 0 || len(d.Chats) > 0 }

// Unread is the agent's unread visitor messages over all chats.
func (d Dock) Unread() int {
	n := 0
	for _, c := range d.Chats {
		n += c.Unread
	}
	return n
}
