package sla

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/ticket"
)

// step is one event of a test history, at an offset from creation.
type step struct {
	off    time.Duration
	typ    string
	data   map[string]any
	origin int64
}

func created(status string) step {
	return step{0, ticket.EvCreated, map[string]any{"status": status}, 0}
}
func desc(author string, public bool) step {
	return step{0, ticket.EvCommentAdded, map[string]any{"author_type": author, "public": public}, 0}
}
func cust(off time.Duration) step {
	return step{off, ticket.EvCommentAdded, map[string]any{"author_type": "customer", "public": true}, 0}
}
func reply(off time.Duration) step {
	return step{off, ticket.EvCommentAdded, map[string]any{"author_type": "agent", "public": true}, 0}
}
func note(off time.Duration) step {
	return step{off, ticket.EvCommentAdded, map[string]any{"author_type": "agent", "public": false}, 0}
}
func status(off time.Duration, to string) step {
	return step{off, ticket.EvStatusChanged, map[string]any{"to": to}, 0}
}
func prio(off time.Duration, from, to string) step {
	return step{off, ticket.EvPriorityChanged, map[string]any{"from": from, "to": to}, 0}
}

// opened is a ticket a customer wrote in: created (seq 1) and its
// description (seq 2).
var opened = []step{created("new"), desc("customer", true)}

func history(t0 time.Time, steps ...[]step) []ticket.Event {
	var out []ticket.Event
	for _, ss := range steps {
		for _, s := range ss {
			out = append(out, ticket.Event{Seq: int64(len(out) + 1), Type: s.typ, At: t0.Add(s.off), Data: s.data, OriginTicketID: s.origin})
		}
	}
	return out
}

func then(s ...step) []step { return s }

// got is the part of a Metric the tables compare; zero times mean nil.
type got struct {
	Metric    string
	Status    string
	Episode   int64
	Elapsed   time.Duration
	Due       time.Time
	Breached  time.Time
	Completed time.Time
}

func project(ms []Metric) []got {
	out := []got{}
	for _, m := range ms {
		g := got{Metric: m.Metric, Status: m.Status, Episode: m.Episode, Elapsed: m.Elapsed}
		if m.DueAt != nil {
			g.Due = m.DueAt.UTC()
		}
		if m.BreachedAt != nil {
			g.Breached = m.BreachedAt.UTC()
		}
		if m.CompletedAt != nil {
			g.Completed = m.CompletedAt.UTC()
		}
		out = append(out, g)
	}
	return out
}

