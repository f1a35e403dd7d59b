package routing

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
)

// MaxEscalateMinutes bounds escalate_after_minutes (a week).
const MaxEscalateMinutes = 7 * 24 * 60

// Settings are one team's routing settings.
type Settings struct {
	TeamID           int64           `json:"team_id"`
	Method           Method          `json:"method"`
	Capacity         int             `json:"capacity"` // open tickets per agent unless overridden
	AgentCapacities  []AgentCapacity `json:"agent_capacities"`
	RequireAvailable bool            `json:"require_available"` // only online agents get tickets
	OfflinePolicy    string          `json:"offline_policy"`    // keep or return
	// EscalateAfterMinutes is how long a ticket may wait in the team's queue
	// without a public agent reply before it is escalated; 0 never.
	EscalateAfterMinutes int         `json:"escalate_after_minutes"`
	EscalateTo           *EscalateTo `json:"escalate_to"`
	UpdatedAt            *time.Time  `json:"updated_at"` // null while the team has the defaults
}

// AgentCapacity overrides the team's capacity for one agent.
type AgentCapacity struct {
	AgentID  int64 `json:"agent_id"`
	Capacity int   `json:"capacity"`
}

// EscalateTo names exactly one target: a lead (assigned and made a
// follower) or another team (the ticket moves there).
type EscalateTo struct {
	AgentID int64 `json:"agent_id,omitempty"`
	TeamID  int64 `json:"team_id,omitempty"`
}

// SettingsInput replaces a team's routing settings. Absent optional fields
// take their defaults: capacity 10, require_available true, offline_policy
// keep, no escalation.
type SettingsInput struct {
	Method               Method          `json:"method"`
	Capacity             *int            `json:"capacity"`
	AgentCapacities      []AgentCapacity `json:"agent_capacities"`
	RequireAvailable     *bool           `json:"require_available"`
	OfflinePolicy        string          `json:"offline_policy"`
	EscalateAfterMinutes int             `json:"escalate_after_minutes"`
	EscalateTo           *EscalateTo     `json:"escalate_to"`
}

func defaults(teamID int64) Settings {
	return Settings{TeamID: teamID, Method: Manual, Capacity: DefaultCapacity, AgentCapacities: []AgentCapacity{},
		RequireAvailable: true, OfflinePolicy: OfflineKeep}
}

// validate checks the shape of in and fills its defaults; the references
// (agents, teams) are checked inside the write.
func (in *SettingsInput) validate() error {
	fe := apperr.FieldErrors{}
	if fe.MaxItems("agent_capacities", len(in.AgentCapacities), MaxAgentCapacities) {
		return fe.Err()
	}
	switch {
	case in.Method == "":
		fe.Add("method", "is required")
	case !slices.Contains(Methods, in.Method):
		fe.Add("method", "must be one of manual, round_robin, least_load, skills")
	}
	if in.Capacity == nil {
		c := DefaultCapacity
		in.Capacity = &c
	} else if *in.Capacity < 1 || *in.Capacity > 10000 {
		fe.Add("capacity", "must be between 1 and 10000")
	}
	seen := map[int64]bool{}
	for i, c := range in.AgentCapacities {
		if c.AgentID <= 0 {
			fe.Add(fmt.Sprintf("agent_capacities[%d].agent_id", i), "must be a positive id")
		} else if seen[c.AgentID] {
			fe.Add(fmt.Sprintf("agent_capacities[%d].agent_id", i), "is repeated")
		}
		seen[c.AgentID] = true
		if c.Capacity < 1 || c.Capacity > 10000 {
			fe.Add(fmt.Sprintf("agent_capacities[%d].capacity", i), "must be between 1 and 10000")
		}
	}
	if in.RequireAvailable == nil {
		t := true
		in.RequireAvailable = &t
	}
	switch in.OfflinePolicy {
	case "":
		in.OfflinePolicy = OfflineKeep
	case OfflineKeep:
	case OfflineReturn:
		// Returned tickets are routed again at once; without the
		// availability rule they could go straight back to the agent who
		// just went offline.
		if !*in.RequireAvailable {
			fe.Add("offline_policy", "return needs require_available")
		}
	default:
		fe.Add("offline_policy", "must be keep or return")
	}
	if in.EscalateAfterMinutes < 0 || in.EscalateAfterMinutes > MaxEscalateMinutes {
		fe.Add("escalate_after_minutes", fmt.Sprintf("must be between 0 (never) and %d", MaxEscalateMinutes))
	}
	if e := in.EscalateTo; e != nil {
		switch {
		case e.AgentID != 0 && e.TeamID != 0:
			fe.Add("escalate_to", "name an agent_id or a team_id, not both")
		case e.AgentID < 0:
			fe.Add("escalate_to.agent_id", "must be a positive id")
		case e.TeamID < 0:
			fe.Add("escalate_to.team_id", "must be a positive id")
		case e.AgentID == 0 && e.TeamID == 0:
			in.EscalateTo = nil
		}
	}
	if in.EscalateAfterMinutes > 0 && in.EscalateTo == nil {
		fe.Add("escalate_to", "is required when escalate_after_minutes is set")
	}
	return fe.Err()
}

