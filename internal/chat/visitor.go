package chat

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/textcheck"
	"github.com/ombud/ombud/internal/ticket"
)

// Identity is a visitor the host site vouches for, one of two ways: Hash
// is the hex HMAC-SHA256 of Email under the widget's identity secret, or
// JWT is an HS256 token signed with that secret whose claims carry the
// email and name (VerifyJWT).
type Identity struct {
	Email string `json:"email"`
	Name  string `json:"name"`
	Hash  string `json:"hash"`
	JWT   string `json:"jwt"`
}

// Sign returns the identity hash the host site computes for email.
func Sign(secret, email string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(m.Sum(nil))
}

// StartInput is the pre-chat form and where the visitor is.
type StartInput struct {
	Name     string    `json:"name"`
	Email    string    `json:"email"`
	Topic    string    `json:"topic"`
	Language string    `json:"language"`
	Page     string    `json:"page"`
	Referrer string    `json:"referrer"`
	Identity *Identity `json:"identity"`
}

// Started is a new conversation and the visitor's token (shown once).
type Started struct {
	Token        string       `json:"token"`
	Conversation Conversation `json:"conversation"`
}

var clientIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func checkLine(fe apperr.FieldErrors, field, v string, max int, required bool) string {
	v = strings.TrimSpace(v)
	switch {
	case v == "" && required:
		fe.Add(field, "is required")
	case utf8.RuneCountInString(v) > max:
		fe.Add(field, fmt.Sprintf("must be at most %d characters", max))
	case !utf8.ValidString(v):
		fe.Add(field, "must be valid UTF-8")
	}
	return v
}

func checkURL(v string) string {
	v = strings.TrimSpace(v)
	if len(v) > MaxURL || !(strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://")) {
		return ""
	}
	return v
}

// Status says whether the widget can start a chat now.
type Status struct {
	Enabled bool `json:"enabled"`
	Open    bool `json:"open"`      // inside business hours
	Agents  bool `json:"available"` // an agent is online with room for another chat
}

// CanChat reports whether a new chat would reach someone now.
func (st Status) CanChat() bool { return st.Enabled && st.Open && st.Agents }

// Status reports whether chat is open and someone can take a chat.
func (s *Service) Status(ctx context.Context) (Status, error) {
	st, err := readSettings(ctx, s.db)
	if err != nil {
		return Status{}, err
	}
	out := Status{Enabled: st.Enabled, Open: !st.UseHours || s.open == nil || s.open(s.now())}
	id, err := pickAgent(ctx, s.db, st, nil, s.now())
	if err != nil {
		return Status{}, err
	}
	out.Agents = id != 0
	return out, nil
}

