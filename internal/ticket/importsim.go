package ticket

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/richtext"
)

// The set-based import (ImportBatchTx) replays a ticket's history in Go:
// simTicket is the ticket row as the step-by-step replay (ImportTx) leaves
// it, with the comments and events it writes. Every rule here is the one
// createTx, commentTx (Exact) and applyPatch apply; TestImportBatchMatches
// imports the same history both ways and compares every row.

type simComment struct {
	authorType string
	authorID   int64
	public     bool
	body, html string
	channel    string
	at         int64
}

type simEvent struct {
	typ       string
	actorType string
	actorID   int64
	at        time.Time
	data      map[string]any
	comment   int // index into the ticket's comments for comment_added, else -1
}

type simTicket struct {
	id                     int64
	subject, priority, typ string
	channel, language      string
	status                 Status
	requesterID, orgID     int64
	assigneeID, teamID     int64
	tags                   []string // sorted, as a reload returns them
	fields                 map[string]any
	externalID             string
	created, updated       int64
	solved, closed         int64 // 0: never
	comments               []simComment
	events                 []simEvent
	firstComment           int64 // index of its first comment in the written run
}

// simEnv is what a batch's simulation reads from the database once:
// requesters by email, agents, teams and the field definitions.
type simEnv struct {
	requesters map[string][2]int64 // email → customer id, organization id
	// people holds each requester's name and first email, the ticket
	// row's copies (migration 0098): read here once per requester rather
	// than by two subqueries per row of the insert.
	people map[int64]requesterCopy
	agents map[int64]bool // id → active
	teams  map[int64]bool
	fields []Field
	html   *richtext.Sanitizer
}

// fastImport reports whether the set-based replay covers in: what an
// importer produces (requester by email, comments and field changes).
// Anything else (attachments, followers, custom field changes in the
// timeline, a requester by id or phone) goes through ImportTx.
func fastImport(in ImportTicket) bool {
	c := in.Create
	if c.Requester == nil || c.RequesterID != 0 || c.AssigneeID != nil || c.TeamID != nil || len(c.FollowerIDs) > 0 ||
		len(c.Files) > 0 || len(c.AttachmentIDs) > 0 || c.AutoSubmitted || c.Author != "" {
		return false
	}
	for _, st := range in.Steps {
		if cm := st.Comment; cm != nil {
			if cm.Status != "" || len(cm.AttachmentIDs) > 0 || len(cm.Files) > 0 || cm.CustomerID != 0 ||
				cm.AutoSubmitted || cm.Supersedes != 0 || cm.Channel != "" {
				return false
			}
		}
		if p := st.Patch; p != nil {
			if p.Subject != nil || p.RequesterID != nil || p.Requester != nil || p.Language != nil ||
				p.FollowerIDs != nil || len(p.CustomFields) > 0 || p.Version != nil {
				return false
			}
		}
	}
	return true
}

