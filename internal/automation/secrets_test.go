package automation_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/secret"
)

func box(t *testing.T, keys ...byte) *secret.Box {
	t.Helper()
	var ks [][]byte
	for _, k := range keys {
		ks = append(ks, []byte(strings.Repeat(string(rune(k)), secret.KeySize)))
	}
	b, err := secret.NewBox(ks[0], ks[1:]...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rawRule is the stored row, as a backup would hold it.
func rawRule(t *testing.T, d *db.DB, id int64) (actions, sec string) {
	t.Helper()
	if err := d.QueryRowContext(context.Background(), `SELECT actions, secret FROM automation_rules WHERE id = ?`, id).Scan(&actions, &sec); err != nil {
		t.Fatal(err)
	}
	return actions, sec
}

const hookURL = "https://hooks.slack.com/services/T0001/B0002/very-secret-token"

// TestWebhookSecretsAtRest: a rule's chat URL and signing secret are
// sealed in the row; admins see them, managers see them masked and keep
// them by saving the masked form, agents do not see them.
func TestWebhookSecretsAtRest(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := context.Background()
		conds := automation.Conditions{All: []automation.Condition{leaf("status", "is", `"open"`)}}
		r, err := e.svc.CreateRule(ctx, e.admin, automation.KindTrigger, automation.RuleInput{Name: "To chat", Conditions: conds,
			Actions: []automation.Action{{Type: "slack", URL: hookURL, Body: "#{{ticket.id}}"}, {Type: "add_tags", Value: rawJSON(`"chat"`)}}})
		if err != nil {
			t.Fatal(err)
		}
		if r.Actions[0].URL != hookURL || len(r.WebhookSecret) != 64 {
			t.Fatalf("the admin who created it sees it in full: %+v", r)
		}
		acts, sec := rawRule(t, d, r.ID)
		if strings.Contains(acts, "very-secret-token") || strings.Contains(acts, "hooks.slack.com") || !strings.Contains(acts, secret.Prefix) {
			t.Fatalf("stored actions hold the URL: %s", acts)
		}
		if sec == r.WebhookSecret || !secret.IsSealed(sec) {
			t.Fatalf("stored secret %q is not sealed", sec)
		}

		tests := []struct {
			name   string
			actor  authz.Actor
			url    string
			secret string
		}{
			{"admin", e.admin, hookURL, r.WebhookSecret},
			{"manager", e.manager, "https://hooks.slack.com/" + secret.Masked, secret.Masked},
			{"agent", e.agent, "", ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := e.svc.GetRule(ctx, tt.actor, automation.KindTrigger, r.ID)
				if err != nil || got.Actions[0].URL != tt.url || got.WebhookSecret != tt.secret {
					t.Fatalf("get: url %q secret %q, %v; want %q %q", got.Actions[0].URL, got.WebhookSecret, err, tt.url, tt.secret)
				}
				l, err := e.svc.ListRules(ctx, tt.actor, automation.KindTrigger)
				if err != nil || len(l.Data) != 1 || l.Data[0].Actions[0].URL != tt.url || l.Data[0].WebhookSecret != tt.secret {
					t.Fatalf("list: %+v, %v", l.Data, err)
				}
			})
		}

		// A manager saves the rule as shown: the stored URL stays.
		shown, _ := e.svc.GetRule(ctx, e.manager, automation.KindTrigger, r.ID)
		edited := append([]automation.Action{{Type: "set_priority", Value: rawJSON(`"high"`)}}, shown.Actions...)
		upd, err := e.svc.UpdateRule(ctx, e.manager, automation.KindTrigger, r.ID, automation.RulePatch{Name: ptr("To chat, high"), Actions: &edited})
		if err != nil {
			t.Fatal(err)
		}
		if upd.Actions[1].URL != "https://hooks.slack.com/"+secret.Masked || upd.WebhookSecret != secret.Masked {
			t.Fatalf("the manager's update answer must stay masked: %+v", upd)
		}
		full, _ := e.svc.GetRule(ctx, e.admin, automation.KindTrigger, r.ID)
		if full.Actions[1].URL != hookURL || full.WebhookSecret != r.WebhookSecret {
			t.Fatalf("after the manager's save: url %q secret %q", full.Actions[1].URL, full.WebhookSecret)
		}

		refused := []struct {
			name  string
			actor authz.Actor
			patch automation.RulePatch
			code  apperr.Code
		}{
			{"manager replaces the URL", e.manager, automation.RulePatch{Actions: &[]automation.Action{{Type: "slack", URL: "https://attacker.example/x", Body: "x"}}}, apperr.CodeForbidden},
			{"manager adds a webhook", e.manager, automation.RulePatch{Actions: &[]automation.Action{shown.Actions[0], {Type: "webhook", URL: "https://attacker.example/y"}}}, apperr.CodeForbidden},
			{"manager issues a new secret", e.manager, automation.RulePatch{RotateSecret: true}, apperr.CodeForbidden},
			{"a mask that matches nothing", e.admin, automation.RulePatch{Actions: &[]automation.Action{{Type: "webhook", URL: "https://example.org/" + secret.Masked}}}, apperr.CodeInvalid},
		}
		for _, tt := range refused {
			t.Run(tt.name, func(t *testing.T) {
				if _, err := e.svc.UpdateRule(ctx, tt.actor, automation.KindTrigger, r.ID, tt.patch); apperr.CodeOf(err) != tt.code {
					t.Fatalf("err = %v, want %s", err, tt.code)
				}
			})
		}
		if _, err := e.svc.CreateRule(ctx, e.manager, automation.KindTrigger, automation.RuleInput{Name: "x", Conditions: conds,
			Actions: []automation.Action{{Type: "webhook", URL: "https://example.org/hook"}}}); apperr.CodeOf(err) != apperr.CodeForbidden {
			t.Fatalf("a manager entering a webhook URL: %v", err)
		}
		// A manager may still remove the chat action.
		if _, err := e.svc.UpdateRule(ctx, e.manager, automation.KindTrigger, r.ID, automation.RulePatch{Actions: &[]automation.Action{shown.Actions[1]}}); err != nil {
			t.Fatalf("remove the chat action: %v", err)
		}
		// An admin replaces it.
		if _, err := e.svc.UpdateRule(ctx, e.admin, automation.KindTrigger, r.ID, automation.RulePatch{Actions: &[]automation.Action{{Type: "webhook", URL: "https://example.org/new"}}}); err != nil {
			t.Fatalf("admin replaces: %v", err)
		}
	})
}

