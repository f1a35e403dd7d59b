package web_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/csat"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/sso"
	"github.com/ombud/ombud/internal/wfm"
)

// TestSettingsPagesAudited covers the changes made on admin pages that
// have no JSON API (CSAT settings, single sign-on providers, forecast
// adjustments, two-factor resets): each service call, made as the pages
// make it, leaves an audit row with who, the client address, a
// before/after pair, and none of the secrets involved.
func TestSettingsPagesAudited(t *testing.T) {
	for _, engine := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(engine.String(), func(t *testing.T) { settingsPagesAudited(t, apptest.New(t, engine)) })
	}
}

func actorOf(a agent.Agent) authz.Actor {
	return authz.Actor{Kind: authz.KindAgent, ID: a.ID, Role: a.Role, Name: a.Name}
}

func settingsPagesAudited(t *testing.T, e *apptest.Env) {
	ctx := audit.WithRequest(t.Context(), "127.0.0.1", "test")
	admin, agentA := actorOf(e.Agents[authz.Admin]), actorOf(e.Agents[authz.Agent])
	var secrets []string // TOTP seeds and recovery codes made along the way
	twoFactorOn := func(t *testing.T) {
		t.Helper()
		enr, err := e.Sys.Auth.StartTwoFactor(ctx, agentA)
		if err != nil {
			t.Fatal(err)
		}
		code, err := totp.GenerateCode(enr.Secret, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		codes, err := e.Sys.Auth.ConfirmTwoFactor(ctx, agentA, code)
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, enr.Secret)
		secrets = append(secrets, codes...)
	}
	clientSecret, newSecret := "sso-client-secret-77", "sso-client-secret-88"
	var providerID int64
	provider := sso.Input{Name: "Audit IdP", Issuer: "https://idp.example.test", ClientID: "ombud-audit", ClientSecret: &clientSecret,
		DefaultRole: authz.Agent, JIT: true}
	today := time.Now().UTC().Format(time.DateOnly)
	cust, err := e.Sys.Customers.Create(ctx, authz.System, customer.CustomerInput{Name: "Noted Customer", Emails: []string{"noted@example.com"}, Notes: "private-note-text-62"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name          string
		do            func(t *testing.T) error
		action, actor string
		before, after string // what each side must contain ("" when that side is empty)
		secrets       []string
	}{
		{"CSAT settings", func(t *testing.T) error {
			_, err := e.Sys.CSAT.SaveSettings(ctx, admin, csat.Settings{Enabled: true, DelayMinutes: 90, Scale: csat.ScaleGoodBad, Channel: csat.ChannelEmail, ThrottleDays: 30})
			return err
		}, "csat.settings", "Test admin", `"delay_minutes":1440`, `"delay_minutes":90`, nil},
		{"SSO provider added", func(t *testing.T) error {
			p, err := e.Sys.SSO.CreateProvider(ctx, admin, provider)
			providerID = p.ID
			return err
		}, "sso.provider_create", "Test admin", "", "Audit IdP", []string{clientSecret}},
		{"SSO provider changed with a new secret", func(t *testing.T) error {
			in := provider
			in.Name, in.ClientSecret = "Audit IdP 2", &newSecret
			_, err := e.Sys.SSO.UpdateProvider(ctx, admin, providerID, in)
			return err
		}, "sso.provider_update", "Test admin", `"name":"Audit IdP"`, "Audit IdP 2", []string{clientSecret, newSecret}},
		{"SSO provider deleted", func(t *testing.T) error { return e.Sys.SSO.DeleteProvider(ctx, admin, providerID) },
			"sso.provider_delete", "Test admin", "Audit IdP 2", "", []string{clientSecret, newSecret}},
		{"forecast adjustment", func(t *testing.T) error {
			_, err := e.Sys.WFM.AddAdjustment(ctx, admin, wfm.AdjustmentInput{Channel: "email", From: today, To: today, Percent: 25, Note: "Audit campaign"})
			return err
		}, "wfm_adjustment.create", "Test admin", "", "Audit campaign", nil},
		{"admin resets an agent's two-factor", func(t *testing.T) error {
			if _, err := e.Sys.Auth.SignIn(ctx, "agent@ombud.test", apptest.Password, "127.0.0.1", "test"); err != nil {
				t.Fatal(err)
			}
			twoFactorOn(t)
			return e.Sys.Auth.ResetTwoFactor(ctx, admin, agentA.ID)
		}, "auth.two_factor_reset", "Test admin", `"authenticator_app":true,"passkeys":0,"sessions":1`, `"authenticator_app":false,"passkeys":0,"sessions":0`, nil},
		{"agent turns own two-factor off", func(t *testing.T) error {
			twoFactorOn(t)
			return e.Sys.Auth.DisableTwoFactor(ctx, agentA, apptest.Password)
		}, "auth.two_factor_off", "Test agent", `"authenticator_app":true`, `"authenticator_app":false`, nil},
		{"agent adds a note to a customer from a ticket", func(t *testing.T) error {
			_, err := e.Sys.Customers.AppendNote(ctx, agentA, cust.ID, "private-note-text-63")
			return err
		}, "customer.note_add", "Test agent", `"notes_chars":20`, "Noted Customer", []string{"private-note-text-62", "private-note-text-63"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.do(t); err != nil {
				t.Fatal(err)
			}
			row, raw := latestAudit(t, e, tt.action)
			if row["ip"] != "127.0.0.1" || row["actor_name"] != tt.actor {
				t.Errorf("row: %s", raw)
			}
			data := row["data"].(map[string]any)
			before, hasBefore := data["before"]
			after, hasAfter := data["after"]
			if !hasBefore || !hasAfter {
				t.Fatalf("no before/after: %s", raw)
			}
			for side, want := range map[string]struct {
				v    any
				want string
			}{"before": {before, tt.before}, "after": {after, tt.after}} {
				b, _ := json.Marshal(want.v)
				if want.want == "" && want.v != nil {
					t.Errorf("%s should be empty: %s", side, b)
				}
				if want.want != "" && !strings.Contains(string(b), want.want) {
					t.Errorf("%s lacks %q: %s", side, want.want, b)
				}
			}
			for _, s := range append(tt.secrets, secrets...) {
				if strings.Contains(raw, s) {
					t.Errorf("secret %q in the audit row: %s", s, raw)
				}
			}
		})
	}
}
