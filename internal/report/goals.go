package report

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// Goal is a target a manager sets on one metric, for one team or (TeamID
// 0) for the whole support team: "first reply time (median) at most one
// hour", "SLA attainment at least 90 %". Ratios are stored and exchanged as
// 0..1, durations in seconds.
type Goal struct {
	ID        int64     `json:"id"`
	TeamID    int64     `json:"team_id"` // 0: everyone
	Metric    string    `json:"metric"`  // a Metrics key
	Op        string    `json:"op"`      // "<=" or ">="
	Target    float64   `json:"target"`
	CreatedBy *int64    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// GoalInput creates a goal. Op defaults from the metric: "<=" when lower is
// better, else ">=".
type GoalInput struct {
	TeamID int64    `json:"team_id"`
	Metric string   `json:"metric"`
	Op     string   `json:"op"`
	Target *float64 `json:"target"`
}

// GoalPatch changes a goal's comparison or target; metric and team are
// fixed (delete the goal and add another).
type GoalPatch struct {
	Op     *string  `json:"op"`
	Target *float64 `json:"target"`
}

// Goal comparisons.
const (
	AtMost  = "<="
	AtLeast = ">="
)

// DefaultOp is the comparison a goal on m gets when none is given.
func DefaultOp(m Metric) string {
	if m.Better == LowerIsBetter {
		return AtMost
	}
	return AtLeast
}

// Met reports whether v meets the goal.
func (g Goal) Met(v float64) bool {
	if g.Op == AtMost {
		return v <= g.Target
	}
	return v >= g.Target
}

// checkTarget validates a target for a metric's unit.
func checkTarget(fe apperr.FieldErrors, m Metric, target *float64) {
	switch {
	case target == nil:
		fe.Add("target", "is required")
	case math.IsNaN(*target) || math.IsInf(*target, 0):
		fe.Add("target", "must be a number")
	case m.Unit == Ratio && (*target < 0 || *target > 1):
		fe.Add("target", "must be a ratio between 0 and 1 (0.9 means 90 percent)")
	case m.Unit == Seconds && *target <= 0:
		fe.Add("target", "must be a number of seconds greater than 0")
	case m.Unit == Seconds && *target > 366*24*3600:
		fe.Add("target", "may be at most a year in seconds")
	case (m.Unit == Count || m.Unit == Number) && *target < 0:
		fe.Add("target", "must not be negative")
	case (m.Unit == Count || m.Unit == Number) && *target > 1e12:
		fe.Add("target", "is too large")
	case m.Unit == Score && (*target < -100 || *target > 100):
		fe.Add("target", "must be between -100 and 100")
	}
}

func checkOp(fe apperr.FieldErrors, op string) {
	if op != AtMost && op != AtLeast {
		fe.Add("op", "must be <= or >=")
	}
}

// teamExists reports whether team id exists (0, everyone, always does).
func teamExists(ctx context.Context, q db.Querier, id int64) (bool, error) {
	if id == 0 {
		return true, nil
	}
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM teams WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("report: team %d: %w", id, err)
	}
	return true, nil
}

const goalCols = `id, team_id, metric, op, target, created_by, created_at, updated_at`

func scanGoal(sc interface{ Scan(...any) error }) (Goal, error) {
	var g Goal
	var by sql.NullInt64
	var c, u int64
	if err := sc.Scan(&g.ID, &g.TeamID, &g.Metric, &g.Op, &g.Target, &by, &c, &u); err != nil {
		return Goal{}, err
	}
	if by.Valid {
		g.CreatedBy = &by.Int64
	}
	g.CreatedAt, g.UpdatedAt = db.Time(c), db.Time(u)
	return g, nil
}

