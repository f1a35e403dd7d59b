package ticket

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/opt"
)

// Patch changes ticket fields; absent fields stay as they are. Tags replaces
// the set; AddTags/RemoveTags edit it. CustomFields merges (null clears a key).
type Patch struct {
	Subject     *string          `json:"subject"`
	Status      *Status          `json:"status"`
	Priority    *string          `json:"priority"`
	Type        *string          `json:"type"`
	AssigneeID  opt.Value[int64] `json:"assignee_id"`
	TeamID      opt.Value[int64] `json:"team_id"`
	RequesterID *int64           `json:"requester_id"`
	// Requester finds or creates the new requester by email (or phone),
	// instead of naming one by requester_id.
	Requester    *RequesterInput `json:"requester"`
	Language     *string         `json:"language"`
	Tags         *[]string       `json:"tags"`
	AddTags      []string        `json:"add_tags"`
	RemoveTags   []string        `json:"remove_tags"`
	FollowerIDs  *[]int64        `json:"follower_ids"`
	CustomFields map[string]any  `json:"custom_fields"`
	// Version, when set, makes the update conditional: it fails with a
	// conflict if the ticket changed since the client read it.
	Version *int64 `json:"version"`
}

// Empty reports whether the patch changes nothing.
func (p Patch) Empty() bool {
	return p.Subject == nil && p.Status == nil && p.Priority == nil && p.Type == nil && !p.AssigneeID.Set &&
		!p.TeamID.Set && p.RequesterID == nil && p.Requester == nil && p.Language == nil && p.Tags == nil && len(p.AddTags) == 0 &&
		len(p.RemoveTags) == 0 && p.FollowerIDs == nil && len(p.CustomFields) == 0
}

func (p *Patch) validate() error {
	if err := p.checkSizes(); err != nil {
		return err
	}
	fe := apperr.FieldErrors{}
	if p.Subject != nil {
		s := checkSubject(fe, *p.Subject)
		p.Subject = &s
	}
	if p.Status != nil && !validStatus(*p.Status) {
		fe.Add("status", "must be one of new, open, pending, on_hold, solved, closed")
	}
	if p.Priority != nil {
		checkEnum(fe, "priority", *p.Priority, Priorities)
	}
	if p.Type != nil {
		checkEnum(fe, "type", *p.Type, Types)
	}
	if p.AssigneeID.Set && !p.AssigneeID.Null && p.AssigneeID.V <= 0 {
		fe.Add("assignee_id", "must be a positive id or null")
	}
	if p.TeamID.Set && !p.TeamID.Null && p.TeamID.V <= 0 {
		fe.Add("team_id", "must be a positive id or null")
	}
	if p.RequesterID != nil && *p.RequesterID <= 0 {
		fe.Add("requester_id", "must be a positive id")
	}
	if p.Requester != nil {
		checkRequesterChange(fe, p)
	}
	if p.Language != nil && *p.Language != "" && !langRE.MatchString(*p.Language) {
		fe.Add("language", "must be a language tag such as en, nb or sl")
	}
	if p.Tags != nil {
		t := NormalizeTags(fe, "tags", *p.Tags)
		p.Tags = &t
	}
	p.AddTags = NormalizeTags(fe, "add_tags", p.AddTags)
	p.RemoveTags = NormalizeTags(fe, "remove_tags", p.RemoveTags)
	if p.FollowerIDs != nil && len(*p.FollowerIDs) > 100 {
		fe.Add("follower_ids", "at most 100 followers")
	}
	if p.Empty() {
		fe.Add("body", "changes nothing; name at least one field")
	}
	return fe.Err()
}

