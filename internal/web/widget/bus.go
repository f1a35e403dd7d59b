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
	subs   map[int64]map[chan live.Event]struct{}
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
	b := &Bus{subs: map[int64]map[chan live.Event]struct{}{}, typing: map[int64]typingState{}}
	if hub == nil {
		return b
	}
	sub := hub.Subscribe(0)
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
	for ch := range b.subs[e.TicketID] {
		select {
		case ch <- e:
		default: // a slow connection re-reads on its next tick
		}
	}
}

// Listen returns the notices for one ticket until cancel is called.
func (b *Bus) Listen(ticketID int64) (<-chan live.Event, func()) {
	ch := make(chan live.Event, 16)
	b.mu.Lock()
	if b.subs[ticketID] == nil {
		b.subs[ticketID] = map[chan live.Event]struct{}{}
	}
	b.subs[ticketID][ch] = struct{}{}
	b.mu.Unlock()
	return ch, func() {
		b.mu.Lock()
		delete(b.subs[ticketID], ch)
		if len(b.subs[ticketID]) == 0 {
			delete(b.subs, ticketID)
			delete(b.typing, ticketID)
		}
		b.mu.Unlock()
	}
}

// AgentTyping reports whether the agent is typing on a ticket's chat.
func (b *Bus) AgentTyping(ticketID int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	t := b.typing[ticketID]
	return t.on && time.Now().Before(t.until)
}
