package importer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/opt"
	"github.com/ombud/ombud/internal/textcheck"
	"github.com/ombud/ombud/internal/ticket"
)

// Directory creates or finds the people and groups records refer to. Each
// Ensure is idempotent: importing the same file twice reuses what exists.
type Directory interface {
	EnsureTeam(ctx context.Context, t Team) (int64, error)
	EnsureAgent(ctx context.Context, a Agent, teamIDs []int64) (int64, error)
	EnsureOrganization(ctx context.Context, o Organization) (int64, error)
	EnsureCustomer(ctx context.Context, c Customer, orgID int64) (int64, error)
	// EnsureField returns the field's type: a field that exists keeps
	// its own, and text values of the tickets are read as it.
	EnsureField(ctx context.Context, f Field) (string, error)
}

// Service imports NDJSON history.
type Service struct {
	db      *db.DB
	tickets *ticket.Service
	dir     Directory
	// Batch is how many tickets share one transaction (default 500).
	Batch int
	// Parallel is how many customer records are written at once: each is
	// a write of its own, and concurrent writes share one commit (SQLite's
	// group commit, PostgreSQL's pool). On SQLite the default is Batch, so
	// that a batch of pending customers is about one commit: with 32 at a
	// time, the customers' commits (an fsync each) were most of an
	// import's (docs/benchmarks.md, issue 13 item 6). On PostgreSQL it is
	// 32, the pool's concern.
	Parallel int
	// Stepwise replays every ticket step by step through ticket.ImportTx
	// rather than set-based (ticket.ImportBatchTx): the reference the
	// set-based replay is tested against.
	Stepwise bool
}

// NewService returns an importer.
func NewService(d *db.DB, tickets *ticket.Service, dir Directory) *Service {
	s := &Service{db: d, tickets: tickets, dir: dir, Batch: 500, Parallel: 32}
	if d.Dialect() == db.SQLite {
		s.Parallel = s.Batch
	}
	return s
}

// LineError reports one record that was not imported.
type LineError struct {
	Line int    `json:"line"`
	Kind string `json:"kind,omitempty"`
	// Source names the record of another helpdesk's export the line
	// came from ("tickets.json: ticket 1005"); only in those imports.
	Source string            `json:"source,omitempty"`
	Code   apperr.Code       `json:"code"`
	Error  string            `json:"message"`
	Field  map[string]string `json:"fields,omitempty"`
	// Format and Args are Error before formatting (problems of a
	// conversion), for a page to show it in the reader's language.
	Format string `json:"-"`
	Args   []any  `json:"-"`
}

// Result sums up an import.
type Result struct {
	Imported int `json:"imported"`
	Skipped  int `json:"skipped"` // already present (same external_id), or before Options.From
	Failed   int `json:"failed"`
	// Line is the last line accounted for: every record up to it is
	// committed, skipped or listed in Errors, none after it is written.
	// An import that stops early (an unreadable body, a database error)
	// resumes from here (Options.From).
	Line int `json:"committed_through_line"`
	// TicketsImported counts the ticket records among Imported: tickets
	// this import committed.
	TicketsImported int `json:"tickets_imported"`
	// LastExternalID is the external_id of the last ticket record up to
	// Line that was written or found present (empty when it had none).
	LastExternalID string `json:"last_external_id,omitempty"`
	// Attachments counts the files stored with imported comments;
	// AttachmentsLinked those kept as a link in the comment's text (not
	// fetched, unreachable or over the limits).
	Attachments       int         `json:"attachments"`
	AttachmentsLinked int         `json:"attachments_linked"`
	TicketIDs         []int64     `json:"-"`
	Errors            []LineError `json:"errors"`
}

const maxErrors = 100

func (r *Result) fail(line int, kind string, err error) {
	r.Failed++
	if len(r.Errors) >= maxErrors {
		return
	}
	e := apperr.As(err)
	msg := e.Message
	if e.Code == apperr.CodeInternal {
		msg = "internal error"
	}
	r.Errors = append(r.Errors, LineError{Line: line, Kind: kind, Code: e.Code, Error: msg, Field: e.Fields})
}

// Options tune one import.
type Options struct {
	// From resumes an import: customer and ticket records on lines up to
	// From are skipped unread (their work is committed); teams, agents and
	// organizations are read again, since later records name them.
	From int
	// Progress, when set, is called after every committed batch.
	Progress func(Progress)
	// Format names what was imported in the audit log: "ndjson" (the
	// default), "zendesk" or "freshdesk".
	Format string
	// Fetch, when set, copies attachments given by URL into the blob
	// store; without it they stay links in the comment's text (files.go).
	Fetch Fetcher
}