// Start opens a conversation: a ticket on the chat channel for the visitor
// (found or created by email), offered to an agent at once.
func (s *Service) Start(ctx context.Context, in StartInput) (Started, error) {
	st, err := readSettings(ctx, s.db)
	if err != nil {
		return Started{}, err
	}
	if !st.Enabled {
		return Started{}, apperr.Conflict("chat", "chat is switched off")
	}
	form, err := readPrechat(ctx, s.db)
	if err != nil {
		return Started{}, err
	}
	pages, err := readPages(ctx, s.db)
	if err != nil {
		return Started{}, err
	}
	if p := checkURL(in.Page); p != "" && !pages.Shown(p) {
		return Started{}, apperr.Conflict("page", "the chat is not offered on this page")
	}
	fe := apperr.FieldErrors{}
	identified := false
	if in.Identity != nil && in.Identity.JWT != "" {
		email, name, err := VerifyJWT(st.IdentitySecret, in.Identity.JWT, s.now())
		if err != nil {
			return Started{}, apperr.Forbidden(err.Error())
		}
		identified = true
		in.Email = email
		if name != "" {
			in.Name = name
		}
	} else if in.Identity != nil && in.Identity.Hash != "" {
		if st.IdentitySecret == "" || !hmac.Equal([]byte(Sign(st.IdentitySecret, in.Identity.Email)), []byte(strings.ToLower(in.Identity.Hash))) {
			return Started{}, apperr.Forbidden("the visitor's identity is not signed with this widget's secret")
		}
		identified = true
		in.Email = in.Identity.Email
		if in.Identity.Name != "" {
			in.Name = in.Identity.Name
		}
	}
	in.Name = checkLine(fe, "name", in.Name, MaxName, false)
	in.Email = strings.TrimSpace(in.Email)
	if in.Email == "" {
		fe.Add("email", "is required")
	} else if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email || len(in.Email) > 254 {
		fe.Add("email", "must be an email address")
	}
	in.Topic = checkLine(fe, "topic", in.Topic, MaxTopic, false)
	if msg := textcheck.Body(in.Topic); msg != "" && in.Topic != "" {
		fe.Add("topic", msg)
	}
	topicTeam := int64(0)
	if _, bad := fe["name"]; !bad {
		if _, bad := fe["topic"]; !bad {
			topicTeam = form.check(fe, &in, identified)
		}
	}
	if !slices.Contains(st.Languages, in.Language) {
		in.Language = st.Languages[0]
	}
	if err := fe.Err(); err != nil {
		return Started{}, err
	}
	in.Page, in.Referrer = checkURL(in.Page), checkURL(in.Referrer)
	token, hash, err := newToken()
	if err != nil {
		return Started{}, err
	}
	team := st.TeamID
	if topicTeam != 0 {
		team = topicTeam
	}
	var out Started
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		now := s.now()
		if team != st.TeamID {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM teams WHERE id = ?`, team).Scan(&n); err != nil {
				return fmt.Errorf("chat: topic team: %w", err)
			}
			if n == 0 { // the topic's team was deleted since
				team = st.TeamID
			}
		}
		subject, description := in.Topic, in.Topic
		if subject == "" {
			subject = s.tr(in.Language, "Live chat")
			description = subject
		}
		if utf8.RuneCountInString(subject) > 80 {
			subject = string([]rune(subject)[:79]) + "…"
		}
		subject = strings.Join(strings.Fields(subject), " ")
		ci := ticket.CreateInput{Subject: subject, Description: description, Channel: "chat", Language: in.Language,
			Requester: &ticket.RequesterInput{Email: in.Email, Name: in.Name}, Tags: []string{"chat"}}
		if team != 0 {
			ci.TeamID = &team
		}
		t, err := s.tickets.CreateTx(ctx, tx, authz.Actor{Kind: authz.KindCustomer}, ci)
		if err != nil {
			return err
		}
		pages := "[]"
		if in.Page != "" {
			b, _ := json.Marshal([]string{in.Page})
			pages = string(b)
		}
		ms := db.Millis(now)
		id, err := tx.InsertID(ctx, `INSERT INTO chat_conversations (ticket_id, customer_id, token_hash, state, team_id, language, visitor_name,
			visitor_email, topic, identified, current_page, referrer, pages, created_at, updated_at)
			VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.ID, t.RequesterID, hash, db.NullInt(team), in.Language,
			in.Name, in.Email, in.Topic, identified, in.Page, in.Referrer, pages, ms, ms)
		if err != nil {
			return fmt.Errorf("chat: start: %w", err)
		}
		if in.Topic != "" {
			if _, err := appendMessage(ctx, tx, id, Message{Author: AuthorVisitor, Body: in.Topic}, 0, 0, now); err != nil {
				return err
			}
		}
		c, err := convWhere(ctx, tx, `c.id = ?`, id)
		if err != nil {
			return err
		}
		if _, err := s.offerNext(ctx, tx, c, st, offerTarget{}); err != nil {
			return err
		}
		s.publish(tx, t.ID, "state", c.LastSeq, 0)
		out = Started{Token: token, Conversation: c}
		return nil
	})
	return out, err
}

// Resume returns the visitor's conversation and its messages after seq.
func (s *Service) Resume(ctx context.Context, token string, after int64) (Conversation, []Message, error) {
	c, err := byToken(ctx, s.db, token)
	if err != nil {
		return Conversation{}, nil, err
	}
	ms, err := messages(ctx, s.db, c.ID, max(after, 0), 500)
	return c, ms, err
}

// Conversation returns the visitor's conversation by token.
func (s *Service) Conversation(ctx context.Context, token string) (Conversation, error) {
	return byToken(ctx, s.db, token)
}

