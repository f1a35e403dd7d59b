package ticket_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/ticket"
)

// TestSearchFindsWritesOfOneCommit checks the full-text index as the write
// path maintains it (on SQLite once per group commit, from the rows the
// batch's requests noted; migration 0081): tickets created at once, many
// sharing a commit, are each found as soon as their create returns; a row
// changed twice in one transaction is found by its last text only; a
// rolled-back write leaves nothing in the index; an edited and a deleted
// comment are found only as they now stand. On SQLite the index then
// passes FTS5's integrity check against its tables and the queue is empty.
func TestSearchFindsWritesOfOneCommit(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		found := func(q string, want ...int64) {
			t.Helper()
			got := searchIDs(t, f, q, time.UTC)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Fatalf("search %q: %v, want %v", q, got, want)
			}
		}

		// Concurrent creates: the SQLite writer commits them in groups.
		const n = 32
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tk, err := f.svc.Create(ctx, f.agent, ticket.CreateInput{
					Subject: fmt.Sprintf("Parcel qsub%d", i), Description: fmt.Sprintf("tracking qbody%d please", i),
					Requester: &ticket.RequesterInput{Email: fmt.Sprintf("c%d@example.no", i), Name: fmt.Sprintf("Kari Qname%d", i)}, Channel: "email"})
				if err != nil {
					errs <- err
					return
				}
				for _, q := range []string{fmt.Sprintf("qsub%d", i), fmt.Sprintf("qbody%d", i)} {
					got := searchIDs(t, f, q, time.UTC)
					if !slices.Equal(got, []int64{tk.ID}) {
						errs <- fmt.Errorf("ticket %d right after its create, %q: %v", tk.ID, q, got)
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if t.Failed() {
			return
		}

		// Created and renamed twice in one transaction.
		var a ticket.Ticket
		if err := d.Write(ctx, func(tx *db.Tx) error {
			var err error
			if a, err = f.svc.CreateTx(ctx, tx, f.agent, ticket.CreateInput{Subject: "zfirst", Description: "body zbodya",
				Requester: &ticket.RequesterInput{Email: "a@example.no"}, Channel: "email"}); err != nil {
				return err
			}
			for _, s := range []string{"zsecond", "zthird"} {
				if _, err := tx.ExecContext(ctx, `UPDATE tickets SET subject = ? WHERE id = ?`, s, a.ID); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		found("zfirst")
		found("zsecond")
		found("zthird", a.ID)
		found("zbodya", a.ID)

		// An existing ticket renamed twice in one transaction.
		if err := d.Write(ctx, func(tx *db.Tx) error {
			for _, s := range []string{"zfourth", "zfifth"} {
				if _, err := tx.ExecContext(ctx, `UPDATE tickets SET subject = ? WHERE id = ?`, s, a.ID); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		found("zthird")
		found("zfourth")
		found("zfifth", a.ID)

		// A write that fails after changing rows: its savepoint (its
		// transaction on PostgreSQL) undoes the rows and their noting.
		boom := errors.New("boom")
		if err := d.Write(ctx, func(tx *db.Tx) error {
			if _, err := f.svc.CreateTx(ctx, tx, f.agent, ticket.CreateInput{Subject: "zghost", Description: "zghostbody",
				Requester: &ticket.RequesterInput{Email: "g@example.no"}, Channel: "email"}); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE tickets SET subject = 'zrolled' WHERE id = ?`, a.ID); err != nil {
				return err
			}
			return boom
		}); !errors.Is(err, boom) {
			t.Fatalf("failed write: %v", err)
		}
		found("zghost")
		found("zghostbody")
		found("zrolled")
		found("zfifth", a.ID)

		// A comment edited, another deleted.
		c1, err := f.svc.AddComment(ctx, f.agent, a.ID, ticket.CommentInput{Body: "zedit one"})
		if err != nil {
			t.Fatal(err)
		}
		c2, err := f.svc.AddComment(ctx, f.agent, a.ID, ticket.CommentInput{Body: "zgone two"})
		if err != nil {
			t.Fatal(err)
		}
		found("zedit", a.ID)
		found("zgone", a.ID)
		if err := d.Write(ctx, func(tx *db.Tx) error {
			if _, err := tx.ExecContext(ctx, `UPDATE comments SET body = 'zedited one' WHERE id = ?`, c1.ID); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `DELETE FROM comments WHERE id = ?`, c2.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		found("zedit")
		found("zedited", a.ID)
		found("zgone")

		if d.Dialect() != db.SQLite {
			return
		}
		var pending int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM pending_fts`).Scan(&pending); err != nil || pending != 0 {
			t.Fatalf("rows left in the full-text queue: %d, %v", pending, err)
		}
		for _, fts := range []string{"ticket_fts", "comment_fts", "customer_fts", "organization_fts"} {
			if err := d.Write(ctx, func(tx *db.Tx) error {
				_, err := tx.ExecContext(ctx, fmt.Sprintf(`INSERT INTO %[1]s (%[1]s, rank) VALUES ('integrity-check', 1)`, fts))
				return err
			}); err != nil {
				t.Errorf("%s: %v", fts, err)
			}
		}
	})
}
