package web_test

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
)

// calendarFormValues is a complete calendar form; set overrides fields.
func calendarFormValues(set map[string]string) url.Values {
	f := vals("name", "Oslo office", "time_zone", "Europe/Oslo", "time_zone_other", "",
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
			manager, agent := signIn(t, e, authz.Manager), signIn(t, e, authz.Agent)
			agentID := e.Agents[authz.Agent].ID

			// Business calendars.
			runPages(t, []pageCase{
				{name: "calendar list", who: manager, method: "GET", path: "/admin/calendars", status: 200,
					want: []string{"Business hours", "Add a calendar", `href="/admin/sla-policies"`, `href="/admin/macros"`, `aria-current="page"`}},
				{name: "agent reads the calendars", who: agent, method: "GET", path: "/admin/calendars", status: 200, notWant: []string{"Add a calendar"}},
				{name: "new calendar form", who: manager, method: "GET", path: "/admin/calendars/new", status: 200,
					want: []string{`name="schedule.mon[0].start"`, `value="08:00"`, `<option value="Europe/Oslo">`, "Add calendar"}},
				{name: "agent may not add a calendar", who: agent, method: "POST", path: "/admin/calendars", form: calendarFormValues(nil), status: 403},
				{name: "bad time zone keeps the form", who: manager, method: "POST", path: "/admin/calendars",
					form: calendarFormValues(map[string]string{"time_zone_other": "Mars/Olympus", "name": "Typed name"}), status: 400,
					want: []string{"must be an IANA time zone", `value="Mars/Olympus"`, `value="Typed name"`, `value="13:00"`, "Christmas Eve yearly", `id="e-time_zone"`, "Please correct the following"}},
				{name: "bad time next to its interval", who: manager, method: "POST", path: "/admin/calendars",
					form: calendarFormValues(map[string]string{"schedule.mon[2].end": "25:00"}), status: 400,
					want: []string{"must be a time HH:MM", `id="e-schedule.mon[2]"`, `value="25:00"`}},
				{name: "overlap names the interval", who: manager, method: "POST", path: "/admin/calendars",
					form: calendarFormValues(map[string]string{"schedule.mon[2].start": "11:00"}), status: 400,
					want: []string{"overlaps Monday interval 1", `id="e-schedule.mon[2]"`}},
				{name: "bad holiday names its line", who: manager, method: "POST", path: "/admin/calendars",
					form: calendarFormValues(map[string]string{"holidays": "2026-12-24 Christmas Eve\n2026-13-40 Nope"}), status: 400,
					want: []string{"line 2 (date): must be a date YYYY-MM-DD", `id="e-holidays"`}},
				{name: "calendar created", who: manager, method: "POST", path: "/admin/calendars", form: calendarFormValues(nil), status: 303, location: "/admin/calendars/"},
				{name: "calendar name taken", who: manager, method: "POST", path: "/admin/calendars", form: calendarFormValues(nil), status: 409,
					want: []string{"a business calendar with this name exists"}},
				{name: "calendar in the list", who: manager, method: "GET", path: "/admin/calendars", status: 200,
					want: []string{"Oslo office", "Europe/Oslo", "Mon 08:00–12:00, 13:00–17:00; Fri 22:00–02:00"}},
			})
			cal := calendarByName(t, e, "Oslo office")
			if len(cal.Schedule.Mon) != 2 || cal.Schedule.Mon[1].Start != "13:00" || len(cal.Holidays) != 2 || !cal.Holidays[0].Yearly ||
				cal.Holidays[0].Name != "Christmas Eve" || cal.Holidays[1].Yearly {
				t.Fatalf("stored calendar: %+v", cal)
			}
			cp := fmt.Sprintf("/admin/calendars/%d", cal.ID)
			runPages(t, []pageCase{
				{name: "calendar page", who: manager, method: "GET", path: cp + "?saved=1", status: 200,
					want: []string{"Calendar saved.", `value="Oslo office"`, `<option value="Europe/Oslo" selected>`, `value="22:00"`, "2026-04-03 Good Friday"}},
				{name: "calendar edit with a typed zone", who: manager, method: "POST", path: cp,
					form: calendarFormValues(map[string]string{"time_zone": "", "time_zone_other": "America/Argentina/Ushuaia"}), status: 303, location: cp},
				{name: "agent may not edit", who: agent, method: "POST", path: cp, form: calendarFormValues(nil), status: 403},
			})
			if c := calendarByName(t, e, "Oslo office"); c.TimeZone != "America/Argentina/Ushuaia" {
				t.Fatalf("time zone after edit: %q", c.TimeZone)
			}

			// SLA policies.
			vip := vals("name", "VIP", "active", "on", "priority", "high", "priority", "urgent", "channel", "email", "tags", "vip",
				"targets.high.first_reply", "1h30m", "targets.high.resolution", "8h",
				"targets.high.business_hours", "on", "targets.high.calendar_id", fmt.Sprint(cal.ID),
				"targets.urgent.first_reply", "30m")
			runPages(t, []pageCase{
				{name: "policy list empty", who: manager, method: "GET", path: "/admin/sla-policies", status: 200, want: []string{"No SLA policies yet", "Add a policy"}},
				{name: "new policy form", who: manager, method: "GET", path: "/admin/sla-policies/new", status: 200,
					want: []string{`name="targets.urgent.first_reply"`, `name="priority" value="high"`, "Oslo office", "Billing", "Add policy"}},
				{name: "agent may not add a policy", who: agent, method: "POST", path: "/admin/sla-policies", form: vip, status: 403},
				{name: "bad target keeps the form", who: manager, method: "POST", path: "/admin/sla-policies",
					form: vals("name", "Typed policy", "priority", "low", "targets.low.first_reply", "soon", "targets.low.resolution", "2h"), status: 400,
					want: []string{"must be a duration in hours and minutes", `value="soon"`, `value="2h"`, `value="Typed policy"`, `value="low" checked`, `id="e-targets.low.first_reply"`}},
				{name: "business hours need a calendar", who: manager, method: "POST", path: "/admin/sla-policies",
					form: vals("name", "No calendar", "targets.normal.first_reply", "1h", "targets.normal.business_hours", "on"), status: 400,
					want: []string{"is required with business_hours"}},
				{name: "no targets", who: manager, method: "POST", path: "/admin/sla-policies", form: vals("name", "Empty"), status: 400,
					want: []string{"needs targets for at least one priority"}},
				{name: "VIP created", who: manager, method: "POST", path: "/admin/sla-policies", form: vip, status: 303, location: "/admin/sla-policies/"},
				{name: "Default created", who: manager, method: "POST", path: "/admin/sla-policies",
					form: vals("name", "Default", "active", "on", "targets.normal.first_reply", "4h"), status: 303, location: "/admin/sla-policies/"},
				{name: "calendar in use is not deleted", who: manager, method: "POST", path: cp + "/delete", status: 409,
					want: []string{"The calendar was not deleted", "used by SLA policy"}},
			})
			ids := policyIDs(t, e)
			pp := fmt.Sprintf("/admin/sla-policies/%d", ids["VIP"])
			runPages(t, []pageCase{
				{name: "policy list in order", who: agent, method: "GET", path: "/admin/sla-policies", status: 200,
					want: []string{"VIP", "Default", "first reply 1h30m"}, notWant: []string{"Add a policy", "/move"}},
				{name: "policy page", who: manager, method: "GET", path: pp, status: 200,
					want: []string{`value="1h30m"`, `value="8h"`, `value="high" checked`, `value="email" checked`, `value="vip"`, "Save policy",
						fmt.Sprintf(`<option value="%d" selected>Oslo office`, cal.ID)}},
				{name: "move Default up", who: manager, method: "POST", path: fmt.Sprintf("/admin/sla-policies/%d/move", ids["Default"]),
					form: vals("direction", "up"), status: 303, location: "/admin/sla-policies?moved=1"},
				{name: "agent may not reorder", who: agent, method: "POST", path: fmt.Sprintf("/admin/sla-policies/%d/move", ids["VIP"]),
					form: vals("direction", "up"), status: 403},
				{name: "policy edit", who: manager, method: "POST", path: pp,
					form: vals("name", "VIP customers", "active", "on", "team_id", fmt.Sprint(teamID), "targets.urgent.first_reply", "15m"), status: 303, location: pp},
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

			// Triggers and automations.
			good := []string{"all[0].row", "1", "all[0].field", "event", "all[0].op", "is", "all[0].value", "created",
				"all[1].row", "1", "all[1].field", "priority", "all[1].op", "is", "all[1].value", "urgent",
				"act[0].row", "1", "act[0].type", "add_tags", "act[0].tags", "urgent"}
			with := func(kv ...string) url.Values { return vals(append(kv, good...)...) }
			runPages(t, []pageCase{
				{name: "trigger form is built from controls", who: manager, method: "GET", path: "/admin/triggers/new", status: 200,
					want: []string{`name="all[0].field"`, `name="act[0].type"`, "Add a condition", "Preview matches", "comment.body", "Add trigger"}},
				{name: "agent may not add a trigger", who: agent, method: "POST", path: "/admin/triggers",
					form: with("name", "X"), status: 403},
				{name: "a row without its value", who: manager, method: "POST", path: "/admin/triggers",
					form: vals("name", "Typed trigger", "all[0].row", "1", "all[0].field", "team_id", "all[0].op", "is", "act[0].row", "1", "act[0].type", "add_tags", "act[0].tags", "x"), status: 400,
					want: []string{"Condition 1: choose a team", `value="Typed trigger"`, `id="e-all-0-value"`, `href="#f-all-0-value"`}},
				{name: "unknown condition field", who: manager, method: "POST", path: "/admin/triggers",
					form: vals("name", "Colour", "all[0].row", "1", "all[0].field", "colour", "all[0].op", "is", "all[0].value", "red", "act[0].row", "1", "act[0].type", "add_tags", "act[0].tags", "x"), status: 400,
					want: []string{"Condition 1: choose what to check", `aria-invalid="true"`}},
				{name: "unknown action", who: manager, method: "POST", path: "/admin/triggers",
					form: vals("name", "Act", "all[0].row", "1", "all[0].field", "priority", "all[0].op", "is", "all[0].value", "urgent", "act[0].row", "1", "act[0].type", "explode"), status: 400,
					want: []string{"Action 1: choose what to do"}},
				{name: "trigger created", who: manager, method: "POST", path: "/admin/triggers",
					form: with("name", "Tag urgent", "active", "on", "description", "Tags urgent tickets"), status: 303, location: "/admin/triggers/"},
				{name: "second trigger", who: manager, method: "POST", path: "/admin/triggers",
					form: vals("name", "Second", "active", "on", "all[0].row", "1", "all[0].field", "priority", "all[0].op", "is", "all[0].value", "urgent",
						"act[0].row", "1", "act[0].type", "set_priority", "act[0].priority", "high"), status: 303},
				{name: "automation without hours", who: manager, method: "POST", path: "/admin/automations",
					form: vals("name", "Close", "all[0].row", "1", "all[0].field", "status", "all[0].op", "is", "all[0].value", "pending",
						"act[0].row", "1", "act[0].type", "set_status", "act[0].status", "solved"), status: 400,
					want: []string{"an automation needs an hours_since_* condition"}},
				{name: "automation created", who: manager, method: "POST", path: "/admin/automations",
					form: vals("name", "Close pending", "active", "on", "all[0].row", "1", "all[0].field", "status", "all[0].op", "is", "all[0].value", "pending",
						"all[1].row", "1", "all[1].field", "hours_since_status_change", "all[1].op", "gt", "all[1].value", "96",
						"act[0].row", "1", "act[0].type", "set_status", "act[0].status", "solved"), status: 303, location: "/admin/automations/"},
			})
			_, tids := ruleIDs(t, e, automation.KindTrigger)
			tp := fmt.Sprintf("/admin/triggers/%d", tids["Tag urgent"])
			runPages(t, []pageCase{
				{name: "trigger list", who: manager, method: "GET", path: "/admin/triggers", status: 200,
					want: []string{"Tag urgent", "Second", fmt.Sprintf(`/api/v1/triggers/%d/runs`, tids["Tag urgent"]), "↓ Down"}},
				{name: "agent reads the triggers", who: agent, method: "GET", path: "/admin/triggers", status: 200, want: []string{"Tag urgent"}, notWant: []string{"Add a trigger", "/move"}},
				{name: "agent reads a trigger", who: agent, method: "GET", path: tp, status: 200, want: []string{"Tag urgent", " disabled>"}, notWant: []string{"Save trigger"}},
				{name: "trigger page", who: manager, method: "GET", path: tp, status: 200, want: []string{"Save trigger", `<option value="priority" selected>`, "&#34;priority&#34;", "Runs log"}},
				{name: "move Second up", who: manager, method: "POST", path: fmt.Sprintf("/admin/triggers/%d/move", tids["Second"]), form: vals("direction", "up"), status: 303},
				{name: "trigger edit refused keeps the text", who: manager, method: "POST", path: tp,
					form: vals("name", "Tag urgent", "all[0].row", "1", "all[0].field", "priority", "all[0].op", "is", "all[0].value", "urgentish", "act[0].row", "1", "act[0].type", "add_tags", "act[0].tags", "urgent"), status: 400,
					want: []string{"Condition 1: choose a value from the list", `value="Tag urgent"`}},
				{name: "automation list", who: manager, method: "GET", path: "/admin/automations", status: 200, want: []string{"Close pending", "/api/v1/automations/"}},
			})
			if names, _ := ruleIDs(t, e, automation.KindTrigger); len(names) != 2 || names[0] != "Second" {
				t.Fatalf("trigger order after move: %v", names)
			}

			// Routing.
			rp := fmt.Sprintf("/admin/routing/%d", teamID)
			runPages(t, []pageCase{
				{name: "routing list", who: manager, method: "GET", path: "/admin/routing", status: 200, want: []string{"Billing", "Manual"}},
				{name: "routing form", who: manager, method: "GET", path: rp, status: 200, want: []string{"Save routing", `<option value="round_robin"`, "Agent: "}},
				{name: "agent reads routing", who: agent, method: "GET", path: rp, status: 200, notWant: []string{"Save routing"}},
				{name: "agent may not change routing", who: agent, method: "POST", path: rp, form: vals("method", "round_robin"), status: 403},
				{name: "escalation needs a target", who: manager, method: "POST", path: rp,
					form: vals("method", "least_load", "capacity", "5", "escalate_after_minutes", "30"), status: 400,
					want: []string{"is required when escalate_after_minutes is set", `value="30"`, `<option value="least_load" selected>`}},
				{name: "routing saved", who: manager, method: "POST", path: rp,
					form: vals("method", "round_robin", "capacity", "5", "require_available", "on", "offline_policy", "return",
						"escalate_after_minutes", "30", "escalate_to", fmt.Sprintf("agent:%d", agentID)), status: 303, location: rp + "?saved=1"},
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
			runPages(t, []pageCase{
				{name: "agent's new macro form has no sharing", who: agent, method: "GET", path: "/admin/macros/new", status: 200,
					want: []string{"Add macro", "requester.first_name"}, notWant: []string{`name="shared"`}},
				{name: "manager may share", who: manager, method: "GET", path: "/admin/macros/new", status: 200, want: []string{`name="shared"`, "Billing"}},
				{name: "agent adds a personal macro", who: agent, method: "POST", path: "/admin/macros",
					form: vals("name", "Thanks", "body", "Hi {{requester.first_name}}, thanks!", "reply", "public", "active", "on",
						"act[0].row", "1", "act[0].type", "set_status", "act[0].status", "pending"), status: 303, location: "/admin/macros/"},
				{name: "unknown placeholder", who: agent, method: "POST", path: "/admin/macros",
					form: vals("name", "Typo", "body", "Hi {{nope}}", "reply", "internal"), status: 400,
					want: []string{"is not a known placeholder", `value="Typo"`, "Hi {{nope}}", `id="f-reply-internal" name="reply" value="internal" checked`}},
				{name: "agent may not share", who: agent, method: "POST", path: "/admin/macros",
					form: vals("name", "Shared", "shared", "on", "body", "Hello"), status: 403, want: []string{"automation.write", `value="Shared"`}},
				{name: "manager shares a macro with a team", who: manager, method: "POST", path: "/admin/macros",
					form:   vals("name", "Refund policy", "shared", "on", "team_id", fmt.Sprint(teamID), "body", "Refunds take 5 days.", "reply", "internal", "active", "on"),
					status: 303, location: "/admin/macros/"},
				{name: "manager's macro list", who: manager, method: "GET", path: "/admin/macros", status: 200,
					want: []string{"Refund policy", "Shared with Billing", "Internal note"}, notWant: []string{"Thanks"}},
				{name: "agent's macro list", who: agent, method: "GET", path: "/admin/macros", status: 200, want: []string{"Thanks", "Personal", "Public reply"}},
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
			runPages(t, []pageCase{
				{name: "macro page", who: agent, method: "GET", path: mp, status: 200, want: []string{`value="Thanks"`, `<option value="set_status" selected>`, `<option value="pending" selected>`, "Save macro"}},
				{name: "another agent's macro is not found", who: manager, method: "GET", path: mp, status: 404},
				{name: "macro edit", who: agent, method: "POST", path: mp, form: vals("name", "Thanks!", "body", "Thanks.", "reply", "internal", "active", "on"), status: 303, location: mp},
				{name: "macro deleted", who: agent, method: "POST", path: mp + "/delete", status: 303, location: "/admin/macros?deleted=1"},
				{name: "macro gone", who: agent, method: "GET", path: mp, status: 404},
			})
		})
	}
}

var pageAll = page.Request{Limit: page.MaxLimit}