// simulate replays in as ImportTx would; id is the id the ticket gets if
// it is written (error messages name it). The requester must be in env.
func (env *simEnv) simulate(in ImportTicket, id int64) (*simTicket, error) {
	status := in.Create.Status
	in.Create.Status = ""
	if err := in.Create.validate(); err != nil {
		return nil, err
	}
	if status != "" && status != StatusNew {
		return nil, apperr.InvalidField("status", "imported tickets start as new; change status in the timeline")
	}
	c := in.Create
	req := env.requesters[c.Requester.Email]
	t := &simTicket{id: id, subject: c.Subject, priority: c.Priority, typ: c.Type, channel: c.Channel, language: c.Language,
		status: c.Status, requesterID: req[0], orgID: req[1], externalID: c.ExternalID, fields: map[string]any{}}
	if _, err := applyFieldDefs(env.fields, t.fields, c.CustomFields); err != nil {
		return nil, err
	}
	if c.Status == StatusSolved {
		// validate refuses any first status but new for an import; kept
		// for symmetry with createTx.
		return nil, fmt.Errorf("ticket: import: solved at creation")
	}
	t.tags = slices.Clone(c.Tags)
	slices.Sort(t.tags)
	ms := db.Millis(in.CreatedAt)
	t.created, t.updated = ms, ms
	actor := in.Creator
	if actor.Kind == authz.KindCustomer && actor.ID == 0 {
		actor.ID = t.requesterID
	}
	created := map[string]any{
		"subject": c.Subject, "status": c.Status, "priority": c.Priority, "type": c.Type, "channel": c.Channel,
		"requester_id": t.requesterID, "organization_id": t.orgID, "assignee_id": int64(0), "team_id": int64(0),
		"language": c.Language, "tags": c.Tags, "custom_fields": t.fields,
	}
	t.event(actor, in.CreatedAt, EvCreated, created, -1)
	author := authorOf(actor, t.requesterID, c.Channel, c.Author)
	public := c.Public == nil || *c.Public
	t.comment(env, actor, in.CreatedAt, author, public, c.Description, c.DescriptionHTML, c.Channel)
	last := in.CreatedAt
	for i, st := range in.Steps {
		field := fmt.Sprintf("timeline[%d]", i+1)
		if st.At.Before(last) {
			return nil, apperr.InvalidField(field+".at", "steps must be in time order")
		}
		last = st.At
		if st.Actor.Kind == authz.KindCustomer && st.Actor.ID == 0 {
			st.Actor.ID = t.requesterID
		}
		n := len(t.events)
		switch {
		case st.Comment != nil:
			cm := *st.Comment
			cm.Exact = true
			if err := cm.validate(); err != nil {
				return nil, prefix(field, err)
			}
			if err := t.addComment(env, st.Actor, st.At, cm); err != nil {
				return nil, prefix(field, err)
			}
		case st.Patch != nil:
			p := *st.Patch
			if err := p.validate(); err != nil {
				return nil, prefix(field, err)
			}
			if err := t.patch(env, st.Actor, st.At, p); err != nil {
				return nil, prefix(field, err)
			}
		default:
			return nil, apperr.InvalidField(field, "has nothing to do")
		}
		if len(t.events) > n {
			// Every event the replay writes is a change: the step moves
			// updated_at (eventLog.bumpsUpdated).
			t.updated = db.Millis(st.At)
		}
	}
	return t, nil
}

func (t *simTicket) event(actor authz.Actor, at time.Time, typ string, data map[string]any, comment int) {
	t.events = append(t.events, simEvent{typ: typ, actorType: string(actor.Kind), actorID: actor.ID, at: at, data: data, comment: comment})
}

// comment is insertComment.
func (t *simTicket) comment(env *simEnv, actor authz.Actor, at time.Time, author Person, public bool, body, html, channel string) {
	if html != "" {
		html = env.html.Sanitize(html)
		if strings.TrimSpace(body) == "" {
			body = richtext.ToText(html)
		}
	} else {
		html = richtext.FromText(body)
	}
	body = strings.TrimSpace(body)
	t.comments = append(t.comments, simComment{authorType: author.Type, authorID: author.ID, public: public,
		body: body, html: html, channel: channel, at: db.Millis(at)})
	t.event(actor, at, EvCommentAdded, map[string]any{
		"public": public, "author_type": author.Type, "author_id": author.ID, "channel": channel,
	}, len(t.comments)-1)
}

// addComment is commentTx with Exact set.
func (t *simTicket) addComment(env *simEnv, actor authz.Actor, at time.Time, in CommentInput) error {
	if t.status == StatusClosed {
		return apperr.Unprocessable("ticket", fmt.Sprintf("ticket %d is closed; open a follow-up ticket instead", t.id))
	}
	public := in.Public == nil || *in.Public
	author := Person{Type: string(actor.Kind), ID: actor.ID}
	if in.AsCustomer || actor.Kind == authz.KindCustomer {
		author = Person{Type: "customer", ID: t.requesterID}
		public = true
	}
	channel := "web"
	if author.Type == "agent" {
		channel = t.channel
	}
	t.comment(env, actor, at, author, public, in.Body, in.HTML, channel)
	return nil
}

