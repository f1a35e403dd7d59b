// Package routing hands a team's new tickets to its agents: round robin,
// least load or by skills, within each agent's capacity and only to agents
// who are online when the team asks for that. It returns an offline agent's
// tickets to the queue when the team says so, and escalates tickets that wait
// unanswered too long to a lead or another team.
//
// A ticket nobody eligible has room for stays unassigned and waits: the
// team's backlog is routed, oldest first, when room is made (an agent comes
// online, a ticket leaves an agent's load) and by the minute sweep, which
// also escalates.
//
// Routing never writes a ticket itself: it hears ticket events inside their
// transaction (ticket.EventHook), queues a job there, and the job assigns
// through the ticket service as the system actor "Routing", so every routed
// assignment is an ordinary event in the ticket's history.
//
// Load is the number of tickets assigned to an agent in status new, open or
// pending (on hold waits on a third party and takes no work from the agent
// until it comes back, so it does not count), across all teams.
//
// Skills are matched as "kind:value" strings on the agent (see agent.Agent):
//
//	lang:<language>   the ticket's language, e.g. lang:nb (a regional tag such
//	                  as pt-br also matches lang:pt)
//	channel:<channel> the ticket's channel, e.g. channel:chat
//	type:<type>       the ticket's type, e.g. type:incident
//	<kind>:<value>    a ticket tag that already looks like a skill, e.g. the
//	                  tag product:billing matches the skill product:billing
//	tag:<tag>         any other ticket tag
//
// A language match weighs most (an answer in the wrong language is the worst
// miss), then tags and products, then channel and type.
package routing

import (
	"context"
	"log/slog"
	"time"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/jobs"
	"github.com/ombud/ombud/internal/ticket"
)

// Method is how a team's tickets reach its agents.
type Method string

// Routing methods.
const (
	Manual     Method = "manual" // nobody routes; agents pick tickets themselves
	RoundRobin Method = "round_robin"
	LeastLoad  Method = "least_load"
	Skills     Method = "skills"
)

// Methods lists every method, for validation.
var Methods = []Method{Manual, RoundRobin, LeastLoad, Skills}

// Offline policies: what happens to an agent's tickets when they go offline.
const (
	OfflineKeep   = "keep"
	OfflineReturn = "return"
)

// Job kinds and the periodic sweep's name.
const (
	KindAssign     = "routing.assign"     // route one ticket
	KindReturn     = "routing.return"     // unassign an offline agent's tickets
	KindEscalation = "routing.escalation" // apply one escalation
	KindBacklog    = "routing.backlog"    // route the tickets waiting unassigned
	SweepName      = "routing.escalate"   // the periodic sweep: escalations, then the backlog
)

// EvEscalated is the ticket event an escalation appends.
const EvEscalated = "escalated"

// DefaultCapacity is a team's per-agent capacity unless set.
const DefaultCapacity = 10

// claimTTL bounds how long a claim reserves an agent's slot: a claim is
// removed as soon as its assignment commits or fails, so only an instance
// that died in between leaves one behind. It matches the jobs lease, after
// which the assign job runs again anyway.
const claimTTL = jobs.DefaultLease

// loadStatuses are the statuses that count towards an agent's load.
const loadStatuses = `('new','open','pending')`

// Actor is who routing acts as in ticket histories.
var Actor = authz.Actor{Kind: authz.KindSystem, Name: "Routing"}

// Tickets is what routing needs of the ticket service (ticket.Service).
type Tickets interface {
	Get(ctx context.Context, actor authz.Actor, id int64) (ticket.Ticket, error)
	GetTx(ctx context.Context, tx *db.Tx, id int64) (ticket.Ticket, error)
	Update(ctx context.Context, actor authz.Actor, id int64, p ticket.Patch) (ticket.Ticket, error)
	RecordTx(ctx context.Context, tx *db.Tx, actor authz.Actor, ticketID int64, typ string, data map[string]any) error
}

// Shifts says which agents are off shift at a moment (internal/schedule):
// an agent with a schedule is offered tickets only while on shift. Agents
// without a schedule are never in the answer. q is the routing transaction.
type Shifts interface {
	OffShift(ctx context.Context, q db.Querier, agentIDs []int64, at time.Time) (map[int64]bool, error)
}

// Service routes tickets and keeps the routing settings.
type Service struct {
	db      *db.DB
	now     func() time.Time
	tickets Tickets
	log     *slog.Logger
	shifts  Shifts // nil: nobody's schedule is checked
	// wake tells this process's job runner a job was committed; set by Register.
	wake func()
}

// NewService returns a routing service. Register it as a ticket event hook
// (tickets.AddHook) and its jobs on the runner (Register).
func NewService(d *db.DB, now func() time.Time, tickets Tickets, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: d, now: now, tickets: tickets, log: log, wake: func() {}}
}

// UseShifts makes routing skip agents who are off shift. Call before serving.
func (s *Service) UseShifts(sh Shifts) { s.shifts = sh }

// Register adds routing's job handlers and the escalation sweep to r. Call
// before r.Run.
func (s *Service) Register(r *jobs.Runner) {
	s.wake = r.Wake
	r.Handle(KindAssign, s.handleAssign)
	r.Handle(KindReturn, s.handleReturn)
	r.Handle(KindEscalation, s.handleEscalation)
	r.Handle(KindBacklog, s.handleBacklog)
	r.Every(SweepName, time.Minute, s.sweep)
}

// enqueue queues a routing job in tx and wakes the local runner once tx commits.
func (s *Service) enqueue(ctx context.Context, tx *db.Tx, n jobs.New) error {
	inserted, err := jobs.Enqueue(ctx, tx, s.now(), n)
	if err != nil {
		return err
	}
	if inserted {
		tx.AfterCommit(s.wake)
	}
	return nil
}
