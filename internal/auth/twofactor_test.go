package auth_test

import (
	"context"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/auth"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/secret"
)

type twoFactorEnv struct {
	ctx  context.Context
	d    *db.DB
	clk  *clock
	a    *auth.Service
	ag   *agent.Service
	kari agent.Agent
	boss agent.Agent
	adm  agent.Agent
}

func newTwoFactorEnv(t *testing.T, d *db.DB, opts auth.Options) *twoFactorEnv {
	t.Helper()
	e := &twoFactorEnv{ctx: context.Background(), d: d, clk: &clock{t: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}}
	e.a = auth.NewService(d, e.clk.now, opts)
	key := make([]byte, secret.KeySize)
	_, _ = rand.Read(key)
	box, err := secret.NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	e.a.SetSecrets(box)
	e.ag = agent.NewService(d, e.clk.now)
	for _, x := range []struct {
		p     *agent.Agent
		email string
		role  authz.Role
	}{{&e.kari, "kari@ombud.test", authz.Agent}, {&e.boss, "boss@ombud.test", authz.Manager}, {&e.adm, "adm@ombud.test", authz.Admin}} {
		*x.p, err = e.ag.CreateAgent(e.ctx, authz.System, agent.AgentInput{Email: x.email, Name: x.email, Role: x.role, Password: "long-password-1"})
		if err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func actorOf(a agent.Agent) authz.Actor {
	return authz.Actor{Kind: authz.KindAgent, ID: a.ID, Role: a.Role, Name: a.Name}
}

// enrol turns two-factor on for a and returns its secret and codes.
func (e *twoFactorEnv) enrol(t *testing.T, a agent.Agent) (string, []string) {
	t.Helper()
	en, err := e.a.StartTwoFactor(e.ctx, actorOf(a))
	if err != nil {
		t.Fatal(err)
	}
	code, _ := totp.GenerateCode(en.Secret, e.clk.now())
	codes, err := e.a.ConfirmTwoFactor(e.ctx, actorOf(a), code)
	if err != nil {
		t.Fatal(err)
	}
	return en.Secret, codes
}

func TestTwoFactorEnrolment(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := newTwoFactorEnv(t, d, auth.Options{})
		me := actorOf(e.kari)
		en, err := e.a.StartTwoFactor(e.ctx, me)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(en.URI, "otpauth://totp/") || len(en.Secret) < 16 {
			t.Fatalf("enrolment %+v", en)
		}
		var stored string
		if err := d.QueryRowContext(e.ctx, `SELECT secret FROM agent_totp WHERE agent_id = ?`, e.kari.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if !secret.IsSealed(stored) || strings.Contains(stored, en.Secret) {
			t.Fatalf("secret stored unsealed: %q", stored)
		}
		if p, ok, err := e.a.PendingEnrolment(e.ctx, me); err != nil || !ok || p.Secret != en.Secret {
			t.Fatalf("pending %+v %v %v", p, ok, err)
		}
		// Not on before a first code: a password alone signs in.
		if s, err := e.a.SignIn(e.ctx, "kari@ombud.test", "long-password-1", "10.0.0.1", "t"); err != nil || s.Token == "" {
			t.Fatalf("sign-in before confirm: %+v %v", s, err)
		}
		tests := []struct {
			name string
			code string
			want apperr.Code
		}{
			{"letters", "abcdef", apperr.CodeInvalid},
			{"wrong", wrongCode(t, en.Secret, e.clk.now()), apperr.CodeInvalid},
			{"two steps old", code(t, en.Secret, e.clk.now().Add(-60*time.Second)), apperr.CodeInvalid},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if _, err := e.a.ConfirmTwoFactor(e.ctx, me, tt.code); !apperr.Is(err, tt.want) {
					t.Fatalf("got %v, want %s", err, tt.want)
				}
			})
		}
		// One step behind is within the skew.
		codes, err := e.a.ConfirmTwoFactor(e.ctx, me, code(t, en.Secret, e.clk.now().Add(-30*time.Second)))
		if err != nil {
			t.Fatal(err)
		}
		if len(codes) != auth.RecoveryCodes || len(codes[0]) != 19 {
			t.Fatalf("recovery codes %v", codes)
		}
		st, err := e.a.TwoFactor(e.ctx, me, e.kari.ID)
		if err != nil || !st.Enabled || st.RecoveryLeft != 10 || st.Pending {
			t.Fatalf("status %+v %v", st, err)
		}
		if _, err := e.a.StartTwoFactor(e.ctx, me); !apperr.Is(err, apperr.CodeConflict) {
			t.Fatalf("start while on: %v", err)
		}
		var n int
		_ = d.QueryRowContext(e.ctx, `SELECT COUNT(*) FROM agent_recovery_codes WHERE code_hash = ? OR code_hash = ?`, codes[0], strings.ReplaceAll(codes[0], "-", "")).Scan(&n)
		if n != 0 {
			t.Fatal("recovery codes stored as they are")
		}
	})
}

