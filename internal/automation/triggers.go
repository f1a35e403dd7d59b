package automation

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/jobs"
	"github.com/ombud/ombud/internal/ticket"
)

// Job kinds and the sweep's name.
const (
	JobTrigger = "automation.trigger" // evaluate triggers after one ticket change
	JobRun     = "automation.run"     // apply one automation to one ticket
	JobPost    = "automation.post"    // deliver one webhook or chat message
	SweepName  = "automation.sweep"
	// SweepInterval is how often automations are evaluated.
	SweepInterval = 5 * time.Minute
	// RunRetention is how long the run log keeps a rule's firings.
	RunRetention = 30 * 24 * time.Hour
	// MaxChainDepth bounds how many rounds of rule-caused changes follow one
	// original change; with "once per chain" it stops any ping-pong.
	MaxChainDepth = 10
)

// Register hooks the service's jobs and sweep into r; call before r.Run.
func (s *Service) Register(r *jobs.Runner) {
	s.wake = r.Wake
	r.Handle(JobTrigger, s.handleTrigger)
	r.Handle(JobRun, s.handleRun)
	r.Handle(JobPost, s.handlePost)
	r.Every(SweepName, SweepInterval, s.Sweep)
}

// chain follows the changes caused by one original change. It travels in the
// context from a rule run through the ticket service into TicketEvents.
type chain struct {
	ID    string  `json:"id"`
	Depth int     `json:"depth"`
	Fired []int64 `json:"fired"` // triggers that already fired in this chain
}

type chainKey struct{}

func withChain(ctx context.Context, c *chain) context.Context {
	return context.WithValue(ctx, chainKey{}, c)
}

func chainFrom(ctx context.Context) *chain {
	c, _ := ctx.Value(chainKey{}).(*chain)
	return c
}

type commentKey struct{}

// withComment carries the comment that ran a trigger to its actions.
func withComment(ctx context.Context, c *CommentFact) context.Context {
	return context.WithValue(ctx, commentKey{}, c)
}

func commentFrom(ctx context.Context) *CommentFact {
	c, _ := ctx.Value(commentKey{}).(*CommentFact)
	return c
}

type triggerPayload struct {
	TicketID int64       `json:"ticket_id"`
	Events   []EventFact `json:"events"`
	Chain    chain       `json:"chain"`
}

// TicketEvents implements ticket.EventHook: it queues one trigger evaluation
// per ticket change, in the change's transaction, so a committed change is
// always evaluated and a rolled-back one never is.
func (s *Service) TicketEvents(ctx context.Context, tx *db.Tx, ticketID int64, events []ticket.Event) error {
	if len(events) == 0 {
		return nil
	}
	// Skip the job row when no active trigger can match these events; the
	// gate is kept in memory while the configuration stamp stands. With no
	// active trigger at all that is known before the events are copied.
	gate, err := s.gate.Get(ctx, tx)
	if err != nil {
		return err
	}
	if !gate.always && len(gate.rules) == 0 {
		return nil
	}
	for _, e := range events {
		// Mail a machine sent (an out-of-office, a mailing list) never
		// sets off automatic responses: that is how mail loops start.
		if auto, _ := e.Data["auto_submitted"].(bool); auto {
			return nil
		}
	}
	next := chain{ID: newSecret()[:16], Depth: 1}
	if c := chainFrom(ctx); c != nil {
		if c.Depth >= MaxChainDepth {
			// The cap: a chain this long is a loop between rules that
			// "once per chain" did not catch (each round new triggers).
			return nil
		}
		next = chain{ID: c.ID, Depth: c.Depth + 1, Fired: slices.Clone(c.Fired)}
	}
	evs := make([]EventFact, len(events))
	for i, e := range events {
		// Round-trip the data through JSON so the job sees what a reload
		// would see (numbers as float64, named strings as strings).
		var data map[string]any
		_ = json.Unmarshal([]byte(mustJSON(e.Data)), &data)
		evs[i] = EventFact{ID: e.ID, Type: e.Type, Data: data}
	}
	if !gate.mayMatch(evs) {
		return nil
	}
	_, err = jobs.Enqueue(ctx, tx, s.now(), jobs.New{
		Kind:    JobTrigger,
		Key:     fmt.Sprintf("%d:%d", ticketID, events[len(events)-1].ID),
		Payload: triggerPayload{TicketID: ticketID, Events: evs, Chain: next},
	})
	if err != nil {
		return fmt.Errorf("automation: queue triggers for ticket %d: %w", ticketID, err)
	}
	if s.wake != nil {
		tx.AfterCommit(s.wake)
	}
	return nil
}

