package auth_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/auth"
	"github.com/ombud/ombud/internal/auth/passkeytest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
)

const passkeyOrigin = "http://ombud.test"

// addPasskey registers a new credential of au for actor under name.
func (e *twoFactorEnv) addPasskey(t *testing.T, actor authz.Actor, au *passkeytest.Authenticator, name string) auth.Passkey {
	t.Helper()
	opts, err := e.a.BeginPasskeyRegistration(e.ctx, actor)
	if err != nil {
		t.Fatal(err)
	}
	answer, err := au.Create(opts)
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.a.FinishPasskeyRegistration(e.ctx, actor, name, answer)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// auditActions returns the audit log's actions, newest first.
func auditActions(t *testing.T, e *twoFactorEnv) []string {
	t.Helper()
	entries, err := audit.List(e.ctx, e.d, 200)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(entries))
	for i, en := range entries {
		out[i] = en.Action
	}
	return out
}

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestPasskeyRegistration(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := newTwoFactorEnv(t, d, auth.Options{})
		if err := e.a.SetRelyingParty(passkeyOrigin + "/helpdesk"); err != nil || !e.a.PasskeysAvailable() {
			t.Fatalf("relying party: %v", err)
		}
		me := actorOf(e.kari)
		au := passkeytest.New(passkeyOrigin)
		p := e.addPasskey(t, me, au, "  Work laptop ")
		list, err := e.a.Passkeys(e.ctx, me, e.kari.ID)
		if err != nil || len(list) != 1 || list[0].Name != "Work laptop" || list[0].ID != p.ID || len(list[0].Transports) != 1 || list[0].Transports[0] != "internal" {
			t.Fatalf("list %+v %v", list, err)
		}
		if _, err := e.a.Passkeys(e.ctx, actorOf(e.boss), e.kari.ID); err != nil {
			t.Fatalf("a manager reads an agent's passkeys: %v", err)
		}

		// The authenticator holding one is excluded from making another.
		opts, err := e.a.BeginPasskeyRegistration(e.ctx, me)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := au.Create(opts); err == nil {
			t.Fatal("the registered authenticator was not excluded")
		}

		fresh := func() (json.RawMessage, []byte) {
			opts, err := e.a.BeginPasskeyRegistration(e.ctx, me)
			if err != nil {
				t.Fatal(err)
			}
			answer, err := passkeytest.New(passkeyOrigin).Create(opts)
			if err != nil {
				t.Fatal(err)
			}
			return opts, answer
		}
		_, good := fresh()
		_, foreign := func() (json.RawMessage, []byte) {
			opts, _ := e.a.BeginPasskeyRegistration(e.ctx, me)
			answer, err := passkeytest.New("http://evil.test").Create(opts)
			if err != nil {
				t.Fatal(err)
			}
			return opts, answer
		}()
		tests := []struct {
			name   string
			actor  authz.Actor
			key    string
			answer []byte
			field  string
		}{
			{"no name", me, " ", good, "name"},
			{"control character", me, "a\x00b", good, "name"},
			{"long name", me, string(make([]rune, 61)), good, "name"},
			{"garbage", me, "Key", []byte(`{"id":`), "passkey"},
			{"empty", me, "Key", nil, "passkey"},
			{"other origin", me, "Key", foreign, "passkey"},
			{"someone else's ceremony", actorOf(e.boss), "Key", good, "passkey"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := e.a.FinishPasskeyRegistration(e.ctx, tt.actor, tt.key, tt.answer)
				if ae := apperr.As(err); ae.Code != apperr.CodeInvalid || ae.Fields[tt.field] == "" {
					t.Fatalf("got %v, want invalid %s", err, tt.field)
				}
			})
		}
		// "someone else's ceremony" took good's ceremony: answered once.
		if _, err := e.a.FinishPasskeyRegistration(e.ctx, me, "Key", good); apperr.As(err).Fields["passkey"] == "" {
			t.Fatalf("a taken ceremony answered again: %v", err)
		}
		// A ceremony ends after five minutes.
		_, late := fresh()
		e.clk.add(6 * time.Minute)
		if _, err := e.a.FinishPasskeyRegistration(e.ctx, me, "Key", late); apperr.As(err).Fields["passkey"] == "" {
			t.Fatalf("an expired ceremony answered: %v", err)
		}
		_, second := fresh()
		if _, err := e.a.FinishPasskeyRegistration(e.ctx, me, "Phone", second); err != nil {
			t.Fatal(err)
		}

		if err := e.a.RenamePasskey(e.ctx, me, p.ID, "Old laptop"); err != nil {
			t.Fatal(err)
		}
		if err := e.a.RenamePasskey(e.ctx, actorOf(e.boss), p.ID, "Mine"); !apperr.Is(err, apperr.CodeNotFound) {
			t.Fatalf("renamed another's passkey: %v", err)
		}
		if err := e.a.RemovePasskey(e.ctx, me, p.ID, "wrong password"); apperr.As(err).Fields["proof"] == "" {
			t.Fatalf("removed with a wrong password: %v", err)
		}
		if err := e.a.RemovePasskey(e.ctx, me, p.ID, "123456"); apperr.As(err).Fields["proof"] == "" {
			t.Fatalf("removed with a code but no authenticator app: %v", err)
		}
		if err := e.a.RemovePasskey(e.ctx, actorOf(e.boss), p.ID, "long-password-1"); !apperr.Is(err, apperr.CodeNotFound) {
			t.Fatalf("removed another's passkey: %v", err)
		}
		if err := e.a.RemovePasskey(e.ctx, me, p.ID, "long-password-1"); err != nil {
			t.Fatal(err)
		}
		list, _ = e.a.Passkeys(e.ctx, me, e.kari.ID)
		if len(list) != 1 || list[0].Name != "Phone" {
			t.Fatalf("after removal %+v", list)
		}
		acts := auditActions(t, e)
		for _, a := range []string{"auth.passkey_add", "auth.passkey_rename", "auth.passkey_remove", "auth.passkey_proof_failed"} {
			if !has(acts, a) {
				t.Errorf("no audit row %s in %v", a, acts)
			}
		}

		// A base URL on an IP address cannot carry passkeys.
		if err := e.a.SetRelyingParty("http://127.0.0.1:8080"); err != nil || e.a.PasskeysAvailable() {
			t.Fatalf("IP relying party: %v", err)
		}
		if _, err := e.a.BeginPasskeyRegistration(e.ctx, me); !apperr.Is(err, apperr.CodeConflict) {
			t.Fatalf("registration without a relying party: %v", err)
		}
	})
}

