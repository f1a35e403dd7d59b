// Package automation runs business rules over tickets: triggers (evaluated
// after every ticket change, through a durable job), automations (evaluated
// by a periodic sweep, once per ticket per condition episode) and macros
// (canned replies and changes an agent applies by hand).
//
// Rules act through the ticket service like any other actor, so every change
// they make is validated, logged as events and heard by the other hooks. A
// chain id travels in the context from a trigger run through the ticket
// service back into this package's hook, which is how a trigger is kept from
// firing twice for one original change and how ping-pong between rules stops.
package automation

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/secret"
	"github.com/ombud/ombud/internal/textcheck"
	"github.com/ombud/ombud/internal/ticket"
)

// Tickets is what automation needs of the ticket service.
type Tickets interface {
	Get(ctx context.Context, actor authz.Actor, id int64) (ticket.Ticket, error)
	Update(ctx context.Context, actor authz.Actor, id int64, p ticket.Patch) (ticket.Ticket, error)
	AddComment(ctx context.Context, actor authz.Actor, ticketID int64, in ticket.CommentInput) (ticket.Comment, error)
	CommentByID(ctx context.Context, q db.Querier, ticketID, commentID int64) (ticket.Comment, error)
	List(ctx context.Context, actor authz.Actor, f ticket.Filter, pr page.Request) (page.List[ticket.Ticket], error)
}

// Agents names agents for the {{agent.name}} placeholder.
type Agents interface {
	Brief(ctx context.Context, ids []int64) (map[int64]agent.Brief, error)
}

// Service manages and runs triggers, automations and macros.
type Service struct {
	db            *db.DB
	now           func() time.Time
	tickets       Tickets
	agents        Agents
	poster        Poster
	businessHours func(time.Time) bool
	wake          func()
	mailer        Mailer
	secrets       *secret.Box
	// gate says which changes an active trigger may match, read by every
	// ticket change (kept in memory, checked against the configuration
	// stamp).
	gate *db.Cached[triggerGate]
	// triggers are the active triggers the trigger jobs evaluate, compiled
	// (rulecache.go).
	triggers triggerCache
}

// NewService returns an automation service. agents may be nil (then
// {{agent.name}} renders empty in triggers).
func NewService(d *db.DB, now func() time.Time, tickets Tickets, agents Agents) *Service {
	s := &Service{db: d, now: now, tickets: tickets, agents: agents, poster: NewHTTPPoster(15*time.Second, false), secrets: secret.Ephemeral()}
	s.gate = db.NewCached(s.loadGate)
	return s
}

// SetBusinessHours sets the calendar within_business_hours consults; the
// default says every moment is within business hours.
func (s *Service) SetBusinessHours(f func(time.Time) bool) { s.businessHours = f }

// SetPoster replaces how webhooks are delivered (tests, proxies).
func (s *Service) SetPoster(p Poster) { s.poster = p }

// Rule is a trigger or an automation.
type Rule struct {
	ID          int64      `json:"id"`
	Kind        Kind       `json:"kind"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Active      bool       `json:"active"`
	Position    int        `json:"position"`
	Conditions  Conditions `json:"conditions"`
	Actions     []Action   `json:"actions"`
	// WebhookSecret keys the X-Ombud-Signature HMAC of this rule's webhooks.
	// Only actors who may edit rules see it.
	WebhookSecret string    `json:"webhook_secret,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`

	matcher *Matcher
	acts    []action
}

// RuleInput creates a rule.
type RuleInput struct {
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Active      *bool      `json:"active"` // default true
	Conditions  Conditions `json:"conditions"`
	Actions     []Action   `json:"actions"`
}

// RulePatch changes a rule; absent fields stay.
type RulePatch struct {
	Name         *string     `json:"name"`
	Description  *string     `json:"description"`
	Active       *bool       `json:"active"`
	Conditions   *Conditions `json:"conditions"`
	Actions      *[]Action   `json:"actions"`
	RotateSecret bool        `json:"rotate_secret"` // issue a new webhook secret
}

// Run is one firing of a rule on a ticket.
type Run struct {
	ID       int64     `json:"id"`
	RuleID   int64     `json:"rule_id"`
	TicketID int64     `json:"ticket_id"`
	Chain    string    `json:"chain"`
	At       time.Time `json:"at"`
	Actions  []string  `json:"actions"`
	Error    string    `json:"error"`
}

func validKind(k Kind) error {
	if k != KindTrigger && k != KindAutomation {
		return fmt.Errorf("automation: unknown rule kind %q", k)
	}
	return nil
}

func checkName(fe apperr.FieldErrors, name string) string {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		fe.Add("name", "is required")
	case utf8.RuneCountInString(name) > 200:
		fe.Add("name", "must be at most 200 characters")
	case textcheck.Line(name) != "":
		fe.Add("name", textcheck.Line(name))
	}
	return name
}

