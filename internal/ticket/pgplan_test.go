package ticket_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/ticket"
)

// meterTickets creates n tickets an hour apart, each described "hilsen
// from the customer, order …": every hilsenEvery-th subject "hilsen meter
// i", the others "meter i broken". more, when set, edits each input.
func meterTickets(t *testing.T, f fixture, n, hilsenEvery int, more func(i int, in *ticket.CreateInput)) {
	t.Helper()
	for i := range n {
		f.clk.add(time.Hour)
		subject := fmt.Sprintf("meter %d broken", i)
		if i%hilsenEvery == 0 {
			subject = fmt.Sprintf("hilsen meter %d", i)
		}
		newTicket(t, f, subject, func(in *ticket.CreateInput) {
			in.Description = fmt.Sprintf("hilsen from the customer, order %d", 900+i%7)
			if more != nil {
				more(i, in)
			}
		})
	}
}

// TestSearchPGKeepsOnePlan: the statements a search means PostgreSQL to
// plan once — the walks of a word its statistics place, the name and
// identity lookups, the estimate's small rounds — get a generic plan once
// prepared, run as the search runs them (a connection's prepared
// statements are listed in pg_prepared_statements with how often each
// kind of plan ran). At this corpus's size the forms sent before (the
// LIMIT an argument, the text query visible to the planner) get one too,
// so the test guards the statements, not the choice at scale: at 1M
// tickets those forms were planned on every run
// (docs/benchmarks/results-2026-12-06.md, 19:20).
func TestSearchPGKeepsOnePlan(t *testing.T) {
	ctx := context.Background()
	url := dbtest.NewMigratedPostgresDatabase(t)
	d := dbtest.OpenURL(t, url)
	f := setup(t, d)
	meterTickets(t, f, 40, 2, nil)
	if err := d.Analyze(ctx); err != nil {
		t.Fatal(err)
	}
	f.svc.ForgetPGCommon()
	type sent struct {
		q    string
		args []any
	}
	var got []sent
	f.svc.OnPrepared(func(q string, args []any) { got = append(got, sent{q, args}) })
	// A small corpus leaves larger walks to the planner (pgcommon_test.go).
	f.svc.SetSearchCandidates(2)
	defer f.svc.SetSearchCandidates(0)
	runs := f.svc.PGPreparedRuns()
	searchPage(t, f, "hilsen")
	f.svc.OnPrepared(nil)
	if f.svc.PGPreparedRuns() == runs {
		t.Fatal("the walks of a placed word were not prepared")
	}
	var walks, lookups, sample *sent
	for i := range got {
		switch {
		case strings.Contains(got[i].q, "UNION ALL (SELECT 1,"):
			walks = &got[i]
		case strings.Contains(got[i].q, "FROM customers"):
			lookups = &got[i]
		case strings.HasPrefix(got[i].q, "SELECT COUNT(*)"), strings.HasPrefix(got[i].q, "SELECT m.id FROM"): // below the walks: rank.go
			sample = &got[i]
		}
	}
	if walks == nil || lookups == nil || sample == nil {
		t.Fatalf("statements seen: %+v", got)
	}

	pool, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	conn, err := pool.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// plans runs q eight times on one connection, prepared as pgx
	// prepares it, and reports the generic and custom plans it got.
	plans := func(t *testing.T, q string, args []any) (generic, custom int) {
		t.Helper()
		q = db.Postgres.Rebind(q)
		for range 8 {
			rows, err := conn.QueryContext(ctx, q, args...)
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			for rows.Next() {
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			rows.Close()
		}
		err := conn.QueryRowContext(ctx, `SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1`, q).Scan(&generic, &custom)
		if err != nil {
			t.Fatalf("prepared statement not listed: %v", err)
		}
		return generic, custom
	}
	for _, tc := range []struct {
		name string
		s    *sent
	}{{"walks", walks}, {"lookups", lookups}, {"the estimate's small round", sample}} {
		if generic, custom := plans(t, tc.s.q, tc.s.args); generic == 0 || custom > 5 {
			t.Errorf("%s: %d generic and %d custom plans in 8 runs, want the generic plan after 5 at most", tc.name, generic, custom)
		}
	}
}
