// Package live fans out what happens to tickets to the agents looking at
// them: changes (so views and open tickets update without a reload) and
// presence (who is viewing or typing a reply, for collision detection).
//
// Each instance keeps its subscribers in memory. Instances sharing a
// PostgreSQL database relay events to each other with LISTEN/NOTIFY; on
// SQLite there is only one instance.
package live

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"sort"
	"sync"
	"time"
)

// Event kinds.
const (
	KindTicket   = "ticket"   // a ticket changed (created, commented, fields)
	KindPresence = "presence" // someone's presence on a ticket changed
	// KindNotice is for one agent (AgentID) only: something on a ticket
	// needs them (Types says what: delivery_failed, a reply of theirs or
	// on their ticket was not delivered).
	KindNotice = "notice"
)

// Presence states.
const (
	Viewing = "viewing"
	Typing  = "typing"
	Left    = "left"
)

// Event is one thing that happened.
type Event struct {
	Kind      string   `json:"kind"`
	TicketID  int64    `json:"ticket_id"`
	Types     []string `json:"types,omitempty"` // ticket event types (created, comment_added, …)
	ActorType string   `json:"actor_type,omitempty"`
	ActorID   int64    `json:"actor_id,omitempty"`
	Version   int64    `json:"version,omitempty"` // the ticket's latest event sequence number
	AgentID   int64    `json:"agent_id,omitempty"`
	AgentName string   `json:"agent_name,omitempty"`
	State     string   `json:"state,omitempty"`
	Origin    string   `json:"origin,omitempty"` // the instance that published it
	// At is when this instance published or received the event (wall and
	// monotonic clock; not relayed): streams measure their delay from it.
	At time.Time `json:"-"`
}

// Viewer is an agent present on a ticket.
type Viewer struct {
	AgentID int64     `json:"agent_id"`
	Name    string    `json:"name"`
	State   string    `json:"state"`
	Since   time.Time `json:"since"`
}

// Relay carries events to other instances.
type Relay interface {
	Send(ctx context.Context, payload []byte) error
}

// PresenceTTL is how long a presence lasts without being renewed: a browser
// that vanished without saying goodbye stops showing after this.
const PresenceTTL = 45 * time.Second

// Hub is one instance's subscribers and presence.
type Hub struct {
	now    func() time.Time
	log    *slog.Logger
	origin string

	done     chan struct{}
	stopOnce sync.Once

	mu      sync.Mutex
	subs    map[*Sub]struct{} // the channel subscribers
	shards  []*shard          // the streams, one share per CPU (fanout.go)
	streamN uint32            // streams opened so far (their slots)
	// sweepOnce starts the streams' heartbeat goroutine with the first.
	sweepOnce sync.Once
	heartbeat time.Duration                     // Heartbeat when the hub was made
	presence  map[int64]map[int64]presenceEntry // ticket → agent → entry
	relay     Relay
	// out queues events for the relay goroutine (relayLoop): the NOTIFY
	// round trip stays off the publisher's path.
	out chan Event
}

type presenceEntry struct {
	name  string
	state string
	since time.Time
	until time.Time
}

// NewHub returns an empty hub.
func NewHub(now func() time.Time, log *slog.Logger) *Hub {
	var b [8]byte
	_, _ = rand.Read(b[:])
	h := &Hub{now: now, log: log, origin: hex.EncodeToString(b[:]), done: make(chan struct{}),
		subs: map[*Sub]struct{}{}, presence: map[int64]map[int64]presenceEntry{}, out: make(chan Event, relayQueue), heartbeat: Heartbeat}
	go h.relayLoop()
	return h
}

// Done is closed when the hub shuts down: event streams end then, so a
// graceful HTTP shutdown need not wait for them.
func (h *Hub) Done() <-chan struct{} { return h.done }

// Shutdown ends every subscriber's stream.
func (h *Hub) Shutdown() { h.stopOnce.Do(func() { close(h.done) }) }

// SetRelay connects the hub to other instances.
func (h *Hub) SetRelay(r Relay) {
	h.mu.Lock()
	h.relay = r
	h.mu.Unlock()
}

