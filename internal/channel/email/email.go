// Package email is Ombud's email channel: support mailboxes, inbound mail
// (SMTP listener and IMAP sources) turned into threaded tickets and
// comments, and outbound replies sent through a durable job queue.
//
// Inbound mail is dependable the way a mail server is: the raw message is
// stored and committed, together with what it became, before the sender is
// told 250 (or the IMAP message is marked); nothing is imported twice
// (Message-ID per mailbox); mail that cannot be understood is kept raw with
// its error for an admin to inspect and re-process.
package email

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/blob"
	"github.com/ombud/ombud/internal/channel/email/mailauth"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/richtext"
	"github.com/ombud/ombud/internal/secret"
	"github.com/ombud/ombud/internal/ticket"
)

// Tickets is what the email channel needs of the ticket service, all inside
// the channel's own transaction.
type Tickets interface {
	CreateTx(ctx context.Context, tx *db.Tx, actor authz.Actor, in ticket.CreateInput) (ticket.Ticket, error)
	CommentTx(ctx context.Context, tx *db.Tx, actor authz.Actor, ticketID int64, in ticket.CommentInput) (ticket.Comment, ticket.Ticket, error)
	GetTx(ctx context.Context, tx *db.Tx, id int64) (ticket.Ticket, error)
	AttachTx(ctx context.Context, tx *db.Tx, a ticket.Attachment) (ticket.Attachment, error)
	RecordTx(ctx context.Context, tx *db.Tx, actor authz.Actor, ticketID int64, typ string, data map[string]any) error
	FollowTx(ctx context.Context, tx *db.Tx, actor authz.Actor, ticketID int64, agentIDs []int64) error
	CommentByID(ctx context.Context, q db.Querier, ticketID, commentID int64) (ticket.Comment, error)
}

// Directory is what the email channel needs to know about people.
type Directory interface {
	// AgentByEmail returns the active agent with this address, ok=false when none.
	AgentByEmail(ctx context.Context, q db.Querier, email string) (a authz.Actor, email2 string, ok bool, err error)
	// ResolveCustomer finds or creates the customer with this address.
	ResolveCustomer(ctx context.Context, tx *db.Tx, email, name string) (id int64, err error)
	// CustomerEmail returns a customer's name and primary email ("" when none).
	CustomerEmail(ctx context.Context, q db.Querier, id int64) (name, email string, err error)
	// AgentName returns an agent's display name.
	AgentName(ctx context.Context, q db.Querier, id int64) (string, error)
}

// Options tune the channel; zero values take the defaults.
type Options struct {
	// MaxMessageBytes bounds one inbound message (default 40 MiB).
	MaxMessageBytes int64
	// SenderLimit is how many messages one sender may send per hour before
	// further mail is kept but not turned into tickets (default 60).
	SenderLimit int
	// Hostname names this server in SMTP greetings and Message-IDs when a
	// mailbox has no domain of its own (default "ombud.localhost").
	Hostname string
	// BaseURL is where agents reach Ombud (links in notifications).
	BaseURL string
	// Wake is called after a commit that queued jobs (jobs.Runner.Wake).
	Wake func()
	// SenderAuth verifies inbound senders; nil verifies nobody (every
	// From address is treated as unproven).
	SenderAuth *mailauth.Verifier
	// Secrets seals the mailbox passwords stored in the database (default:
	// a key that lasts as long as the process, for tests).
	Secrets *secret.Box
	// Catalog translates the notices agents get (default: the built-in
	// catalogs).
	Catalog *i18n.Translator
}

// Service runs the email channel.
type Service struct {
	db      *db.DB
	now     func() time.Time
	log     *slog.Logger
	tickets Tickets
	people  Directory
	blobs   *blob.Store
	html    *richtext.Sanitizer
	opts    Options
	cache   mailboxCache
	authMu  sync.RWMutex
	authV   *mailauth.Verifier // sender verification (senderauth.go)
	// catalog words agents' notices; onDelivery hears of delivery state
	// changes (delivery.go).
	catalog    *i18n.Translator
	onDelivery func(DeliveryChange)
}

// NewService returns the email channel service.
func NewService(d *db.DB, now func() time.Time, log *slog.Logger, tickets Tickets, people Directory, blobs *blob.Store, html *richtext.Sanitizer, opts Options) *Service {
	if opts.MaxMessageBytes <= 0 {
		opts.MaxMessageBytes = 40 << 20
	}
	if opts.SenderLimit <= 0 {
		opts.SenderLimit = 60
	}
	if opts.Hostname == "" {
		opts.Hostname = "ombud.localhost"
	}
	if opts.Wake == nil {
		opts.Wake = func() {}
	}
	if opts.SenderAuth == nil {
		opts.SenderAuth = mailauth.New(nil, mailauth.Trust{})
	}
	if opts.Secrets == nil {
		opts.Secrets = secret.Ephemeral()
	}
	if opts.Catalog == nil {
		// Without catalogs (they are built in, so never in practice)
		// notices stay in English.
		opts.Catalog, _ = i18n.New()
	}
	return &Service{db: d, now: now, log: log, tickets: tickets, people: people, blobs: blobs, html: html, opts: opts, authV: opts.SenderAuth,
		catalog: opts.Catalog}
}

// MaxMessageBytes is the largest message the channel accepts.
func (s *Service) MaxMessageBytes() int64 { return s.opts.MaxMessageBytes }

// mailboxCache keeps address → mailbox lookups off the database on the
// SMTP hot path (every RCPT TO); any mailbox change clears it. Instances
// sharing a PostgreSQL database see another instance's change after ttl.
type mailboxCache struct {
	mu sync.Mutex
	m  map[string]cachedMailbox
}

type cachedMailbox struct {
	mb Mailbox
	at time.Time
}

const mailboxCacheTTL = 30 * time.Second

func (c *mailboxCache) lookup(addr string) (Mailbox, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[addr]
	if !ok || time.Since(e.at) > mailboxCacheTTL {
		return Mailbox{}, false
	}
	return e.mb, true
}

func (c *mailboxCache) store(addr string, m Mailbox) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) > 10000 {
		c.m = map[string]cachedMailbox{}
	}
	c.m[addr] = cachedMailbox{mb: m, at: time.Now()}
}

func (s *Service) mailboxesChanged() {
	s.cache.mu.Lock()
	s.cache.m = nil
	s.cache.mu.Unlock()
}