// patch is applyPatch for the fields an import changes.
func (t *simTicket) patch(env *simEnv, actor authz.Actor, at time.Time, p Patch) error {
	if t.status == StatusClosed {
		return apperr.Unprocessable("status", fmt.Sprintf("ticket %d is closed and cannot change", t.id))
	}
	ms := db.Millis(at)
	add := func(typ string, data map[string]any) { t.event(actor, at, typ, data, -1) }
	if p.Priority != nil && *p.Priority != t.priority {
		add(EvPriorityChanged, map[string]any{"from": t.priority, "to": *p.Priority})
		t.priority = *p.Priority
	}
	if p.Type != nil && *p.Type != t.typ {
		add(EvTypeChanged, map[string]any{"from": t.typ, "to": *p.Type})
		t.typ = *p.Type
	}
	if p.TeamID.Set {
		to := deref(p.TeamID.Ptr())
		if to != 0 && !env.teams[to] {
			return apperr.InvalidField("team_id", fmt.Sprintf("team %d does not exist", to))
		}
		if to != t.teamID {
			add(EvTeamChanged, map[string]any{"from": t.teamID, "to": to})
			t.teamID = to
		}
	}
	assignee := p.AssigneeID
	if p.Status != nil && *p.Status == StatusSolved && t.assigneeID == 0 && !assignee.Set && actor.IsAgent() {
		assignee.Set, assignee.Null, assignee.V = true, false, actor.ID
	}
	if assignee.Set {
		to := deref(assignee.Ptr())
		if to != 0 && !env.agents[to] {
			return apperr.InvalidField("assignee_id", fmt.Sprintf("agent %d does not exist or is deactivated", to))
		}
		if to != t.assigneeID {
			add(EvAssigneeChanged, map[string]any{"from": t.assigneeID, "to": to})
			t.assigneeID = to
		}
	}
	if p.Status != nil && *p.Status != t.status {
		to := *p.Status
		if !CanTransition(t.status, to) {
			return apperr.Unprocessable("status", fmt.Sprintf("cannot change status from %s to %s", t.status, to))
		}
		if to == StatusSolved && actor.Kind != authz.KindCustomer {
			if fe := missingFromDefs(env.fields, t.fields); len(fe) > 0 {
				return &apperr.Error{Code: apperr.CodeUnprocessable, Message: "fill in the required fields to solve the ticket", Fields: fe}
			}
		}
		if to == StatusSolved {
			t.solved = ms
		}
		if to == StatusClosed {
			t.closed = ms
		}
		add(EvStatusChanged, map[string]any{"from": t.status, "to": to})
		t.status = to
	}
	if p.Tags != nil || len(p.AddTags) > 0 || len(p.RemoveTags) > 0 {
		want := slices.Clone(t.tags)
		if p.Tags != nil {
			want = slices.Clone(*p.Tags)
		}
		for _, a := range p.AddTags {
			if !slices.Contains(want, a) {
				want = append(want, a)
			}
		}
		want = slices.DeleteFunc(want, func(x string) bool { return slices.Contains(p.RemoveTags, x) })
		if len(want) > MaxTags {
			return apperr.InvalidField("tags", fmt.Sprintf("at most %d tags", MaxTags))
		}
		var added, removed []string
		for _, x := range want {
			if !slices.Contains(t.tags, x) && !slices.Contains(added, x) {
				added = append(added, x)
			}
		}
		for _, x := range t.tags {
			if !slices.Contains(want, x) {
				removed = append(removed, x)
			}
		}
		slices.Sort(added)
		slices.Sort(removed)
		if len(added)+len(removed) > 0 {
			add(EvTagsChanged, map[string]any{"added": nonNil(added), "removed": nonNil(removed)})
			want = slices.Compact(slices.Sorted(slices.Values(want)))
			t.tags = want
		}
	}
	return nil
}

// missingFromDefs is missingRequired with the definitions already read.
func missingFromDefs(defs []Field, cur map[string]any) apperr.FieldErrors {
	fe := apperr.FieldErrors{}
	for _, f := range defs {
		if f.Active && f.Required {
			if _, ok := cur[f.Key]; !ok {
				fe.Add("custom_fields."+f.Key, "is required to solve the ticket")
			}
		}
	}
	return fe
}

