package automation

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/opt"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/textcheck"
	"github.com/ombud/ombud/internal/ticket"
)

// Macro scopes.
const (
	ScopePersonal = "personal" // the owner's own
	ScopeShared   = "shared"   // everyone's, or one team's when TeamID is set
)

// Macro is a canned reply with field changes that an agent applies to a ticket.
type Macro struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	Scope      string    `json:"scope"`
	OwnerID    *int64    `json:"owner_id"`
	TeamID     *int64    `json:"team_id"`
	Body       string    `json:"body"`
	Public     bool      `json:"public"`
	Actions    []Action  `json:"actions"`
	Active     bool      `json:"active"`
	UsageCount int64     `json:"usage_count"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`

	body *Template
	acts []action
}

// MacroInput creates a macro.
type MacroInput struct {
	Name    string   `json:"name"`
	Scope   string   `json:"scope"` // personal (default) or shared
	TeamID  *int64   `json:"team_id"`
	Body    string   `json:"body"`
	Public  *bool    `json:"public"` // the reply is public unless false
	Actions []Action `json:"actions"`
	Active  *bool    `json:"active"`
}

// MacroPatch changes a macro; absent fields stay. The scope is fixed.
type MacroPatch struct {
	Name    *string          `json:"name"`
	TeamID  opt.Value[int64] `json:"team_id"`
	Body    *string          `json:"body"`
	Public  *bool            `json:"public"`
	Actions *[]Action        `json:"actions"`
	Active  *bool            `json:"active"`
}

// MacroPreview is what applying a macro would do, without doing it.
type MacroPreview struct {
	MacroID  int64            `json:"macro_id"`
	TicketID int64            `json:"ticket_id"`
	Comments []plannedComment `json:"comments"`
	Changes  map[string]any   `json:"changes"`
}

// MacroResult is the ticket after a macro was applied and the comments it added.
type MacroResult struct {
	Ticket   ticket.Ticket    `json:"ticket"`
	Comments []ticket.Comment `json:"comments"`
}

func (m *Macro) compile(fe apperr.FieldErrors) {
	if len(m.Body) > 64<<10 {
		fe.Add("body", "must be at most 64 KiB")
	} else if msg := textcheck.Body(m.Body); msg != "" {
		fe.Add("body", msg)
	} else if strings.TrimSpace(m.Body) != "" {
		t, err := ParseTemplate(m.Body)
		if err != nil {
			fe.Add("body", err.Error())
		}
		m.body = t
	}
	m.acts = compileActions(m.Actions, "macro", fe)
	if strings.TrimSpace(m.Body) == "" && len(m.Actions) == 0 {
		fe.Add("body", "give a reply body or at least one action")
	}
	if m.Scope == ScopePersonal && m.TeamID != nil {
		fe.Add("team_id", "only shared macros belong to a team")
	}
	if m.TeamID != nil && *m.TeamID <= 0 {
		fe.Add("team_id", "must be a positive id or null")
	}
}

// mayManage reports whether actor may change or delete m: its owner for a
// personal macro, rule editors for shared ones.
func mayManage(actor authz.Actor, m Macro) error {
	if m.Scope == ScopeShared {
		return authz.Check(actor, authz.AutomationWrite)
	}
	if err := authz.Check(actor, authz.MacroUse); err != nil {
		return err
	}
	if m.OwnerID == nil || *m.OwnerID != actor.ID {
		return apperr.NotFound("macro", m.ID) // another agent's personal macro does not exist for you
	}
	return nil
}

// visibleSQL limits macros to those actor may see and use: their own, the
// shared ones for everyone and the shared ones of their teams (rule editors
// see every shared macro).
func visibleSQL(actor authz.Actor) (string, []any) {
	if authz.Can(actor, authz.AutomationWrite) {
		return `(m.owner_id = ? OR m.owner_id IS NULL)`, []any{actor.ID}
	}
	return `(m.owner_id = ? OR (m.owner_id IS NULL AND (m.team_id IS NULL OR m.team_id IN (SELECT tm.team_id FROM team_members tm WHERE tm.agent_id = ?))))`,
		[]any{actor.ID, actor.ID}
}

