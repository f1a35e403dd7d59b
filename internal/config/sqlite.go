package config

import (
	"flag"
	"fmt"
)

// SQLite is how the embedded database's connections use memory
// (docs/configuration.md, "Memory on SQLite"). Zero is the built-in default of
// internal/db for each value.
type SQLite struct {
	// Readers is the number of read connections.
	Readers int
	// ReadCacheMiB and WriteCacheMiB are each read connection's and the
	// writer's page cache.
	ReadCacheMiB, WriteCacheMiB int
	// MmapMiB is how much of the file each read connection maps
	// (-1: none, reads copy pages into the connection's cache).
	MmapMiB int
}

// bindSQLite registers --sqlite-readers, --sqlite-read-cache,
// --sqlite-write-cache and --sqlite-mmap.
func (c *Config) bindSQLite(fs *flag.FlagSet, getenv func(string) string, envErr *error) {
	bindInts(fs, getenv, envErr, "a whole number",
		intFlag{&c.SQLite.Readers, "sqlite-readers", "SQLite read connections (0: the default, 2 per CPU, from 4 to 8)", nil},
		intFlag{&c.SQLite.ReadCacheMiB, "sqlite-read-cache", "SQLite page cache of each read connection, MiB (0: the default)", nil},
		intFlag{&c.SQLite.WriteCacheMiB, "sqlite-write-cache", "SQLite page cache of the writer, MiB (0: the default)", nil},
		intFlag{&c.SQLite.MmapMiB, "sqlite-mmap", "MiB of the SQLite file each read connection maps (0: the default, -1: none)", nil},
	)
}

func (c *Config) validateSQLite() []error {
	var errs []error
	for _, d := range []struct {
		n, lo, hi int
		name      string
	}{
		{c.SQLite.Readers, 0, 64, "sqlite-readers"},
		{c.SQLite.ReadCacheMiB, 0, 4096, "sqlite-read-cache"},
		{c.SQLite.WriteCacheMiB, 0, 4096, "sqlite-write-cache"},
		{c.SQLite.MmapMiB, -1, 1 << 20, "sqlite-mmap"},
	} {
		if d.n < d.lo || d.n > d.hi {
			errs = append(errs, fmt.Errorf("--%s must be between %d and %d, not %d", d.name, d.lo, d.hi, d.n))
		}
	}
	return errs
}
