package live

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"
)

func TestPresence(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	h := NewHub(func() time.Time { return now }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	sub := h.Subscribe(1)
	defer sub.Close()
	tests := []struct {
		name    string
		agent   int64
		state   string
		advance time.Duration
		want    []string // viewers' states as seen by agent 1, oldest first
		event   bool     // a presence event was published
	}{
		{"bob arrives", 2, Viewing, 0, []string{Viewing}, true},
		{"bob again is no news", 2, Viewing, time.Second, []string{Viewing}, false},
		{"bob types", 2, Typing, time.Second, []string{Typing}, true},
		{"carl arrives", 3, Viewing, time.Second, []string{Typing, Viewing}, true},
		{"the asker is not listed", 1, Viewing, 0, []string{Typing, Viewing}, true},
		{"bob leaves", 2, Left, 0, []string{Viewing}, true},
		{"carl's tab vanished", 4, Left, PresenceTTL + time.Second, []string{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now = now.Add(tt.advance)
			h.Presence(7, tt.agent, "agent", tt.state)
			got := []string{}
			for _, v := range h.Viewers(7, 1) {
				got = append(got, v.State)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("viewers %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("viewers %v, want %v", got, tt.want)
				}
			}
			select {
			case <-sub.C:
				if !tt.event {
					t.Fatal("unexpected event")
				}
			default:
				if tt.event {
					t.Fatal("no event")
				}
			}
		})
	}
}

func TestRelayedEvents(t *testing.T) {
	h := NewHub(time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	sub := h.Subscribe(1)
	defer sub.Close()
	own, _ := json.Marshal(Event{Kind: KindTicket, TicketID: 1, Origin: h.origin})
	h.Received(own) // our own notification coming back: already delivered
	other, _ := json.Marshal(Event{Kind: KindPresence, TicketID: 5, AgentID: 9, AgentName: "Remote", State: Typing, Origin: "elsewhere"})
	h.Received(other)
	h.Received([]byte("not json"))
	select {
	case e := <-sub.C:
		if e.Origin != "elsewhere" || e.AgentID != 9 {
			t.Fatalf("got %+v", e)
		}
	default:
		t.Fatal("the relayed event was not delivered")
	}
	if v := h.Viewers(5, 0); len(v) != 1 || v[0].Name != "Remote" || v[0].State != Typing {
		t.Fatalf("relayed presence not recorded: %+v", v)
	}
	select {
	case e := <-sub.C:
		t.Fatalf("extra event %+v", e)
	default:
	}
}

// captureRelay records what the hub relays, and can hold the first send
// back so that events queue up behind it.
type captureRelay struct {
	hold     chan struct{}
	payloads chan []byte
}

func (r *captureRelay) Send(_ context.Context, p []byte) error {
	if r.hold != nil {
		<-r.hold
		r.hold = nil
	}
	r.payloads <- bytes.Clone(p)
	return nil
}

// TestRelayBatches: publishing does not wait for the relay; events that
// queue while a NOTIFY is on its way go in one array, in order, and the
// other instance delivers each of them.
func TestRelayBatches(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, b := NewHub(time.Now, log), NewHub(time.Now, log)
	defer a.Shutdown()
	defer b.Shutdown()
	r := &captureRelay{hold: make(chan struct{}), payloads: make(chan []byte, 10)}
	a.SetRelay(r)
	for i := int64(1); i <= 5; i++ {
		a.TicketChanged(i, []string{"comment_added"}, "agent", 1, i) // returns with the relay held
	}
	close(r.hold)
	sub := b.Subscribe(0)
	defer sub.Close()
	var got []int64
	for len(got) < 5 {
		select {
		case p := <-r.payloads:
			b.Received(p)
		case <-time.After(5 * time.Second):
			t.Fatalf("relayed %v, want 5 events", got)
		}
		for len(sub.C) > 0 {
			got = append(got, (<-sub.C).TicketID)
		}
	}
	for i, id := range got {
		if id != int64(i+1) {
			t.Fatalf("relayed in order %v", got)
		}
	}
}

// TestSubscribeKinds: a subscriber for one kind gets only that kind.
func TestSubscribeKinds(t *testing.T) {
	h := NewHub(time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer h.Shutdown()
	chat := h.SubscribeKinds(1, "chat")
	defer chat.Close()
	all := h.Subscribe(2)
	defer all.Close()
	h.TicketChanged(1, []string{"comment_added"}, "customer", 3, 1)
	h.Publish(Event{Kind: "chat", TicketID: 1, Types: []string{"message"}})
	if len(chat.C) != 1 || (<-chat.C).Kind != "chat" {
		t.Fatal("the chat subscriber did not get exactly the chat event")
	}
	if len(all.C) != 2 {
		t.Fatalf("the subscriber for all kinds got %d events, want 2", len(all.C))
	}
}
