package web_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/jobs"
)

// latestAudit returns the newest audit row of action, through the API.
func latestAudit(t *testing.T, e *apptest.Env, action string) (map[string]any, string) {
	t.Helper()
	st, body := e.Do(t, authz.Admin, "GET", "/api/v1/audit?limit=1&action="+url.QueryEscape(action), nil)
	if st != 200 {
		t.Fatalf("audit: %d %v", st, body["_raw"])
	}
	data, _ := body["data"].([]any)
	if len(data) == 0 {
		t.Fatalf("no audit row for %s", action)
	}
	row := data[0].(map[string]any)
	raw, _ := json.Marshal(row)
	return row, string(raw)
}

// TestAdminChangesAudited makes each kind of admin change through the API
// and checks its audit row: the action, a before/after pair, the client
// address, and none of the secrets the change carried.
func TestAdminChangesAudited(t *testing.T) {
	for _, engine := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			adminChangesAudited(t, e)
			t.Run("import", func(t *testing.T) { importAudited(t, e) })
		})
	}
}

func adminChangesAudited(t *testing.T, e *apptest.Env) {
	create := func(path string, body any) string {
		t.Helper()
		st, reply := e.Do(t, authz.Admin, "POST", path, body)
		if st != http.StatusCreated {
			t.Fatalf("fixture %s: %d %v", path, st, reply["_raw"])
		}
		return fmt.Sprint(int64(reply["id"].(float64)))
	}
	day := []map[string]string{{"start": "09:00", "end": "17:00"}}
	rule := func(name string, acts ...map[string]any) map[string]any {
		return map[string]any{"name": name, "conditions": map[string]any{"all": []map[string]any{{"field": "event", "op": "is", "value": "created"}}}, "actions": acts}
	}
	webhook := map[string]any{"type": "webhook", "url": "https://hooks.example.test/trigger-secret-path-81"}
	team := create("/api/v1/teams", map[string]any{"name": "Audit team"})
	// Customers: one to change (two addresses, notes that must stay out
	// of the log), one to merge into it, one to delete.
	st, cust := e.Do(t, authz.Admin, "POST", "/api/v1/customers", map[string]any{"name": "Audit Customer",
		"emails": []string{"audit.customer@example.com", "old.address@example.com"}, "notes": "private-note-text-41"})
	if st != http.StatusCreated {
		t.Fatalf("customer: %d %v", st, cust["_raw"])
	}
	custID := fmt.Sprint(int64(cust["id"].(float64)))
	oldAddress := ""
	for _, i := range cust["identities"].([]any) {
		if id := i.(map[string]any); id["value"] == "old.address@example.com" {
			oldAddress = fmt.Sprint(int64(id["id"].(float64)))
		}
	}
	st, hook := e.Do(t, authz.Admin, "POST", "/api/v1/webhooks", map[string]any{"name": "Audit hook",
		"url": "https://hooks.example.test/subscription-secret-path-93", "events": []string{"ticket.created"}})
	if st != http.StatusCreated {
		t.Fatalf("webhook: %d %v", st, hook["_raw"])
	}
	hookID, hookSecret := fmt.Sprint(int64(hook["id"].(float64))), hook["secret"].(string)
	st, ping := e.Do(t, authz.Admin, "POST", "/api/v1/webhooks/"+hookID+"/ping", nil)
	if st != http.StatusAccepted {
		t.Fatalf("ping: %d %v", st, ping["_raw"])
	}
	delivery := fmt.Sprint(int64(ping["id"].(float64)))
	// A dead job for an admin to retry.
	var deadJob int64
	if err := e.Sys.DB.Write(t.Context(), func(tx *db.Tx) error {
		if _, err := jobs.Enqueue(t.Context(), tx, time.Now(), jobs.New{Kind: "audit.test", Key: "dead", RunAt: time.Now().Add(time.Hour)}); err != nil {
			return err
		}
		if err := tx.QueryRowContext(t.Context(), `SELECT id FROM jobs WHERE kind = 'audit.test'`).Scan(&deadJob); err != nil {
			return err
		}
		_, err := tx.ExecContext(t.Context(), `UPDATE jobs SET state = 'dead' WHERE id = ?`, deadJob)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{
		"mailbox":  create("/api/v1/mailboxes", map[string]any{"address": "audit@example.com", "name": "Audit", "smtp": map[string]any{"host": "smtp.example.com", "username": "u", "password": "smtp-pass-created-11"}}),
		"trigger":  create("/api/v1/triggers", rule("Audit trigger", webhook)),
		"auto":     create("/api/v1/automations", map[string]any{"name": "Audit automation", "conditions": map[string]any{"all": []map[string]any{{"field": "hours_since_updated", "op": "gt", "value": 48}}}, "actions": []map[string]any{{"type": "add_tags", "value": []string{"x"}}}}),
		"macro":    create("/api/v1/macros", map[string]any{"name": "Audit macro", "scope": "shared", "body": "Hello", "actions": []map[string]any{}}),
		"calendar": create("/api/v1/business-calendars", map[string]any{"name": "Audit hours", "time_zone": "Europe/Oslo", "schedule": map[string]any{"mon": day}}),
		"policy":   create("/api/v1/sla-policies", map[string]any{"name": "Audit SLA", "targets": map[string]any{"normal": map[string]any{"first_reply": "1h"}}}),
		"field":    create("/api/v1/custom-fields", map[string]any{"key": "audit_f", "label": "Audit field", "type": "dropdown", "options": []string{"a"}}),
		"view":     create("/api/v1/views", map[string]any{"name": "Audit view", "query": "status:open", "shared": true}),
		"team":     team,
		"merged":   create("/api/v1/customers", map[string]any{"name": "Audit Duplicate", "emails": []string{"audit.dup@example.com"}}),
		"lone":     create("/api/v1/customers", map[string]any{"name": "Audit Lone", "emails": []string{"audit.lone@example.com"}}),
		"org":      create("/api/v1/organizations", map[string]any{"name": "Audit Org", "domains": []string{"audit-org.example"}}),
		"goal":     create("/api/v1/report-goals", map[string]any{"metric": "sla_attainment", "target": 0.9}),
		"sub":      create("/api/v1/report-subscriptions", map[string]any{"frequency": "weekly"}),
		"rule":     create("/api/v1/retention-rules", map[string]any{"action": "anonymise", "months": 24}),
	}
	agentID := fmt.Sprint(e.Agents[authz.Agent].ID)
	tests := []struct {
		name, method, path string
		body               any
		action             string
		before, after      string   // a value each side must contain ("" when that side is empty)
		secrets            []string // what must not appear in the row
	}{
		{"mailbox created", "", "", nil, "mailbox.create", "", "audit@example.com", []string{"smtp-pass-created-11"}},
		{"mailbox changed", "PATCH", "/api/v1/mailboxes/" + ids["mailbox"], map[string]any{"name": "Audit desk", "imap": map[string]any{"host": "imap.example.com", "username": "u", "password": "imap-pass-changed-22"}},
			"mailbox.update", "Audit", "Audit desk", []string{"smtp-pass-created-11", "imap-pass-changed-22"}},
		{"trigger created with a webhook", "", "", nil, "trigger.create", "", "Audit trigger", []string{"trigger-secret-path-81"}},
		{"trigger changed", "PATCH", "/api/v1/triggers/" + ids["trigger"], map[string]any{"name": "Audit trigger 2", "rotate_secret": true}, "trigger.update", "Audit trigger", "Audit trigger 2", []string{"trigger-secret-path-81"}},
		{"automation changed", "PATCH", "/api/v1/automations/" + ids["auto"], map[string]any{"active": false}, "automation.update", "Audit automation", "Audit automation", nil},
		{"shared macro changed", "PATCH", "/api/v1/macros/" + ids["macro"], map[string]any{"body": "Hello there"}, "macro.update", "Hello", "Hello there", nil},
		{"calendar changed", "PATCH", "/api/v1/business-calendars/" + ids["calendar"], map[string]any{"time_zone": "Europe/Stockholm"}, "sla.calendar.update", "Europe/Oslo", "Europe/Stockholm", nil},
		{"SLA policy changed", "PATCH", "/api/v1/sla-policies/" + ids["policy"], map[string]any{"targets": map[string]any{"normal": map[string]any{"first_reply": "2h"}}}, "sla.policy.update", "Audit SLA", "Audit SLA", nil},
		{"field changed", "PATCH", "/api/v1/custom-fields/" + ids["field"], map[string]any{"label": "Audit field 2"}, "custom_field.update", "Audit field", "Audit field 2", nil},
		{"team changed", "PATCH", "/api/v1/teams/" + team, map[string]any{"description": "Handles audits"}, "team.update", "Audit team", "Handles audits", nil},
		{"agent's role changed", "PATCH", "/api/v1/agents/" + agentID, map[string]any{"role": "collaborator"}, "agent.update", "agent", "collaborator", nil},
		{"view changed", "PATCH", "/api/v1/views/" + ids["view"], map[string]any{"query": "status:pending"}, "view.update", "status:open", "status:pending", nil},
		{"routing settings", "PUT", "/api/v1/routing/teams/" + team, map[string]any{"method": "round_robin"}, "routing.settings", "manual", "round_robin", nil},
		{"token created", "POST", "/api/v1/tokens", map[string]any{"name": "audit script"}, "token.create", "", "audit script", nil},
		// Customers and organizations: the notes' text never reaches the log.
		{"customer created", "", "", nil, "customer.create", "", "Audit Lone", nil},
		{"customer changed", "PATCH", "/api/v1/customers/" + custID, map[string]any{"name": "Audit Client", "notes": "private-note-text-52"},
			"customer.update", "Audit Customer", "Audit Client", []string{"private-note-text-41", "private-note-text-52"}},
		{"customer address added", "POST", "/api/v1/customers/" + custID + "/identities", map[string]any{"type": "phone", "value": "+4722334455"},
			"customer.identity_add", "old.address@example.com", "+4722334455", nil},
		{"customer address removed", "DELETE", "/api/v1/customers/" + custID + "/identities/" + oldAddress, nil,
			"customer.identity_remove", "old.address@example.com", "+4722334455", nil},
		{"customers merged", "POST", "/api/v1/customers/" + custID + "/merge", map[string]any{"merge_id": json.RawMessage(ids["merged"])},
			"customer.merge", "Audit Duplicate", "audit.dup@example.com", []string{"private-note-text"}},
		{"customer deleted", "DELETE", "/api/v1/customers/" + ids["lone"], nil, "customer.delete", "audit.lone@example.com", "", nil},
		{"organization created", "", "", nil, "organization.create", "", "audit-org.example", nil},
		{"organization changed", "PATCH", "/api/v1/organizations/" + ids["org"], map[string]any{"domains": []string{"audit-org.example", "audit-org2.example"}},
			"organization.update", "audit-org.example", "audit-org2.example", nil},
		{"organization deleted", "DELETE", "/api/v1/organizations/" + ids["org"], nil, "organization.delete", "Audit Org", "", nil},
		// Report goals and summary subscriptions.
		{"goal created", "", "", nil, "report_goal.create", "", "sla_attainment", nil},
		{"goal changed", "PATCH", "/api/v1/report-goals/" + ids["goal"], map[string]any{"target": 0.75}, "report_goal.update", "0.9", "0.75", nil},
		{"goal deleted", "DELETE", "/api/v1/report-goals/" + ids["goal"], nil, "report_goal.delete", "0.75", "", nil},
		{"summary subscribed", "", "", nil, "report_subscription.create", "", "weekly", nil},
		{"summary unsubscribed", "DELETE", "/api/v1/report-subscriptions/" + ids["sub"], nil, "report_subscription.delete", "weekly", "", nil},
		// Privacy retention rules.
		{"retention rule created", "", "", nil, "retention_rule.create", "", "anonymise", nil},
		{"retention rule deleted", "DELETE", "/api/v1/retention-rules/" + ids["rule"], nil, "retention_rule.delete", "anonymise", "", nil},
		// Webhook subscriptions: neither the URL's path nor a signing secret.
		{"webhook created", "", "", nil, "webhook.create", "", "Audit hook", []string{"subscription-secret-path-93", hookSecret}},
		{"webhook changed", "PATCH", "/api/v1/webhooks/" + hookID, map[string]any{"name": "Audit hook 2"}, "webhook.update", "Audit hook", "Audit hook 2",
			[]string{"subscription-secret-path-93", hookSecret}},
		{"webhook secret rotated", "POST", "/api/v1/webhooks/" + hookID + "/secret", nil, "webhook.rotate_secret", `"new_signing_key":false`, `"new_signing_key":true`, []string{hookSecret}},
		{"webhook pinged", "POST", "/api/v1/webhooks/" + hookID + "/ping", nil, "webhook.ping", "", "ping", []string{hookSecret}},
		{"webhook delivery replayed", "POST", "/api/v1/webhooks/" + hookID + "/deliveries/" + delivery + "/replay", nil, "webhook.replay", "", `"replay_of":` + delivery, []string{hookSecret}},
		{"webhook deleted", "DELETE", "/api/v1/webhooks/" + hookID, nil, "webhook.delete", "Audit hook 2", "", []string{"subscription-secret-path-93", hookSecret}},
		// Operations on other people and on the queue.
		{"agent set away by an admin", "PUT", "/api/v1/agents/" + agentID + "/availability", map[string]any{"availability": "away"},
			"agent.availability", "offline", "away", nil},
		{"dead job retried", "POST", fmt.Sprintf("/api/v1/jobs/%d/retry", deadJob), nil, "job.retry", "dead", "queued", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secrets := tt.secrets
			if tt.method != "" {
				st, reply := e.Do(t, authz.Admin, tt.method, tt.path, tt.body)
				if st >= 300 {
					t.Fatalf("%s %s: %d %v", tt.method, tt.path, st, reply["_raw"])
				}
				for _, k := range []string{"token", "secret"} {
					if v, ok := reply[k].(string); ok && v != "" {
						secrets = append(secrets, v) // a new token or signing secret is shown once, never logged
					}
				}
			}
			row, raw := latestAudit(t, e, tt.action)
			if row["action"] != tt.action || row["ip"] != "127.0.0.1" || row["actor_name"] != "Test admin" {
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
			for _, s := range secrets {
				if strings.Contains(raw, s) {
					t.Errorf("secret %q in the audit row: %s", s, raw)
				}
			}
		})
	}
}

// importAudited: an agent's import through the API leaves one row with
// its counts (an import is not a settings change: no before/after).
func importAudited(t *testing.T, e *apptest.Env) {
	st, reply := e.Do(t, authz.Admin, "POST", "/api/v1/import", `{"kind":"team","team":{"name":"Imported audit team"}}`)
	if st != http.StatusOK {
		t.Fatalf("import: %d %v", st, reply["_raw"])
	}
	row, raw := latestAudit(t, e, "import")
	data := row["data"].(map[string]any)
	if row["ip"] != "127.0.0.1" || row["actor_name"] != "Test admin" || data["committed_through_line"] != float64(1) || data["failed"] != float64(0) {
		t.Errorf("row: %s", raw)
	}
}

// TestAuditAPI covers the list's filters and validation, the exports and
// who may read them.
func TestAuditAPI(t *testing.T) {
	e := apptest.New(t, db.SQLite)
	// Two sign-ins from different addresses (the test server trusts no
	// proxy, so X-Forwarded-For is ignored: both are 127.0.0.1), one failed.
	for _, pw := range []string{apptest.Password, "wrong password"} {
		_, _ = e.Sys.Auth.SignIn(t.Context(), "manager@ombud.test", pw, "192.0.2.10", "test")
	}
	tests := []struct {
		name   string
		role   authz.Role
		query  string
		status int
		field  string
		check  func(rows []any) bool
	}{
		{"admin reads", authz.Admin, "", 200, "", func(rows []any) bool { return len(rows) > 0 }},
		{"manager may not", authz.Manager, "", 403, "", nil},
		{"agent may not", authz.Agent, "", 403, "", nil},
		{"failed sign-in with its reason", authz.Admin, "?action=auth.sign_in_failed", 200, "", func(rows []any) bool {
			r := rows[0].(map[string]any)
			d := r["data"].(map[string]any)
			return len(rows) == 1 && d["reason"] == "wrong_password" && r["ip"] == "192.0.2.10" && !strings.Contains(fmt.Sprint(d), "wrong password")
		}},
		{"by actor", authz.Admin, fmt.Sprintf("?actor=%d&action=auth.", e.Agents[authz.Manager].ID), 200, "", func(rows []any) bool { return len(rows) == 2 }},
		{"by ip", authz.Admin, "?ip=192.0.2.10", 200, "", func(rows []any) bool { return len(rows) == 2 }},
		{"by text", authz.Admin, "?q=MANAGER%40ombud", 200, "", func(rows []any) bool { return len(rows) >= 2 }},
		{"nothing in the future", authz.Admin, "?from=2999-01-01", 200, "", func(rows []any) bool { return len(rows) == 0 }},
		{"bad actor", authz.Admin, "?actor=me", 400, "actor", nil},
		{"bad ip", authz.Admin, "?ip=999.1.1.1", 400, "ip", nil},
		{"bad from", authz.Admin, "?from=soon", 400, "from", nil},
		{"bad limit", authz.Admin, "?limit=1000", 400, "limit", nil},
		{"bad cursor", authz.Admin, "?cursor=xyz", 400, "cursor", nil},
		{"unknown parameter", authz.Admin, "?sort=asc", 400, "sort", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, body := e.Do(t, tt.role, "GET", "/api/v1/audit"+tt.query, nil)
			if st != tt.status {
				t.Fatalf("status %d, want %d: %v", st, tt.status, body["_raw"])
			}
			if tt.field != "" {
				fields, _ := body["error"].(map[string]any)["fields"].(map[string]any)
				if fields[tt.field] == nil {
					t.Errorf("error does not name %s: %v", tt.field, body["_raw"])
				}
			}
			if tt.check != nil {
				rows, _ := body["data"].([]any)
				if !tt.check(rows) {
					t.Errorf("rows: %v", body["_raw"])
				}
			}
		})
	}

	t.Run("exports", func(t *testing.T) {
		st, body := e.Do(t, authz.Admin, "GET", "/api/v1/audit/export?format=csv&action=auth.", nil)
		if st != 200 {
			t.Fatalf("csv: %d %v", st, body["_raw"])
		}
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body["_raw"].(string), "\uFEFF"))).ReadAll()
		if err != nil || len(recs) < 3 || recs[0][4] != "action" {
			t.Fatalf("csv: %v %q", err, body["_raw"])
		}
		for _, r := range recs[1:] {
			if !strings.HasPrefix(r[4], "auth.") {
				t.Errorf("filter not applied: %v", r)
			}
		}
		st, body = e.Do(t, authz.Admin, "GET", "/api/v1/audit/export?format=ndjson&ip=192.0.2.10", nil)
		lines := strings.Split(strings.TrimSpace(body["_raw"].(string)), "\n")
		if st != 200 || len(lines) != 2 {
			t.Fatalf("ndjson: %d %q", st, body["_raw"])
		}
		if st, _ := e.Do(t, authz.Admin, "GET", "/api/v1/audit/export?format=xml", nil); st != 400 {
			t.Errorf("format=xml: %d", st)
		}
		if st, _ := e.Do(t, authz.Manager, "GET", "/api/v1/audit/export?format=csv", nil); st != 403 {
			t.Errorf("manager export: %d", st)
		}
		// Both exports are in the log themselves, with their filter.
		row, raw := latestAudit(t, e, "audit.export")
		if row["target"] != "ndjson" || !strings.Contains(raw, "192.0.2.10") {
			t.Errorf("export row: %s", raw)
		}
	})

	t.Run("report downloads are recorded", func(t *testing.T) {
		if st, body := e.Do(t, authz.Admin, "GET", "/api/v1/reports/events?format=csv", nil); st != 200 {
			t.Fatalf("events: %d %v", st, body["_raw"])
		}
		row, raw := latestAudit(t, e, "report.export")
		if row["target"] != "/api/v1/reports/events" || !strings.Contains(raw, `"format":"csv"`) {
			t.Errorf("report export row: %s", raw)
		}
	})
}
