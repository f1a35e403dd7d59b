package qa

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// Sampling are the settings of the weekly sampling: how many tickets per
// agent, and filters that all must hold (none: a random pick).
type Sampling struct {
	Enabled            bool   `json:"enabled"` // the weekly job runs
	PerAgent           int    `json:"per_agent"`
	BadCSAT            bool   `json:"bad_csat"`             // rated 1–3 (bad on good/bad)
	MinResolutionHours int    `json:"min_resolution_hours"` // created → solved at least this long (0: any)
	Reopened           bool   `json:"reopened"`             // solved, reopened, solved again
	Channel            string `json:"channel"`              // "": any
	TeamID             *int64 `json:"team_id"`              // nil: any
}

// SamplingDefaults are the settings before a manager saves any.
var SamplingDefaults = Sampling{PerAgent: 3}

// Assignment is a ticket sampled for a reviewer.
type Assignment struct {
	ID            int64     `json:"id"`
	Week          time.Time `json:"week"`
	TicketID      int64     `json:"ticket_id"`
	TicketSubject string    `json:"ticket_subject"`
	AgentID       int64     `json:"agent_id"`
	AgentName     string    `json:"agent_name"`
	ReviewerID    int64     `json:"reviewer_id"`
	ReviewerName  string    `json:"reviewer_name"`
	Reason        string    `json:"reason"`
	ReviewID      *int64    `json:"review_id"` // set once the review is submitted
	CreatedAt     time.Time `json:"created_at"`
}

// SampleResult says what a sampling run did.
type SampleResult struct {
	Week     time.Time    `json:"week"`
	Assigned []Assignment `json:"assigned"`
}

// Load is one reviewer's workload in a week.
type Load struct {
	ReviewerID int64  `json:"reviewer_id"`
	Name       string `json:"name"`
	Assigned   int    `json:"assigned"`
	Done       int    `json:"done"`
	Open       int    `json:"open"`
}

// SamplingSettings returns the settings (managers).
func (s *Service) SamplingSettings(ctx context.Context, actor authz.Actor) (Sampling, error) {
	if err := authz.Check(actor, authz.QAManage); err != nil {
		return Sampling{}, err
	}
	return loadSampling(ctx, s.db)
}

func loadSampling(ctx context.Context, q db.Querier) (Sampling, error) {
	st := SamplingDefaults
	var team sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT enabled, per_agent, bad_csat, min_resolution_hrs, reopened, channel, team_id FROM qa_sampling WHERE id = 1`).
		Scan(&st.Enabled, &st.PerAgent, &st.BadCSAT, &st.MinResolutionHours, &st.Reopened, &st.Channel, &team)
	if errors.Is(err, sql.ErrNoRows) {
		return SamplingDefaults, nil
	}
	if err != nil {
		return Sampling{}, fmt.Errorf("qa: sampling settings: %w", err)
	}
	st.TeamID = nullID(team)
	return st, nil
}

// SaveSampling stores the settings (managers).
func (s *Service) SaveSampling(ctx context.Context, actor authz.Actor, in Sampling) (Sampling, error) {
	if err := authz.Check(actor, authz.QAManage); err != nil {
		return Sampling{}, err
	}
	fe := apperr.FieldErrors{}
	if in.PerAgent < 1 || in.PerAgent > MaxPerAgent {
		fe.Add("per_agent", fmt.Sprintf("must be from 1 to %d", MaxPerAgent))
	}
	if in.MinResolutionHours < 0 || in.MinResolutionHours > 24*365 {
		fe.Add("min_resolution_hours", "must be from 0 to 8760 hours")
	}
	if in.Channel != "" && !slices.Contains(Channels, in.Channel) {
		fe.Add("channel", "is not a channel")
	}
	if err := fe.Err(); err != nil {
		return Sampling{}, err
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO qa_sampling (id, enabled, per_agent, bad_csat, min_resolution_hrs, reopened, channel, team_id, updated_at)
			VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET enabled = excluded.enabled, per_agent = excluded.per_agent, bad_csat = excluded.bad_csat,
				min_resolution_hrs = excluded.min_resolution_hrs, reopened = excluded.reopened, channel = excluded.channel,
				team_id = excluded.team_id, updated_at = excluded.updated_at`,
			in.Enabled, in.PerAgent, in.BadCSAT, in.MinResolutionHours, in.Reopened, in.Channel, in.TeamID, db.Millis(s.now())); err != nil {
			return fmt.Errorf("qa: save sampling: %w", err)
		}
		return audit.Record(ctx, tx, s.now(), actor, "qa.sampling", "qa", map[string]any{"per_agent": in.PerAgent, "enabled": in.Enabled})
	})
	if err != nil {
		return Sampling{}, err
	}
	return in, nil
}

