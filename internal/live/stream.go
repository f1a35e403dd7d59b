package live

import (
	"encoding/json"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// A Stream writes one subscriber's events to a browser's connection
// (Server-Sent Events) without a goroutine of its own while it is idle.
//
// The hub keeps its streams in shards (fanout.go), one per CPU, each
// with one worker goroutine: a change is handed to every shard at once,
// and each worker writes it to its share of the streams in parallel,
// the same frame bytes to each, with a write that never waits (the
// socket takes the frame or says its buffer is full). A stream whose
// browser reads too slowly for that gets a writer goroutine of its own
// for as long as it is behind, so one slow socket never holds up the
// others. Heartbeats and the check for a closed connection come from
// the hub's one sweeper, spread over the heartbeat interval. With
// thousands of idle agents' tabs open, a stream is its connection, this
// struct and its place in a shard.
type Stream struct {
	h    *Hub
	w    io.Writer
	conn net.Conn        // w, when the stream owns the connection (else nil)
	raw  syscall.RawConn // conn's descriptor for writes that never wait (nil: every write goes through the writer goroutine)
	o    StreamOptions
	slot uint32
	sh   *shard
	idx  int // the stream's place in sh.streams (under sh.mu)
	done chan struct{}
	wg   sync.WaitGroup // the running writer goroutine, if any

	mu    sync.Mutex
	queue [][]byte // frames waiting while the stream is busy
	rest  []byte   // what the socket did not take of a write that never waits
	ping  bool     // a heartbeat to write
	lost  bool     // events were dropped: StreamOptions.Lost to write
	// dropping mirrors lost for the shard's worker, which then skips
	// the stream without framing anything.
	dropping atomic.Bool
	// busy says someone writes to w: a shard worker, the sweeper or the
	// opener for one write that never waits, or the writer goroutine
	// until nothing is left. Whoever finds it set queues instead.
	busy   bool
	closed bool
}

// StreamOptions says what a stream receives and how it is written.
type StreamOptions struct {
	AgentID int64
	Kinds   []string // only these kinds (none: all)
	// Open returns what the stream starts with (an HTTP head, a retry
	// line, the current state); it runs after the subscription is in
	// place, so nothing published after it is missed, and its bytes go
	// before any event's.
	Open func() []byte
	// Frame returns what to write for an event, or nil to skip it. It
	// runs on a shard's worker for every stream of the shard, never under
	// a lock, so it must be cheap: Delivery.SSE is the usual answer (the
	// same bytes for every stream).
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
// every stream, with its JSON and its Server-Sent Events frame encoded
// once.
type Delivery struct {
	Event
	once    sync.Once
	json    []byte
	sseOnce sync.Once
	sse     []byte
}

// JSON is the event encoded as JSON, the same bytes for every stream.
func (d *Delivery) JSON() []byte {
	d.once.Do(func() { d.json, _ = json.Marshal(d.Event) })
	return d.json
}

// SSE is the event as a Server-Sent Events frame named after its kind
// ("event: ticket\ndata: {…}\n\n"), the same bytes for every stream.
func (d *Delivery) SSE() []byte {
	d.sseOnce.Do(func() { d.sse = SSEFrame(d.Kind, d.JSON()) })
	return d.sse
}

// SSEFrame is one Server-Sent Events frame.
func SSEFrame(name string, data []byte) []byte {
	b := make([]byte, 0, len(name)+len(data)+16)
	b = append(append(append(append(b, "event: "...), name...), "\ndata: "...), data...)
	return append(b, "\n\n"...)
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

// streamWriteTimeout bounds a write to a browser whose socket buffer is
// full: a client that reads nothing for this long is disconnected (its
// EventSource reconnects).
const streamWriteTimeout = 15 * time.Second

var pingFrame = []byte(": ping\n\n")

// Stream subscribes w to the hub's events. If w is a net.Conn the stream
// owns it: it closes it when the stream ends, and the sweeper ends the
// stream when the other side closed. The stream lasts until Close, a
// failed write, a closed connection or the hub's shutdown.
func (h *Hub) Stream(w io.Writer, o StreamOptions) *Stream {
	// The stream starts busy, owned by its opener: no event is written
	// before the opening.
	s := &Stream{h: h, w: w, o: o, done: make(chan struct{}), busy: true}
	s.conn, _ = w.(net.Conn)
	if s.conn != nil {
		s.raw = rawConn(s.conn)
	}
	h.mu.Lock()
	h.streamN++
	s.slot = h.streamN
	if h.shards == nil {
		h.startShards()
	}
	s.sh = h.shards[int(s.slot)%len(h.shards)]
	h.mu.Unlock()
	s.sh.add(s)
	h.sweepOnce.Do(func() { go h.sweep() })
	select {
	case <-h.done: // shut down: the sweeper may have ended the others already
		s.end()
		return s
	default:
	}
	var open []byte
	if o.Open != nil {
		open = o.Open()
	}
	if s.raw != nil && len(open) > 0 {
		s.send(newNBWriter(), open)
		return s
	}
	s.mu.Lock()
	s.rest = append(s.rest, open...)
	s.releaseLocked()
	s.mu.Unlock()
	return s
}

// Done is closed when the stream has ended.
func (s *Stream) Done() <-chan struct{} { return s.done }

// Close ends the stream and waits for its writer goroutine, if one runs
// (a write that never waits may still finish on the closed connection).
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
	s.queue, s.rest = nil, nil
	s.mu.Unlock()
	s.sh.remove(s)
	if s.conn != nil {
		_ = s.conn.Close()
	}
	// Closed runs before Done closes, so whoever saw Done knows the
	// stream's Closed has run (a ticket page's Left is published).
	if s.o.Closed != nil {
		s.o.Closed()
	}
	close(s.done)
}

// wants reports whether the stream takes events of kind.
func (s *Stream) wants(kind string) bool {
	if len(s.o.Kinds) == 0 {
		return true
	}
	for _, k := range s.o.Kinds {
		if k == kind {
			return true
		}
	}
	return false
}

// fan writes the frames of ds that s takes, in order, as one write that
// never waits; while the stream is busy (its writer is behind, or the
// sweeper is writing a ping) they queue instead. frames is the worker's
// scratch space; buf too.
func (s *Stream) fan(ds []*Delivery, w *nbWriter, frames [][]byte, buf []byte) ([][]byte, []byte) {
	frames = frames[:0]
	if s.dropping.Load() {
		return frames, buf // behind: it drops everything until it has said so
	}
	over := false // more than StreamQueue frames behind: drop the rest
	for _, d := range ds {
		if !s.wants(d.Kind) || s.o.Frame == nil {
			continue
		}
		if f := s.o.Frame(d); len(f) > 0 {
			if len(frames) == StreamQueue {
				over = true
				break
			}
			frames = append(frames, f)
		}
	}
	if len(frames) == 0 {
		return frames, buf
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return frames, buf
	}
	if s.busy || s.raw == nil {
		s.queueLocked(frames)
		if over {
			s.lost = true
			s.dropping.Store(true)
		}
		s.mu.Unlock()
		return frames, buf
	}
	s.busy = true
	if over {
		s.lost = true
		s.dropping.Store(true)
	}
	s.mu.Unlock()
	b := frames[0]
	if len(frames) > 1 {
		buf = buf[:0]
		for _, f := range frames {
			buf = append(buf, f...)
		}
		b = buf
	}
	n, err := w.try(s.raw, b)
	if err != nil {
		s.fail()
		return frames, buf
	}
	s.mu.Lock()
	if n < len(b) && !s.closed {
		// The socket is full: what it did not take waits for the writer
		// goroutine, up to StreamQueue frames as if they had queued.
		i := 0
		for n >= len(frames[i]) {
			n -= len(frames[i])
			i++
		}
		s.rest = append(s.rest, frames[i][n:]...)
		s.queue = append(s.queue, frames[i+1:]...)
	}
	s.releaseLocked()
	s.mu.Unlock()
	return frames, buf
}

// fail ends the stream after a failed write by its owner.
func (s *Stream) fail() {
	s.mu.Lock()
	s.busy = false
	s.mu.Unlock()
	s.end()
}

// queueLocked queues frames for the stream's writer, dropping what does
// not fit (the stream then says Lost, and drops everything until it has),
// and starts the writer unless one runs; s.mu is held.
func (s *Stream) queueLocked(frames [][]byte) {
	for _, f := range frames {
		if s.lost || len(s.queue) >= StreamQueue {
			s.lost = true
			s.dropping.Store(true)
			break
		}
		s.queue = append(s.queue, f)
	}
	if !s.busy {
		s.busy = true
		s.startWriter()
	}
}

// send writes b without waiting while the caller owns the stream (busy);
// what the socket does not take, and whatever queued meanwhile, goes to
// the writer goroutine.
func (s *Stream) send(w *nbWriter, b []byte) {
	n, err := w.try(s.raw, b)
	if err != nil {
		s.fail()
		return
	}
	s.mu.Lock()
	if n < len(b) && !s.closed {
		s.rest = append(s.rest, b[n:]...)
	}
	s.releaseLocked()
	s.mu.Unlock()
}

// releaseLocked gives up the stream, or hands it to the writer goroutine
// when something waits to be written; s.mu is held and s is busy.
func (s *Stream) releaseLocked() {
	if !s.closed && (len(s.rest) > 0 || len(s.queue) > 0 || s.ping || s.lost) {
		s.startWriter()
		return
	}
	s.busy = false
}

func (s *Stream) startWriter() {
	s.wg.Add(1)
	go s.write()
}

// beat writes a heartbeat (the sweeper calls it).
func (s *Stream) beat(w *nbWriter) {
	if s.o.Beat != nil {
		s.o.Beat()
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	if s.busy || s.raw == nil {
		s.ping = true
		if !s.busy {
			s.busy = true
			s.startWriter()
		}
		s.mu.Unlock()
		return
	}
	s.busy = true
	s.mu.Unlock()
	s.send(w, pingFrame)
}

// write is the writer goroutine: it writes, waiting up to
// streamWriteTimeout each time, what is left and what queued until
// nothing is, then gives the stream up.
func (s *Stream) write() {
	defer s.wg.Done()
	var buf []byte
	deadline := false
	for {
		s.mu.Lock()
		if s.closed {
			s.busy = false
			s.mu.Unlock()
			return
		}
		buf = append(buf[:0], s.rest...)
		s.rest = s.rest[:0]
		for _, f := range s.queue {
			buf = append(buf, f...)
		}
		clear(s.queue)
		s.queue = s.queue[:0]
		if s.lost {
			buf = append(buf, s.o.Lost...)
			s.dropping.Store(false)
		}
		if s.ping {
			buf = append(buf, pingFrame...)
		}
		s.lost, s.ping = false, false
		if len(buf) == 0 && !deadline {
			s.busy = false
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		if len(buf) == 0 {
			// Caught up: the writes that never wait need no deadline
			// (one left behind would fail them), then look again.
			_ = s.conn.SetWriteDeadline(time.Time{})
			deadline = false
			continue
		}
		if s.conn != nil {
			_ = s.conn.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
			deadline = true
		}
		if _, err := s.w.Write(buf); err != nil {
			s.mu.Lock()
			s.busy = false
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
	w := newNBWriter()
	var due, check []*Stream
	for n := uint32(0); ; n++ {
		select {
		case <-h.done:
			for _, s := range h.allStreams() {
				s.end()
			}
			return
		case <-t.C:
		}
		due, check = due[:0], check[:0]
		for _, sh := range h.shardList() {
			sh.mu.Lock()
			for _, s := range sh.streams {
				if (s.slot+n)%streamSlots == 0 {
					due = append(due, s)
				}
				if n%liveEvery == 0 && s.conn != nil {
					check = append(check, s)
				}
			}
			sh.mu.Unlock()
		}
		for _, s := range check {
			if !connAlive(s.conn) {
				s.end()
			}
		}
		for _, s := range due {
			s.beat(w)
		}
		clear(due)
		clear(check)
	}
}
