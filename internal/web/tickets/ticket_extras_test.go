package tickets_test

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
	"github.com/ombud/ombud/internal/web/webtest"
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
			agent := webtest.SignIn(t, e, authz.Agent)

			webtest.RunPages(t, []webtest.PageCase{
				{Name: "ticket with a standard SLA", Who: agent, Method: "GET", Path: fmt.Sprintf("/tickets/%d", standard), Status: 200,
					Want: []string{`<h2 id="sla-h">SLA</h2>`, "Policy: Standard", "First reply", "Resolution", "Active",
						"target 8h", "target 48h", " left</span>", "due <time datetime="},
					NotWant: []string{"No SLA applies", "overdue by"}},
				{Name: "ticket without SLA", Who: agent, Method: "GET", Path: fmt.Sprintf("/tickets/%d", none), Status: 200,
					Want: []string{`<h2 id="sla-h">SLA</h2>`, "No SLA applies"}, NotWant: []string{"First reply"}},
				{Name: "at-risk view lists the short target only", Who: agent, Method: "GET", Path: "/tickets?view=sla_at_risk", Status: 200,
					Want:    []string{"<h1>SLA at risk</h1>", `aria-current="page"`, fmt.Sprintf(`href="/tickets/%d"`, vip), "Urgent parcel question"},
					NotWant: []string{"Ordinary parcel question", "Question without SLA"}},
				{Name: "other views count the at-risk view", Who: agent, Method: "GET", Path: "/tickets", Status: 200,
					Want: []string{`href="/tickets?view=sla_at_risk"`, `aria-label="1 tickets"`}},
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
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "overdue ticket stays in the view", Who: agent, Method: "GET", Path: "/tickets?view=sla_at_risk", Status: 200,
					Want: []string{"Urgent parcel question"}, NotWant: []string{"Ordinary parcel question", "Question without SLA"}},
				{Name: "overdue ticket says so", Who: agent, Method: "GET", Path: fmt.Sprintf("/tickets/%d", vip), Status: 200,
					Want: []string{"Breached", "overdue by", `class="sla-left overdue"`}},
			})

			// Once the vip ticket is answered (late), its first reply clock
			// stops and nothing else on it is due within two hours.
			if st, body := e.Do(t, authz.Agent, "POST", fmt.Sprintf("/api/v1/tickets/%d/comments", vip), map[string]any{"body": "On it.", "public": true}); st != http.StatusCreated {
				t.Fatalf("reply: %d %v", st, body["_raw"])
			}
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "answered ticket leaves the view", Who: agent, Method: "GET", Path: "/tickets?view=sla_at_risk", Status: 200,
					Want: []string{"No tickets here."}, NotWant: []string{"Urgent parcel question"}},
				{Name: "answered ticket keeps the breach, stops the clock", Who: agent, Method: "GET", Path: fmt.Sprintf("/tickets/%d", vip), Status: 200,
					Want: []string{"Policy: VIP", `<li class="sla-breached">`, `<li class="sla-active">`, "47 h "}, NotWant: []string{"overdue by"}},
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
			agent, collaborator := webtest.SignIn(t, e, authz.Agent), webtest.SignIn(t, e, authz.Collaborator)
			page := fmt.Sprintf("/tickets/%d", id)

			webtest.RunPages(t, []webtest.PageCase{
				{Name: "composer offers the macro", Who: agent, Method: "GET", Path: page, Status: 200,
					Want: []string{`action="/tickets/` + fmt.Sprint(id) + `/macros/preview"`, `<label for="macro-id">Macros</label>`, "Parcel delayed", ">Preview</button>"}},
				{Name: "preview fills the composer", Who: agent, Method: "POST", Path: page + "/macros/preview", Form: url.Values{"macro_id": {macroID}}, Status: 200,
					Want: []string{"Macro preview: Parcel delayed", html.EscapeString("Hi Kari, your parcel is on its way.") + "</textarea>",
						"Set status to Pending", "Add tags: delayed", "Apply macro", `name="macro_id" value="` + macroID + `"`},
					NotWant: []string{"{{requester.first_name}}"}},
				{Name: "preview without a choice", Who: agent, Method: "POST", Path: page + "/macros/preview", Form: url.Values{}, Status: 422,
					Want: []string{"Choose a macro to preview."}},
				{Name: "unknown macro", Who: agent, Method: "POST", Path: page + "/macros/preview", Form: url.Values{"macro_id": {"99999"}}, Status: 404,
					Want: []string{"cannot be previewed"}},
				{Name: "unknown ticket", Who: agent, Method: "POST", Path: "/tickets/999999/macros/preview", Form: url.Values{"macro_id": {macroID}}, Status: 404},
				{Name: "apply redirects to the ticket", Who: agent, Method: "POST", Path: page + "/macros/apply", Form: url.Values{"macro_id": {macroID}}, Status: 303,
					Location: page},
				{Name: "the reply is on the page", Who: agent, Method: "GET", Path: page, Status: 200,
					Want: []string{"Hi Kari, your parcel is on its way.", `<span class="status s-pending">`, `value="delayed"`}},
			})
			if st, _, _ := collaborator.Do(t, "POST", page+"/macros/apply", url.Values{"macro_id": {macroID}}); st != http.StatusForbidden && st != http.StatusNotFound {
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