// CreateGoal adds a goal. A second goal on the same team and metric is a
// conflict.
func (s *Service) CreateGoal(ctx context.Context, actor authz.Actor, in GoalInput) (Goal, error) {
	if err := authz.Check(actor, authz.ReportWrite); err != nil {
		return Goal{}, err
	}
	fe := apperr.FieldErrors{}
	m, ok := MetricByKey(in.Metric)
	if !ok {
		if in.Metric == "" {
			fe.Add("metric", "is required")
		} else {
			fe.Add("metric", "is not a known metric")
		}
	} else {
		if in.Op == "" {
			in.Op = DefaultOp(m)
		}
		checkOp(fe, in.Op)
		checkTarget(fe, m, in.Target)
	}
	if in.TeamID < 0 {
		fe.Add("team_id", "must be a team id, or 0 for everyone")
	}
	if err := fe.Err(); err != nil {
		return Goal{}, err
	}
	now := s.now()
	var g Goal
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		ok, err := teamExists(ctx, tx, in.TeamID)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.Unprocessable("team_id", "no such team")
		}
		var one int
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM report_goals WHERE team_id = ? AND metric = ?`, in.TeamID, in.Metric).Scan(&one)
		if err == nil {
			return apperr.Conflict("metric", "this team already has a goal for this metric")
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("report: goal lookup: %w", err)
		}
		id, err := tx.InsertID(ctx, `INSERT INTO report_goals (team_id, metric, op, target, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, in.TeamID, in.Metric, in.Op, *in.Target, db.NullInt(actorAgent(actor)), db.Millis(now), db.Millis(now))
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("metric", "this team already has a goal for this metric")
		}
		if err != nil {
			return fmt.Errorf("report: create goal: %w", err)
		}
		if g, err = getGoal(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, actor, "report_goal.create", goalTarget(g), audit.Change(nil, g))
	})
	return g, err
}

// goalTarget names a goal in the audit log: id, metric and team.
func goalTarget(g Goal) string {
	return fmt.Sprintf("report_goal:%d %s team:%d", g.ID, g.Metric, g.TeamID)
}

func actorAgent(a authz.Actor) int64 {
	if a.Kind == authz.KindAgent {
		return a.ID
	}
	return 0
}

func getGoal(ctx context.Context, q db.Querier, id int64) (Goal, error) {
	g, err := scanGoal(q.QueryRowContext(ctx, `SELECT `+goalCols+` FROM report_goals WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Goal{}, apperr.NotFound("goal", id)
	}
	if err != nil {
		return Goal{}, fmt.Errorf("report: goal %d: %w", id, err)
	}
	return g, nil
}

// GetGoal reads one goal.
func (s *Service) GetGoal(ctx context.Context, actor authz.Actor, id int64) (Goal, error) {
	if err := authz.Check(actor, authz.ReportRead); err != nil {
		return Goal{}, err
	}
	return getGoal(ctx, s.db, id)
}

// UpdateGoal changes a goal's comparison or target.
func (s *Service) UpdateGoal(ctx context.Context, actor authz.Actor, id int64, p GoalPatch) (Goal, error) {
	if err := authz.Check(actor, authz.ReportWrite); err != nil {
		return Goal{}, err
	}
	var g Goal
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var err error
		if g, err = getGoal(ctx, tx, id); err != nil {
			return err
		}
		before := g
		m, _ := MetricByKey(g.Metric)
		fe := apperr.FieldErrors{}
		if p.Op != nil {
			checkOp(fe, *p.Op)
			g.Op = *p.Op
		}
		if p.Target != nil {
			checkTarget(fe, m, p.Target)
			g.Target = *p.Target
		}
		if err := fe.Err(); err != nil {
			return err
		}
		g.UpdatedAt = s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE report_goals SET op = ?, target = ?, updated_at = ? WHERE id = ?`,
			g.Op, g.Target, db.Millis(g.UpdatedAt), id); err != nil {
			return fmt.Errorf("report: update goal %d: %w", id, err)
		}
		if g, err = getGoal(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, g.UpdatedAt, actor, "report_goal.update", goalTarget(g), audit.Change(before, g))
	})
	return g, err
}

