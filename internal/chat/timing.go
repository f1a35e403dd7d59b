package chat

import (
	"sync"
	"time"
)

// Stages of a visitor's message on its way to the agents' consoles, timed
// for every message (the ombud_chat_message_stage_seconds histograms;
// docs/benchmarks.md, docs/metrics.md):
const (
	// StageQueue: from the send arriving to its transaction's first
	// statement (the wait for the writer: SQLite's group-commit queue, a
	// PostgreSQL connection).
	StageQueue = "queue"
	// StageTx: the transaction's statements (ticket comment, event log,
	// hooks, the chat message).
	StageTx = "tx"
	// StageCommit: from the statements' end to the commit having returned
	// (on SQLite the rest of the group's writes and the fsync).
	StageCommit = "commit"
	// StageTicketNotice: the ticket service's after-commit notice that
	// runs before the chat's own (the live hub's ticket event).
	StageTicketNotice = "ticket_notice"
	// StagePublish: the chat notice handed to this instance's streams and
	// queued for the other instances.
	StagePublish = "publish"
	// StageStream: from the notice's publication to its event being
	// flushed on an agent's console stream (once per stream).
	StageStream = "stream"
)

// Stages lists the stages in path order.
var Stages = []string{StageQueue, StageTx, StageCommit, StageTicketNotice, StagePublish, StageStream}

// TimingBuckets are the histograms' upper bounds, in seconds.
var TimingBuckets = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}

// Timings counts how long each stage of the message path takes.
type Timings struct {
	mu sync.Mutex
	h  map[string]*Histogram
}

// Histogram is one stage's distribution: Counts[i] is how many took at
// most TimingBuckets[i] (cumulative), Count all of them, Sum their total
// in seconds.
type Histogram struct {
	Counts []uint64
	Count  uint64
	Sum    float64
}

func newTimings() *Timings {
	t := &Timings{h: map[string]*Histogram{}}
	for _, s := range Stages {
		t.h[s] = &Histogram{Counts: make([]uint64, len(TimingBuckets))}
	}
	return t
}

// Observe adds one duration to a stage.
func (t *Timings) Observe(stage string, d time.Duration) {
	sec := d.Seconds()
	t.mu.Lock()
	defer t.mu.Unlock()
	h := t.h[stage]
	if h == nil {
		return
	}
	for i, b := range TimingBuckets {
		if sec <= b {
			h.Counts[i]++
		}
	}
	h.Count++
	h.Sum += sec
}

// Snapshot copies every stage's histogram.
func (t *Timings) Snapshot() map[string]Histogram {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[string]Histogram, len(t.h))
	for s, h := range t.h {
		out[s] = Histogram{Counts: append([]uint64(nil), h.Counts...), Count: h.Count, Sum: h.Sum}
	}
	return out
}
