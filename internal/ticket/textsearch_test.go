package ticket_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/search"
	"github.com/ombud/ombud/internal/ticket"
)

// searchIDs runs q read in loc and returns the ids found, in order.
func searchIDs(t *testing.T, f fixture, q string, loc *time.Location) []int64 {
	t.Helper()
	parsed, err := search.ParseIn(q, loc)
	if err != nil {
		t.Fatalf("parse %q: %v", q, err)
	}
	l, err := f.svc.Search(context.Background(), f.agent, parsed, page.Request{Limit: 25})
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	var got []int64
	for _, tk := range l.Data {
		got = append(got, tk.ID)
	}
	return got
}

// TestSearchFindsWhatAgentsType: a ticket number, a requester's name,
// email or phone (as people write it), an organization's name and an
// order number in a comment each find their tickets, the named ones first.
func TestSearchFindsWhatAgentsType(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		cs := customer.NewService(d, f.clk.now)
		org, err := cs.CreateOrganization(ctx, f.other, customer.OrganizationInput{Name: "Fjord Kraft AS"})
		if err != nil {
			t.Fatal(err)
		}
		kari, err := cs.Create(ctx, f.other, customer.CustomerInput{Name: "Kari Bakken", Emails: []string{"kari@fjordkraft.no"},
			Phones: []string{"+47 912 34 567"}, OrganizationID: &org.ID})
		if err != nil {
			t.Fatal(err)
		}
		per, err := cs.Create(ctx, f.other, customer.CustomerInput{Name: "Per Lund", Phones: []string{"+46 70 123 45 67"}})
		if err != nil {
			t.Fatal(err)
		}
		lars, err := cs.Create(ctx, f.other, customer.CustomerInput{Name: "Lars Berg", Phones: []string{"22 33 44 55"}})
		if err != nil {
			t.Fatal(err)
		}
		mk := func(subject string, requester int64) int64 {
			f.clk.add(time.Minute)
			return newTicket(t, f, subject, func(in *ticket.CreateInput) { in.Requester, in.RequesterID = nil, requester }).ID
		}
		other := newTicket(t, f, "Strømmen er borte").ID // Ola Nordmann, who is in no organization
		k1 := mk("Faktura for februar", kari.ID)
		mention := mk("Spørsmål om Bakken borettslag", per.ID) // names Kari's surname as text
		k2 := mk("Måler byttet", kari.ID)
		p1 := mk("Ny avtale", per.ID)
		l1 := mk("Flytting", lars.ID)
		f.clk.add(time.Minute)
		// An order number in a reply, and the number of another ticket
		// written as text in a third one.
		if _, err := f.svc.AddComment(ctx, f.agent, p1, ticket.CommentInput{Body: "Ordre 884211 er sendt i dag."}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AddComment(ctx, f.agent, l1, ticket.CommentInput{Body: fmt.Sprintf("Se også sak %d.", k2)}); err != nil {
			t.Fatal(err)
		}
		num := fmt.Sprint(k2)
		tests := []struct {
			q    string
			want []int64
		}{
			{num, []int64{k2, l1}},   // the ticket first, then the text
			{"#" + num, []int64{k2}}, // the ticket only
			{"#" + num + " #" + fmt.Sprint(k1), []int64{k2, k1}},
			{"#999999", nil},
			{"884211", []int64{p1}}, // an order number in a comment
			{"Kari Bakken", []int64{k2, k1}},
			{"kari", []int64{k2, k1}},
			{"bakken", []int64{k2, k1, mention}}, // her tickets above the one that mentions the name
			{`"Bakken Kari"`, nil},               // a phrase keeps its order
			{"KARI@fjordkraft.no", []int64{k2, k1}},
			{"+47 912 34 567", []int64{k2, k1}},
			{"0047 91234567", []int64{k2, k1}},
			{"91234567", []int64{k2, k1}},                   // typed without country code
			{"070-123 45 67", []int64{p1, mention}},         // Swedish national format
			{"+47 22 33 44 55", []int64{l1}},                // stored without country code
			{"Fjord Kraft", []int64{k2, k1}},                // the organization
			{"fjord status:new", []int64{k2, k1}},           // with filters
			{"kari -tag:x priority:urgent", nil},            // filters still filter
			{"bakken status:new", []int64{k2, k1, mention}}, // lookups from the filter side (SQLite)
			{"kari tag:x", nil},
			{num + " status:new", []int64{k2}}, // l1 is open after the agent's reply
			{"#" + num + " status:new", []int64{k2}},
			{"fjord kraft status:new", []int64{k2, k1}},
			{"requester:kari@fjordkraft.no", []int64{k2, k1}},
			{`requester:"Kari Bakken"`, []int64{k2, k1}},
			{"requester:+4791234567", []int64{k2, k1}},
			{"requester:" + fmt.Sprint(per.ID), []int64{p1, mention}},
			{"Nordmann", []int64{other}},
		}
		for _, tt := range tests {
			t.Run(tt.q, func(t *testing.T) {
				if diff := cmp.Diff(tt.want, searchIDs(t, f, tt.q, time.UTC)); diff != "" {
					t.Fatalf("search %q (-want +got):\n%s", tt.q, diff)
				}
			})
		}
		// A view filters by the same text, in its own order.
		views := []struct {
			q    string
			want []int64
		}{
			{"Kari Bakken", []int64{k1, k2}},
			{num, []int64{k2, l1}},
			{"#" + num, []int64{k2}},
			{"91234567 status:new", []int64{k1, k2}},
			{"Fjord Kraft", []int64{k1, k2}},
			{"884211", []int64{p1}},
		}
		for _, v := range views {
			l, err := f.svc.RunView(ctx, f.agent, ticket.View{Query: v.q, Sort: "id_asc"}, time.UTC, page.Request{Limit: 25})
			if err != nil {
				t.Fatalf("view %q: %v", v.q, err)
			}
			var got []int64
			for _, tk := range l.Data {
				got = append(got, tk.ID)
			}
			if diff := cmp.Diff(v.want, got); diff != "" {
				t.Errorf("view %q (-want +got):\n%s", v.q, diff)
			}
		}
		// A page of one walks the number search: the ticket, then the text.
		q, _ := search.Parse(num)
		l, err := f.svc.Search(ctx, f.agent, q, page.Request{Limit: 1})
		if err != nil || len(l.Data) != 1 || l.Data[0].ID != k2 || l.NextCursor == nil {
			t.Fatalf("first page %+v %v", l, err)
		}
		c, err := page.Decode(*l.NextCursor)
		if err != nil {
			t.Fatal(err)
		}
		l, err = f.svc.Search(ctx, f.agent, q, page.Request{Limit: 1, Cursor: c})
		if err != nil || len(l.Data) != 1 || l.Data[0].ID != l1 {
			t.Fatalf("second page %+v %v", l, err)
		}
		// Renaming keeps the name index in step.
		if _, err := cs.Update(ctx, f.other, kari.ID, customer.CustomerPatch{Name: ptr("Kari Nilsen")}); err != nil {
			t.Fatal(err)
		}
		if got := searchIDs(t, f, "nilsen", time.UTC); !cmp.Equal(got, []int64{k2, k1}) {
			t.Fatalf("after rename: %v", got)
		}
		if got := searchIDs(t, f, "kari bakken", time.UTC); got != nil {
			t.Fatalf("old name still found: %v", got)
		}
	})
}

