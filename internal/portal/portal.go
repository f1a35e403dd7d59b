// Package portal is the customer portal's domain (docs/portal.md):
// sign-in by a single-use link mailed to the customer, portal sessions
// kept apart from agent sessions, and what a signed-in customer may do
// with their own requests (read the public conversation, reply, mark
// solved, file a new one). Every read is scoped to the customer here, in
// the service, so no route can reach another customer's ticket.
package portal

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/jobs"
	"github.com/ombud/ombud/internal/secret"
)

// JobLink is the job kind that mails a sign-in link.
const JobLink = "portal.link"

const (
	// LinkTTL is how long a sign-in link works.
	LinkTTL = 30 * time.Minute
	// SessionTTL is how long a portal session lasts.
	SessionTTL = 30 * 24 * time.Hour
	// requestsPerAddress bounds link requests from one client address per
	// requestWindow; linksPerHour bounds the links mailed to one customer.
	requestsPerAddress = 10
	requestWindow      = 15 * time.Minute
	linksPerHour       = 3
)

// Customer is the signed-in customer.
type Customer struct {
	ID             int64
	OrganizationID int64
	Name           string
	Email          string
	Locale         string
	TimeZone       string
	// OrgShared: the customer may see all their organization's requests:
	// the organization shares them, unless an agent withdrew the view from
	// this customer, or an agent granted it to them although it does not.
	OrgShared bool
}

// Actor is the customer as the ticket service sees them.
func (c Customer) Actor() authz.Actor {
	return authz.Actor{Kind: authz.KindCustomer, ID: c.ID, Name: c.Name}
}

// LinkMail is one sign-in link to send.
type LinkMail struct {
	To      string
	Name    string
	Lang    string // the customer's language, else the page's
	Token   string // the link's secret; the mailer puts it in the link
	Expires time.Time
}

// Mailer sends a sign-in link now (the email service's relay). A failure
// is retried by the job.
type Mailer interface {
	SendPortalLink(ctx context.Context, m LinkMail) error
}

// Service is the portal's domain service.
type Service struct {
	db      *db.DB
	now     func() time.Time
	tickets Tickets
	mailer  Mailer
	wake    func()
	secrets *secret.Box  // signs form puzzles, seals the CAPTCHA secret (guard.go)
	client  *http.Client // calls the CAPTCHA provider
}

// New returns the service. tickets is the ticket service.
func New(d *db.DB, now func() time.Time, tickets Tickets) *Service {
	return &Service{db: d, now: now, tickets: tickets}
}

// Register has r run the link mail jobs, sent through m.
func (s *Service) Register(r *jobs.Runner, m Mailer) {
	s.mailer, s.wake = m, r.Wake
	r.Handle(JobLink, s.sendLink)
}

type linkPayload struct {
	Email string `json:"email"`
	Lang  string `json:"lang"`
}

var (
	errLimited = apperr.RateLimited("too many sign-in links were asked for from your address; wait a few minutes and try again")
	errBadLink = apperr.InvalidField("token", "this sign-in link is invalid, used or expired; ask for a new one")
	// ErrNoSession is the answer for a missing, ended or expired session.
	ErrNoSession = apperr.Unauthenticated("sign in to the portal")
)

// RequestLink queues a sign-in link for email, mailed only if a customer
// has that address. The answer and its timing are the same either way, so
// the form never tells whether an address is known. addr is the client
// address; lang the page's language.
func (s *Service) RequestLink(ctx context.Context, email, lang, addr string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	switch {
	case email == "":
		return apperr.InvalidField("email", "is required")
	case len(email) > 254 || strings.Count(email, "@") != 1 || strings.HasPrefix(email, "@") || strings.HasSuffix(email, "@") ||
		strings.ContainsFunc(email, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return apperr.InvalidField("email", "must be an email address")
	}
	if s.mailer == nil {
		return errors.New("portal: sign-in mail is not set up (Register)")
	}
	now := s.now()
	return s.db.Write(ctx, func(tx *db.Tx) error {
		if err := take(ctx, tx, now, hash("addr\x00"+addr), requestsPerAddress, requestWindow, errLimited); err != nil {
			return err
		}
		if _, err := jobs.Enqueue(ctx, tx, now, jobs.New{Kind: JobLink, Payload: linkPayload{Email: email, Lang: lang}, MaxAttempts: 5}); err != nil {
			return err
		}
		tx.AfterCommit(s.wake)
		return nil
	})
}

// sendLink is the job handler for JobLink: it finds the customer by the
// address, mints the link and mails it.
func (s *Service) sendLink(ctx context.Context, j jobs.Job) error {
	var p linkPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.Email == "" {
		return jobs.Permanent(fmt.Errorf("portal: bad link payload %q", j.Payload))
	}
	var c Customer
	err := s.db.QueryRowContext(ctx, `SELECT c.id, c.name, c.locale FROM customer_identities i JOIN customers c ON c.id = i.customer_id
		WHERE i.type = 'email' AND i.value = ?`, p.Email).Scan(&c.ID, &c.Name, &c.Locale)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // nobody to write to; the requester was told the same either way
	}
	if err != nil {
		return fmt.Errorf("portal: link customer: %w", err)
	}
	raw := rand.Text()
	now := s.now()
	exp := now.Add(LinkTTL)
	send := false
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		// A retried job replaces its own link (the earlier mail may never
		// have arrived); a spent one stays spent.
		res, err := tx.ExecContext(ctx, `UPDATE portal_links SET token_hash = ?, created_at = ?, expires_at = ? WHERE job_id = ? AND spent_at IS NULL`,
			hash(raw), db.Millis(now), db.Millis(exp), j.ID)
		if err != nil {
			return fmt.Errorf("portal: link: %w", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			send = true
			return nil
		}
		var mine, recent int
		if err := tx.QueryRowContext(ctx, `SELECT
			(SELECT COUNT(*) FROM portal_links WHERE job_id = ?),
			(SELECT COUNT(*) FROM portal_links WHERE customer_id = ? AND created_at > ?)`,
			j.ID, c.ID, db.Millis(now.Add(-time.Hour))).Scan(&mine, &recent); err != nil {
			return fmt.Errorf("portal: links: %w", err)
		}
		if mine > 0 || recent >= linksPerHour {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO portal_links (customer_id, job_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			c.ID, j.ID, hash(raw), db.Millis(now), db.Millis(exp)); err != nil {
			return fmt.Errorf("portal: link: %w", err)
		}
		send = true
		return nil
	})
	if err != nil || !send {
		return err
	}
	lang := c.Locale
	if lang == "" {
		lang = p.Lang
	}
	return s.mailer.SendPortalLink(ctx, LinkMail{To: p.Email, Name: c.Name, Lang: lang, Token: raw, Expires: exp})
}

