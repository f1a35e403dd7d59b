package sla

import (
	"context"
	"time"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/ticket"
)

// Metric statuses.
const (
	StatusActive   = "active"   // the clock runs
	StatusPaused   = "paused"   // the clock waits (pending, on hold)
	StatusAchieved = "achieved" // ended within the target
	StatusBreached = "breached" // the target fell before the episode ended (or it runs on past it)
)

// warnPercent is when a running metric is warned about.
const warnPercent = 75

// Input is everything one ticket's SLA state is computed from.
type Input struct {
	Ticket ticket.Ticket
	// Events is the ticket's history in sequence order. Only created,
	// comment_added and status_changed matter; events a merge moved here
	// from another ticket (OriginTicketID set) belong to that ticket's
	// clocks and are ignored.
	Events []ticket.Event
	// Policy applies to the ticket; nil means none does.
	Policy *Policy
	// Calendar is the calendar of the target for the ticket's current
	// priority when it counts business hours; nil or a target without
	// business hours means 24/7.
	Calendar *Calendar
	// Calendars holds the business calendars by id, for the targets of
	// priorities the ticket had before (see Compute); a missing one
	// counts 24/7.
	Calendars map[int64]*Calendar
	Now       time.Time
}

// State is a ticket's SLA at one moment: one entry per measured metric,
// the current episode of each.
type State struct {
	TicketID      int64     `json:"ticket_id"`
	PolicyID      *int64    `json:"policy_id"`
	PolicyName    string    `json:"policy_name,omitempty"`
	Priority      string    `json:"priority"`
	BusinessHours bool      `json:"business_hours"`
	CalendarID    *int64    `json:"calendar_id"`
	At            time.Time `json:"at"`
	Metrics       []Metric  `json:"metrics"`
	// all holds every episode (past ones too), for the sweep to find
	// breaches of episodes that ended before it recorded them.
	all []Metric
}

// Metric returns the current episode of one metric, if measured.
func (s State) Metric(name string) (Metric, bool) {
	for _, m := range s.Metrics {
		if m.Metric == name {
			return m, true
		}
	}
	return Metric{}, false
}

// Metric is one episode of one metric: first_reply and resolution have one
// per ticket; next_reply one per customer message that waits for an answer;
// periodic_update one per public agent reply. Episode is the sequence
// number of the event that started it. The durations appear twice: as
// time.Duration for Go callers and, in JSON, as a target string and whole
// seconds.
type Metric struct {
	Metric           string        `json:"metric"`
	Episode          int64         `json:"episode"`
	Status           string        `json:"status"`
	Target           time.Duration `json:"-"`
	TargetText       string        `json:"target"` // "1h30m"
	StartedAt        time.Time     `json:"started_at"`
	DueAt            *time.Time    `json:"due_at"` // when the target is (or was) reached; null while paused
	Elapsed          time.Duration `json:"-"`
	ElapsedSeconds   int64         `json:"elapsed_seconds"`
	Remaining        time.Duration `json:"-"` // Target − Elapsed; negative once overdue
	RemainingSeconds int64         `json:"remaining_seconds"`
	BreachedAt       *time.Time    `json:"breached_at"`
	CompletedAt      *time.Time    `json:"completed_at"` // when the episode ended (a reply, solving)
	warnAt           time.Time     // when 75% is (or was) reached; zero while paused before it
}

// segment is a stretch in which a clock ran; end is zero while it runs.
type segment struct{ start, end time.Time }

// episode is one run of one metric's clock through the ticket's history.
type episode struct {
	metric string
	id     int64
	start  time.Time
	segs   []segment
	ended  time.Time
}

func newEpisode(metric string, id int64, at time.Time) *episode {
	return &episode{metric: metric, id: id, start: at}
}

func (e *episode) running() bool { return len(e.segs) > 0 && e.segs[len(e.segs)-1].end.IsZero() }
func (e *episode) done() bool    { return !e.ended.IsZero() }

func (e *episode) run(at time.Time) {
	e.ended = time.Time{}
	if !e.running() {
		e.segs = append(e.segs, segment{start: at})
	}
}

func (e *episode) pause(at time.Time) {
	if e.running() {
		e.segs[len(e.segs)-1].end = at
	}
}

func (e *episode) finish(at time.Time) {
	if e.done() {
		return
	}
	e.pause(at)
	e.ended = at
}

func unsolved(s ticket.Status) bool { return s.Unsolved() }

