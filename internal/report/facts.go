package report

import (
	"sort"
	"time"

	"github.com/ombud/ombud/internal/sla"
	"github.com/ombud/ombud/internal/ticket"
)

// Fact kinds. docs/metrics.md defines each; the names are stable (they are
// stored and appear in exports).
const (
	KindCreated        = "created"         // value 1 when an agent opened the ticket (outbound)
	KindFirstReply     = "first_reply"     // value: seconds from the customer's first message to the first public agent reply
	KindNextReply      = "next_reply"      // value: seconds from a waiting customer message to the next public agent reply
	KindReply          = "reply"           // one public agent reply (agent: its author)
	KindSolved         = "solved"          // at the last solve; value: full resolution seconds
	KindWait           = "requester_wait"  // at the last solve; value: seconds new or open
	KindOnHold         = "on_hold"         // at the last solve; value: seconds on hold
	KindReplies        = "replies"         // at the last solve; value: public agent replies
	KindOneTouch       = "one_touch"       // at the last solve; value 1 when solved with one reply and never reopened
	KindSolvedReopened = "solved_reopened" // at the last solve; value 1 when the ticket was ever reopened
	KindReopen         = "reopen"          // a solved ticket became unsolved
	KindBacklog        = "backlog"         // value +1 when the ticket became unsolved, −1 when it stopped being
	KindCSAT           = "csat"            // the ticket's latest satisfaction rating, at its time; value 1 good, 0 bad; bvalue the score (1–5)
	// SLA targets: "sla_first_reply" … value 1 achieved, 0 breached, at the
	// moment it was decided.
	KindSLAPrefix = "sla_"
	// Live chat (from the chat_* events; agent: the agent concerned).
	KindChatOffered   = "chat_offered"   // one offer to an agent, at the offer
	KindChatAccepted  = "chat_accepted"  // an offer accepted; value: seconds from the offer to the accept
	KindChatDeclined  = "chat_declined"  // an offer declined, at the decline
	KindChatMissed    = "chat_missed"    // an offer that timed out, at the timeout
	KindChatWait      = "chat_wait"      // value: seconds from the chat's start to the first agent message (agent: its author)
	KindChatDuration  = "chat_duration"  // one agent's hold of a chat, dated at its end; value: seconds from accept to transfer or end
	KindChatAbandoned = "chat_abandoned" // a chat that ended before any agent accepted it; value: seconds from its start
	// Feedback and quality (docs/metrics.md, "Feedback and quality facts").
	KindCSATSurvey = "csat_survey" // a satisfaction survey sent, at the request; value 1 when the ticket has a rating now
	KindIQS        = "iqs"         // a submitted QA review, at its submission; n: the review id; value: its score in hundredths of a percent (0–10000); bvalue 1 when a critical category failed
	KindNPS        = "nps"         // an NPS answer (ticket 0, n: the send id), at its latest answer; value +1 promoter, 0 passive, −1 detractor; bvalue the score (0–10)
	KindNPSSent    = "nps_sent"    // an NPS survey sent (ticket 0, n: the send id), at the send; value 1 when it has an answer now
)

// Kinds lists the stored kinds in a stable order.
var Kinds = []string{KindCreated, KindFirstReply, KindNextReply, KindReply, KindSolved, KindWait, KindOnHold,
	KindReplies, KindOneTouch, KindSolvedReopened, KindReopen, KindBacklog,
	KindSLAPrefix + sla.FirstReply, KindSLAPrefix + sla.NextReply, KindSLAPrefix + sla.PeriodicUpdate, KindSLAPrefix + sla.Resolution, KindCSAT,
	KindChatOffered, KindChatAccepted, KindChatDeclined, KindChatMissed, KindChatWait, KindChatDuration, KindChatAbandoned,
	KindCSATSurvey, KindIQS, KindNPS, KindNPSSent}

// ChatKinds are the live chat kinds.
var ChatKinds = []string{KindChatOffered, KindChatAccepted, KindChatDeclined, KindChatMissed, KindChatWait, KindChatDuration, KindChatAbandoned}

// The chat package's ticket events (chat.EvOffered …), read by name so
// report does not depend on the chat service.
const (
	evChatOffered     = "chat_offered"
	evChatAccepted    = "chat_accepted"
	evChatDeclined    = "chat_declined"
	evChatMissed      = "chat_missed"
	evChatTransferred = "chat_transferred"
	evChatEnded       = "chat_ended"
)

