package qa

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// IQSQuery chooses the reviews an IQS covers and how they are grouped.
type IQSQuery struct {
	From, To time.Time // submitted in [From, To)
	By       string    // agent or team
	Bucket   string    // week, month or "" (the whole period)
	AgentID  int64     // only this agent (0: all)
	TeamID   int64     // only this team (0: all)
}

// IQSRow is the Internal Quality Score of one agent or team in one period.
type IQSRow struct {
	Key            int64     `json:"id"` // agent or team id (0: no team)
	Name           string    `json:"name"`
	Period         time.Time `json:"period"` // the bucket's start (From when unbucketed)
	Reviews        int       `json:"reviews"`
	CriticalFailed int       `json:"critical_failed"`
	IQS            float64   `json:"iqs"` // 0–100
}

// IQS computes the Internal Quality Score (docs/metrics.md): the mean
// score of the reviews (kind review, submitted) whose submission falls in
// the period, per agent reviewed or per the ticket's team at review time;
// a review failed on a critical category counts as 0, an adjusted dispute
// counts with its adjusted score. Calibration scores never count.
// Managers see everyone; an agent only themselves.
func (s *Service) IQS(ctx context.Context, actor authz.Actor, q IQSQuery) ([]IQSRow, error) {
	if !manages(actor) {
		if err := authz.Check(actor, authz.QAOwn); err != nil {
			return nil, err
		}
		if q.By != "agent" || q.AgentID != actor.ID {
			return nil, apperr.Forbidden("you may read only your own quality score")
		}
	}
	fe := apperr.FieldErrors{}
	if q.By != "agent" && q.By != "team" {
		fe.Add("by", "must be agent or team")
	}
	if q.Bucket != "" && q.Bucket != "week" && q.Bucket != "month" {
		fe.Add("bucket", "must be week or month")
	}
	if q.From.IsZero() || q.To.IsZero() || !q.To.After(q.From) {
		fe.Add("to", "must be after from")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	where := ` WHERE r.kind = 'review' AND r.state <> 'draft' AND r.submitted_at >= ? AND r.submitted_at < ?`
	args := []any{db.Millis(q.From), db.Millis(q.To)}
	if q.AgentID != 0 {
		where += ` AND r.agent_id = ?`
		args = append(args, q.AgentID)
	}
	if q.TeamID != 0 {
		where += ` AND r.team_id = ?`
		args = append(args, q.TeamID)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT r.agent_id, a.name, r.team_id, COALESCE(tm.name, ''), r.score, r.critical_failed, r.submitted_at
		FROM qa_reviews r JOIN agents a ON a.id = r.agent_id LEFT JOIN teams tm ON tm.id = r.team_id`+where, args...)
	if err != nil {
		return nil, fmt.Errorf("qa: iqs: %w", err)
	}
	defer rows.Close()
	type key struct {
		id     int64
		period int64
	}
	type acc struct {
		name     string
		n, fails int
		sum      float64
	}
	sums := map[key]*acc{}
	for rows.Next() {
		var agent int64
		var agentName, teamName string
		var team sql.NullInt64
		var score sql.NullFloat64
		var failed bool
		var at int64
		if err := rows.Scan(&agent, &agentName, &team, &teamName, &score, &failed, &at); err != nil {
			return nil, fmt.Errorf("qa: iqs: %w", err)
		}
		k := key{id: agent, period: db.Millis(bucketOf(db.Time(at), q.Bucket, q.From))}
		name := agentName
		if q.By == "team" {
			k.id, name = team.Int64, teamName
		}
		a := sums[k]
		if a == nil {
			a = &acc{name: name}
			sums[k] = a
		}
		a.n++
		a.sum += score.Float64
		if failed {
			a.fails++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("qa: iqs: %w", err)
	}
	out := []IQSRow{}
	for k, a := range sums {
		out = append(out, IQSRow{Key: k.id, Name: a.name, Period: db.Time(k.period), Reviews: a.n, CriticalFailed: a.fails,
			IQS: math.Round(100*a.sum/float64(a.n)) / 100})
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Period.Equal(out[j].Period) {
			return out[i].Period.Before(out[j].Period)
		}
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Key < out[j].Key
	})
	return out, nil
}

func bucketOf(t time.Time, bucket string, from time.Time) time.Time {
	switch bucket {
	case "week":
		return WeekOf(t)
	case "month":
		t = t.UTC()
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return from
}
