package db

import (
	"fmt"
	"sync"
	_ "unsafe" // for the linkname directive

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// Each SQLite connection keeps its pages in a cache of its own, with no
// lock shared between connections. modernc.org/sqlite is built with
// SQLITE_ENABLE_MEMORY_MANAGEMENT, which makes SQLite's page cache
// (pcache1) put every connection's pages into one group behind one mutex
// ("mode 2"), so that sqlite3_release_memory can free pages across
// connections; Ombud never calls it. Every page a read touches is fetched
// and released under that mutex, and with two readers running at once on
// two cores the lock's contention made SQLite's share of a search half as
// dear again (a common word's comment walk 0.46 ms of CPU alone, 0.71 ms
// with two walking at once, 0.98 ms with four; docs/benchmarks.md,
// 2026-12-06 14:10). SQLite's usual build ("mode 1") gives each cache its
// own group and no lock. pcache1 picks the mode from compile-time options
// when SQLite initializes and reads it again only when a connection
// creates its cache, so separatePageCaches initializes SQLite and sets the
// mode before the first connection is opened. The driver has no setting
// for it: the state is the library's pcache1 global, reached by a
// linkname directive. Should a driver upgrade rename it, the build fails;
// should it stop reading the flag, TestSeparatePageCaches fails.

//go:linkname pcache1Global modernc.org/sqlite/lib._pcache1_g
var pcache1Global sqlite3.TPCacheGlobal

var pageCacheOnce sync.Once
var pageCacheErr error

// slotErr is why SQLite kept its own allocator, if it did (pagealloc.go).
var slotErr error

// separatePageCaches initializes SQLite with a page cache group per
// connection; it runs once, before the process opens its first connection.
func separatePageCaches() error {
	pageCacheOnce.Do(func() {
		tls := libc.NewTLS()
		defer tls.Close()
		slotErr = installPageSlots(tls) // before SQLite initializes (pagealloc.go)
		if rc := sqlite3.Xsqlite3_initialize(tls); rc != sqlite3.SQLITE_OK {
			pageCacheErr = fmt.Errorf("db: initialize sqlite: code %d", rc)
			return
		}
		pcache1Global.FseparateCache = 1
	})
	return pageCacheErr
}