// GetSettings returns a team's routing settings (the defaults when never set).
func (s *Service) GetSettings(ctx context.Context, actor authz.Actor, teamID int64) (Settings, error) {
	if err := authz.Check(actor, authz.AutomationRead); err != nil {
		return Settings{}, err
	}
	if err := teamExists(ctx, s.db, teamID, "team", true); err != nil {
		return Settings{}, err
	}
	return loadSettings(ctx, s.db, teamID)
}

// PutSettings replaces a team's routing settings.
func (s *Service) PutSettings(ctx context.Context, actor authz.Actor, teamID int64, in SettingsInput) (Settings, error) {
	if err := authz.Check(actor, authz.AutomationWrite); err != nil {
		return Settings{}, err
	}
	if err := in.validate(); err != nil {
		return Settings{}, err
	}
	var out Settings
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		if err := teamExists(ctx, tx, teamID, "team", true); err != nil {
			return err
		}
		fe := apperr.FieldErrors{}
		for i, c := range in.AgentCapacities {
			if err := agentUsable(ctx, tx, c.AgentID); err != nil {
				if apperr.CodeOf(err) != apperr.CodeNotFound {
					return err
				}
				fe.Add(fmt.Sprintf("agent_capacities[%d].agent_id", i), fmt.Sprintf("agent %d does not exist or is deactivated", c.AgentID))
			}
		}
		var escAgent, escTeam int64
		if e := in.EscalateTo; e != nil {
			escAgent, escTeam = e.AgentID, e.TeamID
			if escAgent != 0 {
				if err := agentUsable(ctx, tx, escAgent); err != nil {
					if apperr.CodeOf(err) != apperr.CodeNotFound {
						return err
					}
					fe.Add("escalate_to.agent_id", fmt.Sprintf("agent %d does not exist or is deactivated", escAgent))
				}
			}
			if escTeam != 0 {
				switch err := teamExists(ctx, tx, escTeam, "escalate_to.team_id", false); {
				case escTeam == teamID:
					fe.Add("escalate_to.team_id", "must be another team")
				case apperr.CodeOf(err) == apperr.CodeInvalid:
					fe.Add("escalate_to.team_id", fmt.Sprintf("team %d does not exist", escTeam))
				case err != nil:
					return err
				}
			}
		}
		if err := fe.Err(); err != nil {
			return err
		}
		before, err := loadSettings(ctx, tx, teamID)
		if err != nil {
			return err
		}
		now := db.Millis(s.now())
		// The round-robin pointer survives a settings change so the
		// rotation does not restart at the first member.
		if _, err := tx.ExecContext(ctx, `INSERT INTO routing_teams (team_id, method, capacity, require_available,
			offline_policy, escalate_after_minutes, escalate_agent_id, escalate_team_id, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (team_id) DO UPDATE SET method = excluded.method, capacity = excluded.capacity,
			require_available = excluded.require_available, offline_policy = excluded.offline_policy,
			escalate_after_minutes = excluded.escalate_after_minutes, escalate_agent_id = excluded.escalate_agent_id,
			escalate_team_id = excluded.escalate_team_id, updated_at = excluded.updated_at`,
			teamID, in.Method, *in.Capacity, *in.RequireAvailable, in.OfflinePolicy, in.EscalateAfterMinutes,
			db.NullInt(escAgent), db.NullInt(escTeam), now); err != nil {
			return fmt.Errorf("routing: save team %d: %w", teamID, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM routing_capacities WHERE team_id = ?`, teamID); err != nil {
			return fmt.Errorf("routing: clear capacities %d: %w", teamID, err)
		}
		for _, c := range in.AgentCapacities {
			if _, err := tx.ExecContext(ctx, `INSERT INTO routing_capacities (team_id, agent_id, capacity) VALUES (?, ?, ?)`,
				teamID, c.AgentID, c.Capacity); err != nil {
				return fmt.Errorf("routing: save capacity %d/%d: %w", teamID, c.AgentID, err)
			}
		}
		if out, err = loadSettings(ctx, tx, teamID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, db.Time(now), actor, "routing.settings", fmt.Sprintf("team:%d", teamID), audit.Change(before, out))
	})
	return out, err
}

// teamExists reports a missing team as not found (the path's team) or as
// invalid field (a team named in the body).
func teamExists(ctx context.Context, q db.Querier, id int64, field string, notFound bool) error {
	var n int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM teams WHERE id = ?`, id).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		if notFound {
			return apperr.NotFound("team", id)
		}
		return apperr.InvalidField(field, fmt.Sprintf("team %d does not exist", id))
	}
	if err != nil {
		return fmt.Errorf("routing: check team %d: %w", id, err)
	}
	return nil
}

