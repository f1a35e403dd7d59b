package chat

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/opt"
	"github.com/ombud/ombud/internal/ticket"
)

// declineMemory is how long an agent who declined (or let expire) an offer
// is passed over for that conversation; after it, a chat nobody took goes
// round again.
const declineMemory = 2 * time.Minute

// offerTarget names who a transfer goes to (zero: whoever is free).
type offerTarget struct {
	AgentID int64
	Note    string
	From    int64
}

// load is an agent's active chats plus pending offers: what counts against
// their capacity.
const load = `((SELECT COUNT(*) FROM chat_conversations lc WHERE lc.agent_id = a.id AND lc.state = 'active') +
	(SELECT COUNT(*) FROM chat_offers lo WHERE lo.agent_id = a.id AND lo.state = 'pending'))`

// limit is an agent's capacity: their own max_chats, or the default.
const limit = `COALESCE((SELECT l.max_chats FROM chat_agent_limits l WHERE l.agent_id = a.id), ?)`

// skilled narrows the agents to those with the chat skill who speak the
// chat's language (an agent with no language:xx skill speaks any); "" when
// the settings do not match skills. lang "" (no conversation yet) checks
// the chat skill only.
func skilled(st Settings, lang string) (string, []any) {
	if !st.MatchSkills {
		return "", nil
	}
	cond := ` AND EXISTS (SELECT 1 FROM agent_skills s WHERE s.agent_id = a.id AND s.skill = 'channel:chat')`
	if lang == "" {
		return cond, nil
	}
	return cond + ` AND (NOT EXISTS (SELECT 1 FROM agent_skills s WHERE s.agent_id = a.id AND s.skill LIKE 'language:%')
		OR EXISTS (SELECT 1 FROM agent_skills s WHERE s.agent_id = a.id AND s.skill = ?))`, []any{"language:" + lang}
}

// pickAgent chooses who to offer conversation convID (0: any) to: an
// active, online agent of the team (if any) with room under their
// max_chats, with the chat skill and language when the settings ask for
// skills, not one who turned this conversation down lately; the least
// loaded first, then whoever waited longest for an offer. 0 when nobody is
// free.
func pickAgent(ctx context.Context, q db.Querier, st Settings, c *Conversation, now time.Time) (int64, error) {
	team, convID, lang := st.TeamID, int64(0), ""
	if c != nil {
		team, convID, lang = c.TeamID, c.ID, c.Language
	}
	skillCond, skillArgs := skilled(st, lang)
	args := append([]any{team, team, convID, db.Millis(now.Add(-declineMemory))}, skillArgs...)
	args = append(args, st.MaxChats)
	var id int64
	err := q.QueryRowContext(ctx, `SELECT a.id FROM agents a
		WHERE a.active AND a.availability = 'online' AND a.role IN ('admin', 'manager', 'agent')
		AND (? = 0 OR a.id IN (SELECT agent_id FROM team_members WHERE team_id = ?))
		AND a.id NOT IN (SELECT agent_id FROM chat_offers WHERE conversation_id = ? AND state IN ('declined', 'expired') AND answered_at > ?)`+skillCond+`
		AND `+load+` < `+limit+`
		ORDER BY `+load+`, COALESCE((SELECT MAX(offered_at) FROM chat_offers mo WHERE mo.agent_id = a.id), 0), a.id
		LIMIT 1`, args...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("chat: pick agent: %w", err)
	}
	return id, nil
}