func code(t *testing.T, sec string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCode(sec, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wrongCode is a 6-digit code that none of the steps around at accept.
func wrongCode(t *testing.T, sec string, at time.Time) string {
	t.Helper()
	near := map[string]bool{}
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		near[code(t, sec, at.Add(d))] = true
	}
	for _, c := range []string{"000000", "111111", "222222", "333333"} {
		if !near[c] {
			return c
		}
	}
	t.Fatal("no wrong code")
	return ""
}

func TestTwoFactorSignIn(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := newTwoFactorEnv(t, d, auth.Options{})
		sec, recovery := e.enrol(t, e.kari)
		signIn := func(ip string) auth.SessionInfo {
			t.Helper()
			s, err := e.a.SignIn(e.ctx, "kari@ombud.test", "long-password-1", ip, "t")
			if err != nil {
				t.Fatal(err)
			}
			if s.Token != "" || s.Challenge == "" {
				t.Fatalf("a password alone opened a session: %+v", s)
			}
			return s
		}
		s := signIn("10.0.0.1")
		if _, _, err := e.a.Session(e.ctx, s.Challenge); err == nil {
			t.Fatal("the challenge works as a session")
		}
		if !e.a.ChallengeOpen(e.ctx, s.Challenge) {
			t.Fatal("challenge not open")
		}
		// The code that confirmed enrolment cannot be used again (replay).
		if _, err := e.a.CompleteSignIn(e.ctx, s.Challenge, code(t, sec, e.clk.now()), "10.0.0.1", "t"); !apperr.Is(err, apperr.CodeInvalid) {
			t.Fatalf("replayed code: %v", err)
		}
		e.clk.add(30 * time.Second)
		c := code(t, sec, e.clk.now())
		full, err := e.a.CompleteSignIn(e.ctx, s.Challenge, c[:3]+" "+c[3:], "10.0.0.1", "t")
		if err != nil || full.Token == "" {
			t.Fatalf("sign-in with code: %+v %v", full, err)
		}
		if _, _, err := e.a.Session(e.ctx, full.Token); err != nil {
			t.Fatal(err)
		}
		// The challenge is spent.
		if _, err := e.a.CompleteSignIn(e.ctx, s.Challenge, c, "10.0.0.1", "t"); !apperr.Is(err, apperr.CodeUnauthenticated) {
			t.Fatalf("spent challenge: %v", err)
		}
		// The same code in a new challenge: replay within its window.
		s = signIn("10.0.0.1")
		if _, err := e.a.CompleteSignIn(e.ctx, s.Challenge, c, "10.0.0.1", "t"); !apperr.Is(err, apperr.CodeInvalid) {
			t.Fatalf("replay in a new sign-in: %v", err)
		}
		// A recovery code works once, typed in upper case.
		if _, err := e.a.CompleteSignIn(e.ctx, s.Challenge, strings.ToUpper(recovery[3]), "10.0.0.1", "t"); err != nil {
			t.Fatalf("recovery code: %v", err)
		}
		s = signIn("10.0.0.1")
		if _, err := e.a.CompleteSignIn(e.ctx, s.Challenge, recovery[3], "10.0.0.1", "t"); !apperr.Is(err, apperr.CodeInvalid) {
			t.Fatalf("used recovery code: %v", err)
		}
		if st, _ := e.a.TwoFactor(e.ctx, actorOf(e.kari), e.kari.ID); st.RecoveryLeft != 9 {
			t.Fatalf("recovery left %d", st.RecoveryLeft)
		}
		// Wrong codes end the challenge after five.
		for i := 0; i < 4; i++ {
			_, _ = e.a.CompleteSignIn(e.ctx, s.Challenge, "abcd", "10.0.0.1", "t")
		}
		if _, err := e.a.CompleteSignIn(e.ctx, s.Challenge, code(t, sec, e.clk.now().Add(30*time.Second)), "10.0.0.1", "t"); !apperr.Is(err, apperr.CodeUnauthenticated) {
			t.Fatalf("challenge after five wrong codes: %v", err)
		}
		// A challenge expires.
		s = signIn("10.0.0.9")
		e.clk.add(6 * time.Minute)
		if _, err := e.a.CompleteSignIn(e.ctx, s.Challenge, code(t, sec, e.clk.now()), "10.0.0.9", "t"); !apperr.Is(err, apperr.CodeUnauthenticated) {
			t.Fatalf("expired challenge: %v", err)
		}
		entries, err := audit.List(e.ctx, d, 100)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, en := range entries {
			seen[en.Action] = true
		}
		for _, a := range []string{"auth.two_factor_on", "auth.sign_in_password", "auth.two_factor_failed", "auth.sign_in"} {
			if !seen[a] {
				t.Errorf("audit log lacks %s", a)
			}
		}
	})
}

