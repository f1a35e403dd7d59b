package automation

import (
	"context"
	"fmt"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/ticket"
)

// Preview sizes: how many of the newest tickets a preview reads by default
// and at most.
const (
	PreviewDefault = 200
	PreviewMax     = 500
)

// PreviewMatch is one ticket a rule's conditions match.
type PreviewMatch struct {
	ID      int64         `json:"id"`
	Subject string        `json:"subject"`
	Status  ticket.Status `json:"status"`
}

// PreviewResult says which of the newest tickets match conditions as they
// stand now.
type PreviewResult struct {
	Checked int            `json:"checked"`
	Matches []PreviewMatch `json:"matches"`
	// ChangeIgnored is true when the conditions ask about the change that
	// runs a trigger (event, comment.*, changed…): a ticket at rest has no
	// change, so the preview counts those conditions as met.
	ChangeIgnored bool `json:"change_ignored"`
}

// aboutChange reports whether a condition looks at the change that runs a
// trigger rather than at the ticket.
func aboutChange(field, op string) bool {
	return field == "event" || strings.HasPrefix(field, "comment.") || field == "csat" || field == "csat.score" ||
		op == "changed" || op == "changed_to" || op == "changed_from"
}

func always(*Facts) bool { return true }

// PreviewRule evaluates conditions for a rule of kind against the newest
// limit tickets (PreviewDefault when 0) with the same evaluation triggers
// and automations use, and lists those that match. Conditions that do not
// validate are refused with their field paths, like a save.
func (s *Service) PreviewRule(ctx context.Context, actor authz.Actor, kind Kind, conds Conditions, limit int) (PreviewResult, error) {
	if err := validKind(kind); err != nil {
		return PreviewResult{}, err
	}
	if err := authz.Check(actor, authz.AutomationRead); err != nil {
		return PreviewResult{}, err
	}
	if err := authz.Check(actor, authz.TicketRead); err != nil {
		return PreviewResult{}, err
	}
	if limit <= 0 {
		limit = PreviewDefault
	}
	limit = min(limit, PreviewMax)
	if err := checkRuleSizes(&conds, nil); err != nil {
		return PreviewResult{}, err
	}
	fe := apperr.FieldErrors{}
	if len(conds.All) == 0 && len(conds.Any) == 0 {
		fe.Add("conditions", "name at least one condition")
		return PreviewResult{}, fe.Err()
	}
	cc := &compiler{kind: kind, fe: fe, preview: true}
	match := cc.group(conds.All, conds.Any, "conditions", 1)
	if err := fe.Err(); err != nil {
		return PreviewResult{}, err
	}
	tickets, err := s.newestTickets(ctx, actor, limit)
	if err != nil {
		return PreviewResult{}, err
	}
	statusAt, err := s.statusChanged(ctx, tickets)
	if err != nil {
		return PreviewResult{}, err
	}
	now := s.now()
	out := PreviewResult{Checked: len(tickets), Matches: []PreviewMatch{}, ChangeIgnored: cc.ignored}
	for _, t := range tickets {
		f := Facts{Ticket: t, Now: now, InBusinessHours: s.businessHours}
		if at, ok := statusAt[t.ID]; ok && at > 0 {
			f.StatusChangedAt = db.Time(at)
		}
		if match(&f) {
			out.Matches = append(out.Matches, PreviewMatch{ID: t.ID, Subject: t.Subject, Status: t.Status})
		}
	}
	return out, nil
}

// newestTickets reads the newest n tickets through the ticket service, so
// they come with requester, tags and custom fields as rules see them.
func (s *Service) newestTickets(ctx context.Context, actor authz.Actor, n int) ([]ticket.Ticket, error) {
	var out []ticket.Ticket
	pr := page.Request{Limit: page.MaxLimit}
	for len(out) < n {
		pr.Limit = min(page.MaxLimit, n-len(out))
		l, err := s.tickets.List(ctx, actor, ticket.Filter{Sort: "created"}, pr)
		if err != nil {
			return nil, err
		}
		out = append(out, l.Data...)
		if l.NextCursor == nil {
			break
		}
		c, err := page.Decode(*l.NextCursor)
		if err != nil {
			return nil, fmt.Errorf("automation: preview cursor: %w", err)
		}
		pr.Cursor = c
	}
	return out, nil
}

// statusChanged finds when each ticket's status last changed, for
// hours_since_status_change.
func (s *Service) statusChanged(ctx context.Context, ts []ticket.Ticket) (map[int64]int64, error) {
	out := map[int64]int64{}
	if len(ts) == 0 {
		return out, nil
	}
	args := make([]any, len(ts))
	for i, t := range ts {
		args[i] = t.ID
	}
	in := strings.TrimSuffix(strings.Repeat("?,", len(args)), ",")
	rows, err := s.db.QueryContext(ctx, `SELECT t.id, COALESCE(`+statusChangedSQL+`, 0) FROM tickets t WHERE t.id IN (`+in+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("automation: preview status times: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, at int64
		if err := rows.Scan(&id, &at); err != nil {
			return nil, fmt.Errorf("automation: preview status times: %w", err)
		}
		out[id] = at
	}
	return out, rows.Err()
}
