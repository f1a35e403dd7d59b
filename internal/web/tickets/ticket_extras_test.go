package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
)

// slaTicket creates a ticket through the API with the given tags.
func slaTicket(t *testing.T, e *apptest.Env, subject string, tags ...string) int64 {
	t.Helper()
	st, body := e.Do(t, authz.Agent, "POST", "/api/v1/tickets", map[string]any{
		"subject": subject, "description": "My parcel has not arrived.", "priority": "normal",
		"requester": map[string]any{"email": "kari.nordmann@example.no", "name": "Kari Nordmann"}, "tags": tags,
	})
	if st != http.StatusCreated {
		t.Fatalf("create ticket: %d %v", st, body["_raw"])
	}
	return int64(body["id"].(float64))
}

// setUpSLA creates a calendar open around the clock and two policies:
// tickets tagged "vip" get a one-minute first reply, tickets tagged
// "standard" eight hours, in business hours.
func setUpSLA(t *testing.T, e *apptest.Env) {
	t.Helper()
	day := []map[string]string{{"start": "00:00", "end": "24:00"}}
	st, cal := e.Do(t, authz.Admin, "POST", "/api/v1/business-calendars", map[string]any{
		"name": "Around the clock", "time_zone": "Europe/Oslo",
		"schedule": map[string]any{"mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": day, "sun": day},
	})
	if st != http.StatusCreated {
		t.Fatalf("create calendar: %d %v", st, cal["_raw"])
	}
	calID := cal["id"]
	for _, p := range []struct{ name, tag, first string }{{"VIP", "vip", "1m"}, {"Standard", "standard", "8h"}} {
		st, body := e.Do(t, authz.Admin, "POST", "/api/v1/sla-policies", map[string]any{
			"name":       p.name,
			"conditions": []map[string]any{{"field": "tag", "op": "includes", "value": p.tag}},
			"targets": map[string]any{"normal": map[string]any{
				"first_reply": p.first, "resolution": "48h", "business_hours": true, "calendar_id": calID,
			}},
		})
		if st != http.StatusCreated {
			t.Fatalf("create policy %s: %d %v", p.name, st, body["_raw"])
		}
	}
}

func TestTicketSLAPanelAndAtRiskView(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			setUpSLA(t, e)
			vip := slaTicket(t, e, "Urgent parcel question", "vip")
			standard := slaTicket(t, e, "Ordinary parcel question", "standard")
			none := slaTicket(t, e, "Question without SLA")
			agent := signIn(t, e, authz.Agent)

			runPages(t, []pageCase{
				{name: "ticket with a standard SLA", who: agent, method: "GET", path: fmt.Sprintf("/tickets/%d", standard), status: 200,
					want: []string{`<h2 id="sla-h">SLA</h2>`, "Policy: Standard", "First reply", "Resolution", "Active",
						"target 8h", "target 48h", " left</span>", "due <time datetime="},
					notWant: []string{"No SLA applies", "overdue by"}},
				{name: "ticket without SLA", who: agent, method: "GET", path: fmt.Sprintf("/tickets/%d", none), status: 200,
					want: []string{`<h2 id="sla-h">SLA</h2>`, "No SLA applies"}, notWant: []string{"First reply"}},
				{name: "at-risk view lists the short target only", who: agent, method: "GET", path: "/tickets?view=sla_at_risk", status: 200,
					want:    []string{"<h1>SLA at risk</h1>", `aria-current="page"`, fmt.Sprintf(`href="/tickets/%d"`, vip), "Urgent parcel question"},
					notWant: []string{"Ordinary parcel question", "Question without SLA"}},
				{name: "other views count the at-risk view", who: agent, method: "GET", path: "/tickets", status: 200,
					want: []string{`href="/tickets?view=sla_at_risk"`, `aria-label="1 tickets"`}},
			})

			// Ten minutes later the sweep has recorded the vip ticket's breach:
			// its clock runs on past the target and it stays at risk.
			err := e.Sys.DB.Write(t.Context(), func(tx *db.Tx) error {
				for _, q := range []string{
					`UPDATE tickets SET created_at = created_at - 600000 WHERE id = ?`,
					`UPDATE ticket_events SET at = at - 600000 WHERE ticket_id = ?`,
					`UPDATE sla_ticket_state SET check_at = 0 WHERE ticket_id = ?`,
				} {
					if _, err := tx.ExecContext(t.Context(), q, vip); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if n, err := e.Sys.SLA.Sweep(t.Context(), time.Now()); err != nil || n == 0 {
				t.Fatalf("sweep: %d events, %v", n, err)
			}
			runPages(t, []pageCase{
				{name: "overdue ticket stays in the view", who: agent, method: "GET", path: "/tickets?view=sla_at_risk", status: 200,
					want: []string{"Urgent parcel question"}, notWant: []string{"Ordinary parcel question", "Question without SLA"}},
				{name: "overdue ticket says so", who: agent, method: "GET", path: fmt.Sprintf("/tickets/%d", vip), status: 200,
					want: []string{"Breached", "overdue by", `class="sla-left overdue"`}},
			})

			// Once the vip ticket is answered (late), its first reply clock
			// stops and nothing else on it is due within two hours.
			if st, body := e.Do(t, authz.Agent, "POST", fmt.Sprintf("/api/v1/tickets/%d/comments", vip), map[string]any{"body": "On it.", "public": true}); st != http.StatusCreated {
				t.Fatalf("reply: %d %v", st, body["_raw"])
			}
			runPages(t, []pageCase{
				{name: "answered ticket leaves the view", who: agent, method: "GET", path: "/tickets?view=sla_at_risk", status: 200,
					want: []string{"No tickets here."}, notWant: []string{"Urgent parcel question"}},
				{name: "answered ticket keeps the breach, stops the clock", who: agent, method: "GET", path: fmt.Sprintf("/tickets/%d", vip), status: 200,
					want: []string{"Policy: VIP", `<li class="sla-breached">`, `<li class="sla-active">`, "47 h "}, notWant: []string{"overdue by"}},
			})
		})
	}
}