// VisitorSend stores the visitor's message and returns it once committed:
// the acknowledgement. A client id seen before returns the stored message
// (the visitor resent after a lost acknowledgement), never a second copy.
func (s *Service) VisitorSend(ctx context.Context, token, clientID, body string) (Message, error) {
	if err := checkMessage(clientID, body); err != nil {
		return Message{}, err
	}
	var out Message
	// Stage times (timing.go): arrived, transaction begun, statements done,
	// committed (the first after-commit callback), ticket notice done.
	var t0, t1, t2, t3, t4 time.Time
	t0 = time.Now()
	published := false
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		t1 = time.Now()
		tx.AfterCommit(func() { t3 = time.Now() }) // before the ticket's notice
		c, err := byToken(ctx, tx, token)
		if err != nil {
			return err
		}
		if err := lock(ctx, tx, c.ID, s.now()); err != nil {
			return err
		}
		if m, ok, err := byClientID(ctx, tx, c.ID, "v"+clientID); err != nil || ok {
			out = m
			return err
		}
		if c.State == StateEnded {
			return apperr.Conflict("chat", "this chat has ended")
		}
		cm, _, err := s.tickets.CommentTx(ctx, tx, authz.Actor{Kind: authz.KindCustomer, ID: c.CustomerID}, c.TicketID,
			ticket.CommentInput{Body: body, AsCustomer: true, Channel: "chat"})
		if err != nil {
			return err
		}
		out, err = appendMessage(ctx, tx, c.ID, Message{Author: AuthorVisitor, ClientID: "v" + clientID, Body: body}, 0, cm.ID, s.now())
		if err != nil {
			return err
		}
		tx.AfterCommit(func() { t4 = time.Now() })
		s.publish(tx, c.TicketID, "message", out.Seq, 0)
		published = true
		t2 = time.Now()
		return nil
	})
	if err == nil && published {
		t5 := time.Now()
		s.Timings.Observe(StageQueue, t1.Sub(t0))
		s.Timings.Observe(StageTx, t2.Sub(t1))
		s.Timings.Observe(StageCommit, t3.Sub(t2))
		s.Timings.Observe(StageTicketNotice, t4.Sub(t3))
		s.Timings.Observe(StagePublish, t5.Sub(t4))
	}
	return out, err
}

func checkMessage(clientID, body string) error {
	fe := apperr.FieldErrors{}
	if !clientIDRE.MatchString(clientID) {
		fe.Add("client_id", "must be 1 to 64 letters, digits, _ or -")
	}
	b := strings.TrimSpace(body)
	switch {
	case b == "":
		fe.Add("body", "is required")
	case utf8.RuneCountInString(body) > MaxBody:
		fe.Add("body", fmt.Sprintf("must be at most %d characters", MaxBody))
	default:
		if msg := textcheck.Body(body); msg != "" {
			fe.Add("body", msg)
		}
	}
	return fe.Err()
}

// VisitorRead records that the visitor has seen the messages up to seq.
func (s *Service) VisitorRead(ctx context.Context, token string, seq int64) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		c, err := byToken(ctx, tx, token)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE chat_conversations SET visitor_read_seq = ? WHERE id = ? AND visitor_read_seq < ? AND last_seq >= ?`, seq, c.ID, seq, seq)
		if err != nil {
			return fmt.Errorf("chat: read mark: %w", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			s.publish(tx, c.TicketID, "read", seq, 0)
		}
		return nil
	})
}

// VisitorTyping tells the agent the visitor is typing (or stopped).
func (s *Service) VisitorTyping(ctx context.Context, token string, typing bool) error {
	c, err := byToken(ctx, s.db, token)
	if err != nil {
		return err
	}
	s.typing(c.TicketID, AuthorVisitor, 0, typing)
	return nil
}

func (s *Service) typing(ticketID int64, who string, agentID int64, typing bool) {
	if s.hub == nil {
		return
	}
	state := "idle"
	if typing {
		state = "typing"
	}
	s.hub.Publish(liveEvent(ticketID, "typing", 0, agentID, who, state))
}

// VisitorPage records a page the visitor opened while the chat is open.
func (s *Service) VisitorPage(ctx context.Context, token, page string) error {
	page = checkURL(page)
	if page == "" {
		return apperr.InvalidField("page", "must be an http or https URL")
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		c, err := byToken(ctx, tx, token)
		if err != nil {
			return err
		}
		if c.CurrentPage == page {
			return nil
		}
		pages := append(c.Pages, page)
		if len(pages) > maxPages {
			pages = pages[len(pages)-maxPages:]
		}
		b, _ := json.Marshal(pages)
		if _, err := tx.ExecContext(ctx, `UPDATE chat_conversations SET current_page = ?, pages = ? WHERE id = ?`, page, string(b), c.ID); err != nil {
			return fmt.Errorf("chat: page: %w", err)
		}
		s.publish(tx, c.TicketID, "state", c.LastSeq, 0)
		return nil
	})
}

// VisitorEnd ends the chat from the widget.
func (s *Service) VisitorEnd(ctx context.Context, token string) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		c, err := byToken(ctx, tx, token)
		if err != nil {
			return err
		}
		return s.endTx(ctx, tx, c, "", authz.Actor{Kind: authz.KindCustomer, ID: c.CustomerID})
	})
}

// endTx ends c: pending offers are withdrawn, a system line says so.
func (s *Service) endTx(ctx context.Context, tx *db.Tx, c Conversation, by string, actor authz.Actor) error {
	if c.State == StateEnded {
		return nil
	}
	now := s.now()
	if err := lock(ctx, tx, c.ID, now); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE chat_offers SET state = 'withdrawn', answered_at = ? WHERE conversation_id = ? AND state = 'pending'`, db.Millis(now), c.ID); err != nil {
		return fmt.Errorf("chat: withdraw offers: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE chat_conversations SET state = 'ended', ended_at = ? WHERE id = ?`, db.Millis(now), c.ID); err != nil {
		return fmt.Errorf("chat: end: %w", err)
	}
	who := "visitor"
	if actor.Kind == authz.KindAgent {
		who = "agent"
	}
	if err := s.tickets.RecordTx(ctx, tx, actor, c.TicketID, EvEnded,
		map[string]any{"conversation_id": c.ID, "agent_id": c.AgentID, "by": who}); err != nil {
		return err
	}
	m, err := appendMessage(ctx, tx, c.ID, Message{Author: AuthorSystem, Kind: KindEnded, AgentName: by, Body: "ended"}, 0, 0, now)
	if err != nil {
		return err
	}
	s.publish(tx, c.TicketID, "message", m.Seq, 0)
	return nil
}