// offerNext offers c to the next agent unless an offer is pending. The
// caller holds c's lock (lock), so two instances never both offer it; on
// PostgreSQL the chosen agent's row is locked too and their load counted
// again, so two conversations never both take an agent's last slot.
func (s *Service) offerNext(ctx context.Context, tx *db.Tx, c Conversation, st Settings, to offerTarget) (int64, error) {
	var pending int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM chat_offers WHERE conversation_id = ? AND state = 'pending'`, c.ID).Scan(&pending); err != nil {
		return 0, fmt.Errorf("chat: pending offers: %w", err)
	}
	if pending > 0 || c.State != StateQueued {
		return 0, nil
	}
	now := s.now()
	agentID := to.AgentID
	if agentID == 0 {
		var err error
		if agentID, err = pickAgent(ctx, tx, st, &c, now); err != nil || agentID == 0 {
			return 0, err
		}
		if tx.Dialect() == db.Postgres {
			// Lock first, count in a statement of its own: under READ
			// COMMITTED a statement sees what committed before it began,
			// so a count in the locking statement would miss the offer
			// the lock waited for.
			if _, err := tx.ExecContext(ctx, `SELECT id FROM agents WHERE id = ? FOR UPDATE`, agentID); err != nil {
				return 0, fmt.Errorf("chat: lock agent: %w", err)
			}
			var n, most int
			if err := tx.QueryRowContext(ctx, `SELECT `+load+`, `+limit+` FROM agents a WHERE a.id = ?`, st.MaxChats, agentID).Scan(&n, &most); err != nil {
				return 0, fmt.Errorf("chat: agent load: %w", err)
			}
			if n >= most {
				return 0, nil // taken meanwhile: the sweep tries again
			}
		}
	}
	offerID, err := tx.InsertID(ctx, `INSERT INTO chat_offers (conversation_id, agent_id, state, from_agent_id, note, offered_at, expires_at)
		VALUES (?, ?, 'pending', ?, ?, ?, ?)`, c.ID, agentID, db.NullInt(to.From), to.Note, db.Millis(now),
		db.Millis(now.Add(time.Duration(st.OfferSeconds)*time.Second)))
	if err != nil {
		return 0, fmt.Errorf("chat: offer: %w", err)
	}
	if err := s.tickets.RecordTx(ctx, tx, authz.System, c.TicketID, EvOffered,
		map[string]any{"conversation_id": c.ID, "agent_id": agentID, "offer_id": offerID}); err != nil {
		return 0, err
	}
	s.publish(tx, c.TicketID, "offer", c.LastSeq, agentID)
	return agentID, nil
}

// Offer is a chat offered to the agent, waiting for an answer.
type Offer struct {
	ID             int64     `json:"id"`
	ConversationID int64     `json:"conversation_id"`
	TicketID       int64     `json:"ticket_id"`
	VisitorName    string    `json:"visitor_name"`
	VisitorEmail   string    `json:"visitor_email"`
	Topic          string    `json:"topic"`
	Page           string    `json:"page"`
	Note           string    `json:"note,omitempty"`
	From           string    `json:"from,omitempty"` // who transferred it
	OfferedAt      time.Time `json:"offered_at"`
	ExpiresAt      time.Time `json:"expires_at"`
}

type offerRow struct {
	id, convID, agentID int64
	state               string
	expires             int64
}

func readOffer(ctx context.Context, q db.Querier, id int64) (offerRow, error) {
	var o offerRow
	err := q.QueryRowContext(ctx, `SELECT id, conversation_id, agent_id, state, expires_at FROM chat_offers WHERE id = ?`, id).
		Scan(&o.id, &o.convID, &o.agentID, &o.state, &o.expires)
	if errors.Is(err, sql.ErrNoRows) {
		return offerRow{}, apperr.NotFound("offer", id)
	}
	if err != nil {
		return offerRow{}, fmt.Errorf("chat: offer: %w", err)
	}
	return o, nil
}

// answerable reads the actor's pending offer with its conversation locked.
func (s *Service) answerable(ctx context.Context, tx *db.Tx, actor authz.Actor, offerID int64) (offerRow, Conversation, error) {
	o, err := readOffer(ctx, tx, offerID)
	if err != nil {
		return offerRow{}, Conversation{}, err
	}
	if o.agentID != actor.ID {
		return offerRow{}, Conversation{}, apperr.NotFound("offer", offerID)
	}
	if err := lock(ctx, tx, o.convID, s.now()); err != nil {
		return offerRow{}, Conversation{}, err
	}
	if o, err = readOffer(ctx, tx, offerID); err != nil { // as it stands under the lock
		return offerRow{}, Conversation{}, err
	}
	if o.state != "pending" || o.expires <= db.Millis(s.now()) {
		return offerRow{}, Conversation{}, apperr.Conflict("offer", "this chat is no longer offered to you")
	}
	c, err := convWhere(ctx, tx, `c.id = ?`, o.convID)
	return o, c, err
}

// Accept takes an offered chat: it becomes the agent's, the visitor is
// told, and the ticket is assigned to them.
func (s *Service) Accept(ctx context.Context, actor authz.Actor, offerID int64) (Conversation, error) {
	if err := authz.Check(actor, authz.TicketReply); err != nil {
		return Conversation{}, err
	}
	var c Conversation
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		o, conv, err := s.answerable(ctx, tx, actor, offerID)
		if err != nil {
			return err
		}
		now := db.Millis(s.now())
		if _, err := tx.ExecContext(ctx, `UPDATE chat_offers SET state = 'accepted', answered_at = ? WHERE id = ?`, now, o.id); err != nil {
			return fmt.Errorf("chat: accept: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE chat_conversations SET state = 'active', agent_id = ?, accepted_at = COALESCE(accepted_at, ?) WHERE id = ?`,
			actor.ID, now, conv.ID); err != nil {
			return fmt.Errorf("chat: accept: %w", err)
		}
		if err := s.tickets.RecordTx(ctx, tx, actor, conv.TicketID, EvAccepted,
			map[string]any{"conversation_id": conv.ID, "agent_id": actor.ID, "offer_id": o.id}); err != nil {
			return err
		}
		name, err := agentName(ctx, tx, actor.ID)
		if err != nil {
			return err
		}
		m, err := appendMessage(ctx, tx, conv.ID, Message{Author: AuthorSystem, Kind: KindJoined, AgentName: name, Body: "joined"}, actor.ID, 0, s.now())
		if err != nil {
			return err
		}
		s.publish(tx, conv.TicketID, "message", m.Seq, actor.ID)
		c, err = convWhere(ctx, tx, `c.id = ?`, conv.ID)
		return err
	})
	if err != nil {
		return Conversation{}, err
	}
	if _, err := s.tickets.Update(ctx, actor, c.TicketID, ticket.Patch{AssigneeID: opt.Of(actor.ID)}); err != nil {
		// The chat is the agent's either way; the ticket keeps its assignee.
		s.log.Warn("chat: assign ticket", "ticket", c.TicketID, "err", err)
	}
	return c, nil
}

