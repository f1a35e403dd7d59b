package importer_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/importer"
	"github.com/ombud/ombud/internal/richtext"
	"github.com/ombud/ombud/internal/ticket"
)

// history is n tickets one a line; ticket k (1-based; 0 = none) has a
// custom field that does not exist, which only the database can tell, so
// it fails inside its batch's transaction. ext gives tickets external ids.
func history(n, bad int, ext bool) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		id, fields := "", ""
		if ext {
			id = fmt.Sprintf(`"external_id":"h-%d",`, i)
		}
		if i == bad {
			fields = `"custom_fields":{"no_such_field":"x"},`
		}
		fmt.Fprintf(&b, `{"kind":"ticket","ticket":{%s%s"subject":"History %d","requester":"h%d@example.no","channel":"email","priority":"normal","type":"question","timeline":[`+
			`{"at":"2026-01-02T10:00:00Z","actor":"customer:h%d@example.no","do":"comment","body":"Hello %d","public":true},`+
			`{"at":"2026-01-02T11:00:00Z","actor":"system","do":"status","to":"solved"}]}}`+"\n", id, fields, i, i, i, i)
	}
	return b.String()
}

type counts struct{ Imported, Skipped, Failed, Line, Tickets int }

func ticketCount(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM tickets`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// cutReader fails after n bytes, as a connection that drops.
type cutReader struct {
	r io.Reader
	n int
}

func (c *cutReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		return 0, errors.New("connection reset")
	}
	if len(p) > c.n {
		p = p[:c.n]
	}
	n, err := c.r.Read(p)
	c.n -= n
	return n, err
}

// TestImportBatches: tickets are written a batch at a time; a ticket that
// fails in the database fails alone (the rest of its batch is written),
// importing the same file again creates nothing new, and an import cut
// off midway resumes after its checkpoint without duplicates, also for
// tickets that have no external_id.
func TestImportBatches(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := func() time.Time { return time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC) }
		tickets := ticket.NewService(d, now, requesters{customer.NewService(d, now)}, richtext.New())
		imp := importer.NewService(d, tickets, directory{d})
		imp.Batch = 3
		admin := authz.Actor{Kind: authz.KindSystem, Role: authz.Admin}
		run := func(body io.Reader, from int) (counts, error) {
			var last importer.Progress
			res, err := imp.ImportWith(ctx, admin, body, importer.Options{From: from, Progress: func(p importer.Progress) {
				if p.Line < last.Line || p.Tickets < last.Tickets {
					t.Errorf("progress went back: %+v after %+v", p, last)
				}
				last = p
			}})
			return counts{res.Imported, res.Skipped, res.Failed, res.Line, last.Tickets}, err
		}

		// The 5th of 8 fails in the second batch of three.
		got, err := run(strings.NewReader(history(8, 5, true)), 0)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(counts{Imported: 7, Failed: 1, Line: 8, Tickets: 8}, got); diff != "" {
			t.Errorf("first import (-want +got):\n%s", diff)
		}
		got, err = run(strings.NewReader(history(8, 5, true)), 0)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(counts{Skipped: 7, Failed: 1, Line: 8, Tickets: 8}, got); diff != "" {
			t.Errorf("second import (-want +got):\n%s", diff)
		}
		if n := ticketCount(t, d); n != 7 {
			t.Errorf("%d tickets after importing twice, want 7", n)
		}

		// No external ids: a cut-off import resumes from its checkpoint.
		before := ticketCount(t, d)
		file := history(10, 0, false)
		cut := strings.Index(file, `"History 8"`) // midway through line 8
		got, err = run(&cutReader{r: strings.NewReader(file), n: cut}, 0)
		if err == nil {
			t.Fatal("a cut body imported without error")
		}
		if got.Line != 7 || got.Imported != 7 {
			t.Fatalf("cut import: %+v, want 7 imported through line 7", got)
		}
		got, err = run(strings.NewReader(file), got.Line)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(counts{Imported: 3, Skipped: 7, Line: 10, Tickets: 10}, got); diff != "" {
			t.Errorf("resumed import (-want +got):\n%s", diff)
		}
		if n := ticketCount(t, d) - before; n != 10 {
			t.Errorf("%d tickets after resuming, want 10", n)
		}

		// Every imported row keeps the copies a list row shows
		// (migration 0098): its requester's name and email and, on
		// SQLite, its tags and followers as in their tables.
		q := `SELECT COUNT(*) FROM tickets t WHERE t.requester_name IS NULL
			OR t.requester_name <> (SELECT c.name FROM customers c WHERE c.id = t.requester_id)
			OR t.requester_email <> COALESCE((SELECT ri.value FROM customer_identities ri WHERE ri.customer_id = t.requester_id
				AND ri.type = 'email' ORDER BY ri.is_primary DESC, ri.id LIMIT 1), '')`
		if d.Dialect() == db.SQLite {
			q += ` OR t.tag_list IS NOT COALESCE((SELECT group_concat(tag, ',') FROM (SELECT tag FROM ticket_tags WHERE ticket_id = t.id ORDER BY tag)), '')
			OR t.follower_list IS NOT COALESCE((SELECT group_concat(agent_id, ',') FROM ticket_followers WHERE ticket_id = t.id), '')`
		}
		var stale int
		if err := d.QueryRowContext(ctx, q).Scan(&stale); err != nil {
			t.Fatal(err)
		}
		if stale != 0 {
			t.Errorf("%d imported tickets keep no or stale copies of their requester, tags or followers", stale)
		}
	})
}