// resolutionRuns: pending waits on the customer, on hold on a third party;
// neither counts against resolution.
func resolutionRuns(s ticket.Status) bool { return s == ticket.StatusNew || s == ticket.StatusOpen }

// periodicRuns: while pending the customer owes us an answer, so no update
// is due; on hold the customer still expects news.
func periodicRuns(s ticket.Status) bool { return unsolved(s) && s != ticket.StatusPending }

// replay walks the event log and builds every episode. The rules:
//
//   - first_reply runs from creation until the first public agent comment or
//     until the ticket is solved. It does not pause. A ticket whose
//     description an agent wrote (a logged phone call, public or not) has
//     no first-reply clock: the agent's own write-up is the first touch.
//   - next_reply starts at a customer message when no reply clock is open
//     (so the oldest unanswered message sets it) and ends at the next public
//     agent comment or when the ticket is solved. A message on a solved
//     ticket starts it when the ticket reopens.
//   - periodic_update starts at each public agent comment and ends at the
//     next one or when the ticket is solved; it pauses while pending.
//   - resolution runs from creation until solved, pausing while pending or
//     on hold; reopening resumes it with the time already spent.
//
// Internal notes and system comments never touch a clock.
type replay struct {
	status     ticket.Status
	first      *episode
	next       []*episode
	periodic   []*episode
	resolution *episode
	sawComment bool
	// waiting is a customer message that arrived while the ticket was
	// solved; its next_reply episode starts if the ticket reopens.
	waiting *ticket.Event
}

func (r *replay) openNext() *episode {
	if n := len(r.next); n > 0 && !r.next[n-1].done() {
		return r.next[n-1]
	}
	return nil
}

