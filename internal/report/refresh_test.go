package report_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/ticket"
)

// countWrites installs triggers that count every row written to the facts
// and the roll-ups, and returns a function reading the count.
func countWrites(t *testing.T, d *db.DB) func() int64 {
	t.Helper()
	ctx := context.Background()
	tables := []string{"report_facts", "report_hourly", "report_hourly_dim", "report_daily_dim", "report_hist"}
	stmts := []string{`CREATE TABLE test_writes (tbl TEXT NOT NULL)`}
	if d.Dialect() == db.Postgres {
		stmts = append(stmts, `CREATE FUNCTION test_count_write() RETURNS trigger AS $$
			BEGIN INSERT INTO test_writes VALUES (TG_TABLE_NAME); RETURN NULL; END $$ LANGUAGE plpgsql`)
		for _, tbl := range tables {
			stmts = append(stmts, `CREATE TRIGGER test_`+tbl+` AFTER INSERT OR UPDATE OR DELETE ON `+tbl+
				` FOR EACH ROW EXECUTE FUNCTION test_count_write()`)
		}
	} else {
		for _, tbl := range tables {
			for _, op := range []string{"INSERT", "UPDATE", "DELETE"} {
				stmts = append(stmts, `CREATE TRIGGER test_`+tbl+`_`+strings.ToLower(op)+` AFTER `+op+` ON `+tbl+
					` BEGIN INSERT INTO test_writes VALUES ('`+tbl+`'); END`)
			}
		}
	}
	if err := d.Write(ctx, func(tx *db.Tx) error {
		for _, q := range stmts {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return func() int64 {
		t.Helper()
		var n int64
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM test_writes`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
}

func pending(t *testing.T, f fixture) int64 {
	t.Helper()
	n, err := f.reports.Pending(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRefreshSkipsUnchangedFacts: a write that changes none of a ticket's
// facts (an internal note) is refreshed without writing a fact or a
// roll-up row; the next write that does change them writes exactly what a
// rebuild computes.
func TestRefreshSkipsUnchangedFacts(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		tk, err := f.tickets.Create(ctx, f.agent, ticket.CreateInput{Subject: "Printer", Description: "It jams", Channel: "email",
			TeamID: &f.team, Tags: []string{"hardware"}, Requester: &ticket.RequesterInput{Email: "kari@example.no", Name: "Kari"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.reports.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		writes := countWrites(t, d)
		before := dump(t, d)
		f.clk.set(f.clk.now().Add(600_000_000_000)) // ten minutes on
		if _, err := f.tickets.AddComment(ctx, f.agent, tk.ID, ticket.CommentInput{Body: "Checking with the vendor", Public: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		if p := pending(t, f); p != 1 {
			t.Fatalf("pending after a note = %d, want 1", p)
		}
		if n, err := f.reports.Refresh(ctx); err != nil || n != 1 {
			t.Fatalf("refresh = %d, %v; want 1 ticket", n, err)
		}
		if w := writes(); w != 0 {
			t.Errorf("a note that changes no fact wrote %d fact or roll-up rows", w)
		}
		if p := pending(t, f); p != 0 {
			t.Errorf("pending after refresh = %d", p)
		}
		if diff := cmp.Diff(before, dump(t, d)); diff != "" {
			t.Errorf("facts changed (-before +after):\n%s", diff)
		}
		// A public reply: first reply and reply facts, and their roll-ups.
		if _, err := f.tickets.AddComment(ctx, f.agent, tk.ID, ticket.CommentInput{Body: "Try this", Public: ptr(true)}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.reports.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if w := writes(); w == 0 {
			t.Error("a public reply wrote nothing")
		}
		assertRebuildEqual(t, f)
	})
}

// TestRefreshTicketChangedTwice: several writes to a ticket between two
// refreshes (and a ticket created and changed before its first refresh)
// are folded in once, exactly as a rebuild computes them, and leave no
// ticket pending.
func TestRefreshTicketChangedTwice(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		create := func(subject string) int64 {
			t.Helper()
			tk, err := f.tickets.Create(ctx, f.agent, ticket.CreateInput{Subject: subject, Description: "Hello", Channel: "email",
				TeamID: &f.team, Requester: &ticket.RequesterInput{Email: "ola@example.no", Name: "Ola"}})
			if err != nil {
				t.Fatal(err)
			}
			return tk.ID
		}
		a := create("A")
		if _, err := f.reports.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		b := create("B") // not yet refreshed when it changes
		solved, high := ticket.StatusSolved, "high"
		for _, id := range []int64{a, b} {
			f.clk.set(f.clk.now().Add(3_600_000_000_000))
			if _, err := f.tickets.AddComment(ctx, f.agent, id, ticket.CommentInput{Body: "Done?", Public: ptr(true)}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.tickets.AddComment(ctx, authz.System, id, ticket.CommentInput{Body: "Not yet", AsCustomer: true}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.tickets.Update(ctx, f.agent, id, ticket.Patch{Priority: &high, Status: &solved}); err != nil {
				t.Fatal(err)
			}
		}
		if p := pending(t, f); p != 2 {
			t.Fatalf("pending = %d, want 2", p)
		}
		if n, err := f.reports.Refresh(ctx); err != nil || n != 2 {
			t.Fatalf("refresh = %d, %v; want 2 tickets", n, err)
		}
		if p := pending(t, f); p != 0 {
			t.Errorf("pending after refresh = %d", p)
		}
		var solvedFacts int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM report_facts WHERE kind = 'solved' AND priority = 'high'`).Scan(&solvedFacts); err != nil {
			t.Fatal(err)
		}
		if solvedFacts != 2 {
			t.Errorf("solved facts at high priority = %d, want 2", solvedFacts)
		}
		assertRebuildEqual(t, f)
	})
}

// assertRebuildEqual: the facts and roll-ups kept by the refresher equal
// those a rebuild derives from the log.
func assertRebuildEqual(t *testing.T, f fixture) {
	t.Helper()
	kept := dump(t, f.d)
	if err := f.reports.Rebuild(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(strings.Split(kept, "\n"), strings.Split(dump(t, f.d), "\n")); diff != "" {
		t.Errorf("refreshed differs from rebuilt (-refreshed +rebuilt):\n%s", diff)
	}
}
