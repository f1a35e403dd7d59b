package orders_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/orders"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/richtext"
	"github.com/ombud/ombud/internal/secret"
	"github.com/ombud/ombud/internal/ticket"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type requesters struct{ *customer.Service }

func (r requesters) Brief(ctx context.Context, ids []int64) (map[int64]ticket.CustomerBrief, error) {
	return map[int64]ticket.CustomerBrief{}, nil
}

type env struct {
	d       *db.DB
	now     time.Time
	svc     *orders.Service
	tickets *ticket.Service
	admin   authz.Actor
	agent   authz.Actor
	collab  authz.Actor
	ticket  int64
}

func setup(t *testing.T, d *db.DB) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{d: d, now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	now := func() time.Time { return e.now }
	box, err := secret.NewBox(make([]byte, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	cs := customer.NewService(d, now)
	e.tickets = ticket.NewService(d, now, requesters{cs}, richtext.New())
	e.svc = orders.NewService(d, now, box, e.tickets)
	err = d.Write(ctx, func(tx *db.Tx) error {
		for _, a := range []struct {
			p    *authz.Actor
			role authz.Role
		}{{&e.admin, authz.Admin}, {&e.agent, authz.Agent}, {&e.collab, authz.Collaborator}} {
			id, err := tx.InsertID(ctx, `INSERT INTO agents (email, name, role, availability, created_at, updated_at) VALUES (?, ?, ?, 'offline', 1, 1)`, string(a.role)+"@ombud.test", string(a.role), string(a.role))
			if err != nil {
				return err
			}
			*a.p = authz.Actor{Kind: authz.KindAgent, ID: id, Role: a.role, Name: string(a.role)}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tk, err := e.tickets.Create(ctx, e.agent, ticket.CreateInput{Subject: "Shoes too small", Description: "Can I return them?", Requester: &ticket.RequesterInput{Email: "ann@example.com", Name: "Ann"}})
	if err != nil {
		t.Fatal(err)
	}
	e.ticket = tk.ID
	return e
}

func TestReturnWorkflow(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		in := orders.CaseInput{Kind: "return", OrderNumber: "#1002", Reason: "doesnt_fit", Amount: "79.90", Currency: "eur",
			Items: []orders.CaseItem{{Product: "Trail shoe", Quantity: 1}}}
		if _, err := e.svc.Create(ctx, e.collab, e.ticket, in); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("collaborator creates: %v, want forbidden", err)
		}
		c, err := e.svc.Create(ctx, e.agent, e.ticket, in)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != orders.Requested || c.AmountMinor != 7990 || c.Currency != "EUR" || len(c.Items) != 1 {
			t.Fatalf("created %+v", c)
		}
		if d := cmp.Diff([]string{"approved", "rejected", "cancelled"}, c.Next); d != "" {
			t.Errorf("next (-want +got):\n%s", d)
		}
		// A return is not refunded before the parcel is back.
		if _, err := e.svc.Transition(ctx, e.agent, c.ID, orders.TransitionInput{Status: "refunded"}); !apperr.Is(err, apperr.CodeConflict) {
			t.Errorf("refund from requested: %v, want conflict", err)
		}
		if _, err := e.svc.Transition(ctx, e.collab, c.ID, orders.TransitionInput{Status: "approved"}); !apperr.Is(err, apperr.CodeForbidden) {
			t.Errorf("collaborator moves: %v, want forbidden", err)
		}
		for _, to := range []string{"approved", "label_sent", "received", "refunded"} {
			e.now = e.now.Add(time.Hour)
			if c, err = e.svc.Transition(ctx, e.agent, c.ID, orders.TransitionInput{Status: to}); err != nil {
				t.Fatalf("to %s: %v", to, err)
			}
		}
		if c.Status != orders.Refunded || c.RefundedAt == nil || !c.RefundedAt.Equal(e.now) || len(c.Next) != 0 {
			t.Errorf("refunded case %+v", c)
		}
		if _, err := e.svc.Transition(ctx, e.agent, c.ID, orders.TransitionInput{Status: "exchanged"}); !apperr.Is(err, apperr.CodeConflict) {
			t.Errorf("exchange a refunded return: %v, want conflict", err)
		}
		// Every step is on the ticket's history.
		ev, err := e.tickets.ListEvents(ctx, e.agent, e.ticket, page.Request{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var steps []string
		for _, x := range ev.Data {
			switch x.Type {
			case orders.EvReturnOpened:
				steps = append(steps, "opened "+x.Data["reason"].(string)+" "+x.Data["amount"].(string))
			case orders.EvReturnStatus:
				steps = append(steps, x.Data["from"].(string)+">"+x.Data["to"].(string))
			}
		}
		want := []string{"opened doesnt_fit 79.90", "requested>approved", "approved>label_sent", "label_sent>received", "received>refunded"}
		if d := cmp.Diff(want, steps); d != "" {
			t.Errorf("history (-want +got):\n%s", d)
		}
		// The collaborator reads; lists filter.
		list, err := e.svc.List(ctx, e.collab, orders.Filter{Status: "refunded", Reason: "doesnt_fit"})
		if err != nil || len(list) != 1 || list[0].ID != c.ID {
			t.Errorf("list: %v %v", list, err)
		}
		if list, _ := e.svc.List(ctx, e.collab, orders.Filter{Reason: "damaged"}); len(list) != 0 {
			t.Errorf("list by another reason: %v", list)
		}
	})
}

func TestCaseValidation(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		for _, c := range []struct {
			name  string
			in    orders.CaseInput
			field string
		}{
			{"kind", orders.CaseInput{Kind: "swap", OrderNumber: "1", Reason: "other", Items: []orders.CaseItem{{"A", 1}}}, "kind"},
			{"order", orders.CaseInput{Kind: "return", Reason: "other", Items: []orders.CaseItem{{"A", 1}}}, "order_number"},
			{"reason", orders.CaseInput{Kind: "return", OrderNumber: "1", Reason: "bored", Items: []orders.CaseItem{{"A", 1}}}, "reason"},
			{"amount", orders.CaseInput{Kind: "return", OrderNumber: "1", Reason: "other", Amount: "1.234", Currency: "EUR", Items: []orders.CaseItem{{"A", 1}}}, "amount"},
			{"currency", orders.CaseInput{Kind: "return", OrderNumber: "1", Reason: "other", Amount: "10", Items: []orders.CaseItem{{"A", 1}}}, "currency"},
			{"quantity", orders.CaseInput{Kind: "return", OrderNumber: "1", Reason: "other", Items: []orders.CaseItem{{"A", 0}}}, "items.0.quantity"},
			{"items", orders.CaseInput{Kind: "exchange", OrderNumber: "1", Reason: "other"}, "items"},
			{"refund amount", orders.CaseInput{Kind: "refund", OrderNumber: "1", Reason: "late_delivery"}, "amount"},
		} {
			_, err := e.svc.Create(ctx, e.agent, e.ticket, c.in)
			ae := apperr.As(err)
			if ae == nil || ae.Fields[c.field] == "" {
				t.Errorf("%s: %v, want an error on %s", c.name, err, c.field)
			}
		}
		_, err := e.svc.Create(ctx, e.agent, 999999, orders.CaseInput{Kind: "refund", OrderNumber: "1", Reason: "other", Amount: "5", Currency: "EUR"})
		if !apperr.Is(err, apperr.CodeNotFound) {
			t.Errorf("unknown ticket: %v, want not found", err)
		}
		if _, err := e.svc.Transition(ctx, e.agent, 999999, orders.TransitionInput{Status: "approved"}); !apperr.Is(err, apperr.CodeNotFound) {
			t.Errorf("unknown case: %v", err)
		}
		if _, err := e.svc.Transition(ctx, e.agent, 1, orders.TransitionInput{Status: "requested"}); !apperr.Is(err, apperr.CodeInvalid) {
			t.Errorf("back to requested: %v", err)
		}
	})
}

// TestReturnsReport computes a small month by hand: three cases opened in
// March (two doesnt_fit, one damaged) and one cancelled (left out), one
// opened in February; refunds of 79.90 EUR and 20.10 EUR in March and one
// of 499 NOK, and a refund made on 1 April (outside the period).
func TestReturnsReport(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		open := func(at time.Time, kind, reason, amount, cur string, items ...orders.CaseItem) int64 {
			t.Helper()
			e.now = at
			c, err := e.svc.Create(ctx, e.agent, e.ticket, orders.CaseInput{Kind: kind, OrderNumber: "#1", Reason: reason, Amount: amount, Currency: cur, Items: items})
			if err != nil {
				t.Fatal(err)
			}
			return c.ID
		}
		move := func(at time.Time, id int64, to ...string) {
			t.Helper()
			e.now = at
			for _, s := range to {
				if _, err := e.svc.Transition(ctx, e.agent, id, orders.TransitionInput{Status: s}); err != nil {
					t.Fatalf("%d to %s: %v", id, s, err)
				}
			}
		}
		mar := func(day int) time.Time { return time.Date(2026, 3, day, 12, 0, 0, 0, time.UTC) }
		shoe, socks := orders.CaseItem{Product: "Trail shoe", Quantity: 1}, orders.CaseItem{Product: "Socks", Quantity: 2}
		a := open(mar(2), "return", "doesnt_fit", "79.90", "EUR", shoe)
		b := open(mar(3), "return", "doesnt_fit", "20.10", "EUR", socks, shoe)
		c := open(mar(4), "refund", "damaged", "499", "NOK")
		x := open(mar(5), "return", "damaged", "", "", socks)
		feb := open(time.Date(2026, 2, 20, 0, 0, 0, 0, time.UTC), "refund", "late_delivery", "10", "EUR")
		move(mar(6), a, "approved", "label_sent", "received", "refunded")
		move(mar(7), b, "approved", "received", "refunded")
		move(mar(8), c, "approved", "refunded")
		move(mar(9), x, "cancelled")
		move(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), feb, "approved", "refunded")

		if _, err := e.svc.ReportFor(ctx, e.agent, mar(1), mar(31)); !apperr.Is(err, apperr.CodeForbidden) {
			t.Errorf("agent without report.read: %v", err)
		}
		r, err := e.svc.ReportFor(ctx, e.admin, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		want := orders.Report{From: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC),
			ByReason:  []orders.ReasonCount{{Reason: "doesnt_fit", Cases: 2}, {Reason: "damaged", Cases: 1}},
			ByProduct: []orders.ProductQty{{Product: "Socks", Quantity: 2, Cases: 1}, {Product: "Trail shoe", Quantity: 2, Cases: 2}},
			Refunds:   []orders.RefundTotal{{Currency: "EUR", Cases: 2, AmountMinor: 10000, Amount: "100.00"}, {Currency: "NOK", Cases: 1, AmountMinor: 49900, Amount: "499.00"}},
		}
		if d := cmp.Diff(want, r); d != "" {
			t.Errorf("report (-want +got):\n%s", d)
		}
		if _, err := e.svc.ReportFor(ctx, e.admin, mar(5), mar(5)); !errors.Is(err, err) || !apperr.Is(err, apperr.CodeInvalid) {
			t.Errorf("empty period: %v", err)
		}
	})
}

