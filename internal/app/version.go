package app

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
)

// Commit and BuildDate override what the build records about its source,
// for builds without a .git directory (a container build, a source
// tarball): -ldflags "-X github.com/ombud/ombud/internal/app.Commit=…
// -X github.com/ombud/ombud/internal/app.BuildDate=…".
var (
	Commit    = ""
	BuildDate = ""
)

// BuildInfo is what a binary knows about how it was built.
type BuildInfo struct {
	Version  string // release version (ldflags) or module version
	Commit   string // VCS revision
	Date     string // commit time, RFC 3339
	Modified bool   // built from a tree with uncommitted changes
	Go       string // Go toolchain
	Platform string // GOOS/GOARCH
}

// ReadBuildInfo combines the -ldflags values with what the Go toolchain
// stamped into the binary (module version; vcs.revision, vcs.time and
// vcs.modified when built inside a git checkout). Values set with -ldflags
// win: a release build names its version exactly.
func ReadBuildInfo() BuildInfo {
	info, _ := debug.ReadBuildInfo()
	return buildInfo(BuildInfo{Version: Version, Commit: Commit, Date: BuildDate}, info)
}

// buildInfo fills what b (the -ldflags values) leaves open from info.
func buildInfo(b BuildInfo, info *debug.BuildInfo) BuildInfo {
	b.Go, b.Platform = runtime.Version(), runtime.GOOS+"/"+runtime.GOARCH
	if info == nil {
		return b
	}
	if b.Version == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		b.Version = info.Main.Version // go install github.com/ombud/ombud/cmd/ombud@v1.2.3
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			if b.Commit == "" {
				b.Commit = s.Value
			}
		case "vcs.time":
			if b.Date == "" {
				b.Date = s.Value
			}
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// String is the one-line form used in logs and backups' manifests.
func (b BuildInfo) String() string {
	s := b.Version
	if b.Commit != "" {
		c := b.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		s += " (" + c
		if b.Modified {
			s += ", modified"
		}
		s += ")"
	}
	return s
}

// versionString is the version recorded in logs and backup manifests.
func versionString() string { return ReadBuildInfo().String() }

// printVersion answers "ombud version".
func printVersion(w io.Writer) {
	b := ReadBuildInfo()
	fmt.Fprintln(w, "ombud", b.Version)
	var lines []string
	if b.Commit != "" {
		c := b.Commit
		if b.Modified {
			c += " (modified: uncommitted changes)"
		}
		lines = append(lines, "commit: "+c)
	}
	if b.Date != "" {
		lines = append(lines, "date:   "+b.Date)
	}
	lines = append(lines, "go:     "+b.Go+" "+b.Platform)
	fmt.Fprintln(w, "  "+strings.Join(lines, "\n  "))
}