func TestCompute(t *testing.T) {
	oslo := zone(t, "Europe/Oslo")
	office := mustCalendar(t, "Europe/Oslo", weekdays(Interval{"08:00", "16:00"}))
	calID := int64(3)
	policy := &Policy{ID: 7, Name: "Standard", Active: true, Targets: map[string]Target{
		"urgent": {FirstReply: "1h", NextReply: "2h", PeriodicUpdate: "4h", Resolution: "8h"},
		"normal": {FirstReply: "4h", NextReply: "8h", PeriodicUpdate: "24h", Resolution: "48h"},
		"high":   {FirstReply: "2h", NextReply: "4h", Resolution: "16h", BusinessHours: true, CalendarID: &calID},
	}}
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC) // Monday 09:00 in Oslo
	h := func(d time.Duration) time.Time { return t0.Add(d).UTC() }
	const m, hr = time.Minute, time.Hour
	fri := time.Date(2026, 3, 6, 15, 0, 0, 0, oslo) // Friday 15:00, an hour before closing
	bh := func(y int, mo time.Month, d, hh, mi int) time.Time {
		return time.Date(y, mo, d, hh, mi, 0, 0, oslo).UTC()
	}

	tests := []struct {
		name     string
		priority string
		start    time.Time
		events   [][]step
		now      time.Duration
		policy   *Policy
		want     []got
	}{
		{
			name: "fresh ticket", priority: "normal", events: [][]step{opened}, now: hr,
			want: []got{
				{Metric: FirstReply, Status: StatusActive, Episode: 1, Elapsed: hr, Due: h(4 * hr)},
				{Metric: Resolution, Status: StatusActive, Episode: 1, Elapsed: hr, Due: h(48 * hr)},
			},
		},
		{
			name: "first reply in time", priority: "urgent", events: [][]step{opened, then(reply(30 * m))}, now: hr,
			want: []got{
				{Metric: FirstReply, Status: StatusAchieved, Episode: 1, Elapsed: 30 * m, Due: h(hr), Completed: h(30 * m)},
				{Metric: PeriodicUpdate, Status: StatusActive, Episode: 3, Elapsed: 30 * m, Due: h(30*m + 4*hr)},
				{Metric: Resolution, Status: StatusActive, Episode: 1, Elapsed: hr, Due: h(8 * hr)},
			},
		},
		{
			name: "first reply late", priority: "urgent", events: [][]step{opened, then(reply(90 * m))}, now: 2 * hr,
			want: []got{
				{Metric: FirstReply, Status: StatusBreached, Episode: 1, Elapsed: 90 * m, Due: h(hr), Breached: h(hr), Completed: h(90 * m)},
				{Metric: PeriodicUpdate, Status: StatusActive, Episode: 3, Elapsed: 30 * m, Due: h(90*m + 4*hr)},
				{Metric: Resolution, Status: StatusActive, Episode: 1, Elapsed: 2 * hr, Due: h(8 * hr)},
			},
		},
		{
			name: "internal notes never stop reply clocks", priority: "urgent", events: [][]step{opened, then(note(10*m), note(50*m))}, now: 2 * hr,
			want: []got{
				{Metric: FirstReply, Status: StatusBreached, Episode: 1, Elapsed: 2 * hr, Due: h(hr), Breached: h(hr)},
				{Metric: Resolution, Status: StatusActive, Episode: 1, Elapsed: 2 * hr, Due: h(8 * hr)},
			},
		},
		{
			name: "next reply runs from the oldest unanswered message", priority: "urgent",
			events: [][]step{opened, then(reply(10*m), cust(hr), note(75*m), cust(90*m))}, now: 150 * m,
			want: []got{
				{Metric: FirstReply, Status: StatusAchieved, Episode: 1, Elapsed: 10 * m, Due: h(hr), Completed: h(10 * m)},
				{Metric: NextReply, Status: StatusActive, Episode: 4, Elapsed: 90 * m, Due: h(3 * hr)},
				{Metric: PeriodicUpdate, Status: StatusActive, Episode: 3, Elapsed: 140 * m, Due: h(10*m + 4*hr)},
				{Metric: Resolution, Status: StatusActive, Episode: 1, Elapsed: 150 * m, Due: h(8 * hr)},
			},
		},
		{
			name: "a second next-reply episode after an answer", priority: "urgent",
			events: [][]step{opened, then(reply(10*m), cust(hr), reply(2*hr), cust(3*hr))}, now: 4 * hr,
			want: []got{
				{Metric: FirstReply, Status: StatusAchieved, Episode: 1, Elapsed: 10 * m, Due: h(hr), Completed: h(10 * m)},
				{Metric: NextReply, Status: StatusActive, Episode: 6, Elapsed: hr, Due: h(5 * hr)},
				{Metric: PeriodicUpdate, Status: StatusActive, Episode: 5, Elapsed: 2 * hr, Due: h(6 * hr)},
				{Metric: Resolution, Status: StatusActive, Episode: 1, Elapsed: 4 * hr, Due: h(8 * hr)},
			},
		},
		{
			name: "pending pauses resolution and periodic; the customer's answer resumes them", priority: "urgent",
			events: [][]step{opened, then(reply(hr), status(hr, "pending"), cust(3*hr), status(3*hr, "open"))}, now: 270 * m,
			want: []got{
				{Metric: FirstReply, Status: StatusAchieved, Episode: 1, Elapsed: hr, Due: h(hr), Completed: h(hr)},
				{Metric: NextReply, Status: StatusActive, Episode: 5, Elapsed: 90 * m, Due: h(5 * hr)},
				{Metric: PeriodicUpdate, Status: StatusActive, Episode: 3, Elapsed: 90 * m, Due: h(7 * hr)},
				{Metric: Resolution, Status: StatusActive, Episode: 1, Elapsed: 150 * m, Due: h(10 * hr)},
			},
		},
		{
			name: "still pending", priority: "urgent",
			events: [][]step{opened, then(reply(hr), status(hr, "pending"))}, now: 5 * hr,
			want: []got{
				{Metric: FirstReply, Status: StatusAchieved, Episode: 1, Elapsed: hr, Due: h(hr), Completed: h(hr)},
				{Metric: PeriodicUpdate, Status: StatusPaused, Episode: 3},
				{Metric: Resolution, Status: StatusPaused, Episode: 1, Elapsed: hr},
			},
		},
		{
			name: "on hold pauses resolution, not periodic updates", priority: "urgent",
			events: [][]step{opened, then(reply(hr), status(hr, "open"), status(2*hr, "on_hold"))}, now: 6 * hr,
			want: []got{
				{Metric: FirstReply, Status: StatusAchieved, Episode: 1, Elapsed: hr, Due: h(hr), Completed: h(hr)},
				{Metric: PeriodicUpdate, Status: StatusBreached, Episode: 3, Elapsed: 5 * hr, Due: h(5 * hr), Breached: h(5 * hr)},
				{Metric: Resolution, Status: StatusPaused, Episode: 1, Elapsed: 2 * hr},
			},
		},
		{
			name: "solved, then reopened by the customer", priority: "normal",
			events: [][]step{opened, then(reply(hr), status(hr, "open"), status(2*hr, "solved"), cust(5*hr), status(5*hr, "open"))}, now: 6 * hr,
			want: []got{
				{Metric: FirstReply, Status: StatusAchieved, Episode: 1, Elapsed: hr, Due: h(4 * hr), Completed: h(hr)},
				{Metric: NextReply, Status: StatusActive, Episode: 6, Elapsed: hr, Due: h(13 * hr)},
				{Metric: PeriodicUpdate, Status: StatusAchieved, Episode: 3, Elapsed: hr, Due: h(25 * hr), Completed: h(2 * hr)},
				{Metric: Resolution, Status: StatusActive, Episode: 1, Elapsed: 3 * hr, Due: h(51 * hr)},
			},
		},
		{
			name: "solved without a reply ends the reply clock", priority: "normal",
			events: [][]step{opened, then(status(3*hr, "solved"))}, now: 10 * hr,
			want: []got{
				{Metric: FirstReply, Status: StatusAchieved, Episode: 1, Elapsed: 3 * hr, Due: h(4 * hr), Completed: h(3 * hr)},
				{Metric: Resolution, Status: StatusAchieved, Episode: 1, Elapsed: 3 * hr, Due: h(48 * hr), Completed: h(3 * hr)},
			},
		},
		{
			name: "closed after solved keeps the solve time", priority: "normal",
			events: [][]step{opened, then(reply(hr), status(2*hr, "solved"), status(50*hr, "closed"))}, now: 60 * hr,
			want: []got{
				{Metric: FirstReply, Status: StatusAchieved, Episode: 1, Elapsed: hr, Due: h(4 * hr), Completed: h(hr)},
				{Metric: PeriodicUpdate, Status: StatusAchieved, Episode: 3, Elapsed: hr, Due: h(25 * hr), Completed: h(2 * hr)},
				{Metric: Resolution, Status: StatusAchieved, Episode: 1, Elapsed: 2 * hr, Due: h(48 * hr), Completed: h(2 * hr)},
			},
		},
		{
			name: "priority raised mid-ticket re-targets from the start", priority: "urgent",
			events: [][]step{opened, then(prio(90*m, "normal", "urgent"))}, now: 2 * hr,
			want: []got{
				{Metric: FirstReply, Status: StatusBreached, Episode: 1, Elapsed: 2 * hr, Due: h(hr), Breached: h(hr)},
				{Metric: Resolution, Status: StatusActive, Episode: 1, Elapsed: 2 * hr, Due: h(8 * hr)},
			},
		},
		{
			// Missed at 1 h under urgent, before the change at 90 min: a
			// missed target stays missed; resolution still ran, so it
			// takes normal's 48 h.
			name: "priority lowered after a target was missed", priority: "normal",
			events: [][]step{opened, then(prio(90*m, "urgent", "normal"))}, now: 2 * hr,
			want: []got{
				{Metric: FirstReply, Status: StatusBreached, Episode: 1, Elapsed: 2 * hr, Due: h(hr), Breached: h(hr)},
				{Metric: Resolution, Status: StatusActive, Episode: 1, Elapsed: 2 * hr, Due: h(48 * hr)},
			},
		},
		{
			name: "priority lowered before a target was missed", priority: "normal",
			events: [][]step{opened, then(prio(30*m, "urgent", "normal"))}, now: 2 * hr,
			want: []got{
				{Metric: FirstReply, Status: StatusActive, Episode: 1, Elapsed: 2 * hr, Due: h(4 * hr)},
				{Metric: Resolution, Status: StatusActive, Episode: 1, Elapsed: 2 * hr, Due: h(48 * hr)},
			},
		},
		{
			// Answered at 3 h: met under normal (4 h), which urgent (1 h)
			// would have missed. The running clocks take urgent's targets.
			name: "priority raised after a target was met", priority: "urgent",
			events: [][]step{opened, then(reply(3*hr), prio(5*hr, "normal", "urgent"))}, now: 6 * hr,
			want: []got{
				{Metric: FirstReply, Status: StatusAchieved, Episode: 1, Elapsed: 3 * hr, Due: h(4 * hr), Completed: h(3 * hr)},
				{Metric: PeriodicUpdate, Status: StatusActive, Episode: 3, Elapsed: 3 * hr, Due: h(7 * hr)},
				{Metric: Resolution, Status: StatusActive, Episode: 1, Elapsed: 6 * hr, Due: h(8 * hr)},
			},
		},
		{
			name: "a met target stays when the new priority has none", priority: "low",
			events: [][]step{opened, then(reply(3*hr), prio(5*hr, "normal", "low"))}, now: 6 * hr,
			want: []got{
				{Metric: FirstReply, Status: StatusAchieved, Episode: 1, Elapsed: 3 * hr, Due: h(4 * hr), Completed: h(3 * hr)},
			},
		},
		{
			// Business hours at high until the change (Monday 11:00 Oslo):
			// the reply at 10:30 met high's 2 business hours.
			name: "a met target keeps its calendar", priority: "urgent",
			events: [][]step{opened, then(reply(90*m), prio(2*hr, "high", "urgent"))}, now: 3 * hr,
			want: []got{
				{Metric: FirstReply, Status: StatusAchieved, Episode: 1, Elapsed: 90 * m, Due: h(2 * hr), Completed: h(90 * m)},
				{Metric: PeriodicUpdate, Status: StatusActive, Episode: 3, Elapsed: 90 * m, Due: h(90*m + 4*hr)},
				{Metric: Resolution, Status: StatusActive, Episode: 1, Elapsed: 3 * hr, Due: h(8 * hr)},
			},
		},
		{
			name: "business hours: a reply outside hours", priority: "high", start: fri,
			events: [][]step{opened, then(reply(19 * hr))}, // Saturday 10:00
			now:    3*24*hr - 3*hr,                         // Monday 12:00
			want: []got{
				{Metric: FirstReply, Status: StatusAchieved, Episode: 1, Elapsed: hr, Due: bh(2026, 3, 9, 9, 0), Completed: bh(2026, 3, 7, 10, 0)},
				{Metric: Resolution, Status: StatusActive, Episode: 1, Elapsed: 5 * hr, Due: bh(2026, 3, 10, 15, 0)},
			},
		},
		{
			name: "business hours: created on a Saturday", priority: "high", start: bh(2026, 3, 7, 12, 0),
			events: [][]step{opened}, now: 45*hr + 30*m, // Monday 09:30
			want: []got{
				{Metric: FirstReply, Status: StatusActive, Episode: 1, Elapsed: 90 * m, Due: bh(2026, 3, 9, 10, 0)},
				{Metric: Resolution, Status: StatusActive, Episode: 1, Elapsed: 90 * m, Due: bh(2026, 3, 10, 16, 0)},
			},
		},
		{
			name: "business hours over the spring-forward weekend", priority: "high", start: bh(2026, 3, 27, 15, 0),
			events: [][]step{opened}, now: bh(2026, 3, 30, 8, 30).Sub(bh(2026, 3, 27, 15, 0)),
			want: []got{
				{Metric: FirstReply, Status: StatusActive, Episode: 1, Elapsed: 90 * m, Due: bh(2026, 3, 30, 9, 0)},
				{Metric: Resolution, Status: StatusActive, Episode: 1, Elapsed: 90 * m, Due: bh(2026, 3, 31, 15, 0)},
			},
		},
		{
			name: "business hours: the clocks stand still over the weekend", priority: "high", start: fri,
			events: [][]step{opened, then(cust(10 * m))}, now: 20 * hr, // Saturday 11:00
			want: []got{
				{Metric: FirstReply, Status: StatusActive, Episode: 1, Elapsed: hr, Due: bh(2026, 3, 9, 9, 0)},
				{Metric: Resolution, Status: StatusActive, Episode: 1, Elapsed: hr, Due: bh(2026, 3, 10, 15, 0)},
			},
		},
		{
			name: "phone ticket logged by an agent: no first-reply clock", priority: "urgent",
			events: [][]step{{created("open"), desc("agent", false)}, then(cust(hr))}, now: 2 * hr,
			want: []got{
				{Metric: NextReply, Status: StatusActive, Episode: 3, Elapsed: hr, Due: h(3 * hr)},
				{Metric: Resolution, Status: StatusActive, Episode: 1, Elapsed: 2 * hr, Due: h(8 * hr)},
			},
		},
		{
			name: "public phone log starts periodic updates", priority: "urgent",
			events: [][]step{{created("open"), desc("agent", true)}}, now: 5 * hr,
			want: []got{
				{Metric: PeriodicUpdate, Status: StatusBreached, Episode: 2, Elapsed: 5 * hr, Due: h(4 * hr), Breached: h(4 * hr)},
				{Metric: Resolution, Status: StatusActive, Episode: 1, Elapsed: 5 * hr, Due: h(8 * hr)},
			},
		},
		{
			name: "created pending waits for the customer", priority: "urgent",
			events: [][]step{{created("pending"), desc("customer", true)}}, now: 30 * m,
			want: []got{
				{Metric: FirstReply, Status: StatusActive, Episode: 1, Elapsed: 30 * m, Due: h(hr)},
				{Metric: Resolution, Status: StatusPaused, Episode: 1},
			},
		},
		{
			name: "created solved", priority: "urgent",
			events: [][]step{{created("solved"), desc("customer", true)}}, now: 30 * m,
			want: []got{
				{Metric: FirstReply, Status: StatusAchieved, Episode: 1, Completed: h(0)},
				{Metric: Resolution, Status: StatusAchieved, Episode: 1, Completed: h(0)},
			},
		},
		{
			name: "events merged in from another ticket are ignored", priority: "urgent",
			events: [][]step{opened, then(reply(10*m), step{20 * m, ticket.EvCommentAdded, map[string]any{"author_type": "customer", "public": true}, 99},
				step{20 * m, ticket.EvStatusChanged, map[string]any{"to": "solved"}, 99})}, now: hr,
			want: []got{
				{Metric: FirstReply, Status: StatusAchieved, Episode: 1, Elapsed: 10 * m, Due: h(hr), Completed: h(10 * m)},
				{Metric: PeriodicUpdate, Status: StatusActive, Episode: 3, Elapsed: 50 * m, Due: h(10*m + 4*hr)},
				{Metric: Resolution, Status: StatusActive, Episode: 1, Elapsed: hr, Due: h(8 * hr)},
			},
		},
		{
			name: "no target for the priority", priority: "low", events: [][]step{opened}, now: hr,
			want: []got{},
		},
		{
			name: "no policy", priority: "urgent", events: [][]step{opened}, now: hr, policy: &Policy{},
			want: []got{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := t0
			if !tt.start.IsZero() {
				start = tt.start
			}
			p := policy
			if tt.policy != nil {
				p = nil
			}
			in := Input{
				Ticket:    ticket.Ticket{ID: 1, Priority: tt.priority, CreatedAt: start},
				Events:    history(start, tt.events...),
				Policy:    p,
				Calendar:  office,
				Calendars: map[int64]*Calendar{calID: office},
				Now:       start.Add(tt.now),
			}
			st := Compute(in)
			if diff := cmp.Diff(tt.want, project(st.Metrics)); diff != "" {
				t.Fatalf("metrics (-want +got):\n%s", diff)
			}
			for _, m := range st.Metrics {
				if m.Remaining != m.Target-m.Elapsed {
					t.Errorf("%s: remaining %v, target %v, elapsed %v", m.Metric, m.Remaining, m.Target, m.Elapsed)
				}
			}
			if (st.PolicyID == nil) != (p == nil) {
				t.Fatalf("policy id = %v", st.PolicyID)
			}
		})
	}
}

