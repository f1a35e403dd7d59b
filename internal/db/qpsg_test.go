package db

import (
	"context"
	"testing"

	sqlite3 "modernc.org/sqlite/lib"
)

// TestQPSG: SQLite connections run with the query planner stability
// guarantee, so no bind expires a prepared statement (qpsg.go). It fails
// when a driver upgrade hides the connection's handle from the hook.
func TestQPSG(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := d.read.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = c.Raw(func(dc any) error {
		on, err := dbConfig(dc, sqlite3.SQLITE_DBCONFIG_ENABLE_QPSG, -1)
		if err != nil {
			return err
		}
		if on != 1 {
			t.Errorf("read connection: QPSG is %d, want 1", on)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	qpsgMu.Lock()
	defer qpsgMu.Unlock()
	if qpsgOK[false] > 0 || qpsgOK[true] == 0 {
		t.Errorf("connections with QPSG: %d, without: %d", qpsgOK[true], qpsgOK[false])
	}
}