// evCSATRated is the csat package's rating event (csat.EvRated); report
// reads the log without depending on the survey service.
const (
	evCSATRated     = "csat_rated"
	evCSATRequested = "csat_requested"
)

// The qa package's review events (qa.EvReviewed, qa.EvReviewResolved).
const (
	evQAReviewed       = "qa_reviewed"
	evQAReviewResolved = "qa_review_resolved"
)

// Fact is one measurement derived from a ticket's log.
type Fact struct {
	TicketID int64
	Kind     string
	N        int // ordinal among the ticket's facts of this kind
	At       time.Time
	Dims
	Value  int64 // calendar seconds or a count
	BValue int64 // business seconds
}

// Dims are what reports filter and group by.
type Dims struct {
	TeamID         int64
	AgentID        int64
	Channel        string
	Priority       string
	Type           string
	OrganizationID int64
	Language       string
	// Tags are the ticket's tags, sorted and space-separated (a tag has no
	// spaces): a string keeps Dims comparable, so a tag change is a change
	// of every fact and part of the difference the refresher applies.
	Tags string
}

// TicketState is what facts need of a ticket's current row.
type TicketState struct {
	ID             int64
	Status         ticket.Status
	Priority       string
	Type           string
	Channel        string
	TeamID         int64
	AssigneeID     int64
	OrganizationID int64
	Language       string
	Tags           string // as Dims.Tags
	CreatedAt      time.Time
}

// interval is a stretch of time in one status.
type interval struct {
	status     ticket.Status
	start, end time.Time
}

func solvedStatus(s ticket.Status) bool { return s == ticket.StatusSolved || s == ticket.StatusClosed }