func agentName(ctx context.Context, q db.Querier, id int64) (string, error) {
	var name string
	if err := q.QueryRowContext(ctx, `SELECT name FROM agents WHERE id = ?`, id).Scan(&name); err != nil {
		return "", fmt.Errorf("chat: agent name: %w", err)
	}
	return name, nil
}

// Decline turns an offer down; the chat is offered to the next agent.
func (s *Service) Decline(ctx context.Context, actor authz.Actor, offerID int64) error {
	if err := authz.Check(actor, authz.TicketReply); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		o, c, err := s.answerable(ctx, tx, actor, offerID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE chat_offers SET state = 'declined', answered_at = ? WHERE id = ?`, db.Millis(s.now()), o.id); err != nil {
			return fmt.Errorf("chat: decline: %w", err)
		}
		if err := s.tickets.RecordTx(ctx, tx, actor, c.TicketID, EvDeclined,
			map[string]any{"conversation_id": c.ID, "agent_id": actor.ID, "offer_id": o.id}); err != nil {
			return err
		}
		st, err := readSettings(ctx, tx)
		if err != nil {
			return err
		}
		_, err = s.offerNext(ctx, tx, c, st, offerTarget{})
		return err
	})
}

// Sweep expires unanswered offers (each a chat_missed event on the
// ticket) and offers waiting chats again; it runs every few seconds on
// whichever instance claims it (jobs.Runner.Every).
func (s *Service) Sweep(ctx context.Context, now time.Time) error {
	// Every overdue offer first, so the agents they held count as free
	// when the waiting chats are offered again below. An offer accepted
	// meanwhile is no longer pending and stays accepted.
	overdue, err := s.ids(ctx, `SELECT DISTINCT conversation_id FROM chat_offers WHERE state = 'pending' AND expires_at <= ? ORDER BY conversation_id LIMIT 200`, db.Millis(now))
	if err != nil {
		return err
	}
	for _, id := range overdue {
		if err := s.db.Write(ctx, func(tx *db.Tx) error {
			if err := lock(ctx, tx, id, now); err != nil {
				return err
			}
			return s.expireTx(ctx, tx, id, now)
		}); err != nil {
			return err
		}
	}
	ids, err := s.ids(ctx, `SELECT c.id FROM chat_conversations c WHERE c.state = 'queued'
		AND NOT EXISTS (SELECT 1 FROM chat_offers o WHERE o.conversation_id = c.id AND o.state = 'pending' AND o.expires_at > ?)
		ORDER BY c.id LIMIT 200`, db.Millis(now))
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := s.db.Write(ctx, func(tx *db.Tx) error {
			if err := lock(ctx, tx, id, now); err != nil {
				return err
			}
			if err := s.expireTx(ctx, tx, id, now); err != nil {
				return err
			}
			c, err := convWhere(ctx, tx, `c.id = ?`, id)
			if err != nil {
				return err
			}
			st, err := readSettings(ctx, tx)
			if err != nil {
				return err
			}
			_, err = s.offerNext(ctx, tx, c, st, offerTarget{})
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}

// ids runs a query of conversation ids.
func (s *Service) ids(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("chat: sweep: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("chat: sweep: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// expireTx expires conversation convID's overdue offer (its lock held),
// recording the miss on the ticket.
func (s *Service) expireTx(ctx context.Context, tx *db.Tx, convID int64, now time.Time) error {
	var offerID, agentID, ticketID int64
	err := tx.QueryRowContext(ctx, `SELECT o.id, o.agent_id, c.ticket_id FROM chat_offers o JOIN chat_conversations c ON c.id = o.conversation_id
		WHERE o.conversation_id = ? AND o.state = 'pending' AND o.expires_at <= ?`, convID, db.Millis(now)).Scan(&offerID, &agentID, &ticketID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("chat: expire offers: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE chat_offers SET state = 'expired', answered_at = ? WHERE id = ?`, db.Millis(now), offerID); err != nil {
		return fmt.Errorf("chat: expire offers: %w", err)
	}
	return s.tickets.RecordTx(ctx, tx, authz.System, ticketID, EvMissed,
		map[string]any{"conversation_id": convID, "agent_id": agentID, "offer_id": offerID})
}