func TestPasskeySignIn(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := newTwoFactorEnv(t, d, auth.Options{SignInLimit: 4})
		if err := e.a.SetRelyingParty(passkeyOrigin); err != nil {
			t.Fatal(err)
		}
		me := actorOf(e.kari)
		au := passkeytest.New(passkeyOrigin)
		e.addPasskey(t, me, au, "Laptop")

		// Passkeys satisfy a role's two-factor requirement.
		if err := e.a.SetRequiredRoles(e.ctx, actorOf(e.adm), []authz.Role{authz.Agent, authz.Manager}); err != nil {
			t.Fatal(err)
		}
		if st, err := e.a.TwoFactor(e.ctx, me, e.kari.ID); err != nil || !st.Required || !st.Satisfied() || st.Passkeys != 1 {
			t.Fatalf("status %+v %v", st, err)
		}

		// After the password, the passkey finishes the sign-in.
		s, err := e.a.SignIn(e.ctx, "kari@ombud.test", "long-password-1", "10.0.0.1", "t")
		if err != nil || s.Challenge == "" || s.Token != "" {
			t.Fatalf("password: %+v %v", s, err)
		}
		if codes, keys, ok := e.a.ChallengeFactors(e.ctx, s.Challenge); codes || !keys || !ok {
			t.Fatalf("factors codes=%v passkeys=%v ok=%v", codes, keys, ok)
		}
		opts, err := e.a.BeginPasskeySecondFactor(e.ctx, s.Challenge)
		if err != nil {
			t.Fatal(err)
		}
		answer, err := au.Get(opts)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.a.FinishPasskeySecondFactor(e.ctx, "not-the-challenge", answer, "10.0.0.1", "t"); !apperr.Is(err, apperr.CodeUnauthenticated) {
			t.Fatalf("another challenge: %v", err)
		}
		info, err := e.a.FinishPasskeySecondFactor(e.ctx, s.Challenge, answer, "10.0.0.1", "t")
		if err != nil || info.Token == "" {
			t.Fatalf("second factor: %+v %v", info, err)
		}
		if _, view, err := e.a.Session(e.ctx, info.Token); err != nil || view.MustEnrol {
			t.Fatalf("session %+v %v", view, err)
		}
		if _, view, err := e.a.Session(e.ctx, mustSession(t, e, "boss@ombud.test")); err != nil || !view.MustEnrol {
			t.Fatalf("a manager without a factor is not sent to enrol: %+v %v", view, err)
		}
		if e.a.ChallengeOpen(e.ctx, s.Challenge) {
			t.Fatal("the challenge is still open after the sign-in")
		}

		// Without a password: any passkey of the site, user verified.
		signIn := func(au *passkeytest.Authenticator) (auth.SessionInfo, error) {
			opts, err := e.a.BeginPasskeySignIn(e.ctx)
			if err != nil {
				t.Fatal(err)
			}
			answer, err := au.Get(opts)
			if err != nil {
				t.Fatal(err)
			}
			return e.a.FinishPasskeySignIn(e.ctx, answer, "10.0.0.2", "t")
		}
		if info, err := signIn(au); err != nil || info.Token == "" {
			t.Fatalf("passwordless: %+v %v", info, err)
		}
		au.UV = false
		if _, err := signIn(au); !apperr.Is(err, apperr.CodeUnauthenticated) {
			t.Fatalf("passwordless without user verification: %v", err)
		}
		au.UV = true

		// A clone: an assertion whose counter does not advance.
		opts, _ = e.a.BeginPasskeySignIn(e.ctx)
		stale := *au.Creds[0]
		stale.Count = 1
		answer, err = au.Assert(&stale, passkeytest.Challenge(opts))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.a.FinishPasskeySignIn(e.ctx, answer, "10.0.0.2", "t"); !apperr.Is(err, apperr.CodeUnauthenticated) {
			t.Fatalf("clone signed in: %v", err)
		}
		// The same answer twice: the ceremony is gone.
		if _, err := e.a.FinishPasskeySignIn(e.ctx, answer, "10.0.0.2", "t"); apperr.As(err).Fields["passkey"] == "" {
			t.Fatalf("replay: %v", err)
		}
		acts := auditActions(t, e)
		for _, a := range []string{"auth.sign_in", "auth.passkey_clone_warning", "auth.passkey_failed"} {
			if !has(acts, a) {
				t.Errorf("no audit row %s in %v", a, acts)
			}
		}

		// Failed assertions count in the sign-in limits: an unknown passkey
		// from one address until the address's pair bucket is full.
		stranger := passkeytest.New(passkeyOrigin)
		opts, _ = e.a.BeginPasskeyRegistration(e.ctx, actorOf(e.boss))
		if _, err := stranger.Create(opts); err != nil {
			t.Fatal(err)
		}
		var last error
		for range 6 {
			_, last = signIn(stranger)
		}
		if !apperr.Is(last, apperr.CodeRateLimited) {
			t.Fatalf("unknown passkeys are not limited: %v", last)
		}

		// An admin's reset removes passkeys (a lost device).
		if err := e.a.ResetTwoFactor(e.ctx, actorOf(e.adm), e.kari.ID); err != nil {
			t.Fatal(err)
		}
		if list, _ := e.a.Passkeys(e.ctx, me, e.kari.ID); len(list) != 0 {
			t.Fatalf("passkeys after reset: %+v", list)
		}
	})
}

