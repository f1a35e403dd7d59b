package privacy

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ombud/ombud/internal/db"
)

// sweepTarget is a table whose text columns may mention a customer's
// addresses although the row is not theirs (another ticket's copy list, a
// note, an agent's reply quoting them, an audit entry).
type sweepTarget struct {
	table, pk string
	cols      []string
	// byName: the customer's name is looked for too (small tables written
	// by Ombud itself; a name in free text would also match other people).
	byName bool
}

var sweepTargets = []sweepTarget{
	{table: "tickets", pk: "id", cols: []string{"subject", "custom_fields"}},
	{table: "comments", pk: "id", cols: []string{"body", "html"}},
	{table: "ticket_events", pk: "id", cols: []string{"data"}},
	{table: "customers", pk: "id", cols: []string{"notes"}},
	{table: "organizations", pk: "id", cols: []string{"notes"}},
	{table: "email_tickets", pk: "ticket_id", cols: []string{"cc"}},
	{table: "outbound_emails", pk: "id", cols: []string{"recipients", "last_error"}},
	{table: "automation_runs", pk: "id", cols: []string{"actions", "error"}},
	{table: "audit_log", pk: "id", cols: []string{"target", "data"}, byName: true},
}

// sweep erases the needles from every sweep target and returns how many
// rows changed. It reads on the read pool and writes in small batches.
func (s *Service) sweep(ctx context.Context, ids, all needles) (int, error) {
	total := 0
	for _, t := range sweepTargets {
		n := ids
		if t.byName {
			n = all
		}
		if n.empty() {
			continue
		}
		k, err := s.sweepTable(ctx, t, n)
		if err != nil {
			return total, err
		}
		total += k
	}
	return total, nil
}

// likeAny is "(lower(CAST(c AS TEXT)) LIKE ? OR …)" over every column and
// needle, with its arguments.
func likeAny(cols []string, n needles) (string, []any) {
	var conds []string
	var a []any
	for _, c := range cols {
		for _, v := range n.list {
			conds = append(conds, "lower(CAST("+c+" AS TEXT)) LIKE ?")
			a = append(a, "%"+strings.ToLower(v)+"%")
		}
	}
	return "(" + strings.Join(conds, " OR ") + ")", a
}

func (s *Service) sweepTable(ctx context.Context, t sweepTarget, n needles) (int, error) {
	cond, ca := likeAny(t.cols, n)
	sel := make([]string, len(t.cols))
	for i, c := range t.cols {
		sel[i] = "CAST(" + c + " AS TEXT)"
	}
	q := `SELECT ` + t.pk + `, ` + strings.Join(sel, ", ") + ` FROM ` + t.table + ` WHERE ` + t.pk + ` > ? AND ` + cond + ` ORDER BY ` + t.pk + ` LIMIT 200`
	total := 0
	for after := int64(0); ; {
		type change struct {
			pk   int64
			vals []string
		}
		var changes []change
		rows, err := s.db.QueryContext(ctx, q, append([]any{after}, ca...)...)
		if err != nil {
			return total, fmt.Errorf("privacy: sweep %s: %w", t.table, err)
		}
		seen := 0
		for rows.Next() {
			vals := make([]string, len(t.cols))
			dest := []any{new(int64)}
			for i := range vals {
				dest = append(dest, &vals[i])
			}
			if err := rows.Scan(dest...); err != nil {
				rows.Close()
				return total, fmt.Errorf("privacy: sweep %s: %w", t.table, err)
			}
			seen++
			pk := *dest[0].(*int64)
			after = pk
			changed := false
			for i, v := range vals {
				if out := n.replace(v); out != v {
					vals[i], changed = out, true
				}
			}
			if changed {
				changes = append(changes, change{pk, vals})
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return total, fmt.Errorf("privacy: sweep %s: %w", t.table, err)
		}
		if len(changes) > 0 {
			set := make([]string, len(t.cols))
			for i, c := range t.cols {
				set[i] = c + " = ?"
			}
			upd := `UPDATE ` + t.table + ` SET ` + strings.Join(set, ", ") + ` WHERE ` + t.pk + ` = ?`
			if err := s.db.Write(ctx, func(tx *db.Tx) error {
				for _, c := range changes {
					a := make([]any, 0, len(c.vals)+1)
					for _, v := range c.vals {
						a = append(a, v)
					}
					if _, err := tx.ExecContext(ctx, upd, append(a, c.pk)...); err != nil {
						return fmt.Errorf("privacy: sweep %s %d: %w", t.table, c.pk, err)
					}
				}
				return nil
			}); err != nil {
				return total, err
			}
			total += len(changes)
		}
		if seen < 200 {
			return total, nil
		}
	}
}

// deleteDrafts removes every draft that mentions the customer (drafts on
// their own tickets went with the tickets).
func (s *Service) deleteDrafts(ctx context.Context, n needles, sofar int) (int, error) {
	if n.empty() {
		return sofar, nil
	}
	cond, a := likeAny([]string{"body"}, n)
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		k, err := exec(ctx, tx, "delete drafts", `DELETE FROM drafts WHERE `+cond, a)
		sofar += k
		return err
	})
	return sofar, err
}