// mine reads a conversation the actor may work on: their own active chat,
// or any chat for admins and managers.
func (s *Service) mine(ctx context.Context, tx *db.Tx, actor authz.Actor, convID int64) (Conversation, error) {
	c, err := convWhere(ctx, tx, `c.id = ?`, convID)
	if err != nil {
		return Conversation{}, err
	}
	if c.AgentID != actor.ID && actor.Role != authz.Admin && actor.Role != authz.Manager {
		return Conversation{}, apperr.Forbidden("this chat is another agent's")
	}
	if err := lock(ctx, tx, c.ID, s.now()); err != nil {
		return Conversation{}, err
	}
	return c, nil
}

// AgentSend stores the agent's message (a public reply on the ticket) and
// returns it once committed; a client id seen before returns the stored one.
func (s *Service) AgentSend(ctx context.Context, actor authz.Actor, convID int64, clientID, body string) (Message, error) {
	if err := authz.Check(actor, authz.TicketReply); err != nil {
		return Message{}, err
	}
	if err := checkMessage(clientID, body); err != nil {
		return Message{}, err
	}
	var out Message
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		c, err := s.mine(ctx, tx, actor, convID)
		if err != nil {
			return err
		}
		if m, ok, err := byClientID(ctx, tx, c.ID, "a"+clientID); err != nil || ok {
			out = m
			return err
		}
		if c.State != StateActive {
			return apperr.Conflict("chat", "this chat is not active")
		}
		cm, _, err := s.tickets.CommentTx(ctx, tx, actor, c.TicketID, ticket.CommentInput{Body: body, Channel: "chat"})
		if err != nil {
			return err
		}
		name, err := agentName(ctx, tx, actor.ID)
		if err != nil {
			return err
		}
		// The agent's client ids get a prefix so they never meet the visitor's.
		out, err = appendMessage(ctx, tx, c.ID, Message{Author: AuthorAgent, AgentName: name, ClientID: "a" + clientID, Body: body}, actor.ID, cm.ID, s.now())
		if err != nil {
			return err
		}
		s.publish(tx, c.TicketID, "message", out.Seq, actor.ID)
		return nil
	})
	return out, err
}

