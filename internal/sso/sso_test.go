package sso_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/auth"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/secret"
	"github.com/ombud/ombud/internal/sso"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type env struct {
	ctx    context.Context
	d      *db.DB
	svc    *sso.Service
	agents *agent.Service
	auth   *auth.Service
	admin  authz.Actor
	adminA agent.Agent
}

func newEnv(t *testing.T, d *db.DB) env {
	t.Helper()
	ctx := context.Background()
	key := make([]byte, secret.KeySize)
	for i := range key {
		key[i] = byte(i + 1)
	}
	box, err := secret.NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	ags := agent.NewService(d, time.Now)
	au := auth.NewService(d, time.Now, auth.Options{})
	svc := sso.NewService(d, time.Now, box, ags, au)
	au.SetPasswordPolicy(svc.PasswordAllowed)
	a, err := ags.CreateAgent(ctx, authz.System, agent.AgentInput{Email: "root@ombud.test", Name: "Root", Role: authz.Admin, Password: "long-password-1"})
	if err != nil {
		t.Fatal(err)
	}
	return env{ctx: ctx, d: d, svc: svc, agents: ags, auth: au, admin: authz.Actor{Kind: authz.KindAgent, ID: a.ID, Role: authz.Admin}, adminA: a}
}

func valid() sso.Input {
	s := "s3cret-value"
	return sso.Input{Name: "Keycloak", Issuer: "https://id.example.com/realms/support", ClientID: "ombud", ClientSecret: &s,
		Scopes: []string{"email", "profile"}, AllowedDomains: []string{"Example.com"}, Claim: "groups",
		Mappings: []sso.Mapping{{Value: "leads", Role: authz.Manager}}, DefaultRole: authz.Agent, JIT: true, Enabled: true}
}

func TestProviderStore(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		p, err := e.svc.CreateProvider(e.ctx, e.admin, valid())
		if err != nil {
			t.Fatal(err)
		}
		if !p.HasSecret || p.Scopes[0] != "openid" || p.AllowedDomains[0] != "example.com" || len(p.Mappings) != 1 {
			t.Fatalf("provider %+v", p)
		}
		var stored string
		if err := d.QueryRowContext(e.ctx, `SELECT client_secret FROM sso_providers WHERE id = ?`, p.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(stored, secret.Prefix) || strings.Contains(stored, "s3cret") {
			t.Fatalf("client secret stored as %q", stored)
		}
		// An update without a secret keeps the stored one.
		in := valid()
		in.ClientSecret, in.Name = nil, "Staff login"
		if p, err = e.svc.UpdateProvider(e.ctx, e.admin, p.ID, in); err != nil || !p.HasSecret || p.Name != "Staff login" {
			t.Fatalf("update: %+v %v", p, err)
		}
		var after string
		_ = d.QueryRowContext(e.ctx, `SELECT client_secret FROM sso_providers WHERE id = ?`, p.ID).Scan(&after)
		if after != stored {
			t.Fatal("an update without a secret changed the stored one")
		}
		entries, err := audit.List(e.ctx, d, 10)
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]bool{}
		for _, en := range entries {
			actions[en.Action] = true
			if strings.Contains(en.Target+stringify(en.Data), "s3cret") {
				t.Fatalf("audit row holds the secret: %+v", en)
			}
		}
		if !actions["sso.provider_create"] || !actions["sso.provider_update"] {
			t.Fatalf("audit actions %v", actions)
		}
		bs, err := e.svc.Buttons(e.ctx)
		if err != nil || len(bs) != 1 || bs[0].Name != "Staff login" {
			t.Fatalf("buttons %+v %v", bs, err)
		}
		if err := e.svc.DeleteProvider(e.ctx, e.admin, p.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Provider(e.ctx, e.admin, p.ID); !apperr.Is(err, apperr.CodeNotFound) {
			t.Fatalf("deleted provider: %v", err)
		}
	})
}

func stringify(m map[string]any) string {
	b, _ := json.Marshal(m)
	return string(b)
}

