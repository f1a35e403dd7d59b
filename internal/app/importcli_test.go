package app

import (
	"bytes"
	"os"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/importer"
)

func TestProgressLine(t *testing.T) {
	tests := []struct {
		name        string
		done, total int
		rate        float64
		elapsed     time.Duration
		bar         bool
		want        string
	}{
		{"plain, total known", 12000, 100000, 2345.4, 5 * time.Second, false, "import: 12,000/100,000 tickets (12.0%), 2,345/s, 37s left"},
		{"plain, done", 100000, 100000, 2000, 50 * time.Second, false, "import: 100,000/100,000 tickets (100.0%), 2,000/s, done in 50s"},
		{"plain, standard input", 1500, 0, 750, 2 * time.Second, false, "import: 1,500 tickets, 750/s, 2s"},
		{"terminal", 50, 100, 10, 5 * time.Second, true, "[############............] 50/100 tickets (50.0%), 10/s, 5s left"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := progressLine(tc.done, 0, tc.total, tc.rate, tc.elapsed, tc.bar); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

// TestProgressBarPlain: away from a terminal the bar prints a plain line at
// most every two seconds, and always the final one.
func TestProgressBarPlain(t *testing.T) {
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	var out bytes.Buffer
	b := newProgressBar(&out, 10000, now)
	for i := 1; i <= 10; i++ {
		clock = clock.Add(time.Second)
		b.update(importer.Progress{Tickets: i * 1000}, i == 10)
	}
	want := []string{
		"import: 2,000/10,000 tickets (20.0%), 1,000/s, 8s left",
		"import: 4,000/10,000 tickets (40.0%), 1,000/s, 6s left",
		"import: 6,000/10,000 tickets (60.0%), 1,000/s, 4s left",
		"import: 8,000/10,000 tickets (80.0%), 1,000/s, 2s left",
		"import: 10,000/10,000 tickets (100.0%), 1,000/s, done in 10s",
	}
	if got := strings.Split(strings.TrimSpace(out.String()), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestProgressBarResumed: a resumed import reports the tickets it passed
// over at once; its rate and time left count only this run's tickets.
func TestProgressBarResumed(t *testing.T) {
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	var out bytes.Buffer
	b := newProgressBar(&out, 10000, now)
	b.setBase(6000)
	for i := 1; i <= 4; i++ {
		clock = clock.Add(2 * time.Second)
		b.update(importer.Progress{Tickets: 6000 + i*500}, i == 4)
	}
	want := []string{
		"import: 6,500/10,000 tickets (65.0%), 250/s, 14s left",
		"import: 7,000/10,000 tickets (70.0%), 250/s, 12s left",
		"import: 7,500/10,000 tickets (75.0%), 250/s, 10s left",
		"import: 8,000/10,000 tickets (80.0%), 250/s, 8s left",
	}
	if got := strings.Split(strings.TrimSpace(out.String()), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestCountTicketsBefore: the counting pass also counts the tickets on the
// lines a resumed import passes over.
func TestCountTicketsBefore(t *testing.T) {
	path := t.TempDir() + "/h.ndjson"
	lines := []string{
		`{"kind":"team","team":{"name":"T"}}`,
		`{"kind":"ticket","ticket":{"external_id":"1"}}`,
		``,
		`{"kind":"ticket","ticket":{"external_id":"2"}}`,
		`{"kind":"ticket","ticket":{"external_id":"3"}}`,
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for from, want := range []int{0, 0, 1, 1, 2, 3, 3} {
		total, before, err := countTickets(path, from)
		if err != nil || total != 3 || before != want {
			t.Errorf("from %d: total %d, before %d, %v; want 3, %d", from, total, before, err, want)
		}
	}
}

// TestBulkGC: ombud import raises GOGC to 400 unless GOGC is set, and
// puts the setting back when it returns (tests run commands in one
// process).
func TestBulkGC(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want int
	}{
		{name: "unset", env: map[string]string{}, want: 400},
		{name: "set by the operator", env: map[string]string{"GOGC": "50"}, want: 77},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := debug.SetGCPercent(77)
			defer debug.SetGCPercent(before)
			undo := bulkGC(func(k string) string { return tc.env[k] })
			if got := debug.SetGCPercent(-1); got != tc.want {
				t.Errorf("GOGC during the import %d, want %d", got, tc.want)
			}
			debug.SetGCPercent(tc.want)
			undo()
			if got := debug.SetGCPercent(77); got != 77 {
				t.Errorf("GOGC after the import %d, want 77", got)
			}
		})
	}
}
