package reports_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/mailtest"
	"github.com/ombud/ombud/internal/report"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestReportGoalsAPI: goals and summary subscriptions over the JSON API,
// with the errors naming the field and the role rules.
func TestReportGoalsAPI(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			st, team := e.Do(t, authz.Admin, "POST", "/api/v1/teams", map[string]any{"name": "Billing"})
			if st != http.StatusCreated {
				t.Fatalf("create team: %d %v", st, team["_raw"])
			}
			teamID := int64(team["id"].(float64))
			st, goal := e.Do(t, authz.Manager, "POST", "/api/v1/report-goals", map[string]any{"metric": "sla_attainment", "target": 0.9})
			if st != http.StatusCreated || goal["op"] != ">=" || goal["target"] != 0.9 || goal["team_id"] != 0.0 {
				t.Fatalf("create goal: %d %v", st, goal["_raw"])
			}
			goalPath := fmt.Sprintf("/api/v1/report-goals/%d", int64(goal["id"].(float64)))
			type call struct {
				name   string
				role   authz.Role
				method string
				path   string
				body   any
				status int
				field  string // the error must name it
			}
			for _, c := range []call{
				{"duplicate", authz.Admin, "POST", "/api/v1/report-goals", map[string]any{"metric": "sla_attainment", "target": 0.5}, 409, "metric"},
				{"team goal", authz.Manager, "POST", "/api/v1/report-goals", map[string]any{"metric": "sla_attainment", "target": 0.5, "team_id": teamID}, 201, ""},
				{"percent", authz.Manager, "POST", "/api/v1/report-goals", map[string]any{"metric": "reopen_rate", "target": 25}, 400, "target"},
				{"zero seconds", authz.Manager, "POST", "/api/v1/report-goals", map[string]any{"metric": "first_reply_median", "target": 0}, 400, "target"},
				{"unknown metric", authz.Manager, "POST", "/api/v1/report-goals", map[string]any{"metric": "joy", "target": 1}, 400, "metric"},
				{"bad op", authz.Manager, "POST", "/api/v1/report-goals", map[string]any{"metric": "created", "target": 1, "op": "=="}, 400, "op"},
				{"missing team", authz.Manager, "POST", "/api/v1/report-goals", map[string]any{"metric": "created", "target": 1, "team_id": 99999}, 422, "team_id"},
				{"target as text", authz.Manager, "POST", "/api/v1/report-goals", `{"metric":"created","target":"ten"}`, 400, "target"},
				{"unknown field", authz.Manager, "POST", "/api/v1/report-goals", `{"metric":"created","target":1,"colour":"red"}`, 400, ""},
				{"broken json", authz.Manager, "POST", "/api/v1/report-goals", `{"metric":`, 400, ""},
				{"huge id", authz.Manager, "PATCH", "/api/v1/report-goals/99999999999999999999999", map[string]any{"target": 0.5}, 404, ""},
				{"agent creates", authz.Agent, "POST", "/api/v1/report-goals", map[string]any{"metric": "created", "target": 1}, 403, ""},
				{"qa creates", authz.QAReviewer, "POST", "/api/v1/report-goals", map[string]any{"metric": "created", "target": 1}, 403, ""},
				{"qa lists", authz.QAReviewer, "GET", "/api/v1/report-goals", nil, 200, ""},
				{"agent lists", authz.Agent, "GET", "/api/v1/report-goals", nil, 403, ""},
				{"patch target", authz.Manager, "PATCH", goalPath, map[string]any{"target": 0.8}, 200, ""},
				{"patch ratio too big", authz.Manager, "PATCH", goalPath, map[string]any{"target": 1.5}, 400, "target"},
				{"patch op", authz.Manager, "PATCH", goalPath, map[string]any{"op": "<"}, 400, "op"},
				{"patch metric", authz.Manager, "PATCH", goalPath, map[string]any{"metric": "created"}, 400, ""},
				{"patch missing", authz.Manager, "PATCH", "/api/v1/report-goals/999999", map[string]any{"target": 0.5}, 404, ""},
				{"status", authz.QAReviewer, "GET", "/api/v1/reports/goals?from=2026-01-01&to=2026-01-31&tz=Europe/Oslo", nil, 200, ""},
				{"status bad zone", authz.QAReviewer, "GET", "/api/v1/reports/goals?tz=Mars/Base", nil, 400, "tz"},
				{"status bad date", authz.QAReviewer, "GET", "/api/v1/reports/goals?from=yesterday", nil, 400, "from"},
				{"status bad team", authz.QAReviewer, "GET", "/api/v1/reports/goals?team_id=-3", nil, 400, "team_id"},
				{"status unknown param", authz.QAReviewer, "GET", "/api/v1/reports/goals?colour=red", nil, 400, ""},
				{"status csv", authz.Manager, "GET", "/api/v1/reports/goals?format=csv", nil, 200, ""},

				{"subscribe", authz.QAReviewer, "POST", "/api/v1/report-subscriptions", map[string]any{"frequency": "weekly"}, 201, ""},
				{"subscribe again", authz.QAReviewer, "POST", "/api/v1/report-subscriptions", map[string]any{"frequency": "weekly"}, 409, "frequency"},
				{"subscribe daily", authz.QAReviewer, "POST", "/api/v1/report-subscriptions", map[string]any{"frequency": "daily"}, 400, "frequency"},
				{"subscribe no team", authz.QAReviewer, "POST", "/api/v1/report-subscriptions", map[string]any{"frequency": "monthly", "team_id": 99999}, 422, "team_id"},
				{"subscribe team", authz.Manager, "POST", "/api/v1/report-subscriptions", map[string]any{"frequency": "monthly", "team_id": teamID}, 201, ""},
				{"agent subscribes", authz.Agent, "POST", "/api/v1/report-subscriptions", map[string]any{"frequency": "weekly"}, 403, ""},
				{"qa lists all", authz.QAReviewer, "GET", "/api/v1/report-subscriptions?all=true", nil, 403, ""},
				{"bad all", authz.Admin, "GET", "/api/v1/report-subscriptions?all=maybe", nil, 400, "all"},
			} {
				t.Run(c.name, func(t *testing.T) {
					st, body := e.Do(t, c.role, c.method, c.path, c.body)
					if st != c.status {
						t.Fatalf("status %d, want %d: %v", st, c.status, body["_raw"])
					}
					if c.status >= 400 {
						errObj, _ := body["error"].(map[string]any)
						if errObj == nil {
							t.Fatalf("no JSON error: %v", body["_raw"])
						}
						if c.field != "" {
							fields, _ := errObj["fields"].(map[string]any)
							if fields[c.field] == nil {
								t.Errorf("error does not name %s: %v", c.field, body["_raw"])
							}
						}
					}
				})
			}
			_, list := e.Do(t, authz.QAReviewer, "GET", "/api/v1/report-goals", nil)
			if data, _ := list["data"].([]any); len(data) != 2 {
				t.Errorf("goals: %v", list["_raw"])
			}
			_, status := e.Do(t, authz.QAReviewer, "GET", "/api/v1/reports/goals?from=2026-01-01&to=2026-01-31", nil)
			data, _ := status["data"].([]any)
			if len(data) != 2 {
				t.Fatalf("goal status: %v", status["_raw"])
			}
			first := data[0].(map[string]any)
			if first["value"] != nil || first["met"] != nil || len(first["trend"].([]any)) != 8 || first["label"] != "SLA attainment" {
				t.Errorf("goal status of an empty month: %v", first)
			}
			_, status = e.Do(t, authz.QAReviewer, "GET", fmt.Sprintf("/api/v1/reports/goals?team_id=%d", teamID), nil)
			if data, _ := status["data"].([]any); len(data) != 1 {
				t.Errorf("team goal status: %v", status["_raw"])
			}

			// Subscriptions are one's own; admins see all.
			_, own := e.Do(t, authz.QAReviewer, "GET", "/api/v1/report-subscriptions", nil)
			subs, _ := own["data"].([]any)
			if len(subs) != 1 {
				t.Fatalf("qa subscriptions: %v", own["_raw"])
			}
			subPath := fmt.Sprintf("/api/v1/report-subscriptions/%d", int64(subs[0].(map[string]any)["id"].(float64)))
			if _, all := e.Do(t, authz.Admin, "GET", "/api/v1/report-subscriptions?all=true", nil); len(all["data"].([]any)) != 2 {
				t.Errorf("all subscriptions: %v", all["_raw"])
			}
			if st, body := e.Do(t, authz.Manager, "DELETE", subPath, nil); st != http.StatusNotFound {
				t.Errorf("manager removes the qa reviewer's subscription: %d %v", st, body["_raw"])
			}
			if st, body := e.Do(t, authz.QAReviewer, "DELETE", subPath, nil); st != http.StatusNoContent {
				t.Errorf("unsubscribe: %d %v", st, body["_raw"])
			}
			if st, _ := e.Do(t, authz.Manager, "DELETE", goalPath, nil); st != http.StatusNoContent {
				t.Errorf("delete goal: %d", st)
			}
			if st, _ := e.Do(t, authz.Manager, "DELETE", goalPath, nil); st != http.StatusNotFound {
				t.Errorf("delete goal twice: %d", st)
			}
		})
	}
}

