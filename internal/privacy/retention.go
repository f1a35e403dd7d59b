package privacy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/jobs"
)

// RetentionName is the hourly retention job's name.
const RetentionName = "privacy.retention"

// Channels a rule may name ("" is every channel).
var Channels = []string{"email", "chat", "web", "phone", "social", "api", "in_person"}

// Rule deletes or anonymises closed tickets Months after they were closed.
type Rule struct {
	ID      int64     `json:"id"`
	Action  Mode      `json:"action"`
	Months  int       `json:"months"`
	Channel string    `json:"channel"`
	Active  bool      `json:"active"`
	Created time.Time `json:"created_at"`
	// Due is how many tickets the rule would change now (the dry run).
	Due int `json:"due"`
}

// RuleInput creates a rule.
type RuleInput struct {
	Action  Mode   `json:"action"`
	Months  int    `json:"months"`
	Channel string `json:"channel"`
}

// Register runs the retention rules hourly on r.
func (s *Service) Register(r *jobs.Runner) {
	r.Every(RetentionName, time.Hour, func(ctx context.Context, now time.Time) error {
		_, err := s.ApplyRetention(ctx, now)
		return err
	})
}

// Rules lists the retention rules, each with its dry-run count.
func (s *Service) Rules(ctx context.Context, actor authz.Actor) ([]Rule, error) {
	if err := authz.Check(actor, authz.PrivacyManage); err != nil {
		return nil, err
	}
	rules, err := s.rules(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	for i := range rules {
		w, a := dueWhere(rules[i], now)
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets t WHERE `+w, a...).Scan(&rules[i].Due); err != nil {
			return nil, fmt.Errorf("privacy: dry run: %w", err)
		}
	}
	return rules, nil
}

func (s *Service) rules(ctx context.Context) ([]Rule, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, action, months, channel, active, created_at FROM retention_rules ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("privacy: rules: %w", err)
	}
	defer rows.Close()
	out := []Rule{}
	for rows.Next() {
		var r Rule
		var at int64
		if err := rows.Scan(&r.ID, &r.Action, &r.Months, &r.Channel, &r.Active, &at); err != nil {
			return nil, fmt.Errorf("privacy: rules: %w", err)
		}
		r.Created = db.Time(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// auditRule is a rule as its audit rows show it (without the dry run's
// count, which is not a setting).
func auditRule(r Rule) map[string]any {
	return map[string]any{"id": r.ID, "action": r.Action, "months": r.Months, "channel": r.Channel, "active": r.Active}
}

// CreateRule adds a retention rule.
func (s *Service) CreateRule(ctx context.Context, actor authz.Actor, in RuleInput) (Rule, error) {
	if err := authz.Check(actor, authz.PrivacyManage); err != nil {
		return Rule{}, err
	}
	fe := apperr.FieldErrors{}
	if !in.Action.Valid() {
		fe.Add("action", "must be anonymise or delete")
	}
	if in.Months < 1 || in.Months > 1200 {
		fe.Add("months", "must be between 1 and 1200")
	}
	if in.Channel != "" && !slices.Contains(Channels, in.Channel) {
		fe.Add("channel", "is not a channel")
	}
	if err := fe.Err(); err != nil {
		return Rule{}, err
	}
	r := Rule{Action: in.Action, Months: in.Months, Channel: in.Channel, Active: true, Created: db.Time(db.Millis(s.now()))}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var err error
		r.ID, err = tx.InsertID(ctx, `INSERT INTO retention_rules (action, months, channel, active, created_at, updated_at) VALUES (?, ?, ?, TRUE, ?, ?)`,
			string(r.Action), r.Months, r.Channel, db.Millis(r.Created), db.Millis(r.Created))
		if err != nil {
			return fmt.Errorf("privacy: create rule: %w", err)
		}
		return audit.Record(ctx, tx, s.now(), actor, "retention_rule.create", fmt.Sprint(r.ID), audit.Change(nil, auditRule(r)))
	})
	return r, err
}

// DeleteRule removes a retention rule.
func (s *Service) DeleteRule(ctx context.Context, actor authz.Actor, id int64) error {
	if err := authz.Check(actor, authz.PrivacyManage); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		var r Rule
		var at int64
		err := tx.QueryRowContext(ctx, `SELECT id, action, months, channel, active, created_at FROM retention_rules WHERE id = ?`, id).
			Scan(&r.ID, &r.Action, &r.Months, &r.Channel, &r.Active, &at)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("retention rule", id)
		}
		if err != nil {
			return fmt.Errorf("privacy: delete rule: %w", err)
		}
		r.Created = db.Time(at)
		if _, err := exec(ctx, tx, "delete rule", `DELETE FROM retention_rules WHERE id = ?`, []any{id}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), actor, "retention_rule.delete", fmt.Sprint(id), audit.Change(auditRule(r), nil))
	})
}

// dueWhere selects the tickets a rule applies to at now (table alias t).
func dueWhere(r Rule, now time.Time) (string, []any) {
	w := `t.status = 'closed' AND t.closed_at < ?`
	a := []any{db.Millis(now.AddDate(0, -r.Months, 0))}
	if r.Channel != "" {
		w += ` AND t.channel = ?`
		a = append(a, r.Channel)
	}
	if r.Action == Anonymise {
		w += ` AND t.erased_at IS NULL`
	}
	return w, a
}

// maxRetentionBatches bounds one run; the next hour goes on where it ended.
const maxRetentionBatches = 200

// ApplyRetention applies every active rule to the tickets due at now, in
// batches, and returns how many tickets it changed. Each batch that changes
// something records an audit row (counts only).
func (s *Service) ApplyRetention(ctx context.Context, now time.Time) (int, error) {
	rules, err := s.rules(ctx)
	if err != nil {
		return 0, err
	}
	total, batches := 0, 0
	for _, r := range rules {
		if !r.Active {
			continue
		}
		w, a := dueWhere(r, now)
		for batches < maxRetentionBatches {
			ids, err := s.ids(ctx, `SELECT t.id FROM tickets t WHERE `+w+` ORDER BY t.id LIMIT ?`, append(a, s.batch)...)
			if err != nil {
				return total, err
			}
			if len(ids) == 0 {
				break
			}
			batches++
			var sums []string
			err = s.db.Write(ctx, func(tx *db.Tx) error {
				res, bs, err := s.eraseTickets(ctx, tx, ids, r.Action, needles{}, map[int64]bool{})
				if err != nil {
					return err
				}
				sums = bs
				data := res.auditData()
				data["rule"] = r.ID
				return audit.Record(ctx, tx, now, authz.System, "retention_applied", fmt.Sprintf("retention_rule:%d", r.ID), data)
			})
			if err != nil {
				return total, err
			}
			s.removeBlobs(ctx, sums)
			total += len(ids)
			if len(ids) < s.batch {
				break
			}
		}
	}
	if total > 0 {
		s.refreshReports(ctx)
		s.log.Info("retention applied", "tickets", total)
	}
	return total, nil
}