// CreateMacro adds a personal macro (any agent who may use macros) or a shared one (rule editors).
func (s *Service) CreateMacro(ctx context.Context, actor authz.Actor, in MacroInput) (Macro, error) {
	if err := authz.Check(actor, authz.MacroUse); err != nil {
		return Macro{}, err
	}
	fe := apperr.FieldErrors{}
	m := Macro{Name: checkName(fe, in.Name), Scope: in.Scope, TeamID: in.TeamID, Body: in.Body,
		Public: in.Public == nil || *in.Public, Actions: in.Actions, Active: in.Active == nil || *in.Active}
	if m.Scope == "" {
		m.Scope = ScopePersonal
	}
	if m.Actions == nil {
		m.Actions = []Action{}
	}
	switch m.Scope {
	case ScopePersonal:
		if !actor.IsAgent() {
			fe.Add("scope", "only an agent can own a personal macro")
		}
		id := actor.ID
		m.OwnerID = &id
	case ScopeShared:
		if err := authz.Check(actor, authz.AutomationWrite); err != nil {
			return Macro{}, err
		}
	default:
		fe.Add("scope", "must be personal or shared")
	}
	m.compile(fe)
	if err := fe.Err(); err != nil {
		return Macro{}, err
	}
	now := db.Millis(s.now())
	m.CreatedAt, m.UpdatedAt = db.Time(now), db.Time(now)
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		if err := checkTeam(ctx, tx, m.TeamID); err != nil {
			return err
		}
		var err error
		m.ID, err = tx.InsertID(ctx, `INSERT INTO macros (name, owner_id, team_id, body, public, actions, active, usage_count, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`, m.Name, nullID(m.OwnerID), nullID(m.TeamID), m.Body, m.Public, mustJSON(m.Actions), m.Active, now, now)
		if err != nil {
			return err
		}
		return auditMacro(ctx, tx, m.CreatedAt, actor, "macro.create", nil, &m)
	})
	if err != nil {
		return Macro{}, wrap(err, "automation: create macro")
	}
	return m, nil
}

func nullID(p *int64) sql.NullInt64 {
	if p == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: *p, Valid: true}
}