// TestTwoFactorLimits: codes count in the same sign-in limits as
// passwords, per account and address.
func TestTwoFactorLimits(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := newTwoFactorEnv(t, d, auth.Options{SignInLimit: 4})
		sec, _ := e.enrol(t, e.kari)
		e.clk.add(time.Minute)
		// Two wrong passwords, then the right one (its slot given back).
		for i := 0; i < 2; i++ {
			_, _ = e.a.SignIn(e.ctx, "kari@ombud.test", "wrong-password", "10.0.0.5", "t")
		}
		s, err := e.a.SignIn(e.ctx, "kari@ombud.test", "long-password-1", "10.0.0.5", "t")
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ {
			if _, err := e.a.CompleteSignIn(e.ctx, s.Challenge, "999999x", "10.0.0.5", "t"); !apperr.Is(err, apperr.CodeInvalid) {
				t.Fatalf("wrong code %d: %v", i, err)
			}
		}
		// Four attempts used: even the right code is refused now.
		if _, err := e.a.CompleteSignIn(e.ctx, s.Challenge, code(t, sec, e.clk.now()), "10.0.0.5", "t"); !apperr.Is(err, apperr.CodeRateLimited) {
			t.Fatalf("fifth attempt: %v", err)
		}
		// Another address is not held back.
		s2, err := e.a.SignIn(e.ctx, "kari@ombud.test", "long-password-1", "10.0.0.6", "t")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.a.CompleteSignIn(e.ctx, s2.Challenge, code(t, sec, e.clk.now()), "10.0.0.6", "t"); err != nil {
			t.Fatalf("other address: %v", err)
		}
	})
}