// TestReportGoalsPage: the goals page lists goals with their status, its
// forms add, change and delete them, and the subscription form works.
func TestReportGoalsPage(t *testing.T) {
	e := apptest.New(t, db.SQLite)
	mgr := webtest.SignIn(t, e, authz.Manager)
	qa := webtest.SignIn(t, e, authz.QAReviewer)
	webtest.RunPages(t, []webtest.PageCase{
		{Name: "empty", Who: mgr, Method: "GET", Path: "/reports/goals", Status: http.StatusOK,
			Want: []string{"<h1>Goals</h1>", "No goals yet.", "Add a goal", "Email me a weekly or monthly summary", "You receive no summary emails.",
				`<option value="first_reply_median">First reply time (median)</option>`}},
		{Name: "add", Who: mgr, Method: "POST", Path: "/reports/goals", Status: http.StatusSeeOther, Location: "/reports/goals?saved=1",
			Form: url.Values{"metric": {"first_reply_median"}, "team_id": {"0"}, "op": {""}, "target": {"60"}}},
		{Name: "add a rate in percent", Who: mgr, Method: "POST", Path: "/reports/goals", Status: http.StatusSeeOther,
			Form: url.Values{"metric": {"sla_attainment"}, "team_id": {"0"}, "target": {"90%"}}},
		{Name: "listed", Who: mgr, Method: "GET", Path: "/reports/goals?saved=1", Status: http.StatusOK,
			Want: []string{"Goal saved.", "First reply time (median)", "at most 1 h", "SLA attainment", "at least 90%", `value="60"`, `value="90"`}},
		{Name: "not a number", Who: mgr, Method: "POST", Path: "/reports/goals", Status: http.StatusBadRequest,
			Form: url.Values{"metric": {"created"}, "team_id": {"0"}, "target": {"lots"}}, Want: []string{"must be a number", `value="lots"`}},
		{Name: "duplicate", Who: mgr, Method: "POST", Path: "/reports/goals", Status: http.StatusConflict,
			Form: url.Values{"metric": {"first_reply_median"}, "team_id": {"0"}, "target": {"30"}}, Want: []string{"already has a goal"}},
		{Name: "rate over 100", Who: mgr, Method: "POST", Path: "/reports/goals", Status: http.StatusBadRequest,
			Form: url.Values{"metric": {"reopen_rate"}, "team_id": {"0"}, "target": {"150"}}, Want: []string{"between 0 and 1"}},
		{Name: "bad team", Who: mgr, Method: "POST", Path: "/reports/goals", Status: http.StatusBadRequest,
			Form: url.Values{"metric": {"created"}, "team_id": {"x"}, "target": {"3"}}},
		{Name: "subscribe", Who: qa, Method: "POST", Path: "/reports/subscriptions", Status: http.StatusSeeOther, Location: "/reports/goals?subscribed=1",
			Form: url.Values{"frequency": {"monthly"}, "team_id": {"0"}}},
		{Name: "subscribe twice", Who: qa, Method: "POST", Path: "/reports/subscriptions", Status: http.StatusConflict,
			Form: url.Values{"frequency": {"monthly"}, "team_id": {"0"}}, Want: []string{"The subscription was not saved: you already receive this summary."}},
		{Name: "subscribe bad team", Who: qa, Method: "POST", Path: "/reports/subscriptions", Status: http.StatusBadRequest,
			Form: url.Values{"frequency": {"monthly"}, "team_id": {"x"}}},
		{Name: "qa reads", Who: qa, Method: "GET", Path: "/reports/goals", Status: http.StatusOK,
			Want: []string{"First reply time (median)", "Monthly", "All teams", "Unsubscribe"}, NotWant: []string{"Add a goal", "/delete\" class=\"inline-form\">\n          <input type=\"hidden\" name=\"csrf_token\" value=\"\">"}},
		{Name: "qa may not add", Who: qa, Method: "POST", Path: "/reports/goals", Status: http.StatusForbidden,
			Form: url.Values{"metric": {"created"}, "target": {"3"}}},
		{Name: "bad period", Who: qa, Method: "GET", Path: "/reports/goals?from=soon", Status: http.StatusOK, Want: []string{"must be a date"}},
	})
	// Change, then delete, the first goal; unsubscribe.
	_, list := e.Do(t, authz.Manager, "GET", "/api/v1/report-goals", nil)
	id := int64(list["data"].([]any)[0].(map[string]any)["id"].(float64))
	_, subs := e.Do(t, authz.QAReviewer, "GET", "/api/v1/report-subscriptions", nil)
	sub := int64(subs["data"].([]any)[0].(map[string]any)["id"].(float64))
	webtest.RunPages(t, []webtest.PageCase{
		{Name: "change", Who: mgr, Method: "POST", Path: fmt.Sprintf("/reports/goals/%d", id), Status: http.StatusSeeOther,
			Form: url.Values{"op": {"<="}, "target": {"1h30m"}}},
		{Name: "changed", Who: mgr, Method: "GET", Path: "/reports/goals", Status: http.StatusOK, Want: []string{"at most 1 h 30 min", `value="90"`}},
		{Name: "change badly", Who: mgr, Method: "POST", Path: fmt.Sprintf("/reports/goals/%d", id), Status: http.StatusBadRequest,
			Form: url.Values{"target": {"-5"}}, Want: []string{"The goal was not saved: must be a number of seconds greater than 0."}},
		{Name: "change missing", Who: mgr, Method: "POST", Path: "/reports/goals/999999", Status: http.StatusNotFound, Form: url.Values{"target": {"5"}}},
		{Name: "qa may not delete", Who: qa, Method: "POST", Path: fmt.Sprintf("/reports/goals/%d/delete", id), Status: http.StatusForbidden},
		{Name: "delete", Who: mgr, Method: "POST", Path: fmt.Sprintf("/reports/goals/%d/delete", id), Status: http.StatusSeeOther, Location: "/reports/goals?deleted=1"},
		{Name: "manager may not unsubscribe the qa reviewer", Who: mgr, Method: "POST", Path: fmt.Sprintf("/reports/subscriptions/%d/delete", sub), Status: http.StatusNotFound},
		{Name: "unsubscribe", Who: qa, Method: "POST", Path: fmt.Sprintf("/reports/subscriptions/%d/delete", sub), Status: http.StatusSeeOther, Location: "/reports/goals?unsubscribed=1"},
		{Name: "after", Who: qa, Method: "GET", Path: "/reports/goals?unsubscribed=1", Status: http.StatusOK,
			Want: []string{"Subscription removed.", "You receive no summary emails.", "SLA attainment"}, NotWant: []string{"First reply time (median)</th>"}},
	})
}