// agentUsable is apperr.NotFound unless the agent exists and is active.
func agentUsable(ctx context.Context, q db.Querier, id int64) error {
	var active bool
	err := q.QueryRowContext(ctx, `SELECT active FROM agents WHERE id = ?`, id).Scan(&active)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !active) {
		return apperr.NotFound("agent", id)
	}
	if err != nil {
		return fmt.Errorf("routing: check agent %d: %w", id, err)
	}
	return nil
}

// settingsRow is a team's stored settings plus the round-robin pointer.
type settingsRow struct {
	Settings
	rrLast int64
}

func loadSettingsRow(ctx context.Context, q db.Querier, teamID int64) (settingsRow, error) {
	r := settingsRow{Settings: defaults(teamID)}
	var escAgent, escTeam sql.NullInt64
	var updated int64
	err := q.QueryRowContext(ctx, `SELECT method, capacity, require_available, offline_policy, escalate_after_minutes,
		escalate_agent_id, escalate_team_id, rr_last_agent_id, updated_at FROM routing_teams WHERE team_id = ?`, teamID).
		Scan(&r.Method, &r.Capacity, &r.RequireAvailable, &r.OfflinePolicy, &r.EscalateAfterMinutes, &escAgent, &escTeam, &r.rrLast, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return r, nil
	}
	if err != nil {
		return r, fmt.Errorf("routing: load team %d: %w", teamID, err)
	}
	t := db.Time(updated)
	r.UpdatedAt = &t
	if escAgent.Valid || escTeam.Valid {
		r.EscalateTo = &EscalateTo{AgentID: escAgent.Int64, TeamID: escTeam.Int64}
	}
	return r, nil
}

func loadSettings(ctx context.Context, q db.Querier, teamID int64) (Settings, error) {
	r, err := loadSettingsRow(ctx, q, teamID)
	if err != nil {
		return Settings{}, err
	}
	rows, err := q.QueryContext(ctx, `SELECT agent_id, capacity FROM routing_capacities WHERE team_id = ? ORDER BY agent_id`, teamID)
	if err != nil {
		return Settings{}, fmt.Errorf("routing: load capacities %d: %w", teamID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var c AgentCapacity
		if err := rows.Scan(&c.AgentID, &c.Capacity); err != nil {
			return Settings{}, fmt.Errorf("routing: scan capacity: %w", err)
		}
		r.AgentCapacities = append(r.AgentCapacities, c)
	}
	if err := rows.Err(); err != nil {
		return Settings{}, fmt.Errorf("routing: load capacities %d: %w", teamID, err)
	}
	return r.Settings, nil
}
