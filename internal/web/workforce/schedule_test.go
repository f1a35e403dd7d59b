package workforce_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestSchedulePages: the schedule pages per role on both engines: a lead
// saves a pattern, the agent asks for time off and the lead approves it,
// coverage with a proposal that the lead accepts, adherence, the agent's
// calendar feed, and the JSON API with its CSV export.
func TestSchedulePages(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			manager, agent := webtest.SignIn(t, e, authz.Manager), webtest.SignIn(t, e, authz.Agent)
			qa := webtest.SignIn(t, e, authz.QAReviewer)
			ag := e.Agents[authz.Agent]
			pat := fmt.Sprintf("/workforce/schedule/agents/%d", ag.ID)
			mpat := fmt.Sprintf("/workforce/schedule/agents/%d", e.Agents[authz.Manager].ID)
			form := webtest.Vals("calendar_id", "0")
			for wd := 1; wd <= 5; wd++ {
				k := fmt.Sprintf("d%d_", wd)
				form.Set(k+"on", "1")
				form.Set(k+"start", "08:00")
				form.Set(k+"end", "16:00")
				form.Set(k+"break", "12:00")
				form.Set(k+"break_min", "30")
			}
			bad := webtest.Vals("d1_on", "1", "d1_start", "08:00", "d1_end", "16:00", "d1_break", "18:00", "d1_break_min", "30")
			now := time.Now()
			nextMon := now.AddDate(0, 0, 7-(int(now.Weekday())+6)%7).Format(time.DateOnly)
			nextTue := now.AddDate(0, 0, 8-(int(now.Weekday())+6)%7).Format(time.DateOnly)
			nextThu := now.AddDate(0, 0, 10-(int(now.Weekday())+6)%7).Format(time.DateOnly)
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "empty schedule", Who: manager, Method: "GET", Path: "/workforce/schedule", Status: 200, Want: []string{"Team schedule", "Nobody is on the schedule yet.", `action="/workforce/schedule/agent"`}},
				{Name: "in the admin menu", Who: agent, Method: "GET", Path: "/workforce/schedule", Status: 200, Want: []string{`href="/workforce/requests"`}, NotWant: []string{`href="/workforce/coverage"`}},
				{Name: "pattern page", Who: manager, Method: "GET", Path: pat, Status: 200, Want: []string{"Weekly pattern: Test agent", `name="d1_start"`, "Not on the schedule yet"}},
				{Name: "agents may not edit", Who: agent, Method: "POST", Path: pat, Form: form, Status: 403},
				{Name: "break outside the shift", Who: manager, Method: "POST", Path: pat, Form: bad, Status: 422, Want: []string{"Check the pattern.", "break must lie within the shift"}},
				{Name: "pattern saved", Who: manager, Method: "POST", Path: pat, Form: form, Status: 303, Location: pat + "?saved=1"},
				{Name: "on the week view", Who: agent, Method: "GET", Path: "/workforce/schedule?from=" + nextMon, Status: 200, Want: []string{"Test agent", "08:00–16:00", "Break: 12:00–12:30", "Off"}},
				{Name: "day view with change forms", Who: manager, Method: "GET", Path: "/workforce/schedule?view=day&from=" + nextMon, Status: 200, Want: []string{"Change day", `value="08:00"`}},
				{Name: "day view without forms for agents", Who: agent, Method: "GET", Path: "/workforce/schedule?view=day&from=" + nextMon, Status: 200, NotWant: []string{"Change day"}},
				{Name: "bad time off", Who: agent, Method: "POST", Path: "/workforce/time-off", Form: webtest.Vals("from", "soon", "to", nextTue), Status: 422, Want: []string{"Check the request.", "must be a date (YYYY-MM-DD)"}},
				{Name: "time off asked", Who: agent, Method: "POST", Path: "/workforce/time-off", Form: webtest.Vals("from", nextTue, "to", nextTue, "reason", "Dentist"), Status: 303, Location: "/workforce/requests?requested=1"},
				{Name: "agents may not decide", Who: agent, Method: "POST", Path: "/workforce/time-off/1/decide", Form: webtest.Vals("status", "approved"), Status: 403},
				{Name: "the lead sees it", Who: manager, Method: "GET", Path: "/workforce/requests", Status: 200, Want: []string{"Dentist", `action="/workforce/time-off/1/decide"`}},
				{Name: "approved", Who: manager, Method: "POST", Path: "/workforce/time-off/1/decide", Form: webtest.Vals("status", "approved"), Status: 303, Location: "/workforce/requests?decided=1"},
				{Name: "the day is time off", Who: agent, Method: "GET", Path: "/workforce/schedule?from=" + nextMon, Status: 200, Want: []string{"Time off"}},
				{Name: "the lead's own pattern", Who: manager, Method: "POST", Path: mpat, Form: form, Status: 303, Location: mpat + "?saved=1"},
				{Name: "swap with yourself", Who: agent, Method: "POST", Path: "/workforce/swaps", Form: webtest.Vals("partner_id", fmt.Sprint(ag.ID), "date", nextMon), Status: 422, Want: []string{"must be another agent"}},
				{Name: "swap asked", Who: agent, Method: "POST", Path: "/workforce/swaps", Form: webtest.Vals("partner_id", fmt.Sprint(e.Agents[authz.Manager].ID), "date", nextMon, "note", "Concert"), Status: 303, Location: "/workforce/requests?requested=1"},
				{Name: "agents may not approve swaps", Who: agent, Method: "POST", Path: "/workforce/swaps/1/decide", Form: webtest.Vals("status", "approved"), Status: 403},
				{Name: "the lead sees the swap", Who: manager, Method: "GET", Path: "/workforce/requests", Status: 200, Want: []string{"Concert", `action="/workforce/swaps/1/decide"`}},
				{Name: "swap approved", Who: manager, Method: "POST", Path: "/workforce/swaps/1/decide", Form: webtest.Vals("status", "approved"), Status: 303, Location: "/workforce/requests?decided=1"},
				{Name: "swapped on the week view", Who: agent, Method: "GET", Path: "/workforce/schedule?from=" + nextMon, Status: 200, Want: []string{"swapped"}},
				{Name: "day changed", Who: manager, Method: "POST", Path: pat + "/changes", Form: webtest.Vals("date", nextThu, "start", "10:00", "end", "18:30", "break", "14:00", "break_min", "45"), Status: 303, Location: "/workforce/schedule?"},
				{Name: "the change shows", Who: manager, Method: "GET", Path: "/workforce/schedule?view=day&from=" + nextThu, Status: 200, Want: []string{"10:00–18:30", "Break: 14:00–14:45", "Back to the pattern"}},
				{Name: "agents may not change days", Who: agent, Method: "POST", Path: pat + "/changes", Form: webtest.Vals("date", nextMon, "off", "1"), Status: 403},
				{Name: "change cleared", Who: manager, Method: "POST", Path: pat + "/changes", Form: webtest.Vals("date", nextThu, "clear", "1"), Status: 303},
				{Name: "coverage", Who: manager, Method: "GET", Path: "/workforce/coverage?week=" + nextMon, Status: 200, Want: []string{"Short this week", `id="coverage-days"`}},
				{Name: "coverage too far", Who: manager, Method: "GET", Path: "/workforce/coverage?week=2099-01-05", Status: 422, Want: []string{"must be within 6 weeks from today"}},
				{Name: "agents may not see coverage", Who: agent, Method: "GET", Path: "/workforce/coverage", Status: 403},
				{Name: "QA reviewers neither", Who: qa, Method: "GET", Path: "/workforce/coverage", Status: 403},
				{Name: "proposal", Who: manager, Method: "GET", Path: "/workforce/coverage?propose=1&week=" + nextMon, Status: 200, Want: []string{"Proposed schedule", `action="/workforce/coverage/accept"`}},
				{Name: "accept", Who: manager, Method: "POST", Path: "/workforce/coverage/accept", Form: webtest.Vals("week", nextMon, "channel", "phone"), Status: 303, Location: "/workforce/coverage?"},
				{Name: "adherence", Who: manager, Method: "GET", Path: "/workforce/adherence", Status: 200, Want: []string{"Adherence and occupancy", "Test agent"}},
				{Name: "agents may not see adherence", Who: agent, Method: "GET", Path: "/workforce/adherence", Status: 403},
			})

			// The calendar feed: shown once, read without signing in,
			// switched off by the agent.
			st, body, _ := agent.Do(t, "POST", "/workforce/schedule/feed", webtest.Vals())
			m := regexp.MustCompile(`/schedule-feed/([A-Za-z0-9_-]+)\.ics`).FindStringSubmatch(body)
			if st != 200 || m == nil {
				t.Fatalf("feed: %d %s", st, webtest.Excerpt(body))
			}
			anon := webtest.Anonymous(e)
			st, ics, _ := anon.Do(t, "GET", "/schedule-feed/"+m[1]+".ics", nil)
			if st != 200 || !strings.Contains(ics, "BEGIN:VCALENDAR") || !strings.Contains(ics, "SUMMARY:Shift") || !strings.Contains(ics, "DESCRIPTION:Break: 12:00–12:30") {
				t.Fatalf("ics: %d %s", st, webtest.Excerpt(ics))
			}
			if st, _, _ := agent.Do(t, "POST", "/workforce/schedule/feed/revoke", webtest.Vals()); st != 303 {
				t.Fatalf("revoke: %d", st)
			}
			if st, _, _ := anon.Do(t, "GET", "/schedule-feed/"+m[1]+".ics", nil); st != 404 {
				t.Fatalf("revoked feed: %d", st)
			}

			// The API.
			api := []struct {
				name   string
				role   authz.Role
				method string
				path   string
				body   any
				status int
				field  string
			}{
				{"roster", authz.Agent, "GET", "/api/v1/schedules?from=" + nextMon, nil, 200, ""},
				{"roster bad days", authz.Agent, "GET", "/api/v1/schedules?days=99", nil, 400, "days"},
				{"time off without dates", authz.Agent, "POST", "/api/v1/time-off", map[string]any{"reason": "x"}, 400, "from"},
				{"time off", authz.Agent, "POST", "/api/v1/time-off", map[string]any{"from": nextMon, "to": nextMon}, 201, ""},
				{"bad decision", authz.Manager, "POST", "/api/v1/time-off/2/decision", map[string]any{"status": "maybe"}, 400, "status"},
				{"declined", authz.Manager, "POST", "/api/v1/time-off/2/decision", map[string]any{"status": "declined"}, 200, ""},
				{"decided twice", authz.Manager, "POST", "/api/v1/time-off/2/decision", map[string]any{"status": "approved"}, 409, "status"},
				{"swap with nobody", authz.Agent, "POST", "/api/v1/swaps", map[string]any{"partner_id": ag.ID, "date": nextMon}, 400, "partner_id"},
				{"pattern", authz.Manager, "PUT", fmt.Sprintf("/api/v1/schedules/%d/pattern", e.Agents[authz.Manager].ID),
					map[string]any{"days": []any{nil, map[string]any{"start": "12:00", "end": "20:00"}, nil, nil, nil, nil, nil}}, 200, ""},
				{"bad pattern", authz.Manager, "PUT", fmt.Sprintf("/api/v1/schedules/%d/pattern", ag.ID),
					map[string]any{"days": []any{nil, map[string]any{"start": "25:00", "end": "20:00"}, nil, nil, nil, nil, nil}}, 400, "monday"},
				{"day change", authz.Manager, "PUT", fmt.Sprintf("/api/v1/schedules/%d/days/%s", ag.ID, nextMon), map[string]any{"off": true}, 204, ""},
				{"coverage for agents", authz.Agent, "GET", "/api/v1/coverage", nil, 403, ""},
				{"coverage", authz.Manager, "GET", "/api/v1/coverage?week=" + nextMon, nil, 200, ""},
				{"coverage bad format", authz.Manager, "GET", "/api/v1/coverage?format=xml", nil, 400, "format"},
				{"proposal", authz.Manager, "GET", "/api/v1/coverage/proposal?week=" + nextMon, nil, 200, ""},
				{"adherence", authz.Manager, "GET", "/api/v1/adherence", nil, 200, ""},
			}
			for _, tc := range api {
				st, body := e.Do(t, tc.role, tc.method, tc.path, tc.body)
				if st != tc.status {
					t.Errorf("%s: %d %v, want %d", tc.name, st, body, tc.status)
					continue
				}
				if tc.field != "" {
					fields, _ := body["error"].(map[string]any)["fields"].(map[string]any)
					if fields[tc.field] == nil {
						t.Errorf("%s: no error for %s: %v", tc.name, tc.field, body)
					}
				}
			}
			rows := webtest.GetCSV(t, e, "/api/v1/coverage?format=csv&week="+nextMon)
			if len(rows) < 1 || strings.Join(rows[0], ",") != "date,start,zone,channel,required,needed,scheduled,gap" {
				t.Errorf("coverage csv: %v", rows)
			}
			rows = webtest.GetCSV(t, e, "/api/v1/schedules?format=csv&from="+nextMon)
			if len(rows) != 1+2*7 {
				t.Errorf("schedule csv: %d rows", len(rows))
			}
		})
	}
}
