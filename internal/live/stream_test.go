package live

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// streamPair opens a loopback TCP connection and hands the server's end
// to a stream of h; it returns the browser's end.
func streamPair(t *testing.T, h *Hub, o StreamOptions) (*Stream, net.Conn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	client, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	s := h.Stream(server, o)
	t.Cleanup(s.Close)
	return s, client
}

func newTestHub(t *testing.T) *Hub {
	h := NewHub(time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(h.Shutdown)
	return h
}

// ticketFrames writes ticket events as "ticket N".
func ticketFrames(d *Delivery) []byte {
	if d.Kind != KindTicket {
		return nil
	}
	return fmt.Appendf(nil, "event: ticket\ndata: %s\n\n", d.JSON())
}

// readUntil reads lines until one contains want (10 s at most).
func readUntil(t *testing.T, br *bufio.Reader, c net.Conn, want string) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("no %q: %v", want, err)
		}
		if strings.Contains(line, want) {
			return
		}
	}
}

func TestStreamDeliversOpeningEventsAndHeartbeats(t *testing.T) {
	old := Heartbeat
	Heartbeat = 400 * time.Millisecond
	t.Cleanup(func() { Heartbeat = old })
	h := newTestHub(t)
	var beats atomic.Int64
	_, c := streamPair(t, h, StreamOptions{AgentID: 1, Kinds: []string{KindTicket},
		Open:  func() []byte { return []byte("retry: 3000\n\n") },
		Frame: ticketFrames,
		Beat:  func() { beats.Add(1) },
	})
	br := bufio.NewReader(c)
	readUntil(t, br, c, "retry: 3000")
	h.TicketChanged(7, []string{"comment_added"}, "agent", 2, 5)
	h.Presence(7, 2, "Bob", Viewing) // a kind the stream did not ask for
	h.TicketChanged(8, []string{"created"}, "agent", 2, 1)
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var got []string
	for len(got) < 2 {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(line, "data: ") {
			got = append(got, line)
		}
		if strings.Contains(line, "presence") {
			t.Fatalf("a presence event reached a ticket-only stream: %s", line)
		}
	}
	if !strings.Contains(got[0], `"ticket_id":7`) || !strings.Contains(got[1], `"ticket_id":8`) {
		t.Fatalf("events out of order or wrong: %q", got)
	}
	readUntil(t, br, c, ": ping")
	if beats.Load() == 0 {
		t.Fatal("the heartbeat ran no Beat")
	}
}

// A browser that reads nothing never holds up a publisher; once it reads
// again it is told that it lost events, and the stream still works.
func TestStreamSlowClientNeverBlocksTheHub(t *testing.T) {
	h := newTestHub(t)
	big := bytes.Repeat([]byte("x"), 64<<10)
	s, c := streamPair(t, h, StreamOptions{AgentID: 1,
		Frame: func(d *Delivery) []byte {
			if d.TicketID == 0 {
				return nil
			}
			return fmt.Appendf(nil, "event: ticket\ndata: %d %s\n\n", d.TicketID, big)
		},
		Lost: []byte("event: resync\ndata: {}\n\n"),
	})
	fast := h.Subscribe(2) // a channel subscriber beside it
	defer fast.Close()
	begin := time.Now()
	const n = 2000 // 125 MB of frames: far more than the socket buffers hold
	for i := range n {
		h.TicketChanged(int64(i+1), []string{"comment_added"}, "agent", 2, 1)
	}
	if took := time.Since(begin); took > 5*time.Second {
		t.Fatalf("publishing to a stalled stream took %v", took)
	}
	if !fast.Dropped() {
		t.Fatal("the channel subscriber that read nothing was not told it dropped events")
	}
	if fast.Dropped() {
		t.Fatal("Dropped did not reset")
	}
	select {
	case <-s.Done():
		t.Fatal("the stream ended")
	default:
	}
	br := bufio.NewReaderSize(c, 128<<10)
	readUntil(t, br, c, "event: resync")
	h.TicketChanged(99999, []string{"created"}, "agent", 2, 1)
	readUntil(t, br, c, "data: 99999 ")
}

// A stream whose browser went away ends on its own (the sweeper looks),
// runs Closed once and leaves the hub.
func TestStreamEndsWhenTheBrowserCloses(t *testing.T) {
	old := Heartbeat
	Heartbeat = time.Second
	t.Cleanup(func() { Heartbeat = old })
	h := newTestHub(t)
	var closed atomic.Int64
	s, c := streamPair(t, h, StreamOptions{AgentID: 1, Frame: ticketFrames, Closed: func() { closed.Add(1) }})
	c.Close()
	select {
	case <-s.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the stream did not notice its browser had gone")
	}
	s.Close()
	if closed.Load() != 1 {
		t.Fatalf("Closed ran %d times", closed.Load())
	}
	h.mu.Lock()
	subs := len(h.subs)
	h.mu.Unlock()
	streams := len(h.allStreams())
	if subs != 0 || streams != 0 {
		t.Fatalf("left in the hub: %d subs, %d streams", subs, streams)
	}
}

func TestStreamsEndAtShutdown(t *testing.T) {
	h := NewHub(time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	s, c := streamPair(t, h, StreamOptions{AgentID: 1, Frame: ticketFrames})
	h.Shutdown()
	select {
	case <-s.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the stream outlived the hub")
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadAll(c); err != nil {
		t.Fatalf("the connection was not closed: %v", err)
	}
	late, _ := streamPair(t, h, StreamOptions{AgentID: 1, Frame: ticketFrames})
	select {
	case <-late.Done():
	default:
		t.Fatal("a stream opened after the shutdown stayed open")
	}
}
