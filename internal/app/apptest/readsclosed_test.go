package apptest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/db"
)

// recordingTB keeps what checkReadsClosed registers and reports.
type recordingTB struct {
	testing.TB
	cleanups []func()
	errs     []string
}

func (r *recordingTB) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }
func (r *recordingTB) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// TestCheckReadsClosed: a result set left open is reported once the
// cleanups run; closed ones are not.
func TestCheckReadsClosed(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, db.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, leak := range []bool{false, true} {
		rec := &recordingTB{TB: t}
		checkReadsClosedWithin(rec, d, 200*time.Millisecond)
		rows, err := d.QueryContext(ctx, `SELECT 1`)
		if err != nil {
			t.Fatal(err)
		}
		if !leak {
			rows.Close()
		}
		for _, f := range rec.cleanups {
			f()
		}
		if got := len(rec.errs) > 0; got != leak {
			t.Errorf("left open %v: reported %v (%q)", leak, got, rec.errs)
		}
		rows.Close()
	}
}
