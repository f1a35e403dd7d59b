package live

import (
	"encoding/json"
	"io"
	"net"
	"sync"
	"time"
)

// A Stream writes one subscriber's events to a browser's connection
// (Server-Sent Events) without a goroutine of its own while it is idle:
// the hub hands it events, and a short-lived writer goroutine runs only
// while it has something to write. Heartbeats and the check for a closed
// connection come from the hub's one sweeper, spread over the heartbeat
// interval. With thousands of idle agents' tabs open, a stream is its
// connection, this struct and its subscription — a few hundred bytes
// beside the kernel's socket — where a handler goroutine blocked on a
// channel kept net/http's buffers, a stack and a 64-event channel each.
type Stream struct {
	h    *Hub
	sub  *Sub
	w    io.Writer
	conn net.Conn // w, when the stream owns the connection (else nil)
	o    StreamOptions
	slot uint32
	done chan struct{}
	wg   sync.WaitGroup // the running writer, if any
	// deadline is the connection's write deadline; only the writer (one
	// at a time) touches it.
	deadline time.Time

	mu      sync.Mutex
	queue   []*Delivery
	opening bool // StreamOptions.Open still to write
	ping    bool // a heartbeat to write
	lost    bool // events were dropped: StreamOptions.Lost to write
	writing bool
	closed  bool
}

// StreamOptions says what a stream receives and how it is written.
type StreamOptions struct {
	AgentID int64
	Kinds   []string // only these kinds (none: all)
	// Open returns what the stream starts with (an HTTP head, a retry
	// line, the current state); it runs after the subscription is in
	// place, so nothing published after it is missed.
	Open func() []byte
	// Frame returns what to write for an event, or nil to skip it. It
	// runs on the stream's writer goroutine, never under the hub's lock.
	Frame func(d *Delivery) []byte
	// Lost is written once the stream has caught up after events were
	// dropped because it fell StreamQueue events behind.
	Lost []byte
	// Beat runs with each of the stream's heartbeats (before the ping).
	Beat func()
	// Closed runs once when the stream ends.
	Closed func()
}

// Delivery is an event as the streams receive it: one value shared by
// every stream, with its JSON encoded once.
type Delivery struct {
	Event
	once sync.Once
	json []byte
}

// JSON is the event encoded as JSON, the same bytes for every stream.
func (d *Delivery) JSON() []byte {
	d.once.Do(func() { d.json, _ = json.Marshal(d.Event) })
	return d.json
}

// Stream tuning. Variables so tests can shorten them (before NewHub).
var (
	// Heartbeat is how often a stream writes a ping (keeping proxies from
	// closing it) and runs its Beat.
	Heartbeat = 20 * time.Second
	// streamSlots spreads heartbeats and closed-connection checks over
	// the interval: the sweeper wakes Heartbeat/streamSlots apart and
	// visits one slot's streams for pings; every liveEvery ticks it
	// checks every stream's connection.
	streamSlots = uint32(20)
	liveEvery   = uint32(2)
)

// StreamQueue is how many events a stream holds while its writer is
// behind; past it, events are dropped and the stream is told (Lost).
const StreamQueue = 64

// streamWriteTimeout bounds one write to a browser: a client that reads
// nothing for this long is disconnected (its EventSource reconnects).
const streamWriteTimeout = 15 * time.Second

// Stream subscribes w to the hub's events. If w is a net.Conn the stream
// owns it: it closes it when the stream ends, and the sweeper ends the
// stream when the other side closed. The stream lasts until Close, a
// failed write, a closed connection or the hub's shutdown.
func (h *Hub) Stream(w io.Writer, o StreamOptions) *Stream {
	s := &Stream{h: h, w: w, o: o, done: make(chan struct{}), opening: o.Open != nil}
	s.conn, _ = w.(net.Conn)
	s.sub = &Sub{h: h, agentID: o.AgentID, kinds: o.Kinds, stream: s}
	h.mu.Lock()
	h.streamN++
	s.slot = h.streamN
	h.subs[s.sub] = struct{}{}
	h.streams[s] = struct{}{}
	h.mu.Unlock()
	h.sweepOnce.Do(func() { go h.sweep() })
	select {
	case <-h.done: // shut down: the sweeper may have ended the others already
		s.end()
		return s
	default:
	}
	s.mu.Lock()
	s.schedule()
	s.mu.Unlock()
	return s
}