// compile validates a rule's conditions and actions and keeps the compiled forms.
func (r *Rule) compile(fe apperr.FieldErrors) {
	if len(r.Conditions.All) == 0 && len(r.Conditions.Any) == 0 {
		fe.Add("conditions", "name at least one condition")
	}
	before := len(fe)
	r.matcher = Compile(r.Conditions, r.Kind, "conditions", fe)
	if r.Kind == KindAutomation && r.matcher.Anchor == "" && len(fe) == before {
		fe.Add("conditions", "an automation needs an hours_since_* condition (it runs on time, not on changes)")
	}
	if len(r.Actions) == 0 {
		fe.Add("actions", "name at least one action")
	}
	r.acts = compileActions(r.Actions, string(r.Kind), fe)
	if len(r.Description) > 2000 {
		fe.Add("description", "must be at most 2000 characters")
	}
}

func newSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// CreateRule adds a trigger or automation at the end of the order.
func (s *Service) CreateRule(ctx context.Context, actor authz.Actor, kind Kind, in RuleInput) (Rule, error) {
	if err := validKind(kind); err != nil {
		return Rule{}, err
	}
	if err := authz.Check(actor, authz.AutomationWrite); err != nil {
		return Rule{}, err
	}
	if err := checkRuleSizes(&in.Conditions, &in.Actions); err != nil {
		return Rule{}, err
	}
	fe := apperr.FieldErrors{}
	r := Rule{Kind: kind, Name: checkName(fe, in.Name), Description: in.Description, Active: in.Active == nil || *in.Active,
		Conditions: in.Conditions, Actions: append([]Action{}, in.Actions...), WebhookSecret: newSecret()}
	if err := restoreURLs(actor, r.Actions, nil, fe); err != nil {
		return Rule{}, err
	}
	r.compile(fe)
	if err := fe.Err(); err != nil {
		return Rule{}, err
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		if err := s.insertRule(ctx, tx, &r); err != nil {
			return err
		}
		return audit.Record(ctx, tx, r.CreatedAt, actor, string(kind)+".create", ruleTarget(r), audit.Change(nil, r))
	})
	if err != nil {
		return Rule{}, wrap(err, "automation: create %s", kind)
	}
	return redact(actor, r), nil
}

// insertRule stores a validated rule at the end of its kind's order.
func (s *Service) insertRule(ctx context.Context, tx *db.Tx, r *Rule) error {
	acts, err := s.sealedActions(r.Actions)
	if err != nil {
		return err
	}
	sec, err := s.secrets.Seal(purposeSecret, r.WebhookSecret)
	if err != nil {
		return fmt.Errorf("automation: seal secret: %w", err)
	}
	now := s.now()
	r.CreatedAt, r.UpdatedAt = db.Time(db.Millis(now)), db.Time(db.Millis(now))
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(position), 0) + 1 FROM automation_rules WHERE kind = ?`, r.Kind).Scan(&r.Position); err != nil {
		return err
	}
	r.ID, err = tx.InsertID(ctx, `INSERT INTO automation_rules (kind, name, description, active, position, conditions, actions, secret, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.Kind, r.Name, r.Description, r.Active, r.Position,
		mustJSON(r.Conditions), acts, sec, db.Millis(now), db.Millis(now))
	return err
}

// GetRule reads one rule.
func (s *Service) GetRule(ctx context.Context, actor authz.Actor, kind Kind, id int64) (Rule, error) {
	if err := validKind(kind); err != nil {
		return Rule{}, err
	}
	if err := authz.Check(actor, authz.AutomationRead); err != nil {
		return Rule{}, err
	}
	r, err := s.getRule(ctx, s.db, kind, id)
	if err != nil {
		return Rule{}, err
	}
	return redact(actor, r), nil
}

// ListRules lists the rules of a kind in their order.
func (s *Service) ListRules(ctx context.Context, actor authz.Actor, kind Kind) (page.List[Rule], error) {
	if err := validKind(kind); err != nil {
		return page.List[Rule]{}, err
	}
	if err := authz.Check(actor, authz.AutomationRead); err != nil {
		return page.List[Rule]{}, err
	}
	rs, err := s.listRules(ctx, s.db, kind, false)
	if err != nil {
		return page.List[Rule]{}, err
	}
	for i := range rs {
		rs[i] = redact(actor, rs[i])
	}
	return page.All(rs), nil
}

