package app_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// repoRoot is the checkout the tests run in, and its HEAD commit.
func repoRoot(t *testing.T) (string, string) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("not a git checkout (%v): nothing to stamp", err)
	}
	return root, strings.TrimSpace(string(out))
}

// TestVersionStamped builds the binary the way a release does (version,
// commit and date through -ldflags) and checks "ombud version" names them.
func TestVersionStamped(t *testing.T) {
	root, commit := repoRoot(t)
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

// TestReleaseBuild runs "make release" for this machine's platform twice
// and checks the archives are byte-identical and the binary names the
// commit. A cold build takes minutes on a busy machine, so it runs only
// with OMBUD_TEST_RELEASE=1 (as the release checklist in
// docs/operations.md says).
func TestReleaseBuild(t *testing.T) {
	if os.Getenv("OMBUD_TEST_RELEASE") != "1" {
		t.Skip("set OMBUD_TEST_RELEASE=1 to build release archives")
	}
	root, commit := repoRoot(t)
	var sums [2]string
	var dirs [2]string
	for i := range sums {
		dirs[i] = t.TempDir()
		cmd := exec.Command("make", "-C", root, "release")
		cmd.Env = append(os.Environ(), "PLATFORMS=linux/"+runtime.GOARCH, "OUT="+dirs[i])
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("make release: %v\n%s", err, out)
		}
		b, err := os.ReadFile(filepath.Join(dirs[i], "SHA256SUMS"))
		if err != nil {
			t.Fatal(err)
		}
		sums[i] = string(b)
	}
	if sums[0] != sums[1] || !strings.Contains(sums[0], "-linux-"+runtime.GOARCH+".tar.gz") {
		t.Fatalf("two release builds differ:\n%s\n%s", sums[0], sums[1])
	}
	check := exec.Command("sha256sum", "-c", "SHA256SUMS")
	check.Dir = dirs[0]
	if out, err := check.CombinedOutput(); err != nil {
		t.Fatalf("sha256sum -c: %v\n%s", err, out)
	}
	name := strings.TrimSuffix(strings.Fields(sums[0])[1], ".tar.gz") // "SUM  NAME.tar.gz"
	if out, err := exec.Command("tar", "-xzf", filepath.Join(dirs[0], name+".tar.gz"), "-C", dirs[0]).CombinedOutput(); err != nil {
		t.Fatalf("tar: %v\n%s", err, out)
	}
	out, err := exec.Command(filepath.Join(dirs[0], name, "ombud"), "version").Output()
	if err != nil || !strings.Contains(string(out), "commit: "+commit) {
		t.Fatalf("ombud version: %v\n%s", err, out)
	}
}
