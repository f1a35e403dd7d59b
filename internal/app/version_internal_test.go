package app

import (
	"runtime/debug"
	"testing"
)

// TestBuildInfo: -ldflags values win; otherwise the module version and the
// VCS settings the Go toolchain stamps are used; nothing known is "dev".
func TestBuildInfo(t *testing.T) {
	stamped := &debug.BuildInfo{
		Main: debug.Module{Path: "github.com/ombud/ombud", Version: "v0.3.0"},
		Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
			{Key: "vcs.time", Value: "2026-05-01T10:00:00Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	tests := []struct {
		name       string
		flags      BuildInfo
		info       *debug.BuildInfo
		want       BuildInfo
		wantString string
	}{
		{"nothing known", BuildInfo{Version: "dev"}, nil, BuildInfo{Version: "dev"}, "dev"},
		{"devel build without VCS", BuildInfo{Version: "dev"}, &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, BuildInfo{Version: "dev"}, "dev"},
		{"stamped by the toolchain", BuildInfo{Version: "dev"}, stamped,
			BuildInfo{Version: "v0.3.0", Commit: "0123456789abcdef0123456789abcdef01234567", Date: "2026-05-01T10:00:00Z", Modified: true}, "v0.3.0 (0123456789ab, modified)"},
		{"ldflags win", BuildInfo{Version: "v1.0.0", Commit: "fedcba9876543210", Date: "2026-06-01T00:00:00Z"}, stamped,
			BuildInfo{Version: "v1.0.0", Commit: "fedcba9876543210", Date: "2026-06-01T00:00:00Z", Modified: true}, "v1.0.0 (fedcba987654, modified)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := buildInfo(tt.flags, tt.info)
			got.Go, got.Platform = "", ""
			if got != tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			if got.String() != tt.wantString {
				t.Fatalf("String() = %q, want %q", got.String(), tt.wantString)
			}
		})
	}
}
