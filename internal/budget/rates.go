package budget

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/wfm"
)

// DefaultHandleTimes are the channels' handle times in seconds until a lead
// sets them (the workforce pages' defaults; 480 for the others).
var DefaultHandleTimes = map[string]int{"phone": 300, "chat": 600, "email": 480, "web": 480, "social": 480, "api": 480}

// MaxRate bounds an hourly rate (a typing mistake, not a wage).
const MaxRate = 100000

// RoleRate is the cost of an agent-hour for a role.
type RoleRate struct {
	Role       string  `json:"role"`
	HourlyRate float64 `json:"hourly_rate"`
}

// AgentRate is an agent's rate: their own (Override) or their role's.
type AgentRate struct {
	AgentID    int64    `json:"agent_id"`
	Name       string   `json:"name"`
	Role       string   `json:"role"`
	Override   *float64 `json:"override"`
	HourlyRate float64  `json:"hourly_rate"` // what an hour of theirs costs
}

// Own is the agent's own rate with two decimals, or "" for the role's.
func (a AgentRate) Own() string {
	if a.Override == nil {
		return ""
	}
	return strconv.FormatFloat(*a.Override, 'f', 2, 64)
}

// Rates are the budget's settings.
type Rates struct {
	Currency    string         `json:"currency"`
	Roles       []RoleRate     `json:"roles"`
	Agents      []AgentRate    `json:"agents"`
	HandleTimes map[string]int `json:"handle_times"` // seconds per channel
}

// RoleRate returns role's rate (0 when unset).
func (r Rates) RoleRate(role string) float64 {
	for _, x := range r.Roles {
		if x.Role == role {
			return x.HourlyRate
		}
	}
	return 0
}

// AgentRate returns the agent's effective rate, or the agent role's rate
// for someone not listed.
func (r Rates) AgentRate(id int64) float64 {
	for _, a := range r.Agents {
		if a.AgentID == id {
			return a.HourlyRate
		}
	}
	return r.RoleRate(string(authz.Agent))
}

// AgentOverride sets or (HourlyRate null) clears an agent's own rate.
type AgentOverride struct {
	AgentID    int64    `json:"agent_id"`
	HourlyRate *float64 `json:"hourly_rate"`
}

// RatesInput changes the settings; absent parts stay as they are.
type RatesInput struct {
	Currency    string             `json:"currency"`
	Roles       map[string]float64 `json:"roles"`
	Agents      []AgentOverride    `json:"agents"`
	HandleTimes map[string]int     `json:"handle_times"`
}

// Service prices the workforce plan.
type Service struct {
	db    *db.DB
	now   func() time.Time
	plans Planner
	sched Roster
}

// NewService returns the budget service.
func NewService(d *db.DB, now func() time.Time, plans Planner, sched Roster) *Service {
	return &Service{db: d, now: now, plans: plans, sched: sched}
}

func cents(x float64) int64     { return int64(math.Round(x * 100)) }
func fromCents(c int64) float64 { return float64(c) / 100 }

// Rates returns the settings (schedule.manage: pay is the leads' business,
// agents never see each other's).
func (s *Service) Rates(ctx context.Context, actor authz.Actor) (Rates, error) {
	if err := authz.Check(actor, authz.ScheduleManage); err != nil {
		return Rates{}, err
	}
	return s.rates(ctx, s.db)
}

func (s *Service) rates(ctx context.Context, q db.Querier) (Rates, error) {
	r := Rates{Currency: "EUR", HandleTimes: map[string]int{}}
	err := q.QueryRowContext(ctx, `SELECT currency FROM budget_settings WHERE id = 1`).Scan(&r.Currency)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("budget: settings: %w", err)
	}
	roles := map[string]int64{}
	if err := each(ctx, q, `SELECT role, rate_cents FROM budget_role_rates`, func(sc func(...any) error) error {
		var role string
		var c int64
		err := sc(&role, &c)
		roles[role] = c
		return err
	}); err != nil {
		return r, err
	}
	for _, role := range authz.Roles {
		r.Roles = append(r.Roles, RoleRate{Role: string(role), HourlyRate: fromCents(roles[string(role)])})
	}
	for ch, sec := range DefaultHandleTimes {
		r.HandleTimes[ch] = sec
	}
	if err := each(ctx, q, `SELECT channel, seconds FROM budget_handle_times`, func(sc func(...any) error) error {
		var ch string
		var sec int
		err := sc(&ch, &sec)
		r.HandleTimes[ch] = sec
		return err
	}); err != nil {
		return r, err
	}
	err = each(ctx, q, `SELECT a.id, a.name, a.role, b.rate_cents FROM agents a LEFT JOIN budget_agent_rates b ON b.agent_id = a.id
		WHERE a.active = ? ORDER BY a.name, a.id`, func(sc func(...any) error) error {
		var a AgentRate
		var c sql.NullInt64
		if err := sc(&a.AgentID, &a.Name, &a.Role, &c); err != nil {
			return err
		}
		a.HourlyRate = fromCents(roles[a.Role])
		if c.Valid {
			v := fromCents(c.Int64)
			a.Override, a.HourlyRate = &v, v
		}
		r.Agents = append(r.Agents, a)
		return nil
	}, true)
	return r, err
}