// DeleteGoal removes a goal.
func (s *Service) DeleteGoal(ctx context.Context, actor authz.Actor, id int64) error {
	if err := authz.Check(actor, authz.ReportWrite); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		before, err := getGoal(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM report_goals WHERE id = ?`, id); err != nil {
			return fmt.Errorf("report: delete goal %d: %w", id, err)
		}
		return audit.Record(ctx, tx, s.now(), actor, "report_goal.delete", goalTarget(before), audit.Change(before, nil))
	})
}

// ListGoals lists every goal: the everyone goals first, then by team, each
// in the order of Metrics.
func (s *Service) ListGoals(ctx context.Context, actor authz.Actor) ([]Goal, error) {
	if err := authz.Check(actor, authz.ReportRead); err != nil {
		return nil, err
	}
	return listGoals(ctx, s.db, -1)
}

// listGoals reads the goals of one team (team >= 0) or all (team < 0).
func listGoals(ctx context.Context, q db.Querier, team int64) ([]Goal, error) {
	query := `SELECT ` + goalCols + ` FROM report_goals`
	var args []any
	if team >= 0 {
		query += ` WHERE team_id = ?`
		args = append(args, team)
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("report: goals: %w", err)
	}
	defer rows.Close()
	out := []Goal{}
	for rows.Next() {
		g, err := scanGoal(rows)
		if err != nil {
			return nil, fmt.Errorf("report: goals: %w", err)
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report: goals: %w", err)
	}
	order := map[string]int{}
	for i, m := range Metrics {
		order[m.Key] = i
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].TeamID != out[j].TeamID {
			return out[i].TeamID < out[j].TeamID
		}
		return order[out[i].Metric] < order[out[j].Metric]
	})
	return out, nil
}

// GoalStatus is a goal measured over a period.
type GoalStatus struct {
	Goal  Goal   `json:"goal"`
	Label string `json:"label"` // the metric's English label
	Unit  Unit   `json:"unit"`
	// Value is the period's figure; nil when there is no data (no replies:
	// no reply time), and then Met is nil too.
	Value       *float64 `json:"value"`
	Met         *bool    `json:"met"`
	Previous    *float64 `json:"previous"` // the period of the same length just before
	PreviousMet *bool    `json:"previous_met"`
	// Trend is the figure per week for the TrendWeeks weeks up to the
	// period's end, oldest first; the last week ends at the period's end.
	Trend []GoalPoint `json:"trend"`
}

// GoalPoint is one bucket of a goal's trend.
type GoalPoint struct {
	Start time.Time `json:"start"`
	Value *float64  `json:"value"`
	Met   *bool     `json:"met"`
}

// TrendWeeks is how many weeks a goal's trend shows.
const TrendWeeks = 8

func (g Goal) judge(m Metric, f Figures) (*float64, *bool) {
	v := m.Value(f)
	if v == nil {
		return nil, nil
	}
	met := g.Met(*v)
	return v, &met
}

// GoalStatus measures goals over f's period. Which goals: with f.TeamID
// set, that team's goals, measured on the team's tickets; without, every
// goal, each measured on its own team's tickets (the everyone goals on all
// tickets). The filter's other dimensions (channel, priority, agent …)
// apply to every goal alike.
func (s *Service) GoalStatus(ctx context.Context, actor authz.Actor, f Filter) ([]GoalStatus, error) {
	if err := authz.Check(actor, authz.ReportRead); err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	team := int64(-1)
	if f.TeamID != 0 {
		team = f.TeamID
	}
	goals, err := listGoals(ctx, s.db, team)
	if err != nil {
		return nil, err
	}
	// Buckets: the TrendWeeks weeks whose last ends at the period's end.
	last := bucketStart(f.To.Add(-time.Nanosecond), f.Loc, Week)
	starts := make([]time.Time, TrendWeeks)
	for i := range starts {
		starts[i] = last.AddDate(0, 0, -7*(TrendWeeks-1-i))
	}
	type key struct {
		team int64
		from time.Time
		to   time.Time
	}
	cache := map[key]Figures{}
	fig := func(team int64, from, to time.Time) (Figures, error) {
		k := key{team, from, to}
		if v, ok := cache[k]; ok {
			return v, nil
		}
		g := f
		g.TeamID, g.From, g.To = team, from, to
		v, err := s.figures(ctx, g)
		if err != nil {
			return Figures{}, err
		}
		cache[k] = v
		return v, nil
	}
	out := make([]GoalStatus, 0, len(goals))
	for _, g := range goals {
		m, ok := MetricByKey(g.Metric)
		if !ok {
			continue // a metric that no longer exists
		}
		st := GoalStatus{Goal: g, Label: m.Label, Unit: m.Unit, Trend: make([]GoalPoint, 0, TrendWeeks)}
		cur, err := fig(g.TeamID, f.From, f.To)
		if err != nil {
			return nil, err
		}
		st.Value, st.Met = g.judge(m, cur)
		prev, err := fig(g.TeamID, f.From.Add(-f.To.Sub(f.From)), f.From)
		if err != nil {
			return nil, err
		}
		st.Previous, st.PreviousMet = g.judge(m, prev)
		for _, b := range starts {
			end := nextBucket(b, Week)
			if end.After(f.To) {
				end = f.To
			}
			bf, err := fig(g.TeamID, b, end)
			if err != nil {
				return nil, err
			}
			p := GoalPoint{Start: b}
			p.Value, p.Met = g.judge(m, bf)
			st.Trend = append(st.Trend, p)
		}
		out = append(out, st)
	}
	return out, nil
}
