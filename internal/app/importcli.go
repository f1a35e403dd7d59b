package app

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/importer"
)

// countTickets counts the ticket records of the file at path: the total
// the progress bar measures against (a first pass; it reads at disk speed),
// and how many of them are on lines up to from (what a resumed import
// passes over: its time left is reckoned from the rest).
func countTickets(path string, from int) (total, before int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	n, lineNo := 0, 0
	for sc.Scan() {
		lineNo++
		if lineNo == from+1 {
			before = n
		}
		line := sc.Bytes()
		if !bytes.Contains(line, []byte(`"ticket"`)) {
			continue
		}
		var k struct {
			Kind string `json:"kind"`
		}
		if json.Unmarshal(line, &k) == nil && k.Kind == importer.KindTicket {
			n++
		}
	}
	if lineNo <= from {
		before = n
	}
	if err := sc.Err(); err != nil {
		// A line too long is the import's to report; the count is a guess.
		return n, before, nil
	}
	return n, before, nil
}

// progressBar prints an import's progress on stderr: one line redrawn in
// place on a terminal, a plain line every few seconds otherwise (logs).
type progressBar struct {
	w        io.Writer
	tty      bool
	total    int // ticket records in the file; 0 when unknown (standard input)
	base     int // tickets a resumed import passes over (setBase)
	start    time.Time
	now      func() time.Time
	every    time.Duration
	last     time.Time
	lastDone int
	rate     float64
}

func newProgressBar(w io.Writer, total int, now func() time.Time) *progressBar {
	tty := false
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	t := now()
	every := 2 * time.Second
	if tty {
		every = 200 * time.Millisecond
	}
	return &progressBar{w: w, tty: tty, total: total, start: t, now: now, every: every, last: t}
}

// setBase tells the bar that a resumed import starts after base tickets:
// its rate and time left count only the tickets of this run (the importer
// reports the passed-over ones at once, which read as thousands a second).
func (b *progressBar) setBase(base int) { b.base, b.lastDone = base, base }

// update prints p when the last print is old enough (always when final).
func (b *progressBar) update(p importer.Progress, final bool) {
	t := b.now()
	if !final && t.Sub(b.last) < b.every {
		return
	}
	if d := t.Sub(b.last).Seconds(); d > 0 && p.Tickets > b.lastDone {
		b.rate = float64(p.Tickets-b.lastDone) / d
	}
	b.last, b.lastDone = t, p.Tickets
	line := progressLine(p.Tickets, b.base, b.total, b.rate, t.Sub(b.start), b.tty)
	if b.tty {
		fmt.Fprintf(b.w, "\r%s\x1b[K", line)
		if final {
			fmt.Fprintln(b.w)
		}
		return
	}
	fmt.Fprintln(b.w, line)
}

// progressLine formats done of total tickets at rate per second after
// elapsed: "import: 12,000/100,000 tickets (12.0%), 2,345/s, 33s left".
// On a terminal it starts with a bar.
// A resumed import started after base of the done tickets: its time left
// is reckoned from the tickets done in this run.
func progressLine(done, base, total int, rate float64, elapsed time.Duration, bar bool) string {
	var sb strings.Builder
	if bar && total > 0 {
		const width = 24
		n := min(width, done*width/total)
		sb.WriteString("[" + strings.Repeat("#", n) + strings.Repeat(".", width-n) + "] ")
	} else {
		sb.WriteString("import: ")
	}
	sb.WriteString(thousands(done))
	if total > 0 {
		fmt.Fprintf(&sb, "/%s tickets (%.1f%%)", thousands(total), 100*float64(done)/float64(total))
	} else {
		sb.WriteString(" tickets")
	}
	fmt.Fprintf(&sb, ", %s/s", thousands(int(rate+0.5)))
	switch {
	case total > 0 && done >= total:
		fmt.Fprintf(&sb, ", done in %s", elapsed.Round(time.Second))
	case total > 0 && done > base:
		avg := float64(done-base) / elapsed.Seconds()
		left := time.Duration(float64(total-done) / avg * float64(time.Second))
		fmt.Fprintf(&sb, ", %s left", left.Round(time.Second))
	default:
		fmt.Fprintf(&sb, ", %s", elapsed.Round(time.Second))
	}
	return sb.String()
}

// thousands writes n with comma separators (12,345).
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// checkpoint is where a file import has got to: the last line of the file
// whose records are all committed (or reported). `ombud import --resume`
// starts after it.
type checkpoint struct{ path string }

func (c checkpoint) read() (int, error) {
	raw, err := os.ReadFile(c.path)
	if os.IsNotExist(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read checkpoint: %w", err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil || n < 0 {
		return 0, fmt.Errorf("checkpoint %s does not hold a line number", c.path)
	}
	return n, nil
}

// write replaces the checkpoint atomically (a crash leaves the old one).
func (c checkpoint) write(line int) error {
	tmp := c.path + ".tmp"
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(line)+"\n"), 0o644); err != nil {
		return fmt.Errorf("write checkpoint: %w", err)
	}
	return os.Rename(tmp, c.path)
}
