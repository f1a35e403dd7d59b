// Package ticket owns tickets, their comments, tags, followers and custom
// fields, and the append-only event log that records every change. Every
// write updates the current-state row and appends its events in the same
// transaction, so history, audit and metrics can always be explained event
// by event.
package ticket

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ombud/ombud/internal/blob"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/richtext"
)

// Status is a ticket's state in its life cycle.
type Status string

// Statuses.
const (
	StatusNew     Status = "new"
	StatusOpen    Status = "open"
	StatusPending Status = "pending" // waiting on the customer
	StatusOnHold  Status = "on_hold" // waiting on a third party or another team
	StatusSolved  Status = "solved"
	StatusClosed  Status = "closed" // final: a new message starts a follow-up ticket
)

// Statuses lists every status in life-cycle order.
var Statuses = []Status{StatusNew, StatusOpen, StatusPending, StatusOnHold, StatusSolved, StatusClosed}

// transitions lists where each status may go. A status never returns to new;
// closed is final.
var transitions = map[Status][]Status{
	StatusNew:     {StatusOpen, StatusPending, StatusOnHold, StatusSolved},
	StatusOpen:    {StatusPending, StatusOnHold, StatusSolved},
	StatusPending: {StatusOpen, StatusOnHold, StatusSolved},
	StatusOnHold:  {StatusOpen, StatusPending, StatusSolved},
	StatusSolved:  {StatusOpen, StatusClosed},
	StatusClosed:  {},
}

// CanTransition reports whether from → to is allowed (staying is always allowed).
func CanTransition(from, to Status) bool {
	return from == to || slices.Contains(transitions[from], to)
}

// Unsolved reports whether the ticket still needs work.
func (s Status) Unsolved() bool {
	return s == StatusNew || s == StatusOpen || s == StatusPending || s == StatusOnHold
}

// Enumerations of the other ticket fields.
var (
	Priorities = []string{"low", "normal", "high", "urgent"}
	Types      = []string{"question", "incident", "problem", "task", "complaint", "return"}
	Channels   = []string{"email", "chat", "web", "phone", "social", "api", "in_person"}
)

// Person is the short form of an agent or customer shown beside tickets and comments.
type Person struct {
	ID    int64  `json:"id"`
	Type  string `json:"type"` // agent, customer, system
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
}

// Ticket is the current state of a ticket.
type Ticket struct {
	ID             int64          `json:"id"`
	Subject        string         `json:"subject"`
	Status         Status         `json:"status"`
	Priority       string         `json:"priority"`
	Type           string         `json:"type"`
	Channel        string         `json:"channel"`
	RequesterID    int64          `json:"requester_id"`
	Requester      *Person        `json:"requester,omitempty"`
	OrganizationID *int64         `json:"organization_id"`
	AssigneeID     *int64         `json:"assignee_id"`
	TeamID         *int64         `json:"team_id"`
	Language       string         `json:"language"`
	Tags           []string       `json:"tags"`
	FollowerIDs    []int64        `json:"follower_ids"`
	CustomFields   map[string]any `json:"custom_fields"`
	MergedIntoID   *int64         `json:"merged_into_id"`
	ExternalID     string         `json:"external_id,omitempty"`
	CommentCount   int            `json:"comment_count"`
	Version        int64          `json:"version"` // the sequence number of the latest event
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
	SolvedAt       *time.Time     `json:"solved_at"`
	ClosedAt       *time.Time     `json:"closed_at"`
}

// Comment is a public reply or an internal note.
type Comment struct {
	ID          int64        `json:"id"`
	TicketID    int64        `json:"ticket_id"`
	AuthorType  string       `json:"author_type"` // agent, customer, system
	AuthorID    int64        `json:"author_id,omitempty"`
	Author      *Person      `json:"author,omitempty"`
	Public      bool         `json:"public"`
	Body        string       `json:"body"`
	HTML        string       `json:"html"`
	Channel     string       `json:"channel"`
	Attachments []Attachment `json:"attachments"`
	CreatedAt   time.Time    `json:"created_at"`
}

