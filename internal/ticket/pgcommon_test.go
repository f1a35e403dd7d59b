package ticket_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/ticket"
)

// TestSearchPGCommonMatchesPlanned: on PostgreSQL a one-word search whose
// word the statistics list as common in subjects and comments runs its
// walks as a prepared statement instead of one planned for the value
// (pgcommon.go); its pages, totals and estimates are those of the planned
// walks, with bounds the walks cross and after writes the statistics have
// not seen, alone and with filters tested on the walked rows; so does a
// word the statistics place as rare, whose walks read its matches through
// the index first, and a word common in one table and rare in the other.
// Several words and phrases stay planned. On SQLite the switch changes
// nothing.
func TestSearchPGCommonMatchesPlanned(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		var ids []int64
		for i := range 40 {
			f.clk.add(time.Duration(1+i%3) * time.Hour)
			subject := fmt.Sprintf("meter %d broken", i)
			if i%2 == 0 {
				subject = fmt.Sprintf("hilsen meter %d", i)
			}
			tk := newTicket(t, f, subject, func(in *ticket.CreateInput) {
				in.Description = fmt.Sprintf("hilsen from the customer, order %d", 900+i%7)
				if i == 17 {
					in.Description += " zebra"
				}
				if i%3 == 0 {
					in.Tags = []string{"billing"}
				}
			})
			ids = append(ids, tk.ID)
		}
		if err := d.Analyze(ctx); err != nil {
			t.Fatal(err)
		}
		f.svc.ForgetPGCommon()
		// Written after the statistics: the walks must find them too.
		for _, i := range []int{3, 20, 31} {
			f.clk.add(30 * time.Minute)
			if _, err := f.svc.AddComment(ctx, f.agent, ids[i], ticket.CommentInput{Body: "hilsen again, meter read"}); err != nil {
				t.Fatal(err)
			}
		}
		newTicket(t, f, "hilsen newest")
		newTicket(t, f, "hilsen walrus", func(in *ticket.CreateInput) { in.Description = "a walrus at the door" })
		if d.Dialect() == db.Postgres {
			for _, tc := range []struct {
				word string
				want [2]string
			}{
				{"hilsen", [2]string{"backwards", "backwards"}},
				{"walrus", [2]string{"index", "index"}},     // written after the statistics
				{"meter", [2]string{"backwards", "index"}},  // in comments only after them
				{"broken", [2]string{"backwards", "index"}}, // in subjects only
			} {
				if got, err := f.svc.WordPlans(ctx, tc.word, 2); err != nil || got != tc.want {
					t.Errorf("%q: plans %v (%v), want %v", tc.word, got, err, tc.want)
				}
			}
		}
		tests := []struct {
			query    string
			prepared bool // with a bound of 2, on PostgreSQL
		}{
			{"hilsen", true},
			{"HILSEN", true},
			{"meter", true},
			{"walrus", true},
			{"nothingmatches", true},
			{"zebra", true},
			{"hilsen meter", false},
			{`"hilsen from"`, false},
			{"hilsen-meter", false},
			// Filters tested in Go on the walked rows (ranktag.go,
			// rankpgfilter.go): the same walks.
			{"tag:billing hilsen", true},
			{"status:open hilsen", true},
			{"status:open walrus", true},
		}
		defer f.svc.SetSearchCandidates(0)
		defer f.svc.SetPGCommon(true)
		for _, bound := range []int{0, 2, 5} {
			f.svc.SetSearchCandidates(bound)
			for _, tc := range tests {
				for _, limit := range []int{50, 3} {
					name := fmt.Sprintf("bound %d, limit %d, %q", bound, limit, tc.query)
					f.svc.SetPGCommon(false)
					planned := searchPages(t, f, tc.query, limit)
					f.svc.SetPGCommon(true)
					runs := f.svc.PGPreparedRuns()
					got := searchPages(t, f, tc.query, limit)
					prepared := f.svc.PGPreparedRuns() > runs
					if prepared && (d.Dialect() != db.Postgres || !tc.prepared) {
						t.Errorf("%s: walks prepared", name)
					}
					// Larger bounds may leave a small corpus's walks to
					// the planner.
					if !prepared && d.Dialect() == db.Postgres && tc.prepared && bound == 2 {
						t.Errorf("%s: walks planned", name)
					}
					samePages(t, name, got, planned)
				}
			}
		}
	})
}

// TestWordPlan: a walk is prepared only where one way reads, by the
// margin, fewer rows than the other: the walk backwards walk/f rows, the
// index pgFetchCost per match.
func TestWordPlan(t *testing.T) {
	stats := map[string]float64{"order": 0.13, "kari": 0.03, "ikke": 0.084, "hilsen": 0.5, "105103": 0.0002, "sjelden": 0.0001}
	tests := []struct {
		lexeme string
		rows   float64
		walk   int
		want   string
	}{
		{"order", 91540, 300, "backwards"}, // a common word at 23,000 tickets
		{"kari", 91540, 300, "backwards"},  // 10,000 rows walked against 10,985 fetched: the model decides
		{"kari", 4.9e6, 300, "backwards"},  // the same share at 1M tickets
		{"ikke", 23000, 300, "backwards"},  // 3,571 walked against 7,728 fetched: twice as dear
		{"105103", 91540, 300, "index"},    // an order number, listed
		{"walrus", 91540, 300, "index"},    // not listed: half the least share
		{"walrus", 4.9e6, 300, "index"},
		{"hilsen", 40, 2, "backwards"},
		{"hilsen", 40, 300, "index"}, // more matches wanted than a small table holds
		{"order", 0, 300, "planned"}, // never analyzed
	}
	for _, tc := range tests {
		if got := ticket.WordPlan(stats, tc.rows, tc.lexeme, tc.walk); got != tc.want {
			t.Errorf("WordPlan(%q, %g rows, walk %d) = %s, want %s", tc.lexeme, tc.rows, tc.walk, got, tc.want)
		}
	}
	if got := ticket.WordPlan(nil, 91540, "order", 300); got != "planned" {
		t.Errorf("no statistics: %s, want planned", got)
	}
}