// Transfer hands the agent's chat to another agent or a team, with a note
// (an internal note on the ticket): it is offered to them as a new chat.
func (s *Service) Transfer(ctx context.Context, actor authz.Actor, convID, toAgent, toTeam int64, note string) error {
	if err := authz.Check(actor, authz.TicketReply); err != nil {
		return err
	}
	fe := apperr.FieldErrors{}
	note = checkLine(fe, "note", note, 1000, false)
	if (toAgent == 0) == (toTeam == 0) {
		fe.Add("to", "choose an agent or a team")
	}
	if toAgent == actor.ID {
		fe.Add("to", "choose someone else")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		c, err := s.mine(ctx, tx, actor, convID)
		if err != nil {
			return err
		}
		if c.State != StateActive {
			return apperr.Conflict("chat", "only an active chat can be transferred")
		}
		if toAgent != 0 {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM agents WHERE id = ? AND active AND role IN ('admin', 'manager', 'agent')`, toAgent).Scan(&n); err != nil {
				return fmt.Errorf("chat: transfer: %w", err)
			}
			if n == 0 {
				return apperr.InvalidField("to", "no such agent")
			}
		}
		team := c.TeamID
		if toTeam != 0 {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM teams WHERE id = ?`, toTeam).Scan(&n); err != nil {
				return fmt.Errorf("chat: transfer: %w", err)
			}
			if n == 0 {
				return apperr.InvalidField("to", "no such team")
			}
			team = toTeam
		}
		if note != "" {
			f := false
			if _, _, err := s.tickets.CommentTx(ctx, tx, actor, c.TicketID, ticket.CommentInput{Body: note, Public: &f, Channel: "chat"}); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE chat_conversations SET state = 'queued', agent_id = NULL, team_id = ? WHERE id = ?`, db.NullInt(team), c.ID); err != nil {
			return fmt.Errorf("chat: transfer: %w", err)
		}
		if err := s.tickets.RecordTx(ctx, tx, actor, c.TicketID, EvTransferred, map[string]any{"conversation_id": c.ID, "agent_id": c.AgentID,
			"to_agent_id": toAgent, "to_team_id": toTeam}); err != nil {
			return err
		}
		m, err := appendMessage(ctx, tx, c.ID, Message{Author: AuthorSystem, Kind: KindTransferred, Body: "transferred"}, actor.ID, 0, s.now())
		if err != nil {
			return err
		}
		s.publish(tx, c.TicketID, "message", m.Seq, actor.ID)
		c.State, c.AgentID, c.TeamID, c.LastSeq = StateQueued, 0, team, m.Seq
		st, err := readSettings(ctx, tx)
		if err != nil {
			return err
		}
		_, err = s.offerNext(ctx, tx, c, st, offerTarget{AgentID: toAgent, Note: note, From: actor.ID})
		return err
	})
}

// AgentEnd ends the agent's chat.
func (s *Service) AgentEnd(ctx context.Context, actor authz.Actor, convID int64) error {
	if err := authz.Check(actor, authz.TicketReply); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		c, err := s.mine(ctx, tx, actor, convID)
		if err != nil {
			return err
		}
		name, err := agentName(ctx, tx, actor.ID)
		if err != nil {
			return err
		}
		return s.endTx(ctx, tx, c, name, actor)
	})
}

// AgentRead records that the agent has seen the messages up to seq.
func (s *Service) AgentRead(ctx context.Context, actor authz.Actor, convID, seq int64) error {
	if err := authz.Check(actor, authz.TicketReply); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		c, err := s.mine(ctx, tx, actor, convID)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE chat_conversations SET agent_read_seq = ? WHERE id = ? AND agent_read_seq < ? AND last_seq >= ?`, seq, c.ID, seq, seq)
		if err != nil {
			return fmt.Errorf("chat: read mark: %w", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			s.publish(tx, c.TicketID, "read", seq, actor.ID)
		}
		return nil
	})
}

// AgentTyping tells the visitor the agent is typing (or stopped).
func (s *Service) AgentTyping(ctx context.Context, actor authz.Actor, convID int64, typing bool) error {
	if err := authz.Check(actor, authz.TicketReply); err != nil {
		return err
	}
	c, err := convWhere(ctx, s.db, `c.id = ?`, convID)
	if err != nil {
		return err
	}
	if c.AgentID != actor.ID {
		return apperr.Forbidden("this chat is another agent's")
	}
	s.typing(c.TicketID, AuthorAgent, actor.ID, typing)
	return nil
}