// Attachment is a file stored in the blob store and linked to a comment.
type Attachment struct {
	ID          int64     `json:"id"`
	CommentID   int64     `json:"comment_id,omitempty"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	InlineCID   string    `json:"inline_cid,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// Event is one entry of a ticket's append-only history.
type Event struct {
	ID             int64          `json:"id"`
	TicketID       int64          `json:"ticket_id"`
	Seq            int64          `json:"seq"`
	Type           string         `json:"type"`
	ActorType      string         `json:"actor_type"`
	ActorID        int64          `json:"actor_id,omitempty"`
	At             time.Time      `json:"at"`
	OriginTicketID int64          `json:"origin_ticket_id,omitempty"` // set on events moved here by a merge
	Data           map[string]any `json:"data"`
}

// Event types. Data carries "from"/"to" for field changes.
const (
	EvCreated          = "created"
	EvCommentAdded     = "comment_added"
	EvStatusChanged    = "status_changed"
	EvPriorityChanged  = "priority_changed"
	EvTypeChanged      = "type_changed"
	EvAssigneeChanged  = "assignee_changed"
	EvTeamChanged      = "team_changed"
	EvTagsChanged      = "tags_changed"
	EvSubjectChanged   = "subject_changed"
	EvLanguageChanged  = "language_changed"
	EvRequesterChanged = "requester_changed"
	EvFollowersChanged = "followers_changed"
	EvFieldChanged     = "field_changed"
	EvMerged           = "merged"         // this ticket was merged into data.into
	EvMergeReceived    = "merge_received" // data.from was merged into this ticket
)

// Requesters is what ticket needs of the customer directory: resolving a
// requester inside the ticket's transaction and naming requesters for lists.
type Requesters interface {
	ResolveRequester(ctx context.Context, tx *db.Tx, email, name string) (customerID, orgID int64, err error)
	Brief(ctx context.Context, ids []int64) (map[int64]CustomerBrief, error)
}

// briefResolver is a directory whose requester resolution also answers
// the requester's brief as Brief would read it after the commit
// (customer.Service's does, from the statements it runs anyway): a new
// ticket's answer then names its requester without a read of its own.
type briefResolver interface {
	ResolveRequesterBrief(ctx context.Context, tx *db.Tx, email, name string) (b CustomerBrief, orgID int64, err error)
}

// CustomerBrief names a requester; customer.Brief converts to it.
type CustomerBrief struct {
	ID    int64
	Name  string
	Email string
}

// Service manages tickets.
type Service struct {
	db         *db.DB
	now        func() time.Time
	requesters Requesters
	html       *richtext.Sanitizer
	blobs      *blob.Store
	outbox     Outbox
	notifier   Notifier // mention notices (mentions.go)
	hooks      []EventHook
	// searchCandidates bounds what one search ranks (rank.go); 0 is
	// DefaultSearchCandidates.
	searchCandidates int
	// lookupWindow, when not 0, replaces lookupWindowMin (a negative one
	// turns the requester lookups' windows off); lookupWindowRuns counts
	// the lookups read from a window, lookupBelowRuns the windows read
	// below a first one, lookupCrowdedRuns the windows on SQLite read
	// again sorted; noLookupEstimate sizes the first window without the
	// customers' share (firstLookupSpan). All for the tests
	// (lookupwindow.go).
	lookupWindow      int64
	lookupWindowRuns  atomic.Int64
	lookupBelowRuns   atomic.Int64
	lookupCrowdedRuns atomic.Int64
	noLookupEstimate  atomic.Bool
	// noFew turns the ascending read of sparse matches off; fewRuns
	// counts the walks read by id. Both for the tests (rankfew.go).
	noFew   atomic.Bool
	fewRuns atomic.Int64
	// noPairs turns the word-pair index off; pairRuns counts the walks
	// it answered; pairMinDocs, when not 0, replaces minPairDocs. All for
	// the tests (rankpairs.go).
	noPairs     atomic.Bool
	pairRuns    atomic.Int64
	pairMinDocs int
	// pairRefused are the pairs of words not to ask the index to keep
	// until the time given (rankpairs.go).
	pairMu      sync.Mutex
	pairRefused map[string]time.Time
	// pairWG counts PostgreSQL's registrations under way (rankpairs.go).
	pairWG sync.WaitGroup
	// noLookupsFirst makes every search walk its text even when the
	// tickets it names fill the page; lookupsFirstRuns counts the
	// searches that did not. Both for the tests (ranklookups.go).
	noLookupsFirst   atomic.Bool
	lookupsFirstRuns atomic.Int64
	// noLookupTop makes a filtered search's lookups test every ticket of
	// their windows; lookupTopRuns counts the windows tested best first
	// only as far as a page needs (lookupbest.go).
	noLookupTop   atomic.Bool
	lookupTopRuns atomic.Int64
	// lookupShares remembers what share of a full lookup window passed a
	// filter (lookupbest.go).
	lookupShares lookupShares
	// noMentionsAtOnce makes the mention sample read every round alone;
	// mentionsAtOnceRuns counts the samples that read their wide rounds
	// in one statement (ranklookups.go).
	noMentionsAtOnce   atomic.Bool
	mentionsAtOnceRuns atomic.Int64
	// onePGPage makes PostgreSQL read a list page in one statement, ids
	// and rows together, as SQLite does (page.go).
	onePGPage atomic.Bool
	// noAddressIndex makes an address search walk the full-text index
	// (for the tests); addressesFilled is set once the address index's
	// fill is seen done; addressRuns counts the searches that read it
	// (rankaddress.go).
	noAddressIndex  atomic.Bool
	addressesFilled atomic.Bool
	addressRuns     atomic.Int64
	// pgWindowSize, when not 0, replaces pgWindow (negative: no window,
	// the single walk); pgPath, when not 0, chooses the read below the
	// window (1: on by the primary key, 2: the GIN index); pgWindowRuns
	// counts the several-token walks that read below their window,
	// pgIndexRuns those that read it through the GIN index. For the tests
	// (rankpg.go).
	pgWindowSize, pgPath      atomic.Int64
	pgWindowRuns, pgIndexRuns atomic.Int64
	// filterSideMax bounds the tickets a filter may pass for the walks to
	// be driven from the filter side (defaultFilterSideMax; 0: never);
	// filterSideRuns counts those searches (rankfilter.go). filterPlans
	// caches whether SQLite reaches a filter's tickets by index.
	filterSideMax, filterSideRuns atomic.Int64
	filterPlans                   filterPlans
	// tooMany remembers the filters that passed too many tickets for the
	// filter side or the batch test's set (rankfilter.go, rankbatch.go).
	tooMany tooManyFilters
	// noTagSide makes tag filters test each walked row with the EXISTS;
	// tagSideRuns counts the searches whose walks tested the tags' tickets
	// as one list (ranktag.go).
	noTagSide   atomic.Bool
	tagSideRuns atomic.Int64
	// noSampleFromWalks makes every estimate's sample run its query;
	// sampleFromWalks counts the samples counted from the walks;
	// sampleScale, when above 1, divides the sample sizes (rankwalked.go).
	// For the tests.
	noSampleFromWalks atomic.Bool
	// noSampleBelowWalks makes a round the walks cover in part run its
	// whole query; sampleBelowWalksRuns counts those that did not.
	noSampleBelowWalks   atomic.Bool
	sampleBelowWalksRuns atomic.Int64
	// noBoundsWithLookups makes PostgreSQL's lookups statement leave the
	// estimate's bounds to their own; boundsWithLookups counts the
	// searches whose lookups read them.
	noBoundsWithLookups          atomic.Bool
	boundsWithLookups            atomic.Int64
	sampleFromWalks, sampleScale atomic.Int64
	// noPGFilter makes PostgreSQL's searches with filters and words test
	// each walked row in SQL again, and the lookups read their tickets'
	// last updates with the ids; pgFilterRuns counts the searches that
	// test the walked tickets in batches. For the tests (rankpgfilter.go).
	noPGFilter   atomic.Bool
	pgFilterRuns atomic.Int64
	// pgFilterTests counts the batch tests' statements; pgSpan, when not
	// 0, replaces pgSpan (negative: every ticket tested by id); pgRanges
	// and pgProbes count the batches that read a range and that tested
	// tickets by id; noPGTagTest makes tags alone be tested with the
	// tickets table, as other filters; pgTagTests counts the batches
	// that did not. For the tests (rankpgfilter.go).
	pgFilterTests, pgSpan, pgRanges, pgProbes atomic.Int64
	noPGTagTest                               atomic.Bool
	pgTagTests                                atomic.Int64
	// tagRanges counts SQLite's batch tests of tags alone that read a
	// range of ticket_tags_tag.
	tagRanges atomic.Int64
	// noLookupAt makes PostgreSQL's requester lookups read their kept
	// tickets' last updates by id, after the ids, as before migration
	// 0101; lookupAtRuns counts the lookups that had them from the index
	// with the ids. For the tests (rankpgfilter.go).
	noLookupAt   atomic.Bool
	lookupAtRuns atomic.Int64
	// noPGPair makes PostgreSQL's subject and comment walks run one
	// after the other again; pgPairRuns counts the searches whose walks
	// (or, with several tokens, whose windows) were one statement
	// (rankpg.go). noNumberRead makes a ticket number's lookup read
	// its ticket in a statement of its own again; numberReads counts the
	// lookups that had it from the statement of the other lookups
	// (textsearch.go). For the tests.
	noPGPair, noNumberRead  atomic.Bool
	pgPairRuns, numberReads atomic.Int64
	// pgStats is what PostgreSQL's statistics say of common words;
	// noPGCommon makes every one-token search planned for its value
	// again; pgPreparedRuns counts the searches whose walks were not
	// (pgcommon.go). The switch and the count for the tests.
	pgStats        pgWordStats
	noPGCommon     atomic.Bool
	pgPreparedRuns atomic.Int64
	// onPrepared, when set, sees each statement PostgreSQL is meant to
	// keep one plan for (the walks of a placed word, the name lookups, the
	// estimate's and mention sample's small rounds), with its arguments.
	// For the tests, set before any search.
	onPrepared func(q string, args []any)
	// pgRangeRounds counts the estimate's rounds that tested their range
	// alone (rank.go's sampleText). For the tests.
	pgRangeRounds atomic.Int64
	// noBatch makes SQLite's searches with filters and words that the
	// filter side does not take test each walked row in SQL again (tags
	// alone: the tag side); batchRuns counts the searches that test the
	// walked tickets in batches. For the tests (rankbatch.go).
	noBatch   atomic.Bool
	batchRuns atomic.Int64
	// batchSetMax bounds the tickets a filter may pass for the batch test
	// to read them as a set (defaultBatchSetMax; 0: never); batchSetRuns
	// counts those searches. For the tests (rankbatch.go).
	batchSetMax, batchSetRuns atomic.Int64
	// noCommentIndex makes the comment walks and samples read a comment's
	// ticket through its row again; commentIndexRuns counts the
	// statements that read it from comments_id_ticket. For the tests
	// (commentindex.go).
	noCommentIndex   atomic.Bool
	commentIndexRuns atomic.Int64
	// OnChange, when set, is called after a write commits with the ticket id
	// and the events it appended (live updates, triggers later).
	OnChange func(ticketID int64, events []Event)
}

// NewService returns a ticket service.
func NewService(d *db.DB, now func() time.Time, requesters Requesters, html *richtext.Sanitizer) *Service {
	s := &Service{db: d, now: now, requesters: requesters, html: html}
	s.filterSideMax.Store(defaultFilterSideMax)
	s.batchSetMax.Store(defaultBatchSetMax)
	return s
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "{}"
	}
	return string(b)
}