func TestMacroPreviewAndApply(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			id := slaTicket(t, e, "Where is my parcel?")
			st, m := e.Do(t, authz.Agent, "POST", "/api/v1/macros", map[string]any{
				"name": "Parcel delayed", "body": "Hi {{requester.first_name}}, your parcel is on its way.",
				"actions": []map[string]any{{"type": "set_status", "value": "pending"}, {"type": "add_tags", "value": []string{"delayed"}}},
			})
			if st != http.StatusCreated {
				t.Fatalf("create macro: %d %v", st, m["_raw"])
			}
			macroID := fmt.Sprint(int64(m["id"].(float64)))
			agent, collaborator := signIn(t, e, authz.Agent), signIn(t, e, authz.Collaborator)
			page := fmt.Sprintf("/tickets/%d", id)

			runPages(t, []pageCase{
				{name: "composer offers the macro", who: agent, method: "GET", path: page, status: 200,
					want: []string{`action="/tickets/` + fmt.Sprint(id) + `/macros/preview"`, `<label for="macro-id">Macros</label>`, "Parcel delayed", ">Preview</button>"}},
				{name: "preview fills the composer", who: agent, method: "POST", path: page + "/macros/preview", form: url.Values{"macro_id": {macroID}}, status: 200,
					want: []string{"Macro preview: Parcel delayed", html.EscapeString("Hi Kari, your parcel is on its way.") + "</textarea>",
						"Set status to Pending", "Add tags: delayed", "Apply macro", `name="macro_id" value="` + macroID + `"`},
					notWant: []string{"{{requester.first_name}}"}},
				{name: "preview without a choice", who: agent, method: "POST", path: page + "/macros/preview", form: url.Values{}, status: 422,
					want: []string{"Choose a macro to preview."}},
				{name: "unknown macro", who: agent, method: "POST", path: page + "/macros/preview", form: url.Values{"macro_id": {"99999"}}, status: 404,
					want: []string{"cannot be previewed"}},
				{name: "unknown ticket", who: agent, method: "POST", path: "/tickets/999999/macros/preview", form: url.Values{"macro_id": {macroID}}, status: 404},
				{name: "apply redirects to the ticket", who: agent, method: "POST", path: page + "/macros/apply", form: url.Values{"macro_id": {macroID}}, status: 303,
					location: page},
				{name: "the reply is on the page", who: agent, method: "GET", path: page, status: 200,
					want: []string{"Hi Kari, your parcel is on its way.", `<span class="status s-pending">`, `value="delayed"`}},
			})
			if st, _, _ := collaborator.do(t, "POST", page+"/macros/apply", url.Values{"macro_id": {macroID}}); st != http.StatusForbidden && st != http.StatusNotFound {
				t.Errorf("collaborator apply: status %d, want 403 or 404", st)
			}

			st, cs := e.Do(t, authz.Agent, "GET", fmt.Sprintf("/api/v1/tickets/%d/comments", id), nil)
			if st != http.StatusOK || !strings.Contains(fmt.Sprint(cs["data"]), "Hi Kari, your parcel is on its way.") {
				t.Errorf("comments after apply: %d %v", st, cs["data"])
			}
			st, got := e.Do(t, authz.Agent, "GET", "/api/v1/macros/"+macroID, nil)
			if st != http.StatusOK || got["usage_count"] != float64(1) {
				t.Errorf("macro after apply: %d usage_count %v, want 1", st, got["usage_count"])
			}
		})
	}
}
