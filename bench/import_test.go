package bench

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/dbtest"
)

// BenchmarkImport runs `ombud import` of OMBUD_BENCH_IMPORT_TICKETS demo
// tickets (default 100000; writeDemoHistory: five languages, several
// messages, notes, assignments and status changes each, with their
// customers) into an empty database and reports tickets/s over the whole
// run and per slice of OMBUD_BENCH_IMPORT_SLICE tickets (default a tenth
// of the run), read from the importer's own progress lines, so a rate
// that falls as the tables grow shows. CPU seconds of the process are
// reported too, for the whole run and for each slice (read from
// /proc/PID/stat as the slice ends): on a shared machine they say more
// than the clock. OMBUD_BENCH_IMPORT_BIN names a build of ombud to run
// instead of building one.
//
//	go test ./bench/ -run '^$' -bench Import -benchtime 1x -timeout 120m
func BenchmarkImport(b *testing.B) {
	tickets := envInt("OMBUD_BENCH_IMPORT_TICKETS", 100000)
	slice := envInt("OMBUD_BENCH_IMPORT_SLICE", max(1, tickets/10))
	engines := os.Getenv("OMBUD_BENCH_ENGINES")
	if engines == "" {
		engines = "sqlite,postgres"
	}
	dir := b.TempDir()
	bin := filepath.Join(dir, "ombud")
	if prebuilt := os.Getenv("OMBUD_BENCH_IMPORT_BIN"); prebuilt != "" {
		// A build of this tree made beforehand: a build under the bench
		// lock on a busy machine takes minutes.
		bin = prebuilt
	} else if out, err := exec.Command("go", "build", "-o", bin, "../cmd/ombud").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	// OMBUD_BENCH_IMPORT_FILE keeps the history: written there when
	// missing (a 1M-ticket file takes long to write), read again when it
	// is there — it must then hold OMBUD_BENCH_IMPORT_TICKETS tickets.
	file := os.Getenv("OMBUD_BENCH_IMPORT_FILE")
	if file == "" {
		file = filepath.Join(dir, "history.ndjson")
	}
	if _, err := os.Stat(file); err != nil {
		begin := time.Now()
		writeDemoHistory(b, file, tickets)
		b.Logf("wrote %d demo tickets in %s", tickets, time.Since(begin).Round(time.Second))
	} else {
		b.Logf("reading the kept history %s", file)
	}
	// OMBUD_BENCH_COMPARE names a binary built from another commit (main):
	// it imports the same file first, into a database of its own.
	type build struct{ name, bin string }
	builds := []build{{"this build", bin}}
	if other := os.Getenv("OMBUD_BENCH_COMPARE"); other != "" {
		builds = []build{{"compared build", other}, {"this build", bin}}
	}
	for _, engine := range strings.Split(engines, ",") {
		for _, bd := range builds {
			b.Run(engine+"/"+strings.ReplaceAll(bd.name, " ", "_"), func(b *testing.B) {
				importBench(b, bd.name, bd.bin, engine, file, tickets, slice)
			})
		}
	}
}

func importBench(b *testing.B, name, bin, engine, file string, tickets, slice int) {
	env := []string{"OMBUD_DATA=" + filepath.Join(b.TempDir(), "data")}
	switch engine {
	case "postgres":
		env = append(env, "OMBUD_DATABASE_URL="+dbtest.NewPostgresDatabase(b))
	case "postgres-durable":
		env = append(env, "OMBUD_DATABASE_URL="+dbtest.NewDurablePostgresDatabase(b))
	}
	run(b, bin, env, "migrate")
	r := importRun(b, bin, env, file, tickets, slice)
	fmt.Printf("\n%s, %s, import of %d demo tickets (%d per slice)\n", engine, name, tickets, slice)
	fmt.Printf("%-39s %10s %10s %10s %10s %12s %10s\n", "slice", "tickets", "seconds", "tickets/s", "CPU s", "tickets/CPU s", "ms CPU/t")
	row := func(name string, n int, took, cpu time.Duration) {
		perCPU, msPer := "-", "-"
		if cpu > 0 {
			perCPU, msPer = fmt.Sprintf("%.0f", float64(n)/cpu.Seconds()), fmt.Sprintf("%.3f", cpu.Seconds()*1e3/float64(n))
		}
		fmt.Printf("%-39s %10d %10.1f %10.0f %10.1f %12s %10s\n", name, n, took.Seconds(), float64(n)/took.Seconds(), cpu.Seconds(), perCPU, msPer)
	}
	for _, s := range r.slices {
		row(s.name, s.n, s.took, s.cpu)
	}
	row("whole run", tickets, r.took, r.cpu)
	fmt.Printf("CPU of the import process: %.1f s (%.0f tickets per CPU second)\n", r.cpu.Seconds(), float64(tickets)/r.cpu.Seconds())
	b.ReportMetric(float64(tickets)/r.took.Seconds(), "tickets/s")
}

type importSlice struct {
	name      string
	n         int
	took, cpu time.Duration // wall time and the process's CPU (user + system) in the slice
}

type importResult struct {
	took, cpu time.Duration
	slices    []importSlice
}

// importRun runs the import and cuts its progress lines into slices.
func importRun(b *testing.B, bin string, env []string, file string, tickets, slice int) importResult {
	cmd := exec.Command(bin, "import", "--file", file)
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		b.Fatal(err)
	}
	var out strings.Builder
	cmd.Stdout = &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	var res importResult
	pid := cmd.Process.Pid
	prevN, prevT, prevCPU, next := 0, start, time.Duration(0), slice
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		n, ok := progressDone(sc.Text())
		if !ok {
			fmt.Fprintln(os.Stderr, sc.Text())
			continue
		}
		now := time.Now()
		if n > prevN && (n >= next || n >= tickets) {
			cpu := procCPUTime(pid) // help_test.go: /proc/PID/stat utime + stime
			res.slices = append(res.slices, importSlice{name: fmt.Sprintf("tickets %d–%d", prevN+1, n), n: n - prevN, took: now.Sub(prevT), cpu: cpu - prevCPU})
			prevN, prevT, prevCPU = n, now, cpu
			next = (n/slice + 1) * slice
		}
	}
	if err := cmd.Wait(); err != nil {
		b.Fatalf("import: %v\n%s", err, out.String())
	}
	res.took = time.Since(start)
	res.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	b.Logf("%s", strings.TrimSpace(out.String()))
	return res
}

// progressDone reads the count of a plain progress line
// ("import: 12,000/100,000 tickets (12.0%), …").
func progressDone(line string) (int, bool) {
	rest, ok := strings.CutPrefix(line, "import: ")
	if !ok {
		return 0, false
	}
	num, _, _ := strings.Cut(rest, "/")
	num, _, _ = strings.Cut(num, " ")
	n, err := strconv.Atoi(strings.ReplaceAll(num, ",", ""))
	return n, err == nil
}
