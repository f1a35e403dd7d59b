package live

import (
	"runtime"
	"sync"
)

// A shard is a share of the hub's streams with one worker goroutine that
// writes each change to them. The hub has one shard per CPU
// (GOMAXPROCS), so a change reaches ten thousand open tabs with every
// core writing at once; the publisher only appends the change to each
// shard's pending list and wakes the workers.
type shard struct {
	h       *Hub
	mu      sync.Mutex
	streams []*Stream   // Stream.idx is the place of each
	pending []*Delivery // published, not yet written
	wake    chan struct{}
}

// startShards makes the shards and starts their workers; h.mu is held.
func (h *Hub) startShards() {
	n := max(1, runtime.GOMAXPROCS(0))
	h.shards = make([]*shard, n)
	for i := range h.shards {
		sh := &shard{h: h, wake: make(chan struct{}, 1)}
		h.shards[i] = sh
		go sh.run()
	}
}

// shardList is the hub's shards (none before the first stream).
func (h *Hub) shardList() []*shard {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.shards
}

// allStreams lists every open stream.
func (h *Hub) allStreams() []*Stream {
	var all []*Stream
	for _, sh := range h.shardList() {
		sh.mu.Lock()
		all = append(all, sh.streams...)
		sh.mu.Unlock()
	}
	return all
}

func (sh *shard) add(s *Stream) {
	sh.mu.Lock()
	s.idx = len(sh.streams)
	sh.streams = append(sh.streams, s)
	sh.mu.Unlock()
}

func (sh *shard) remove(s *Stream) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	i := s.idx
	if i < 0 || i >= len(sh.streams) || sh.streams[i] != s {
		return
	}
	last := len(sh.streams) - 1
	sh.streams[i] = sh.streams[last]
	sh.streams[i].idx = i
	sh.streams[last] = nil
	sh.streams = sh.streams[:last]
	s.idx = -1
}

// post hands d to the shard's worker; the hub calls it under h.mu, in
// publishing order, so every shard sees the same order.
func (sh *shard) post(d *Delivery) {
	sh.mu.Lock()
	if len(sh.streams) == 0 {
		sh.mu.Unlock()
		return
	}
	sh.pending = append(sh.pending, d)
	sh.mu.Unlock()
	select {
	case sh.wake <- struct{}{}:
	default: // already woken: it takes everything pending
	}
}

// run is the shard's worker: it takes everything published since it
// last looked (a burst arrives as one batch: one write per stream) and
// writes it to each of its streams in turn, never waiting for a socket.
func (sh *shard) run() {
	w := newNBWriter()
	var (
		list   []*Stream
		ds     []*Delivery
		frames [][]byte
		buf    []byte
	)
	for {
		select {
		case <-sh.h.done:
			return
		case <-sh.wake:
		}
		sh.mu.Lock()
		ds, sh.pending = sh.pending, ds[:0]
		list = append(list[:0], sh.streams...)
		sh.mu.Unlock()
		if len(ds) == 0 {
			continue
		}
		for _, s := range list {
			frames, buf = s.fan(ds, w, frames, buf)
		}
		clear(list)
		clear(ds)
		clear(frames[:cap(frames)])
		if cap(buf) > 1<<20 {
			buf = nil
		}
	}
}
