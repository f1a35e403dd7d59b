package db

import (
	"context"
	"testing"
)

// openMigrated opens a migrated SQLite database in a temporary directory,
// closed when the test ends.
func openMigrated(t *testing.T) *DB {
	t.Helper()
	ctx := context.Background()
	d, err := Open(ctx, Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestSeparatePageCaches: the connections Open makes keep their pages in
// caches of their own (pagecache.go): none joins pcache1's shared group,
// whose page counts stay zero while both pools read.
func TestSeparatePageCaches(t *testing.T) {
	ctx := context.Background()
	d := openMigrated(t)
	var n int
	if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if pcache1Global.FseparateCache != 1 {
		t.Errorf("pcache1 separateCache is %d, want 1", pcache1Global.FseparateCache)
	}
	if g := pcache1Global.Fgrp; g.FnMinPage != 0 || g.FnMaxPage != 0 || g.FnPurgeable != 0 {
		t.Errorf("a connection's cache joined the shared group: min %d, max %d, purgeable %d pages", g.FnMinPage, g.FnMaxPage, g.FnPurgeable)
	}
}