// Compute derives a ticket's facts from its events: its own and those a
// merge moved to another ticket, in the order they happened. cal counts
// business time; episodes are the ticket's SLA episodes (nil when no
// policy applies). The function is pure: the same log gives the same facts,
// which is what makes a rebuild equal the incremental roll-ups.
func Compute(t TicketState, events []ticket.Event, cal *sla.Calendar, episodes []sla.Metric) []Fact {
	if cal == nil {
		cal = sla.AlwaysOpen()
	}
	base := Dims{TeamID: t.TeamID, AgentID: t.AssigneeID, Channel: t.Channel, Priority: t.Priority, Type: t.Type,
		OrganizationID: t.OrganizationID, Language: t.Language, Tags: t.Tags}
	var out []Fact
	count := map[string]int{}
	emit := func(kind string, at time.Time, d Dims, value, bvalue int64) {
		count[kind]++
		out = append(out, Fact{TicketID: t.ID, Kind: kind, N: count[kind], At: at, Dims: d, Value: value, BValue: bvalue})
	}
	secs := func(from, to time.Time) (int64, int64) {
		if !to.After(from) {
			return 0, 0
		}
		return int64(to.Sub(from) / time.Second), int64(cal.Elapsed(from, to) / time.Second)
	}
	agent := func(id int64) Dims { d := base; d.AgentID = id; return d }

	var (
		created      time.Time
		status       ticket.Status
		since        time.Time
		spans        []interval
		seenCreated  bool
		description  = true // the next comment is the ticket's description
		agentCreated bool
		waiting      time.Time // the customer message an answer is owed to
		firstDone    bool
		replies      int64
		reopened     bool
		lastSolve    time.Time
		mergedAway   bool
		mergeClosing bool
		// The latest satisfaction rating: only it counts (docs/metrics.md).
		csatAt    time.Time
		csatScore int64
		csatAgent int64
		// Surveys sent (csat_requested), and the QA reviews by id.
		csatAsked []time.Time
		reviews   = map[int64]*qaReview{}
		reviewIDs []int64
		// Live chat, per conversation: when it was offered last (per
		// agent), who holds it since when, whether anyone ever took it.
		chat      = map[int64]*chatConv{}
		isChat    bool
		chatFirst bool // the first agent message is counted
	)
	conv := func(e ticket.Event) *chatConv {
		id := num(e.Data, "conversation_id")
		c := chat[id]
		if c == nil {
			c = &chatConv{offered: map[int64]time.Time{}}
			chat[id] = c
		}
		return c
	}
	setStatus := func(to ticket.Status, at time.Time) {
		if status != "" {
			spans = append(spans, interval{status, since, at})
		}
		status, since = to, at
	}
	for _, e := range events {
		switch e.Type {
		case ticket.EvCreated:
			if seenCreated {
				continue
			}
			seenCreated = true
			created = e.At
			st := ticket.Status(str(e.Data, "status"))
			if st == "" {
				st = ticket.StatusNew
			}
			setStatus(st, e.At)
			if solvedStatus(st) {
				lastSolve = e.At
			} else {
				emit(KindBacklog, e.At, base, 1, 0)
			}
			// The creator decides nothing yet: whether the ticket is
			// outbound shows in who wrote its description.
		case ticket.EvCommentAdded:
			public, _ := e.Data["public"].(bool)
			author := str(e.Data, "author_type")
			auto, _ := e.Data["auto_submitted"].(bool)
			if description {
				description = false
				if author == "agent" && public {
					agentCreated = true
					continue
				}
				if public && author == "customer" {
					waiting = created
				}
				continue
			}
			if !public {
				continue
			}
			switch author {
			case "customer":
				if !auto && waiting.IsZero() {
					waiting = e.At
				}
			case "agent":
				id := num(e.Data, "author_id")
				if isChat && !chatFirst {
					chatFirst = true
					v, b := secs(created, e.At)
					emit(KindChatWait, e.At, agent(id), v, b)
				}
				replies++
				emit(KindReply, e.At, agent(id), 1, 0)
				if !waiting.IsZero() {
					v, b := secs(waiting, e.At)
					if !firstDone {
						emit(KindFirstReply, e.At, agent(id), v, b)
					} else {
						emit(KindNextReply, e.At, agent(id), v, b)
					}
					firstDone = true
					waiting = time.Time{}
				} else if agentCreated {
					// An outbound ticket's follow-ups before the customer
					// answers owe nobody a reply; the first reply is the
					// first one after the customer writes.
					continue
				} else {
					firstDone = true
				}
			}
		case evCSATRated:
			if sc := num(e.Data, "score"); sc > 0 {
				csatAt, csatScore, csatAgent = e.At, sc, num(e.Data, "agent_id")
			}
		case evCSATRequested:
			csatAsked = append(csatAsked, e.At)
		case evQAReviewed:
			id := num(e.Data, "review_id")
			if id <= 0 {
				continue
			}
			if reviews[id] == nil {
				reviewIDs = append(reviewIDs, id)
			}
			d := base
			d.AgentID, d.TeamID = num(e.Data, "agent_id"), num(e.Data, "team_id")
			reviews[id] = &qaReview{at: e.At, dims: d, score: num(e.Data, "score"), critical: flag(e.Data, "critical_failed")}
		case evQAReviewResolved:
			if r := reviews[num(e.Data, "review_id")]; r != nil && str(e.Data, "resolution") == "adjusted" {
				// Adjusted: the new score replaces the first, still dated
				// at the submission.
				r.score, r.critical = num(e.Data, "score"), flag(e.Data, "critical_failed")
			}
		case evChatOffered:
			isChat = true
			c, id := conv(e), num(e.Data, "agent_id")
			c.offered[id] = e.At
			emit(KindChatOffered, e.At, agent(id), 1, 0)
		case evChatAccepted:
			c, id := conv(e), num(e.Data, "agent_id")
			v, b := secs(c.offered[id], e.At)
			if c.offered[id].IsZero() {
				v, b = 0, 0
			}
			emit(KindChatAccepted, e.At, agent(id), v, b)
			c.taken, c.holder, c.since = true, id, e.At
		case evChatDeclined:
			emit(KindChatDeclined, e.At, agent(num(e.Data, "agent_id")), 1, 0)
		case evChatMissed:
			emit(KindChatMissed, e.At, agent(num(e.Data, "agent_id")), 1, 0)
		case evChatTransferred, evChatEnded:
			c := conv(e)
			if c.holder != 0 {
				v, b := secs(c.since, e.At)
				emit(KindChatDuration, e.At, agent(c.holder), v, b)
				c.holder = 0
			}
			if e.Type == evChatEnded && !c.taken && !c.ended {
				v, b := secs(created, e.At)
				emit(KindChatAbandoned, e.At, agent(0), v, b)
			}
			if e.Type == evChatEnded {
				c.ended = true
			}
		case ticket.EvMerged:
			mergedAway = true
			mergeClosing = true
		case ticket.EvStatusChanged:
			to := ticket.Status(str(e.Data, "to"))
			from := status
			if to == "" || to == from {
				continue
			}
			setStatus(to, e.At)
			switch {
			case solvedStatus(to) && !solvedStatus(from):
				emit(KindBacklog, e.At, base, -1, 0)
				if mergeClosing {
					// Closed as a duplicate: not solved, no resolution.
					mergeClosing = false
					continue
				}
				lastSolve = e.At
			case !solvedStatus(to) && solvedStatus(from):
				reopened = true
				lastSolve = time.Time{}
				emit(KindReopen, e.At, base, 1, 0)
				emit(KindBacklog, e.At, base, 1, 0)
			}
		}
	}
	if !seenCreated {
		return nil
	}
	// created first, so facts read in the order things happened.
	out = append([]Fact{{TicketID: t.ID, Kind: KindCreated, N: 1, At: created, Dims: base, Value: b2i(agentCreated)}}, out...)
	if solvedStatus(status) && !mergedAway && !lastSolve.IsZero() {
		v, b := secs(created, lastSolve)
		emit(KindSolved, lastSolve, base, v, b)
		var wait, wb, hold, hb int64
		for _, s := range spans {
			end := s.end
			if end.After(lastSolve) {
				end = lastSolve
			}
			v, b := secs(s.start, end)
			switch s.status {
			case ticket.StatusNew, ticket.StatusOpen:
				wait, wb = wait+v, wb+b
			case ticket.StatusOnHold:
				hold, hb = hold+v, hb+b
			}
		}
		emit(KindWait, lastSolve, base, wait, wb)
		emit(KindOnHold, lastSolve, base, hold, hb)
		emit(KindReplies, lastSolve, base, replies, 0)
		emit(KindOneTouch, lastSolve, base, b2i(replies == 1 && !reopened), 0)
		emit(KindSolvedReopened, lastSolve, base, b2i(reopened), 0)
	}
	if csatScore > 0 {
		// Credited to the assignee when the customer rated.
		emit(KindCSAT, csatAt, agent(csatAgent), b2i(csatScore >= 4), csatScore)
	}
	for _, at := range csatAsked {
		// Answered when the ticket has a rating now, whenever it came.
		emit(KindCSATSurvey, at, base, b2i(csatScore > 0), 0)
	}
	for _, id := range reviewIDs {
		// n is the review id, so a figure's facts name their reviews.
		r := reviews[id]
		out = append(out, Fact{TicketID: t.ID, Kind: KindIQS, N: int(id), At: r.at, Dims: r.dims, Value: r.score, BValue: b2i(r.critical)})
	}
	eps := append([]sla.Metric(nil), episodes...)
	sort.SliceStable(eps, func(i, j int) bool {
		if eps[i].Metric != eps[j].Metric {
			return eps[i].Metric < eps[j].Metric
		}
		return eps[i].Episode < eps[j].Episode
	})
	for _, m := range eps {
		switch {
		case m.Status == sla.StatusAchieved && m.CompletedAt != nil:
			emit(KindSLAPrefix+m.Metric, *m.CompletedAt, base, 1, 0)
		case m.Status == sla.StatusBreached && m.BreachedAt != nil:
			emit(KindSLAPrefix+m.Metric, *m.BreachedAt, base, 0, 0)
		}
	}
	return out
}

// qaReview is one submitted QA review while Compute replays the log.
type qaReview struct {
	at       time.Time
	dims     Dims
	score    int64 // hundredths of a percent
	critical bool
}

// chatConv is one conversation's state while Compute replays its events.
type chatConv struct {
	offered map[int64]time.Time // agent → their latest offer
	taken   bool                // an agent accepted it at some point
	ended   bool
	holder  int64 // the agent who has it now (0: nobody)
	since   time.Time
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

// flag reads a JSON boolean, or a number (1: true) as the migration's
// backfilled events carry it.
func flag(m map[string]any, k string) bool {
	if b, ok := m[k].(bool); ok {
		return b
	}
	return num(m, k) != 0
}

// num reads a JSON number (float64 after decoding, int64 when built in Go).
func num(m map[string]any, k string) int64 {
	switch v := m[k].(type) {
	case float64:
		return int64(v)
	case int64:
		return v
	case int:
		return int64(v)
	}
	return 0
}