// reasonOf names the filters a pick satisfied, for the reviewer: "random",
// or codes joined by commas (bad_csat, reopened, resolution:H, channel:C,
// team:ID).
func reasonOf(st Sampling) string {
	var parts []string
	if st.BadCSAT {
		parts = append(parts, "bad_csat")
	}
	if st.MinResolutionHours > 0 {
		parts = append(parts, fmt.Sprintf("resolution:%d", st.MinResolutionHours))
	}
	if st.Reopened {
		parts = append(parts, "reopened")
	}
	if st.Channel != "" {
		parts = append(parts, "channel:"+st.Channel)
	}
	if st.TeamID != nil {
		parts = append(parts, fmt.Sprintf("team:%d", *st.TeamID))
	}
	if len(parts) == 0 {
		return "random"
	}
	return strings.Join(parts, ",")
}

// Sample picks, for the week starting at WeekOf(week), up to PerAgent
// tickets per agent among the tickets they solved that week that match
// the filters and were never sampled or reviewed, and spreads them over
// the active QA reviewers: each pick goes to the reviewer with the fewest
// assignments that week (ties: lowest id) who is not the ticket's agent.
// Running it again tops the week up to PerAgent; it never picks a ticket
// twice. Managers run it on demand; the weekly job runs it as the system.
func (s *Service) Sample(ctx context.Context, actor authz.Actor, week time.Time) (SampleResult, error) {
	if err := authz.Check(actor, authz.QAManage); err != nil {
		return SampleResult{}, err
	}
	week = WeekOf(week)
	res := SampleResult{Week: week}
	var ids []int64
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		st, err := loadSampling(ctx, tx)
		if err != nil {
			return err
		}
		reviewers, err := s.reviewerLoads(ctx, tx, week)
		if err != nil {
			return err
		}
		if len(reviewers) == 0 {
			return apperr.Conflict("reviewers", "there is no active QA reviewer to assign tickets to")
		}
		cands, err := s.candidates(ctx, tx, st, week)
		if err != nil {
			return err
		}
		// Per agent, a random order of their candidates, less what the
		// week already holds for them.
		byAgent := map[int64][]int64{}
		var agents []int64
		for _, c := range cands {
			if _, ok := byAgent[c.agent]; !ok {
				agents = append(agents, c.agent)
			}
			byAgent[c.agent] = append(byAgent[c.agent], c.ticket)
		}
		slices.Sort(agents)
		have := map[int64]int{}
		rows, err := tx.QueryContext(ctx, `SELECT agent_id, COUNT(*) FROM qa_assignments WHERE week = ? GROUP BY agent_id`, db.Millis(week))
		if err != nil {
			return fmt.Errorf("qa: sampled: %w", err)
		}
		for rows.Next() {
			var a int64
			var n int
			if err := rows.Scan(&a, &n); err != nil {
				rows.Close()
				return fmt.Errorf("qa: sampled: %w", err)
			}
			have[a] = n
		}
		rows.Close()
		// Round-robin over the agents (one pick of each agent per round),
		// so one agent's picks spread over the reviewers too.
		type pick struct{ agent, ticket int64 }
		var picks []pick
		for _, a := range agents {
			s.shuffle(byAgent[a])
		}
		for round := 0; ; round++ {
			added := false
			for _, a := range agents {
				if round < st.PerAgent-have[a] && round < len(byAgent[a]) {
					picks = append(picks, pick{a, byAgent[a][round]})
					added = true
				}
			}
			if !added {
				break
			}
		}
		reason := reasonOf(st)
		now := db.Millis(s.now())
		for _, p := range picks {
			best := -1
			for i, r := range reviewers {
				if r.ReviewerID == p.agent {
					continue // never their own tickets
				}
				if best < 0 || r.Assigned < reviewers[best].Assigned {
					best = i
				}
			}
			if best < 0 {
				continue // the only reviewer is this ticket's agent
			}
			id, err := tx.InsertID(ctx, `INSERT INTO qa_assignments (week, ticket_id, agent_id, reviewer_id, reason, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
				db.Millis(week), p.ticket, p.agent, reviewers[best].ReviewerID, reason, now)
			if err != nil {
				return fmt.Errorf("qa: assign: %w", err)
			}
			reviewers[best].Assigned++
			ids = append(ids, id)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO qa_sampling_runs (week, ran_at, picked) VALUES (?, ?, ?)
			ON CONFLICT (week) DO UPDATE SET ran_at = excluded.ran_at, picked = qa_sampling_runs.picked + excluded.picked`, db.Millis(week), now, len(ids)); err != nil {
			return fmt.Errorf("qa: sampling run: %w", err)
		}
		return nil
	})
	if err != nil {
		return SampleResult{}, err
	}
	all, err := s.assignments(ctx, ` WHERE a.week = ?`, db.Millis(week))
	if err != nil {
		return SampleResult{}, err
	}
	for _, a := range all {
		if slices.Contains(ids, a.ID) {
			res.Assigned = append(res.Assigned, a)
		}
	}
	return res, nil
}