// Progress is where an import stands.
type Progress struct {
	Line    int   // as Result.Line
	Bytes   int64 // read so far
	Tickets int   // ticket records accounted for (imported, skipped or failed)
	Result  *Result
}

// maxLine bounds one NDJSON record.
const maxLine = 16 << 20 // the message for a longer line says 16 MiB

type pending struct {
	line int
	in   ticket.ImportTicket
}

type pendingCustomer struct {
	line int
	c    Customer
	org  int64
}

// Import reads records from r and imports them in order. A bad record is
// reported with its line number and does not stop the rest.
func (s *Service) Import(ctx context.Context, actor authz.Actor, r io.Reader) (Result, error) {
	return s.ImportWith(ctx, actor, r, Options{})
}

// job is the state of one import.
type job struct {
	s         *Service
	ctx       context.Context
	actor     authz.Actor
	opt       Options
	res       Result
	tickets   []pending
	customers []pendingCustomer
	// inflight is the batch of tickets being written (pipeline.go);
	// deferred the failures of the lines read meanwhile, recorded after
	// the batch's own so that Errors stays in line order.
	inflight *inflight
	deferred []deferredFail
	seen     int // ticket records accounted for
	bytes    int64
}

// ImportWith is Import with options. Tickets are written Batch at a time,
// each batch one transaction; a ticket that fails there fails alone (the
// batch is written again without it). Re-importing a file creates nothing
// new for tickets with an external_id: the ids already present are looked
// up once per batch and skipped.
func (s *Service) ImportWith(ctx context.Context, actor authz.Actor, r io.Reader, opt Options) (Result, error) {
	if err := authz.Check(actor, authz.Import); err != nil {
		return Result{}, err
	}
	im := &job{s: s, ctx: ctx, actor: actor, opt: opt, res: Result{Errors: []LineError{}}}
	_, err := im.run(r)
	// The batch still being written is committed (or not) before the
	// result says how far the import got.
	if werr := im.wait(); werr != nil && err == nil {
		err = werr
	}
	res := im.res
	if res.Imported >= analyzeAfter {
		// What is committed stays: stale planner statistics cost speed,
		// not data, so a failure here does not fail the import.
		_ = s.db.Analyze(context.WithoutCancel(ctx))
	}
	// An agent's import (through the API) is audited once, with its
	// counts, after its last batch: the batches commit one by one, so the
	// row says what was committed, also when the import stopped early.
	// The operator's own imports (ombud import, the demo) run as the
	// system and are not.
	if actor.Kind == authz.KindAgent {
		data := map[string]any{"imported": res.Imported, "skipped": res.Skipped, "failed": res.Failed,
			"committed_through_line": res.Line, "stopped": err != nil}
		if aerr := s.db.Write(context.WithoutCancel(ctx), func(tx *db.Tx) error {
			format := opt.Format
			if format == "" {
				format = "ndjson"
			}
			return audit.Record(ctx, tx, s.tickets.Now(), actor, "import", format, data)
		}); aerr != nil && err == nil {
			err = aerr
		}
	}
	return res, err
}