// UpdateRule changes a rule.
func (s *Service) UpdateRule(ctx context.Context, actor authz.Actor, kind Kind, id int64, p RulePatch) (Rule, error) {
	if err := validKind(kind); err != nil {
		return Rule{}, err
	}
	if err := authz.Check(actor, authz.AutomationWrite); err != nil {
		return Rule{}, err
	}
	if p.RotateSecret && !authz.Can(actor, authz.SecretReveal) {
		// The new secret is shown only to admins, so only they can hand
		// it on to the receiver.
		return Rule{}, apperr.Forbidden("only an administrator may issue a new webhook secret")
	}
	if err := checkRuleSizes(p.Conditions, p.Actions); err != nil {
		return Rule{}, err
	}
	var r Rule
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var err error
		if r, err = s.getRule(ctx, tx, kind, id); err != nil {
			return err
		}
		before := r
		fe := apperr.FieldErrors{}
		if p.Name != nil {
			r.Name = checkName(fe, *p.Name)
		}
		if p.Description != nil {
			r.Description = *p.Description
		}
		if p.Active != nil {
			r.Active = *p.Active
		}
		if p.Conditions != nil {
			r.Conditions = *p.Conditions
		}
		if p.Actions != nil {
			acts := append([]Action{}, *p.Actions...)
			if err := restoreURLs(actor, acts, r.Actions, fe); err != nil {
				return err
			}
			r.Actions = acts
		}
		if p.RotateSecret {
			r.WebhookSecret = newSecret()
		}
		r.compile(fe)
		if err := fe.Err(); err != nil {
			return err
		}
		r.UpdatedAt = db.Time(db.Millis(s.now()))
		acts, err := s.sealedActions(r.Actions)
		if err != nil {
			return err
		}
		sec, err := s.secrets.Seal(purposeSecret, r.WebhookSecret)
		if err != nil {
			return fmt.Errorf("automation: seal secret: %w", err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE automation_rules SET name = ?, description = ?, active = ?, conditions = ?, actions = ?, secret = ?, updated_at = ?
			WHERE id = ?`, r.Name, r.Description, r.Active, mustJSON(r.Conditions), acts, sec, db.Millis(r.UpdatedAt), id)
		if err != nil {
			return err
		}
		// URLs and the signing secret are redacted in the row; a new
		// secret is named so the log still shows it was issued.
		data := audit.Change(before, r)
		if p.RotateSecret {
			data["secret_rotated"] = true
		}
		return audit.Record(ctx, tx, r.UpdatedAt, actor, string(kind)+".update", ruleTarget(r), data)
	})
	if err != nil {
		return Rule{}, wrap(err, "automation: update %s %d", kind, id)
	}
	return redact(actor, r), nil
}

// DeleteRule removes a rule with its run log.
func (s *Service) DeleteRule(ctx context.Context, actor authz.Actor, kind Kind, id int64) error {
	if err := validKind(kind); err != nil {
		return err
	}
	if err := authz.Check(actor, authz.AutomationWrite); err != nil {
		return err
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		r, err := s.getRule(ctx, tx, kind, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM automation_rules WHERE kind = ? AND id = ?`, kind, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), actor, string(kind)+".delete", ruleTarget(r), audit.Change(r, nil))
	})
	return wrap(err, "automation: delete %s %d", kind, id)
}

// ReorderRules sets the order of all rules of a kind; ids must list each
// exactly once (a partial list would leave the rest in an undefined place).
func (s *Service) ReorderRules(ctx context.Context, actor authz.Actor, kind Kind, ids []int64) (page.List[Rule], error) {
	if err := validKind(kind); err != nil {
		return page.List[Rule]{}, err
	}
	if err := authz.Check(actor, authz.AutomationWrite); err != nil {
		return page.List[Rule]{}, err
	}
	if fe := (apperr.FieldErrors{}); fe.MaxItems("ids", len(ids), MaxRules) {
		return page.List[Rule]{}, fe.Err()
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		rs, err := s.listRules(ctx, tx, kind, false)
		if err != nil {
			return err
		}
		have := map[int64]bool{}
		for _, r := range rs {
			have[r.ID] = true
		}
		fe := apperr.FieldErrors{}
		seen := map[int64]bool{}
		for i, id := range ids {
			switch {
			case !have[id]:
				fe.Add(fmt.Sprintf("ids[%d]", i), fmt.Sprintf("%s %d does not exist", kind, id))
			case seen[id]:
				fe.Add(fmt.Sprintf("ids[%d]", i), "is repeated")
			}
			seen[id] = true
		}
		if len(fe) == 0 && len(ids) != len(rs) {
			fe.Add("ids", fmt.Sprintf("must list all %d %ss", len(rs), kind))
		}
		if err := fe.Err(); err != nil {
			return err
		}
		for i, id := range ids {
			if _, err := tx.ExecContext(ctx, `UPDATE automation_rules SET position = ? WHERE id = ?`, i+1, id); err != nil {
				return err
			}
		}
		order := make([]int64, 0, len(rs))
		for _, r := range rs {
			order = append(order, r.ID)
		}
		return audit.Record(ctx, tx, s.now(), actor, string(kind)+".reorder", "", audit.Change(map[string]any{"ids": order}, map[string]any{"ids": ids}))
	})
	if err != nil {
		return page.List[Rule]{}, wrap(err, "automation: reorder %ss", kind)
	}
	return s.ListRules(ctx, actor, kind)
}

