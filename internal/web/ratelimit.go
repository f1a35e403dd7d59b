package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/ombud/ombud/internal/apperr"
)

// rateLimiter limits API requests per key (a token, an agent's session, a
// client address) with the generic cell rate algorithm: each key keeps one
// time, the moment its bucket would be empty again, so a key costs a map
// entry and a limit of N per minute allows a burst of N and then one every
// minute/N. Limits are per instance (see docs/api.md).
type rateLimiter struct {
	perMinute int
	interval  time.Duration // one request's share of the minute
	mu        sync.Mutex
	tat       map[string]time.Time // theoretical arrival time per key
	swept     time.Time
}

func newRateLimiter(perMinute int) *rateLimiter {
	if perMinute <= 0 {
		return nil
	}
	return &rateLimiter{perMinute: perMinute, interval: time.Minute / time.Duration(perMinute), tat: map[string]time.Time{}}
}

// rateState is what the RateLimit-* headers say after one request.
type rateState struct {
	limit, remaining int
	reset            time.Duration // until the bucket is full again
	retryAfter       time.Duration // > 0: refused, retry after this
}

// take counts one request of key at now.
func (l *rateLimiter) take(key string, now time.Time) rateState {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		// A key whose bucket has refilled holds nothing worth keeping.
		for k, t := range l.tat {
			if !t.After(now) {
				delete(l.tat, k)
			}
		}
		l.swept = now
	}
	tat := l.tat[key]
	if tat.Before(now) {
		tat = now
	}
	burst := time.Minute - l.interval // how far ahead of now the bucket may run
	if tat.Sub(now) > burst {
		return rateState{limit: l.perMinute, remaining: 0, reset: tat.Sub(now), retryAfter: tat.Sub(now) - burst}
	}
	tat = tat.Add(l.interval)
	l.tat[key] = tat
	used := tat.Sub(now)
	return rateState{limit: l.perMinute, remaining: int((time.Minute - used) / l.interval), reset: used}
}

// tighter returns the state closer to its limit.
func tighter(a, b rateState, okA, okB bool) (rateState, bool) {
	switch {
	case !okA:
		return b, okB
	case !okB:
		return a, true
	case b.retryAfter > a.retryAfter || (a.retryAfter == 0 && b.retryAfter == 0 && b.remaining < a.remaining):
		return b, true
	}
	return a, true
}

// setRateHeaders writes the RateLimit header fields (the IETF httpapi
// draft's names, which GitHub-style clients also read) for st.
func setRateHeaders(h http.Header, st rateState) {
	h.Set("RateLimit-Limit", strconv.Itoa(st.limit))
	h.Set("RateLimit-Remaining", strconv.Itoa(st.remaining))
	h.Set("RateLimit-Reset", strconv.Itoa(ceilSeconds(st.reset)))
	h.Set("RateLimit-Policy", fmt.Sprintf("%d;w=60", st.limit))
	if st.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(ceilSeconds(st.retryAfter)))
	}
}

func ceilSeconds(d time.Duration) int {
	return int((d + time.Second - 1) / time.Second)
}

// rateRefusal is the 429 a refused request gets.
func rateRefusal(st rateState, what string) error {
	return apperr.RateLimited(fmt.Sprintf("too many requests: at most %d per minute for this %s; retry after %d s", st.limit, what, ceilSeconds(st.retryAfter)))
}

// credentialKey names the bucket of a request's credential: the token
// itself (hashed, so the map holds no secrets) or the signed-in agent.
func credentialKey(r *http.Request, agentID int64) string {
	if h := r.Header.Get("Authorization"); h != "" {
		sum := sha256.Sum256([]byte(h))
		return "t:" + hex.EncodeToString(sum[:12])
	}
	return "a:" + strconv.FormatInt(agentID, 10)
}
