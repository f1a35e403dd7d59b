package report

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
)

// TestCleanKeepsNewerMarks: the refresher's one-statement cleanup drops a
// dirty mark only at the generation it read; a ticket marked again while
// it worked stays dirty.
func TestCleanKeepsNewerMarks(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		err := d.Write(ctx, func(tx *db.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO report_dirty (ticket_id, gen) VALUES (1, 2), (2, 1), (3, 5), (4, 1)`); err != nil {
				return err
			}
			// Read at gens 1, 1, 5; ticket 1 was marked again since; 4 was not read.
			return clean(ctx, tx, []int64{1, 2, 3}, map[int64]int64{1: 1, 2: 1, 3: 5})
		})
		if err != nil {
			t.Fatal(err)
		}
		rows, err := d.QueryContext(ctx, `SELECT ticket_id FROM report_dirty ORDER BY ticket_id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var left []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			left = append(left, id)
		}
		if diff := cmp.Diff([]int64{1, 4}, left); diff != "" {
			t.Errorf("marks left (-want +got):\n%s", diff)
		}
	})
}