// samePages fails t unless got and want hold the same pages: ids, totals
// and whether each total is an estimate.
func samePages(t *testing.T, name string, got, want []searchResult) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d pages, want %d", name, len(got), len(want))
	}
	for i := range want {
		a, b := got[i], want[i]
		if !slices.Equal(a.ids, b.ids) || a.total != b.total || a.estimated != b.estimated {
			t.Errorf("%s: page %d %+v, want %+v", name, i, a, b)
		}
	}
}

// TestSearchPGDenseEstimate: a word the statistics place as common in both
// tables has its estimate's every round test the range alone on
// PostgreSQL (rank.go's sampleText); its totals are those of the rounds
// planned for the value, with the walks cut short and the sample read by
// its own statement. On SQLite the switch changes nothing.
func TestSearchPGDenseEstimate(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		for i := range 80 {
			f.clk.add(time.Hour)
			newTicket(t, f, fmt.Sprintf("hilsen meter %d", i), func(in *ticket.CreateInput) {
				in.Description = fmt.Sprintf("hilsen, order %d", i)
			})
		}
		if err := d.Analyze(ctx); err != nil {
			t.Fatal(err)
		}
		f.svc.ForgetPGCommon()
		if d.Dialect() == db.Postgres {
			if got, err := f.svc.WordPlans(ctx, "hilsen", ticket.SampleEnough); err != nil || got != [2]string{"backwards", "backwards"} {
				t.Fatalf("hilsen at the sample's size: plans %v (%v), want backwards in both", got, err)
			}
		}
		defer f.svc.SetSearchCandidates(0)
		defer f.svc.SetSampleFromWalks(true)
		defer f.svc.SetPGCommon(true)
		f.svc.SetSampleFromWalks(false)
		// Rounds wider than the first, so that only a dense word's read
		// their range alone.
		f.svc.SetSampleScale(8)
		defer f.svc.SetSampleScale(0)
		rounds := f.svc.PGRangeRounds()
		for _, bound := range []int{2, 5} {
			f.svc.SetSearchCandidates(bound)
			for _, q := range []string{"hilsen", "meter", "hilsen meter"} {
				name := fmt.Sprintf("bound %d, %q", bound, q)
				f.svc.SetPGCommon(false)
				planned := searchPages(t, f, q, 3)
				f.svc.SetPGCommon(true)
				got := searchPages(t, f, q, 3)
				samePages(t, name, got, planned)
				if len(got) == 0 || !got[0].estimated {
					t.Errorf("%s: %+v, want an estimated total", name, got)
				}
			}
		}
		if ran := f.svc.PGRangeRounds() > rounds; ran != (d.Dialect() == db.Postgres) {
			t.Errorf("wider rounds read their range alone: %v", ran)
		}
	})
}

// TestSearchPGBoundsWithLookups: on PostgreSQL the lookups' statement reads
// the estimate's bounds and the newest customer too (textsearch.go); pages
// and totals are those of both read by their own statements, for words
// whose estimate is counted from the walks, below them and by query, and
// names whose tickets are read in windows.
func TestSearchPGBoundsWithLookups(t *testing.T) {
	d := dbtest.Open(t, db.Postgres)
	f := setup(t, d)
	meterTickets(t, f, 60, 3, func(i int, in *ticket.CreateInput) {
		first := []string{"Ingrid", "Erik", "Maja"}[i%3]
		in.Requester = &ticket.RequesterInput{Email: fmt.Sprintf("c%d@example.no", i%17), Name: fmt.Sprintf("%s Person%d", first, i%17)}
	})
	defer f.svc.SetSearchCandidates(0)
	defer f.svc.SetBoundsWithLookups(true)
	f.svc.SetSampleScale(25)
	defer f.svc.SetSampleScale(0)
	// Names' windows of a few ids, so that they read the newest ticket
	// and customer (lookupwindow.go).
	f.svc.SetLookupWindow(2)
	defer f.svc.SetLookupWindow(0)
	before, estimated, windows := f.svc.BoundsWithLookups(), 0, int64(0)
	for _, bound := range []int{2, 5} {
		f.svc.SetSearchCandidates(bound)
		for _, q := range []string{"hilsen", "meter", "broken", "hilsen meter", "order", "ingrid", "erik order"} {
			name := fmt.Sprintf("bound %d, %q", bound, q)
			f.svc.SetBoundsWithLookups(false)
			own := searchPages(t, f, q, 3)
			f.svc.SetBoundsWithLookups(true)
			runs := f.svc.LookupWindowRuns()
			got := searchPages(t, f, q, 3)
			windows += f.svc.LookupWindowRuns() - runs
			samePages(t, name, got, own)
			if len(got) > 0 && got[0].estimated {
				estimated++
			}
		}
	}
	if f.svc.BoundsWithLookups() == before || estimated == 0 || windows == 0 {
		t.Errorf("%d lookups statements read the bounds, %d totals estimated, %d windows read", f.svc.BoundsWithLookups()-before, estimated, windows)
	}
}