func TestSettingsSealTokenAndAudit(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		srv := fakeShopify(t, "shpat_secret")
		if _, ok, err := e.svc.Lookup(ctx, e.agent, orders.Query{Email: "ann@example.com"}); ok || err != nil {
			t.Fatalf("no connector: configured %v, %v", ok, err)
		}
		in := orders.SettingsInput{Kind: "shopify", BaseURL: srv.URL, APIVersion: "2024-10", Token: "shpat_secret", Reasons: []string{"damaged", "wrong_size", "other"}}
		if _, err := e.svc.SaveSettings(ctx, e.agent, in); !apperr.Is(err, apperr.CodeForbidden) {
			t.Errorf("agent saves settings: %v", err)
		}
		bad := in
		bad.BaseURL = "ftp://x"
		if _, err := e.svc.SaveSettings(ctx, e.admin, bad); apperr.As(err) == nil || apperr.As(err).Fields["base_url"] == "" {
			t.Errorf("bad base url: %v", err)
		}
		st, err := e.svc.SaveSettings(ctx, e.admin, in)
		if err != nil {
			t.Fatal(err)
		}
		if !st.HasToken || len(st.Reasons) != 3 {
			t.Errorf("settings %+v", st)
		}
		var stored string
		if err := d.QueryRowContext(ctx, `SELECT token FROM order_settings`).Scan(&stored); err != nil || !secret.IsSealed(stored) {
			t.Errorf("stored token %q (%v), want sealed", stored, err)
		}
		var n int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'order_settings.update'`).Scan(&n); err != nil || n != 1 {
			t.Errorf("audit entries %d (%v)", n, err)
		}
		// Saving again without a token keeps it.
		in.Token = ""
		if _, err := e.svc.SaveSettings(ctx, e.admin, in); err != nil {
			t.Fatal(err)
		}
		got, ok, err := e.svc.Lookup(ctx, e.collab, orders.Query{Email: "ann@example.com"})
		if err != nil || !ok || len(got) != 2 {
			t.Errorf("lookup: %d orders, configured %v, %v", len(got), ok, err)
		}
		// The new reasons apply to cases.
		if _, err := e.svc.Create(ctx, e.agent, e.ticket, orders.CaseInput{Kind: "exchange", OrderNumber: "#1002", Reason: "wrong_size", Items: []orders.CaseItem{{"Trail shoe", 1}}}); err != nil {
			t.Errorf("custom reason: %v", err)
		}
		if _, err := e.svc.Create(ctx, e.agent, e.ticket, orders.CaseInput{Kind: "exchange", OrderNumber: "#1002", Reason: "doesnt_fit", Items: []orders.CaseItem{{"Trail shoe", 1}}}); apperr.As(err) == nil {
			t.Errorf("removed reason accepted")
		}
		// An unreachable shop is an error the page can name.
		srv.Close()
		if _, _, err := e.svc.Lookup(ctx, e.agent, orders.Query{Email: "ann@example.com"}); !errors.Is(err, orders.ErrUnreachable) {
			t.Errorf("closed shop: %v", err)
		}
	})
}
