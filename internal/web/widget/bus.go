package widget

import (
	"sync"
	"time"

	"github.com/ombud/ombud/internal/chat"
	"github.com/ombud/ombud/internal/live"
)

// Bus hands chat notices from the live hub to the open widget connections
// of this instance, by ticket: one hub subscription for all of them, so a
// notice costs one map lookup however many visitors are connected. The
// hub relays notices between instances (LISTEN/NOTIFY on PostgreSQL).
type Bus struct {
	mu     sync.Mutex
	subs   map[int64]map[*listener]struct{}
	typing map[int64]typingState // the agent's typing per ticket, for long polls
}

type typingState struct {
	on    bool
	until time.Time
}

// typingTTL is how long a "typing" lasts without being renewed.
const typingTTL = 6 * time.Second

// NewBus subscribes to hub until it shuts down.
func NewBus(hub *live.Hub) *Bus {
	b := &Bus{subs: map[int64]map[*listener]struct{}{}, typing: map[int64]typingState{}}
	if hub == nil {
		return b
	}
	sub := hub.SubscribeKinds(0, chat.KindChat)
	go func() {
		defer sub.Close()
		for {
			select {
			case <-hub.Done():
				return
			case e := <-sub.C:
				if e.Kind == chat.KindChat {
					b.deliver(e)
				}
			}
		}
	}()
	return b
}

func (b *Bus) deliver(e live.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(e.Types) > 0 && e.Types[0] == "typing" && e.ActorType == chat.AuthorAgent {
		b.typing[e.TicketID] = typingState{on: e.State == "typing", until: time.Now().Add(typingTTL)}
	}
	for l := range b.subs[e.TicketID] {
		if l.fn != nil {
			l.fn(e)
			continue
		}
		select {
		case l.ch <- e:
		default: // a slow connection re-reads on its next tick
		}
	}
}

// listener is one subscription to a ticket's notices: a channel (long
// polls), or a function called on the bus's goroutine, which must not
// block (WebSockets: no goroutine and no buffer per idle connection).
type listener struct {
	ch chan live.Event
	fn func(live.Event)
}

func (b *Bus) add(ticketID int64, l *listener) func() {
	b.mu.Lock()
	if b.subs[ticketID] == nil {
		b.subs[ticketID] = map[*listener]struct{}{}
	}
	b.subs[ticketID][l] = struct{}{}
	b.mu.Unlock()
	return func() {
		b.mu.Lock()
		delete(b.subs[ticketID], l)
		if len(b.subs[ticketID]) == 0 {
			delete(b.subs, ticketID)
			delete(b.typing, ticketID)
		}
		b.mu.Unlock()
	}
}

// OnNotice calls fn with each notice for a ticket until cancel is called.
// fn runs on the bus's goroutine with the bus locked: it must return at
// once (hand the work to a goroutine of its own).
func (b *Bus) OnNotice(ticketID int64, fn func(live.Event)) (cancel func()) {
	return b.add(ticketID, &listener{fn: fn})
}

// Listen returns the notices for one ticket until cancel is called.
func (b *Bus) Listen(ticketID int64) (<-chan live.Event, func()) {
	ch := make(chan live.Event, 16)
	return ch, b.add(ticketID, &listener{ch: ch})
}

// AgentTyping reports whether the agent is typing on a ticket's chat.
func (b *Bus) AgentTyping(ticketID int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	t := b.typing[ticketID]
	return t.on && time.Now().Before(t.until)
}
