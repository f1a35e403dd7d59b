package auth

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/db"
)

// Sign-in limits (docs/security.md, "Sign-in limits"). Every attempt takes
// a slot in each bucket that applies BEFORE its password is checked, all in
// one transaction, so parallel guesses never get more passwords checked than
// the limit. The counters live in the database (signin_limits), so several
// ombud processes share them. Buckets, each a fixed window that starts at
// its first attempt:
//
//   - account+address: SignInLimit attempts (10). Guesses from one address
//     use up that address's tries at the account, not the owner's.
//   - address: AddressLimit attempts over all accounts (50), so one address
//     cannot spray many accounts.
//   - account: AccountLimit attempts (100) from addresses that are not
//     known for the account, to slow a guesser spread over many addresses.
//     It is per password: a new password (a reset by email) starts afresh.
//     An address is known for KnownFor (30 days) after a successful sign-in
//     from it, so the owner at their usual address is never refused by it.
//
// IPv6 addresses count per /64: one host usually holds a whole /64.
// A successful sign-in gives its slots back; the failures before it still
// count until their window ends. A refused attempt takes no slot anywhere.

// errLimited is what a refused attempt gets. Its wording points to the way
// around: a password reset by email.
var errLimited = apperr.RateLimited("too many sign-in attempts; wait a few minutes and try again, or reset your password by email")

// knownMark is the attempts value of a known-address row.
const knownMark = 0

type limiter struct {
	db        *db.DB
	window    time.Duration
	knownFor  time.Duration
	pair      int
	address   int
	account   int
	lastPrune atomic.Int64 // unix millis of the last prune by this process
}

func newLimiter(d *db.DB, o Options) *limiter {
	return &limiter{db: d, window: o.LimitWindow, knownFor: o.KnownFor, pair: o.SignInLimit, address: o.AddressLimit, account: o.AccountLimit}
}

// reservation is the slots one attempt holds.
type reservation struct {
	buckets []string // the buckets it took a slot in
	known   string   // the account's known-address row for this address
}

// bucketKey hashes a bucket's parts; the NUL separator keeps "a"+"bc" and
// "ab"+"c" apart.
func bucketKey(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// addressKey is the part of a client address that identifies its owner:
// the address itself, or its /64 for IPv6. Unparseable values are kept as
// they are (they are still one bucket).
func addressKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap().WithZone("")
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// reserve takes a slot in every bucket for email at ip, or none at all and
// errLimited when any bucket is full. credential is the account's password
// hash ("" for none): the account bucket counts guesses at one password, so
// a new password (a reset by email) is not held back by guesses at the old.
func (l *limiter) reserve(ctx context.Context, now time.Time, email, credential, ip string) (reservation, error) {
	addr := addressKey(ip)
	r := reservation{known: bucketKey("known", email, addr)}
	type bucket struct {
		key   string
		limit int
	}
	err := l.db.Write(ctx, func(tx *db.Tx) error {
		var until int64
		err := tx.QueryRowContext(ctx, `SELECT expires_at FROM signin_limits WHERE bucket = ? AND attempts = ?`, r.known, knownMark).Scan(&until)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("auth: sign-in limits: %w", err)
		}
		known := err == nil && until > db.Millis(now)
		buckets := []bucket{{bucketKey("pair", email, addr), l.pair}, {bucketKey("address", addr), l.address}}
		if !known {
			buckets = append(buckets, bucket{bucketKey("account", email, credential), l.account})
		}
		// One order for every transaction: two attempts locking the same
		// rows on PostgreSQL never wait for each other in a circle.
		slices.SortFunc(buckets, func(a, b bucket) int { return strings.Compare(a.key, b.key) })
		start, cutoff, exp := db.Millis(now), db.Millis(now.Add(-l.window)), db.Millis(now.Add(l.window))
		for _, b := range buckets {
			// Start a new window, or count in the current one if it has
			// room; a full bucket updates nothing and returns no row.
			var n int
			err := tx.QueryRowContext(ctx, `INSERT INTO signin_limits (bucket, window_start, attempts, expires_at) VALUES (?, ?, 1, ?)
				ON CONFLICT (bucket) DO UPDATE SET
					attempts = CASE WHEN signin_limits.window_start < ? THEN 1 ELSE signin_limits.attempts + 1 END,
					window_start = CASE WHEN signin_limits.window_start < ? THEN excluded.window_start ELSE signin_limits.window_start END,
					expires_at = CASE WHEN signin_limits.window_start < ? THEN excluded.expires_at ELSE signin_limits.expires_at END
				WHERE signin_limits.window_start < ? OR signin_limits.attempts < ?
				RETURNING attempts`, b.key, start, exp, cutoff, cutoff, cutoff, cutoff, b.limit).Scan(&n)
			if errors.Is(err, sql.ErrNoRows) {
				return errLimited // rolls back the slots taken so far
			}
			if err != nil {
				return fmt.Errorf("auth: sign-in limits: %w", err)
			}
			r.buckets = append(r.buckets, b.key)
		}
		return nil
	})
	if err != nil {
		return reservation{}, err
	}
	l.prune(ctx, now)
	return r, nil
}