// TestWebhookJobKeepsURLSealed: the delivery job queued when a rule fires
// holds the URL sealed, and still posts to it.
func TestWebhookJobKeepsURLSealed(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		var mu sync.Mutex
		var bodies []string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			bodies = append(bodies, string(b))
			mu.Unlock()
		}))
		defer srv.Close()
		e.startJobs(t)
		e.rule(t, automation.KindTrigger, "Hook", automation.Conditions{All: []automation.Condition{leaf("event", "is", `"created"`)}},
			automation.Action{Type: "webhook", URL: srv.URL + "/hook-token-123"})
		e.newTicket(t, "Hook me", "normal")
		e.drain(t)
		mu.Lock()
		n := len(bodies)
		mu.Unlock()
		if n != 1 {
			t.Fatalf("%d deliveries, want 1", n)
		}
		var payload string
		if err := d.QueryRowContext(context.Background(), `SELECT payload FROM jobs WHERE kind = ?`, automation.JobPost).Scan(&payload); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(payload, "hook-token-123") || !strings.Contains(payload, secret.Prefix) {
			t.Fatalf("job payload holds the URL: %s", payload)
		}
	})
}

// TestSealSecretsMigratesAndRotates: plain text stored before encryption
// is sealed by a start's pass and keeps working; a rotation re-seals with
// the new key, and until then the old key still opens everything.
func TestSealSecretsMigratesAndRotates(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := context.Background()
		oldBox := box(t, 'a')
		e.svc.SetSecrets(oldBox)
		conds := automation.Conditions{All: []automation.Condition{leaf("status", "is", `"open"`)}}
		r := e.rule(t, automation.KindTrigger, "Hook", conds, automation.Action{Type: "webhook", URL: "https://example.org/hook-1"})

		// A rule and a queued job as an older release stored them.
		plainActions := `[{"type":"slack","url":"https://hooks.slack.com/services/LEGACY","body":"hi"},{"type":"add_tags","value":"x"}]`
		var legacy int64
		err := d.Write(ctx, func(tx *db.Tx) error {
			var err error
			legacy, err = tx.InsertID(ctx, `INSERT INTO automation_rules (kind, name, active, position, conditions, actions, secret, created_at, updated_at)
				VALUES ('trigger', 'Legacy', TRUE, 9, '{"all":[{"field":"status","op":"is","value":"open"}]}', ?, 'legacy-signing-secret', 1, 1)`, plainActions)
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO jobs (kind, idem_key, payload, state, run_at, created_at, updated_at, done_at) VALUES (?, 'legacy', ?, 'done', 1, 1, 1, 1)`,
				automation.JobPost, `{"url":"https://hooks.slack.com/services/LEGACY-JOB","body":"{}","rule_id":1,"ticket_id":1}`)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		before, err := e.svc.GetRule(ctx, e.admin, automation.KindTrigger, legacy)
		if err != nil || before.Actions[0].URL != "https://hooks.slack.com/services/LEGACY" || before.WebhookSecret != "legacy-signing-secret" {
			t.Fatalf("plain text from before the upgrade must read as it is: %+v, %v", before, err)
		}

		tally, err := e.svc.SealSecrets(ctx, false)
		if err != nil || tally.Sealed != 3 || tally.Unreadable != 0 {
			t.Fatalf("start pass: %+v, %v; want the legacy URL, secret and job URL sealed", tally, err)
		}
		acts, sec := rawRule(t, d, legacy)
		var payload string
		_ = d.QueryRowContext(ctx, `SELECT payload FROM jobs WHERE idem_key = 'legacy'`).Scan(&payload)
		for what, v := range map[string]string{"actions": acts, "secret": sec, "job": payload} {
			if strings.Contains(v, "LEGACY") || strings.Contains(v, "legacy-signing") || !strings.Contains(v, secret.Prefix) {
				t.Fatalf("%s after the start pass: %s", what, v)
			}
		}
		if flat := strings.ReplaceAll(acts, " ", ""); !strings.Contains(flat, `"add_tags"`) || !strings.Contains(flat, `"body":"hi"`) {
			t.Fatalf("the rest of the actions must stay: %s", acts)
		}
		after, err := e.svc.GetRule(ctx, e.admin, automation.KindTrigger, legacy)
		if err != nil || after.Actions[0].URL != before.Actions[0].URL || after.WebhookSecret != before.WebhookSecret {
			t.Fatalf("sealed legacy rule reads %+v, %v", after, err)
		}
		if again, _ := e.svc.SealSecrets(ctx, false); again.Sealed != 0 {
			t.Fatalf("a second start pass sealed %d values again", again.Sealed)
		}

		// Rotation: the new key first, the old one still accepted.
		e.svc.SetSecrets(box(t, 'b', 'a'))
		if got, err := e.svc.GetRule(ctx, e.admin, automation.KindTrigger, r.ID); err != nil || got.Actions[0].URL != "https://example.org/hook-1" {
			t.Fatalf("before rotating, the old key opens: %+v, %v", got, err)
		}
		tally, err = e.svc.SealSecrets(ctx, true)
		if err != nil || tally.Sealed != 5 {
			t.Fatalf("rotate: %+v, %v; want 2 URLs, 2 secrets and 1 job re-sealed", tally, err)
		}
		newOnly := box(t, 'b')
		acts, sec = rawRule(t, d, r.ID)
		if secret.KeyID(sec) != newOnly.CurrentID() || !strings.Contains(acts, secret.Prefix+newOnly.CurrentID()) {
			t.Fatalf("after rotating, values are sealed with the new key: %s %s", acts, sec)
		}
		e.svc.SetSecrets(newOnly)
		for _, id := range []int64{r.ID, legacy} {
			got, err := e.svc.GetRule(ctx, e.admin, automation.KindTrigger, id)
			if err != nil || got.Actions[0].URL == "" || got.WebhookSecret == "" {
				t.Fatalf("rule %d with the new key alone: %+v, %v", id, got, err)
			}
		}
	})
}