// ListRuns returns a rule's latest runs, newest first.
func (s *Service) ListRuns(ctx context.Context, actor authz.Actor, kind Kind, ruleID int64, pr page.Request) (page.List[Run], error) {
	if _, err := s.GetRule(ctx, actor, kind, ruleID); err != nil {
		return page.List[Run]{}, err
	}
	q := `SELECT id, rule_id, ticket_id, chain, at, actions, error FROM automation_runs WHERE rule_id = ?`
	args := []any{ruleID}
	if pr.Cursor != nil {
		q += ` AND id < ?`
		args = append(args, pr.Cursor.ID)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY id DESC LIMIT ?`, append(args, pr.Limit+1)...)
	if err != nil {
		return page.List[Run]{}, fmt.Errorf("automation: list runs: %w", err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		var r Run
		var at int64
		var acts string
		if err := rows.Scan(&r.ID, &r.RuleID, &r.TicketID, &r.Chain, &at, &acts, &r.Error); err != nil {
			return page.List[Run]{}, fmt.Errorf("automation: scan run: %w", err)
		}
		r.At = db.Time(at)
		r.Actions = []string{}
		_ = json.Unmarshal([]byte(acts), &r.Actions)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return page.List[Run]{}, fmt.Errorf("automation: list runs: %w", err)
	}
	return page.Trim(out, pr.Limit, func(r Run) page.Cursor { return page.Cursor{ID: r.ID} }), nil
}

// wrap adds context to internal errors and passes client errors through untouched.
func wrap(err error, format string, args ...any) error {
	if err == nil || apperr.CodeOf(err) != apperr.CodeInternal {
		return err
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}

const ruleCols = `id, kind, name, description, active, position, conditions, actions, secret, created_at, updated_at`

type scanner interface{ Scan(dest ...any) error }

// scanRule reads a rule, opens its sealed URLs and secret, and compiles it.
// A stored rule that no longer validates (a custom field removed, rules
// tightened, a URL sealed with a key no longer configured) keeps its data
// but never matches, rather than failing every read.
func (s *Service) scanRule(sc scanner) (Rule, error) {
	var r Rule
	var conds, acts, sec string
	var created, updated int64
	if err := sc.Scan(&r.ID, &r.Kind, &r.Name, &r.Description, &r.Active, &r.Position, &conds, &acts, &sec, &created, &updated); err != nil {
		return Rule{}, err
	}
	r.CreatedAt, r.UpdatedAt = db.Time(created), db.Time(updated)
	_ = json.Unmarshal([]byte(conds), &r.Conditions)
	r.Actions = []Action{}
	_ = json.Unmarshal([]byte(acts), &r.Actions)
	s.openActions(r.Actions)
	if open, err := s.secrets.Open(purposeSecret, sec); err == nil {
		r.WebhookSecret = open
	}
	fe := apperr.FieldErrors{}
	r.compile(fe)
	if len(fe) > 0 {
		r.matcher = &Matcher{match: never}
	}
	return r, nil
}

func (s *Service) getRule(ctx context.Context, q db.Querier, kind Kind, id int64) (Rule, error) {
	r, err := s.scanRule(q.QueryRowContext(ctx, `SELECT `+ruleCols+` FROM automation_rules WHERE kind = ? AND id = ?`, kind, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Rule{}, apperr.NotFound(string(kind), id)
	}
	if err != nil {
		return Rule{}, fmt.Errorf("automation: get %s %d: %w", kind, id, err)
	}
	return r, nil
}

func (s *Service) listRules(ctx context.Context, q db.Querier, kind Kind, activeOnly bool) ([]Rule, error) {
	cond := ``
	if activeOnly {
		cond = ` AND active = TRUE`
	}
	rows, err := q.QueryContext(ctx, `SELECT `+ruleCols+` FROM automation_rules WHERE kind = ?`+cond+` ORDER BY position, id`, kind)
	if err != nil {
		return nil, fmt.Errorf("automation: list %ss: %w", kind, err)
	}
	defer rows.Close()
	out := []Rule{}
	for rows.Next() {
		r, err := s.scanRule(rows)
		if err != nil {
			return nil, fmt.Errorf("automation: scan %s: %w", kind, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ruleTarget names a rule in the audit log.
func ruleTarget(r Rule) string { return fmt.Sprintf("%s:%d %s", r.Kind, r.ID, r.Name) }