// release runs in the transaction that opens the session: a successful
// attempt gives its slots back (failures before it still count) and makes
// the address known for the account. Rows are touched in key order, as in
// reserve, so the two never deadlock on PostgreSQL.
func (l *limiter) release(ctx context.Context, tx *db.Tx, now time.Time, r reservation) error {
	keys := append([]string{r.known}, r.buckets...)
	slices.Sort(keys)
	for _, key := range keys {
		var err error
		if key == "" {
			continue // no known row to mark (a password before its second factor)
		}
		if key == r.known {
			err = l.markKnown(ctx, tx, now, key)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE signin_limits SET attempts = attempts - 1 WHERE bucket = ? AND attempts > 0`, key)
		}
		if err != nil {
			return fmt.Errorf("auth: release sign-in limits: %w", err)
		}
	}
	return nil
}

func (l *limiter) markKnown(ctx context.Context, tx *db.Tx, now time.Time, key string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO signin_limits (bucket, window_start, attempts, expires_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (bucket) DO UPDATE SET window_start = excluded.window_start, attempts = excluded.attempts, expires_at = excluded.expires_at`,
		key, db.Millis(now), knownMark, db.Millis(now.Add(l.knownFor)))
	if err != nil {
		return fmt.Errorf("auth: remember sign-in address: %w", err)
	}
	return nil
}

// TrustAddress is for a flow that proved the owner of email is at ip some
// other way (a password reset through an emailed link): the address
// becomes known for the account and its account+address bucket is cleared,
// so a guesser elsewhere cannot keep the owner out. It runs in the caller's
// transaction.
func (s *Service) TrustAddress(ctx context.Context, tx *db.Tx, email, ip string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	addr := addressKey(ip)
	if _, err := tx.ExecContext(ctx, `DELETE FROM signin_limits WHERE bucket = ?`, bucketKey("pair", email, addr)); err != nil {
		return fmt.Errorf("auth: trust address: %w", err)
	}
	return s.limiter.markKnown(ctx, tx, s.now(), bucketKey("known", email, addr))
}

// prune deletes expired rows, at most once a minute per process. Rows a
// sign-in holds are skipped on PostgreSQL rather than waited for, so a
// prune never deadlocks with an attempt.
func (l *limiter) prune(ctx context.Context, now time.Time) {
	ms, last := db.Millis(now), l.lastPrune.Load()
	if ms-last < time.Minute.Milliseconds() || !l.lastPrune.CompareAndSwap(last, ms) {
		return
	}
	q := `DELETE FROM signin_limits WHERE expires_at < ?`
	if l.db.Dialect() == db.Postgres {
		q = `DELETE FROM signin_limits WHERE bucket IN (SELECT bucket FROM signin_limits WHERE expires_at < ? FOR UPDATE SKIP LOCKED)`
	}
	// A failed prune only leaves rows for the next one; the attempt goes on.
	_ = l.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, q, ms)
		return err
	})
}
