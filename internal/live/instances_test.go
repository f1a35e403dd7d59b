package live

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// testClock is a clock both hubs read, moved by the test.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestPresenceAcrossInstances connects two hubs through one PostgreSQL
// database, as two ombud serve processes are. An agent who keeps a ticket
// open on instance A (the stream's heartbeat renews their presence there)
// must stay listed on instance B past PresenceTTL: B's copy is renewed by
// A's heartbeats, not only created by the first one.
func TestPresenceAcrossInstances(t *testing.T) {
	d := dbtest.Open(t, db.Postgres)
	clock := &testClock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, b := NewHub(clock.now, log), NewHub(clock.now, log)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, h := range []*Hub{a, b} {
		wg.Add(1)
		go func() { defer wg.Done(); _ = h.Connect(ctx, d) }()
	}
	t.Cleanup(func() { cancel(); wg.Wait() })
	sub := b.Subscribe(1)
	defer sub.Close()

	// marker publishes a ticket event on A and waits for it on B: NOTIFY
	// delivers in commit order, so whatever A relayed before has arrived.
	// Until both hubs listen, markers are lost: send again.
	marker := int64(1000)
	settle := func(what string) {
		t.Helper()
		marker++
		deadline := time.After(10 * time.Second)
		resend := time.NewTicker(100 * time.Millisecond)
		defer resend.Stop()
		a.TicketChanged(marker, []string{"marker"}, "agent", 9, 1)
		for {
			select {
			case e := <-sub.C:
				if e.Kind == KindTicket && e.TicketID == marker {
					return
				}
			case <-resend.C:
				a.TicketChanged(marker, []string{"marker"}, "agent", 9, 1)
			case <-deadline:
				t.Fatalf("%s: the relay never delivered", what)
			}
		}
	}
	settle("connect")

	steps := []struct {
		name    string
		advance time.Duration
		state   string // what agent 2 does on A ("" nothing)
		want    []string
	}{
		{"opens the ticket on A", 0, Viewing, []string{Viewing}},
		{"heartbeat", 20 * time.Second, Viewing, []string{Viewing}},
		{"heartbeat", 20 * time.Second, Viewing, []string{Viewing}},
		{"past the first TTL, still there", 20 * time.Second, Viewing, []string{Viewing}},
		{"types", time.Second, Typing, []string{Typing}},
		{"tab vanished: no heartbeats", PresenceTTL + time.Second, "", []string{}},
		{"back again", 0, Viewing, []string{Viewing}},
		{"leaves", time.Second, Left, []string{}},
	}
	for _, st := range steps {
		clock.add(st.advance)
		if st.state != "" {
			a.Presence(7, 2, "Erik", st.state)
		}
		settle(st.name)
		got := []string{}
		for _, v := range b.Viewers(7, 1) {
			got = append(got, v.State)
		}
		if len(got) != len(st.want) || (len(got) == 1 && got[0] != st.want[0]) {
			t.Fatalf("%s: instance B lists %v, want %v", st.name, got, st.want)
		}
	}
}
