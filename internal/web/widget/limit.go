package widget

import (
	"sync"
	"time"
)

// limiter allows n events per key in each window (fixed windows): enough
// to stop a script flooding chats or messages without a shared store.
// Each instance counts its own traffic.
type limiter struct {
	n      int
	window time.Duration
	mu     sync.Mutex
	counts map[string]*windowCount
	swept  time.Time
}

type windowCount struct {
	start time.Time
	n     int
}

func newLimiter(n int, window time.Duration) *limiter {
	return &limiter{n: n, window: window, counts: map[string]*windowCount{}}
}

// allow counts one event for key and reports whether it is within the limit.
func (l *limiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > l.window {
		for k, c := range l.counts {
			if now.Sub(c.start) >= l.window {
				delete(l.counts, k)
			}
		}
		l.swept = now
	}
	c := l.counts[key]
	if c == nil || now.Sub(c.start) >= l.window {
		c = &windowCount{start: now}
		l.counts[key] = c
	}
	c.n++
	return c.n <= l.n
}
