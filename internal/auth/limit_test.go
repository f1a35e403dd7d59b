package auth_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/auth"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
)

const ownerPassword = "owner-password-1"

// limitFixture is an auth service with one agent, owner@ombud.test.
func limitFixture(t *testing.T, d *db.DB, opts auth.Options) (*auth.Service, *clock) {
	t.Helper()
	clk := &clock{t: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
	ag := agent.NewService(d, clk.now)
	if _, err := ag.CreateAgent(context.Background(), authz.System, agent.AgentInput{Email: "owner@ombud.test", Name: "Owner", Role: authz.Agent, Password: ownerPassword}); err != nil {
		t.Fatal(err)
	}
	return auth.NewService(d, clk.now, opts), clk
}

// outcome counts what a batch of sign-ins answered. Every "wrong" answer
// is one password that was checked and failed; "limited" ones were refused
// before any check.
type outcome struct {
	mu                 sync.Mutex
	ok, wrong, limited int
	unexpected         []error
}

func (o *outcome) add(err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	switch {
	case err == nil:
		o.ok++
	case apperr.Is(err, apperr.CodeUnauthenticated):
		o.wrong++
	case apperr.Is(err, apperr.CodeRateLimited):
		o.limited++
	default:
		o.unexpected = append(o.unexpected, err)
	}
}

// parallel signs in n times at once; attempt i uses password(i) from ip(i).
func parallel(a *auth.Service, n int, password, ip func(i int) string) *outcome {
	o := &outcome{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := a.SignIn(context.Background(), "owner@ombud.test", password(i), ip(i), "test")
			o.add(err)
		}()
	}
	close(start)
	wg.Wait()
	return o
}

func wrongPassword(i int) string { return fmt.Sprintf("wrong-password-%d", i) }
func sameIP(int) string          { return "198.51.100.7" }

