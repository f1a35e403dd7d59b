package app_test

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// repoRoot is the module's root directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// TestVersionStamped builds the binary the way a release does (version,
// commit and date through -ldflags) and checks "ombud version" names them.
func TestVersionStamped(t *testing.T) {
	root, commit := repoRoot(t), "0123456789abcdef0123456789abcdef01234567" // any commit: -ldflags sets it
	bin := filepath.Join(t.TempDir(), "ombud")
	pkg := "github.com/ombud/ombud/internal/app"
	build := exec.Command("go", "build", "-o", bin, "-ldflags",
		"-X "+pkg+".Version=v9.9.9-test -X "+pkg+".Commit="+commit+" -X "+pkg+".BuildDate=2026-05-01T10:00:00Z", "./cmd/ombud")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ombud v9.9.9-test\n", "commit: " + commit, "date:   2026-05-01T10:00:00Z", runtime.Version()} {
		if !strings.Contains(string(out), want) {
			t.Fatalf("ombud version printed %q, want %q in it", out, want)
		}
	}
}
