package demo

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/importer"
)

var allowed = map[string][]string{
	"new":     {"open", "pending", "on_hold", "solved"},
	"open":    {"pending", "on_hold", "solved"},
	"pending": {"open", "on_hold", "solved"},
	"on_hold": {"open", "pending", "solved"},
	"solved":  {"open", "closed"},
	"closed":  {},
}

func TestGenerate(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	recs := Generate(Options{Now: now, Seed: 1})
	if !reflect.DeepEqual(recs, Generate(Options{Now: now, Seed: 1})) {
		t.Fatal("not deterministic")
	}
	count := map[string]int{}
	customers := map[string]bool{}
	agentsByEmail := map[string]bool{}
	teams := map[string]bool{}
	langs, channels := map[string]bool{}, map[string]bool{}
	unsolved, reopened := 0, 0
	for _, r := range recs {
		count[r.Kind]++
		switch r.Kind {
		case importer.KindTeam:
			teams[r.Team.Name] = true
		case importer.KindAgent:
			agentsByEmail[r.Agent.Email] = true
		case importer.KindCustomer:
			customers[r.Customer.Emails[0]] = true
		case importer.KindTicket:
			tk := r.Ticket
			langs[tk.Language] = true
			channels[tk.Channel] = true
			if !customers[tk.Requester] {
				t.Fatalf("unknown requester %s", tk.Requester)
			}
			if tk.Timeline[0].Do != "comment" {
				t.Fatalf("first action %s", tk.Timeline[0].Do)
			}
			status := "new"
			solves := 0
			prev := time.Time{}
			for _, a := range tk.Timeline {
				if !a.At.After(prev) || a.At.After(now) || a.At.Before(now.AddDate(0, 0, -121)) {
					t.Fatalf("ticket %s: bad time %v after %v", tk.ExternalID, a.At, prev)
				}
				prev = a.At
				if a.Assignee != nil && !agentsByEmail[*a.Assignee] {
					t.Fatalf("unknown assignee %s", *a.Assignee)
				}
				if a.Team != nil && !teams[*a.Team] {
					t.Fatalf("unknown team %s", *a.Team)
				}
				if a.Do == "status" {
					if !slices.Contains(allowed[status], a.To) {
						t.Fatalf("ticket %s: %s → %s", tk.ExternalID, status, a.To)
					}
					status = a.To
					if a.To == "solved" {
						solves++
					}
				}
			}
			if status != "solved" && status != "closed" {
				unsolved++
			}
			if solves > 1 {
				reopened++
			}
		}
	}
	want := map[string]int{"team": 2, "agent": 6, "organization": 40, "customer": 300, "ticket": 3000}
	if !reflect.DeepEqual(count, want) {
		t.Fatalf("counts %v", count)
	}
	if len(langs) != 5 || len(channels) != 5 {
		t.Fatalf("languages %v channels %v", langs, channels)
	}
	if share := float64(unsolved) / 3000; share < 0.05 || share > 0.25 {
		t.Fatalf("unsolved share %.2f", share)
	}
	if reopened == 0 {
		t.Fatal("no reopened tickets")
	}
	small := Generate(Options{Now: now, Seed: 2, Tickets: 10, Customers: 5, Orgs: 2})
	n := 0
	for _, r := range small {
		if r.Kind == importer.KindTicket {
			n++
		}
	}
	if n != 10 {
		t.Fatalf("small: %d tickets", n)
	}
}
