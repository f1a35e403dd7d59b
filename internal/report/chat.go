package report

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// ChatRow is one agent's live chat figures over a period (AgentID 0 in
// ChatReport.Totals: everyone). Durations are seconds; nil means no data.
type ChatRow struct {
	AgentID    int64    `json:"agent_id"`
	Offered    int64    `json:"offered"`
	Accepted   int64    `json:"accepted"`
	Declined   int64    `json:"declined"`
	Missed     int64    `json:"missed"`
	AcceptRate *float64 `json:"accept_rate"` // accepted ÷ offered
	// AcceptAvg is the mean time from an offer to its accept.
	AcceptAvg *float64 `json:"accept_avg"`
	// Waits counts the chats whose first agent message falls in the
	// period; WaitMedian and WaitAvg are from the chat's start to it.
	Waits      int64    `json:"waits"`
	WaitMedian *float64 `json:"wait_median"`
	WaitAvg    *float64 `json:"wait_avg"`
	// Chats counts the holds of a chat (accept to transfer or end) that
	// ended in the period; DurationMedian and DurationAvg are their lengths.
	Chats          int64    `json:"chats"`
	DurationMedian *float64 `json:"duration_median"`
	DurationAvg    *float64 `json:"duration_avg"`
	// PeakConcurrent is the most chats held at one moment; AvgConcurrent
	// the chats held on average while holding at least one.
	PeakConcurrent int64    `json:"peak_concurrent"`
	AvgConcurrent  *float64 `json:"avg_concurrent"`
}

// ChatReport is the live chat page: totals, chats nobody took, and one
// row per agent.
type ChatReport struct {
	Totals ChatRow `json:"totals"`
	// Abandoned counts chats that ended before any agent accepted them
	// (the visitor left, or nobody was free); AbandonedWaitAvg is how long
	// their visitors waited on average.
	Abandoned        int64     `json:"abandoned"`
	AbandonedWaitAvg *float64  `json:"abandoned_wait_avg"`
	Agents           []ChatRow `json:"agents"`
}

// Chat computes the live chat figures of f's period per agent: counts
// from the roll-ups, medians and concurrency from the chat facts.
func (s *Service) Chat(ctx context.Context, actor authz.Actor, f Filter) (ChatReport, error) {
	if err := authz.Check(actor, authz.ReportRead); err != nil {
		return ChatReport{}, err
	}
	if err := f.Validate(); err != nil {
		return ChatReport{}, err
	}
	byAgent, err := s.aggregate(ctx, f, f.From, f.To, ChatKinds, grouping{by: "agent"})
	if err != nil {
		return ChatReport{}, err
	}
	vals, err := s.chatValues(ctx, f)
	if err != nil {
		return ChatReport{}, err
	}
	out := ChatReport{Agents: []ChatRow{}}
	all := map[string]Sums{}
	for key, t := range byAgent {
		for k, v := range t {
			c := all[k]
			c.add(v)
			all[k] = c
		}
		id, _ := strconv.ParseInt(key, 10, 64)
		if id == 0 {
			continue // abandoned chats: nobody's
		}
		out.Agents = append(out.Agents, chatRow(id, t, vals[id]))
	}
	var every chatVals
	for _, v := range vals {
		every.waits = append(every.waits, v.waits...)
		every.durations = append(every.durations, v.durations...)
	}
	out.Totals = chatRow(0, all, &every)
	// Concurrency is per agent: the team's peak is the busiest agent's.
	out.Totals.PeakConcurrent, out.Totals.AvgConcurrent = 0, nil
	for _, r := range out.Agents {
		out.Totals.PeakConcurrent = max(out.Totals.PeakConcurrent, r.PeakConcurrent)
	}
	out.Abandoned = all[KindChatAbandoned].N
	out.AbandonedWaitAvg = ratio(all[KindChatAbandoned].Total, all[KindChatAbandoned].N)
	sort.Slice(out.Agents, func(i, j int) bool {
		if out.Agents[i].Offered != out.Agents[j].Offered {
			return out.Agents[i].Offered > out.Agents[j].Offered
		}
		return out.Agents[i].AgentID < out.Agents[j].AgentID
	})
	return out, nil
}