func (im *job) run(r io.Reader) (Result, error) {
	er := &errReader{r: r}
	sc := bufio.NewScanner(er)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	sc.Split(func(data []byte, atEOF bool) (int, []byte, error) {
		adv, tok, err := bufio.ScanLines(data, atEOF)
		if atEOF && tok != nil && bytes.IndexByte(data[:adv], '\n') < 0 && er.err != nil && !errors.Is(er.err, io.EOF) {
			// The last line was cut off by a failed read, not ended by
			// the end of the input: it is not a record.
			return 0, nil, er.err
		}
		return adv, tok, err
	})
	agents := map[string]int64{}
	teams := map[string]int64{}
	orgs := map[string]int64{}
	fieldTypes := map[string]string{}
	line := 0
	for sc.Scan() {
		line++
		im.bytes += int64(len(sc.Bytes())) + 1
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		if line <= im.opt.From && !directoryLine(raw) {
			if kindIs(raw, KindTicket) {
				im.seen++
			}
			im.res.Skipped++
			continue
		}
		var rec Record
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rec); err != nil {
			im.fail(line, "", apperr.InvalidField("line", "is not a valid record: "+err.Error()))
			continue
		}
		if err := checkLimits(rec); err != nil {
			im.fail(line, rec.Kind, err)
			continue
		}
		var err error
		if rec.Kind != KindTicket && rec.Kind != KindCustomer {
			// Teams, agents, organizations and fields change what the
			// tickets before them were checked against: those are
			// committed first, as when nothing was in flight.
			if err := im.wait(); err != nil {
				return im.res, err
			}
		}
		switch rec.Kind {
		case KindTeam:
			if rec.Team == nil {
				err = apperr.InvalidField("team", "is required for kind team")
				break
			}
			var id int64
			if id, err = im.s.dir.EnsureTeam(im.ctx, *rec.Team); err == nil {
				teams[strings.ToLower(rec.Team.Name)] = id
				im.res.Imported++
			}
		case KindAgent:
			if rec.Agent == nil {
				err = apperr.InvalidField("agent", "is required for kind agent")
				break
			}
			var ids []int64
			for i, name := range rec.Agent.Teams {
				id, ok := teams[strings.ToLower(name)]
				if !ok {
					err = apperr.InvalidField(fmt.Sprintf("agent.teams[%d]", i), "names a team not imported before")
					break
				}
				ids = append(ids, id)
			}
			if err != nil {
				break
			}
			var id int64
			if id, err = im.s.dir.EnsureAgent(im.ctx, *rec.Agent, ids); err == nil {
				agents[strings.ToLower(rec.Agent.Email)] = id
				im.res.Imported++
			}
		case KindOrganization:
			if rec.Organization == nil {
				err = apperr.InvalidField("organization", "is required for kind organization")
				break
			}
			var id int64
			if id, err = im.s.dir.EnsureOrganization(im.ctx, *rec.Organization); err == nil {
				orgs[strings.ToLower(rec.Organization.Name)] = id
				im.res.Imported++
			}
		case KindField:
			if rec.Field == nil {
				err = apperr.InvalidField("field", "is required for kind field")
				break
			}
			var typ string
			if typ, err = im.s.dir.EnsureField(im.ctx, *rec.Field); err == nil {
				fieldTypes[rec.Field.Key] = typ
				im.res.Imported++
			}
		case KindCustomer:
			if rec.Customer == nil {
				err = apperr.InvalidField("customer", "is required for kind customer")
				break
			}
			org := int64(0)
			if rec.Customer.Organization != "" {
				var ok bool
				if org, ok = orgs[strings.ToLower(rec.Customer.Organization)]; !ok {
					err = apperr.InvalidField("customer.organization", "names an organization not imported before")
					break
				}
			}
			im.customers = append(im.customers, pendingCustomer{line: line, c: *rec.Customer, org: org})
			if len(im.customers) >= im.s.Batch {
				err = im.flushCustomers()
			}
		case KindTicket:
			if rec.Ticket == nil {
				err = apperr.InvalidField("ticket", "is required for kind ticket")
				break
			}
			coerceFields(rec.Ticket.CustomFields, fieldTypes)
			var in ticket.ImportTicket
			// Attachments first: a file kept as a link adds a line the
			// checks must see.
			if in, err = resolveTicket(*rec.Ticket, agents, teams); err == nil {
				err = im.attach(&in, *rec.Ticket)
			}
			if err == nil {
				err = in.Validate()
			}
			if err != nil {
				im.seen++
				break
			}
			im.tickets = append(im.tickets, pending{line: line, in: in})
			if len(im.tickets) >= im.s.Batch {
				err = im.flush(line)
			}
		default:
			err = apperr.InvalidField("kind", "must be team, agent, organization, field, customer or ticket")
		}
		if err != nil {
			if apperr.CodeOf(err) == apperr.CodeInternal {
				return im.res, fmt.Errorf("importer: line %d: %w", line, err)
			}
			im.fail(line, rec.Kind, err)
		}
		if len(im.tickets) == 0 && len(im.customers) == 0 && im.inflight == nil {
			im.res.Line = line
		}
	}
	if err := sc.Err(); err != nil {
		if !errors.Is(err, bufio.ErrTooLong) {
			// What was read in full is still written: the result then
			// says exactly how far the import got.
			if ferr := im.flush(line); ferr != nil {
				return im.res, ferr
			}
			return im.res, fmt.Errorf("importer: read: %w", err)
		}
		im.fail(line+1, "", apperr.InvalidField("line", "is longer than 16 MiB"))
	}
	if err := im.flush(line); err != nil {
		return im.res, err
	}
	return im.res, nil
}

// errReader remembers the error that ended the input.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil {
		e.err = err
	}
	return n, err
}

// analyzeAfter is how many imported records make the planner's statistics
// worth refreshing at once rather than when autovacuum gets there.
const analyzeAfter = 1000