func TestTwoFactorManage(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := newTwoFactorEnv(t, d, auth.Options{})
		me := actorOf(e.kari)
		sec, _ := e.enrol(t, e.kari)
		e.clk.add(30 * time.Second)
		tests := []struct {
			name  string
			proof string
			want  apperr.Code
		}{
			{"empty", "", apperr.CodeInvalid},
			{"wrong password", "not-my-password", apperr.CodeInvalid},
			{"wrong code", wrongCode(t, sec, e.clk.now()), apperr.CodeInvalid},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if _, err := e.a.RegenerateRecoveryCodes(e.ctx, me, tt.proof); !apperr.Is(err, tt.want) {
					t.Fatalf("got %v, want %s", err, tt.want)
				}
			})
		}
		codes, err := e.a.RegenerateRecoveryCodes(e.ctx, me, code(t, sec, e.clk.now()))
		if err != nil || len(codes) != 10 {
			t.Fatalf("regenerate: %v %v", codes, err)
		}
		// Turning off with the password; then a password alone signs in.
		if err := e.a.DisableTwoFactor(e.ctx, me, "long-password-1"); err != nil {
			t.Fatal(err)
		}
		if s, err := e.a.SignIn(e.ctx, "kari@ombud.test", "long-password-1", "10.0.0.1", "t"); err != nil || s.Token == "" {
			t.Fatalf("after disable: %+v %v", s, err)
		}
		// Resets by others: a manager resets an agent's, not an admin's.
		e.enrol(t, e.kari)
		e.enrol(t, e.adm)
		s, _ := e.a.SignIn(e.ctx, "kari@ombud.test", "long-password-1", "10.0.0.1", "t")
		if err := e.a.ResetTwoFactor(e.ctx, actorOf(e.kari), e.kari.ID); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("own reset: %v", err)
		}
		if err := e.a.ResetTwoFactor(e.ctx, actorOf(e.boss), e.adm.ID); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("manager resets admin: %v", err)
		}
		if err := e.a.ResetTwoFactor(e.ctx, actorOf(e.boss), e.kari.ID); err != nil {
			t.Fatal(err)
		}
		if st, _ := e.a.TwoFactor(e.ctx, me, e.kari.ID); st.Enabled || st.RecoveryLeft != 0 {
			t.Fatalf("after reset %+v", st)
		}
		if e.a.ChallengeOpen(e.ctx, s.Challenge) {
			t.Fatal("a challenge survived the reset")
		}
		if err := e.a.ResetTwoFactor(e.ctx, actorOf(e.adm), 424242); !apperr.Is(err, apperr.CodeNotFound) {
			t.Fatalf("unknown agent: %v", err)
		}
		entries, _ := audit.List(e.ctx, d, 100)
		found := false
		for _, en := range entries {
			found = found || (en.Action == "auth.two_factor_reset" && en.ActorID == e.boss.ID)
		}
		if !found {
			t.Fatal("reset not audit-logged")
		}
	})
}

func TestTwoFactorRequiredRoles(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := newTwoFactorEnv(t, d, auth.Options{})
		if err := e.a.SetRequiredRoles(e.ctx, actorOf(e.boss), []authz.Role{authz.Agent}); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("manager sets roles: %v", err)
		}
		if err := e.a.SetRequiredRoles(e.ctx, actorOf(e.adm), []authz.Role{"wizard"}); !apperr.Is(err, apperr.CodeInvalid) {
			t.Fatalf("unknown role: %v", err)
		}
		if err := e.a.SetRequiredRoles(e.ctx, actorOf(e.adm), []authz.Role{authz.Agent, authz.Agent}); err != nil {
			t.Fatal(err)
		}
		if r, _ := e.a.RequiredRoles(e.ctx); len(r) != 1 || r[0] != authz.Agent {
			t.Fatalf("roles %v", r)
		}
		s, _ := e.a.SignIn(e.ctx, "kari@ombud.test", "long-password-1", "10.0.0.1", "t")
		_, v, err := e.a.Session(e.ctx, s.Token)
		if err != nil || !v.MustEnrol {
			t.Fatalf("agent without 2FA: %+v %v", v, err)
		}
		b, _ := e.a.SignIn(e.ctx, "boss@ombud.test", "long-password-1", "10.0.0.1", "t")
		if _, v, _ := e.a.Session(e.ctx, b.Token); v.MustEnrol {
			t.Fatal("manager must enrol")
		}
		e.enrol(t, e.kari)
		if _, v, _ := e.a.Session(e.ctx, s.Token); v.MustEnrol {
			t.Fatal("still must enrol after enrolling")
		}
	})
}