// Get reads one ticket with its tags, followers and requester.
func (s *Service) Get(ctx context.Context, actor authz.Actor, id int64) (Ticket, error) {
	if err := authz.Check(actor, authz.TicketRead); err != nil {
		return Ticket{}, err
	}
	// One statement: the row, its tags, followers and requester (read.go).
	t, err := newReadScanner(s.db.Dialect(), 1).scan(s.db.QueryRowContext(ctx, `SELECT `+readCols(s.db.Dialect())+` FROM tickets t WHERE t.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Ticket{}, apperr.NotFound("ticket", id)
	}
	if err != nil {
		return Ticket{}, fmt.Errorf("ticket: get %d: %w", id, err)
	}
	return t, nil
}

// decorate names the requesters of a page of tickets.
func (s *Service) decorate(ctx context.Context, ts []*Ticket) error {
	ids := make([]int64, 0, len(ts))
	for _, t := range ts {
		ids = append(ids, t.RequesterID)
	}
	briefs, err := s.requesters.Brief(ctx, ids)
	if err != nil {
		return fmt.Errorf("ticket: requesters: %w", err)
	}
	for _, t := range ts {
		if b, ok := briefs[t.RequesterID]; ok {
			t.Requester = &Person{ID: b.ID, Type: "customer", Name: b.Name, Email: b.Email}
		}
	}
	return nil
}

// Update applies a patch, appending one event per changed field.
func (s *Service) Update(ctx context.Context, actor authz.Actor, id int64, p Patch) (Ticket, error) {
	if err := authz.Check(actor, authz.TicketUpdate); err != nil {
		return Ticket{}, err
	}
	if err := p.validate(); err != nil {
		return Ticket{}, err
	}
	var t Ticket
	var events []Event
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var err error
		t, events, err = s.updateTx(ctx, tx, actor, id, p)
		return err
	})
	if err != nil {
		return Ticket{}, err
	}
	s.changed(id, events)
	if err := s.decorate(ctx, []*Ticket{&t}); err != nil {
		return Ticket{}, err
	}
	return t, nil
}

func (s *Service) updateTx(ctx context.Context, tx *db.Tx, actor authz.Actor, id int64, p Patch) (Ticket, []Event, error) {
	t, err := loadForUpdate(ctx, tx, id)
	if err != nil {
		return Ticket{}, nil, err
	}
	if p.Version != nil && *p.Version != t.Version {
		return Ticket{}, nil, apperr.Conflict("version", fmt.Sprintf("ticket %d changed since version %d (now %d); reload and retry", id, *p.Version, t.Version))
	}
	log := &eventLog{ticketID: id, actor: actor, at: s.now(), hooks: s.hooks}
	if err := s.applyPatch(ctx, tx, log, &t, p); err != nil {
		return Ticket{}, nil, err
	}
	if err := log.flush(ctx, tx); err != nil {
		return Ticket{}, nil, err
	}
	t, err = loadForUpdate(ctx, tx, id)
	return t, log.events, err
}

// applyPatch changes t's row and logs an event per change. It enforces the
// status life cycle: closed and merged tickets do not change, solving needs
// the required custom fields and assigns an unassigned ticket to the agent
// who solves it.
func (s *Service) applyPatch(ctx context.Context, tx *db.Tx, log *eventLog, t *Ticket, p Patch) error {
	if t.Status == StatusClosed {
		return apperr.Unprocessable("status", fmt.Sprintf("ticket %d is closed and cannot change", t.ID))
	}
	if t.MergedIntoID != nil {
		return apperr.Unprocessable("ticket", fmt.Sprintf("ticket %d was merged into %d", t.ID, *t.MergedIntoID))
	}
	sets := []string{}
	args := []any{}
	set := func(col string, v any) {
		sets = append(sets, col+" = ?")
		args = append(args, v)
	}
	at := db.Millis(log.at)
	if p.Subject != nil && *p.Subject != t.Subject {
		log.add(EvSubjectChanged, map[string]any{"from": t.Subject, "to": *p.Subject})
		t.Subject = *p.Subject
		set("subject", t.Subject)
	}
	if p.Priority != nil && *p.Priority != t.Priority {
		log.add(EvPriorityChanged, map[string]any{"from": t.Priority, "to": *p.Priority})
		t.Priority = *p.Priority
		set("priority", t.Priority)
	}
	if p.Type != nil && *p.Type != t.Type {
		log.add(EvTypeChanged, map[string]any{"from": t.Type, "to": *p.Type})
		t.Type = *p.Type
		set("type", t.Type)
	}
	if p.Language != nil && *p.Language != t.Language {
		log.add(EvLanguageChanged, map[string]any{"from": t.Language, "to": *p.Language})
		t.Language = *p.Language
		set("language", t.Language)
	}
	if p.TeamID.Set {
		to := p.TeamID.Ptr()
		if to != nil {
			if err := checkTeam(ctx, tx, "team_id", *to); err != nil {
				return err
			}
		}
		if deref(to) != deref(t.TeamID) {
			log.add(EvTeamChanged, map[string]any{"from": deref(t.TeamID), "to": deref(to)})
			t.TeamID = to
			set("team_id", nullPtr(to))
		}
	}
	assignee := p.AssigneeID
	if p.Status != nil && *p.Status == StatusSolved && t.AssigneeID == nil && !assignee.Set && log.actor.IsAgent() {
		assignee = opt.Of(log.actor.ID)
	}
	if assignee.Set {
		to := assignee.Ptr()
		if to != nil {
			if err := checkAgent(ctx, tx, "assignee_id", *to); err != nil {
				return err
			}
		}
		if deref(to) != deref(t.AssigneeID) {
			log.add(EvAssigneeChanged, map[string]any{"from": deref(t.AssigneeID), "to": deref(to)})
			t.AssigneeID = to
			set("assignee_id", nullPtr(to))
		}
	}
	if p.Requester != nil {
		id, _, _, err := s.resolveRequester(ctx, tx, *p.Requester)
		if err != nil {
			return err
		}
		p.RequesterID = &id
	}
	if p.RequesterID != nil && *p.RequesterID != t.RequesterID {
		org, err := customerOrg(ctx, tx, "requester_id", *p.RequesterID)
		if err != nil {
			return err
		}
		log.add(EvRequesterChanged, map[string]any{"from": t.RequesterID, "to": *p.RequesterID})
		t.RequesterID = *p.RequesterID
		set("requester_id", t.RequesterID)
		set("organization_id", db.NullInt(org))
	}
	if len(p.CustomFields) > 0 {
		changes, err := applyFieldValues(ctx, tx, t.CustomFields, p.CustomFields)
		if err != nil {
			return err
		}
		for _, c := range changes {
			log.add(EvFieldChanged, map[string]any{"key": c.key, "from": c.from, "to": c.to})
		}
		if len(changes) > 0 {
			set("custom_fields", mustJSON(t.CustomFields))
		}
	}
	if p.Status != nil && *p.Status != t.Status {
		to := *p.Status
		if !CanTransition(t.Status, to) {
			return apperr.Unprocessable("status", fmt.Sprintf("cannot change status from %s to %s", t.Status, to))
		}
		// Required fields are the team's bookkeeping: a requester who says
		// their request is solved (the portal) is not asked for them.
		if to == StatusSolved && log.actor.Kind != authz.KindCustomer {
			fe, err := missingRequired(ctx, tx, t.CustomFields)
			if err != nil {
				return err
			}
			if len(fe) > 0 {
				return &apperr.Error{Code: apperr.CodeUnprocessable, Message: "fill in the required fields to solve the ticket", Fields: fe}
			}
		}
		if to == StatusSolved {
			set("solved_at", at)
		}
		if to == StatusClosed {
			set("closed_at", at)
		}
		log.add(EvStatusChanged, map[string]any{"from": t.Status, "to": to})
		t.Status = to
		set("status", to)
	}
	if p.Tags != nil || len(p.AddTags) > 0 || len(p.RemoveTags) > 0 {
		want := slices.Clone(t.Tags)
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
		added, removed, err := setTags(ctx, tx, t.ID, t.Tags, want)
		if err != nil {
			return err
		}
		if len(added)+len(removed) > 0 {
			log.add(EvTagsChanged, map[string]any{"added": nonNil(added), "removed": nonNil(removed)})
			slices.Sort(want)
			t.Tags = want
		}
	}
	if p.FollowerIDs != nil {
		for i, f := range *p.FollowerIDs {
			if !slices.Contains(t.FollowerIDs, f) {
				if err := checkAgent(ctx, tx, fmt.Sprintf("follower_ids[%d]", i), f); err != nil {
					return err
				}
			}
		}
		added, removed, err := setFollowers(ctx, tx, t.ID, t.FollowerIDs, *p.FollowerIDs)
		if err != nil {
			return err
		}
		if len(added)+len(removed) > 0 {
			log.add(EvFollowersChanged, map[string]any{"added": nonNil(added), "removed": nonNil(removed)})
			t.FollowerIDs = *p.FollowerIDs
		}
	}
	if len(sets) == 0 {
		return nil
	}
	args = append(args, t.ID)
	if _, err := tx.ExecContext(ctx, `UPDATE tickets SET `+joinComma(sets)+` WHERE id = ?`, args...); err != nil {
		return fmt.Errorf("ticket: update %d: %w", t.ID, err)
	}
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func joinComma(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}

// BulkResult reports one ticket of a bulk update.
type BulkResult struct {
	ID     int64       `json:"id"`
	OK     bool        `json:"ok"`
	Ticket *Ticket     `json:"ticket,omitempty"`
	Error  *BulkFailed `json:"error,omitempty"`
}

// BulkFailed is the error of one ticket in a bulk update.
type BulkFailed struct {
	Code    apperr.Code       `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// MaxBulk is the most tickets one bulk update may touch.
const MaxBulk = 100

// BulkUpdate applies one patch to up to 100 tickets. Each ticket is all or
// nothing on its own (a savepoint each), and the answer says per id what
// happened; one commit covers the lot.
func (s *Service) BulkUpdate(ctx context.Context, actor authz.Actor, ids []int64, p Patch) ([]BulkResult, error) {
	if err := authz.Check(actor, authz.TicketBulk); err != nil {
		return nil, err
	}
	if err := authz.Check(actor, authz.TicketUpdate); err != nil {
		return nil, err
	}
	fe := apperr.FieldErrors{}
	switch {
	case len(ids) == 0:
		fe.Add("ids", "is required")
	case len(ids) > MaxBulk:
		fe.Add("ids", apperr.TooMany(MaxBulk))
	}
	seen := map[int64]bool{}
	for i, id := range ids[:min(len(ids), MaxBulk)] {
		if id <= 0 {
			fe.Add(fmt.Sprintf("ids[%d]", i), "must be a positive id")
		}
		if seen[id] {
			fe.Add(fmt.Sprintf("ids[%d]", i), "is repeated")
		}
		seen[id] = true
	}
	if p.Version != nil {
		fe.Add("version", "is not allowed in a bulk update")
	}
	if err := p.checkSizes(); err != nil {
		for k, v := range apperr.As(err).Fields {
			fe.Add(k, v)
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	results := make([]BulkResult, len(ids))
	changed := map[int64][]Event{}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		for i, id := range ids {
			results[i] = BulkResult{ID: id}
			if _, err := tx.ExecContext(ctx, "SAVEPOINT bulk"); err != nil {
				return fmt.Errorf("ticket: bulk savepoint: %w", err)
			}
			t, events, err := s.updateTx(ctx, tx, actor, id, p)
			if err != nil {
				if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT bulk"); rerr != nil {
					return fmt.Errorf("ticket: bulk rollback: %w", rerr)
				}
				e := apperr.As(err)
				if e.Code == apperr.CodeInternal {
					return err
				}
				results[i].Error = &BulkFailed{Code: e.Code, Message: e.Message, Fields: e.Fields}
			} else {
				results[i].OK = true
				tc := t
				results[i].Ticket = &tc
				changed[id] = events
			}
			if _, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT bulk"); err != nil {
				return fmt.Errorf("ticket: bulk release: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for id, ev := range changed {
		s.changed(id, ev)
	}
	return results, nil
}

// checkRequesterChange validates a requester given by email or phone.
func checkRequesterChange(fe apperr.FieldErrors, p *Patch) {
	r := p.Requester
	if p.RequesterID != nil {
		fe.Add("requester", "give either requester or requester_id, not both")
	}
	r.Email, r.Phone, r.Name = strings.TrimSpace(r.Email), strings.TrimSpace(r.Phone), strings.TrimSpace(r.Name)
	switch {
	case r.Email != "":
		addr, err := mail.ParseAddress(r.Email)
		if err != nil || addr.Name != "" || !strings.Contains(addr.Address, "@") {
			fe.Add("requester.email", "must be an email address")
		} else {
			r.Email = strings.ToLower(addr.Address)
		}
	case r.Phone != "":
		if len(r.Phone) > 50 {
			fe.Add("requester.phone", "must be at most 50 characters")
		}
	default:
		fe.Add("requester", "give the customer's email or phone")
	}
	if len(r.Name) > 200 {
		fe.Add("requester.name", "must be at most 200 characters")
	}
}
