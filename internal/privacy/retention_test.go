package privacy_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/privacy"
)

// TestRetention: rules count the closed tickets due (the dry run), the run
// anonymises or deletes exactly those, and a second run changes nothing.
func TestRetention(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			ctx := t.Context()
			admin := actorOf(e, authz.Admin)
			now := time.Now()
			mk := func(subject, channel string, closedMonthsAgo int) int64 {
				st, body := e.Do(t, authz.Agent, "POST", "/api/v1/tickets", map[string]any{
					"subject": subject, "description": subject + " body", "channel": channel,
					"requester": map[string]any{"email": "r@example.org"},
				})
				if st != 201 {
					t.Fatalf("create: %d %v", st, body)
				}
				id := int64(body["id"].(float64))
				if closedMonthsAgo >= 0 {
					for _, status := range []string{"solved", "closed"} {
						if st, body := e.Do(t, authz.Agent, "PATCH", fmt.Sprintf("/api/v1/tickets/%d", id), map[string]any{"status": status}); st != 200 {
							t.Fatalf("%s: %d %v", status, st, body)
						}
					}
					if err := e.Sys.DB.Write(ctx, func(tx *db.Tx) error {
						_, err := tx.ExecContext(ctx, `UPDATE tickets SET closed_at = ? WHERE id = ?`, db.Millis(now.AddDate(0, -closedMonthsAgo, -1)), id)
						return err
					}); err != nil {
						t.Fatal(err)
					}
				}
				return id
			}
			oldWeb := mk("old web", "web", 13)
			oldAPI := mk("old api", "api", 13)
			recent := mk("recent web", "web", 2)
			open := mk("open web", "web", -1)

			if _, err := e.Sys.Privacy.CreateRule(ctx, actorOf(e, authz.Manager), privacy.RuleInput{Action: privacy.Delete, Months: 12}); err == nil {
				t.Fatal("a manager set a retention rule")
			}
			for _, bad := range []privacy.RuleInput{{Action: "shred", Months: 12}, {Action: privacy.Delete, Months: 0}, {Action: privacy.Delete, Months: 12, Channel: "fax"}} {
				if _, err := e.Sys.Privacy.CreateRule(ctx, admin, bad); err == nil {
					t.Errorf("rule %+v accepted", bad)
				}
			}
			anon, err := e.Sys.Privacy.CreateRule(ctx, admin, privacy.RuleInput{Action: privacy.Anonymise, Months: 12, Channel: "web"})
			if err != nil {
				t.Fatal(err)
			}
			_, err = e.Sys.Privacy.CreateRule(ctx, admin, privacy.RuleInput{Action: privacy.Delete, Months: 12, Channel: "api"})
			if err != nil {
				t.Fatal(err)
			}
			rules, err := e.Sys.Privacy.Rules(ctx, admin)
			if err != nil || len(rules) != 2 || rules[0].Due != 1 || rules[1].Due != 1 {
				t.Fatalf("dry run: %+v %v", rules, err)
			}
			n, err := e.Sys.Privacy.ApplyRetention(ctx, now)
			if err != nil || n != 2 {
				t.Fatalf("apply: %d %v", n, err)
			}
			subject := func(id int64) (int, any) {
				st, body := e.Do(t, authz.Admin, "GET", fmt.Sprintf("/api/v1/tickets/%d", id), nil)
				return st, body["subject"]
			}
			if st, s := subject(oldWeb); st != 200 || s != privacy.Erased {
				t.Errorf("old web ticket: %d %v", st, s)
			}
			if st, _ := subject(oldAPI); st != 404 {
				t.Errorf("old api ticket: %d, want 404", st)
			}
			for _, id := range []int64{recent, open} {
				if st, s := subject(id); st != 200 || s == privacy.Erased {
					t.Errorf("ticket %d: %d %v", id, st, s)
				}
			}
			if n, err := e.Sys.Privacy.ApplyRetention(ctx, now); err != nil || n != 0 {
				t.Errorf("second run: %d %v", n, err)
			}
			if err := e.Sys.Privacy.DeleteRule(ctx, admin, anon.ID); err != nil {
				t.Fatal(err)
			}
			if err := e.Sys.Privacy.DeleteRule(ctx, admin, anon.ID); err == nil {
				t.Error("deleted a rule twice")
			}
		})
	}
}
