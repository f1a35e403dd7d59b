// Package agent owns the support staff and their teams: roles, locales,
// time zones, skills (languages, products, channels) and availability, which
// routing and reports build on.
package agent

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // agents' time zones must load on hosts without zoneinfo
	"unicode/utf8"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/auth"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/textcheck"
)

// Locales the UI is translated into.
var Locales = []string{"en", "nb", "sv", "da", "sl"}

// Availabilities an agent can have.
var Availabilities = []string{"online", "away", "offline"}

// Agent is a staff user. The password hash never leaves this package.
type Agent struct {
	ID           int64      `json:"id"`
	Email        string     `json:"email"`
	Name         string     `json:"name"`
	Role         authz.Role `json:"role"`
	Locale       string     `json:"locale"`
	TimeZone     string     `json:"time_zone"`
	Skills       []string   `json:"skills"`
	TeamIDs      []int64    `json:"team_ids"`
	Availability string     `json:"availability"`
	Active       bool       `json:"active"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// Team groups agents; tickets are routed to teams.
type Team struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	AgentIDs    []int64   `json:"agent_ids"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Brief names an agent beside tickets and comments.
type Brief struct {
	ID    int64
	Name  string
	Email string
}

// AgentInput creates an agent.
type AgentInput struct {
	Email    string     `json:"email"`
	Name     string     `json:"name"`
	Role     authz.Role `json:"role"`
	Locale   string     `json:"locale"`
	TimeZone string     `json:"time_zone"`
	Skills   []string   `json:"skills"`
	TeamIDs  []int64    `json:"team_ids"`
	Password string     `json:"password"`
}

// AgentPatch changes an agent.
type AgentPatch struct {
	Name         *string     `json:"name"`
	Role         *authz.Role `json:"role"`
	Locale       *string     `json:"locale"`
	TimeZone     *string     `json:"time_zone"`
	Skills       *[]string   `json:"skills"`
	TeamIDs      *[]int64    `json:"team_ids"`
	Availability *string     `json:"availability"`
	Active       *bool       `json:"active"`
	Password     *string     `json:"password"`
}

// TeamInput creates a team.
type TeamInput struct {
	Name        string  `json:"name"`
	Description string  `json:"description"`
	AgentIDs    []int64 `json:"agent_ids"`
}

// TeamPatch changes a team; AgentIDs replaces the membership.
type TeamPatch struct {
	Name        *string  `json:"name"`
	Description *string  `json:"description"`
	AgentIDs    *[]int64 `json:"agent_ids"`
}

// Filter selects agents.
type Filter struct {
	TeamID int64
	Role   authz.Role
	Query  string
	Page   page.Request
}

// Service manages agents and teams.
type Service struct {
	db  *db.DB
	now func() time.Time
	// OnDeactivate, set by the app, ends a deactivated agent's sessions and
	// tokens inside the deactivation's transaction.
	OnDeactivate func(ctx context.Context, tx *db.Tx, agentID int64) error
	// OnAccessChange, set by the app, is called inside the transaction that
	// changes an agent's role or active state: cached API token roles must
	// not outlive it.
	OnAccessChange func(ctx context.Context, tx *db.Tx, agentID int64) error
	// OnPasswordSet, set by the app, is called inside the transaction in
	// which someone else sets an agent's password: it ends all their
	// sessions and reset links.
	OnPasswordSet func(ctx context.Context, tx *db.Tx, agentID int64) error
}

// NewService returns an agent service.
func NewService(d *db.DB, now func() time.Time) *Service { return &Service{db: d, now: now} }

var skillRE = regexp.MustCompile(`^[a-z]+:[a-z0-9_.\-]{1,50}$`)

func normalizeSkills(fe apperr.FieldErrors, in []string) []string {
	out := []string{}
	for i, s := range in {
		s = strings.ToLower(strings.TrimSpace(s))
		if len(s) > 64 || !skillRE.MatchString(s) {
			fe.Add(fmt.Sprintf("skills[%d]", i), "must look like kind:value, e.g. lang:nb or product:billing")
			continue
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

func checkName(fe apperr.FieldErrors, n string) string {
	n = strings.TrimSpace(n)
	if n == "" || utf8.RuneCountInString(n) > 200 {
		fe.Add("name", "must be 1 to 200 characters")
	} else if msg := textcheck.Line(n); msg != "" {
		fe.Add("name", msg)
	}
	return n
}

func checkLocale(fe apperr.FieldErrors, l string) {
	if !slices.Contains(Locales, l) {
		fe.Add("locale", "must be one of "+strings.Join(Locales, ", "))
	}
}

func checkZone(fe apperr.FieldErrors, z string) {
	if _, err := time.LoadLocation(z); err != nil || z == "" || z == "Local" {
		fe.Add("time_zone", "must be an IANA time zone such as Europe/Oslo")
	}
}

// CreateAgent adds an agent. Creating an admin needs AgentAdminWrite.
func (s *Service) CreateAgent(ctx context.Context, actor authz.Actor, in AgentInput) (Agent, error) {
	if err := authz.Check(actor, authz.AgentWrite); err != nil {
		return Agent{}, err
	}
	if in.Role == authz.Admin {
		if err := authz.Check(actor, authz.AgentAdminWrite); err != nil {
			return Agent{}, err
		}
	}
	if err := checkAgentSizes(&in.Skills, &in.TeamIDs); err != nil {
		return Agent{}, err
	}
	fe := apperr.FieldErrors{}
	addr, err := mail.ParseAddress(strings.TrimSpace(in.Email))
	if err != nil || addr.Name != "" || !strings.Contains(addr.Address, "@") {
		fe.Add("email", "must be an email address")
	} else {
		in.Email = strings.ToLower(addr.Address)
	}
	in.Name = checkName(fe, in.Name)
	if in.Role == "" {
		in.Role = authz.Agent
	}
	if !in.Role.Valid() {
		fe.Add("role", "must be one of admin, manager, agent, qa_reviewer, collaborator")
	}
	if in.Locale == "" {
		in.Locale = "en"
	}
	checkLocale(fe, in.Locale)
	if in.TimeZone == "" {
		in.TimeZone = "UTC"
	}
	checkZone(fe, in.TimeZone)
	in.Skills = normalizeSkills(fe, in.Skills)
	if in.Password != "" && (len(in.Password) < auth.MinPassword || len(in.Password) > auth.MaxPassword) {
		fe.Add("password", fmt.Sprintf("must be %d to %d characters", auth.MinPassword, auth.MaxPassword))
	}
	if err := fe.Err(); err != nil {
		return Agent{}, err
	}
	hash := ""
	if in.Password != "" {
		if hash, err = auth.HashPassword(in.Password); err != nil {
			return Agent{}, err
		}
	}
	var a Agent
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		now := s.now()
		id, err := tx.InsertID(ctx, `INSERT INTO agents (email, name, role, locale, time_zone, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			in.Email, in.Name, in.Role, in.Locale, in.TimeZone, hash, db.Millis(now), db.Millis(now))
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("email", "an agent with this email exists")
		}
		if err != nil {
			return fmt.Errorf("agent: create: %w", err)
		}
		if err := setSkills(ctx, tx, id, in.Skills); err != nil {
			return err
		}
		if err := setTeams(ctx, tx, id, in.TeamIDs); err != nil {
			return err
		}
		if a, err = get(ctx, tx, id); err != nil {
			return err
		}
		data := audit.Change(nil, a)
		data["role"] = in.Role
		return audit.Record(ctx, tx, now, actor, "agent.create", in.Email, data)
	})
	return a, err
}

func setSkills(ctx context.Context, tx *db.Tx, id int64, skills []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM agent_skills WHERE agent_id = ?`, id); err != nil {
		return fmt.Errorf("agent: skills: %w", err)
	}
	for _, s := range skills {
		if _, err := tx.ExecContext(ctx, `INSERT INTO agent_skills (agent_id, skill) VALUES (?, ?)`, id, s); err != nil {
			return fmt.Errorf("agent: skills: %w", err)
		}
	}
	return nil
}

func setTeams(ctx context.Context, tx *db.Tx, id int64, teams []int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM team_members WHERE agent_id = ?`, id); err != nil {
		return fmt.Errorf("agent: teams: %w", err)
	}
	seen := map[int64]bool{}
	for i, t := range teams {
		if seen[t] {
			continue
		}
		seen[t] = true
		if err := teamExists(ctx, tx, t); err != nil {
			return apperr.InvalidField(fmt.Sprintf("team_ids[%d]", i), fmt.Sprintf("team %d does not exist", t))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO team_members (team_id, agent_id) VALUES (?, ?)`, t, id); err != nil {
			return fmt.Errorf("agent: teams: %w", err)
		}
	}
	return nil
}

func teamExists(ctx context.Context, q db.Querier, id int64) error {
	var n int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM teams WHERE id = ?`, id).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFound("team", id)
	}
	return err
}

const agentCols = `id, email, name, role, locale, time_zone, availability, active, created_at, updated_at`

func scanAgent(sc interface{ Scan(...any) error }) (Agent, error) {
	var a Agent
	var c, u int64
	if err := sc.Scan(&a.ID, &a.Email, &a.Name, &a.Role, &a.Locale, &a.TimeZone, &a.Availability, &a.Active, &c, &u); err != nil {
		return a, err
	}
	a.CreatedAt, a.UpdatedAt = db.Time(c), db.Time(u)
	a.Skills, a.TeamIDs = []string{}, []int64{}
	return a, nil
}

func get(ctx context.Context, q db.Querier, id int64) (Agent, error) {
	a, err := scanAgent(q.QueryRowContext(ctx, `SELECT `+agentCols+` FROM agents WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, apperr.NotFound("agent", id)
	}
	if err != nil {
		return a, fmt.Errorf("agent: get %d: %w", id, err)
	}
	return a, fill(ctx, q, []*Agent{&a})
}

func fill(ctx context.Context, q db.Querier, as []*Agent) error {
	if len(as) == 0 {
		return nil
	}
	by := map[int64]*Agent{}
	args := []any{}
	for _, a := range as {
		by[a.ID] = a
		args = append(args, a.ID)
	}
	in := strings.Repeat("?,", len(args)-1) + "?"
	rows, err := q.QueryContext(ctx, `SELECT agent_id, skill FROM agent_skills WHERE agent_id IN (`+in+`) ORDER BY skill`, args...)
	if err != nil {
		return fmt.Errorf("agent: skills: %w", err)
	}
	for rows.Next() {
		var id int64
		var s string
		if err := rows.Scan(&id, &s); err != nil {
			rows.Close()
			return fmt.Errorf("agent: skills: %w", err)
		}
		by[id].Skills = append(by[id].Skills, s)
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, `SELECT agent_id, team_id FROM team_members WHERE agent_id IN (`+in+`) ORDER BY team_id`, args...)
	if err != nil {
		return fmt.Errorf("agent: teams: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, t int64
		if err := rows.Scan(&id, &t); err != nil {
			return fmt.Errorf("agent: teams: %w", err)
		}
		by[id].TeamIDs = append(by[id].TeamIDs, t)
	}
	return rows.Err()
}

// GetAgent reads one agent.
func (s *Service) GetAgent(ctx context.Context, actor authz.Actor, id int64) (Agent, error) {
	if actor.ID != id || actor.Kind != authz.KindAgent {
		if err := authz.Check(actor, authz.AgentRead); err != nil {
			return Agent{}, err
		}
	}
	return get(ctx, s.db, id)
}

// ByEmail finds an agent by email (CLI, importer).
func (s *Service) ByEmail(ctx context.Context, email string) (Agent, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, `SELECT id FROM agents WHERE email = ?`, strings.ToLower(strings.TrimSpace(email))).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Agent{}, apperr.NotFound("agent", email)
	}
	if err != nil {
		return Agent{}, fmt.Errorf("agent: by email: %w", err)
	}
	return get(ctx, s.db, id)
}