func TestComputeWarnAndHistory(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	policy := &Policy{ID: 1, Active: true, Targets: map[string]Target{"urgent": {FirstReply: "1h", NextReply: "2h"}}}
	in := Input{
		Ticket: ticket.Ticket{ID: 1, Priority: "urgent", CreatedAt: t0},
		// The first next-reply episode (seq 4) is answered late, the
		// second (seq 6) is running.
		Events: history(t0, opened, then(reply(10*time.Minute), cust(time.Hour), reply(4*time.Hour), cust(5*time.Hour))),
		Policy: policy,
		Now:    t0.Add(5*time.Hour + 30*time.Minute),
	}
	st := Compute(in)
	if fr, _ := st.Metric(FirstReply); !fr.warnAt.IsZero() {
		t.Errorf("first reply, answered at 10 minutes, warns at %v", fr.warnAt)
	}
	nr, _ := st.Metric(NextReply)
	if want := t0.Add(5*time.Hour + 90*time.Minute); nr.Episode != 6 || !nr.warnAt.Equal(want) {
		t.Errorf("next reply episode %d warns at %v, want 6 at %v", nr.Episode, nr.warnAt, want)
	}
	var eps []int64
	for _, m := range st.all {
		if m.Metric == NextReply {
			eps = append(eps, m.Episode)
			if m.Episode == 4 && (m.Status != StatusBreached || !m.BreachedAt.Equal(t0.Add(3*time.Hour))) {
				t.Errorf("episode 4: %s at %v", m.Status, m.BreachedAt)
			}
		}
	}
	if diff := cmp.Diff([]int64{4, 6}, eps); diff != "" {
		t.Errorf("next-reply episodes (-want +got):\n%s", diff)
	}
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"metric":"next_reply"`, `"target":"2h"`, `"elapsed_seconds":1800`, `"remaining_seconds":5400`, `"status":"active"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s lacks %s", b, want)
		}
	}
}
