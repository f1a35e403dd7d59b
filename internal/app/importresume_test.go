package app_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app"
	"github.com/ombud/ombud/internal/config"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/demo"
	"github.com/ombud/ombud/internal/importer"
)

// TestImportResumeAfterKill: `ombud import --file` stopped mid-run (its
// context cancelled once a batch is committed, as a signal would), then
// resumed from a checkpoint older than what was committed (as after a kill
// between a commit and the checkpoint's write), ends with every ticket
// exactly once; a third run imports nothing new. The progress bar says
// done/total, the rate and the time left.
func TestImportResumeAfterKill(t *testing.T) {
	const tickets = 1200
	file := filepath.Join(t.TempDir(), "history.ndjson")
	recs := demo.Generate(demo.Options{Seed: 7, Tickets: tickets, Customers: 300, Orgs: 10, Days: 30, Now: time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)})
	for i := range recs {
		if recs[i].Ticket != nil {
			recs[i].Ticket.CustomFields = nil
		}
		if recs[i].Agent != nil {
			recs[i].Agent.Password = ""
		}
	}
	var buf bytes.Buffer
	if err := importer.WriteNDJSON(&buf, recs); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cpPath := file + ".checkpoint"
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			os.Remove(cpPath)
			env := map[string]string{"OMBUD_DATA": t.TempDir(), "OMBUD_LOG_LEVEL": "error"}
			if engine == "postgres" {
				env["OMBUD_DATABASE_URL"] = dbtest.NewPostgresDatabase(t)
			}
			if code, _, er := run(t, env, "migrate"); code != 0 {
				t.Fatalf("migrate: %s", er)
			}
			// Interrupted once the first checkpoint is written.
			ctx, cancel := context.WithCancel(context.Background())
			go func() {
				for ctx.Err() == nil {
					if _, err := os.Stat(cpPath); err == nil {
						cancel()
						return
					}
					time.Sleep(2 * time.Millisecond)
				}
			}()
			var out, er bytes.Buffer
			// Batches of 500, so that the 1,200 tickets take three.
			code := app.Main(ctx, []string{"import", "--batch", "500", "--file", file}, func(k string) string { return env[k] }, strings.NewReader(""), &out, &er)
			cancel()
			raw, err := os.ReadFile(cpPath)
			if code == 0 || err != nil {
				t.Fatalf("the interrupted import: exit %d, checkpoint %v: %s %s", code, err, out.String(), er.String())
			}
			line, _ := strconv.Atoi(strings.TrimSpace(string(raw)))
			n, _ := countTickets(t, env)
			if line == 0 || n == 0 || n >= tickets {
				t.Fatalf("interrupted at line %d with %d tickets: %s", line, n, er.String())
			}
			// A kill between a commit and the checkpoint's write leaves it
			// behind what is committed: resume from half of it.
			if err := os.WriteFile(cpPath, []byte(strconv.Itoa(line/2)+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := run(t, env, "import", "--file", file, "--resume")
			if code != 0 {
				t.Fatalf("resume: exit %d: %s %s", code, stdout, stderr)
			}
			if !regexp.MustCompile(`import: 1,200/1,200 tickets \(100\.0%\), [0-9,]+/s, done in `).MatchString(stderr) {
				t.Errorf("the progress bar's last line: %q", stderr)
			}
			if n, d := countTickets(t, env); n != tickets || d != tickets {
				t.Fatalf("after the resume: %d tickets (%d distinct external ids), want %d", n, d, tickets)
			}
			if _, err := os.Stat(cpPath); !os.IsNotExist(err) {
				t.Errorf("the checkpoint of a finished import is left: %v", err)
			}
			// Directory records (teams, agents, customers) are found again
			// by their keys and count as imported; every ticket is skipped.
			code, stdout, _ = run(t, env, "import", "--quiet", "--file", file)
			if code != 0 || !strings.Contains(stdout, "skipped 1200, failed 0") {
				t.Fatalf("a third run: exit %d: %s", code, stdout)
			}
			if n, d := countTickets(t, env); n != tickets || d != tickets {
				t.Fatalf("after a third run: %d tickets (%d distinct), want %d", n, d, tickets)
			}
		})
	}
}

func countTickets(t *testing.T, env map[string]string) (int, int) {
	t.Helper()
	c := config.Defaults()
	c.DataDir, c.DatabaseURL = env["OMBUD_DATA"], env["OMBUD_DATABASE_URL"]
	sys, err := app.Open(context.Background(), c, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close()
	var n, d int
	if err := sys.DB.QueryRowContext(context.Background(), `SELECT COUNT(*), COUNT(DISTINCT external_id) FROM tickets`).Scan(&n, &d); err != nil {
		t.Fatal(err)
	}
	return n, d
}
