package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"time"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/config"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/importer"
)

func runUser(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		if sub, ok := userCommands()[args[0]]; ok { // usercmd.go
			return sub(ctx, args[1:], getenv, stdout, stderr)
		}
	}
	if len(args) == 0 || args[0] != "create" {
		return usageError{errors.New(`usage: ombud user create|list|deactivate|reset-password … (run "ombud user --help")`)}
	}
	var email, name, role, password string
	c, err := parse("user create", args[1:], getenv, stderr, false, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the agent's email address (sign-in name)")
		fs.StringVar(&name, "name", "", "the agent's full name")
		fs.StringVar(&role, "role", "agent", "admin, manager, agent, qa_reviewer or collaborator")
		fs.StringVar(&password, "password", "", "password (generated and printed when empty)")
	})
	if err != nil {
		return err
	}
	if email == "" || name == "" {
		return usageError{errors.New("--email and --name are required")}
	}
	generated := false
	if password == "" {
		password = randomPassword()
		generated = true
	}
	sys, err := Open(ctx, c, newLogger(c, stderr), time.Now)
	if err != nil {
		return err
	}
	defer sys.Close()
	a, err := sys.Agents.CreateAgent(ctx, authz.System, agent.AgentInput{Email: email, Name: name, Role: authz.Role(role), Password: password})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s %s (id %d)\n", a.Role, a.Email, a.ID)
	if generated {
		fmt.Fprintf(stdout, "password: %s\n", password)
	}
	return nil
}

func runToken(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		if sub, ok := tokenCommands()[args[0]]; ok { // usercmd.go
			return sub(ctx, args[1:], getenv, stdout, stderr)
		}
	}
	if len(args) == 0 || args[0] != "create" {
		return usageError{errors.New(`usage: ombud token create|list|revoke … (run "ombud token --help")`)}
	}
	var email, name string
	c, err := parse("token create", args[1:], getenv, stderr, false, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the agent the token acts as")
		fs.StringVar(&name, "name", "cli", "a name to recognise the token by")
	})
	if err != nil {
		return err
	}
	if email == "" {
		return usageError{errors.New("--email is required")}
	}
	sys, err := Open(ctx, c, newLogger(c, stderr), time.Now)
	if err != nil {
		return err
	}
	defer sys.Close()
	a, err := sys.Agents.ByEmail(ctx, email)
	if err != nil {
		return err
	}
	raw, _, err := sys.Auth.CreateToken(ctx, authz.System, a.ID, name)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, raw)
	return nil
}