// deleteReplays removes the kept API answers (Idempotency-Key, kept a
// day) that show the customer: their addresses or name, or a ticket of
// theirs.
func (s *Service) deleteReplays(ctx context.Context, customerID int64, n needles) (int, error) {
	cond, a := likeAny([]string{"body"}, n)
	if n.empty() {
		cond, a = "FALSE", nil
	}
	q := `DELETE FROM idempotency_keys WHERE ` + cond + ` OR body LIKE ?`
	a = append(a, fmt.Sprintf(`%%"requester_id":%d,%%`, customerID))
	total := 0
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		k, err := exec(ctx, tx, "delete kept answers", q, a)
		total = k
		return err
	})
	return total, err
}

// sweepJobs deletes the jobs (queued, finished or dead; never one running)
// about the erased tickets or mentioning the customer: a queued reply to
// an erased customer is not sent, and a finished notice keeps no copy.
func (s *Service) sweepJobs(ctx context.Context, tickets, outbound map[int64]bool, n needles) (int, error) {
	total := 0
	for after := int64(0); ; {
		rows, err := s.db.QueryContext(ctx, `SELECT id, CAST(payload AS TEXT), last_error FROM jobs WHERE state <> 'running' AND id > ? ORDER BY id LIMIT 500`, after)
		if err != nil {
			return total, fmt.Errorf("privacy: jobs: %w", err)
		}
		var drop []int64
		seen := 0
		for rows.Next() {
			var id int64
			var payload, lastErr string
			if err := rows.Scan(&id, &payload, &lastErr); err != nil {
				rows.Close()
				return total, fmt.Errorf("privacy: jobs: %w", err)
			}
			seen++
			after = id
			var p struct {
				TicketID   int64 `json:"ticket_id"`
				OutboundID int64 `json:"outbound_id"`
			}
			_ = json.Unmarshal([]byte(payload), &p)
			if tickets[p.TicketID] || outbound[p.OutboundID] || n.in(payload) || n.in(lastErr) {
				drop = append(drop, id)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return total, fmt.Errorf("privacy: jobs: %w", err)
		}
		if len(drop) > 0 {
			if err := s.db.Write(ctx, func(tx *db.Tx) error {
				k, err := exec(ctx, tx, "delete jobs", `DELETE FROM jobs WHERE state <> 'running' AND id IN `+in(len(drop)), args(drop))
				total += k
				return err
			}); err != nil {
				return total, err
			}
		}
		if seen < 500 {
			return total, nil
		}
	}
}

// deleteWebhookDeliveries removes the webhook delivery log's copies of what
// was sent about the customer: deliveries of their tickets (500 ids a
// statement), and any payload naming their addresses or name (a
// customer.created event).
func (s *Service) deleteWebhookDeliveries(ctx context.Context, tickets map[int64]bool, n needles) (int, error) {
	var conds []string
	var args [][]any
	if !n.empty() {
		c, a := likeAny([]string{"payload"}, n)
		conds, args = append(conds, c), append(args, a)
	}
	ids := make([]any, 0, len(tickets))
	for id := range tickets {
		ids = append(ids, id)
	}
	for len(ids) > 0 {
		k := min(len(ids), 500)
		conds = append(conds, "ticket_id IN (?"+strings.Repeat(", ?", k-1)+")")
		args = append(args, ids[:k])
		ids = ids[k:]
	}
	total := 0
	for i, cond := range conds {
		err := s.db.Write(ctx, func(tx *db.Tx) error {
			if _, err := exec(ctx, tx, "delete webhook attempts", `DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE `+cond+`)`, args[i]); err != nil {
				return err
			}
			k, err := exec(ctx, tx, "delete webhook deliveries", `DELETE FROM webhook_deliveries WHERE `+cond, args[i])
			total += k
			return err
		})
		if err != nil {
			return total, err
		}
	}
	return total, nil
}
