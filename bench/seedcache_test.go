package bench

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// TestWriteLoadSeed fills OMBUD_BENCH_SEED_CACHE with the SQLite seed of
// OMBUD_BENCH_TICKETS tickets that BenchmarkLoad copies, the report
// refresher's backlog already folded in, so that a measuring run under the
// bench lock starts from it instead of importing (minutes). With
// OMBUD_BENCH_SEED_BIN the seed is made by that binary (e.g. main's).
func TestWriteLoadSeed(t *testing.T) {
	cache := os.Getenv("OMBUD_BENCH_SEED_CACHE")
	if cache == "" {
		t.Log("OMBUD_BENCH_SEED_CACHE not set: nothing to write")
		return
	}
	tickets := envInt("OMBUD_BENCH_TICKETS", 100000)
	bin := os.Getenv("OMBUD_BENCH_SEED_BIN")
	if bin == "" {
		bin = filepath.Join(t.TempDir(), "ombud")
		if out, err := exec.Command("go", "build", "-o", bin, "../cmd/ombud").CombinedOutput(); err != nil {
			t.Fatalf("build: %v\n%s", err, out)
		}
	}
	data := filepath.Join(t.TempDir(), "data")
	env := []string{"OMBUD_DATA=" + data}
	s := seeded(t, bin, "sqlite", data, env, tickets)
	settle(s.cmd.Process.Pid, 20*time.Minute)
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	_ = s.cmd.Wait()
	kept := filepath.Join(cache, "sqlite-"+strconv.Itoa(tickets))
	token, err := os.ReadFile(filepath.Join(kept, "token"))
	if err != nil {
		t.Fatal(err)
	}
	// The settled database replaces the one copied before the backlog was
	// folded in.
	_ = os.RemoveAll(kept)
	copyDir(t, data, kept)
	if err := os.WriteFile(filepath.Join(kept, "token"), token, 0o600); err != nil {
		t.Fatal(err)
	}
}