func countAudit(t *testing.T, d *db.DB, action string) int {
	t.Helper()
	var n int
	if err := d.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = ?`, action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSignInParallelAttemptsCheckAtMostTheLimit: a burst of parallel
// guesses must not get more passwords checked than the limit (an attempt
// is counted before its password is checked, not after).
func TestSignInParallelAttemptsCheckAtMostTheLimit(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		a, _ := limitFixture(t, d, auth.Options{})
		o := parallel(a, 80, wrongPassword, sameIP)
		if len(o.unexpected) > 0 {
			t.Fatalf("unexpected errors: %v", o.unexpected)
		}
		if o.wrong != 10 || o.limited != 70 || o.ok != 0 {
			t.Fatalf("80 parallel wrong passwords: %d checked, %d limited, %d signed in; want 10 checked, 70 limited", o.wrong, o.limited, o.ok)
		}
		if n := countAudit(t, d, "auth.sign_in_failed"); n != 10 {
			t.Fatalf("%d failed sign-ins audited, want 10", n)
		}
		// The limit is reached: a burst with the right password in it
		// signs nobody in.
		o = parallel(a, 80, func(i int) string {
			if i == 40 {
				return ownerPassword
			}
			return wrongPassword(i)
		}, sameIP)
		if o.ok != 0 || o.wrong != 0 || o.limited != 80 {
			t.Fatalf("burst after the limit: %d signed in, %d checked, %d limited; want all 80 limited", o.ok, o.wrong, o.limited)
		}
	})
}

// TestSignInCorrectPasswordInABurst: the right password inside a parallel
// burst may win only as one of the first attempts; wrong ones checked never
// exceed the limit, and the success gives its slot back.
func TestSignInCorrectPasswordInABurst(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		a, _ := limitFixture(t, d, auth.Options{})
		o := parallel(a, 80, func(i int) string {
			if i%20 == 0 {
				return ownerPassword
			}
			return wrongPassword(i)
		}, sameIP)
		if len(o.unexpected) > 0 {
			t.Fatalf("unexpected errors: %v", o.unexpected)
		}
		if o.wrong > 10 {
			t.Fatalf("%d wrong passwords checked, limit 10", o.wrong)
		}
		if o.ok+o.wrong+o.limited != 80 {
			t.Fatalf("answers %+v do not add up to 80", o)
		}
	})
}

// TestSignInAttackerElsewhereDoesNotLockOwner: guesses from one address
// use up that address's tries at the account, not the owner's.
func TestSignInAttackerElsewhereDoesNotLockOwner(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a, clk := limitFixture(t, d, auth.Options{})
		for i := 0; i < 12; i++ {
			_, _ = a.SignIn(ctx, "owner@ombud.test", wrongPassword(i), "203.0.113.66", "attacker")
		}
		if _, err := a.SignIn(ctx, "owner@ombud.test", ownerPassword, "203.0.113.66", "attacker"); !apperr.Is(err, apperr.CodeRateLimited) {
			t.Fatalf("attacker's address after 12 wrong passwords: %v, want rate_limited", err)
		}
		if _, err := a.SignIn(ctx, "owner@ombud.test", ownerPassword, "192.0.2.10", "owner"); err != nil {
			t.Fatalf("owner at another address: %v", err)
		}
		// A success gives its slot back: signing in often from one address
		// never uses up its tries; the owner's own typos do count there.
		for i := 0; i < 12; i++ {
			if _, err := a.SignIn(ctx, "owner@ombud.test", ownerPassword, "192.0.2.10", "owner"); err != nil {
				t.Fatalf("owner's sign-in %d: %v", i, err)
			}
		}
		for i := 0; i < 9; i++ {
			_, _ = a.SignIn(ctx, "owner@ombud.test", wrongPassword(i), "192.0.2.10", "owner")
		}
		if _, err := a.SignIn(ctx, "owner@ombud.test", ownerPassword, "192.0.2.10", "owner"); err != nil {
			t.Fatalf("owner after 9 typos: %v", err)
		}
		if _, err := a.SignIn(ctx, "owner@ombud.test", wrongPassword(9), "192.0.2.10", "owner"); !apperr.Is(err, apperr.CodeUnauthenticated) {
			t.Fatalf("owner's 10th typo: %v", err)
		}
		if _, err := a.SignIn(ctx, "owner@ombud.test", ownerPassword, "192.0.2.10", "owner"); !apperr.Is(err, apperr.CodeRateLimited) {
			t.Fatalf("owner after 10 typos: %v, want rate_limited", err)
		}
		// The attacker's address is free again after the window.
		clk.add(16 * time.Minute)
		if _, err := a.SignIn(ctx, "owner@ombud.test", wrongPassword(0), "203.0.113.66", "attacker"); !apperr.Is(err, apperr.CodeUnauthenticated) {
			t.Fatalf("attacker's address after the window: %v, want unauthenticated", err)
		}
	})
}

// TestSignInLimitSharedByInstances: two ombud processes on one database
// (two services here) share one count, so the limit does not multiply.
func TestSignInLimitSharedByInstances(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a, clk := limitFixture(t, d, auth.Options{})
		b := auth.NewService(d, clk.now, auth.Options{})
		for i := 0; i < 10; i++ {
			s := a
			if i%2 == 1 {
				s = b
			}
			if _, err := s.SignIn(ctx, "owner@ombud.test", wrongPassword(i), "198.51.100.7", "test"); !apperr.Is(err, apperr.CodeUnauthenticated) {
				t.Fatalf("attempt %d: %v", i, err)
			}
		}
		for name, s := range map[string]*auth.Service{"a": a, "b": b} {
			if _, err := s.SignIn(ctx, "owner@ombud.test", ownerPassword, "198.51.100.7", "test"); !apperr.Is(err, apperr.CodeRateLimited) {
				t.Fatalf("instance %s after 10 failures across both: %v, want rate_limited", name, err)
			}
		}
	})
}

// TestSignInAccountLimitSparesKnownAddresses: guesses spread over many
// addresses are capped per account, but never at an address the owner has
// signed in from, and a reset by email (TrustAddress) opens a new one.
func TestSignInAccountLimitSparesKnownAddresses(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a, clk := limitFixture(t, d, auth.Options{SignInLimit: 3, AccountLimit: 5})
		if _, err := a.SignIn(ctx, "owner@ombud.test", ownerPassword, "192.0.2.10", "owner"); err != nil {
			t.Fatal(err)
		}
		o := parallel(a, 20, wrongPassword, func(i int) string { return fmt.Sprintf("203.0.113.%d", i+1) })
		if len(o.unexpected) > 0 {
			t.Fatalf("unexpected errors: %v", o.unexpected)
		}
		if o.wrong != 5 || o.limited != 15 {
			t.Fatalf("20 addresses at once: %d checked, %d limited; want 5 checked (account limit)", o.wrong, o.limited)
		}
		if _, err := a.SignIn(ctx, "owner@ombud.test", ownerPassword, "192.0.2.10", "owner"); err != nil {
			t.Fatalf("owner at their known address: %v", err)
		}
		if _, err := a.SignIn(ctx, "owner@ombud.test", ownerPassword, "192.0.2.99", "owner"); !apperr.Is(err, apperr.CodeRateLimited) {
			t.Fatalf("owner at a new address while the account is under attack: %v, want rate_limited", err)
		}
		if err := d.Write(ctx, func(tx *db.Tx) error { return a.TrustAddress(ctx, tx, " Owner@ombud.test", "192.0.2.99") }); err != nil {
			t.Fatal(err)
		}
		if _, err := a.SignIn(ctx, "owner@ombud.test", ownerPassword, "192.0.2.99", "owner"); err != nil {
			t.Fatalf("owner at an address trusted after a reset: %v", err)
		}
		// A new password (a reset by email) starts a new account bucket:
		// the guesses were against the old one.
		var id int64
		if err := d.QueryRowContext(ctx, `SELECT id FROM agents WHERE email = 'owner@ombud.test'`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if err := a.SetPassword(ctx, authz.System, id, "a-new-password-2"); err != nil {
			t.Fatal(err)
		}
		if _, err := a.SignIn(ctx, "owner@ombud.test", "a-new-password-2", "192.0.2.77", "owner"); err != nil {
			t.Fatalf("owner at a new address after a new password: %v", err)
		}
		clk.add(16 * time.Minute)
		if _, err := a.SignIn(ctx, "owner@ombud.test", "a-new-password-2", "192.0.2.150", "owner"); err != nil {
			t.Fatalf("owner at a new address after the window: %v", err)
		}
	})
}

// TestSignInAddressBuckets: an address spraying many accounts is capped;
// IPv6 addresses count per /64 and IPv4-mapped ones as IPv4.
func TestSignInAddressBuckets(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a, _ := limitFixture(t, d, auth.Options{SignInLimit: 3, AddressLimit: 5})
		steps := []struct {
			email, ip string
			want      apperr.Code
		}{
			{"a@ombud.test", "198.51.100.7", apperr.CodeUnauthenticated},
			{"b@ombud.test", "198.51.100.7", apperr.CodeUnauthenticated},
			{"c@ombud.test", "::ffff:198.51.100.7", apperr.CodeUnauthenticated},
			{"d@ombud.test", "198.51.100.7", apperr.CodeUnauthenticated},
			{"e@ombud.test", "198.51.100.7", apperr.CodeUnauthenticated},
			{"f@ombud.test", "::ffff:198.51.100.7", apperr.CodeRateLimited}, // 6th account from one address
			{"f@ombud.test", "198.51.100.8", apperr.CodeUnauthenticated},
			{"owner@ombud.test", "2001:db8:1:2::1", apperr.CodeUnauthenticated},
			{"owner@ombud.test", "2001:db8:1:2::2", apperr.CodeUnauthenticated},
			{"owner@ombud.test", "2001:db8:1:2:aaaa::3", apperr.CodeUnauthenticated},
			{"owner@ombud.test", "2001:db8:1:2:ffff::9", apperr.CodeRateLimited}, // same /64
			{"owner@ombud.test", "2001:db8:1:3::1", apperr.CodeUnauthenticated},
		}
		for i, st := range steps {
			_, err := a.SignIn(ctx, st.email, "wrong-password", st.ip, "test")
			if !apperr.Is(err, st.want) {
				t.Fatalf("step %d (%s from %s): %v, want %s", i, st.email, st.ip, err, st.want)
			}
		}
	})
}