// CheckLink reports whether a sign-in link still works (the page shows
// its button only then; opening the link spends nothing, so a mail
// scanner that follows links cannot use it up).
func (s *Service) CheckLink(ctx context.Context, raw string) error {
	_, _, err := link(ctx, s.db, s.now(), raw)
	return err
}

// link finds a usable link's row by its raw token.
func link(ctx context.Context, q db.Querier, now time.Time, raw string) (id, customerID int64, err error) {
	if raw == "" || len(raw) > 100 {
		return 0, 0, errBadLink
	}
	var exp int64
	var spent sql.NullInt64
	err = q.QueryRowContext(ctx, `SELECT id, customer_id, expires_at, spent_at FROM portal_links WHERE token_hash = ?`, hash(raw)).Scan(&id, &customerID, &exp, &spent)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, errBadLink
	}
	if err != nil {
		return 0, 0, fmt.Errorf("portal: link: %w", err)
	}
	if spent.Valid || exp <= db.Millis(now) {
		return 0, 0, errBadLink
	}
	return id, customerID, nil
}

// SignIn spends a link once and starts a session; it returns the session's
// secret for the cookie.
func (s *Service) SignIn(ctx context.Context, raw, addr string) (string, error) {
	session := rand.Text()
	now := s.now()
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		id, customerID, err := link(ctx, tx, now, raw)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE portal_links SET spent_at = ? WHERE id = ? AND spent_at IS NULL`, db.Millis(now), id)
		if err != nil {
			return fmt.Errorf("portal: spend link: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errBadLink // spent by a parallel request
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM portal_sessions WHERE expires_at <= ?`, db.Millis(now)); err != nil {
			return fmt.Errorf("portal: prune sessions: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO portal_sessions (customer_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?)`,
			customerID, hash(session), db.Millis(now), db.Millis(now.Add(SessionTTL))); err != nil {
			return fmt.Errorf("portal: session: %w", err)
		}
		return audit.Record(ctx, tx, now, authz.Actor{Kind: authz.KindCustomer, ID: customerID}, "portal.sign_in", fmt.Sprint(customerID), map[string]any{"ip": addr})
	})
	if err != nil {
		return "", err
	}
	return session, nil
}

// Session returns the customer of a session secret, or ErrNoSession.
func (s *Service) Session(ctx context.Context, raw string) (Customer, error) {
	if raw == "" || len(raw) > 100 {
		return Customer{}, ErrNoSession
	}
	var c Customer
	var exp int64
	var org sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT c.id, c.organization_id, c.name, c.locale, c.time_zone, s.expires_at,
		COALESCE(c.portal_org_view, (SELECT o.portal_shared FROM organizations o WHERE o.id = c.organization_id), FALSE),
		COALESCE((SELECT value FROM customer_identities i WHERE i.customer_id = c.id AND i.type = 'email' ORDER BY i.is_primary DESC, i.id LIMIT 1), '')
		FROM portal_sessions s JOIN customers c ON c.id = s.customer_id WHERE s.token_hash = ?`, hash(raw)).
		Scan(&c.ID, &org, &c.Name, &c.Locale, &c.TimeZone, &exp, &c.OrgShared, &c.Email)
	c.OrganizationID = org.Int64
	if errors.Is(err, sql.ErrNoRows) {
		return Customer{}, ErrNoSession
	}
	if err != nil {
		return Customer{}, fmt.Errorf("portal: session: %w", err)
	}
	if exp <= db.Millis(s.now()) {
		return Customer{}, ErrNoSession
	}
	return c, nil
}

// SignOut ends a session.
func (s *Service) SignOut(ctx context.Context, raw string) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM portal_sessions WHERE token_hash = ?`, hash(raw)); err != nil {
			return fmt.Errorf("portal: sign out: %w", err)
		}
		return nil
	})
}

// CSRF is the form token of a session: derived from its secret, which
// only the cookie's holder knows, so it needs no row of its own.
func CSRF(session string) string { return hash("csrf\x00" + session) }

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