func (r *replay) lastPeriodic() *episode {
	if n := len(r.periodic); n > 0 && !r.periodic[n-1].done() {
		return r.periodic[n-1]
	}
	return nil
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func newReplay(t ticket.Ticket, events []ticket.Event) *replay {
	r := &replay{status: ticket.StatusNew}
	created := false
	for i := range events {
		e := &events[i]
		if e.OriginTicketID != 0 {
			continue
		}
		switch e.Type {
		case ticket.EvCreated:
			created = true
			if s := ticket.Status(str(e.Data, "status")); s != "" {
				r.status = s
			}
			r.start(e.Seq, e.At)
		case ticket.EvCommentAdded:
			if !created {
				created = true
				r.start(1, t.CreatedAt)
			}
			r.comment(e)
		case ticket.EvStatusChanged:
			if !created {
				created = true
				r.start(1, t.CreatedAt)
			}
			r.statusChanged(ticket.Status(str(e.Data, "to")), e.At)
		}
	}
	if !created {
		r.start(1, t.CreatedAt)
	}
	return r
}

func (r *replay) start(seq int64, at time.Time) {
	r.first = newEpisode(FirstReply, seq, at)
	r.resolution = newEpisode(Resolution, seq, at)
	switch {
	case resolutionRuns(r.status):
		r.first.run(at)
		r.resolution.run(at)
	case unsolved(r.status):
		r.first.run(at)
	default: // created solved
		r.first.finish(at)
		r.resolution.finish(at)
	}
}

func (r *replay) comment(e *ticket.Event) {
	author := str(e.Data, "author_type")
	public, _ := e.Data["public"].(bool)
	description := !r.sawComment
	r.sawComment = true
	if description && author == "agent" {
		r.first = nil
	}
	switch {
	case author == "agent" && public:
		if r.first != nil {
			r.first.finish(e.At)
		}
		if n := r.openNext(); n != nil {
			n.finish(e.At)
		}
		r.waiting = nil
		if p := r.lastPeriodic(); p != nil {
			p.finish(e.At)
		}
		if unsolved(r.status) {
			p := newEpisode(PeriodicUpdate, e.Seq, e.At)
			if periodicRuns(r.status) {
				p.run(e.At)
			}
			r.periodic = append(r.periodic, p)
		}
	case author == "customer" && !description:
		if !unsolved(r.status) {
			if r.waiting == nil {
				r.waiting = e
			}
			return
		}
		r.customerWaits(e.Seq, e.At)
	}
}

// customerWaits starts a next_reply episode unless a reply clock is open.
func (r *replay) customerWaits(seq int64, at time.Time) {
	if (r.first != nil && !r.first.done()) || r.openNext() != nil {
		return
	}
	n := newEpisode(NextReply, seq, at)
	n.run(at)
	r.next = append(r.next, n)
}

func (r *replay) statusChanged(to ticket.Status, at time.Time) {
	if to == "" || to == r.status {
		return
	}
	from := r.status
	r.status = to
	switch {
	case resolutionRuns(to):
		r.resolution.run(at)
	case unsolved(to):
		r.resolution.pause(at)
		r.resolution.ended = time.Time{} // reopened into pending or on hold
	case unsolved(from): // solved (or closed straight from a working state)
		r.resolution.finish(at)
		if r.first != nil {
			r.first.finish(at)
		}
		if n := r.openNext(); n != nil {
			n.finish(at)
		}
		if p := r.lastPeriodic(); p != nil {
			p.finish(at)
		}
	}
	if !unsolved(from) && unsolved(to) && r.waiting != nil {
		w := r.waiting
		r.waiting = nil
		r.customerWaits(w.Seq, w.At)
	}
	if p := r.lastPeriodic(); p != nil && unsolved(to) {
		if periodicRuns(to) {
			p.run(at)
		} else {
			p.pause(at)
		}
	}
}

// measure turns an episode into a Metric against goal on cal at now.
func measure(e *episode, goal time.Duration, cal *Calendar, now time.Time) Metric {
	m := Metric{Metric: e.metric, Episode: e.id, Target: goal, StartedAt: e.start}
	warnGoal := goal * warnPercent / 100
	var cum time.Duration
	var breach, due time.Time
	for i, s := range e.segs {
		end := s.end
		if end.IsZero() {
			end = now
		}
		d := cal.Elapsed(s.start, end)
		if breach.IsZero() && cum+d >= goal {
			breach = cal.Add(s.start, goal-cum)
		}
		if m.warnAt.IsZero() && cum+d >= warnGoal {
			m.warnAt = cal.Add(s.start, warnGoal-cum)
		}
		if i == len(e.segs)-1 && breach.IsZero() {
			// When the target falls if this stretch goes on (for a
			// running clock, its due time; for an ended one, what it was).
			due = cal.Add(s.start, goal-cum)
			if m.warnAt.IsZero() && s.end.IsZero() {
				m.warnAt = cal.Add(s.start, warnGoal-cum)
			}
		}
		cum += d
	}
	if !breach.IsZero() && e.done() && e.ended.Equal(breach) {
		// Answered at the very moment the target fell: that meets it.
		due, breach = breach, time.Time{}
	}
	m.Elapsed = cum
	m.Remaining = goal - cum
	m.TargetText = FormatTarget(goal)
	m.ElapsedSeconds = int64(m.Elapsed / time.Second)
	m.RemainingSeconds = int64(m.Remaining / time.Second)
	if e.done() {
		at := e.ended
		m.CompletedAt = &at
	}
	switch {
	case !breach.IsZero():
		m.Status = StatusBreached
		m.BreachedAt = &breach
		m.DueAt = &breach
	case e.done():
		m.Status = StatusAchieved
		if !due.IsZero() {
			m.DueAt = &due
		}
	case e.running():
		m.Status = StatusActive
		m.DueAt = &due
	default:
		m.Status = StatusPaused
	}
	return m
}

// Compute derives a ticket's SLA state from its event log: the pure core
// of TicketSLA, Refresh and Sweep. Targets come from the policy's entry for
// the priority in force and count from each episode's start. A priority
// change re-targets only the clocks still undecided at that moment: an
// episode that had already ended within its target (achieved) or passed it
// (breached) keeps that outcome, measured against the target of the
// priority it was decided under (docs/metrics.md, "SLA outcomes are
// final").
func Compute(in Input) State {
	st := State{TicketID: in.Ticket.ID, Priority: in.Ticket.Priority, At: in.Now, Metrics: []Metric{}}
	if in.Policy == nil {
		return st
	}
	pid := in.Policy.ID
	st.PolicyID = &pid
	st.PolicyName = in.Policy.Name
	if target, ok := in.Policy.Targets[in.Ticket.Priority]; ok && target.BusinessHours && in.calendar(in.Ticket.Priority) != nil {
		st.BusinessHours = true
		st.CalendarID = target.CalendarID
	}
	spans := prioritySpans(in.Ticket, in.Events)
	r := newReplay(in.Ticket, in.Events)
	for _, name := range Metrics {
		var eps []*episode
		switch name {
		case FirstReply:
			if r.first != nil {
				eps = []*episode{r.first}
			}
		case NextReply:
			eps = r.next
		case PeriodicUpdate:
			eps = r.periodic
		case Resolution:
			eps = []*episode{r.resolution}
		}
		for i, e := range eps {
			m, ok := in.measureAcross(e, spans, in.Now)
			if !ok {
				continue
			}
			st.all = append(st.all, m)
			if i == len(eps)-1 {
				st.Metrics = append(st.Metrics, m)
			}
		}
	}
	return st
}

// prioritySpan is a stretch of the ticket's life at one priority, from
// from (zero for the first) until the next span's from.
type prioritySpan struct {
	from     time.Time
	priority string
}

// prioritySpans reads the ticket's priorities over time from its
// priority_changed events. The first span's priority is the first change's
// "from"; the last span's is the ticket's current priority, which wins
// over the log should the two disagree.
func prioritySpans(t ticket.Ticket, events []ticket.Event) []prioritySpan {
	var changes []ticket.Event
	for _, e := range events {
		if e.Type == ticket.EvPriorityChanged && e.OriginTicketID == 0 {
			changes = append(changes, e)
		}
	}
	first := t.Priority
	if len(changes) > 0 {
		if p := str(changes[0].Data, "from"); p != "" {
			first = p
		}
	}
	spans := []prioritySpan{{priority: first}}
	for _, e := range changes {
		spans = append(spans, prioritySpan{from: e.At, priority: str(e.Data, "to")})
	}
	spans[len(spans)-1].priority = t.Priority
	return spans
}

// calendar is the business calendar the target for priority counts in;
// nil means 24/7.
func (in Input) calendar(priority string) *Calendar {
	tg, ok := in.Policy.Targets[priority]
	if !ok || !tg.BusinessHours || tg.CalendarID == nil {
		return nil
	}
	if priority == in.Ticket.Priority && in.Calendar != nil {
		return in.Calendar
	}
	return in.Calendars[*tg.CalendarID]
}

// goal is the policy's target for metric at priority and the calendar it
// counts in; ok is false when there is none.
func (in Input) goal(priority, metric string) (time.Duration, *Calendar, bool) {
	tg, ok := in.Policy.Targets[priority]
	if !ok {
		return 0, nil, false
	}
	goal := tg.Goal(metric)
	if goal <= 0 {
		return 0, nil, false
	}
	cal := in.calendar(priority)
	if cal == nil {
		cal = AlwaysOpen()
	}
	return goal, cal, true
}

// measureAcross measures an episode against the priorities in force during
// it: the target of the priority at its start, until a change finds it
// still undecided; then the next priority's, counted from the episode's
// start. ok is false when the deciding priority has no target for the
// metric.
func (in Input) measureAcross(e *episode, spans []prioritySpan, now time.Time) (Metric, bool) {
	for i, sp := range spans {
		last := i == len(spans)-1
		var next time.Time
		if !last {
			next = spans[i+1].from
			if !e.start.Before(next) {
				continue // the episode began after this priority ended
			}
		}
		goal, cal, ok := in.goal(sp.priority, e.metric)
		if !ok {
			if last || (e.done() && !e.ended.After(next)) {
				// No target, or it ended under a priority without one:
				// a later priority's target does not reach back to it.
				return Metric{}, false
			}
			continue // nothing to decide against at this priority
		}
		m := measure(e, goal, cal, now)
		if last {
			return m, true
		}
		// Decided by the time the priority changed: the outcome stands.
		if m.BreachedAt != nil && !m.BreachedAt.After(next) {
			return m, true
		}
		if m.Status == StatusAchieved && m.CompletedAt != nil && !m.CompletedAt.After(next) {
			return m, true
		}
	}
	return Metric{}, false
}

// TicketSLA computes a ticket's SLA state now. Reading it needs only
// ticket.read: the clocks are part of the ticket everyone working it sees.
func (s *Service) TicketSLA(ctx context.Context, actor authz.Actor, ticketID int64) (State, error) {
	if err := authz.Check(actor, authz.TicketRead); err != nil {
		return State{}, err
	}
	t, events, err := loadTicket(ctx, s.db, ticketID, false)
	if err != nil {
		return State{}, err
	}
	set, err := loadRules(ctx, s.db)
	if err != nil {
		return State{}, err
	}
	return set.compute(t, events, s.now()), nil
}