func mustSession(t *testing.T, e *twoFactorEnv, email string) string {
	t.Helper()
	s, err := e.a.SignIn(e.ctx, email, "long-password-1", "10.0.0.9", "t")
	if err != nil || s.Token == "" {
		t.Fatalf("sign in %s: %+v %v", email, s, err)
	}
	return s.Token
}

// FuzzPasskeyAnswer feeds the answer parsers anything: a result or an
// invalid error naming the credential, never a panic.
func FuzzPasskeyAnswer(f *testing.F) {
	au := passkeytest.New(passkeyOrigin)
	created, err := au.Create([]byte(`{"publicKey":{"challenge":"AAAAAAAAAAAAAAAAAAAAAA","rp":{"id":"ombud.test"},"user":{"id":"AQID"}}}`))
	if err != nil {
		f.Fatal(err)
	}
	asserted, err := au.Get([]byte(`{"publicKey":{"challenge":"AAAAAAAAAAAAAAAAAAAAAA","rpId":"ombud.test"}}`))
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range [][]byte{created, asserted, []byte(`{}`), []byte(`{"id":"AA","type":"public-key","response":{}}`), []byte(`null`)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		_, err := auth.ParsePasskeyAnswer(body)
		if err != nil && apperr.As(err).Fields["passkey"] == "" {
			t.Fatalf("error %v does not name the passkey", err)
		}
	})
}
