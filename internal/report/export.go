package report

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/ticket"
)

// EachFact streams the facts behind a figure (of kind, or every kind for
// ""), oldest first: the drill-down from a number to its tickets, and the
// fact export.
func (s *Service) EachFact(ctx context.Context, actor authz.Actor, f Filter, kind string, fn func(Fact) error) error {
	if err := CheckExport(actor, &f, kind); err != nil {
		return err
	}
	args := []any{}
	from, tagCond, at := "report_facts f", "1 = 1", "f.at"
	if f.Tag != "" {
		// As in aggregateFacts: start from the tag's tickets.
		from, tagCond, at = "ticket_tags tt CROSS JOIN report_facts f", "tt.tag = ? AND f.ticket_id = tt.ticket_id", s.noIndex("f.at")
		args = append(args, f.Tag)
	}
	cond := ""
	if kind != "" {
		cond = " AND f.kind = ?"
		args = append(args, kind)
	}
	w, wargs := f.dimsWhere("f.")
	args = append(args, db.Millis(f.From), db.Millis(f.To))
	args = append(args, wargs...)
	rows, err := s.db.QueryContext(ctx, `SELECT f.ticket_id, f.kind, f.n, f.at, f.team_id, f.agent_id, f.channel, f.priority, f.type,
		f.organization_id, f.language, f.value, f.bvalue FROM `+from+` WHERE `+tagCond+cond+` AND `+at+` >= ? AND `+at+` < ?`+w+
		` ORDER BY f.at, f.ticket_id, f.kind, f.n`, args...)
	if err != nil {
		return fmt.Errorf("report: facts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var x Fact
		var at int64
		if err := rows.Scan(&x.TicketID, &x.Kind, &x.N, &at, &x.TeamID, &x.AgentID, &x.Channel, &x.Priority, &x.Type,
			&x.OrganizationID, &x.Language, &x.Value, &x.BValue); err != nil {
			return fmt.Errorf("report: facts: %w", err)
		}
		x.At = db.Time(at)
		if err := fn(x); err != nil {
			return err
		}
	}
	return rows.Err()
}

// CheckExport answers what EachFact or EachEvent (kind "") would refuse —
// the role, the period, the kind — without running the query, so a
// streamed export can fail with a status before its first byte.
func CheckExport(actor authz.Actor, f *Filter, kind string) error {
	if err := authz.Check(actor, authz.ReportRead); err != nil {
		return err
	}
	if err := f.Validate(); err != nil {
		return err
	}
	if _, ok := kindIndex[kind]; kind != "" && !ok {
		return apperr.InvalidField("kind", "must be one of "+strings.Join(Kinds, ", "))
	}
	return nil
}

// Facts collects up to limit facts (see EachFact).
func (s *Service) Facts(ctx context.Context, actor authz.Actor, f Filter, kind string) ([]Fact, error) {
	const limit = 10000
	var out []Fact
	err := s.EachFact(ctx, actor, f, kind, func(x Fact) error {
		if len(out) == limit {
			return errEnough
		}
		out = append(out, x)
		return nil
	})
	if err == errEnough {
		err = nil
	}
	return out, err
}

var errEnough = fmt.Errorf("report: enough")

// EachEvent streams the raw ticket event log of f's period (by event
// time, then id), for BI tools. Only the period applies: events carry no
// report dimensions of their own.
func (s *Service) EachEvent(ctx context.Context, actor authz.Actor, f Filter, fn func(ticket.Event) error) error {
	if err := CheckExport(actor, &f, ""); err != nil {
		return err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, ticket_id, seq, type, actor_type, COALESCE(actor_id, 0), at, COALESCE(origin_ticket_id, 0), data
		FROM ticket_events WHERE at >= ? AND at < ? ORDER BY at, id`, db.Millis(f.From), db.Millis(f.To))
	if err != nil {
		return fmt.Errorf("report: events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e ticket.Event
		var at int64
		var data string
		if err := rows.Scan(&e.ID, &e.TicketID, &e.Seq, &e.Type, &e.ActorType, &e.ActorID, &at, &e.OriginTicketID, &data); err != nil {
			return fmt.Errorf("report: events: %w", err)
		}
		e.At = db.Time(at)
		if err := json.Unmarshal([]byte(data), &e.Data); err != nil {
			e.Data = map[string]any{"raw": data}
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}
