package admin_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/routing"
	"github.com/ombud/ombud/internal/sla"
	"github.com/ombud/ombud/internal/web/webtest"
)

// calendarFormValues is a complete calendar form; set overrides fields.
func calendarFormValues(set map[string]string) url.Values {
	f := webtest.Vals("name", "Oslo office", "time_zone", "Europe/Oslo", "time_zone_other", "",
		// The second interval is typed in the third column: the gap is dropped.
		"schedule.mon[0].start", "08:00", "schedule.mon[0].end", "12:00",
		"schedule.mon[2].start", "13:00", "schedule.mon[2].end", "17:00",
		"schedule.fri[0].start", "22:00", "schedule.fri[0].end", "02:00",
		"holidays", "2026-12-24 Christmas Eve yearly\n\n2026-04-03 Good Friday")
	for k, v := range set {
		f.Set(k, v)
	}
	return f
}

func calendarByName(t *testing.T, e *apptest.Env, name string) sla.BusinessCalendar {
	t.Helper()
	list, err := e.Sys.SLA.ListCalendars(t.Context(), authz.System)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no calendar %s", name)
	return sla.BusinessCalendar{}
}

func policyIDs(t *testing.T, e *apptest.Env) map[string]int64 {
	t.Helper()
	list, err := e.Sys.SLA.ListPolicies(t.Context(), authz.System)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, p := range list {
		out[p.Name] = p.ID
	}
	return out
}

func ruleIDs(t *testing.T, e *apptest.Env, kind automation.Kind) ([]string, map[string]int64) {
	t.Helper()
	list, err := e.Sys.Automation.ListRules(t.Context(), authz.System, kind)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	ids := map[string]int64{}
	for _, r := range list.Data {
		names = append(names, r.Name)
		ids[r.Name] = r.ID
	}
	return names, ids
}

