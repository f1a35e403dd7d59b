package db

import (
	"fmt"
	"runtime"
)

// SQLite's connections and their memory (docs/configuration.md, "Memory on
// SQLite"). What the process holds for the database is, by construction:
//
//	writer cache + readers × (read cache + mapped file)
//
// each term a per-connection limit SQLite keeps (cache_size is a soft
// limit the pager enforces when it recycles pages; each page's block is
// ≈ 4 % larger than the pager counts it, pagealloc.go; mmap_size bounds
// the mapping). The defaults are chosen from the figures in docs/benchmarks.md
// (2026-12-05, 10:46–10:58 UTC).
const (
	// DefaultReadersPerCPU, MinDefaultReaders and MaxDefaultReaders give
	// the read pool's default size: 2 per CPU, from 4 to 8 (4 on a
	// 2-core machine). A read is CPU in SQLite's code; connections beyond
	// twice the cores only add memory and lock contention. At least 4, so
	// that a request holding a connection while it asks for another
	// never waits long on a small machine.
	DefaultReadersPerCPU = 2
	MinDefaultReaders    = 4
	MaxDefaultReaders    = 8
	// DefaultReadCacheMiB is each read connection's page cache. Pages a
	// reader misses are copied from the kernel's cache of the file. Since
	// each connection's cache is its own (pagecache.go) a busy reader no
	// longer borrows the idle ones' pages, and at 1M tickets 8 MiB took
	// × 0.69 of 4's CPU a common-word search at one client and × 0.84 at
	// 64, the server's peak 179 MiB under every search class at 64 clients
	// (docs/benchmarks.md, 2026-12-06 14:50 UTC); 16 searched no faster.
	DefaultReadCacheMiB = 8
	// DefaultWriteCacheMiB is the writer's page cache: index pages of a
	// large database stay cached between batches. 16 MiB wrote creates at
	// 100,000 tickets as fast as 32 (same section).
	DefaultWriteCacheMiB = 16
	// BulkWriteCacheMiB is the writer's page cache of the bulk commands
	// (ombud import, ombud report rebuild) when none is set: a batch job
	// whose inserts go into indexes far larger than the cache, and whose
	// rate at 1M tickets was measured with it.
	BulkWriteCacheMiB = 32
	// DefaultMmapMiB is how much of the file a read connection maps: none.
	// Linux counts a page once per mapping, and each connection maps the
	// file separately: eight connections showed 2 GiB of RSS for a
	// 450 MB file. Reads copy pages from the kernel's cache instead,
	// which cost no measurable CPU at 100,000 tickets.
	DefaultMmapMiB = 0
)

// sqliteMem is the resolved connection configuration.
type sqliteMem struct {
	readers, readCacheMiB, writeCacheMiB, mmapMiB int
}

func resolveSQLiteMem(opts Options) sqliteMem {
	m := sqliteMem{readers: opts.Readers, readCacheMiB: opts.ReadCacheMiB, writeCacheMiB: opts.WriteCacheMiB, mmapMiB: opts.MmapMiB}
	if m.readers <= 0 {
		m.readers = defaultReaders()
	}
	if m.readCacheMiB <= 0 {
		m.readCacheMiB = DefaultReadCacheMiB
	}
	if m.writeCacheMiB <= 0 {
		m.writeCacheMiB = DefaultWriteCacheMiB
	}
	switch {
	case m.mmapMiB == 0:
		m.mmapMiB = DefaultMmapMiB
	case m.mmapMiB < 0:
		m.mmapMiB = 0
	}
	return m
}

// defaultReaders is the read pool's size when none is set.
func defaultReaders() int {
	return min(max(DefaultReadersPerCPU*runtime.GOMAXPROCS(0), MinDefaultReaders), MaxDefaultReaders)
}

// writerPragmas and readerPragmas are the DSN parameters of the writer's
// and the readers' connections beyond the common ones.
func (m sqliteMem) writerPragmas() string {
	return fmt.Sprintf("&_pragma=cache_size(-%d)", m.writeCacheMiB*1024)
}

func (m sqliteMem) readerPragmas() string {
	return fmt.Sprintf("&_pragma=cache_size(-%d)&_pragma=mmap_size(%d)", m.readCacheMiB*1024, int64(m.mmapMiB)<<20)
}

// Bound is the most memory, in MiB, the SQLite connections' caches and
// mappings may hold (the formula above).
func (m sqliteMem) Bound() int {
	return m.writeCacheMiB + m.readers*(m.readCacheMiB+m.mmapMiB)
}