// handleTrigger evaluates the active triggers in order against one change.
// A trigger that fires changes the ticket at once, so the triggers after it
// see the ticket as it now stands.
func (s *Service) handleTrigger(ctx context.Context, j jobs.Job) error {
	var p triggerPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.TicketID <= 0 || p.Chain.ID == "" {
		return jobs.Permanent(fmt.Errorf("automation: bad trigger payload: %v", err))
	}
	rules, err := s.activeTriggers(ctx)
	if err != nil || len(rules) == 0 {
		return err
	}
	// Fired ones come from the payload and, for a job that is retried or
	// raced by a sibling of the same chain, from the run log.
	fired, err := s.firedInChain(ctx, p.Chain.ID, p.TicketID)
	if err != nil {
		return err
	}
	for _, id := range p.Chain.Fired {
		fired[id] = true
	}
	ch := &chain{ID: p.Chain.ID, Depth: p.Chain.Depth, Fired: p.Chain.Fired}
	ctx = withChain(ctx, ch)
	t, err := s.tickets.Get(ctx, authz.System, p.TicketID)
	if apperr.Is(err, apperr.CodeNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	facts := Facts{Ticket: t, Events: p.Events, InBusinessHours: s.businessHours}
	if facts.Comment, err = s.commentFact(ctx, p); err != nil {
		return err
	}
	// Rules whose actions leave the ticket as it is (notify, webhook) are
	// recorded together: their run rows, the jobs they queue and, after
	// the last rule, this job's completion go in one transaction
	// (firePending). A rule that changes the ticket first writes those
	// before it, then fires on its own as before.
	var pending []pendingFire
	cctx := withComment(ctx, facts.Comment)
	for _, r := range rules {
		if fired[r.ID] {
			continue
		}
		facts.Now = s.now()
		if !r.matcher.Match(&facts) {
			continue
		}
		fired[r.ID] = true
		ch.Fired = append(ch.Fired, r.ID)
		pl, err := s.plan(cctx, r, facts.Ticket)
		if err != nil {
			return err
		}
		if pl.patch.Empty() && len(pl.comments) == 0 {
			pending = append(pending, pendingFire{rule: r, plan: pl})
			continue
		}
		if err := s.firePending(ctx, pending, facts.Ticket, p.Events, ch.ID, false); err != nil {
			return err
		}
		pending = nil
		t, _, err := s.fire(cctx, r, facts.Ticket, p.Events, ch.ID)
		if err != nil {
			return err
		}
		facts.Ticket = t
		facts.lowered = nil // the cached text may be the old ticket's
	}
	return s.firePending(ctx, pending, facts.Ticket, p.Events, ch.ID, true)
}

// firedInChain lists the rules that already fired (or are firing) on a
// ticket in a chain. It only saves work: the claim in fire decides.
func (s *Service) firedInChain(ctx context.Context, chainID string, ticketID int64) (map[int64]bool, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT rule_id FROM automation_runs WHERE chain = ? AND ticket_id = ?`, chainID, ticketID)
	if err != nil {
		return nil, fmt.Errorf("automation: fired in chain: %w", err)
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("automation: fired in chain: %w", err)
		}
		out[id] = true
	}
	return out, rows.Err()
}

// commentFact loads the comment a comment_added event added (the event
// carries its id, not its text).
func (s *Service) commentFact(ctx context.Context, p triggerPayload) (*CommentFact, error) {
	for _, e := range p.Events {
		if e.Type != ticket.EvCommentAdded {
			continue
		}
		id, ok := e.Data["comment_id"].(float64)
		if !ok {
			return nil, nil
		}
		c, err := s.tickets.CommentByID(ctx, s.db, p.TicketID, int64(id))
		if apperr.Is(err, apperr.CodeNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return &CommentFact{Public: c.Public, AuthorType: c.AuthorType, Body: c.Body}, nil
	}
	return nil, nil
}

func ruleActor(r Rule) authz.Actor {
	prefix := "Trigger: "
	if r.Kind == KindAutomation {
		prefix = "Automation: "
	}
	return authz.Actor{Kind: authz.KindSystem, Name: prefix + r.Name}
}

func (s *Service) agentName(ctx context.Context, id *int64) (string, error) {
	if id == nil || s.agents == nil {
		return "", nil
	}
	b, err := s.agents.Brief(ctx, []int64{*id})
	if err != nil {
		return "", fmt.Errorf("automation: agent name: %w", err)
	}
	return b[*id].Name, nil
}

// fire applies a rule's actions to a ticket as the rule's system actor and
// records the run. The run row is claimed first (unique per chain, rule and
// ticket), so two jobs of one chain racing on the same ticket cannot both
// fire a rule. A change the ticket service refuses (a deactivated assignee, a
// closed ticket) is recorded and ends the rule's run without failing the
// job. An internal failure gives the claim back and is returned, so the
// retried job fires the rule again and skips the rules that succeeded.
// fired is false when another job already holds the claim.
func (s *Service) fire(ctx context.Context, r Rule, t ticket.Ticket, events []EventFact, chainID string) (_ ticket.Ticket, fired bool, _ error) {
	now := s.now()
	var runID int64
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO automation_runs (rule_id, ticket_id, chain, at, actions, error) VALUES (?, ?, ?, ?, '[]', '')
			ON CONFLICT (chain, ticket_id, rule_id) DO NOTHING RETURNING id`, r.ID, t.ID, chainID, db.Millis(now)).Scan(&runID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	if err != nil {
		return t, false, fmt.Errorf("automation: claim run of %s %d: %w", r.Kind, r.ID, err)
	}
	if runID == 0 {
		return t, false, nil
	}
	t, pl, runErr := s.apply(ctx, r, t)
	internal := runErr != nil && apperr.CodeOf(runErr) == apperr.CodeInternal
	errText := ""
	if runErr != nil {
		errText = apperr.As(runErr).Error()
		if len(errText) > 2000 {
			errText = errText[:2000]
		}
	}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		if internal {
			_, err := tx.ExecContext(ctx, `DELETE FROM automation_runs WHERE id = ?`, runID)
			return err
		}
		if runErr == nil {
			for i, post := range pl.posts {
				if err := s.queuePost(ctx, tx, now, r, t, events, chainID, i, post); err != nil {
					return err
				}
			}
			for i, n := range pl.notices {
				if err := s.queueNotice(ctx, tx, r, t, chainID, i, n); err != nil {
					return err
				}
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE automation_runs SET actions = ?, error = ? WHERE id = ?`, mustJSON(pl.applied), errText, runID)
		return err
	})
	if err != nil {
		return t, true, fmt.Errorf("automation: record run of %s %d: %w", r.Kind, r.ID, err)
	}
	if internal {
		return t, true, fmt.Errorf("automation: %s %d on ticket %d: %w", r.Kind, r.ID, t.ID, runErr)
	}
	return t, true, nil
}

// apply makes the ticket changes and adds the comments of a rule's actions;
// it returns the ticket as it then stands and the plan (for the webhooks).
func (s *Service) apply(ctx context.Context, r Rule, t ticket.Ticket) (ticket.Ticket, plan, error) {
	actor := ruleActor(r)
	pl, err := s.plan(ctx, r, t)
	if err != nil {
		return t, plan{}, err
	}
	if !pl.patch.Empty() {
		nt, err := s.tickets.Update(ctx, actor, t.ID, pl.patch)
		if err != nil {
			return t, pl, err
		}
		t = nt
	}
	for _, c := range pl.comments {
		public := c.Public
		if _, err := s.tickets.AddComment(ctx, actor, t.ID, ticket.CommentInput{Body: c.Body, Public: &public}); err != nil {
			return t, pl, err
		}
	}
	if len(pl.comments) > 0 {
		nt, err := s.tickets.Get(ctx, authz.System, t.ID)
		if err != nil {
			return t, pl, err
		}
		t = nt
	}
	return t, pl, nil
}

// webhookBody is what a webhook action posts.
type webhookBody struct {
	Rule struct {
		ID   int64  `json:"id"`
		Kind Kind   `json:"kind"`
		Name string `json:"name"`
	} `json:"rule"`
	Ticket ticket.Ticket `json:"ticket"`
	Events []EventFact   `json:"events"`
	Chain  string        `json:"chain"`
	At     time.Time     `json:"at"`
}

func (s *Service) queuePost(ctx context.Context, tx *db.Tx, now time.Time, r Rule, t ticket.Ticket, events []EventFact, chainID string, i int, p plannedPost) error {
	var body []byte
	sig := ""
	if p.slack {
		// Slack and Teams incoming webhooks both take {"text": …}.
		body, _ = json.Marshal(map[string]string{"text": p.text})
	} else {
		var b webhookBody
		b.Rule.ID, b.Rule.Kind, b.Rule.Name = r.ID, r.Kind, r.Name
		b.Ticket, b.Events, b.Chain, b.At = t, events, chainID, now.UTC()
		if b.Events == nil {
			b.Events = []EventFact{}
		}
		var err error
		if body, err = json.Marshal(b); err != nil {
			return fmt.Errorf("automation: webhook body: %w", err)
		}
		sig = Sign(r.WebhookSecret, body)
	}
	// The job row keeps the URL sealed like the rule does.
	url, err := s.secrets.Seal(purposePostURL, p.url)
	if err != nil {
		return fmt.Errorf("automation: seal webhook url: %w", err)
	}
	_, err = jobs.Enqueue(ctx, tx, now, jobs.New{
		Kind:    JobPost,
		Key:     chainID + ":" + strconv.FormatInt(r.ID, 10) + ":" + strconv.FormatInt(t.ID, 10) + ":" + strconv.Itoa(i),
		Payload: postPayload{URL: url, Body: string(body), Signature: sig, RuleID: r.ID, TicketID: t.ID},
	})
	if err != nil {
		return err
	}
	if s.wake != nil {
		tx.AfterCommit(s.wake)
	}
	return nil
}

// Notice is a notification email a rule sends (to agents or a fixed
// address), as opposed to a reply on the ticket.
type Notice struct {
	TicketID int64
	To       []string
	Subject  string
	Body     string
	Key      string // idempotency: one email per rule, ticket, chain and action
}

// Mailer queues notification email inside the rule run's transaction (the
// email channel implements it with its outbox).
type Mailer interface {
	QueueNotice(ctx context.Context, tx *db.Tx, n Notice) error
}

// SetMailer connects notify actions to the email channel; without one they
// are recorded in the run log and send nothing.
func (s *Service) SetMailer(m Mailer) { s.mailer = m }

func (s *Service) queueNotice(ctx context.Context, tx *db.Tx, r Rule, t ticket.Ticket, chainID string, i int, n plannedNotice) error {
	if s.mailer == nil {
		return nil
	}
	rcpts, err := noticeRecipients(ctx, tx, t, n.to)
	if err != nil {
		return err
	}
	// One email per language among the recipients, each in its language.
	byText := map[[2]string][]string{}
	var order [][2]string
	for _, rc := range rcpts {
		subj, body := n.inLanguage(rc.lang)
		k := [2]string{subj, body}
		if _, ok := byText[k]; !ok {
			order = append(order, k)
		}
		byText[k] = append(byText[k], rc.email)
	}
	for j, k := range order {
		key := chainID + ":" + strconv.FormatInt(r.ID, 10) + ":" + strconv.FormatInt(t.ID, 10) + ":" + strconv.Itoa(i)
		if j > 0 {
			key += ":" + strconv.Itoa(j)
		}
		if err := s.mailer.QueueNotice(ctx, tx, Notice{TicketID: t.ID, To: byText[k], Subject: k[0], Body: k[1], Key: key}); err != nil {
			return err
		}
	}
	return nil
}

type recipient struct{ email, lang string }

// noticeRecipients resolves a notify action's "to": active agents in their
// own language; the requester and fixed addresses in the ticket's.
func noticeRecipients(ctx context.Context, tx *db.Tx, t ticket.Ticket, to string) ([]recipient, error) {
	var out []recipient
	switch to {
	case "assignee":
		if t.AssigneeID == nil {
			return nil, nil
		}
		var rc recipient
		err := tx.QueryRowContext(ctx, `SELECT email, locale FROM agents WHERE id = ? AND active`, *t.AssigneeID).Scan(&rc.email, &rc.lang)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("automation: assignee email: %w", err)
		}
		if rc.email != "" {
			out = append(out, rc)
		}
	case "followers":
		rows, err := tx.QueryContext(ctx, `SELECT a.email, a.locale FROM ticket_followers f JOIN agents a ON a.id = f.agent_id WHERE f.ticket_id = ? AND a.active ORDER BY a.id`, t.ID)
		if err != nil {
			return nil, fmt.Errorf("automation: follower emails: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var rc recipient
			if err := rows.Scan(&rc.email, &rc.lang); err != nil {
				return nil, err
			}
			out = append(out, rc)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("automation: follower emails: %w", err)
		}
	case "requester":
		// A requester without an address (a phone or chat contact) gets
		// nothing by email.
		if t.Requester != nil && t.Requester.Email != "" {
			out = append(out, recipient{email: t.Requester.Email, lang: t.Language})
		}
	default:
		out = append(out, recipient{email: to, lang: t.Language})
	}
	return out, nil
}

// triggerGate tells, before a trigger job is queued, whether any active
// trigger can match a change. Some conditions at the root of a trigger's
// "all" list depend only on what the job evaluates unchanged: the change's
// events (event is created, event is comment_added …) and who wrote its
// comment, publicly or not (comment.author_type, comment.public: fixed
// when the comment is written and carried by its comment_added event). A
// change that fails one of them cannot set that trigger off, and a change
// no trigger can match queues no job (a job costs its claim, its
// evaluation and its completion, each a commit). Other conditions are left
// to the job.
type triggerGate struct {
	// rules holds, per active trigger with such root conditions, a matcher
	// of its event conditions and one of its event and comment conditions.
	rules []gateRule
	// always is set when an active trigger has none: any change may match it.
	always bool
}

type gateRule struct{ events, withComment *Matcher }

var gateFields = map[string]bool{"event": true, "comment.author_type": true, "comment.public": true}

func (s *Service) loadGate(ctx context.Context, tx *db.Tx) (triggerGate, error) {
	rules, err := s.listRules(ctx, tx, KindTrigger, true)
	if err != nil {
		return triggerGate{}, err
	}
	var g triggerGate
	for _, r := range rules {
		var events, all []Condition
		for _, c := range r.Conditions.All {
			if gateFields[c.Field] && len(c.All) == 0 && len(c.Any) == 0 {
				all = append(all, c)
				if c.Field == "event" {
					events = append(events, c)
				}
			}
		}
		if len(all) == 0 {
			g.always = true
			continue
		}
		fe := apperr.FieldErrors{}
		gr := gateRule{withComment: Compile(Conditions{All: all}, KindTrigger, "", fe)}
		if len(events) > 0 {
			gr.events = Compile(Conditions{All: events}, KindTrigger, "", fe)
		}
		if len(fe) > 0 {
			g.always = true
			continue
		}
		g.rules = append(g.rules, gr)
	}
	return g, nil
}

// mayMatch reports whether some active trigger can match a change made of evs.
func (g triggerGate) mayMatch(evs []EventFact) bool {
	if g.always {
		return true
	}
	f := &Facts{Events: evs}
	known := true // whether f.Comment is what the job will see
	for _, e := range evs {
		if e.Type != ticket.EvCommentAdded {
			continue
		}
		// The job reads the comment of the first comment_added event.
		public, ok1 := e.Data["public"].(bool)
		author, ok2 := e.Data["author_type"].(string)
		if ok1 && ok2 {
			f.Comment = &CommentFact{Public: public, AuthorType: author}
		} else {
			known = false
		}
		break
	}
	for _, r := range g.rules {
		m := r.withComment
		if !known {
			m = r.events
		}
		if m == nil || m.Match(f) {
			return true
		}
	}
	return false
}
