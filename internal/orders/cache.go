package orders

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ombud/ombud/internal/db"
)

// The shop's answers are kept per customer (Query.Customer; a query
// without one is not cached) for CacheTTL (docs/orders.md,
// "Lookups and the cache"): reopening a ticket, or the panel reloading
// after a change on the ticket, does not ask the shop again. Only answers
// are kept, never a failure, so a shop that comes back is asked at once.
// A case opened or moved on one of the customer's tickets drops their
// entry (the shop's refund or return changes the orders); saving the
// settings drops them all. The cache is per process: another instance
// sees a change after CacheTTL at most.

// maxCached bounds the cache; when full, expired entries go, and if that
// is not enough, all of them.
const maxCached = 10000

type cacheKey struct {
	customer             int64
	email, phone, number string
}

type cacheEntry struct {
	orders []Order
	until  time.Time
}

type lookupCache struct {
	mu      sync.Mutex
	entries map[cacheKey]cacheEntry
}

func (c *lookupCache) get(k cacheKey, now time.Time) ([]Order, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok || !now.Before(e.until) {
		return nil, false
	}
	return e.orders, true
}

func (c *lookupCache) put(k cacheKey, list []Order, until time.Time, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[cacheKey]cacheEntry{}
	}
	if _, ok := c.entries[k]; !ok && len(c.entries) >= maxCached {
		for k, e := range c.entries {
			if !now.Before(e.until) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= maxCached {
			clear(c.entries)
		}
	}
	c.entries[k] = cacheEntry{orders: list, until: until}
}

// forget drops a customer's answers; customer 0 drops every answer.
func (c *lookupCache) forget(customer int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.entries {
		if customer == 0 || k.customer == customer {
			delete(c.entries, k)
		}
	}
}

// cached is a fresh answer for q, if the cache holds one.
func (s *Service) cached(q Query) ([]Order, bool) {
	if !s.caches(q) {
		return nil, false
	}
	return s.cache.get(keyOf(q), s.now())
}

// caches reports whether answers to q are kept: those of a known
// customer, whose cases drop them.
func (s *Service) caches(q Query) bool { return s.CacheTTL > 0 && q.Customer != 0 }

func keyOf(q Query) cacheKey {
	return cacheKey{customer: q.Customer, email: q.Email, phone: q.Phone, number: q.Number}
}

// Forget drops the cached answers of a customer (0: of everyone).
func (s *Service) Forget(customer int64) { s.cache.forget(customer) }

// requesterOf is a ticket's requester, whose cached orders a case on the
// ticket makes stale.
func requesterOf(ctx context.Context, tx *db.Tx, ticketID int64) (int64, error) {
	var id int64
	if err := tx.QueryRowContext(ctx, `SELECT requester_id FROM tickets WHERE id = ?`, ticketID).Scan(&id); err != nil {
		return 0, fmt.Errorf("orders: requester of ticket %d: %w", ticketID, err)
	}
	return id, nil
}
