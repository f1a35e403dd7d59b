package admin_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/jobs"
	"github.com/ombud/ombud/internal/web/webtest"
)

func TestJobsPage(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			ctx := context.Background()
			var id int64
			err := e.Sys.DB.Write(ctx, func(tx *db.Tx) error {
				if _, err := jobs.Enqueue(ctx, tx, time.Now(), jobs.New{Kind: "email.send", Key: "x", Payload: map[string]int{"outbound_id": 1}}); err != nil {
					return err
				}
				return tx.QueryRowContext(ctx, `SELECT id FROM jobs WHERE idem_key = 'x'`).Scan(&id)
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := e.Sys.DB.Write(ctx, func(tx *db.Tx) error {
				_, err := tx.ExecContext(ctx, `UPDATE jobs SET state = 'dead', attempts = 8, last_error = 'smtp: 550 mailbox unavailable' WHERE id = ?`, id)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			admin := webtest.SignIn(t, e, authz.Admin)
			st, page, _ := admin.Do(t, "GET", "/admin/jobs", nil)
			if st != 200 || !strings.Contains(page, "550 mailbox unavailable") || !strings.Contains(page, "email.send") {
				t.Fatalf("jobs page: %d %s", st, webtest.Excerpt(page))
			}
			st, _, loc := admin.Do(t, "POST", fmt.Sprintf("/admin/jobs/%d/retry", id), url.Values{})
			if st != 303 || !strings.Contains(loc, "retried=") {
				t.Fatalf("retry: %d %s", st, loc)
			}
			_, j := e.Do(t, authz.Admin, "GET", fmt.Sprintf("/api/v1/jobs/%d", id), nil)
			if j["state"] != "queued" {
				t.Fatalf("after retry: %v", j["_raw"])
			}
			if st, _, _ := admin.Do(t, "POST", fmt.Sprintf("/admin/jobs/%d/retry", id), url.Values{}); st != 409 {
				t.Fatalf("retrying a queued job: %d, want 409", st)
			}
			if st, _, _ := admin.Do(t, "GET", "/admin/jobs?state=lost", nil); st != 400 {
				t.Fatalf("bad state: %d", st)
			}
			mgr := webtest.SignIn(t, e, authz.Manager)
			if st, _, _ := mgr.Do(t, "GET", "/admin/jobs", nil); st != 403 {
				t.Fatalf("manager: %d, want 403", st)
			}
		})
	}
}
