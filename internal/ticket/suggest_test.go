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
	"github.com/ombud/ombud/internal/search"
	"github.com/ombud/ombud/internal/ticket"
)

// TestSuggest: the search box offers tickets for a number, a requester's
// email, phone or name being typed, and a subject's words.
func TestSuggest(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		cs := customer.NewService(d, f.clk.now)
		kari, err := cs.Create(ctx, f.other, customer.CustomerInput{Name: "Kari Bakken", Emails: []string{"kari@fjordkraft.no"}, Phones: []string{"+47 912 34 567"}})
		if err != nil {
			t.Fatal(err)
		}
		mk := func(subject string, requester int64) int64 {
			f.clk.add(time.Minute)
			return newTicket(t, f, subject, func(in *ticket.CreateInput) {
				if requester != 0 {
					in.Requester, in.RequesterID = nil, requester
				}
			}).ID
		}
		k1 := mk("Faktura for februar", kari.ID)
		k2 := mk("Måler byttet", kari.ID)
		o1 := mk("Faktura mangler", 0)
		o2 := mk("Ordre 884211 mangler", 0)
		tests := []struct {
			q    string
			want []int64
		}{
			{fmt.Sprint(k2), []int64{k2}},
			{"#" + fmt.Sprint(k1), []int64{k1}},
			{"Kari Bak", []int64{k2, k1}},
			{"kari@fjordkraft.no", []int64{k2, k1}},
			{"+47 912 34 567", []int64{k2, k1}},
			{"91234567", []int64{k2, k1}},
			{"fakt", []int64{o1, k1}},
			{"faktura man", []int64{o1}},
			{"8842", []int64{o2}},
			{"f", nil},
			{"nothing", nil},
		}
		for _, tt := range tests {
			t.Run(tt.q, func(t *testing.T) {
				q, err := search.Parse(tt.q)
				if err != nil {
					t.Fatal(err)
				}
				got, err := f.svc.Suggest(ctx, f.agent, q, 5)
				if err != nil {
					t.Fatal(err)
				}
				var ids []int64
				for _, g := range got {
					ids = append(ids, g.ID)
				}
				if diff := cmp.Diff(tt.want, ids); diff != "" {
					t.Fatalf("Suggest(%q) (-want +got):\n%s", tt.q, diff)
				}
			})
		}
		got, err := f.svc.Suggest(ctx, f.agent, search.Query{Words: []string{fmt.Sprint(k1)}}, 5)
		if err != nil || len(got) != 1 || got[0] != (ticket.Suggestion{ID: k1, Subject: "Faktura for februar", Status: ticket.StatusNew}) {
			t.Fatalf("suggestion %+v %v", got, err)
		}
	})
}
