// Package sla measures tickets against service-level agreements. Business
// calendars say when the clocks run (weekly hours in a time zone, minus
// holidays); ordered SLA policies pick, by ticket conditions, targets per
// priority for first reply, next reply, periodic update and resolution.
//
// A ticket's SLA state is never stored as truth: it is computed from the
// ticket's append-only event log (Compute), so it can always be explained
// event by event. What is stored, in sla_ticket_state, is only what the
// periodic sweep needs to stay cheap and idempotent: when each ticket next
// needs a look, and which warnings and breaches it has already recorded.
package sla

import (
	"context"
	"time"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/jobs"
	"github.com/ombud/ombud/internal/ticket"
)

// Ticket event types the sweep appends.
const (
	EvWarning  = "sla_warning"
	EvBreached = "sla_breached"
	// EvRetargeted records a priority change that moved running clocks'
	// targets: data {from_priority, to_priority, policy_id, clocks: [{metric,
	// episode, from_target, to_target, from_due, to_due}]}.
	EvRetargeted = "sla_retargeted"
)

// Job kinds and periodic names this package registers.
const (
	SweepName    = "sla.sweep"
	JobRecompute = "sla.recompute"
)

// Recorder appends an event to a ticket's history inside tx;
// ticket.Service.RecordTx satisfies it.
type Recorder interface {
	RecordTx(ctx context.Context, tx *db.Tx, actor authz.Actor, ticketID int64, typ string, data map[string]any) error
}

// Service manages business calendars and SLA policies and keeps tickets'
// SLA clocks.
type Service struct {
	db  *db.DB
	now func() time.Time
	rec Recorder
	// wake tells a job runner a recompute job is waiting (set by Register).
	wake func()
	// rules are the policies and calendars every ticket change consults,
	// kept in memory while the configuration stamp stands (db.Cached).
	rules *db.Cached[*rules]
}

// NewService returns the SLA service. rec records warnings and breaches in
// the ticket history.
func NewService(d *db.DB, now func() time.Time, rec Recorder) *Service {
	return &Service{db: d, now: now, rec: rec, rules: db.NewCached(func(ctx context.Context, tx *db.Tx) (*rules, error) {
		return loadRules(ctx, tx)
	})}
}

// Register schedules the sweep every minute on r and handles the
// recomputation jobs that policy and calendar changes enqueue.
func (s *Service) Register(r *jobs.Runner) {
	s.wake = r.Wake
	r.Every(SweepName, time.Minute, func(ctx context.Context, now time.Time) error {
		_, err := s.Sweep(ctx, now)
		return err
	})
	r.Handle(JobRecompute, s.recompute)
}

// The ticket service calls the SLA service inside every change.
var _ ticket.EventHook = (*Service)(nil)