// each runs a query and calls fn with each row's Scan.
func each(ctx context.Context, q db.Querier, query string, fn func(func(...any) error) error, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("budget: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return fmt.Errorf("budget: %w", err)
		}
	}
	return rows.Err()
}

var currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)

// SetRates changes the settings (schedule.manage), audited.
func (s *Service) SetRates(ctx context.Context, actor authz.Actor, in RatesInput) (Rates, error) {
	if err := authz.Check(actor, authz.ScheduleManage); err != nil {
		return Rates{}, err
	}
	fe := apperr.FieldErrors{}
	in.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	if in.Currency != "" && !currencyRE.MatchString(in.Currency) {
		fe.Add("currency", "must be a three-letter currency code (ISO 4217)")
	}
	okRate := func(x float64) bool { return x >= 0 && x <= MaxRate && !math.IsNaN(x) }
	if fe.MaxItems("roles", len(in.Roles), 20) {
		in.Roles = nil
	}
	if fe.MaxItems("handle_times", len(in.HandleTimes), 20) {
		in.HandleTimes = nil
	}
	for role, x := range in.Roles {
		if !authz.Role(role).Valid() {
			fe.Add("roles."+role, "is not a role")
		} else if !okRate(x) {
			fe.Add("roles."+role, "must be between 0 and 100000")
		}
	}
	if !fe.MaxItems("agents", len(in.Agents), 1000) {
		for i, a := range in.Agents {
			if a.HourlyRate != nil && !okRate(*a.HourlyRate) {
				fe.Add(fmt.Sprintf("agents.%d.hourly_rate", i), "must be between 0 and 100000")
			}
		}
	}
	for ch, sec := range in.HandleTimes {
		if !slices.Contains(wfm.Channels, ch) {
			fe.Add("handle_times."+ch, "is not a channel")
		} else if sec < 1 || sec > 86400 {
			fe.Add("handle_times."+ch, "must be between 1 and 86400 seconds")
		}
	}
	if err := fe.Err(); err != nil {
		return Rates{}, err
	}
	now := s.now()
	var after Rates
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		before, err := s.rates(ctx, tx)
		if err != nil {
			return err
		}
		cur := in.Currency
		if cur == "" {
			cur = before.Currency
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO budget_settings (id, currency, updated_by, updated_at) VALUES (1, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET currency = excluded.currency, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			cur, actor.ID, db.Millis(now)); err != nil {
			return fmt.Errorf("budget: settings: %w", err)
		}
		for role, x := range in.Roles {
			if _, err := tx.ExecContext(ctx, `INSERT INTO budget_role_rates (role, rate_cents) VALUES (?, ?)
				ON CONFLICT (role) DO UPDATE SET rate_cents = excluded.rate_cents`, role, cents(x)); err != nil {
				return fmt.Errorf("budget: role rate: %w", err)
			}
		}
		for i, a := range in.Agents {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM agents WHERE id = ?`, a.AgentID).Scan(&n); err != nil {
				return fmt.Errorf("budget: agent rate: %w", err)
			}
			if n == 0 {
				return apperr.InvalidField(fmt.Sprintf("agents.%d.agent_id", i), "is not an agent")
			}
			if a.HourlyRate == nil {
				_, err = tx.ExecContext(ctx, `DELETE FROM budget_agent_rates WHERE agent_id = ?`, a.AgentID)
			} else {
				_, err = tx.ExecContext(ctx, `INSERT INTO budget_agent_rates (agent_id, rate_cents) VALUES (?, ?)
					ON CONFLICT (agent_id) DO UPDATE SET rate_cents = excluded.rate_cents`, a.AgentID, cents(*a.HourlyRate))
			}
			if err != nil {
				return fmt.Errorf("budget: agent rate: %w", err)
			}
		}
		for ch, sec := range in.HandleTimes {
			if _, err := tx.ExecContext(ctx, `INSERT INTO budget_handle_times (channel, seconds) VALUES (?, ?)
				ON CONFLICT (channel) DO UPDATE SET seconds = excluded.seconds`, ch, sec); err != nil {
				return fmt.Errorf("budget: handle time: %w", err)
			}
		}
		if after, err = s.rates(ctx, tx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, actor, "budget.rates_set", "budget", audit.Change(before, after))
	})
	return after, err
}