func TestProviderValidation(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		long := strings.Repeat("x", 1001)
		tests := []struct {
			name  string
			edit  func(*sso.Input)
			field string
		}{
			{"no name", func(in *sso.Input) { in.Name = " " }, "name"},
			{"plain http issuer", func(in *sso.Input) { in.Issuer = "http://id.example.com" }, "issuer"},
			{"loopback http issuer is fine", func(in *sso.Input) { in.Issuer = "http://127.0.0.1:9999" }, ""},
			{"no client id", func(in *sso.Input) { in.ClientID = "" }, "client_id"},
			{"long secret", func(in *sso.Input) { in.ClientSecret = &long }, "client_secret"},
			{"bad scope", func(in *sso.Input) { in.Scopes = []string{"a\"b"} }, "scopes"},
			{"bad domain", func(in *sso.Input) { in.AllowedDomains = []string{"not a domain"} }, "allowed_domains"},
			{"mapping without claim", func(in *sso.Input) { in.Claim = "" }, "claim"},
			{"mapping to nothing", func(in *sso.Input) { in.Mappings = []sso.Mapping{{Value: "x"}} }, "mappings[0]"},
			{"mapping to a missing team", func(in *sso.Input) { in.Mappings = []sso.Mapping{{Value: "x", TeamID: 4242}} }, "mappings[0]"},
			{"bad default role", func(in *sso.Input) { in.DefaultRole = "boss" }, "default_role"},
			{"too many mappings", func(in *sso.Input) { in.Mappings = make([]sso.Mapping, sso.MaxMappings+1) }, "mappings"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				in := valid()
				tt.edit(&in)
				_, err := e.svc.CreateProvider(e.ctx, e.admin, in)
				if tt.field == "" {
					if err != nil {
						t.Fatal(err)
					}
					return
				}
				ae := apperr.As(err)
				if ae == nil || ae.Code != apperr.CodeInvalid || ae.Fields[tt.field] == "" {
					t.Fatalf("want invalid %s, got %v", tt.field, err)
				}
			})
		}
		manager := authz.Actor{Kind: authz.KindAgent, ID: 99, Role: authz.Manager}
		if _, err := e.svc.CreateProvider(e.ctx, manager, valid()); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("a manager added a provider: %v", err)
		}
	})
}

func TestPolicy(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		kari, err := e.agents.CreateAgent(e.ctx, authz.System, agent.AgentInput{Email: "kari@ombud.test", Name: "Kari", Password: "long-password-1"})
		if err != nil {
			t.Fatal(err)
		}
		// No provider yet: requiring SSO would lock the role out.
		if err := e.svc.SetPolicy(e.ctx, e.admin, sso.Policy{Roles: []authz.Role{authz.Agent}}); apperr.As(err) == nil || apperr.As(err).Fields["roles"] == "" {
			t.Fatalf("required SSO without a provider: %v", err)
		}
		p, err := e.svc.CreateProvider(e.ctx, e.admin, valid())
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.SetPolicy(e.ctx, e.admin, sso.Policy{Roles: []authz.Role{authz.Admin}}); apperr.As(err) == nil || apperr.As(err).Fields["break_glass_id"] == "" {
			t.Fatalf("admins required without a break-glass admin: %v", err)
		}
		if err := e.svc.SetPolicy(e.ctx, e.admin, sso.Policy{Roles: []authz.Role{authz.Admin}, BreakGlassID: kari.ID}); apperr.As(err) == nil || apperr.As(err).Fields["break_glass_id"] == "" {
			t.Fatalf("an agent as break-glass admin: %v", err)
		}
		if err := e.svc.SetPolicy(e.ctx, e.admin, sso.Policy{Roles: []authz.Role{authz.Admin, authz.Agent}, BreakGlassID: e.adminA.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.auth.SignIn(e.ctx, "kari@ombud.test", "long-password-1", "10.0.0.1", "t"); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("an agent of an SSO role signed in with a password: %v", err)
		}
		if _, err := e.auth.SignIn(e.ctx, "kari@ombud.test", "wrong-password-1", "10.0.0.1", "t"); !apperr.Is(err, apperr.CodeUnauthenticated) {
			t.Fatalf("a wrong password must read as wrong, not as SSO-only: %v", err)
		}
		if s, err := e.auth.SignIn(e.ctx, "root@ombud.test", "long-password-1", "10.0.0.1", "t"); err != nil || s.Token == "" {
			t.Fatalf("the break-glass admin was refused: %v", err)
		}
		if err := e.svc.DeleteProvider(e.ctx, e.admin, p.ID); !apperr.Is(err, apperr.CodeConflict) {
			t.Fatalf("deleted the last provider of SSO-only roles: %v", err)
		}
		got, err := e.svc.Policy(e.ctx, e.admin)
		if err != nil || len(got.Roles) != 2 || got.BreakGlassID != e.adminA.ID {
			t.Fatalf("policy %+v %v", got, err)
		}
	})
}