func TestSessionListAndTimeouts(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := newTwoFactorEnv(t, d, auth.Options{SessionIdle: time.Hour, SessionMax: 3 * time.Hour})
		me := actorOf(e.kari)
		s1, _ := e.a.SignIn(e.ctx, "kari@ombud.test", "long-password-1", "10.0.0.1", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
		s2, _ := e.a.SignIn(e.ctx, "kari@ombud.test", "long-password-1", "10.0.0.2", "other")
		list, err := e.a.ListSessions(e.ctx, me, e.kari.ID, s1.Token)
		if err != nil || len(list) != 2 {
			t.Fatalf("list %+v %v", list, err)
		}
		var other string
		for _, b := range list {
			if b.Current != (b.IP == "10.0.0.1") {
				t.Fatalf("current marked wrong: %+v", list)
			}
			if !b.Current {
				other = b.ID
			}
		}
		if _, err := e.a.ListSessions(e.ctx, actorOf(e.boss), e.kari.ID, ""); err != nil {
			t.Fatalf("manager lists: %v", err)
		}
		if _, err := e.a.ListSessions(e.ctx, me, e.boss.ID, ""); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("agent lists another's: %v", err)
		}
		if err := e.a.EndSession(e.ctx, me, e.kari.ID, "nope"); !apperr.Is(err, apperr.CodeNotFound) {
			t.Fatalf("unknown session: %v", err)
		}
		if err := e.a.EndSession(e.ctx, me, e.kari.ID, other); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.a.Session(e.ctx, s2.Token); !apperr.Is(err, apperr.CodeUnauthenticated) {
			t.Fatalf("ended session still works: %v", err)
		}
		// An admin ends anyone's; a manager not an admin's.
		as, _ := e.a.SignIn(e.ctx, "adm@ombud.test", "long-password-1", "10.0.0.3", "t")
		al, _ := e.a.ListSessions(e.ctx, actorOf(e.adm), e.adm.ID, "")
		if err := e.a.EndSession(e.ctx, actorOf(e.boss), e.adm.ID, al[0].ID); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("manager ends admin's: %v", err)
		}
		if _, _, err := e.a.Session(e.ctx, as.Token); err != nil {
			t.Fatal(err)
		}
		// Idle: used every 50 minutes, it lives; 3 hours after sign-in it
		// ends however much it is used.
		for i := 0; i < 3; i++ {
			e.clk.add(50 * time.Minute)
			if _, _, err := e.a.Session(e.ctx, s1.Token); err != nil {
				t.Fatalf("used session ended after %d×50m: %v", i+1, err)
			}
		}
		e.clk.add(40 * time.Minute) // 3h10m after sign-in, 40m idle
		if _, _, err := e.a.Session(e.ctx, s1.Token); !apperr.Is(err, apperr.CodeUnauthenticated) {
			t.Fatalf("absolute timeout: %v", err)
		}
		// The admin's session sat idle for more than an hour.
		if _, _, err := e.a.Session(e.ctx, as.Token); !apperr.Is(err, apperr.CodeUnauthenticated) {
			t.Fatalf("idle timeout: %v", err)
		}
		if l, _ := e.a.ListSessions(e.ctx, me, e.kari.ID, ""); len(l) != 0 {
			t.Fatalf("ended sessions listed: %+v", l)
		}
	})
}
