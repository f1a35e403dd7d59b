package live

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// pipePair hands one end of an in-memory pipe to a stream: a connection
// without a descriptor, written by the stream's writer goroutine only.
func pipePair(t *testing.T, h *Hub, o StreamOptions) (*Stream, net.Conn) {
	t.Helper()
	server, client := net.Pipe()
	t.Cleanup(func() { client.Close() })
	s := h.Stream(server, o)
	t.Cleanup(s.Close)
	return s, client
}

// sseFrames writes ticket events with the shared frame.
func sseFrames(d *Delivery) []byte {
	if d.Kind != KindTicket {
		return nil
	}
	return d.SSE()
}

// readTickets reads a stream's ticket events until it has want of them
// (or 20 s pass) and returns them as "ticket/version"; a resync fails.
func readTickets(c net.Conn, want int, n *atomic.Int64) ([]string, error) {
	br := bufio.NewReader(c)
	_ = c.SetReadDeadline(time.Now().Add(20 * time.Second))
	var got []string
	for len(got) < want {
		line, err := br.ReadString('\n')
		if err != nil {
			return got, fmt.Errorf("after %d events: %w", len(got), err)
		}
		if strings.Contains(line, "resync") {
			return got, errors.New("resync")
		}
		if !strings.HasPrefix(line, "data: ") {
			continue
		}
		tid := field(line, `"ticket_id":`)
		ver := field(line, `"version":`)
		got = append(got, tid+"/"+ver)
		n.Add(1)
	}
	return got, nil
}

func field(line, key string) string {
	i := strings.Index(line, key)
	if i < 0 {
		return ""
	}
	rest := line[i+len(key):]
	j := strings.IndexAny(rest, ",}")
	return rest[:j]
}

// Every stream gets every event, in the order the hub published them,
// while several goroutines publish at once: in each round every
// publisher adds a change at the same moment, and the next round starts
// when every browser has read them (a stream more than StreamQueue
// changes behind would get resync instead). Streams on sockets (written
// by the shards' workers) and on pipes (no descriptor: written by their
// own writer goroutine, as behind HTTP/2) alike.
func TestFanoutEveryStreamGetsEveryEventInOrder(t *testing.T) {
	h := newTestHub(t)
	const sockets, pipes, publishers, rounds = 40, 8, 4, 100
	var conns []net.Conn
	for range sockets {
		_, c := streamPair(t, h, StreamOptions{AgentID: 1, Kinds: []string{KindTicket}, Frame: sseFrames})
		conns = append(conns, c)
	}
	for range pipes {
		_, c := pipePair(t, h, StreamOptions{AgentID: 1, Kinds: []string{KindTicket}, Frame: sseFrames})
		conns = append(conns, c)
	}
	results := make([][]string, len(conns))
	errs := make([]error, len(conns))
	read := make([]atomic.Int64, len(conns))
	var readers sync.WaitGroup
	for i, c := range conns {
		readers.Add(1)
		go func() {
			defer readers.Done()
			results[i], errs[i] = readTickets(c, publishers*rounds, &read[i])
		}()
	}
	for r := 1; r <= rounds; r++ {
		var pub sync.WaitGroup
		for p := range publishers {
			pub.Add(1)
			go func() {
				defer pub.Done()
				h.TicketChanged(int64(p+1), []string{"comment_added"}, "agent", 2, int64(r))
				if r%10 == 0 {
					h.Presence(int64(p+1), 2, "Bob", []string{Viewing, Typing}[r/10%2]) // a kind these streams skip
				}
			}()
		}
		pub.Wait()
		deadline := time.Now().Add(20 * time.Second)
		for i := range conns {
			for read[i].Load() < int64(publishers*r) && time.Now().Before(deadline) {
				time.Sleep(100 * time.Microsecond)
			}
		}
	}
	readers.Wait()
	for i := range conns {
		if errs[i] != nil {
			t.Fatalf("stream %d: %v", i, errs[i])
		}
		// Each publisher's versions arrive in order.
		next := map[string]int{}
		for _, ev := range results[i] {
			tid, ver, _ := strings.Cut(ev, "/")
			v, _ := strconv.Atoi(ver)
			if v != next[tid]+1 {
				t.Fatalf("stream %d: ticket %s version %d after %d", i, tid, v, next[tid])
			}
			next[tid] = v
		}
		// Every stream saw the one order the hub published in.
		if i > 0 && strings.Join(results[i], " ") != strings.Join(results[0], " ") {
			t.Fatalf("stream %d saw another order than stream 0", i)
		}
	}
}