func runImport(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	var file, format string
	var resume, quiet, fetch bool
	var batch int
	args, path := splitPath(args)
	c, err := parse("import", args, getenv, stderr, false, func(fs *flag.FlagSet) {
		fs.StringVar(&file, "file", "", "NDJSON file to import (standard input when empty)")
		fs.StringVar(&format, "format", "ndjson", "what to import: ndjson, or a zendesk or freshdesk export (a folder, zip or file given as PATH)")
		fs.BoolVar(&resume, "resume", false, "continue an interrupted import of --file after its checkpoint (FILE.checkpoint)")
		fs.BoolVar(&quiet, "quiet", false, "no progress on standard error")
		fs.BoolVar(&fetch, "fetch-attachments", false, "copy attachments given by link (as in Zendesk and Freshdesk exports) into Ombud; without it they stay links in the comment")
		fs.IntVar(&batch, "batch", importBatch, "tickets committed together (1–10000): a larger batch commits less often; --resume continues after the last committed batch")
	})
	if err != nil {
		return err
	}
	if batch < 1 || batch > 10000 {
		return usageError{fmt.Errorf("--batch must be from 1 to 10000")}
	}
	bulkCache(&c)
	defer bulkGC(getenv)()
	if format != "ndjson" {
		if !slices.Contains(ImportFormats, format) {
			return usageError{fmt.Errorf("--format must be ndjson, zendesk or freshdesk")}
		}
		if path == "" {
			path = file
		}
		if path == "" {
			return usageError{fmt.Errorf("--format %s needs the export's path: ombud import --format %s PATH", format, format)}
		}
		sys, err := Open(ctx, c, newLogger(c, stderr), time.Now)
		if err != nil {
			return err
		}
		defer sys.Close()
		sys.Importer.Batch = batch
		return runVendorImport(ctx, sys, format, path, resume, quiet, fetch, stdout, stderr)
	}
	if path != "" {
		if file != "" {
			return usageError{fmt.Errorf("unexpected argument %q", path)}
		}
		file = path
	}
	if resume && (file == "" || file == "-") {
		return usageError{fmt.Errorf("--resume needs --file")}
	}
	total, before := 0, 0
	var cp *checkpoint
	opt := importer.Options{}
	if fetch {
		opt.Fetch = attachmentFetcher(c)
	}
	if file != "" && file != "-" {
		cp = &checkpoint{path: file + ".checkpoint"}
		if resume {
			if opt.From, err = cp.read(); err != nil {
				return err
			}
		}
		if !quiet {
			if total, before, err = countTickets(file, opt.From); err != nil {
				return err
			}
		}
	}
	in, err := openInput(file, stdin)
	if err != nil {
		return err
	}
	defer in.Close()
	sys, err := Open(ctx, c, newLogger(c, stderr), time.Now)
	if err != nil {
		return err
	}
	defer sys.Close()
	sys.Importer.Batch = batch
	start := time.Now()
	bar := newProgressBar(stderr, total, time.Now)
	bar.setBase(before)
	var cpErr error
	var last importer.Progress
	opt.Progress = func(p importer.Progress) {
		last = p
		if cp != nil && cpErr == nil {
			cpErr = cp.write(p.Line)
		}
		if !quiet {
			bar.update(p, false)
		}
	}
	res, err := sys.Importer.ImportWith(ctx, authz.System, in, opt)
	if !quiet {
		bar.update(last, true)
	}
	fmt.Fprintf(stdout, "imported %d, skipped %d, failed %d in %s\n", res.Imported, res.Skipped, res.Failed, time.Since(start).Round(time.Millisecond))
	for _, e := range res.Errors {
		fmt.Fprintf(stdout, "line %d: %s %v\n", e.Line, e.Error, e.Field)
	}
	if err != nil {
		if cp != nil {
			return fmt.Errorf("%w (committed through line %d; ombud import --file %s --resume continues after it)", err, res.Line, file)
		}
		return fmt.Errorf("%w (committed through line %d)", err, res.Line)
	}
	if cpErr != nil {
		return cpErr
	}
	if cp != nil {
		_ = os.Remove(cp.path)
	}
	if res.Failed > 0 {
		return fmt.Errorf("%d records failed", res.Failed)
	}
	return nil
}

func randomPassword() string {
	var b [15]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// runReport handles "ombud report rebuild": recompute every ticket's report
// facts and the roll-ups from the event log (after a restore, or to apply
// changed SLA policies and business hours to history).
func runReport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "rebuild" {
		return usageError{errors.New(`usage: ombud report rebuild`)}
	}
	c, err := parse("report rebuild", args[1:], getenv, stderr, false, nil)
	if err != nil {
		return err
	}
	bulkCache(&c)
	sys, err := Open(ctx, c, newLogger(c, stderr), time.Now)
	if err != nil {
		return err
	}
	defer sys.Close()
	var total int
	if err := sys.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets`).Scan(&total); err != nil {
		return fmt.Errorf("count tickets: %w", err)
	}
	start := time.Now()
	last := start
	err = sys.Reports.Rebuild(ctx, func(done int) {
		if time.Since(last) > 5*time.Second {
			last = time.Now()
			fmt.Fprintf(stderr, "rebuild: %d/%d tickets\n", done, total)
		}
	})
	if err != nil {
		return err
	}
	if _, err := sys.Reports.Refresh(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "report facts rebuilt in %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}

// importBatch is ombud import's default --batch. The importer's own
// default (500) serves the API's imports, which share the writer with
// the people working; the command commits 2,000 at a time: a quarter of
// the commits, full-text flushes and WAL checkpoints, 0.88 of the CPU per
// ticket at 200,000 tickets (docs/benchmarks.md, issue 13 item 6). Each
// commit then holds the database's write lock for about a second.
const importBatch = 2000

// bulkGC lets an import's heap grow to five times what is live before the
// collector runs (GOGC=400) unless GOGC is set, and returns the undo. The
// import allocates much and keeps little (decoded records, statement
// arguments), so at the default of 100 the collector ran far more often
// than the heap needed: its work was about a tenth of the import's CPU.
// The heap it lets grow is the import's, a few batches of records.
func bulkGC(getenv func(string) string) func() {
	if getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(400)
	return func() { debug.SetGCPercent(old) }
}

// bulkCache gives a bulk command (import, report rebuild) the writer's
// larger cache when none is configured: the serving defaults are sized for
// the server's memory, a batch job's rate for its inserts.
func bulkCache(c *config.Config) {
	if c.SQLite.WriteCacheMiB == 0 {
		c.SQLite.WriteCacheMiB = db.BulkWriteCacheMiB
	}
}
