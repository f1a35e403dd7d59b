package ticket_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/ticket"
)

// TestSearchWordPairs: two words that seldom share a comment are
// registered by the first search that finds them (rankpairs.go) and read
// from the word-pair index from then on (two that never meet; never one
// word), with the same ranking and total as the full-text walk, at bounds
// the walks cross, alone and with a status filter, on both engines; a new comment or subject holding both is found at once, a merge
// moves the pair's comments to the target, and the index holds exactly
// the subjects and comments the full-text index matches for each pair
// after creates, edits and deletes. Words in fewer comments than the
// minimum are not kept.
func TestSearchWordPairs(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		ids := sparseCorpus(t, f, "parcel %d")
		if d.Dialect() == db.Postgres {
			// A window of a few ids, the rest read through the GIN index:
			// the walks a pair is registered by on PostgreSQL.
			f.svc.SetPGWindow(4, 2)
			// The words' counts come from the statistics (commonWord).
			if err := d.Write(ctx, func(tx *db.Tx) error {
				_, err := tx.ExecContext(ctx, `ANALYZE comments`)
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		// Words in fewer comments than the minimum are not kept.
		f.svc.SetPairs(true, 1000)
		searchPage(t, f, "levert regards")
		f.svc.WaitPairs()
		searchPage(t, f, "levert regards")
		var pairs int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM word_pairs`).Scan(&pairs); err != nil || pairs != 0 {
			t.Fatalf("rare words registered: %d pairs, %v", pairs, err)
		}
		queries := []string{"ikke hello", "hilsen regards", "Hello Order", "status:open ikke order", "ikke levert", "hello"}
		compare := func(t *testing.T, qs string, bound int) searchResult {
			t.Helper()
			f.svc.SetSearchCandidates(bound)
			f.svc.SetPairs(false, 0)
			f.svc.SetFew(false)
			walk := searchPage(t, f, qs)
			f.svc.SetFew(true)
			f.svc.SetPairs(true, 1)
			searchPage(t, f, qs) // registers the pair when its words seldom meet
			f.svc.WaitPairs()
			runs := f.svc.PairRuns()
			got := searchPage(t, f, qs)
			if !slices.Equal(got.ids, walk.ids) || got.total != walk.total || got.estimated != walk.estimated {
				t.Errorf("bound %d, %q: from the pair index %+v, walk %+v", bound, qs, got, walk)
			}
			fromPairs := f.svc.PairRuns() > runs
			if qs == "ikke hello" && !fromPairs || qs == "hello" && fromPairs {
				t.Errorf("bound %d, %q: read from the pair index %v", bound, qs, fromPairs)
			}
			return got
		}
		checkSparse(t, f, ids, queries, compare)
		checkPairIndex(t, d)

		// A comment edited to hold a pair, one edited not to, one deleted,
		// a ticket's texts erased: the flush keeps the index.
		c1, err := f.svc.AddComment(ctx, f.agent, ids[3], ticket.CommentInput{Body: "nothing yet"})
		if err != nil {
			t.Fatal(err)
		}
		c2, err := f.svc.AddComment(ctx, f.agent, ids[5], ticket.CommentInput{Body: "hilsen og regards"})
		if err != nil {
			t.Fatal(err)
		}
		c3, err := f.svc.AddComment(ctx, f.agent, ids[7], ticket.CommentInput{Body: "IKKE, hello!"})
		if err != nil {
			t.Fatal(err)
		}
		checkPairIndex(t, d)
		if err := d.Write(ctx, func(tx *db.Tx) error {
			if _, err := tx.ExecContext(ctx, `UPDATE comments SET body = 'Hello, det var ikke meg' WHERE id = ?`, c1.ID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE comments SET body = 'regards' WHERE id = ?`, c2.ID); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `DELETE FROM comments WHERE id = ?`, c3.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		checkPairIndex(t, d)
		if got := compare(t, "ikke hello", 30); !slices.Contains(got.ids, ids[3]) || slices.Contains(got.ids, ids[7]) {
			t.Fatalf("after the edits: %+v (want %d, not %d)", got, ids[3], ids[7])
		}
		// Subjects: a new ticket's and an edited one's.
		f.clk.add(time.Hour)
		tk := newTicket(t, f, "Hello — ikke levert")
		if err := d.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE tickets SET subject = 'ikke; HELLO again' WHERE id = ?`, ids[9])
			return err
		}); err != nil {
			t.Fatal(err)
		}
		checkPairIndex(t, d)
		if got := compare(t, "ikke hello", 30); !slices.Contains(got.ids, tk.ID) || !slices.Contains(got.ids, ids[9]) {
			t.Fatalf("after the subjects: %+v (want %d and %d)", got, tk.ID, ids[9])
		}
		if err := d.Write(ctx, func(tx *db.Tx) error {
			if _, err := tx.ExecContext(ctx, `UPDATE tickets SET subject = 'parcel' WHERE id = ?`, ids[9]); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `DELETE FROM tickets WHERE id IN (?, ?)`, ids[3], tk.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		checkPairIndex(t, d)
		if got := compare(t, "ikke hello", 30); slices.Contains(got.ids, ids[3]) || slices.Contains(got.ids, ids[9]) || slices.Contains(got.ids, tk.ID) {
			t.Fatalf("after the deletes: %+v (want none of %d, %d, %d)", got, ids[3], ids[9], tk.ID)
		}
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM word_pairs`).Scan(&pairs); err != nil || pairs == 0 {
			t.Fatalf("no pair registered: %d, %v", pairs, err)
		}
	})
}

// checkPairIndex compares, for each registered pair, the subjects and
// comments the word-pair index holds with those the full-text index
// matches (FTS5, or search_vec on PostgreSQL).
func checkPairIndex(t *testing.T, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	rows, err := d.QueryContext(ctx, `SELECT n, a, b FROM word_pairs`)
	if err != nil {
		t.Fatal(err)
	}
	type pair struct {
		n    int64
		a, b string
	}
	var pairs []pair
	for rows.Next() {
		var p pair
		if err := rows.Scan(&p.n, &p.a, &p.b); err != nil {
			t.Fatal(err)
		}
		pairs = append(pairs, p)
	}
	rows.Close()
	ids := func(q string, args ...any) []int64 {
		rows, err := d.QueryContext(ctx, q, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			out = append(out, id)
		}
		return out
	}
	for _, p := range pairs {
		for tbl, fts := range map[int]string{1: "ticket_fts", 2: "comment_fts"} {
			q, arg := `SELECT rowid FROM `+fts+` WHERE `+fts+` MATCH ? ORDER BY rowid`, `"`+p.a+`" AND "`+p.b+`"`
			if d.Dialect() == db.Postgres {
				q, arg = `SELECT id FROM `+map[int]string{1: "tickets", 2: "comments"}[tbl]+` WHERE search_vec @@ plainto_tsquery('simple', ?) ORDER BY id`, p.a+" "+p.b
			}
			want := ids(q, arg)
			got := ids(`SELECT id FROM word_pair_texts WHERE pair = ? AND tbl = ? ORDER BY id`, p.n, tbl)
			if !slices.Equal(got, want) {
				t.Errorf("pair %q %q, %s: index %v, full-text index %v", p.a, p.b, fts, got, want)
			}
		}
	}
}
