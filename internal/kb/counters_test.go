package kb_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/kb"
)

// stored reads the written counters: views of an article, searches of a
// normalised query.
func stored(t *testing.T, d *db.DB, article int64, query string) (views, searches int64) {
	t.Helper()
	ctx := context.Background()
	if err := d.QueryRowContext(ctx, `SELECT COALESCE(SUM(views), 0) FROM kb_views WHERE article_id = ?`, article).Scan(&views); err != nil {
		t.Fatal(err)
	}
	if err := d.QueryRowContext(ctx, `SELECT COALESCE(SUM(searches), 0) FROM kb_search_misses WHERE query = ?`, query).Scan(&searches); err != nil {
		t.Fatal(err)
	}
	return views, searches
}

// TestCountersConcurrent: N views and N missed searches made at once by
// many readers, while the periodic flush runs, add up to exactly N.
func TestCountersConcurrent(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		a := e.create(t, e.admin, kb.ArticleInput{Title: "Returns", Body: "Print the label.", Visibility: kb.VisPublic})
		e.publish(t, a.ID)
		const readers, each = 16, 25
		run, stop := context.WithCancel(ctx)
		flushed := make(chan struct{})
		go func() { defer close(flushed); e.svc.RunCounters(run, 5*time.Millisecond) }()
		var wg sync.WaitGroup
		for i := range readers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range each {
					lang := []string{"en", "nb"}[(i+j)%2]
					if err := e.svc.RecordView(ctx, a.ID, lang, kb.ChannelHelp); err != nil {
						t.Error(err)
					}
					if err := e.svc.RecordSearch(ctx, "Gift cards?", "en", kb.ChannelHelp, 0); err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		stop()
		<-flushed
		if v, s := stored(t, d, a.ID, "gift cards"); v != readers*each || s != readers*each {
			t.Errorf("stored %d views and %d searches, want %d each", v, s, readers*each)
		}
		if v, m := e.svc.PendingCounts(); v != 0 || m != 0 {
			t.Errorf("still pending after the stop: %d views, %d searches", v, m)
		}
	})
}

// TestCountersFlushOnStop: counts made just before a stop are written by
// the stop's flush, not lost; nothing is written before a flush.
func TestCountersFlushOnStop(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		a := e.create(t, e.admin, kb.ArticleInput{Title: "Invoices", Body: "Under Account.", Visibility: kb.VisPublic})
		e.publish(t, a.ID)
		run, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); e.svc.RunCounters(run, time.Hour) }()
		for range 7 {
			if err := e.svc.RecordView(ctx, a.ID, "en", kb.ChannelPortal); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.svc.RecordSearch(ctx, "faktura", "nb", kb.ChannelPortal, 0); err != nil {
			t.Fatal(err)
		}
		if v, s := stored(t, d, a.ID, "faktura"); v != 0 || s != 0 {
			t.Fatalf("written before a flush: %d views, %d searches", v, s)
		}
		if v, m := e.svc.PendingCounts(); v != 7 || m != 1 {
			t.Fatalf("pending %d views, %d searches", v, m)
		}
		stop()
		<-done
		if v, s := stored(t, d, a.ID, "faktura"); v != 7 || s != 1 {
			t.Errorf("after the stop: %d views, %d searches; want 7 and 1", v, s)
		}
		// A second flush adds to the same day's rows.
		if err := e.svc.RecordView(ctx, a.ID, "en", kb.ChannelPortal); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.FlushCounters(ctx); err != nil {
			t.Fatal(err)
		}
		var rows int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM kb_views WHERE article_id = ?`, a.ID).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if v, _ := stored(t, d, a.ID, ""); v != 8 || rows != 1 {
			t.Errorf("after a second flush: %d views in %d rows; want 8 in 1", v, rows)
		}
	})
}

// TestCountersReportSeesUnflushed: the report written right after a view
// and a missed search shows them, without waiting for the periodic flush.
func TestCountersReportSeesUnflushed(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		a := e.create(t, e.admin, kb.ArticleInput{Title: "Shipping", Body: "Two days.", Visibility: kb.VisPublic})
		e.publish(t, a.ID)
		if err := e.svc.RecordView(ctx, a.ID, "en", kb.ChannelHelp); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.RecordSearch(ctx, "drone delivery", "en", kb.ChannelHelp, 0); err != nil {
			t.Fatal(err)
		}
		day := time.Date(e.now.Year(), e.now.Month(), e.now.Day(), 0, 0, 0, 0, time.UTC)
		rep, err := e.svc.Report(ctx, e.admin, kb.ReportFilter{From: day, To: day.AddDate(0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Totals.HelpViews != 1 || len(rep.Gaps) != 1 || rep.Gaps[0].Query != "drone delivery" || rep.Gaps[0].Searches != 1 {
			t.Errorf("report right after a view: %+v", rep)
		}
	})
}

// TestCountersMissCap: a flush lists at most MaxMissesPerDay new queries a
// day (the most searched first), while queries already listed keep
// adding up; a view of an article deleted before the flush is dropped
// without failing the others.
func TestCountersMissCap(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		search := func(q string) {
			if err := e.svc.RecordSearch(ctx, q, "en", kb.ChannelHelp, 0); err != nil {
				t.Fatal(err)
			}
		}
		search("listed early")
		if err := e.svc.FlushCounters(ctx); err != nil {
			t.Fatal(err)
		}
		for i := range kb.MaxMissesPerDay + 5 {
			search(fmt.Sprintf("query %d", i))
		}
		search("popular")
		search("popular")
		search("listed early")
		gone := e.create(t, e.admin, kb.ArticleInput{Title: "Old", Body: "Gone.", Visibility: kb.VisPublic})
		kept := e.create(t, e.admin, kb.ArticleInput{Title: "Kept", Body: "Here.", Visibility: kb.VisPublic})
		for _, id := range []int64{gone.ID, kept.ID} {
			if err := e.svc.RecordView(ctx, id, "en", kb.ChannelAgent); err != nil {
				t.Fatal(err)
			}
		}
		if err := d.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `DELETE FROM kb_articles WHERE id = ?`, gone.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.FlushCounters(ctx); err != nil {
			t.Fatal(err)
		}
		var rows int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM kb_search_misses`).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if rows != kb.MaxMissesPerDay {
			t.Errorf("%d queries listed, want %d", rows, kb.MaxMissesPerDay)
		}
		if _, s := stored(t, d, 0, "listed early"); s != 2 {
			t.Errorf("the early query has %d searches, want 2", s)
		}
		if _, s := stored(t, d, 0, "popular"); s != 2 {
			t.Errorf("the most searched new query has %d searches, want 2", s)
		}
		if v, _ := stored(t, d, kept.ID, ""); v != 1 {
			t.Errorf("the kept article has %d views, want 1", v)
		}
	})
}
