package report

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/ticket"
)

// loadTickets reads the current rows of ids, and with forSLA the fuller
// tickets SLA policies match on.
func loadTickets(ctx context.Context, q db.Querier, ids []int64, forSLA bool) (map[int64]TicketState, map[int64]ticket.Ticket, error) {
	ph, args := placeholders(ids)
	rows, err := q.QueryContext(ctx, `SELECT id, status, priority, type, channel, COALESCE(team_id, 0), COALESCE(assignee_id, 0),
		COALESCE(organization_id, 0), language, created_at, custom_fields FROM tickets WHERE id IN (`+ph+`)`, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("report: load tickets: %w", err)
	}
	defer rows.Close()
	states := map[int64]TicketState{}
	full := map[int64]ticket.Ticket{}
	for rows.Next() {
		var st TicketState
		var created int64
		var fields string
		if err := rows.Scan(&st.ID, &st.Status, &st.Priority, &st.Type, &st.Channel, &st.TeamID, &st.AssigneeID,
			&st.OrganizationID, &st.Language, &created, &fields); err != nil {
			return nil, nil, fmt.Errorf("report: load tickets: %w", err)
		}
		st.CreatedAt = db.Time(created)
		states[st.ID] = st
		if forSLA {
			t := ticket.Ticket{ID: st.ID, Status: st.Status, Priority: st.Priority, Type: st.Type, Channel: st.Channel,
				CreatedAt: st.CreatedAt, CustomFields: map[string]any{}, Tags: []string{}}
			if st.TeamID != 0 {
				t.TeamID = &st.TeamID
			}
			if st.OrganizationID != 0 {
				t.OrganizationID = &st.OrganizationID
			}
			if fields != "" && fields != "{}" {
				// A malformed value only loses the policy conditions on
				// custom fields; it must not stop the report.
				_ = json.Unmarshal([]byte(fields), &t.CustomFields)
			}
			full[st.ID] = t
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("report: load tickets: %w", err)
	}
	rows.Close()
	if len(states) > 0 {
		trows, err := q.QueryContext(ctx, `SELECT ticket_id, tag FROM ticket_tags WHERE ticket_id IN (`+ph+`) ORDER BY ticket_id, tag`, args...)
		if err != nil {
			return nil, nil, fmt.Errorf("report: load tags: %w", err)
		}
		defer trows.Close()
		for trows.Next() {
			var id int64
			var tag string
			if err := trows.Scan(&id, &tag); err != nil {
				return nil, nil, fmt.Errorf("report: load tags: %w", err)
			}
			st := states[id]
			st.Tags = strings.TrimPrefix(st.Tags+" "+tag, " ")
			states[id] = st
			if t, ok := full[id]; ok {
				t.Tags = append(t.Tags, tag)
				full[id] = t
			}
		}
		if err := trows.Err(); err != nil {
			return nil, nil, fmt.Errorf("report: load tags: %w", err)
		}
		// Byte order, whatever the database's collation: the same tags
		// must make the same string on both engines.
		for id, st := range states {
			st.Tags = sortTags(st.Tags)
			states[id] = st
		}
	}
	return states, full, nil
}

// loadEvents reads the events that make facts for ids: each ticket's own,
// and those a merge moved elsewhere (origin_ticket_id), in the order they
// happened. Moved events are handed over as the ticket's own. Priority
// changes are among them for the SLA clocks: a target decided before one
// keeps its outcome.
func loadEvents(ctx context.Context, q db.Querier, ids []int64) (map[int64][]ticket.Event, error) {
	ph, args := placeholders(ids)
	args = append(args, args...)
	rows, err := q.QueryContext(ctx, `SELECT COALESCE(origin_ticket_id, ticket_id), id, seq, type, actor_type, COALESCE(actor_id, 0), at, data
		FROM ticket_events WHERE type IN ('created', 'comment_added', 'status_changed', 'merged', 'priority_changed', 'csat_rated', 'csat_requested', 'qa_reviewed', 'qa_review_resolved',
			'chat_offered', 'chat_accepted', 'chat_declined', 'chat_missed', 'chat_transferred', 'chat_ended')
		AND ((ticket_id IN (`+ph+`) AND origin_ticket_id IS NULL) OR origin_ticket_id IN (`+ph+`))`, args...)
	if err != nil {
		return nil, fmt.Errorf("report: load events: %w", err)
	}
	defer rows.Close()
	out := map[int64][]ticket.Event{}
	for rows.Next() {
		var e ticket.Event
		var at int64
		var data string
		if err := rows.Scan(&e.TicketID, &e.ID, &e.Seq, &e.Type, &e.ActorType, &e.ActorID, &at, &data); err != nil {
			return nil, fmt.Errorf("report: load events: %w", err)
		}
		e.At = db.Time(at)
		if err := json.Unmarshal([]byte(data), &e.Data); err != nil {
			return nil, fmt.Errorf("report: event %d data: %w", e.ID, err)
		}
		out[e.TicketID] = append(out[e.TicketID], e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report: load events: %w", err)
	}
	for id, evs := range out {
		sort.SliceStable(evs, func(i, j int) bool {
			if !evs[i].At.Equal(evs[j].At) {
				return evs[i].At.Before(evs[j].At)
			}
			return evs[i].ID < evs[j].ID
		})
		// Renumber in order, as the SLA clocks read seq as the episode id.
		for i := range evs {
			evs[i].Seq = int64(i + 1)
		}
		out[id] = evs
	}
	return out, nil
}

// loadFacts reads the stored facts of ids.
func loadFacts(ctx context.Context, q db.Querier, ids []int64) (map[int64][]Fact, error) {
	ph, args := placeholders(ids)
	rows, err := q.QueryContext(ctx, `SELECT ticket_id, kind, n, at, team_id, agent_id, channel, priority, type, organization_id, language, value, bvalue, tags
		FROM report_facts WHERE ticket_id IN (`+ph+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("report: load facts: %w", err)
	}
	defer rows.Close()
	out := map[int64][]Fact{}
	for rows.Next() {
		var f Fact
		var at int64
		if err := rows.Scan(&f.TicketID, &f.Kind, &f.N, &at, &f.TeamID, &f.AgentID, &f.Channel, &f.Priority, &f.Type,
			&f.OrganizationID, &f.Language, &f.Value, &f.BValue, &f.Tags); err != nil {
			return nil, fmt.Errorf("report: load facts: %w", err)
		}
		f.At = db.Time(at)
		out[f.TicketID] = append(out[f.TicketID], f)
	}
	return out, rows.Err()
}