// TestReportGoalsPageNorwegian: the page in an agent's language.
func TestReportGoalsPageNorwegian(t *testing.T) {
	e := apptest.New(t, db.SQLite)
	nb := "nb"
	if _, err := e.Sys.Agents.UpdateAgent(t.Context(), authz.System, e.Agents[authz.Manager].ID, agent.AgentPatch{Locale: &nb}); err != nil {
		t.Fatal(err)
	}
	mgr := webtest.SignIn(t, e, authz.Manager)
	webtest.RunPages(t, []webtest.PageCase{
		{Name: "nb", Who: mgr, Method: "GET", Path: "/reports/goals", Status: http.StatusOK,
			Want:    []string{`<html lang="nb">`, "<h1>Mål</h1>", "Ingen mål ennå.", "Send meg et ukentlig eller månedlig sammendrag på e-post"},
			NotWant: []string{"No goals yet."}},
	})
}

// TestSummaryEmailEndToEnd: a subscription's summary goes through the jobs
// outbox and the email channel to an SMTP server, as text and HTML.
func TestSummaryEmailEndToEnd(t *testing.T) {
	e := apptest.NewWith(t, db.SQLite, nil)
	capture := mailtest.StartCapture(t)
	host, port, _ := net.SplitHostPort(capture.Addr())
	var portNum int
	fmt.Sscan(port, &portNum)
	if st, mb := e.Do(t, authz.Admin, "POST", "/api/v1/mailboxes", map[string]any{
		"address": "support@example.com", "name": "Support",
		"smtp": map[string]any{"host": host, "port": portNum, "security": "none"},
	}); st != http.StatusCreated {
		t.Fatalf("create mailbox: %d %v", st, mb["_raw"])
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = e.Sys.Jobs.Run(ctx) }()
	t.Cleanup(func() { cancel(); wg.Wait() })

	if st, body := e.Do(t, authz.Manager, "POST", "/api/v1/report-subscriptions", map[string]any{"frequency": "weekly"}); st != http.StatusCreated {
		t.Fatalf("subscribe: %d %v", st, body["_raw"])
	}
	// A week on, the next summary is due (the manager's zone is UTC). The
	// second call, an hour later, must fall in the same period: weekly
	// periods turn on Mondays at report.SendHour, so a run in the hour
	// before it (as CI once did) asks an hour earlier instead.
	next := time.Now().AddDate(0, 0, 7)
	if next.UTC().Weekday() == time.Monday && next.UTC().Hour() == report.SendHour-1 {
		next = next.Add(-time.Hour)
	}
	if err := e.Sys.Reports.SendSummaries(ctx, next); err != nil {
		t.Fatal(err)
	}
	if err := e.Sys.Reports.SendSummaries(ctx, next.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	msgs := capture.Wait(t, 1, 20*time.Second)
	env, err := enmime.ReadEnvelope(bytes.NewReader(msgs[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs[0].To) != 1 || msgs[0].To[0] != "manager@ombud.test" {
		t.Errorf("sent to %v", msgs[0].To)
	}
	if s := env.GetHeader("Subject"); !strings.HasPrefix(s, "Ombud weekly summary: ") {
		t.Errorf("subject %q", s)
	}
	if !strings.Contains(env.Text, "Tickets created: 0") || !strings.Contains(env.HTML, "<td>Tickets created</td>") ||
		env.GetHeader("Auto-Submitted") != "auto-generated" {
		t.Errorf("text:\n%s\nhtml:\n%s", env.Text, env.HTML)
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(capture.Messages()); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
}