// loadSimEnv reads what the simulation of ins needs, a statement each.
func loadSimEnv(ctx context.Context, tx *db.Tx, ins []ImportTicket, html *richtext.Sanitizer) (*simEnv, error) {
	env := &simEnv{requesters: map[string][2]int64{}, people: map[int64]requesterCopy{}, agents: map[int64]bool{}, teams: map[int64]bool{}, html: html}
	var emails, agents, teams []any
	seenE, seenA, seenT := map[string]bool{}, map[int64]bool{}, map[int64]bool{}
	for _, in := range ins {
		if in.Create.Requester != nil {
			// As validate leaves it.
			e := strings.ToLower(strings.TrimSpace(in.Create.Requester.Email))
			if !seenE[e] {
				seenE[e] = true
				emails = append(emails, e)
			}
		}
		for _, st := range in.Steps {
			if st.Actor.Kind == authz.KindAgent && st.Actor.ID > 0 && !seenA[st.Actor.ID] {
				seenA[st.Actor.ID] = true
				agents = append(agents, st.Actor.ID)
			}
			if p := st.Patch; p != nil {
				if a := p.AssigneeID; a.Set && !a.Null && a.V > 0 && !seenA[a.V] {
					seenA[a.V] = true
					agents = append(agents, a.V)
				}
				if tm := p.TeamID; tm.Set && !tm.Null && tm.V > 0 && !seenT[tm.V] {
					seenT[tm.V] = true
					teams = append(teams, tm.V)
				}
			}
		}
	}
	var stamp int64
	if err := tx.QueryRowContext(ctx, `SELECT `+db.StampColumn).Scan(&stamp); err != nil {
		return nil, fmt.Errorf("ticket: import: stamp: %w", err)
	}
	tx.SetConfigStamp(stamp)
	for chunk := range slices.Chunk(emails, 500) {
		rows, err := tx.QueryContext(ctx, `SELECT i.value, c.id, COALESCE(c.organization_id, 0), c.name, `+requesterEmail+`
			FROM customer_identities i JOIN customers c ON c.id = i.customer_id
			WHERE i.type = 'email' AND i.value IN (`+placeholders(len(chunk))+`)`, chunk...)
		if err != nil {
			return nil, fmt.Errorf("ticket: import: requesters: %w", err)
		}
		for rows.Next() {
			var e string
			var id, org int64
			var p requesterCopy
			if err := rows.Scan(&e, &id, &org, &p.name, &p.email); err != nil {
				rows.Close()
				return nil, fmt.Errorf("ticket: import: requesters: %w", err)
			}
			env.requesters[e] = [2]int64{id, org}
			env.people[id] = p
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("ticket: import: requesters: %w", err)
		}
	}
	if err := readIDs(ctx, tx, `SELECT id, active FROM agents WHERE id IN `, agents, env.agents); err != nil {
		return nil, err
	}
	if err := readIDs(ctx, tx, `SELECT id, 1 = 1 FROM teams WHERE id IN `, teams, env.teams); err != nil {
		return nil, err
	}
	defs, err := listFields(ctx, tx)
	if err != nil {
		return nil, err
	}
	env.fields = defs
	return env, nil
}

// requesterCopy is what a ticket row keeps of its requester.
type requesterCopy struct{ name, email string }

// requesterEmail is the customer c's first email as the ticket row keeps
// it, ” without one.
var requesterEmail = `COALESCE(` + firstEmailOf("c.id") + `, '')`

func readIDs(ctx context.Context, tx *db.Tx, q string, ids []any, into map[int64]bool) error {
	for chunk := range slices.Chunk(ids, 500) {
		rows, err := tx.QueryContext(ctx, q+`(`+placeholders(len(chunk))+`)`, chunk...)
		if err != nil {
			return fmt.Errorf("ticket: import: %w", err)
		}
		for rows.Next() {
			var id int64
			var ok bool
			if err := rows.Scan(&id, &ok); err != nil {
				rows.Close()
				return fmt.Errorf("ticket: import: %w", err)
			}
			into[id] = ok
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("ticket: import: %w", err)
		}
	}
	return nil
}