// chatVals are one agent's chat waits and holds in the period.
type chatVals struct {
	waits     []int64
	durations []interval // start and end of each hold
}

func chatRow(id int64, t map[string]Sums, v *chatVals) ChatRow {
	r := ChatRow{AgentID: id, Offered: t[KindChatOffered].N, Accepted: t[KindChatAccepted].N, Declined: t[KindChatDeclined].N,
		Missed: t[KindChatMissed].N, AcceptRate: ratio(t[KindChatAccepted].N, t[KindChatOffered].N),
		AcceptAvg: ratio(t[KindChatAccepted].Total, t[KindChatAccepted].N),
		Waits:     t[KindChatWait].N, WaitAvg: ratio(t[KindChatWait].Total, t[KindChatWait].N),
		Chats: t[KindChatDuration].N, DurationAvg: ratio(t[KindChatDuration].Total, t[KindChatDuration].N)}
	if v == nil {
		return r
	}
	r.WaitMedian = medianOf(v.waits)
	lens := make([]int64, len(v.durations))
	for i, d := range v.durations {
		lens[i] = int64(d.end.Sub(d.start) / time.Second)
	}
	r.DurationMedian = medianOf(lens)
	r.PeakConcurrent, r.AvgConcurrent = concurrency(v.durations)
	return r
}

// medianOf is the middle value (the mean of the two middle ones), nil for
// none.
func medianOf(vs []int64) *float64 {
	if len(vs) == 0 {
		return nil
	}
	vs = slices.Clone(vs)
	slices.Sort(vs)
	n := len(vs)
	m := float64(vs[n/2])
	if n%2 == 0 {
		m = float64(vs[n/2-1]+vs[n/2]) / 2
	}
	return &m
}

// concurrency sweeps holds [start, end): the most open at once, and the
// held chat-seconds ÷ the seconds with at least one open. A hold ending
// when another starts does not overlap it.
func concurrency(holds []interval) (int64, *float64) {
	type edge struct {
		at   time.Time
		step int64
	}
	var edges []edge
	for _, h := range holds {
		if !h.end.After(h.start) {
			continue
		}
		edges = append(edges, edge{h.start, 1}, edge{h.end, -1})
	}
	if len(edges) == 0 {
		return 0, nil
	}
	sort.Slice(edges, func(i, j int) bool {
		if !edges[i].at.Equal(edges[j].at) {
			return edges[i].at.Before(edges[j].at)
		}
		return edges[i].step < edges[j].step // ends first
	})
	var open, peak int64
	var held, busy float64
	prev := edges[0].at
	for _, e := range edges {
		d := e.at.Sub(prev).Seconds()
		held += float64(open) * d
		if open > 0 {
			busy += d
		}
		open += e.step
		peak = max(peak, open)
		prev = e.at
	}
	if busy == 0 {
		return peak, nil
	}
	avg := held / busy
	return peak, &avg
}

// chatValues reads the period's chat waits and holds per agent.
func (s *Service) chatValues(ctx context.Context, f Filter) (map[int64]*chatVals, error) {
	q := `SELECT r.agent_id, r.kind, r.value, r.at FROM report_facts r WHERE r.kind IN (?, ?) AND r.at >= ? AND r.at < ?`
	args := []any{KindChatWait, KindChatDuration, db.Millis(f.From), db.Millis(f.To)}
	w, wargs := f.dimsWhere("r.")
	q += w
	args = append(args, wargs...)
	if f.Tag != "" {
		q += " AND " + s.tagCond("r.tags")
		args = append(args, " "+f.Tag+" ")
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("report: chat facts: %w", err)
	}
	defer rows.Close()
	out := map[int64]*chatVals{}
	for rows.Next() {
		var agent, value, at int64
		var kind string
		if err := rows.Scan(&agent, &kind, &value, &at); err != nil {
			return nil, fmt.Errorf("report: chat facts: %w", err)
		}
		v := out[agent]
		if v == nil {
			v = &chatVals{}
			out[agent] = v
		}
		if kind == KindChatWait {
			v.waits = append(v.waits, value)
		} else {
			end := db.Time(at)
			v.durations = append(v.durations, interval{start: end.Add(-time.Duration(value) * time.Second), end: end})
		}
	}
	return out, rows.Err()
}
