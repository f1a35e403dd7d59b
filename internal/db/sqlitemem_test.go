package db_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/ombud/ombud/internal/db"
)

// TestSQLiteMemoryOptions opens SQLite with and without the memory
// options and reads back what each connection was given: the bound on the
// process's memory for the database is made of these numbers.
func TestSQLiteMemoryOptions(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name                         string
		opts                         db.Options
		readers                      int
		readCache, writeCache, mmapB int64
	}{
		{name: "defaults", readers: min(max(db.DefaultReadersPerCPU*runtime.GOMAXPROCS(0), db.MinDefaultReaders), db.MaxDefaultReaders),
			readCache: db.DefaultReadCacheMiB, writeCache: db.DefaultWriteCacheMiB, mmapB: db.DefaultMmapMiB << 20},
		{name: "set", opts: db.Options{Readers: 3, ReadCacheMiB: 5, WriteCacheMiB: 7, MmapMiB: 9},
			readers: 3, readCache: 5, writeCache: 7, mmapB: 9 << 20},
		{name: "no mapping", opts: db.Options{MmapMiB: -1},
			readers:   min(max(db.DefaultReadersPerCPU*runtime.GOMAXPROCS(0), db.MinDefaultReaders), db.MaxDefaultReaders),
			readCache: db.DefaultReadCacheMiB, writeCache: db.DefaultWriteCacheMiB, mmapB: 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.opts
			o.DataDir = t.TempDir()
			d, err := db.Open(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			var cache, mmap int64
			if err := d.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&cache); err != nil {
				t.Fatal(err)
			}
			if err := d.QueryRowContext(ctx, "PRAGMA mmap_size").Scan(&mmap); err != nil {
				t.Fatal(err)
			}
			if cache != -tt.readCache*1024 || mmap != tt.mmapB {
				t.Errorf("reader: cache_size %d, mmap_size %d; want %d, %d", cache, mmap, -tt.readCache*1024, tt.mmapB)
			}
			var wcache int64
			if err := d.Write(ctx, func(tx *db.Tx) error {
				return tx.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&wcache)
			}); err != nil {
				t.Fatal(err)
			}
			if wcache != -tt.writeCache*1024 {
				t.Errorf("writer: cache_size %d, want %d", wcache, -tt.writeCache*1024)
			}
			if r, _ := d.Stats(); r.MaxOpenConnections != tt.readers {
				t.Errorf("read connections %d, want %d", r.MaxOpenConnections, tt.readers)
			}
		})
	}
}
