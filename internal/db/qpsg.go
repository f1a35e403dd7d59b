package db

import (
	"fmt"
	"reflect"
	"runtime"
	"sync"
	"unsafe"

	"modernc.org/libc"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Every SQLite connection runs with the query planner stability guarantee
// (SQLITE_DBCONFIG_ENABLE_QPSG): a statement's plan never depends on the
// values bound to it, so binding new values never expires a prepared
// statement. Without it SQLite marks a parameter "reprepare on bind" where
// the planner peeked at its value (a LIKE or GLOB pattern, a LIMIT, a
// STAT4 estimate, a partial index's condition), and every later bind makes
// the next step parse and plan the statement again. FTS5's own internal
// statements hit this: every name lookup of a search (customer_fts,
// organization_fts MATCH ?) re-prepared a statement inside FTS5 on each run,
// ≈ 40 % of such a lookup and ≈ 5 % of a common-word search
// (docs/benchmarks.md, 2026-12-04 21:00). Ombud's queries lose nothing:
// SQLite runs without ANALYZE statistics here (Analyze), no LIKE of ours
// can use an index (lower(x) LIKE ? or a BINARY index under the
// case-insensitive LIKE), and the queries that need a partial index name
// its condition as a literal (jobs' state = 'queued', the phone tail's
// type = 'phone'), which a plan can match without a bound value. A new
// query that wants a partial index must do the same: under QPSG
// "state = ?" never matches "WHERE state = 'queued'".
//
// The driver has no setting for it, so a connection hook calls
// sqlite3_db_config on the driver connection's handle, found by reflection
// (fields db and tls of modernc.org/sqlite's conn). Should a driver
// upgrade rename them, the hook leaves connections as they were and
// TestQPSG fails, so the upgrade is noticed.

var qpsgOnce sync.Once

// qpsgOK records whether the hook found the handle (for TestQPSG).
var qpsgOK = map[bool]int{}
var qpsgMu sync.Mutex

func registerQPSG() {
	qpsgOnce.Do(func() {
		sqlite.RegisterConnectionHook(func(c sqlite.ExecQuerierContext, _ string) error {
			ok := enableQPSG(c)
			qpsgMu.Lock()
			qpsgOK[ok]++
			qpsgMu.Unlock()
			return nil
		})
	})
}

// connHandle finds the sqlite3 handle and the libc thread state of a
// modernc.org/sqlite connection.
func connHandle(c any) (handle uintptr, tls *libc.TLS, ok bool) {
	v := reflect.ValueOf(c)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return 0, nil, false
	}
	v = v.Elem()
	h, t := v.FieldByName("db"), v.FieldByName("tls")
	if !h.IsValid() || h.Kind() != reflect.Uintptr || !t.IsValid() || t.Type() != reflect.TypeOf((*libc.TLS)(nil)) {
		return 0, nil, false
	}
	handle = uintptr(h.Uint())
	tls = (*libc.TLS)(unsafe.Pointer(t.Pointer()))
	return handle, tls, handle != 0 && tls != nil
}

// dbConfig calls sqlite3_db_config(handle, op, onoff, &result) and returns
// the setting after the call (onoff -1 only reads it).
func dbConfig(c any, op int32, onoff int32) (int32, error) {
	handle, tls, ok := connHandle(c)
	if !ok {
		return 0, fmt.Errorf("db: no sqlite handle on %T", c)
	}
	// The two variadic slots (libc.VaList uses 8 bytes per argument on
	// every target); the result is written into a Go variable, which the
	// garbage collector does not move.
	bp := libc.Xmalloc(tls, 16)
	if bp == 0 {
		return 0, fmt.Errorf("db: out of memory")
	}
	defer libc.Xfree(tls, bp)
	res := new(int32)
	*res = -1
	rc := sqlite3.Xsqlite3_db_config(tls, handle, op, libc.VaList(bp, onoff, uintptr(unsafe.Pointer(res))))
	runtime.KeepAlive(res)
	if rc != sqlite3.SQLITE_OK {
		return 0, fmt.Errorf("db: sqlite3_db_config(%d) returned %d", op, rc)
	}
	return *res, nil
}

func enableQPSG(c any) bool {
	on, err := dbConfig(c, sqlite3.SQLITE_DBCONFIG_ENABLE_QPSG, 1)
	return err == nil && on == 1
}
