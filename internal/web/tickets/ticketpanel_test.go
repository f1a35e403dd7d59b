package tickets_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestTicketFieldsPanel edits a ticket through the page's fields panel on
// both engines: every kind of custom field, solving with a required one,
// subject and requester with history, team and followers, refusals shown
// beside their fields, and a closed ticket's read-only panel with its
// follow-up.
func TestTicketFieldsPanel(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			for _, f := range []string{
				`{"key":"plan","label":"Plan","type":"dropdown","options":["Basic","Gold"]}`,
				`{"key":"renewal","label":"Renewal","type":"date"}`,
				`{"key":"seats","label":"Seats","type":"number"}`,
				`{"key":"vip","label":"VIP","type":"checkbox"}`,
				`{"key":"order_no","label":"Order","type":"text","required":true}`,
			} {
				if st, body := e.Do(t, authz.Admin, "POST", "/api/v1/custom-fields", f); st != 201 {
					t.Fatalf("field %s: %d %v", f, st, body["_raw"])
				}
			}
			st, team := e.Do(t, authz.Admin, "POST", "/api/v1/teams", `{"name":"Billing"}`)
			if st != 201 {
				t.Fatalf("team: %d %v", st, team["_raw"])
			}
			teamID := int64(team["id"].(float64))
			id := webtest.CreateTicket(t, e, "Panel")
			path := fmt.Sprintf("/tickets/%d", id)
			manager := e.Agents[authz.Manager]
			get := func() map[string]any {
				_, tk := e.Do(t, authz.Agent, "GET", "/api/v1"+path, nil)
				return tk
			}
			panel := func(extra url.Values) url.Values {
				tk := get()
				v := url.Values{"version": {fmt.Sprint(tk["version"])}, "subject": {fmt.Sprint(tk["subject"])},
					"requester": {"ola@example.no"}, "requester_was": {"ola@example.no"}, "status": {fmt.Sprint(tk["status"])},
					"priority": {"high"}, "type": {"question"}, "team_id": {""}, "assignee_id": {""}, "tags": {"shipping"},
					"followers_sent": {"1"}, "custom_fields_sent": {"1"}}
				for k, vs := range extra {
					v[k] = vs
				}
				return v
			}

			page := webtest.GetPage(t, e, authz.Agent, path)
			for _, want := range []string{`id="f-custom_fields.plan"`, `type="date"`, `id="f-custom_fields.seats" name="custom_fields.seats" type="number"`,
				`type="checkbox" id="f-custom_fields.vip"`, `id="f-team"`, `id="f-followers"`, `id="f-requester"`, `id="f-subject"`, "Required to solve the ticket."} {
				if !strings.Contains(page, want) {
					t.Errorf("panel lacks %s", want)
				}
			}

			if st, body := webtest.PostFormBody(t, e, authz.Agent, path, panel(url.Values{"custom_fields.seats": {"many"}})); st != http.StatusBadRequest || !strings.Contains(body, "must be a number") || !strings.Contains(body, `value="many"`) {
				t.Errorf("bad number: %d", st)
			}
			if st, body := webtest.PostFormBody(t, e, authz.Agent, path, panel(url.Values{"status": {"solved"}})); st != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-custom_fields.order_no"`) {
				t.Errorf("solve without the required field: %d", st)
			}
			st, _ = webtest.PostFormLoc(t, e, authz.Agent, path, panel(url.Values{
				"subject": {"Panel, renamed"}, "requester": {"new.requester@example.com"}, "team_id": {fmt.Sprint(teamID)},
				"follower_ids": {fmt.Sprint(manager.ID)}, "custom_fields.plan": {"Gold"}, "custom_fields.renewal": {"2027-02-01"},
				"custom_fields.seats": {"12,5"}, "custom_fields.vip": {"on"}, "custom_fields.order_no": {"A-1"}, "status": {"solved"},
			}))
			if st != http.StatusSeeOther {
				t.Fatalf("panel update: %d", st)
			}
			tk := get()
			cf, _ := tk["custom_fields"].(map[string]any)
			if tk["subject"] != "Panel, renamed" || tk["status"] != "solved" || fmt.Sprint(tk["team_id"]) != fmt.Sprint(teamID) ||
				cf["plan"] != "Gold" || cf["renewal"] != "2027-02-01" || cf["seats"] != 12.5 || cf["vip"] != true || cf["order_no"] != "A-1" {
				t.Errorf("after the panel: %v", tk["_raw"])
			}
			if fs, _ := tk["follower_ids"].([]any); len(fs) != 1 || int64(fs[0].(float64)) != manager.ID {
				t.Errorf("followers %v", tk["follower_ids"])
			}
			req, _ := tk["requester"].(map[string]any)
			if req["email"] != "new.requester@example.com" {
				t.Errorf("requester %v", tk["requester"])
			}
			_, evs := e.Do(t, authz.Agent, "GET", "/api/v1"+path+"/events?limit=100", nil)
			var types []string
			for _, ev := range evs["data"].([]any) {
				types = append(types, ev.(map[string]any)["type"].(string))
			}
			for _, want := range []string{"subject_changed", "requester_changed", "team_changed", "followers_changed", "field_changed", "status_changed"} {
				if !slices.Contains(types, want) {
					t.Errorf("history lacks %s: %v", want, types)
				}
			}
			// Clearing a checkbox and a number clears the fields.
			if st, _ := webtest.PostFormLoc(t, e, authz.Agent, path, panel(url.Values{"subject": {"Panel, renamed"}, "requester": {"new.requester@example.com"},
				"requester_was": {"new.requester@example.com"}, "team_id": {fmt.Sprint(teamID)}, "custom_fields.plan": {"Gold"}, "custom_fields.order_no": {"A-1"}})); st != http.StatusSeeOther {
				t.Fatalf("clearing: %d", st)
			}
			if cf, _ := get()["custom_fields"].(map[string]any); cf["vip"] != nil || cf["seats"] != nil || cf["plan"] != "Gold" {
				t.Errorf("after clearing: %v", cf)
			}

			if st, _ := e.Do(t, authz.Agent, "PATCH", "/api/v1"+path, `{"status":"closed"}`); st != 200 {
				t.Fatalf("close: %d", st)
			}
			page = webtest.GetPage(t, e, authz.Agent, path)
			if strings.Contains(page, `id="f-status"`) || !strings.Contains(page, fmt.Sprintf("/tickets/new?follow_up=%d", id)) || !strings.Contains(page, "Gold") {
				t.Error("closed ticket: want a read-only panel with its values and a follow-up link")
			}
			page = webtest.GetPage(t, e, authz.Agent, fmt.Sprintf("/tickets/new?follow_up=%d", id))
			if !strings.Contains(page, `value="Panel, renamed"`) || !strings.Contains(page, "new.requester@example.com") {
				t.Error("follow-up form: want the closed ticket's subject and requester")
			}
		})
	}
}
