package db

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestFullTextIndexStaysMerged: with automerge off, the writer's own merge
// steps keep an index's segment count bounded under a long run of small
// commits, whether the writer idles between them (one writer) or never
// does (many), every row stays findable, and once writes stop the index
// is merged down to a few segments per level.
func TestFullTextIndexStaysMerged(t *testing.T) {
	tests := []struct {
		name            string
		writers, writes int
	}{
		{"one writer, idle between writes", 1, 600},
		{"64 writers, never idle", 64, 40},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			d := openMigrated(t)
			segments := func() int {
				t.Helper()
				var n int
				if err := d.QueryRowContext(ctx, `SELECT COUNT(DISTINCT segid) FROM organization_fts_idx`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			var wg sync.WaitGroup
			var mu sync.Mutex
			most := 0
			errs := make(chan error, tc.writers)
			for w := range tc.writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range tc.writes {
						// One organization per commit, each a new segment before
						// merging; the common word makes every row match.
						err := d.Write(ctx, func(tx *Tx) error {
							_, err := tx.ExecContext(ctx, `INSERT INTO organizations (name, created_at, updated_at) VALUES (?, 0, 0)`,
								fmt.Sprintf("acme %d %d w%dn%d", w, i, w, i))
							return err
						})
						if err != nil {
							errs <- err
							return
						}
						if w == 0 && i%20 == 0 {
							n := segments()
							mu.Lock()
							most = max(most, n)
							mu.Unlock()
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			var automerge int
			if err := d.QueryRowContext(ctx, `SELECT v FROM organization_fts_config WHERE k = 'automerge'`).Scan(&automerge); err != nil || automerge != 0 {
				t.Fatalf("automerge = %d, %v; want 0, set by the writer", automerge, err)
			}
			// FTS5 merges a level at 16 segments (crisismerge) whatever the
			// writer does; the writer's steps keep each level under 4
			// (usermerge) when it has time, and the levels of 2,400
			// one-row segments are few.
			if most > 24 {
				t.Errorf("the index held %d segments during the run; want at most 24", most)
			}
			total := tc.writers * tc.writes
			var found int
			if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM organization_fts WHERE organization_fts MATCH 'acme'`).Scan(&found); err != nil {
				t.Fatal(err)
			}
			if found != total {
				t.Errorf("%d organizations match the common word, want %d", found, total)
			}
			if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM organization_fts WHERE organization_fts MATCH 'w0n7'`).Scan(&found); err != nil || found != 1 {
				t.Errorf("a rare token matches %d rows (%v), want 1", found, err)
			}
			// Idle now: the writer merges until no level has 4 segments.
			deadline := time.Now().Add(10 * time.Second)
			for segments() > 9 && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if n := segments(); n > 9 {
				t.Errorf("%d segments after the writer idled; want at most 9 (3 in each of few levels)", n)
			}
			t.Logf("at most %d segments during the run, %d after", most, segments())
		})
	}
}