// ListAgents lists agents by id.
func (s *Service) ListAgents(ctx context.Context, actor authz.Actor, f Filter) (page.List[Agent], error) {
	if err := authz.Check(actor, authz.AgentRead); err != nil {
		return page.List[Agent]{}, err
	}
	var conds []string
	var args []any
	if f.TeamID != 0 {
		conds = append(conds, "id IN (SELECT agent_id FROM team_members WHERE team_id = ?)")
		args = append(args, f.TeamID)
	}
	if f.Role != "" {
		conds = append(conds, "role = ?")
		args = append(args, f.Role)
	}
	if q := strings.ToLower(strings.TrimSpace(f.Query)); q != "" {
		conds = append(conds, "(lower(name) LIKE ? OR email LIKE ?)")
		like := "%" + strings.NewReplacer("%", "", "_", "").Replace(q) + "%"
		args = append(args, like, like)
	}
	if f.Page.Cursor != nil {
		conds = append(conds, "id > ?")
		args = append(args, f.Page.Cursor.ID)
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	limit := f.Page.Limit
	if limit <= 0 {
		limit = page.MaxLimit
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+agentCols+` FROM agents`+where+` ORDER BY id LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return page.List[Agent]{}, fmt.Errorf("agent: list: %w", err)
	}
	var as []Agent
	for rows.Next() {
		a, err := scanAgent(rows)
		if err != nil {
			rows.Close()
			return page.List[Agent]{}, fmt.Errorf("agent: scan: %w", err)
		}
		as = append(as, a)
	}
	rows.Close()
	ptrs := make([]*Agent, len(as))
	for i := range as {
		ptrs[i] = &as[i]
	}
	if err := fill(ctx, s.db, ptrs); err != nil {
		return page.List[Agent]{}, err
	}
	return page.Trim(as, limit, func(a Agent) page.Cursor { return page.Cursor{ID: a.ID} }), nil
}

// Brief names agents in one query.
func (s *Service) Brief(ctx context.Context, ids []int64) (map[int64]Brief, error) {
	out := map[int64]Brief{}
	if len(ids) == 0 {
		return out, nil
	}
	args := []any{}
	seen := map[int64]bool{}
	for _, id := range ids {
		if id != 0 && !seen[id] {
			seen[id] = true
			args = append(args, id)
		}
	}
	if len(args) == 0 {
		return out, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, email FROM agents WHERE id IN (`+strings.Repeat("?,", len(args)-1)+`?)`, args...)
	if err != nil {
		return nil, fmt.Errorf("agent: brief: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var b Brief
		if err := rows.Scan(&b.ID, &b.Name, &b.Email); err != nil {
			return nil, fmt.Errorf("agent: brief: %w", err)
		}
		out[b.ID] = b
	}
	return out, rows.Err()
}

// UpdateAgent changes an agent. Agents may change their own name, locale,
// time zone and availability; everything else needs AgentWrite, and
// touching an admin or the admin role needs AgentAdminWrite. Setting
// someone else's password signs them out everywhere; an agent's own password
// changes only with the current one (auth.Service.ChangeOwnPassword).
func (s *Service) UpdateAgent(ctx context.Context, actor authz.Actor, id int64, p AgentPatch) (Agent, error) {
	self := actor.Kind == authz.KindAgent && actor.ID == id
	privileged := p.Role != nil || p.Skills != nil || p.TeamIDs != nil || p.Active != nil
	if !self || privileged {
		if err := authz.Check(actor, authz.AgentWrite); err != nil {
			return Agent{}, err
		}
	}
	if err := checkAgentSizes(p.Skills, p.TeamIDs); err != nil {
		return Agent{}, err
	}
	fe := apperr.FieldErrors{}
	if p.Name != nil {
		n := checkName(fe, *p.Name)
		p.Name = &n
	}
	if p.Role != nil && !p.Role.Valid() {
		fe.Add("role", "must be one of admin, manager, agent, qa_reviewer, collaborator")
	}
	if p.Locale != nil {
		checkLocale(fe, *p.Locale)
	}
	if p.TimeZone != nil {
		checkZone(fe, *p.TimeZone)
	}
	if p.Skills != nil {
		sk := normalizeSkills(fe, *p.Skills)
		p.Skills = &sk
	}
	if p.Availability != nil && !slices.Contains(Availabilities, *p.Availability) {
		fe.Add("availability", "must be online, away or offline")
	}
	if p.Password != nil && (len(*p.Password) < auth.MinPassword || len(*p.Password) > auth.MaxPassword) {
		fe.Add("password", fmt.Sprintf("must be %d to %d characters", auth.MinPassword, auth.MaxPassword))
	}
	if p.Password != nil && self {
		// Whoever holds a session or token must not take over the account
		// without knowing the password.
		fe.Add("password", "your own password changes with your current one: POST /api/v1/me/password or My profile")
	}
	if p == (AgentPatch{}) {
		fe.Add("body", "changes nothing; name at least one field")
	}
	if err := fe.Err(); err != nil {
		return Agent{}, err
	}
	hash := ""
	if p.Password != nil {
		var err error
		if hash, err = auth.HashPassword(*p.Password); err != nil {
			return Agent{}, err
		}
	}
	var a Agent
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		cur, err := get(ctx, tx, id)
		if err != nil {
			return err
		}
		if (cur.Role == authz.Admin || (p.Role != nil && *p.Role == authz.Admin)) && !self {
			if err := authz.Check(actor, authz.AgentAdminWrite); err != nil {
				return err
			}
		}
		if p.Role != nil && *p.Role != cur.Role && self {
			return apperr.Forbidden("you cannot change your own role")
		}
		now := s.now()
		old := cur
		if p.Name != nil {
			cur.Name = *p.Name
		}
		if p.Role != nil {
			cur.Role = *p.Role
		}
		if p.Locale != nil {
			cur.Locale = *p.Locale
		}
		if p.TimeZone != nil {
			cur.TimeZone = *p.TimeZone
		}
		if p.Availability != nil {
			cur.Availability = *p.Availability
		}
		if p.Active != nil {
			cur.Active = *p.Active
		}
		if _, err := tx.ExecContext(ctx, `UPDATE agents SET name = ?, role = ?, locale = ?, time_zone = ?, availability = ?, active = ?, updated_at = ? WHERE id = ?`,
			cur.Name, cur.Role, cur.Locale, cur.TimeZone, cur.Availability, cur.Active, db.Millis(now), id); err != nil {
			return fmt.Errorf("agent: update: %w", err)
		}
		if cur.Availability != old.Availability {
			if err := RecordAvailability(ctx, tx, id, cur.Availability, now); err != nil {
				return err
			}
		}
		if hash != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE agents SET password_hash = ? WHERE id = ?`, hash, id); err != nil {
				return fmt.Errorf("agent: password: %w", err)
			}
			if s.OnPasswordSet != nil {
				if err := s.OnPasswordSet(ctx, tx, id); err != nil {
					return err
				}
			}
			if err := audit.Record(ctx, tx, now, actor, "agent.password_set", cur.Email, nil); err != nil {
				return err
			}
		}
		if p.Skills != nil {
			if err := setSkills(ctx, tx, id, *p.Skills); err != nil {
				return err
			}
		}
		if p.TeamIDs != nil {
			if err := setTeams(ctx, tx, id, *p.TeamIDs); err != nil {
				return err
			}
		}
		if old.Role != cur.Role {
			if err := audit.Record(ctx, tx, now, actor, "agent.role_change", cur.Email, map[string]any{"from": old.Role, "to": cur.Role,
				"before": map[string]any{"role": old.Role}, "after": map[string]any{"role": cur.Role}}); err != nil {
				return err
			}
		}
		if old.Active && !cur.Active {
			if err := s.deactivated(ctx, tx, actor, cur, now); err != nil {
				return err
			}
		}
		if (old.Role != cur.Role || old.Active != cur.Active) && s.OnAccessChange != nil {
			if err := s.OnAccessChange(ctx, tx, id); err != nil {
				return err
			}
		}
		if a, err = get(ctx, tx, id); err != nil {
			return err
		}
		if self && !privileged {
			return nil // an agent's own name, language, zone or availability: not an admin action
		}
		return audit.Record(ctx, tx, now, actor, "agent.update", cur.Email, audit.Change(old, a))
	})
	return a, err
}

func (s *Service) deactivated(ctx context.Context, tx *db.Tx, actor authz.Actor, a Agent, now time.Time) error {
	if s.OnDeactivate != nil {
		if err := s.OnDeactivate(ctx, tx, a.ID); err != nil {
			return err
		}
	}
	return audit.Record(ctx, tx, now, actor, "agent.deactivate", a.Email, nil)
}

// DeactivateAgent turns an agent off: no sign-in, no tokens; history stays.
func (s *Service) DeactivateAgent(ctx context.Context, actor authz.Actor, id int64) error {
	if actor.Kind == authz.KindAgent && actor.ID == id {
		return apperr.Forbidden("you cannot deactivate yourself")
	}
	off := false
	_, err := s.UpdateAgent(ctx, actor, id, AgentPatch{Active: &off})
	return err
}