type candidate struct{ agent, ticket int64 }

// candidates are the week's solved tickets matching the filters, never
// sampled nor reviewed before.
func (s *Service) candidates(ctx context.Context, tx *db.Tx, st Sampling, week time.Time) ([]candidate, error) {
	d := tx.Dialect()
	q := `SELECT t.assignee_id, t.id FROM tickets t JOIN agents a ON a.id = t.assignee_id
		WHERE t.status IN ('solved', 'closed') AND t.merged_into_id IS NULL AND t.solved_at >= ? AND t.solved_at < ?
		AND NOT EXISTS (SELECT 1 FROM qa_assignments x WHERE x.ticket_id = t.id)
		AND NOT EXISTS (SELECT 1 FROM qa_reviews r WHERE r.ticket_id = t.id AND r.kind = 'review')`
	args := []any{db.Millis(week), db.Millis(week.AddDate(0, 0, 7))}
	if st.BadCSAT {
		// csat.Good is a score of 4 or 5; 0 is unanswered.
		q += ` AND EXISTS (SELECT 1 FROM csat_surveys c WHERE c.ticket_id = t.id AND c.score BETWEEN 1 AND 3)`
	}
	if st.MinResolutionHours > 0 {
		q += ` AND t.solved_at - t.created_at >= ?`
		args = append(args, int64(st.MinResolutionHours)*3600_000)
	}
	if st.Reopened {
		q += ` AND EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id AND e.type = 'status_changed'
			AND ` + d.JSONText("e.data", "from") + ` IN ('solved', 'closed') AND ` + d.JSONText("e.data", "to") + ` NOT IN ('solved', 'closed'))`
	}
	if st.Channel != "" {
		q += ` AND t.channel = ?`
		args = append(args, st.Channel)
	}
	if st.TeamID != nil {
		q += ` AND t.team_id = ?`
		args = append(args, *st.TeamID)
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY t.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("qa: candidates: %w", err)
	}
	defer rows.Close()
	var out []candidate
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.agent, &c.ticket); err != nil {
			return nil, fmt.Errorf("qa: candidates: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// reviewerLoads lists the active QA reviewers with their assignments in
// the week, by id.
func (s *Service) reviewerLoads(ctx context.Context, q db.Querier, week time.Time) ([]Load, error) {
	rows, err := q.QueryContext(ctx, `SELECT g.id, g.name,
		(SELECT COUNT(*) FROM qa_assignments a WHERE a.reviewer_id = g.id AND a.week = ?),
		(SELECT COUNT(*) FROM qa_assignments a WHERE a.reviewer_id = g.id AND a.week = ? AND a.review_id IS NOT NULL)
		FROM agents g WHERE g.role = 'qa_reviewer' AND g.active = TRUE ORDER BY g.id`, db.Millis(week), db.Millis(week))
	if err != nil {
		return nil, fmt.Errorf("qa: reviewers: %w", err)
	}
	defer rows.Close()
	var out []Load
	for rows.Next() {
		var l Load
		if err := rows.Scan(&l.ReviewerID, &l.Name, &l.Assigned, &l.Done); err != nil {
			return nil, fmt.Errorf("qa: reviewers: %w", err)
		}
		l.Open = l.Assigned - l.Done
		out = append(out, l)
	}
	return out, rows.Err()
}

// Workload is every QA reviewer's load in the week (managers).
func (s *Service) Workload(ctx context.Context, actor authz.Actor, week time.Time) ([]Load, error) {
	if err := authz.Check(actor, authz.QAManage); err != nil {
		return nil, err
	}
	return s.reviewerLoads(ctx, s.db, WeekOf(week))
}

// MyAssignments lists the tickets sampled for the actor to review, open
// ones first.
func (s *Service) MyAssignments(ctx context.Context, actor authz.Actor) ([]Assignment, error) {
	if err := authz.Check(actor, authz.QAReview); err != nil {
		return nil, err
	}
	return s.assignments(ctx, ` WHERE a.reviewer_id = ?`, actor.ID)
}

// Assignments lists a week's assignments (managers).
func (s *Service) Assignments(ctx context.Context, actor authz.Actor, week time.Time) ([]Assignment, error) {
	if err := authz.Check(actor, authz.QAManage); err != nil {
		return nil, err
	}
	return s.assignments(ctx, ` WHERE a.week = ?`, db.Millis(WeekOf(week)))
}

func (s *Service) assignments(ctx context.Context, where string, arg any) ([]Assignment, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT a.id, a.week, a.ticket_id, t.subject, a.agent_id, ag.name, a.reviewer_id, rv.name, a.reason, a.review_id, a.created_at
		FROM qa_assignments a JOIN tickets t ON t.id = a.ticket_id JOIN agents ag ON ag.id = a.agent_id JOIN agents rv ON rv.id = a.reviewer_id`+where+`
		ORDER BY (CASE WHEN a.review_id IS NULL THEN 0 ELSE 1 END), a.week DESC, a.id`, arg)
	if err != nil {
		return nil, fmt.Errorf("qa: assignments: %w", err)
	}
	defer rows.Close()
	out := []Assignment{}
	for rows.Next() {
		var a Assignment
		var week, created int64
		var rid sql.NullInt64
		if err := rows.Scan(&a.ID, &week, &a.TicketID, &a.TicketSubject, &a.AgentID, &a.AgentName, &a.ReviewerID, &a.ReviewerName, &a.Reason, &rid, &created); err != nil {
			return nil, fmt.Errorf("qa: assignments: %w", err)
		}
		a.Week, a.CreatedAt, a.ReviewID = db.Time(week), db.Time(created), nullID(rid)
		out = append(out, a)
	}
	return out, rows.Err()
}

// RunWeekly is the weekly job: when sampling is on and last week was not
// sampled yet, it samples last week (Monday to Monday, UTC). It runs
// hourly so a missed hour or a stopped server catches up.
func (s *Service) RunWeekly(ctx context.Context, now time.Time) error {
	st, err := loadSampling(ctx, s.db)
	if err != nil || !st.Enabled {
		return err
	}
	last := WeekOf(now).AddDate(0, 0, -7)
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM qa_sampling_runs WHERE week = ?`, db.Millis(last)).Scan(&n); err != nil {
		return fmt.Errorf("qa: sampling runs: %w", err)
	}
	if n > 0 {
		return nil
	}
	_, err = s.Sample(ctx, authz.System, last)
	if apperr.Is(err, apperr.CodeConflict) {
		return nil // no reviewer yet: nothing to do
	}
	return err
}
