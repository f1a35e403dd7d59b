package routing

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/jobs"
	"github.com/ombud/ombud/internal/opt"
	"github.com/ombud/ombud/internal/ticket"
)

// pickLock is the PostgreSQL advisory lock that serialises picks across
// instances (SQLite has a single writer already). One lock for all teams,
// because an agent in two teams has one load: per-team locks would let two
// teams fill the same agent's last slot at once. A pick is a handful of
// indexed reads, so the lock is held for milliseconds.
const pickLock = 7262

// maxPickTries bounds how often one job picks again after its assignment
// lost a race (the ticket changed in between).
const maxPickTries = 5

type assignPayload struct {
	TicketID int64 `json:"ticket_id"`
}

// TicketEvents implements ticket.EventHook: a ticket that is created in,
// moved to, or left unassigned in a team that routes automatically gets an
// assign job queued in the same transaction; a ticket leaving its
// assignee's load (solved, closed, on hold) queues a backlog run, since that
// agent has room again.
func (s *Service) TicketEvents(ctx context.Context, tx *db.Tx, ticketID int64, events []ticket.Event) error {
	route, status, moved := false, false, false
	var createdTeam any
	for _, e := range events {
		switch e.Type {
		case ticket.EvCreated:
			route = true
			createdTeam = e.Data["team_id"]
		case ticket.EvTeamChanged, ticket.EvAssigneeChanged:
			route, moved = true, true
		case ticket.EvStatusChanged:
			status = true
		}
	}
	if !route && !status {
		return nil
	}
	if !status && !moved && (createdTeam == int64(0) || createdTeam == float64(0)) {
		// A new ticket in no team: nothing routes it, and the created
		// event says so without reading the row back.
		return nil
	}
	// The events say what changed; the row says where the ticket stands now
	// (a patch may set a team and an assignee at once).
	var team, assignee, merged *int64
	var st ticket.Status
	if err := tx.QueryRowContext(ctx, `SELECT team_id, assignee_id, status, merged_into_id FROM tickets WHERE id = ?`, ticketID).
		Scan(&team, &assignee, &st, &merged); err != nil {
		return fmt.Errorf("routing: read ticket %d: %w", ticketID, err)
	}
	if status && assignee != nil && !slices.Contains([]ticket.Status{ticket.StatusNew, ticket.StatusOpen, ticket.StatusPending}, st) {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM team_members m JOIN routing_teams r ON r.team_id = m.team_id
			WHERE m.agent_id = ? AND r.method <> 'manual'`, *assignee).Scan(&n); err != nil {
			return fmt.Errorf("routing: teams of %d: %w", *assignee, err)
		}
		if n > 0 {
			if err := s.queueBacklog(ctx, tx, fmt.Sprintf("ticket:%d:%d", ticketID, events[len(events)-1].Seq)); err != nil {
				return err
			}
		}
	}
	if !route || team == nil || assignee != nil || merged != nil || !st.Unsolved() {
		return nil
	}
	var method Method
	err := tx.QueryRowContext(ctx, `SELECT method FROM routing_teams WHERE team_id = ?`, *team).Scan(&method)
	if err != nil || method == Manual {
		return ignoreNoRows(err, "routing: team %d method", *team)
	}
	last := events[len(events)-1].Seq
	return s.enqueue(ctx, tx, jobs.New{Kind: KindAssign, Key: fmt.Sprintf("%d:%d", ticketID, last), Payload: assignPayload{TicketID: ticketID}})
}

// handleAssign routes one ticket: pick an agent (and reserve their slot),
// then assign through the ticket service.
func (s *Service) handleAssign(ctx context.Context, j jobs.Job) error {
	var p assignPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.TicketID <= 0 {
		return jobs.Permanent(fmt.Errorf("routing: assign: bad payload %s", j.Payload))
	}
	_, err := s.Assign(ctx, p.TicketID)
	return err
}

// Assign routes one ticket now and returns the agent it went to (0 when it
// stays unassigned: assigned already, solved, its team routes manually, or
// nobody eligible has room).
func (s *Service) Assign(ctx context.Context, ticketID int64) (int64, error) {
	for try := 0; try < maxPickTries; try++ {
		agentID, version, err := s.pick(ctx, ticketID)
		if err != nil || agentID == 0 {
			return 0, err
		}
		_, err = s.tickets.Update(ctx, Actor, ticketID, ticket.Patch{AssigneeID: opt.Of(agentID), Version: &version})
		// The claim has done its work either way: once the assignment
		// commits the ticket itself counts towards the agent's load.
		if cerr := s.db.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `DELETE FROM routing_claims WHERE ticket_id = ? AND agent_id = ?`, ticketID, agentID)
			return err
		}); cerr != nil {
			s.log.Warn("routing: release claim", "ticket", ticketID, "agent", agentID, "err", cerr)
		}
		switch {
		case err == nil:
			return agentID, nil
		case apperr.Is(err, apperr.CodeConflict), apperr.Is(err, apperr.CodeInvalid):
			// The ticket changed since the pick, or the agent was
			// deactivated in between: look again.
			continue
		case apperr.Is(err, apperr.CodeNotFound), apperr.Is(err, apperr.CodeUnprocessable):
			return 0, nil // gone, merged or closed meanwhile
		default:
			return 0, fmt.Errorf("routing: assign ticket %d to %d: %w", ticketID, agentID, err)
		}
	}
	return 0, fmt.Errorf("routing: assign ticket %d: still changing after %d tries", ticketID, maxPickTries)
}

// onShift drops the candidates whose schedule says they are off shift now.
func (s *Service) onShift(ctx context.Context, tx *db.Tx, cands []*candidate) ([]*candidate, error) {
	if s.shifts == nil || len(cands) == 0 {
		return cands, nil
	}
	ids := make([]int64, len(cands))
	for i, c := range cands {
		ids[i] = c.id
	}
	off, err := s.shifts.OffShift(ctx, tx, ids, s.now())
	if err != nil {
		return nil, fmt.Errorf("routing: shifts: %w", err)
	}
	return slices.DeleteFunc(cands, func(c *candidate) bool { return off[c.id] }), nil
}

// candidate is a team member who might get the ticket.
type candidate struct {
	id           int64
	availability string
	role         authz.Role
	capacity     int
	load         int
	lastAssigned int64
	skills       []string
}

// pick chooses the agent for a ticket and, in the same transaction, reserves
// their slot with a claim and advances the team's round-robin pointer. It
// returns the ticket's version for a conditional assignment.
func (s *Service) pick(ctx context.Context, ticketID int64) (agentID, version int64, err error) {
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		if tx.Dialect() == db.Postgres {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, pickLock); err != nil {
				return fmt.Errorf("routing: lock: %w", err)
			}
		}
		now := db.Millis(s.now())
		t, err := s.tickets.GetTx(ctx, tx, ticketID)
		if apperr.CodeOf(err) == apperr.CodeNotFound {
			return nil
		}
		if err != nil {
			return err
		}
		if t.TeamID == nil || t.AssigneeID != nil || t.MergedIntoID != nil || !t.Status.Unsolved() {
			return nil
		}
		var claimed int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM routing_claims WHERE ticket_id = ? AND claimed_at > ?`,
			ticketID, now-claimTTL.Milliseconds()).Scan(&claimed); err != nil {
			return fmt.Errorf("routing: read claim %d: %w", ticketID, err)
		}
		if claimed > 0 {
			return nil // another instance is assigning it right now
		}
		set, err := loadSettingsRow(ctx, tx, *t.TeamID)
		if err != nil || set.Method == Manual {
			return err
		}
		cands, err := candidates(ctx, tx, set, now)
		if err != nil {
			return err
		}
		if cands, err = s.onShift(ctx, tx, cands); err != nil {
			return err
		}
		chosen := choose(set, cands, t)
		if chosen == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO routing_claims (ticket_id, agent_id, claimed_at) VALUES (?, ?, ?)
			ON CONFLICT (ticket_id) DO UPDATE SET agent_id = excluded.agent_id, claimed_at = excluded.claimed_at`,
			ticketID, chosen, now); err != nil {
			return fmt.Errorf("routing: claim %d: %w", ticketID, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO routing_agents (agent_id, last_assigned_at) VALUES (?, ?)
			ON CONFLICT (agent_id) DO UPDATE SET last_assigned_at = excluded.last_assigned_at`, chosen, now); err != nil {
			return fmt.Errorf("routing: mark agent %d: %w", chosen, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE routing_teams SET rr_last_agent_id = ? WHERE team_id = ?`, chosen, *t.TeamID); err != nil {
			return fmt.Errorf("routing: advance pointer %d: %w", *t.TeamID, err)
		}
		agentID, version = chosen, t.Version
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("routing: pick for ticket %d: %w", ticketID, err)
	}
	return agentID, version, nil
}

// candidates lists the team's active members who may work tickets, with
// their capacity, load (assigned tickets plus live claims) and skills,
// ordered by agent id (the round-robin order).
func candidates(ctx context.Context, tx *db.Tx, set settingsRow, now int64) ([]*candidate, error) {
	rows, err := tx.QueryContext(ctx, `SELECT a.id, a.availability, a.role, COALESCE(c.capacity, ?), COALESCE(ra.last_assigned_at, 0)
		FROM team_members m
		JOIN agents a ON a.id = m.agent_id
		LEFT JOIN routing_capacities c ON c.team_id = m.team_id AND c.agent_id = a.id
		LEFT JOIN routing_agents ra ON ra.agent_id = a.id
		WHERE m.team_id = ? AND a.active
		ORDER BY a.id`, set.Capacity, set.TeamID)
	if err != nil {
		return nil, fmt.Errorf("routing: members of %d: %w", set.TeamID, err)
	}
	var out []*candidate
	byID := map[int64]*candidate{}
	for rows.Next() {
		c := &candidate{}
		if err := rows.Scan(&c.id, &c.availability, &c.role, &c.capacity, &c.lastAssigned); err != nil {
			rows.Close()
			return nil, fmt.Errorf("routing: scan member: %w", err)
		}
		// Collaborators and reviewers read tickets but do not work them.
		if !authz.Can(authz.Actor{Kind: authz.KindAgent, ID: c.id, Role: c.role}, authz.TicketUpdate) {
			continue
		}
		out = append(out, c)
		byID[c.id] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("routing: members of %d: %w", set.TeamID, err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	// Loads and skills for the members only, by team membership rather than
	// an IN list so the statement stays the same for every team size.
	// An agent's load is the tickets assigned to them plus live claims
	// (slots reserved by a pick whose assignment has not committed yet),
	// counted in ONE statement: on PostgreSQL each statement sees the
	// commits made before it started, so two statements could miss an
	// assignment that committed between them (neither the claim, excluded
	// as assigned, nor the ticket, not yet assigned, would count). UNION
	// counts a claimed ticket already assigned to the claimant once.
	rows, err = tx.QueryContext(ctx, `SELECT agent_id, COUNT(*) FROM (
			SELECT t.assignee_id AS agent_id, t.id AS ticket_id FROM tickets t
				JOIN team_members m ON m.agent_id = t.assignee_id AND m.team_id = ?
				WHERE t.status IN `+loadStatuses+`
			UNION
			SELECT c.agent_id, c.ticket_id FROM routing_claims c
				JOIN team_members m ON m.agent_id = c.agent_id AND m.team_id = ?
				WHERE c.claimed_at > ?
		) x GROUP BY agent_id`, set.TeamID, set.TeamID, now-claimTTL.Milliseconds())
	if err != nil {
		return nil, fmt.Errorf("routing: loads of %d: %w", set.TeamID, err)
	}
	if err := addCounts(rows, byID); err != nil {
		return nil, err
	}
	if set.Method == Skills {
		rows, err := tx.QueryContext(ctx, `SELECT s.agent_id, s.skill FROM agent_skills s
			JOIN team_members m ON m.agent_id = s.agent_id AND m.team_id = ?`, set.TeamID)
		if err != nil {
			return nil, fmt.Errorf("routing: skills of %d: %w", set.TeamID, err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var skill string
			if err := rows.Scan(&id, &skill); err != nil {
				return nil, fmt.Errorf("routing: scan skill: %w", err)
			}
			if c := byID[id]; c != nil {
				c.skills = append(c.skills, skill)
			}
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("routing: skills of %d: %w", set.TeamID, err)
		}
	}
	return out, nil
}

type sqlRows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

func addCounts(rows sqlRows, byID map[int64]*candidate) error {
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return fmt.Errorf("routing: scan load: %w", err)
		}
		if c := byID[id]; c != nil {
			c.load += n
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("routing: loads: %w", err)
	}
	return nil
}

// choose applies the team's method to the eligible candidates (ordered by
// id) and returns the chosen agent, or 0.
func choose(set settingsRow, cands []*candidate, t ticket.Ticket) int64 {
	eligible := slices.DeleteFunc(slices.Clone(cands), func(c *candidate) bool {
		return c.load >= c.capacity || (set.RequireAvailable && c.availability != "online")
	})
	if len(eligible) == 0 {
		return 0
	}
	switch set.Method {
	case RoundRobin:
		for _, c := range eligible {
			if c.id > set.rrLast {
				return c.id
			}
		}
		return eligible[0].id
	case LeastLoad:
		return leastLoaded(eligible).id
	case Skills:
		want := wantedSkills(t)
		best, bestScore := []*candidate{}, -1
		for _, c := range eligible {
			sc := score(want, c.skills)
			switch {
			case sc > bestScore:
				best, bestScore = []*candidate{c}, sc
			case sc == bestScore:
				best = append(best, c)
			}
		}
		return leastLoaded(best).id
	}
	return 0
}

// leastLoaded returns the candidate with the fewest tickets, ties going to
// the one who waited longest since their last routed ticket, then the lowest id.
func leastLoaded(cs []*candidate) *candidate {
	best := cs[0]
	for _, c := range cs[1:] {
		if c.load < best.load || (c.load == best.load && c.lastAssigned < best.lastAssigned) {
			best = c
		}
	}
	return best
}

// Skill weights; see the package comment.
const (
	weightLang = 4
	weightTag  = 2
	weightMeta = 1
)

// wantedSkills lists the skills that fit a ticket with their weights.
func wantedSkills(t ticket.Ticket) map[string]int {
	want := map[string]int{}
	if lang := strings.ToLower(t.Language); lang != "" {
		want["lang:"+lang] = weightLang
		// A regional tag also matches the bare language, a little lower
		// than an exact match.
		if base, _, ok := strings.Cut(lang, "-"); ok {
			want["lang:"+base] = weightLang - 1
		}
	}
	if t.Channel != "" {
		want["channel:"+t.Channel] = weightMeta
	}
	if t.Type != "" {
		want["type:"+t.Type] = weightMeta
	}
	for _, tag := range t.Tags {
		if strings.Contains(tag, ":") {
			want[tag] = weightTag
		} else {
			want["tag:"+tag] = weightTag
		}
	}
	return want
}

func score(want map[string]int, skills []string) int {
	n := 0
	for _, s := range skills {
		n += want[s]
	}
	return n
}

// ignoreNoRows turns sql.ErrNoRows into nil and wraps other errors.
func ignoreNoRows(err error, format string, args ...any) error {
	if err == nil || errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}