// TestSearchRelativeDates reads relative dates in Oslo against the
// service's clock. The tickets sit around midnight there, which is the day
// before in UTC, so reading in the wrong zone gives other answers.
func TestSearchRelativeDates(t *testing.T) {
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		at := func(s string) int64 {
			ts, err := time.Parse(time.RFC3339, s)
			if err != nil {
				t.Fatal(err)
			}
			f.clk.mu.Lock()
			f.clk.t = ts
			f.clk.mu.Unlock()
			return newTicket(t, f, "Ticket of "+s).ID
		}
		dd := at("2026-02-20T12:00:00Z") // the week before last
		e := at("2026-02-25T12:00:00Z")  // last week
		a := at("2026-03-01T23:30:00Z")  // Monday 00:30 in Oslo, still Sunday in UTC
		b := at("2026-03-02T23:30:00Z")  // Tuesday 00:30 in Oslo
		c := at("2026-03-03T09:30:00Z")
		f.clk.mu.Lock()
		f.clk.t = time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC) // Tuesday 11:00 in Oslo
		f.clk.mu.Unlock()
		tests := []struct {
			q    string
			loc  *time.Location
			want []int64
		}{
			{"created:today", oslo, []int64{c, b}},
			{"created:today", time.UTC, []int64{c}},
			{"created:yesterday", oslo, []int64{a}},
			{"created:yesterday", time.UTC, []int64{b}},
			{"created:this_week", oslo, []int64{c, b, a}},
			{"created:last_week", oslo, []int64{e}},
			{"created:last_week", time.UTC, []int64{a, e}},
			{"created:this_month", oslo, []int64{c, b, a}},
			{"created:last_month", oslo, []int64{e, dd}},
			{"created>2h", oslo, []int64{c}},
			{"created>7d", oslo, []int64{c, b, a, e}},
			{"updated<24h", oslo, []int64{a, e, dd}},
			{"updated<yesterday", oslo, []int64{e, dd}},
			{"updated<yesterday", time.UTC, []int64{a, e, dd}},
			{"created>yesterday", oslo, []int64{c, b}},
			{"created<=yesterday created>=last_week", oslo, []int64{a, e}},
			{"-created:this_month", oslo, []int64{e, dd}},
		}
		// A saved view stays relative: it is read when it runs.
		l, err := f.svc.RunView(context.Background(), f.agent, ticket.View{Query: "created:today", Sort: "id_asc"}, oslo, page.Request{Limit: 25})
		if err != nil || len(l.Data) != 2 || l.Data[0].ID != b || l.Data[1].ID != c {
			t.Fatalf("view created:today: %+v %v", l.Data, err)
		}
		for _, tt := range tests {
			t.Run(tt.q+" in "+tt.loc.String(), func(t *testing.T) {
				if diff := cmp.Diff(tt.want, searchIDs(t, f, tt.q, tt.loc)); diff != "" {
					t.Fatalf("search %q (-want +got):\n%s", tt.q, diff)
				}
			})
		}
	})
}