// TestRulesPages drives the business-rule pages (hours, SLA policies,
// triggers, automations, routing, macros) through real sign-ins and forms.
func TestRulesPages(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			ctx := t.Context()
			st, body := e.Do(t, authz.Admin, "POST", "/api/v1/teams", map[string]any{"name": "Billing"})
			if st != http.StatusCreated {
				t.Fatalf("create team: %d %v", st, body["_raw"])
			}
			teamID := int64(body["id"].(float64))
			manager, agent := webtest.SignIn(t, e, authz.Manager), webtest.SignIn(t, e, authz.Agent)
			agentID := e.Agents[authz.Agent].ID

			// Business calendars.
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "calendar list", Who: manager, Method: "GET", Path: "/admin/calendars", Status: 200,
					Want: []string{"Business hours", "Add a calendar", `href="/admin/sla-policies"`, `href="/admin/macros"`, `aria-current="page"`}},
				{Name: "agent reads the calendars", Who: agent, Method: "GET", Path: "/admin/calendars", Status: 200, NotWant: []string{"Add a calendar"}},
				{Name: "new calendar form", Who: manager, Method: "GET", Path: "/admin/calendars/new", Status: 200,
					Want: []string{`name="schedule.mon[0].start"`, `value="08:00"`, `<option value="Europe/Oslo">`, "Add calendar"}},
				{Name: "agent may not add a calendar", Who: agent, Method: "POST", Path: "/admin/calendars", Form: calendarFormValues(nil), Status: 403},
				{Name: "bad time zone keeps the form", Who: manager, Method: "POST", Path: "/admin/calendars",
					Form: calendarFormValues(map[string]string{"time_zone_other": "Mars/Olympus", "name": "Typed name"}), Status: 400,
					Want: []string{"must be an IANA time zone", `value="Mars/Olympus"`, `value="Typed name"`, `value="13:00"`, "Christmas Eve yearly", `id="e-time_zone"`, "Please correct the following"}},
				{Name: "bad time next to its interval", Who: manager, Method: "POST", Path: "/admin/calendars",
					Form: calendarFormValues(map[string]string{"schedule.mon[2].end": "25:00"}), Status: 400,
					Want: []string{"must be a time HH:MM", `id="e-schedule.mon[2]"`, `value="25:00"`}},
				{Name: "overlap names the interval", Who: manager, Method: "POST", Path: "/admin/calendars",
					Form: calendarFormValues(map[string]string{"schedule.mon[2].start": "11:00"}), Status: 400,
					Want: []string{"overlaps Monday interval 1", `id="e-schedule.mon[2]"`}},
				{Name: "bad holiday names its line", Who: manager, Method: "POST", Path: "/admin/calendars",
					Form: calendarFormValues(map[string]string{"holidays": "2026-12-24 Christmas Eve\n2026-13-40 Nope"}), Status: 400,
					Want: []string{"line 2 (date): must be a date YYYY-MM-DD", `id="e-holidays"`}},
				{Name: "calendar created", Who: manager, Method: "POST", Path: "/admin/calendars", Form: calendarFormValues(nil), Status: 303, Location: "/admin/calendars/"},
				{Name: "calendar name taken", Who: manager, Method: "POST", Path: "/admin/calendars", Form: calendarFormValues(nil), Status: 409,
					Want: []string{"a business calendar with this name exists"}},
				{Name: "calendar in the list", Who: manager, Method: "GET", Path: "/admin/calendars", Status: 200,
					Want: []string{"Oslo office", "Europe/Oslo", "Mon 08:00–12:00, 13:00–17:00; Fri 22:00–02:00"}},
			})
			cal := calendarByName(t, e, "Oslo office")
			if len(cal.Schedule.Mon) != 2 || cal.Schedule.Mon[1].Start != "13:00" || len(cal.Holidays) != 2 || !cal.Holidays[0].Yearly ||
				cal.Holidays[0].Name != "Christmas Eve" || cal.Holidays[1].Yearly {
				t.Fatalf("stored calendar: %+v", cal)
			}
			cp := fmt.Sprintf("/admin/calendars/%d", cal.ID)
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "calendar page", Who: manager, Method: "GET", Path: cp + "?saved=1", Status: 200,
					Want: []string{"Calendar saved.", `value="Oslo office"`, `<option value="Europe/Oslo" selected>`, `value="22:00"`, "2026-04-03 Good Friday"}},
				{Name: "calendar edit with a typed zone", Who: manager, Method: "POST", Path: cp,
					Form: calendarFormValues(map[string]string{"time_zone": "", "time_zone_other": "America/Argentina/Ushuaia"}), Status: 303, Location: cp},
				{Name: "agent may not edit", Who: agent, Method: "POST", Path: cp, Form: calendarFormValues(nil), Status: 403},
			})
			if c := calendarByName(t, e, "Oslo office"); c.TimeZone != "America/Argentina/Ushuaia" {
				t.Fatalf("time zone after edit: %q", c.TimeZone)
			}

			// SLA policies.
			vip := webtest.Vals("name", "VIP", "active", "on", "priority", "high", "priority", "urgent", "channel", "email", "tags", "vip",
				"targets.high.first_reply", "1h30m", "targets.high.resolution", "8h",
				"targets.high.business_hours", "on", "targets.high.calendar_id", fmt.Sprint(cal.ID),
				"targets.urgent.first_reply", "30m")
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "policy list empty", Who: manager, Method: "GET", Path: "/admin/sla-policies", Status: 200, Want: []string{"No SLA policies yet", "Add a policy"}},
				{Name: "new policy form", Who: manager, Method: "GET", Path: "/admin/sla-policies/new", Status: 200,
					Want: []string{`name="targets.urgent.first_reply"`, `name="priority" value="high"`, "Oslo office", "Billing", "Add policy"}},
				{Name: "agent may not add a policy", Who: agent, Method: "POST", Path: "/admin/sla-policies", Form: vip, Status: 403},
				{Name: "bad target keeps the form", Who: manager, Method: "POST", Path: "/admin/sla-policies",
					Form: webtest.Vals("name", "Typed policy", "priority", "low", "targets.low.first_reply", "soon", "targets.low.resolution", "2h"), Status: 400,
					Want: []string{"must be a duration in hours and minutes", `value="soon"`, `value="2h"`, `value="Typed policy"`, `value="low" checked`, `id="e-targets.low.first_reply"`}},
				{Name: "business hours need a calendar", Who: manager, Method: "POST", Path: "/admin/sla-policies",
					Form: webtest.Vals("name", "No calendar", "targets.normal.first_reply", "1h", "targets.normal.business_hours", "on"), Status: 400,
					Want: []string{"is required with business_hours"}},
				{Name: "no targets", Who: manager, Method: "POST", Path: "/admin/sla-policies", Form: webtest.Vals("name", "Empty"), Status: 400,
					Want: []string{"needs targets for at least one priority"}},
				{Name: "VIP created", Who: manager, Method: "POST", Path: "/admin/sla-policies", Form: vip, Status: 303, Location: "/admin/sla-policies/"},
				{Name: "Default created", Who: manager, Method: "POST", Path: "/admin/sla-policies",
					Form: webtest.Vals("name", "Default", "active", "on", "targets.normal.first_reply", "4h"), Status: 303, Location: "/admin/sla-policies/"},
				{Name: "calendar in use is not deleted", Who: manager, Method: "POST", Path: cp + "/delete", Status: 409,
					Want: []string{"The calendar was not deleted", "used by SLA policy"}},
			})
			ids := policyIDs(t, e)
			pp := fmt.Sprintf("/admin/sla-policies/%d", ids["VIP"])
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "policy list in order", Who: agent, Method: "GET", Path: "/admin/sla-policies", Status: 200,
					Want: []string{"VIP", "Default", "first reply 1h30m"}, NotWant: []string{"Add a policy", "/move"}},
				{Name: "policy page", Who: manager, Method: "GET", Path: pp, Status: 200,
					Want: []string{`value="1h30m"`, `value="8h"`, `value="high" checked`, `value="email" checked`, `value="vip"`, "Save policy",
						fmt.Sprintf(`<option value="%d" selected>Oslo office`, cal.ID)}},
				{Name: "move Default up", Who: manager, Method: "POST", Path: fmt.Sprintf("/admin/sla-policies/%d/move", ids["Default"]),
					Form: webtest.Vals("direction", "up"), Status: 303, Location: "/admin/sla-policies?moved=1"},
				{Name: "agent may not reorder", Who: agent, Method: "POST", Path: fmt.Sprintf("/admin/sla-policies/%d/move", ids["VIP"]),
					Form: webtest.Vals("direction", "up"), Status: 403},
				{Name: "policy edit", Who: manager, Method: "POST", Path: pp,
					Form: webtest.Vals("name", "VIP customers", "active", "on", "team_id", fmt.Sprint(teamID), "targets.urgent.first_reply", "15m"), Status: 303, Location: pp},
			})
			list, err := e.Sys.SLA.ListPolicies(ctx, authz.System)
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 2 || list[0].Name != "Default" || list[1].Name != "VIP customers" {
				t.Fatalf("policies after move and edit: %+v", list)
			}
			if p := list[1]; len(p.Conditions) != 1 || p.Conditions[0].Field != "team_id" || p.Targets["urgent"].FirstReply != "15m" || len(p.Targets) != 1 {
				t.Fatalf("edited policy: %+v", p)
			}
			// Seconds: only for a policy confined to the chat channel.
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "seconds for email are refused", Who: manager, Method: "POST", Path: "/admin/sla-policies",
					Form: webtest.Vals("name", "Fast email", "channel", "email", "targets.normal.first_reply", "45s"), Status: 400,
					Want: []string{"seconds are for a policy with the condition channel is chat; use whole minutes"}},
				{Name: "seconds for chat", Who: manager, Method: "POST", Path: "/admin/sla-policies",
					Form:   webtest.Vals("name", "Chat", "active", "on", "channel", "chat", "targets.normal.first_reply", "45s", "targets.normal.next_reply", "90s"),
					Status: 303, Location: "/admin/sla-policies/"},
				{Name: "chat policy listed", Who: manager, Method: "GET", Path: "/admin/sla-policies", Status: 200, Want: []string{"first reply 45s"}},
			})

			// Triggers and automations.
			good := []string{"all[0].row", "1", "all[0].field", "event", "all[0].op", "is", "all[0].value", "created",
				"all[1].row", "1", "all[1].field", "priority", "all[1].op", "is", "all[1].value", "urgent",
				"act[0].row", "1", "act[0].type", "add_tags", "act[0].tags", "urgent"}
			with := func(kv ...string) url.Values { return webtest.Vals(append(kv, good...)...) }
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "trigger form is built from controls", Who: manager, Method: "GET", Path: "/admin/triggers/new", Status: 200,
					Want: []string{`name="all[0].field"`, `name="act[0].type"`, "Add a condition", "Preview matches", "comment.body", "Add trigger"}},
				{Name: "agent may not add a trigger", Who: agent, Method: "POST", Path: "/admin/triggers",
					Form: with("name", "X"), Status: 403},
				{Name: "a row without its value", Who: manager, Method: "POST", Path: "/admin/triggers",
					Form: webtest.Vals("name", "Typed trigger", "all[0].row", "1", "all[0].field", "team_id", "all[0].op", "is", "act[0].row", "1", "act[0].type", "add_tags", "act[0].tags", "x"), Status: 400,
					Want: []string{"Condition 1: choose a team", `value="Typed trigger"`, `id="e-all-0-value"`, `href="#f-all-0-value"`}},
				{Name: "unknown condition field", Who: manager, Method: "POST", Path: "/admin/triggers",
					Form: webtest.Vals("name", "Colour", "all[0].row", "1", "all[0].field", "colour", "all[0].op", "is", "all[0].value", "red", "act[0].row", "1", "act[0].type", "add_tags", "act[0].tags", "x"), Status: 400,
					Want: []string{"Condition 1: choose what to check", `aria-invalid="true"`}},
				{Name: "unknown action", Who: manager, Method: "POST", Path: "/admin/triggers",
					Form: webtest.Vals("name", "Act", "all[0].row", "1", "all[0].field", "priority", "all[0].op", "is", "all[0].value", "urgent", "act[0].row", "1", "act[0].type", "explode"), Status: 400,
					Want: []string{"Action 1: choose what to do"}},
				{Name: "trigger created", Who: manager, Method: "POST", Path: "/admin/triggers",
					Form: with("name", "Tag urgent", "active", "on", "description", "Tags urgent tickets"), Status: 303, Location: "/admin/triggers/"},
				{Name: "second trigger", Who: manager, Method: "POST", Path: "/admin/triggers",
					Form: webtest.Vals("name", "Second", "active", "on", "all[0].row", "1", "all[0].field", "priority", "all[0].op", "is", "all[0].value", "urgent",
						"act[0].row", "1", "act[0].type", "set_priority", "act[0].priority", "high"), Status: 303},
				{Name: "automation without hours", Who: manager, Method: "POST", Path: "/admin/automations",
					Form: webtest.Vals("name", "Close", "all[0].row", "1", "all[0].field", "status", "all[0].op", "is", "all[0].value", "pending",
						"act[0].row", "1", "act[0].type", "set_status", "act[0].status", "solved"), Status: 400,
					Want: []string{"an automation needs an hours_since_* condition"}},
				{Name: "automation created", Who: manager, Method: "POST", Path: "/admin/automations",
					Form: webtest.Vals("name", "Close pending", "active", "on", "all[0].row", "1", "all[0].field", "status", "all[0].op", "is", "all[0].value", "pending",
						"all[1].row", "1", "all[1].field", "hours_since_status_change", "all[1].op", "gt", "all[1].value", "96",
						"act[0].row", "1", "act[0].type", "set_status", "act[0].status", "solved"), Status: 303, Location: "/admin/automations/"},
			})
			_, tids := ruleIDs(t, e, automation.KindTrigger)
			tp := fmt.Sprintf("/admin/triggers/%d", tids["Tag urgent"])
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "trigger list", Who: manager, Method: "GET", Path: "/admin/triggers", Status: 200,
					Want: []string{"Tag urgent", "Second", fmt.Sprintf(`/api/v1/triggers/%d/runs`, tids["Tag urgent"]), "↓ Down"}},
				{Name: "agent reads the triggers", Who: agent, Method: "GET", Path: "/admin/triggers", Status: 200, Want: []string{"Tag urgent"}, NotWant: []string{"Add a trigger", "/move"}},
				{Name: "agent reads a trigger", Who: agent, Method: "GET", Path: tp, Status: 200, Want: []string{"Tag urgent", " disabled>"}, NotWant: []string{"Save trigger"}},
				{Name: "trigger page", Who: manager, Method: "GET", Path: tp, Status: 200, Want: []string{"Save trigger", `<option value="priority" selected>`, "&#34;priority&#34;", "Runs log"}},
				{Name: "move Second up", Who: manager, Method: "POST", Path: fmt.Sprintf("/admin/triggers/%d/move", tids["Second"]), Form: webtest.Vals("direction", "up"), Status: 303},
				{Name: "trigger edit refused keeps the text", Who: manager, Method: "POST", Path: tp,
					Form: webtest.Vals("name", "Tag urgent", "all[0].row", "1", "all[0].field", "priority", "all[0].op", "is", "all[0].value", "urgentish", "act[0].row", "1", "act[0].type", "add_tags", "act[0].tags", "urgent"), Status: 400,
					Want: []string{"Condition 1: choose a value from the list", `value="Tag urgent"`}},
				{Name: "automation list", Who: manager, Method: "GET", Path: "/admin/automations", Status: 200, Want: []string{"Close pending", "/api/v1/automations/"}},
			})
			if names, _ := ruleIDs(t, e, automation.KindTrigger); len(names) != 2 || names[0] != "Second" {
				t.Fatalf("trigger order after move: %v", names)
			}

			// Routing.
			rp := fmt.Sprintf("/admin/routing/%d", teamID)
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "routing list", Who: manager, Method: "GET", Path: "/admin/routing", Status: 200, Want: []string{"Billing", "Manual"}},
				{Name: "routing form", Who: manager, Method: "GET", Path: rp, Status: 200, Want: []string{"Save routing", `<option value="round_robin"`, "Agent: "}},
				{Name: "agent reads routing", Who: agent, Method: "GET", Path: rp, Status: 200, NotWant: []string{"Save routing"}},
				{Name: "agent may not change routing", Who: agent, Method: "POST", Path: rp, Form: webtest.Vals("method", "round_robin"), Status: 403},
				{Name: "escalation needs a target", Who: manager, Method: "POST", Path: rp,
					Form: webtest.Vals("method", "least_load", "capacity", "5", "escalate_after_minutes", "30"), Status: 400,
					Want: []string{"is required when escalate_after_minutes is set", `value="30"`, `<option value="least_load" selected>`}},
				{Name: "routing saved", Who: manager, Method: "POST", Path: rp,
					Form: webtest.Vals("method", "round_robin", "capacity", "5", "require_available", "on", "offline_policy", "return",
						"escalate_after_minutes", "30", "escalate_to", fmt.Sprintf("agent:%d", agentID)), Status: 303, Location: rp + "?saved=1"},
			})
			s, err := e.Sys.Routing.GetSettings(ctx, authz.System, teamID)
			if err != nil {
				t.Fatal(err)
			}
			if s.Method != routing.RoundRobin || s.Capacity != 5 || !s.RequireAvailable || s.OfflinePolicy != routing.OfflineReturn ||
				s.EscalateAfterMinutes != 30 || s.EscalateTo == nil || s.EscalateTo.AgentID != agentID {
				t.Fatalf("routing settings: %+v", s)
			}

			// Macros.
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "agent's new macro form has no sharing", Who: agent, Method: "GET", Path: "/admin/macros/new", Status: 200,
					Want: []string{"Add macro", "requester.first_name"}, NotWant: []string{`name="shared"`}},
				{Name: "manager may share", Who: manager, Method: "GET", Path: "/admin/macros/new", Status: 200, Want: []string{`name="shared"`, "Billing"}},
				{Name: "agent adds a personal macro", Who: agent, Method: "POST", Path: "/admin/macros",
					Form: webtest.Vals("name", "Thanks", "body", "Hi {{requester.first_name}}, thanks!", "reply", "public", "active", "on",
						"act[0].row", "1", "act[0].type", "set_status", "act[0].status", "pending"), Status: 303, Location: "/admin/macros/"},
				{Name: "unknown placeholder", Who: agent, Method: "POST", Path: "/admin/macros",
					Form: webtest.Vals("name", "Typo", "body", "Hi {{nope}}", "reply", "internal"), Status: 400,
					Want: []string{"is not a known placeholder", `value="Typo"`, "Hi {{nope}}", `id="f-reply-internal" name="reply" value="internal" checked`}},
				{Name: "agent may not share", Who: agent, Method: "POST", Path: "/admin/macros",
					Form: webtest.Vals("name", "Shared", "shared", "on", "body", "Hello"), Status: 403, Want: []string{"automation.write", `value="Shared"`}},
				{Name: "manager shares a macro with a team", Who: manager, Method: "POST", Path: "/admin/macros",
					Form:   webtest.Vals("name", "Refund policy", "shared", "on", "team_id", fmt.Sprint(teamID), "body", "Refunds take 5 days.", "reply", "internal", "active", "on"),
					Status: 303, Location: "/admin/macros/"},
				{Name: "manager's macro list", Who: manager, Method: "GET", Path: "/admin/macros", Status: 200,
					Want: []string{"Refund policy", "Shared with Billing", "Internal note"}, NotWant: []string{"Thanks"}},
				{Name: "agent's macro list", Who: agent, Method: "GET", Path: "/admin/macros", Status: 200, Want: []string{"Thanks", "Personal", "Public reply"}},
			})
			macros, err := e.Sys.Automation.ListMacros(ctx, authz.Actor{Kind: authz.KindAgent, ID: agentID, Role: authz.Agent}, pageAll)
			if err != nil {
				t.Fatal(err)
			}
			var thanks *automation.Macro
			for i := range macros.Data {
				if macros.Data[i].Name == "Thanks" {
					thanks = &macros.Data[i]
				}
			}
			if thanks == nil || !thanks.Public || len(thanks.Actions) != 1 || thanks.Scope != automation.ScopePersonal {
				t.Fatalf("agent's macro: %+v", thanks)
			}
			mp := fmt.Sprintf("/admin/macros/%d", thanks.ID)
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "macro page", Who: agent, Method: "GET", Path: mp, Status: 200, Want: []string{`value="Thanks"`, `<option value="set_status" selected>`, `<option value="pending" selected>`, "Save macro"}},
				{Name: "another agent's macro is not found", Who: manager, Method: "GET", Path: mp, Status: 404},
				{Name: "macro edit", Who: agent, Method: "POST", Path: mp, Form: webtest.Vals("name", "Thanks!", "body", "Thanks.", "reply", "internal", "active", "on"), Status: 303, Location: mp},
				{Name: "macro deleted", Who: agent, Method: "POST", Path: mp + "/delete", Status: 303, Location: "/admin/macros?deleted=1"},
				{Name: "macro gone", Who: agent, Method: "GET", Path: mp, Status: 404},
			})
		})
	}
}

var pageAll = page.Request{Limit: page.MaxLimit}