// LeaveInput is a message left while nobody can chat.
type LeaveInput struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Message  string `json:"message"`
	Language string `json:"language"`
	Page     string `json:"page"`
}

// LeaveMessage turns a message left outside hours (or while nobody is
// free) into a ticket answered by email: it is on the email channel, so
// the agent's reply goes to the visitor's address like any email reply.
func (s *Service) LeaveMessage(ctx context.Context, in LeaveInput) (int64, error) {
	fe := apperr.FieldErrors{}
	in.Name = checkLine(fe, "name", in.Name, MaxName, false)
	in.Email = strings.TrimSpace(in.Email)
	if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email || len(in.Email) > 254 {
		fe.Add("email", "must be an email address")
	}
	msg := checkLine(fe, "message", in.Message, MaxBody, true)
	if m := textcheck.Body(msg); m != "" && msg != "" {
		fe.Add("message", m)
	}
	if !slices.Contains(Languages, in.Language) {
		in.Language = "en"
	}
	if err := fe.Err(); err != nil {
		return 0, err
	}
	st, err := readSettings(ctx, s.db)
	if err != nil {
		return 0, err
	}
	subject := strings.Join(strings.Fields(msg), " ")
	if utf8.RuneCountInString(subject) > 80 {
		subject = string([]rune(subject)[:79]) + "…"
	}
	var id int64
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		ci := ticket.CreateInput{Subject: subject, Description: msg, Channel: "email", Language: in.Language,
			Requester: &ticket.RequesterInput{Email: in.Email, Name: in.Name}, Tags: []string{"chat", "chat-offline"}}
		if st.TeamID != 0 {
			ci.TeamID = &st.TeamID
		}
		t, err := s.tickets.CreateTx(ctx, tx, authz.Actor{Kind: authz.KindCustomer}, ci)
		id = t.ID
		return err
	})
	return id, err
}

// Transcript emails the conversation so far to the visitor.
func (s *Service) Transcript(ctx context.Context, token string) error {
	if s.mailer == nil {
		return apperr.Conflict("transcript", "email is not set up")
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		c, err := byToken(ctx, tx, token)
		if err != nil {
			return err
		}
		ms, err := messages(ctx, tx, c.ID, 0, 10000)
		if err != nil {
			return err
		}
		var b strings.Builder
		for _, m := range ms {
			at := m.At.UTC().Format("2006-01-02 15:04")
			switch m.Author {
			case AuthorVisitor:
				fmt.Fprintf(&b, "[%s] %s: %s\n", at, s.tr(c.Language, "You"), m.Body)
			case AuthorAgent:
				fmt.Fprintf(&b, "[%s] %s: %s\n", at, m.AgentName, m.Body)
			default:
				fmt.Fprintf(&b, "[%s] %s\n", at, s.systemLine(c.Language, m))
			}
		}
		return s.mailer.QueueTranscript(ctx, tx, Mail{To: c.VisitorEmail, TeamID: c.TeamID,
			Subject: s.tr(c.Language, "Your chat transcript (#%d)", c.TicketID), Text: b.String(),
			Key: fmt.Sprintf("chat-transcript:%d:%d", c.ID, c.LastSeq)})
	})
}

// systemLine words a system message.
func (s *Service) systemLine(lang string, m Message) string {
	switch m.Kind {
	case KindJoined:
		return s.tr(lang, "%s joined the chat", m.AgentName)
	case KindTransferred:
		return s.tr(lang, "You are being transferred to another agent")
	default:
		return s.tr(lang, "The chat has ended")
	}
}