// Sub is one subscriber reading a channel of events (the open pages'
// streams are Streams, stream.go).
type Sub struct {
	C       chan Event
	h       *Hub
	agentID int64
	kinds   []string // only these kinds (none: all)
	dropped bool
}

// subBuffer is how many events a channel subscriber's C holds.
const subBuffer = 64

// Dropped reports whether events were dropped since the last call because
// the subscriber's buffer was full, and resets it: the subscriber's page
// then has to reload what it shows.
func (s *Sub) Dropped() bool {
	s.h.mu.Lock()
	defer s.h.mu.Unlock()
	d := s.dropped
	s.dropped = false
	return d
}

// Subscribe adds a subscriber for an agent. Close it when done.
func (h *Hub) Subscribe(agentID int64) *Sub { return h.SubscribeKinds(agentID) }

// SubscribeKinds adds a subscriber for an agent that receives only events
// of the given kinds (none: every kind). A stream that reads one kind
// (the chat console) then neither wakes for nor loses buffer room to the
// others: every chat message is also a ticket change.
func (h *Hub) SubscribeKinds(agentID int64, kinds ...string) *Sub {
	s := &Sub{C: make(chan Event, subBuffer), h: h, agentID: agentID, kinds: kinds}
	h.mu.Lock()
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	return s
}

func (s *Sub) wants(kind string) bool {
	if len(s.kinds) == 0 {
		return true
	}
	for _, k := range s.kinds {
		if k == kind {
			return true
		}
	}
	return false
}

// Close removes the subscriber.
func (s *Sub) Close() {
	s.h.mu.Lock()
	delete(s.h.subs, s)
	s.h.mu.Unlock()
}

// Publish delivers e to this instance's subscribers and relays it.
func (h *Hub) Publish(e Event) {
	e.Origin = h.origin
	e.At = time.Now()
	h.deliver(e)
	h.send(e)
}

// relayQueue is how many events may wait for the relay goroutine; a
// publisher waits when it is full.
const relayQueue = 4096

// maxPayload bounds one relayed batch (PostgreSQL's NOTIFY takes up to
// 8000 bytes).
const maxPayload = 7000

// send queues e for the other instances, if any. The relay goroutine
// sends in order, so NOTIFY keeps the publishing order; the publisher
// (often a request that has just committed) does not wait for it.
func (h *Hub) send(e Event) {
	h.mu.Lock()
	r := h.relay
	h.mu.Unlock()
	if r == nil {
		return
	}
	select {
	case h.out <- e:
	case <-h.done:
	}
}

// relayLoop sends queued events to the other instances: what queued up
// while one NOTIFY was on its way goes in the next as a JSON array, so
// under load a round trip carries many events.
func (h *Hub) relayLoop() {
	var batch [][]byte
	size := 0
	for {
		var e Event
		select {
		case <-h.done:
			return
		case e = <-h.out:
		}
		batch, size = batch[:0], 0
		for {
			b, err := json.Marshal(e)
			if err == nil {
				if size+len(b)+2 > maxPayload && len(batch) > 0 {
					h.relayBatch(batch)
					batch, size = batch[:0], 0
				}
				batch = append(batch, b)
				size += len(b) + 1
			}
			select {
			case e = <-h.out:
				continue
			default:
			}
			break
		}
		if len(batch) > 0 {
			h.relayBatch(batch)
		}
	}
}

