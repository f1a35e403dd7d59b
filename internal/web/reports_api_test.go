package web_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestReportAPI(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			ids := webtest.ReportFixture(t, e)

			st, body := e.Do(t, authz.Manager, "GET", "/api/v1/reports/overview", nil)
			if st != http.StatusOK {
				t.Fatalf("overview: %d %v", st, body["_raw"])
			}
			cur := body["current"].(map[string]any)
			if cur["created"] != 3.0 || cur["solved"] != 1.0 || cur["backlog_end"] != 2.0 || cur["agent_replies"] != 1.0 {
				t.Errorf("overview current = %v", cur)
			}
			if cur["first_reply_median"] == nil || cur["one_touch_rate"] != 1.0 {
				t.Errorf("first reply median %v, one-touch %v", cur["first_reply_median"], cur["one_touch_rate"])
			}

			// CSV, as a spreadsheet reads it.
			rows := webtest.GetCSV(t, e, "/api/v1/reports/overview?format=csv")
			if len(rows) < 10 || rows[0][0] != "metric" {
				t.Fatalf("overview csv = %v", rows)
			}
			found := false
			for _, r := range rows {
				if r[0] == "created" && r[3] == "3" {
					found = true
				}
			}
			if !found {
				t.Errorf("no created=3 row in %v", rows)
			}

			rows = webtest.GetCSV(t, e, "/api/v1/reports/breakdown?by=channel&format=csv")
			byChannel := map[string]string{}
			for _, r := range rows[1:] {
				byChannel[r[0]] = r[1]
			}
			if byChannel["email"] != "2" || byChannel["phone"] != "1" {
				t.Errorf("breakdown by channel = %v", rows)
			}
			// Each row's backlog at the end is its own (one email ticket
			// solved), in the CSV and the JSON alike.
			backlogCol := slices.Index(rows[0], "backlog")
			backlogs := map[string]string{}
			for _, r := range rows[1:] {
				if backlogCol > 0 {
					backlogs[r[0]] = r[backlogCol]
				}
			}
			if backlogs["email"] != "1" || backlogs["phone"] != "1" {
				t.Errorf("breakdown backlog by channel = %v (header %v)", backlogs, rows[0])
			}
			st, body = e.Do(t, authz.Manager, "GET", "/api/v1/reports/breakdown?by=channel", nil)
			if st != http.StatusOK {
				t.Fatalf("breakdown: %d %v", st, body["_raw"])
			}
			for _, r := range body["data"].([]any) {
				row := r.(map[string]any)
				if got := row["figures"].(map[string]any)["backlog_end"]; got != 1.0 {
					t.Errorf("breakdown %v backlog_end = %v, want 1", row["key"], got)
				}
			}
			// Filters apply everywhere: only the phone ticket.
			st, body = e.Do(t, authz.Manager, "GET", "/api/v1/reports/overview?channel=phone", nil)
			if st != http.StatusOK || body["current"].(map[string]any)["created"] != 1.0 {
				t.Errorf("phone overview: %d %v", st, body["_raw"])
			}
			st, body = e.Do(t, authz.Manager, "GET", "/api/v1/reports/overview?tag=b", nil)
			if st != http.StatusOK || body["current"].(map[string]any)["created"] != 1.0 {
				t.Errorf("tag overview: %d %v", st, body["_raw"])
			}

			// The facts behind the first reply figure name the ticket.
			st, body = e.Do(t, authz.Manager, "GET", "/api/v1/reports/facts?kind=first_reply", nil)
			raw := body["_raw"].(string)
			lines := strings.Split(strings.TrimSpace(raw), "\n")
			if st != http.StatusOK || len(lines) != 1 || !strings.Contains(lines[0], `"ticket_id":`+itoa(ids[0])) {
				t.Errorf("facts: %d %q", st, raw)
			}
			// With a tag, only that tag's tickets.
			st, body = e.Do(t, authz.Manager, "GET", "/api/v1/reports/facts?kind=created&tag=b", nil)
			raw = body["_raw"].(string)
			if lines := strings.Split(strings.TrimSpace(raw), "\n"); st != http.StatusOK || len(lines) != 1 || !strings.Contains(lines[0], `"ticket_id":`+itoa(ids[1])) {
				t.Errorf("facts by tag: %d %q", st, raw)
			}
			// The raw event log: created ×3, comment_added ×4, status_changed.
			rows = webtest.GetCSV(t, e, "/api/v1/reports/events?format=csv")
			types := map[string]int{}
			for _, r := range rows[1:] {
				types[r[3]]++
			}
			if types["created"] != 3 || types["comment_added"] != 4 {
				t.Errorf("event export types = %v", types)
			}
			for _, path := range []string{"/api/v1/reports/series", "/api/v1/reports/heatmap", "/api/v1/reports/backlog-ages", "/api/v1/reports/tags",
				"/api/v1/reports/series?bucket=week&format=csv", "/api/v1/reports/heatmap?format=csv", "/api/v1/reports/tags?format=csv&limit=5",
				"/api/v1/reports/chat", "/api/v1/reports/chat?format=csv"} {
				if st, body := e.Do(t, authz.Manager, "GET", path, nil); st != http.StatusOK {
					t.Errorf("%s: %d %v", path, st, body["_raw"])
				}
			}

			bad := []struct{ path, field string }{
				{"/api/v1/reports/overview?from=yesterday", "from"},
				{"/api/v1/reports/overview?from=2026-03-02&to=2026-03-01", "to"},
				{"/api/v1/reports/overview?from=2020-01-01&to=2026-01-01", "to"},
				{"/api/v1/reports/overview?tz=Mars/Olympus", "tz"},
				{"/api/v1/reports/overview?channel=pigeon", "channel"},
				{"/api/v1/reports/overview?team_id=-4", "team_id"},
				{"/api/v1/reports/overview?format=xlsx", "format"},
				{"/api/v1/reports/overview?colour=red", "colour"},
				{"/api/v1/reports/breakdown?by=weather", "by"},
				{"/api/v1/reports/series?bucket=fortnight", "bucket"},
				{"/api/v1/reports/facts?kind=vibes", "kind"},
				{"/api/v1/reports/tags?limit=1000", "limit"},
				{"/api/v1/reports/chat?from=2026-03-02&to=2026-03-01", "to"},
			}
			for _, b := range bad {
				st, body := e.Do(t, authz.Manager, "GET", b.path, nil)
				if st != http.StatusBadRequest {
					t.Errorf("%s: %d, want 400", b.path, st)
					continue
				}
				fields, _ := body["error"].(map[string]any)["fields"].(map[string]any)
				if _, ok := fields[b.field]; !ok {
					t.Errorf("%s: error %v does not name %s", b.path, body["error"], b.field)
				}
			}
			for role, want := range map[authz.Role]int{authz.Agent: 403, authz.Collaborator: 403, authz.QAReviewer: 200, authz.Admin: 200} {
				if st, _ := e.Do(t, role, "GET", "/api/v1/reports/overview", nil); st != want {
					t.Errorf("%s: %d, want %d", role, st, want)
				}
			}
		})
	}
}
