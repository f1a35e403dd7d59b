package admin_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

const slackHook = "https://hooks.slack.com/services/T0001/B0002/very-secret-token"

// TestWebhookURLsByRole: a trigger's Slack URL and signing secret are
// credentials. Over the API and on the rule page admins see them, managers
// see them masked (and keep them by saving the masked form), agents see
// neither.
func TestWebhookURLsByRole(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			conds := map[string]any{"all": []any{map[string]any{"field": "priority", "op": "is", "value": "urgent"}}}
			st, created := e.Do(t, authz.Admin, "POST", "/api/v1/triggers", map[string]any{"name": "Urgent to Slack", "conditions": conds,
				"actions": []any{map[string]any{"type": "slack", "url": slackHook, "body": "#{{ticket.id}} is urgent"}}})
			if st != 201 || !strings.Contains(created["_raw"].(string), "very-secret-token") {
				t.Fatalf("create as admin: %d %v", st, created["_raw"])
			}
			id := int64(created["id"].(float64))
			secret := created["webhook_secret"].(string)
			path := fmt.Sprintf("/api/v1/triggers/%d", id)

			tests := []struct {
				role    authz.Role
				want    []string
				notWant []string
			}{
				{authz.Admin, []string{slackHook, secret}, nil},
				{authz.Manager, []string{`"url":"https://hooks.slack.com/••••"`, `"webhook_secret":"••••"`}, []string{"very-secret-token", "/services/", secret}},
				{authz.Agent, []string{`"type":"slack"`}, []string{"hooks.slack.com", "very-secret-token", "webhook_secret", secret}},
			}
			for _, tt := range tests {
				t.Run(string(tt.role), func(t *testing.T) {
					for _, p := range []string{path, "/api/v1/triggers"} {
						st, got := e.Do(t, tt.role, "GET", p, nil)
						raw := got["_raw"].(string)
						if st != 200 {
							t.Fatalf("GET %s: %d %s", p, st, raw)
						}
						for _, w := range tt.want {
							if !strings.Contains(raw, w) {
								t.Errorf("GET %s: want %q in %s", p, w, raw)
							}
						}
						for _, w := range tt.notWant {
							if strings.Contains(raw, w) {
								t.Errorf("GET %s: %q must not be in %s", p, w, raw)
							}
						}
					}
				})
			}

			// A manager saves the trigger as the API showed it: the URL stays.
			_, shown := e.Do(t, authz.Manager, "GET", path, nil)
			if st, got := e.Do(t, authz.Manager, "PATCH", path, map[string]any{"name": "Urgent to Slack (team)", "actions": shown["actions"]}); st != 200 ||
				strings.Contains(got["_raw"].(string), "very-secret-token") {
				t.Fatalf("manager saves as shown: %d %v", st, got["_raw"])
			}
			if _, got := e.Do(t, authz.Admin, "GET", path, nil); !strings.Contains(got["_raw"].(string), slackHook) {
				t.Fatalf("the stored URL must survive the manager's save: %v", got["_raw"])
			}
			for name, body := range map[string]any{
				"new url":    map[string]any{"actions": []any{map[string]any{"type": "slack", "url": "https://attacker.example/hook", "body": "x"}}},
				"new secret": map[string]any{"rotate_secret": true},
			} {
				if st, got := e.Do(t, authz.Manager, "PATCH", path, body); st != 403 {
					t.Fatalf("manager %s: %d %v", name, st, got["_raw"])
				}
			}

			// The rule page: the actions JSON is shown the same way.
			page := fmt.Sprintf("/admin/triggers/%d", id)
			for _, c := range []struct {
				role    authz.Role
				want    string
				notWant []string
			}{
				{authz.Admin, slackHook, nil},
				{authz.Manager, "https://hooks.slack.com/••••", []string{"very-secret-token"}},
				{authz.Agent, "Urgent to Slack", []string{"hooks.slack.com", "very-secret-token"}},
			} {
				b := webtest.SignIn(t, e, c.role)
				st, body, _ := b.Do(t, "GET", page, nil)
				if st != 200 || !strings.Contains(body, c.want) {
					t.Fatalf("%s page: %d, want %q", c.role, st, c.want)
				}
				for _, w := range c.notWant {
					if strings.Contains(body, w) {
						t.Fatalf("%s page shows %q", c.role, w)
					}
				}
			}
			mgr := webtest.SignIn(t, e, authz.Manager)
			masked := shown["actions"].([]any)[0].(map[string]any)["url"].(string)
			st, body, loc := mgr.Do(t, "POST", page, url.Values{"name": {"Saved from the page"}, "active": {"on"},
				"all[0].row": {"1"}, "all[0].field": {"priority"}, "all[0].op": {"is"}, "all[0].value": {"urgent"},
				"act[0].row": {"1"}, "act[0].type": {"slack"}, "act[0].url": {masked}, "act[0].body": {"#{{ticket.id}} is urgent"}})
			if st != 303 || !strings.HasPrefix(loc, page) {
				t.Fatalf("manager saves the page unchanged: %d %s", st, body)
			}
			if _, got := e.Do(t, authz.Admin, "GET", path, nil); !strings.Contains(got["_raw"].(string), slackHook) || !strings.Contains(got["_raw"].(string), "Saved from the page") {
				t.Fatalf("after the page save: %v", got["_raw"])
			}
		})
	}
}