// A browser that stops reading does not hold up the others: its socket
// fills, its own writer goroutine waits for it, and every other stream
// keeps getting each change at once; once it reads again it gets resync.
func TestFanoutStalledReaderDoesNotDelayOthers(t *testing.T) {
	h := newTestHub(t)
	big := bytes.Repeat([]byte("x"), 256<<10)
	stalled, sc := streamPair(t, h, StreamOptions{AgentID: 1,
		Frame: func(d *Delivery) []byte {
			if d.Kind != KindTicket {
				return nil
			}
			return fmt.Appendf(nil, "event: ticket\ndata: %d %s\n\n", d.TicketID, big)
		},
		Lost: []byte("event: resync\ndata: {}\n\n"),
	})
	const others = 30
	var readers []*bufio.Reader
	var conns []net.Conn
	for range others {
		_, c := streamPair(t, h, StreamOptions{AgentID: 1, Frame: sseFrames})
		conns = append(conns, c)
		readers = append(readers, bufio.NewReader(c))
	}
	// 200 changes: 50 MB for the stalled browser, far beyond its socket
	// buffers; each must reach every other browser within a second.
	for i := 1; i <= 200; i++ {
		sent := time.Now()
		h.TicketChanged(int64(i), []string{"comment_added"}, "agent", 2, 1)
		for j, br := range readers {
			_ = conns[j].SetReadDeadline(time.Now().Add(5 * time.Second))
			line, err := br.ReadString('\n')
			for err == nil && !strings.HasPrefix(line, "data: ") {
				line, err = br.ReadString('\n')
			}
			if err != nil {
				t.Fatalf("change %d, stream %d: %v", i, j, err)
			}
			if got := field(line, `"ticket_id":`); got != strconv.Itoa(i) {
				t.Fatalf("change %d, stream %d read ticket %s", i, j, got)
			}
		}
		if took := time.Since(sent); took > time.Second {
			t.Fatalf("change %d took %v to reach the other streams", i, took)
		}
	}
	select {
	case <-stalled.Done():
		t.Fatal("the stalled stream ended")
	default:
	}
	stalled.mu.Lock()
	busy, lost := stalled.busy, stalled.lost
	stalled.mu.Unlock()
	if !busy || !lost {
		t.Fatalf("the stalled stream: busy %v, lost %v; want its writer waiting and events dropped", busy, lost)
	}
	br := bufio.NewReaderSize(sc, 1<<20)
	readUntil(t, br, sc, "event: resync")
	h.TicketChanged(99999, []string{"created"}, "agent", 2, 1)
	readUntil(t, br, sc, "data: 99999 ")
}

// A burst of changes that arrives while a shard's worker is busy goes to
// each stream as one write, and the shared frame is the same bytes for
// every stream.
func TestFanoutSharesOneFrame(t *testing.T) {
	d := &Delivery{Event: Event{Kind: KindTicket, TicketID: 5, Types: []string{"created"}, Version: 1}}
	a, b := d.SSE(), d.SSE()
	if &a[0] != &b[0] {
		t.Fatal("SSE encoded the frame twice")
	}
	want := "event: ticket\ndata: " + string(d.JSON()) + "\n\n"
	if string(a) != want {
		t.Fatalf("frame %q, want %q", a, want)
	}
	allocs := testing.AllocsPerRun(100, func() { _ = d.SSE() })
	if allocs != 0 {
		t.Fatalf("SSE allocates %.0f times per stream", allocs)
	}
}
