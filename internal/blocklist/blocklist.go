// Package blocklist keeps the senders whose mail is not turned into
// tickets: an address an agent marked as spam, or a whole domain an admin
// blocked. Mail from them is still stored in the inbound mail log (ignored,
// outcome blocked_sender) so nothing is lost: unblocking and re-processing
// the message makes its ticket after all.
package blocklist

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// The kinds of entry.
const (
	KindAddress = "address"
	KindDomain  = "domain"
)

// Entry is one blocked sender.
type Entry struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind" enum:"address,domain"`
	Value     string    `json:"value"`
	Reason    string    `json:"reason"`
	CreatedBy *int64    `json:"created_by"`
	ByName    string    `json:"created_by_name"`
	CreatedAt time.Time `json:"created_at"`
}

// Input adds an entry: an email address, or a domain ("example.com" or
// "@example.com") that blocks every address at it.
type Input struct {
	Value  string `json:"value"`
	Reason string `json:"reason,omitempty"`
}

// Service reads and changes the block list.
type Service struct {
	db  *db.DB
	now func() time.Time
}

// NewService returns the block list service.
func NewService(d *db.DB, now func() time.Time) *Service { return &Service{db: d, now: now} }

// selectEntries reads entries with the name of whoever added them.
const selectEntries = `SELECT b.id, b.kind, b.value, b.reason, b.created_by, COALESCE(a.name, ''), b.created_at
	FROM blocked_senders b LEFT JOIN agents a ON a.id = b.created_by`

// List returns every entry, newest first.
func (s *Service) List(ctx context.Context, actor authz.Actor) ([]Entry, error) {
	if err := authz.Check(actor, authz.ChannelRead); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, selectEntries+` ORDER BY b.id DESC`)
	if err != nil {
		return nil, fmt.Errorf("blocklist: list: %w", err)
	}
	defer rows.Close()
	out := []Entry{}
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Get returns one entry.
func (s *Service) Get(ctx context.Context, actor authz.Actor, id int64) (Entry, error) {
	if err := authz.Check(actor, authz.ChannelRead); err != nil {
		return Entry{}, err
	}
	e, err := scanEntry(s.db.QueryRowContext(ctx, selectEntries+` WHERE b.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Entry{}, apperr.NotFound("blocked sender", id)
	}
	return e, err
}

func scanEntry(row interface{ Scan(...any) error }) (Entry, error) {
	var e Entry
	var by sql.NullInt64
	var at int64
	if err := row.Scan(&e.ID, &e.Kind, &e.Value, &e.Reason, &by, &e.ByName, &at); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Entry{}, err
		}
		return Entry{}, fmt.Errorf("blocklist: read: %w", err)
	}
	if by.Valid {
		e.CreatedBy = &by.Int64
	}
	e.CreatedAt = time.UnixMilli(at).UTC()
	return e, nil
}

// parse reads an input value as an address or a domain, lower-cased.
func parse(value string) (kind, v string, err error) {
	value = strings.ToLower(strings.TrimSpace(value))
	switch {
	case value == "":
		return "", "", apperr.InvalidField("value", "is required")
	case len(value) > 254:
		return "", "", apperr.InvalidField("value", "is longer than 254 characters")
	case strings.HasPrefix(value, "@") || !strings.Contains(value, "@"):
		d := strings.TrimPrefix(value, "@")
		if !validDomain(d) {
			return "", "", apperr.InvalidField("value", "must be an email address or a domain")
		}
		return KindDomain, d, nil
	}
	a, err := mail.ParseAddress(value)
	if err != nil || a.Address != value {
		return "", "", apperr.InvalidField("value", "must be an email address or a domain")
	}
	return KindAddress, value, nil
}

// validDomain accepts a host name of two or more labels.
func validDomain(d string) bool {
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r > 127) {
				return false
			}
		}
	}
	return true
}

// Add blocks an address or a domain. Blocking a domain stops the mail of
// every customer there, so it is for those who manage channels; an address
// is what marking a ticket as spam blocks (AddTx).
func (s *Service) Add(ctx context.Context, actor authz.Actor, in Input) (Entry, error) {
	if err := authz.Check(actor, authz.BlocklistManage); err != nil {
		return Entry{}, err
	}
	var id int64
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var err error
		id, err = AddTx(ctx, tx, s.now(), actor, in)
		return err
	})
	if err != nil {
		return Entry{}, err
	}
	return s.Get(ctx, actor, id)
}

// AddTx adds an entry inside tx for a caller that has checked the actor's
// permission; an entry already there is kept and its id returned. Our own
// agents' addresses and domains are refused: their mail is never a
// customer's spam.
func AddTx(ctx context.Context, tx *db.Tx, at time.Time, actor authz.Actor, in Input) (int64, error) {
	kind, v, err := parse(in.Value)
	if err != nil {
		return 0, err
	}
	if len(in.Reason) > 500 {
		return 0, apperr.InvalidField("reason", "is longer than 500 characters")
	}
	cond, arg := `lower(email) = ?`, v
	if kind == KindDomain {
		cond, arg = `lower(email) LIKE ?`, "%@"+v
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM agents WHERE `+cond, arg).Scan(&n); err != nil {
		return 0, fmt.Errorf("blocklist: agents: %w", err)
	}
	if n > 0 {
		return 0, apperr.InvalidField("value", "is an agent's address; agents cannot be blocked")
	}
	var id int64
	err = tx.QueryRowContext(ctx, `SELECT id FROM blocked_senders WHERE kind = ? AND value = ?`, kind, v).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("blocklist: find: %w", err)
	}
	var by any
	if actor.IsAgent() {
		by = actor.ID
	}
	id, err = tx.InsertID(ctx, `INSERT INTO blocked_senders (kind, value, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?)`,
		kind, v, strings.TrimSpace(in.Reason), by, at.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("blocklist: add: %w", err)
	}
	return id, audit.Record(ctx, tx, at, actor, "sender_blocked", fmt.Sprintf("blocked_sender:%d", id), map[string]any{"kind": kind, "value": v, "reason": in.Reason})
}

// Remove unblocks an entry. Mail kept while it was blocked stays in the
// mail log, where it can be processed again.
func (s *Service) Remove(ctx context.Context, actor authz.Actor, id int64) error {
	if err := authz.Check(actor, authz.BlocklistManage); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		var kind, v string
		if err := tx.QueryRowContext(ctx, `SELECT kind, value FROM blocked_senders WHERE id = ?`, id).Scan(&kind, &v); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return apperr.NotFound("blocked sender", id)
			}
			return fmt.Errorf("blocklist: remove: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM blocked_senders WHERE id = ?`, id); err != nil {
			return fmt.Errorf("blocklist: remove: %w", err)
		}
		return audit.Record(ctx, tx, s.now(), actor, "sender_unblocked", fmt.Sprintf("blocked_sender:%d", id), map[string]any{"kind": kind, "value": v})
	})
}

// Blocked reports whether mail from address is blocked, by the address
// itself or by its domain.
func Blocked(ctx context.Context, q db.Querier, address string) (bool, error) {
	address = strings.ToLower(strings.TrimSpace(address))
	_, domain, ok := strings.Cut(address, "@")
	if !ok {
		return false, nil
	}
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM blocked_senders WHERE (kind = 'address' AND value = ?) OR (kind = 'domain' AND value = ?)`, address, domain).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("blocklist: check %s: %w", address, err)
	}
	return n > 0, nil
}