// relayBatch sends one event as an object, several as an array.
func (h *Hub) relayBatch(batch [][]byte) {
	h.mu.Lock()
	r := h.relay
	h.mu.Unlock()
	if r == nil {
		return
	}
	payload := batch[0]
	if len(batch) > 1 {
		payload = append(append([]byte{'['}, bytes.Join(batch, []byte{','})...), ']')
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.Send(ctx, payload); err != nil {
		h.log.Warn("live: relay", "err", err, "events", len(batch))
	}
}

// Received handles a relayed event (a JSON object) or several (an array)
// from another instance.
func (h *Hub) Received(payload []byte) {
	if p := bytes.TrimLeft(payload, " \t\r\n"); len(p) > 0 && p[0] == '[' {
		var es []json.RawMessage
		if json.Unmarshal(p, &es) != nil {
			return
		}
		for _, e := range es {
			h.received(e)
		}
		return
	}
	h.received(payload)
}

func (h *Hub) received(payload []byte) {
	var e Event
	if err := json.Unmarshal(payload, &e); err != nil || e.Origin == h.origin {
		return
	}
	e.At = time.Now()
	if e.Kind == KindPresence && !h.setPresence(e.TicketID, e.AgentID, e.AgentName, e.State) {
		return // a renewal: the pages here already show it
	}
	h.deliver(e)
}

// deliver hands e to every subscriber that wants its kind without
// blocking: a subscriber too slow to keep up loses events (its page
// reloads what it needs). The streams' shards only get it appended to
// their pending lists: their workers write it, in parallel, after the
// hub's lock is released. The lock keeps the publishing order the same
// in every shard.
func (h *Hub) deliver(e Event) {
	d := &Delivery{Event: e}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, sh := range h.shards {
		sh.post(d)
	}
	for s := range h.subs {
		if !s.wants(e.Kind) {
			continue
		}
		select {
		case s.C <- e:
		default:
			s.dropped = true
		}
	}
}

// TicketChanged is the ticket service's after-commit callback.
func (h *Hub) TicketChanged(ticketID int64, types []string, actorType string, actorID, version int64) {
	h.Publish(Event{Kind: KindTicket, TicketID: ticketID, Types: types, ActorType: actorType, ActorID: actorID, Version: version})
}

// Presence records that an agent is viewing or typing on a ticket (or has
// left) and tells everyone.
func (h *Hub) Presence(ticketID, agentID int64, name, state string) {
	e := Event{Kind: KindPresence, TicketID: ticketID, AgentID: agentID, AgentName: name, State: state}
	if h.setPresence(ticketID, agentID, name, state) {
		h.Publish(e)
		return
	}
	if state != Left {
		// No news here, but the other instances' copies expire after
		// PresenceTTL unless the heartbeat renews them too.
		e.Origin = h.origin
		h.send(e)
	}
}

// setPresence stores the state and reports whether it changed.
func (h *Hub) setPresence(ticketID, agentID int64, name, state string) bool {
	now := h.now()
	h.mu.Lock()
	defer h.mu.Unlock()
	m := h.presence[ticketID]
	if state == Left {
		if m == nil {
			return false
		}
		_, had := m[agentID]
		delete(m, agentID)
		if len(m) == 0 {
			delete(h.presence, ticketID)
		}
		return had
	}
	if m == nil {
		m = map[int64]presenceEntry{}
		h.presence[ticketID] = m
	}
	old, had := m[agentID]
	e := presenceEntry{name: name, state: state, since: now, until: now.Add(PresenceTTL)}
	if had && old.state == state && old.until.After(now) {
		e.since = old.since
	}
	m[agentID] = e
	return !had || old.state != state || !old.until.After(now)
}

// Viewers lists the agents present on a ticket, except one (the asker).
func (h *Hub) Viewers(ticketID, except int64) []Viewer {
	now := h.now()
	h.mu.Lock()
	defer h.mu.Unlock()
	out := []Viewer{}
	for id, e := range h.presence[ticketID] {
		if id == except || !e.until.After(now) {
			continue
		}
		out = append(out, Viewer{AgentID: id, Name: e.name, State: e.state, Since: e.since})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Since.Before(out[j].Since) })
	return out
}

// Notifier is the database's cross-process notification (PostgreSQL).
type Notifier interface {
	Notify(ctx context.Context, channel, payload string) error
	Listen(ctx context.Context, channel string, fn func(payload string), onErr func(error)) error
}

const channel = "ombud_live"

type pgRelay struct{ n Notifier }

func (r pgRelay) Send(ctx context.Context, payload []byte) error {
	return r.n.Notify(ctx, channel, string(payload))
}

// Connect relays this hub's events to the other instances sharing n's
// database and delivers theirs here, until ctx is done.
func (h *Hub) Connect(ctx context.Context, n Notifier) error {
	h.SetRelay(pgRelay{n})
	defer h.SetRelay(nil)
	return n.Listen(ctx, channel, func(p string) { h.Received([]byte(p)) }, func(err error) {
		h.log.Warn("live: listen", "err", err)
	})
}