// resolveActor turns "agent:EMAIL", "customer:EMAIL" or "system" into an actor.
func resolveActor(s string, agents map[string]int64) (authz.Actor, error) {
	switch {
	case s == "system" || s == "":
		return authz.System, nil
	case strings.HasPrefix(s, "agent:"):
		id, ok := agents[strings.ToLower(strings.TrimPrefix(s, "agent:"))]
		if !ok {
			return authz.Actor{}, fmt.Errorf("names an agent not imported before")
		}
		// Imports replay history as it was; the agent's role today does not limit it.
		return authz.Actor{Kind: authz.KindAgent, ID: id, Role: authz.Admin}, nil
	case strings.HasPrefix(s, "customer:"):
		return authz.Actor{Kind: authz.KindCustomer}, nil
	}
	return authz.Actor{}, fmt.Errorf("must be agent:EMAIL, customer:EMAIL or system")
}

func resolveTicket(t Ticket, agents, teams map[string]int64) (ticket.ImportTicket, error) {
	fe := apperr.FieldErrors{}
	if len(t.Timeline) == 0 || t.Timeline[0].Do != "comment" {
		return ticket.ImportTicket{}, apperr.InvalidField("ticket.timeline[0]", "must be the first comment")
	}
	first := t.Timeline[0]
	creator, err := resolveActor(first.Actor, agents)
	if err != nil {
		fe.Add("ticket.timeline[0].actor", err.Error())
	}
	public := first.Public
	in := ticket.ImportTicket{
		CreatedAt: first.At.UTC(),
		Creator:   creator,
		Create: ticket.CreateInput{
			// History from another helpdesk is cleaned to the text rule
			// rather than refused (docs/api.md, "Input rules").
			Subject: textcheck.CleanLine(t.Subject), Description: textcheck.CleanBody(first.Body), DescriptionHTML: textcheck.CleanBody(first.HTML), Public: &public,
			Requester: &ticket.RequesterInput{Email: t.Requester, Name: textcheck.CleanLine(t.RequesterName)},
			Priority:  t.Priority, Type: t.Type, Channel: t.Channel, Language: t.Language, Tags: t.Tags,
			CustomFields: t.CustomFields, ExternalID: t.ExternalID,
		},
	}
	if first.At.IsZero() {
		fe.Add("ticket.timeline[0].at", "is required")
	}
	for i, a := range t.Timeline[1:] {
		field := fmt.Sprintf("ticket.timeline[%d]", i+1)
		actor, err := resolveActor(a.Actor, agents)
		if err != nil {
			fe.Add(field+".actor", err.Error())
			continue
		}
		if a.At.IsZero() {
			fe.Add(field+".at", "is required")
			continue
		}
		step := ticket.ImportStep{At: a.At.UTC(), Actor: actor}
		switch a.Do {
		case "comment":
			pub := a.Public
			step.Comment = &ticket.CommentInput{Body: textcheck.CleanBody(a.Body), HTML: textcheck.CleanBody(a.HTML), Public: &pub, AsCustomer: actor.Kind == authz.KindCustomer}
		case "status":
			st := ticket.Status(a.To)
			step.Patch = &ticket.Patch{Status: &st}
		case "priority":
			v := a.To
			step.Patch = &ticket.Patch{Priority: &v}
		case "type":
			v := a.To
			step.Patch = &ticket.Patch{Type: &v}
		case "tags":
			step.Patch = &ticket.Patch{AddTags: a.Add, RemoveTags: a.Remove}
		case "assign":
			p := &ticket.Patch{}
			if a.Assignee != nil {
				if *a.Assignee == "" {
					p.AssigneeID = opt.Null[int64]()
				} else if id, ok := agents[strings.ToLower(*a.Assignee)]; ok {
					p.AssigneeID = opt.Of(id)
				} else {
					fe.Add(field+".assignee", "names an agent not imported before")
				}
			}
			if a.Team != nil {
				if *a.Team == "" {
					p.TeamID = opt.Null[int64]()
				} else if id, ok := teams[strings.ToLower(*a.Team)]; ok {
					p.TeamID = opt.Of(id)
				} else {
					fe.Add(field+".team", "names a team not imported before")
				}
			}
			step.Patch = p
		default:
			fe.Add(field+".do", "must be comment, status, assign, priority, type or tags")
		}
		in.Steps = append(in.Steps, step)
	}
	return in, fe.Err()
}

// WriteNDJSON encodes records one a line (for `ombud import` files and the demo).
func WriteNDJSON(w io.Writer, recs []Record) error {
	enc := json.NewEncoder(w)
	for i := range recs {
		if err := enc.Encode(&recs[i]); err != nil {
			return fmt.Errorf("importer: encode record %d: %w", i, err)
		}
	}
	return nil
}