func checkTeam(ctx context.Context, tx *db.Tx, id *int64) error {
	if id == nil {
		return nil
	}
	var n int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM teams WHERE id = ?`, *id).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.InvalidField("team_id", fmt.Sprintf("team %d does not exist", *id))
	}
	return err
}

// GetMacro reads a macro the actor may see.
func (s *Service) GetMacro(ctx context.Context, actor authz.Actor, id int64) (Macro, error) {
	if err := authz.Check(actor, authz.MacroUse); err != nil {
		return Macro{}, err
	}
	return s.visibleMacro(ctx, actor, id)
}

func (s *Service) visibleMacro(ctx context.Context, actor authz.Actor, id int64) (Macro, error) {
	vis, args := visibleSQL(actor)
	m, err := scanMacro(s.db.QueryRowContext(ctx, `SELECT `+macroCols+` FROM macros m WHERE m.id = ? AND `+vis, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return Macro{}, apperr.NotFound("macro", id)
	}
	if err != nil {
		return Macro{}, fmt.Errorf("automation: get macro %d: %w", id, err)
	}
	return m, nil
}

// ListMacros lists the macros the actor may use, by id.
func (s *Service) ListMacros(ctx context.Context, actor authz.Actor, pr page.Request) (page.List[Macro], error) {
	if err := authz.Check(actor, authz.MacroUse); err != nil {
		return page.List[Macro]{}, err
	}
	vis, args := visibleSQL(actor)
	after := int64(0)
	if pr.Cursor != nil {
		after = pr.Cursor.ID
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+macroCols+` FROM macros m WHERE m.id > ? AND `+vis+` ORDER BY m.id LIMIT ?`,
		append(append([]any{after}, args...), pr.Limit+1)...)
	if err != nil {
		return page.List[Macro]{}, fmt.Errorf("automation: list macros: %w", err)
	}
	defer rows.Close()
	var out []Macro
	for rows.Next() {
		m, err := scanMacro(rows)
		if err != nil {
			return page.List[Macro]{}, fmt.Errorf("automation: scan macro: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return page.List[Macro]{}, fmt.Errorf("automation: list macros: %w", err)
	}
	return page.Trim(out, pr.Limit, func(m Macro) page.Cursor { return page.Cursor{ID: m.ID} }), nil
}

// UpdateMacro changes a macro.
func (s *Service) UpdateMacro(ctx context.Context, actor authz.Actor, id int64, p MacroPatch) (Macro, error) {
	m, err := s.GetMacro(ctx, actor, id)
	if err != nil {
		return Macro{}, err
	}
	if err := mayManage(actor, m); err != nil {
		return Macro{}, err
	}
	before := m
	fe := apperr.FieldErrors{}
	if p.Name != nil {
		m.Name = checkName(fe, *p.Name)
	}
	if p.TeamID.Set {
		m.TeamID = p.TeamID.Ptr()
	}
	if p.Body != nil {
		m.Body = *p.Body
	}
	if p.Public != nil {
		m.Public = *p.Public
	}
	if p.Actions != nil {
		m.Actions = *p.Actions
	}
	if p.Active != nil {
		m.Active = *p.Active
	}
	m.compile(fe)
	if err := fe.Err(); err != nil {
		return Macro{}, err
	}
	m.UpdatedAt = db.Time(db.Millis(s.now()))
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		if err := checkTeam(ctx, tx, m.TeamID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE macros SET name = ?, team_id = ?, body = ?, public = ?, actions = ?, active = ?, updated_at = ? WHERE id = ?`,
			m.Name, nullID(m.TeamID), m.Body, m.Public, mustJSON(m.Actions), m.Active, db.Millis(m.UpdatedAt), id)
		if err != nil {
			return err
		}
		return auditMacro(ctx, tx, m.UpdatedAt, actor, "macro.update", &before, &m)
	})
	if err != nil {
		return Macro{}, wrap(err, "automation: update macro %d", id)
	}
	return m, nil
}