// Done is closed when the stream has ended.
func (s *Stream) Done() <-chan struct{} { return s.done }

// Close ends the stream and waits for a write in progress.
func (s *Stream) Close() {
	s.end()
	s.wg.Wait()
}

// end ends the stream without waiting (a writer ends its own stream).
func (s *Stream) end() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.queue = nil
	s.mu.Unlock()
	s.h.mu.Lock()
	delete(s.h.subs, s.sub)
	delete(s.h.streams, s)
	s.h.mu.Unlock()
	if s.conn != nil {
		_ = s.conn.Close()
	}
	close(s.done)
	if s.o.Closed != nil {
		s.o.Closed()
	}
}

// push queues d; the hub calls it under its lock, so it never blocks.
func (s *Stream) push(d *Delivery) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	if len(s.queue) >= StreamQueue {
		s.lost = true
		s.sub.dropped = true
		return
	}
	s.queue = append(s.queue, d)
	s.schedule()
}

// beat queues a heartbeat.
func (s *Stream) beat() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.ping = true
		s.schedule()
	}
}

// schedule starts the writer unless it runs; s.mu is held.
func (s *Stream) schedule() {
	if s.writing || s.closed {
		return
	}
	s.writing = true
	s.wg.Add(1)
	go s.write()
}

// write writes what is queued until nothing is, then exits.
func (s *Stream) write() {
	defer s.wg.Done()
	var buf []byte
	for {
		s.mu.Lock()
		q, opening, ping, lost := s.queue, s.opening, s.ping, s.lost
		s.queue, s.opening, s.ping, s.lost = nil, false, false, false
		if s.closed || (len(q) == 0 && !opening && !ping && !lost) {
			s.writing = false
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		buf = buf[:0]
		if opening {
			buf = append(buf, s.o.Open()...)
			s.o.Open = nil // only this writer reads it; its bytes go
		}
		for _, d := range q {
			if s.o.Frame != nil {
				buf = append(buf, s.o.Frame(d)...)
			}
		}
		if lost {
			buf = append(buf, s.o.Lost...)
		}
		if ping {
			if s.o.Beat != nil {
				s.o.Beat()
			}
			buf = append(buf, ": ping\n\n"...)
		}
		if len(buf) == 0 {
			continue
		}
		if s.conn != nil {
			// Moving a deadline costs a runtime timer update, a tenth of
			// a write's CPU: it moves only when less than
			// streamWriteTimeout is left, to 4× that ahead, so a write
			// to a stuck browser fails after 15–60 s.
			if now := time.Now(); s.deadline.Sub(now) < streamWriteTimeout {
				s.deadline = now.Add(4 * streamWriteTimeout)
				_ = s.conn.SetWriteDeadline(s.deadline)
			}
		}
		if _, err := s.w.Write(buf); err != nil {
			s.mu.Lock()
			s.writing = false
			s.mu.Unlock()
			s.end()
			return
		}
	}
}

// sweep is the hub's one heartbeat goroutine: each tick it pings one
// slot's streams and, every liveEvery ticks, ends the streams whose
// browser has gone.
func (h *Hub) sweep() {
	t := time.NewTicker(h.heartbeat / time.Duration(streamSlots))
	defer t.Stop()
	var due, check []*Stream
	for n := uint32(0); ; n++ {
		select {
		case <-h.done:
			h.mu.Lock()
			all := make([]*Stream, 0, len(h.streams))
			for s := range h.streams {
				all = append(all, s)
			}
			h.mu.Unlock()
			for _, s := range all {
				s.end()
			}
			return
		case <-t.C:
		}
		due, check = due[:0], check[:0]
		h.mu.Lock()
		for s := range h.streams {
			if (s.slot+n)%streamSlots == 0 {
				due = append(due, s)
			}
			if n%liveEvery == 0 && s.conn != nil {
				check = append(check, s)
			}
		}
		h.mu.Unlock()
		for _, s := range check {
			if !connAlive(s.conn) {
				s.end()
			}
		}
		for _, s := range due {
			s.beat()
		}
	}
}
