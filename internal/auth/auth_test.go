package auth_test

import (
	"context"
	"strings"
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

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestPasswordHash(t *testing.T) {
	h, err := auth.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q", h)
	}
	tests := []struct {
		hash, pw string
		ok       bool
		bad      bool
	}{
		{h, "correct horse battery", true, false},
		{h, "wrong", false, false},
		{"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "x", false, true},
		{"$bcrypt$whatever", "x", false, true},
		{"", "x", false, true},
	}
	for i, tt := range tests {
		ok, err := auth.VerifyPassword(tt.hash, tt.pw)
		if ok != tt.ok || (err != nil) != tt.bad {
			t.Errorf("case %d: ok=%v err=%v", i, ok, err)
		}
	}
}

func FuzzVerifyPassword(f *testing.F) {
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "pw")
	f.Add("$argon2id$v=19$m=,t=,p=$$", "")
	f.Fuzz(func(t *testing.T, enc, pw string) {
		ok, _ := auth.VerifyPassword(enc, pw)
		_ = ok
	})
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func TestSessionsTokensAndLimits(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clk := &clock{t: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
		a := auth.NewService(d, clk.now, auth.Options{SessionTTL: time.Hour})
		ag := agent.NewService(d, clk.now)
		ag.OnDeactivate = a.DeleteAgentCredentials
		admin, err := ag.CreateAgent(ctx, authz.System, agent.AgentInput{Email: "admin@ombud.test", Name: "Admin", Role: authz.Admin, Password: "admin-password-1"})
		if err != nil {
			t.Fatal(err)
		}
		kari, err := ag.CreateAgent(ctx, authz.System, agent.AgentInput{Email: "kari@ombud.test", Name: "Kari", Role: authz.Agent, Password: "kari-password-1"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.SignIn(ctx, "kari@ombud.test", "wrong-password", "10.0.0.1", "test"); !apperr.Is(err, apperr.CodeUnauthenticated) {
			t.Fatalf("wrong password: %v", err)
		}
		if _, err := a.SignIn(ctx, "nobody@ombud.test", "whatever-pass", "10.0.0.1", "test"); !apperr.Is(err, apperr.CodeUnauthenticated) {
			t.Fatalf("unknown email: %v", err)
		}
		s, err := a.SignIn(ctx, "KARI@ombud.test", "kari-password-1", "10.0.0.1", "test")
		if err != nil {
			t.Fatal(err)
		}
		actor, view, err := a.Session(ctx, s.Token)
		if err != nil || actor.ID != kari.ID || actor.Role != authz.Agent || view.CSRF != s.CSRF {
			t.Fatalf("session %+v %+v %v", actor, view, err)
		}
		// Sliding expiry: used after 50 minutes, still valid after 100.
		clk.add(50 * time.Minute)
		if _, _, err := a.Session(ctx, s.Token); err != nil {
			t.Fatal(err)
		}
		clk.add(50 * time.Minute)
		if _, _, err := a.Session(ctx, s.Token); err != nil {
			t.Fatalf("slid session expired: %v", err)
		}
		clk.add(2 * time.Hour)
		if _, _, err := a.Session(ctx, s.Token); !apperr.Is(err, apperr.CodeUnauthenticated) {
			t.Fatalf("expired session: %v", err)
		}
		// Rate limit: 10 failures, then refused even with the right password.
		for i := 0; i < 10; i++ {
			_, _ = a.SignIn(ctx, "kari@ombud.test", "nope-nope-nope", "10.0.0.2", "test")
		}
		if _, err := a.SignIn(ctx, "kari@ombud.test", "kari-password-1", "10.0.0.2", "test"); !apperr.Is(err, apperr.CodeRateLimited) {
			t.Fatalf("11th attempt: %v", err)
		}
		clk.add(16 * time.Minute)
		if _, err := a.SignIn(ctx, "kari@ombud.test", "kari-password-1", "10.0.0.2", "test"); err != nil {
			t.Fatalf("after the window: %v", err)
		}
		// Tokens.
		kariActor := authz.Actor{Kind: authz.KindAgent, ID: kari.ID, Role: authz.Agent}
		raw, tok, err := a.CreateToken(ctx, kariActor, kari.ID, "laptop")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(raw, "omb_") || !strings.HasPrefix(raw, tok.Prefix) {
			t.Fatalf("token %q prefix %q", raw, tok.Prefix)
		}
		if _, _, err := a.CreateToken(ctx, kariActor, admin.ID, "steal"); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("token for another agent: %v", err)
		}
		got, err := a.TokenActor(ctx, raw)
		if err != nil || got.ID != kari.ID {
			t.Fatalf("token actor %+v %v", got, err)
		}
		if _, err := a.TokenActor(ctx, "omb_forged"); !apperr.Is(err, apperr.CodeUnauthenticated) {
			t.Fatalf("forged: %v", err)
		}
		var hash string
		if err := d.QueryRowContext(ctx, `SELECT token_hash FROM api_tokens WHERE id = ?`, tok.ID).Scan(&hash); err != nil || strings.Contains(hash, raw) || len(hash) != 64 {
			t.Fatalf("stored %q", hash)
		}
		if err := a.RevokeToken(ctx, kariActor, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := a.TokenActor(ctx, raw); !apperr.Is(err, apperr.CodeUnauthenticated) {
			t.Fatalf("revoked token still works: %v", err)
		}
		// Deactivation ends sessions and tokens at once.
		raw2, _, err := a.CreateToken(ctx, kariActor, kari.ID, "phone")
		if err != nil {
			t.Fatal(err)
		}
		s2, err := a.SignIn(ctx, "kari@ombud.test", "kari-password-1", "10.0.0.3", "test")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.TokenActor(ctx, raw2); err != nil {
			t.Fatal(err)
		}
		adminActor := authz.Actor{Kind: authz.KindAgent, ID: admin.ID, Role: authz.Admin}
		if err := ag.DeactivateAgent(ctx, adminActor, kari.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := a.TokenActor(ctx, raw2); !apperr.Is(err, apperr.CodeUnauthenticated) {
			t.Fatalf("deactivated agent's token: %v", err)
		}
		if _, _, err := a.Session(ctx, s2.Token); !apperr.Is(err, apperr.CodeUnauthenticated) {
			t.Fatalf("deactivated agent's session: %v", err)
		}
		if _, err := a.SignIn(ctx, "kari@ombud.test", "kari-password-1", "10.0.0.4", "test"); !apperr.Is(err, apperr.CodeUnauthenticated) {
			t.Fatalf("deactivated sign-in: %v", err)
		}
		if !auth.CheckCSRF("abc", "abc") || auth.CheckCSRF("abc", "abd") || auth.CheckCSRF("", "") {
			t.Fatal("CheckCSRF")
		}
	})
}