// DeleteMacro removes a macro.
func (s *Service) DeleteMacro(ctx context.Context, actor authz.Actor, id int64) error {
	m, err := s.GetMacro(ctx, actor, id)
	if err != nil {
		return err
	}
	if err := mayManage(actor, m); err != nil {
		return err
	}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM macros WHERE id = ?`, id); err != nil {
			return err
		}
		return auditMacro(ctx, tx, s.now(), actor, "macro.delete", &m, nil)
	})
	return wrap(err, "automation: delete macro %d", id)
}

// planMacro renders a macro for a ticket as the acting agent sees it.
func (s *Service) planMacro(ctx context.Context, actor authz.Actor, ticketID, macroID int64) (Macro, ticket.Ticket, plan, error) {
	m, err := s.GetMacro(ctx, actor, macroID)
	if err != nil {
		return Macro{}, ticket.Ticket{}, plan{}, err
	}
	if !m.Active {
		return Macro{}, ticket.Ticket{}, plan{}, apperr.Unprocessable("macro", fmt.Sprintf("macro %d is inactive", macroID))
	}
	t, err := s.tickets.Get(ctx, actor, ticketID)
	if err != nil {
		return Macro{}, ticket.Ticket{}, plan{}, err
	}
	name := actor.Name
	if name == "" && actor.IsAgent() {
		id := actor.ID
		if name, err = s.agentName(ctx, &id); err != nil {
			return Macro{}, ticket.Ticket{}, plan{}, err
		}
	}
	data := templateData(t, name)
	pl := buildPlan(m.acts, t, data)
	if m.body != nil {
		pl.comments = append([]plannedComment{{Body: m.body.Render(data), Public: m.Public}}, pl.comments...)
	}
	return m, t, pl, nil
}

// PreviewMacro renders a macro for a ticket without applying it.
func (s *Service) PreviewMacro(ctx context.Context, actor authz.Actor, ticketID, macroID int64) (MacroPreview, error) {
	_, _, pl, err := s.planMacro(ctx, actor, ticketID, macroID)
	if err != nil {
		return MacroPreview{}, err
	}
	cs := pl.comments
	if cs == nil {
		cs = []plannedComment{}
	}
	return MacroPreview{MacroID: macroID, TicketID: ticketID, Comments: cs, Changes: changes(pl.patch)}, nil
}

// ApplyMacro applies a macro to a ticket as the actor and counts the use.
// The ticket service checks the actor's right to each part.
func (s *Service) ApplyMacro(ctx context.Context, actor authz.Actor, ticketID, macroID int64) (MacroResult, error) {
	_, t, pl, err := s.planMacro(ctx, actor, ticketID, macroID)
	if err != nil {
		return MacroResult{}, err
	}
	// The common macro (a reply plus a status, "submit as pending") is one
	// write: the status rides on the comment. Other field changes go first
	// in their own write, so a refused change adds no reply.
	patch := pl.patch
	var withComment ticket.Status
	if patch.Status != nil && len(pl.comments) > 0 {
		st := *patch.Status
		patch.Status = nil
		if patch.Empty() {
			withComment = st
		} else {
			patch.Status = &st
		}
	}
	if !patch.Empty() {
		if t, err = s.tickets.Update(ctx, actor, ticketID, patch); err != nil {
			return MacroResult{}, err
		}
	}
	res := MacroResult{Ticket: t, Comments: []ticket.Comment{}}
	for i, c := range pl.comments {
		public := c.Public
		in := ticket.CommentInput{Body: c.Body, Public: &public}
		if i == len(pl.comments)-1 {
			in.Status = withComment
		}
		cm, err := s.tickets.AddComment(ctx, actor, ticketID, in)
		if err != nil {
			return MacroResult{}, err
		}
		res.Comments = append(res.Comments, cm)
	}
	if len(pl.comments) > 0 {
		if res.Ticket, err = s.tickets.Get(ctx, actor, ticketID); err != nil {
			return MacroResult{}, err
		}
	}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE macros SET usage_count = usage_count + 1 WHERE id = ?`, macroID)
		return err
	})
	if err != nil {
		return MacroResult{}, fmt.Errorf("automation: count macro %d use: %w", macroID, err)
	}
	return res, nil
}

const macroCols = `m.id, m.name, m.owner_id, m.team_id, m.body, m.public, m.actions, m.active, m.usage_count, m.created_at, m.updated_at`

func scanMacro(sc scanner) (Macro, error) {
	var m Macro
	var owner, team sql.NullInt64
	var acts string
	var created, updated int64
	if err := sc.Scan(&m.ID, &m.Name, &owner, &team, &m.Body, &m.Public, &acts, &m.Active, &m.UsageCount, &created, &updated); err != nil {
		return Macro{}, err
	}
	m.Scope = ScopeShared
	if owner.Valid {
		m.Scope = ScopePersonal
		m.OwnerID = &owner.Int64
	}
	if team.Valid {
		m.TeamID = &team.Int64
	}
	m.CreatedAt, m.UpdatedAt = db.Time(created), db.Time(updated)
	m.Actions = []Action{}
	_ = json.Unmarshal([]byte(acts), &m.Actions)
	m.compile(apperr.FieldErrors{})
	return m, nil
}

// auditMacro records a change of a shared macro, a setting of the whole
// desk; personal macros are each agent's own business and not recorded.
func auditMacro(ctx context.Context, tx *db.Tx, at time.Time, actor authz.Actor, action string, before, after *Macro) error {
	cur := after
	if cur == nil {
		cur = before
	}
	if cur.OwnerID != nil && (before == nil || before.OwnerID != nil) {
		return nil
	}
	var b, a any
	if before != nil {
		b = before
	}
	if after != nil {
		a = after
	}
	return audit.Record(ctx, tx, at, actor, action, fmt.Sprintf("macro:%d %s", cur.ID, cur.Name), audit.Change(b, a))
}
