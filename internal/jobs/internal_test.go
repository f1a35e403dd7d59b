package jobs

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestDefaultBackoff(t *testing.T) {
	tests := []struct {
		attempt int
		base    time.Duration
	}{
		{0, 10 * time.Second}, // treated as the first
		{1, 10 * time.Second},
		{2, 20 * time.Second},
		{3, 40 * time.Second},
		{8, 1280 * time.Second},
		{9, 2560 * time.Second},
		{10, time.Hour}, // 5120 s, capped
		{11, time.Hour},
		{64, time.Hour}, // no overflow
	}
	for _, tt := range tests {
		lo, hi := tt.base*8/10, tt.base*12/10
		for range 50 {
			if got := defaultBackoff(tt.attempt); got < lo || got > hi {
				t.Fatalf("defaultBackoff(%d) = %v, want within [%v, %v]", tt.attempt, got, lo, hi)
			}
		}
	}
}

func TestErrorText(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want func(string) bool
	}{
		{"plain", "boom", func(s string) bool { return s == "boom" }},
		{"nul removed", "a\x00b", func(s string) bool { return s == "ab" }},
		{"invalid utf-8 replaced", "a\xffb", func(s string) bool { return s == "a\uFFFDb" }},
		{"bounded on a rune boundary", strings.Repeat("é", maxErrorLen), func(s string) bool {
			return len(s) <= maxErrorLen+len("\uFFFD") && utf8.ValidString(s)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errorText(errors.New(tt.in)); !tt.want(got) {
				t.Errorf("errorText(%.20q…) = %.40q…", tt.in, got)
			}
		})
	}
}

func TestErrorMarkers(t *testing.T) {
	base := errors.New("boom")
	tests := []struct {
		name      string
		err       error
		permanent bool
		delay     time.Duration
		hasDelay  bool
	}{
		{"plain", base, false, 0, false},
		{"permanent", Permanent(base), true, 0, false},
		{"wrapped permanent", errorsJoin(Permanent(base)), true, 0, false},
		{"retry after", RetryAfter(base, time.Minute), false, time.Minute, true},
		{"retry after nil", RetryAfter(nil, time.Second), false, time.Second, true},
		{"negative delay", RetryAfter(base, -time.Second), false, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsPermanent(tt.err); got != tt.permanent {
				t.Errorf("IsPermanent = %v, want %v", got, tt.permanent)
			}
			d, ok := retryDelay(tt.err)
			if d != tt.delay || ok != tt.hasDelay {
				t.Errorf("retryDelay = %v, %v; want %v, %v", d, ok, tt.delay, tt.hasDelay)
			}
			if tt.err == nil || tt.err.Error() == "" {
				t.Errorf("error text is empty")
			}
		})
	}
	if Permanent(nil) != nil {
		t.Error("Permanent(nil) != nil")
	}
	if !errors.Is(Permanent(base), base) || !errors.Is(RetryAfter(base, 0), base) {
		t.Error("markers must unwrap to the cause")
	}
}

func errorsJoin(err error) error { return errors.Join(errors.New("context"), err) }

func TestQualifiedColumns(t *testing.T) {
	want := "jobs." + strings.ReplaceAll(jobColumns, ", ", ", jobs.")
	got := strings.Join(strings.Fields(qualifiedColumns), " ")
	if got != want {
		t.Errorf("qualifiedColumns = %q\nwant %q (keep it in step with jobColumns)", got, want)
	}
}
