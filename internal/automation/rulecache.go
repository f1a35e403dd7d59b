package automation

import (
	"context"
	"sync"

	"github.com/ombud/ombud/internal/db"
)

// triggerCache keeps the active triggers, read and compiled, for the
// trigger jobs: each job used to read every active rule, decode its JSON,
// open its sealed webhook URLs and compile its conditions and actions. The
// rules are loaded again whenever the configuration stamp (migration 0068,
// moved by every transaction that changes automation_rules, on any
// instance) differs from the one they were loaded at, so a change
// committed anywhere is seen by the next job that starts after it.
type triggerCache struct {
	mu    sync.Mutex
	stamp int64
	ok    bool
	rules []Rule
	loads int
}

// activeTriggers returns the active triggers in order. The slice and the
// rules are shared between jobs: callers must not modify them.
func (s *Service) activeTriggers(ctx context.Context) ([]Rule, error) {
	n, err := db.ReadConfigStamp(ctx, s.db)
	if err != nil {
		return nil, err
	}
	c := &s.triggers
	c.mu.Lock()
	if c.ok && c.stamp == n {
		rules := c.rules
		c.mu.Unlock()
		return rules, nil
	}
	c.mu.Unlock()
	// Read after the stamp, the rules are at least as new as it.
	rules, err := s.listRules(ctx, s.db, KindTrigger, true)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.rules, c.stamp, c.ok = rules, n, true
	c.loads++
	c.mu.Unlock()
	return rules, nil
}

// TriggerLoads reports how often the trigger jobs read the active triggers
// from the database (tests).
func (s *Service) TriggerLoads() int {
	s.triggers.mu.Lock()
	defer s.triggers.mu.Unlock()
	return s.triggers.loads
}
