package tickets_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestListTriageColumns: the default list and the "SLA at risk" view show
// each ticket's next SLA target relative to now, coloured by state; a
// saved view can show organization, team, custom fields (by label), SLA
// due and next breach.
func TestListTriageColumns(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			setUpSLA(t, e)
			vip := slaTicket(t, e, "Urgent parcel question", "vip")
			standard := slaTicket(t, e, "Ordinary parcel question", "standard")
			slaTicket(t, e, "Question without SLA")
			ag := webtest.SignIn(t, e, authz.Agent)

			// The vip ticket is ten minutes old: its one-minute first
			// reply is nine minutes and some seconds overdue (read as 10 min),
			// recorded by the sweep.
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

			// A saved view with the triage columns.
			st, body := e.Do(t, authz.Admin, "POST", "/api/v1/custom-fields", map[string]any{"key": "order_no", "label": "Order number", "type": "text"})
			if st != http.StatusCreated {
				t.Fatalf("field: %d %v", st, body["_raw"])
			}
			st, team := e.Do(t, authz.Admin, "POST", "/api/v1/teams", map[string]any{"name": "Parcels"})
			if st != http.StatusCreated {
				t.Fatalf("team: %d %v", st, team["_raw"])
			}
			if st, body := e.Do(t, authz.Agent, "PATCH", fmt.Sprintf("/api/v1/tickets/%d", standard), map[string]any{
				"team_id": num(team["id"]), "custom_fields": map[string]any{"order_no": "A-4711"}}); st != http.StatusOK {
				t.Fatalf("patch: %d %v", st, body["_raw"])
			}
			st, org := e.Do(t, authz.Admin, "POST", "/api/v1/organizations", map[string]any{"name": "Fjord Freight AS"})
			if st != http.StatusCreated {
				t.Fatalf("organization: %d %v", st, org["_raw"])
			}
			if err := e.Sys.DB.Write(t.Context(), func(tx *db.Tx) error {
				_, err := tx.ExecContext(t.Context(), `UPDATE tickets SET organization_id = ? WHERE id = ?`, num(org["id"]), standard)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			st, view := e.Do(t, authz.Agent, "POST", "/api/v1/views", map[string]any{"name": "Triage", "query": "status:unsolved",
				"columns": []string{"id", "subject", "organization", "team", "field.order_no", "sla_due", "next_breach"}})
			if st != http.StatusCreated {
				t.Fatalf("view: %d %v", st, view["_raw"])
			}
			if _, err := e.Sys.Agents.CreateAgent(t.Context(), authz.System, agent.AgentInput{
				Email: "nora@ombud.test", Name: "Nora", Role: authz.Agent, Locale: "nb", Password: apptest.Password}); err != nil {
				t.Fatal(err)
			}
			nb := webtest.SignInEmail(t, e, "nora@ombud.test")

			webtest.RunPages(t, []webtest.PageCase{
				{Name: "default list has SLA due", Who: ag, Method: "GET", Path: "/tickets?view=open", Status: 200,
					Want: []string{`<th scope="col">SLA due</th>`, `class="sla-due sla-ok"`, ">in 7 h</time>", `class="sla-due sla-breached"`, "0 min overdue</time>",
						"(Breached)", "(On track)", "Breached · First reply · "}},
				{Name: "SLA at risk shows the due time", Who: ag, Method: "GET", Path: "/tickets?view=sla_at_risk", Status: 200,
					Want: []string{"Urgent parcel question", "0 min overdue</time>"}, NotWant: []string{"Ordinary parcel question"}},
				{Name: "saved view columns", Who: ag, Method: "GET", Path: fmt.Sprintf("/tickets?view=v%d", num(view["id"])), Status: 200,
					Want: []string{`<th scope="col">Organization</th>`, `<th scope="col">Team</th>`, `<th scope="col">Order number</th>`,
						`<th scope="col">SLA due</th>`, `<th scope="col">Next breach</th>`,
						"<td>Fjord Freight AS</td>", "<td>A-4711</td>", `<span class="next-breach sla-ok">First reply · <time`,
						`<span class="next-breach sla-breached">First reply · <time`, "0 min overdue</time>"}},
				{Name: "view editor offers the columns", Who: ag, Method: "GET", Path: "/views/new", Status: 200,
					Want: []string{`value="organization"`, `value="sla_due"`, `value="next_breach"`, `value="team"`, `value="field.order_no"`, "Order number"}},
				{Name: "in Norwegian", Who: nb, Method: "GET", Path: "/tickets?view=open", Status: 200,
					Want: []string{`<th scope="col">SLA-frist</th>`, "om 7 h</time>", "0 min over fristen</time>", "Velg alle saker på denne siden"}},
			})
		})
	}
}

// TestListSelectAllAndEmptyApply: the select-all box (labelled, for the
// page's tickets) and the bulk bar that script hides until something is
// selected; an apply with nothing selected or nothing to change returns
// to the list with a message, not an error page.
func TestListSelectAllAndEmptyApply(t *testing.T) {
	e := apptest.New(t, dbtest.Engines[0])
	a := webtest.CreateTicket(t, e, "First")
	agent := webtest.SignIn(t, e, authz.Agent)
	back := "/tickets?view=open&updated=1&failed=0&why="
	webtest.RunPages(t, []webtest.PageCase{
		{Name: "select-all markup", Who: agent, Method: "GET", Path: "/tickets?view=open", Status: 200,
			Want: []string{`<input type="checkbox" id="select-all" class="select-all" aria-label="Select all tickets on this page" aria-controls="bulk-bar" hidden>`,
				`<fieldset class="bulk" id="bulk-bar">`, "/lists.js", "/lists.css"}},
		{Name: "nothing selected", Who: agent, Method: "POST", Path: "/tickets/bulk", Form: url.Values{"status": {"open"}, "back": {back}}, Status: 303,
			Location: "/tickets?bulk=none&view=open"},
		{Name: "nothing to change", Who: agent, Method: "POST", Path: "/tickets/bulk", Form: url.Values{"ids": {fmt.Sprint(a)}, "back": {back}}, Status: 303,
			Location: "/tickets?bulk=nochange&view=open"},
		{Name: "merge one", Who: agent, Method: "POST", Path: "/tickets/bulk", Form: url.Values{"ids": {fmt.Sprint(a)}, "action": {"merge"}, "back": {"/tickets"}}, Status: 303,
			Location: "/tickets?bulk=merge"},
		{Name: "message for nothing selected", Who: agent, Method: "GET", Path: "/tickets?bulk=none&view=open", Status: 200,
			Want: []string{`<p class="flash" role="status">Select at least one ticket first.</p>`, "First"}},
		{Name: "message for nothing to change", Who: agent, Method: "GET", Path: "/tickets?bulk=nochange&view=open", Status: 200,
			Want: []string{"Choose a change to apply to the selected tickets."}},
		{Name: "a foreign back address stays home", Who: agent, Method: "POST", Path: "/tickets/bulk", Form: url.Values{"back": {"//evil.example/x"}}, Status: 303,
			Location: "/tickets?bulk=none"},
	})
	if strings.Contains(back, "bulk") {
		t.Fatal("fixture")
	}
}
