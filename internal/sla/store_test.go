package sla_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/richtext"
	"github.com/ombud/ombud/internal/sla"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/httpx"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type requesters struct{ c *customer.Service }

func (r requesters) ResolveRequester(ctx context.Context, tx *db.Tx, email, name string) (int64, int64, error) {
	return r.c.ResolveRequester(ctx, tx, email, name)
}

func (r requesters) Brief(ctx context.Context, ids []int64) (map[int64]ticket.CustomerBrief, error) {
	bs, err := r.c.Brief(ctx, ids)
	out := map[int64]ticket.CustomerBrief{}
	for id, b := range bs {
		out[id] = ticket.CustomerBrief{ID: b.ID, Name: b.Name, Email: b.Email}
	}
	return out, err
}

type fixture struct {
	d       *db.DB
	clk     *clock
	tickets *ticket.Service
	svc     *sla.Service
	admin   authz.Actor
	agent   authz.Actor
	collab  authz.Actor
	team    int64
}

func setup(t testing.TB, d *db.DB) fixture {
	t.Helper()
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}
	tickets := ticket.NewService(d, clk.now, requesters{customer.NewService(d, clk.now)}, richtext.New())
	svc := sla.NewService(d, clk.now, tickets)
	// The wiring the application does: every ticket change refreshes the
	// ticket's SLA state in the change's transaction.
	tickets.AddHook(svc)
	var admin, agent, collab, team int64
	err := d.Write(ctx, func(tx *db.Tx) error {
		var err error
		if admin, err = tx.InsertID(ctx, `INSERT INTO agents (email, name, role, created_at, updated_at) VALUES ('admin@ombud.test', 'Admin', 'admin', 1, 1)`); err != nil {
			return err
		}
		if agent, err = tx.InsertID(ctx, `INSERT INTO agents (email, name, role, created_at, updated_at) VALUES ('ingrid@ombud.test', 'Ingrid', 'agent', 1, 1)`); err != nil {
			return err
		}
		if collab, err = tx.InsertID(ctx, `INSERT INTO agents (email, name, role, created_at, updated_at) VALUES ('finance@ombud.test', 'Finance', 'collaborator', 1, 1)`); err != nil {
			return err
		}
		team, err = tx.InsertID(ctx, `INSERT INTO teams (name, created_at, updated_at) VALUES ('Billing', 1, 1)`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return fixture{d: d, clk: clk, tickets: tickets, svc: svc, team: team,
		admin:  authz.Actor{Kind: authz.KindAgent, ID: admin, Role: authz.Admin},
		agent:  authz.Actor{Kind: authz.KindAgent, ID: agent, Role: authz.Agent},
		collab: authz.Actor{Kind: authz.KindAgent, ID: collab, Role: authz.Collaborator}}
}

// decode reads a request body the way the API handlers do.
func decode[T any](t testing.TB, body string) T {
	t.Helper()
	var v T
	if err := httpx.DecodeJSONReader(strings.NewReader(body), &v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return v
}

// wantErr checks err's code and that it names field ("" for none).
func wantErr(t testing.TB, err error, code apperr.Code, field string) {
	t.Helper()
	e := apperr.As(err)
	if err == nil || e.Code != code {
		t.Fatalf("err = %v, want %s", err, code)
	}
	if field != "" {
		if _, ok := e.Fields[field]; !ok {
			t.Fatalf("err fields = %v, want %s", e.Fields, field)
		}
	}
}

const officeJSON = `{"name":"Oslo office","time_zone":"Europe/Oslo",
	"schedule":{"mon":[{"start":"08:00","end":"16:00"}],"tue":[{"start":"08:00","end":"16:00"}],"wed":[{"start":"08:00","end":"16:00"}],
		"thu":[{"start":"08:00","end":"16:00"}],"fri":[{"start":"08:00","end":"16:00"}]},
	"holidays":[{"date":"2026-12-24","name":"Christmas Eve","yearly":true},{"date":"2026-04-03","name":"Good Friday"}]}`

func TestCalendarStore(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		c, err := f.svc.CreateCalendar(ctx, f.admin, decode[sla.CalendarInput](t, officeJSON))
		if err != nil {
			t.Fatal(err)
		}
		if c.ID == 0 || c.Name != "Oslo office" || len(c.Schedule.Mon) != 1 || c.Schedule.Sat == nil || len(c.Holidays) != 2 {
			t.Fatalf("created %+v", c)
		}
		got, err := f.svc.GetCalendar(ctx, f.agent, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(c, got); diff != "" {
			t.Fatalf("get (-created +got):\n%s", diff)
		}

		_, err = f.svc.CreateCalendar(ctx, f.admin, decode[sla.CalendarInput](t, officeJSON))
		wantErr(t, err, apperr.CodeConflict, "name")

		invalid := []struct{ body, field string }{
			{`{"name":"x","time_zone":"Europe/Atlantis","schedule":{"mon":[{"start":"08:00","end":"16:00"}]}}`, "time_zone"},
			{`{"name":"x","time_zone":"UTC","schedule":{"mon":[{"start":"08:00","end":"25:00"}]}}`, "schedule.mon[0].end"},
			{`{"name":"x","time_zone":"UTC","schedule":{"mon":[{"start":"08:00","end":"16:00"}]},"holidays":[{"date":"2026-01-01"},{"date":"2026-05-17"},{"date":"17.05.2026"}]}`, "holidays[2].date"},
			{`{"name":" ","time_zone":"UTC","schedule":{"mon":[{"start":"08:00","end":"16:00"}]}}`, "name"},
			{`{"name":"x","time_zone":"UTC","schedule":{}}`, "schedule"},
		}
		for _, tt := range invalid {
			_, err := f.svc.CreateCalendar(ctx, f.admin, decode[sla.CalendarInput](t, tt.body))
			wantErr(t, err, apperr.CodeInvalid, tt.field)
		}
		// An unknown weekday is refused by the strict decoder (which names
		// the key alone).
		var in sla.CalendarInput
		err = httpx.DecodeJSONReader(strings.NewReader(`{"name":"x","time_zone":"UTC","schedule":{"mon":[],"funday":[]}}`), &in)
		wantErr(t, err, apperr.CodeInvalid, "funday")

		_, err = f.svc.CreateCalendar(ctx, f.agent, decode[sla.CalendarInput](t, officeJSON))
		wantErr(t, err, apperr.CodeForbidden, "")
		_, err = f.svc.ListCalendars(ctx, f.collab)
		wantErr(t, err, apperr.CodeForbidden, "")

		up, err := f.svc.UpdateCalendar(ctx, f.admin, c.ID, decode[sla.CalendarPatch](t, `{"holidays":[],"schedule":{"sat":[{"start":"22:00","end":"02:00"}]}}`))
		if err != nil {
			t.Fatal(err)
		}
		if len(up.Holidays) != 0 || len(up.Schedule.Mon) != 0 || up.Schedule.Sat[0].End != "02:00" || up.Name != "Oslo office" {
			t.Fatalf("updated %+v", up)
		}
		_, err = f.svc.UpdateCalendar(ctx, f.admin, c.ID, decode[sla.CalendarPatch](t, `{"schedule":{"sat":[{"start":"22:00","end":"02:00"}],"sun":[{"start":"01:00","end":"03:00"}]}}`))
		wantErr(t, err, apperr.CodeInvalid, "schedule.sun[0]")
		_, err = f.svc.UpdateCalendar(ctx, f.admin, 999, decode[sla.CalendarPatch](t, `{"name":"y"}`))
		wantErr(t, err, apperr.CodeNotFound, "")

		other, err := f.svc.CreateCalendar(ctx, f.admin, decode[sla.CalendarInput](t, strings.Replace(officeJSON, "Oslo office", "Second", 1)))
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.UpdateCalendar(ctx, f.admin, other.ID, decode[sla.CalendarPatch](t, `{"name":"Oslo office"}`))
		wantErr(t, err, apperr.CodeConflict, "name")
		list, err := f.svc.ListCalendars(ctx, f.agent)
		if err != nil || len(list) != 2 || list[0].Name != "Oslo office" {
			t.Fatalf("list = %+v, %v", list, err)
		}

		// A calendar a policy uses cannot go; once unused it can.
		p, err := f.svc.CreatePolicy(ctx, f.admin, sla.PolicyInput{Name: "Business", Targets: map[string]sla.Target{
			"high": {FirstReply: "2h", BusinessHours: true, CalendarID: &c.ID}}})
		if err != nil {
			t.Fatal(err)
		}
		err = f.svc.DeleteCalendar(ctx, f.admin, c.ID)
		wantErr(t, err, apperr.CodeConflict, "")
		if !strings.Contains(apperr.As(err).Message, `"Business"`) {
			t.Fatalf("message %q does not name the policy", apperr.As(err).Message)
		}
		if _, err := f.svc.UpdatePolicy(ctx, f.admin, p.ID, sla.PolicyPatch{Targets: &map[string]sla.Target{"high": {FirstReply: "2h"}}}); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.DeleteCalendar(ctx, f.admin, c.ID); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.GetCalendar(ctx, f.admin, c.ID)
		wantErr(t, err, apperr.CodeNotFound, "")
	})
}

func countJobs(t testing.TB, d *db.DB, kind string) int {
	t.Helper()
	var n int
	if err := d.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM jobs WHERE kind = ?`, kind).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPolicyStore(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		if _, err := f.tickets.CreateField(ctx, f.admin, ticket.FieldInput{Key: "order_no", Label: "Order", Type: "text"}); err != nil {
			t.Fatal(err)
		}
		cal, err := f.svc.CreateCalendar(ctx, f.admin, decode[sla.CalendarInput](t, officeJSON))
		if err != nil {
			t.Fatal(err)
		}
		body := `{"name":"VIP","conditions":[{"field":"priority","op":"in","value":["high","urgent"]},{"field":"tag","op":"includes","value":"VIP"},
			{"field":"custom.order_no","op":"present"}],
			"targets":{"urgent":{"first_reply":"60m","next_reply":"2h","periodic_update":"4h","resolution":"8h","business_hours":false},
				"high":{"first_reply":"2h","resolution":"1h30m","business_hours":true,"calendar_id":` + itoa(cal.ID) + `}}}`
		vip, err := f.svc.CreatePolicy(ctx, f.admin, decode[sla.PolicyInput](t, body))
		if err != nil {
			t.Fatal(err)
		}
		if !vip.Active || vip.Position != 1 || len(vip.Conditions) != 3 || vip.Targets["urgent"].FirstReply != "1h" ||
			vip.Conditions[1].Value != "vip" || *vip.Targets["high"].CalendarID != cal.ID {
			t.Fatalf("created %+v", vip)
		}
		std, err := f.svc.CreatePolicy(ctx, f.admin, decode[sla.PolicyInput](t, `{"name":"Standard","active":false,"targets":{"normal":{"resolution":"48h"}}}`))
		if err != nil {
			t.Fatal(err)
		}
		if std.Position != 2 || std.Active {
			t.Fatalf("second policy %+v", std)
		}
		if n := countJobs(t, d, sla.JobRecompute); n != 2 {
			t.Fatalf("recompute jobs = %d, want one per policy change", n)
		}

		invalid := []struct{ body, field string }{
			{`{"name":"x","conditions":[{"field":"priority","op":"is","value":"high"},{"field":"mood","op":"is","value":"sad"}],"targets":{"urgent":{"first_reply":"1h"}}}`, "conditions[1].field"},
			{`{"name":"x","conditions":[{"field":"custom.colour","op":"present"}],"targets":{"urgent":{"first_reply":"1h"}}}`, "conditions[0].field"},
			{`{"name":"x","conditions":[{"field":"channel","op":"in","value":["email","fax"]}],"targets":{"urgent":{"first_reply":"1h"}}}`, "conditions[0].value[1]"},
			{`{"name":"x","targets":{"urgent":{"first_reply":"soon"}}}`, "targets.urgent.first_reply"},
			{`{"name":"x","targets":{"critical":{"first_reply":"1h"}}}`, "targets.critical"},
			{`{"name":"x","targets":{"high":{"first_reply":"1h","business_hours":true,"calendar_id":4242}}}`, "targets.high.calendar_id"},
			{`{"name":"x","targets":{}}`, "targets"},
			{`{"name":"","targets":{"urgent":{"first_reply":"1h"}}}`, "name"},
		}
		for _, tt := range invalid {
			_, err := f.svc.CreatePolicy(ctx, f.admin, decode[sla.PolicyInput](t, tt.body))
			wantErr(t, err, apperr.CodeInvalid, tt.field)
		}
		var in sla.PolicyInput
		err = httpx.DecodeJSONReader(strings.NewReader(`{"name":"x","targets":{"urgent":{"first_reply":"1h","first_response":"1h"}}}`), &in)
		wantErr(t, err, apperr.CodeInvalid, "first_response")
		_, err = f.svc.CreatePolicy(ctx, f.admin, decode[sla.PolicyInput](t, `{"name":"VIP","targets":{"urgent":{"first_reply":"1h"}}}`))
		wantErr(t, err, apperr.CodeConflict, "name")
		_, err = f.svc.CreatePolicy(ctx, f.agent, decode[sla.PolicyInput](t, `{"name":"y","targets":{"urgent":{"first_reply":"1h"}}}`))
		wantErr(t, err, apperr.CodeForbidden, "")
		if _, err := f.svc.ListPolicies(ctx, f.agent); err != nil {
			t.Fatalf("agents read policies: %v", err)
		}

		up, err := f.svc.UpdatePolicy(ctx, f.admin, std.ID, decode[sla.PolicyPatch](t, `{"active":true,"description":"Everyone else"}`))
		if err != nil {
			t.Fatal(err)
		}
		if !up.Active || up.Description != "Everyone else" || up.Targets["normal"].Resolution != "48h" {
			t.Fatalf("updated %+v", up)
		}
		_, err = f.svc.UpdatePolicy(ctx, f.admin, std.ID, decode[sla.PolicyPatch](t, `{"conditions":[{"field":"team_id","op":"is","value":0}]}`))
		wantErr(t, err, apperr.CodeInvalid, "conditions[0].value")
		_, err = f.svc.UpdatePolicy(ctx, f.admin, std.ID, decode[sla.PolicyPatch](t, `{}`))
		wantErr(t, err, apperr.CodeInvalid, "body")

		// Stored conditions pick the policy: the first active one that
		// matches, in order.
		policyOf := func(in ticket.CreateInput) int64 {
			t.Helper()
			in.Subject, in.Description, in.Channel = "Order", "Where is it?", "email"
			in.Requester = &ticket.RequesterInput{Email: "ola@example.no"}
			tk, err := f.tickets.Create(ctx, f.agent, in)
			if err != nil {
				t.Fatal(err)
			}
			st, err := f.svc.TicketSLA(ctx, f.agent, tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			if st.PolicyID == nil {
				return 0
			}
			return *st.PolicyID
		}
		if got := policyOf(ticket.CreateInput{Priority: "urgent", Tags: []string{"vip"}, CustomFields: map[string]any{"order_no": "A-1"}}); got != vip.ID {
			t.Fatalf("VIP ticket under policy %d, want %d", got, vip.ID)
		}
		if got := policyOf(ticket.CreateInput{Priority: "urgent", Tags: []string{"vip"}}); got != std.ID {
			t.Fatalf("VIP ticket without an order number under policy %d, want %d", got, std.ID)
		}

		third, err := f.svc.CreatePolicy(ctx, f.admin, decode[sla.PolicyInput](t, `{"name":"Chat","conditions":[{"field":"channel","op":"is","value":"chat"}],"targets":{"normal":{"first_reply":"5m"}}}`))
		if err != nil {
			t.Fatal(err)
		}
		reorder := []struct {
			body  string
			field string
		}{
			{`{"ids":[]}`, "ids"},
			{`{"ids":[` + itoa(third.ID) + `,` + itoa(vip.ID) + `]}`, "ids"},
			{`{"ids":[` + itoa(third.ID) + `,` + itoa(vip.ID) + `,` + itoa(vip.ID) + `]}`, "ids[2]"},
			{`{"ids":[` + itoa(third.ID) + `,` + itoa(vip.ID) + `,` + itoa(std.ID) + `,999]}`, "ids[3]"},
		}
		for _, tt := range reorder {
			_, err := f.svc.ReorderPolicies(ctx, f.admin, decode[sla.ReorderInput](t, tt.body))
			wantErr(t, err, apperr.CodeInvalid, tt.field)
		}
		list, err := f.svc.ReorderPolicies(ctx, f.admin, sla.ReorderInput{IDs: []int64{third.ID, vip.ID, std.ID}})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, p := range list {
			names = append(names, p.Name)
		}
		if diff := cmp.Diff([]string{"Chat", "VIP", "Standard"}, names); diff != "" {
			t.Fatalf("order (-want +got):\n%s", diff)
		}
		if err := f.svc.DeletePolicy(ctx, f.admin, vip.ID); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.GetPolicy(ctx, f.admin, vip.ID)
		wantErr(t, err, apperr.CodeNotFound, "")
		// The calendar is free again.
		if err := f.svc.DeleteCalendar(ctx, f.admin, cal.ID); err != nil {
			t.Fatal(err)
		}
	})
}

func itoa(n int64) string {
	b := []byte{}
	if n == 0 {
		return "0"
	}
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
